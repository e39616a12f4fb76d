"""The ops as functions, with numpy's and PyTorch's names: ``exp(x)``, ``concatenate(xs)``...

Each accepts Tensors, arrays or numbers and delegates to the Tensor method or op of the same
name, so there is one implementation of every op.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .errors import DTypeError, ShapeError
from .tensor import Tensor

Axis = int | tuple[int, ...] | None


def as_tensor(x: Any, dtype: Any = None) -> Tensor:
    """Return ``x`` if it is a Tensor, else a new Tensor that requires no grad."""
    return x if isinstance(x, Tensor) and dtype is None else Tensor(x, dtype=dtype)


def add(x: Any, y: Any) -> Tensor:
    """x + y, broadcasting."""
    return as_tensor(x) + y


def sub(x: Any, y: Any) -> Tensor:
    """x - y, broadcasting."""
    return as_tensor(x) - y


def mul(x: Any, y: Any) -> Tensor:
    """x * y, broadcasting."""
    return as_tensor(x) * y


def div(x: Any, y: Any) -> Tensor:
    """x / y, broadcasting."""
    return as_tensor(x) / y


def neg(x: Any) -> Tensor:
    """-x."""
    return -as_tensor(x)


def pow(x: Any, exponent: Any) -> Tensor:  # noqa: A001
    """x ** exponent, for a number or a Tensor exponent."""
    return as_tensor(x).pow(exponent)


def matmul(x: Any, y: Any) -> Tensor:
    """Matrix product with numpy's semantics (``@``)."""
    return as_tensor(x).matmul(y)


def exp(x: Any) -> Tensor:
    """Elementwise e^x."""
    return as_tensor(x).exp()


def log(x: Any) -> Tensor:
    """Elementwise natural logarithm."""
    return as_tensor(x).log()


def sqrt(x: Any) -> Tensor:
    """Elementwise square root."""
    return as_tensor(x).sqrt()


def abs(x: Any) -> Tensor:  # noqa: A001
    """Elementwise absolute value (gradient 0 at 0)."""
    return as_tensor(x).abs()


def sin(x: Any) -> Tensor:
    """Elementwise sine."""
    return as_tensor(x).sin()


def cos(x: Any) -> Tensor:
    """Elementwise cosine."""
    return as_tensor(x).cos()


def tanh(x: Any) -> Tensor:
    """Elementwise hyperbolic tangent."""
    return as_tensor(x).tanh()


def sigmoid(x: Any) -> Tensor:
    """Elementwise 1 / (1 + e^-x), computed without overflow."""
    return as_tensor(x).sigmoid()


def relu(x: Any) -> Tensor:
    """Elementwise max(x, 0) (gradient 0 at 0)."""
    return as_tensor(x).relu()


def maximum(x: Any, y: Any) -> Tensor:
    """Elementwise maximum of two tensors (ties share the gradient)."""
    return as_tensor(x).maximum(y)


def minimum(x: Any, y: Any) -> Tensor:
    """Elementwise minimum of two tensors (ties share the gradient)."""
    return as_tensor(x).minimum(y)


def clip(x: Any, low: Any = None, high: Any = None) -> Tensor:
    """Limit values to [low, high]; either bound may be None."""
    return as_tensor(x).clip(low, high)


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (None: all axes)."""
    return as_tensor(x).sum(axis, keepdims)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (None: all axes)."""
    return as_tensor(x).mean(axis, keepdims)


def max(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over ``axis``; tied maxima share the gradient evenly."""
    return as_tensor(x).max(axis, keepdims)


def min(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Minimum over ``axis``; tied minima share the gradient evenly."""
    return as_tensor(x).min(axis, keepdims)


def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``axis``, stable for large values."""
    return as_tensor(x).logsumexp(axis, keepdims)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """Softmax along ``axis``, stable for large values."""
    return as_tensor(x).softmax(axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """log(softmax(x)) along ``axis``, computed in one stable step."""
    return as_tensor(x).log_softmax(axis)


def reshape(x: Any, shape: Sequence[int]) -> Tensor:
    """The same values in a new shape (one dimension may be -1)."""
    return as_tensor(x).reshape(tuple(shape))


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """Permute the axes (None reverses them)."""
    return as_tensor(x).transpose(*(axes or ()))


def permute(x: Any, axes: Sequence[int]) -> Tensor:
    """Reorder the axes (PyTorch's name for ``transpose(*axes)``)."""
    return as_tensor(x).permute(*axes)


def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    """Broadcast to ``shape`` as numpy does."""
    return as_tensor(x).broadcast_to(tuple(shape))


def squeeze(x: Any, axis: Axis = None) -> Tensor:
    """Drop size-1 axes."""
    return as_tensor(x).squeeze(axis)


def unsqueeze(x: Any, axis: int) -> Tensor:
    """Insert a size-1 axis at ``axis``."""
    return as_tensor(x).unsqueeze(axis)


def expand_dims(x: Any, axis: int) -> Tensor:
    """Insert a size-1 axis (numpy's name for ``unsqueeze``)."""
    return as_tensor(x).unsqueeze(axis)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``x`` where ``condition`` holds, else ``y``; the gradient flows to the branch taken.

    Both branches are computed everywhere, so a branch that is unsafe where it is not taken
    (``log`` of a negative number) still makes NaN there, and 0 * NaN = NaN in its gradient.
    Make the unsafe branch safe first: ``where(x > 0, log(where(x > 0, x, 1.0)), 0.0)``.
    """
    condition = as_tensor(condition)
    if condition.dtype != np.bool_:
        raise DTypeError(f"where: condition must be boolean, got {condition.dtype}")
    if not isinstance(x, Tensor):
        x = y._lift(x, "where") if isinstance(y, Tensor) else Tensor(x)
    return ops.Where.apply(condition, x, x._lift(y, "where"))


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (``cat`` is the same function)."""
    tensors = _tensors("concatenate", tensors)
    return ops.Concatenate.apply(*tensors, axis=axis)


cat = concatenate


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis."""
    tensors = _tensors("stack", tensors)
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors must have one shape, got {sorted(shapes)}")
    return concatenate([t.unsqueeze(axis) for t in tensors], axis=axis)


def softmax_cross_entropy(logits: Any, target: Any) -> Tensor:
    """Per-row cross-entropy -sum_c t_c log softmax(x)_c of (N, C) logits and targets, fused.

    ``target`` holds probabilities (one-hot rows for class labels); the result has shape (N,).
    ``nn.functional.cross_entropy`` builds on it (labels, reductions).
    """
    logits = as_tensor(logits)
    return ops.SoftmaxCrossEntropy.apply(logits, logits._lift(target, "softmax_cross_entropy"))


def _tensors(op: str, tensors: Sequence[Any]) -> list[Tensor]:
    if isinstance(tensors, Tensor | np.ndarray) or not len(tensors):
        raise ShapeError(f"{op}: expected a non-empty sequence of tensors")
    return [as_tensor(t) for t in tensors]
