"""Training utilities: gradient clipping and classification accuracy."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from autograd_lite import Tensor, no_grad


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float) -> float:
    """Scale all gradients together so their global 2-norm is at most ``max_norm``.

    total = sqrt(sum over parameters of ||grad||^2); when total > max_norm every gradient is
    multiplied by max_norm / (total + 1e-6), PyTorch's rule. Returns the total norm before
    clipping. Each clipped gradient is a *new* Tensor assigned to ``.grad``: a gradient array
    may be shared with another tensor (the engine hands one gradient to several inputs of an
    add), so scaling it in place could change that other tensor's gradient too.

    >>> from autograd_lite import Tensor
    >>> w = Tensor([0.0, 0.0], requires_grad=True)
    >>> w.grad = Tensor([3.0, 4.0])
    >>> clip_grad_norm_([w], 1.0), w.grad.data.round(3).tolist()
    (5.0, [0.6, 0.8])
    """
    if max_norm < 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    with_grad = [p for p in params if p.grad is not None]
    # accumulated in float64, so float32 gradients near 1e20 do not overflow the sum
    total = math.sqrt(
        sum(float(np.sum(np.square(p.grad.data, dtype=np.float64))) for p in with_grad)
    )
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for p in with_grad:
            p.grad = Tensor(p.grad.data * np.asarray(scale, dtype=p.grad.dtype))
    return total


def accuracy(model, x: np.ndarray, t: np.ndarray, batch_size: int = 1000) -> float:
    """The fraction of rows of ``x`` whose highest score is the label in ``t``.

    Runs in evaluation mode (dropout off, batch norm's running statistics) under
    ``no_grad()``, ``batch_size`` rows at a time (the notes' batched inference), and puts the
    model back in the mode it was in.

    >>> import numpy as np
    >>> from nn import Linear
    >>> layer = Linear(2, 2, dtype=np.float64)
    >>> layer.weight.data[...] = np.eye(2)
    >>> layer.bias.data[...] = 0
    >>> accuracy(layer, np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]]), np.array([0, 1, 1]))
    0.6666666666666666
    """
    if len(x) != len(t) or not len(x):
        raise ValueError(
            f"accuracy: need one label per row and at least one row; got {len(x)} rows and "
            f"{len(t)} labels"
        )
    was_training = model.training
    model.eval()
    correct = 0
    try:
        with no_grad():
            for i in range(0, len(x), batch_size):
                scores = model(Tensor(x[i : i + batch_size])).data
                correct += int(np.sum(np.argmax(scores, axis=1) == t[i : i + batch_size]))
    finally:
        model.train(was_training)
    return correct / len(x)
