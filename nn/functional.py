"""Stateless layer and loss functions: the mathematics behind the layers and loss modules.

Convolution and pooling (``conv2d``, ``max_pool2d``, ``avg_pool2d``, ``pad``) are
autograd_lite's functions, offered here under PyTorch's module path; ``dropout2d`` drops
whole channels. Activations (relu, leaky_relu, sigmoid, tanh, softplus, gelu, silu, elu,
log_sigmoid, hardtanh) and ``softmax``/``log_softmax`` are the engine's own ops (fused and
stable where it matters). Losses keep the input's dtype: a float target is cast to the
input's dtype, so float32 logits give a float32 loss. ``reduction`` is ``'mean'`` (the
default), ``'sum'`` or ``'none'`` (one value per sample, or per element for the elementwise
losses).

Two families of classification loss live here:

- ``cross_entropy(logits, target)``, ``nll_loss`` and ``binary_cross_entropy_with_logits``
  (written in ``classification.py``, with PyTorch's class weights, ``ignore_index``,
  ``label_smoothing``, ``pos_weight`` and (N, C, d1, ...) inputs): from raw scores, through
  the engine's fused ops, so logits of 1e4 still give a finite loss and the exact gradient
  (softmax(x) - t) / N, the notes' Softmax-with-Loss layer;
- ``cross_entropy_error(y, t)``: the notes' function on probabilities, -sum(t log(y + 1e-7))
  / N, kept for following the notes; it is unstable for saturated softmax outputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import (
    ShapeError,
    Tensor,
    as_tensor,
    avg_pool2d,
    conv2d,
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    log_sigmoid,
    log_softmax,
    max_pool2d,
    pad,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from autograd_lite import dropout as ag_dropout
from autograd_lite import linear as ag_linear

from ._checks import as_generator, check_probability
from ._targets import as_target, float_target, labels, reduce
from .classification import binary_cross_entropy_with_logits, cross_entropy, nll_loss

__all__ = [
    "avg_pool2d",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "cross_entropy",
    "cross_entropy_error",
    "dropout",
    "dropout2d",
    "elu",
    "gelu",
    "hardtanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "pad",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "sum_squared_error",
    "tanh",
]


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """The notes' Affine layer: y = x @ W + b, with W of shape (in_features, out_features).

    Backward gives dx = dy W^T, dW = x^T dy and db = sum of dy over the batch: one fused
    op (``autograd_lite.linear``).
    """
    return ag_linear(x, weight, bias)


def dropout(
    x: Any, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None
) -> Tensor:
    """Inverted dropout: zero each element with probability p, scale the rest by 1 / (1 - p).

    The scaling keeps E[output] = x, so evaluation (``training=False``) is the identity and
    needs no rescaling (the book behind the notes instead multiplies by 1 - p at test time).
    ``rng`` draws the mask; None uses a fresh ``np.random.default_rng()``.
    """
    x = as_tensor(x)
    return _dropout(x, p, training, rng, x.shape, "dropout")


def dropout2d(
    x: Any, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None
) -> Tensor:
    """Channel dropout of (N, C, H, W): zero each whole channel of each sample with
    probability p, scale the rest by 1 / (1 - p) (inverted, as ``dropout``)."""
    x = as_tensor(x)
    if x.ndim != 4:
        raise ShapeError(f"dropout2d: expected an input (N, C, H, W), got shape {x.shape}")
    return _dropout(x, p, training, rng, x.shape[:2] + (1, 1), "dropout2d")


def _dropout(x: Tensor, p: float, training: bool, rng, mask_shape: tuple, where: str) -> Tensor:
    """x times a mask of ``mask_shape`` (broadcast over x): 0 with probability p, else
    1 / (1 - p)."""
    p = check_probability(p, where)
    if not training or p == 0.0:
        return x
    generator = as_generator(rng, where, allow_none=True)
    return ag_dropout(x, p, generator, mask_shape)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error: mean((x - t)^2) over every element."""
    x = as_tensor(input)
    diff = x - float_target(target, x, "mse_loss")
    return reduce(diff * diff, reduction, "mse_loss")


def sum_squared_error(y: Any, t: Any) -> Tensor:
    """The notes' squared error E = 1/2 sum_k (y_k - t_k)^2 (summed, not averaged)."""
    y = as_tensor(y)
    diff = y - float_target(t, y, "sum_squared_error")
    return (diff * diff).sum() * 0.5


def cross_entropy_error(y: Any, t: Any) -> Tensor:
    """The notes' E = -1/N sum_n sum_k t_nk log(y_nk + 1e-7), on probabilities y.

    ``y`` has shape (N, C) or (C,) (one sample); ``t`` is one-hot/probability rows of the same
    shape, or integer labels of shape (N,) (a scalar for one sample). The 1e-7 keeps log(0)
    finite. Prefer ``cross_entropy`` on logits: it is exact and stable.
    """
    y = as_tensor(y)
    t = as_target(t)
    if y.ndim == 1:  # one sample: a batch of one, as in the notes
        y = y.reshape(1, y.size)
        t = t.reshape(1, t.size) if t.dtype.kind == "f" else t.reshape(1)
    if y.ndim != 2:
        raise ShapeError(f"cross_entropy_error: y must have shape (N, C) or (C,), got {y.shape}")
    n, classes = y.shape
    log_y = (y + 1e-7).log()
    if t.dtype.kind in "iu":
        return -log_y[np.arange(n), labels(t, (n,), classes, "cross_entropy_error")].sum() / n
    return -(float_target(t, y, "cross_entropy_error") * log_y).sum() / n
