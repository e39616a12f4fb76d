"""Stateless layer and loss functions: the mathematics behind the layers and loss modules.

Activations (relu, sigmoid, tanh, softplus, gelu, silu, elu, log_sigmoid, hardtanh) and
``softmax``/``log_softmax`` are the engine's own ops (fused and stable where
it matters). Losses keep the input's dtype: a float target is cast to the input's dtype, so
float32 logits give a float32 loss. ``reduction`` is ``'mean'`` (the default), ``'sum'`` or
``'none'`` (one value per sample, or per element for the elementwise losses).

Two families of classification loss live here:

- ``cross_entropy(logits, target)``: from raw scores, through the engine's fused
  ``log_softmax``, so logits of 1e4 still give a finite loss and the exact gradient
  (softmax(x) - t) / N, the notes' Softmax-with-Loss layer;
- ``cross_entropy_error(y, t)``: the notes' function on probabilities, -sum(t log(y + 1e-7))
  / N, kept for following the notes; it is unstable for saturated softmax outputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import (
    DTypeError,
    IndexingError,
    ShapeError,
    Tensor,
    as_tensor,
    elu,
    gelu,
    hardtanh,
    log_sigmoid,
    log_softmax,
    relu,
    sigmoid,
    silu,
    softmax,
    softmax_cross_entropy,
    softplus,
    stack,
    tanh,
    where,
)

from ._checks import as_generator, check_choice, check_probability

__all__ = [
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "cross_entropy_error",
    "dropout",
    "elu",
    "gelu",
    "hardtanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mse_loss",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "sum_squared_error",
    "tanh",
]

REDUCTIONS = ("mean", "sum", "none")


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x (the gradient at 0 is negative_slope)."""
    x = as_tensor(x)
    return where(x > 0, x, x * negative_slope)


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """The notes' Affine layer: y = x @ W + b, with W of shape (in_features, out_features).

    Backward gives dx = dy W^T, dW = x^T dy and db = sum of dy over the batch.
    """
    out = as_tensor(x) @ weight
    return out if bias is None else out + bias


def dropout(
    x: Any, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None
) -> Tensor:
    """Inverted dropout: zero each element with probability p, scale the rest by 1 / (1 - p).

    The scaling keeps E[output] = x, so evaluation (``training=False``) is the identity and
    needs no rescaling (the book behind the notes instead multiplies by 1 - p at test time).
    ``rng`` draws the mask; None uses a fresh ``np.random.default_rng()``.
    """
    p = check_probability(p, "dropout")
    x = as_tensor(x)
    if not training or p == 0.0:
        return x
    keep = as_generator(rng, "dropout", allow_none=True).random(x.shape) >= p
    scale = keep / (1.0 - p) if p < 1.0 else np.zeros(x.shape)
    return x * scale.astype(x.dtype)


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    reduction = check_choice(reduction, REDUCTIONS, "reduction", op)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _as_target(target: Any) -> Tensor:
    """A target as a Tensor; lists keep numpy's dtype, so ``[1, 0]`` stays integer labels."""
    return target if isinstance(target, Tensor) else Tensor(np.asarray(target))


def _float_target(target: Any, x: Tensor, op: str) -> Tensor:
    """``target`` as a Tensor of ``x``'s shape and dtype (cast, so float32 stays float32)."""
    target = _as_target(target)
    if target.shape != x.shape:
        raise ShapeError(
            f"{op}: input has shape {x.shape} but target has shape {target.shape}; "
            "they must be equal (no broadcasting)"
        )
    return target if target.dtype == x.dtype else target.astype(x.dtype)


