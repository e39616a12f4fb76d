"""The notes' gradient check (chapter 4): backprop against numerical gradients of a
two-layer net (Affine, ReLU, Affine, softmax with cross-entropy) built from Tensor ops."""

from __future__ import annotations

import numpy as np

from autograd_lite import Tensor, numerical_gradient


def two_layer_loss(params, x, t):
    h = (x @ params["W1"] + params["b1"]).relu()
    logits = h @ params["W2"] + params["b2"]
    return -(logits.log_softmax(axis=1) * t).sum() / x.shape[0]


def test_backprop_matches_numerical_gradient_of_the_two_layer_net():
    rng = np.random.default_rng(7)
    x = Tensor(rng.standard_normal((3, 784)))
    t = Tensor(np.eye(10)[rng.integers(0, 10, 3)])
    arrays = {
        "W1": 0.01 * rng.standard_normal((784, 5)) + 0.01,
        "b1": np.full(5, 0.05),
        "W2": 0.1 * rng.standard_normal((5, 10)),
        "b2": np.zeros(10),
    }
    params = {k: Tensor(v, requires_grad=True) for k, v in arrays.items()}
    two_layer_loss(params, x, t).backward()
    for key in ("b1", "W2", "b2"):  # W1 has 3920 entries: check a slice of it below

        def loss_of(_):
            return two_layer_loss(params, x, t).item()

        numeric = numerical_gradient(loss_of, params[key].data)
        diff = np.mean(np.abs(params[key].grad.data - numeric))
        assert diff < 1e-7, f"{key}: mean |backprop - numerical| = {diff:.2e}"
    rows = params["W1"].data[:20]  # a view: numerical_gradient nudges W1 in place
    numeric_rows = numerical_gradient(lambda _: two_layer_loss(params, x, t).item(), rows)
    assert np.mean(np.abs(params["W1"].grad.data[:20] - numeric_rows)) < 1e-7
