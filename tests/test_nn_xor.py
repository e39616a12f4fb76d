"""XOR, the notes' example: one linear layer cannot separate it, two layers can.

Training is plain gradient descent written out here (``optim`` is a separate package), with
fixed seeds, so each run is deterministic.
"""

from __future__ import annotations

import numpy as np

import nn
import nn.functional as F
from autograd_lite import no_grad

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
T = np.array([0, 1, 1, 0], dtype=np.float32)


def train(model: nn.Module, steps: int = 300, lr: float = 1.0) -> np.ndarray:
    """Full-batch gradient descent on the binary cross-entropy; returns the final logits."""
    for _ in range(steps):
        model.zero_grad()
        F.binary_cross_entropy_with_logits(model(X).reshape(4), T).backward()
        with no_grad():
            for p in model.parameters():
                p.data -= lr * p.grad.data
    with no_grad():
        return model(X).reshape(4).data


def accuracy(logits: np.ndarray) -> float:
    return float(np.mean((logits > 0) == (T == 1)))


def test_a_two_hidden_unit_mlp_learns_xor():
    model = nn.MLP([2, 2, 1], activation=nn.Tanh, rng=np.random.default_rng(3))
    logits = train(model)
    assert accuracy(logits) == 1.0
    assert np.all(np.abs(logits) > 1.0)  # confidently, not by a hair


def test_a_linear_model_cannot_learn_xor():
    # any line leaves at least one of the four points on the wrong side: at most 3/4
    for seed in range(3):
        logits = train(nn.Linear(2, 1, rng=np.random.default_rng(seed)))
        assert accuracy(logits) <= 0.75