def _labels(target: Tensor, n: int, classes: int, op: str) -> np.ndarray:
    """Integer class labels of shape (n,), each in [0, classes)."""
    if target.shape != (n,):
        raise ShapeError(
            f"{op}: integer labels must have shape ({n},) for {n} samples, got {target.shape}"
        )
    labels = target.data
    if n and (labels.min() < 0 or labels.max() >= classes):
        raise IndexingError(
            f"{op}: labels must be in [0, {classes - 1}] for {classes} classes, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy from raw scores, fused and stable.

    ``logits`` has shape (N, C). ``target`` is either integer labels of shape (N,), giving
    loss_n = -log_softmax(x)[n, t_n], or one-hot/probability rows of shape (N, C), giving
    loss_n = -sum_c t_nc log_softmax(x)[n, c]. The gradient is (softmax(x) - t) / N for
    'mean', the notes' Softmax-with-Loss backward. Labels become one-hot rows, and both
    forms go through the engine's fused ``softmax_cross_entropy``: one graph node.

    >>> from autograd_lite import Tensor
    >>> round(cross_entropy(Tensor([[0.0, 0.0]]), [1]).item(), 4)  # log 2
    0.6931
    """
    logits = as_tensor(logits)
    if logits.ndim != 2:
        raise ShapeError(f"cross_entropy: logits must have shape (N, C), got {logits.shape}")
    target = _as_target(target)
    if target.dtype.kind in "iu":
        n, classes = logits.shape
        one_hot = np.zeros(logits.shape, dtype=logits.dtype)
        one_hot[np.arange(n), _labels(target, n, classes, "cross_entropy")] = 1
        loss = softmax_cross_entropy(logits, one_hot)
    elif target.dtype.kind == "f":
        loss = softmax_cross_entropy(logits, _float_target(target, logits, "cross_entropy"))
    else:
        raise DTypeError(
            f"cross_entropy: target must be integer labels or float probabilities, "
            f"got {target.dtype}"
        )
    return _reduce(loss, reduction, "cross_entropy")


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error: mean((x - t)^2) over every element."""
    x = as_tensor(input)
    diff = x - _float_target(target, x, "mse_loss")
    return _reduce(diff * diff, reduction, "mse_loss")


def _softplus(x: Tensor) -> Tensor:
    """log(1 + e^x) = logsumexp(0, x), through the engine's stable fused logsumexp.

    Its gradient is exactly sigmoid(x), also at x = 0, where the composition
    max(x, 0) + log(1 + e^-|x|) would combine relu'(0) = abs'(0) = 0 into 0 instead of 1/2.
    """
    zeros = Tensor(np.zeros(x.shape, dtype=x.dtype))
    return stack([zeros, x], axis=-1).logsumexp(axis=-1)


def binary_cross_entropy_with_logits(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """-[t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))], computed stably from logits x.

    Equal to max(x, 0) - x t + log(1 + e^-|x|) = softplus(x) - x t, which never
    exponentiates a large positive number; the gradient is sigmoid(x) - t.
    """
    x = as_tensor(logits)
    t = _float_target(target, x, "binary_cross_entropy_with_logits")
    return _reduce(_softplus(x) - x * t, reduction, "binary_cross_entropy_with_logits")


def sum_squared_error(y: Any, t: Any) -> Tensor:
    """The notes' squared error E = 1/2 sum_k (y_k - t_k)^2 (summed, not averaged)."""
    y = as_tensor(y)
    diff = y - _float_target(t, y, "sum_squared_error")
    return (diff * diff).sum() * 0.5


def cross_entropy_error(y: Any, t: Any) -> Tensor:
    """The notes' E = -1/N sum_n sum_k t_nk log(y_nk + 1e-7), on probabilities y.

    ``y`` has shape (N, C) or (C,) (one sample); ``t`` is one-hot/probability rows of the same
    shape, or integer labels of shape (N,) (a scalar for one sample). The 1e-7 keeps log(0)
    finite. Prefer ``cross_entropy`` on logits: it is exact and stable.
    """
    y = as_tensor(y)
    t = _as_target(t)
    if y.ndim == 1:  # one sample: a batch of one, as in the notes
        y = y.reshape(1, y.size)
        t = t.reshape(1, t.size) if t.dtype.kind == "f" else t.reshape(1)
    if y.ndim != 2:
        raise ShapeError(f"cross_entropy_error: y must have shape (N, C) or (C,), got {y.shape}")
    n, classes = y.shape
    log_y = (y + 1e-7).log()
    if t.dtype.kind in "iu":
        return -log_y[np.arange(n), _labels(t, n, classes, "cross_entropy_error")].sum() / n
    return -(_float_target(t, y, "cross_entropy_error") * log_y).sum() / n
