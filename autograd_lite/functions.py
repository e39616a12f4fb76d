"""The ops as functions, with numpy's and PyTorch's names: ``exp(x)``, ``concatenate(xs)``...

Functions that take an axis accept PyTorch's ``dim=`` / ``keepdim=`` as well
(``cat(xs, dim=1)``), through ``arguments.keyword_aliases``.

Each accepts Tensors, arrays or numbers and delegates to the Tensor method or op of the same
name, so there is one implementation of every op.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .arguments import keyword_aliases
from .errors import DTypeError, ShapeError
from .ops._axes import single_axis
from .tensor import Tensor

Axis = int | tuple[int, ...] | None


def as_tensor(x: Any, dtype: Any = None) -> Tensor:
    """Return ``x`` if it is a Tensor, else a new Tensor that requires no grad."""
    return x if isinstance(x, Tensor) and dtype is None else Tensor(x, dtype=dtype)


def _tensor(x: Any, op: str) -> Tensor:
    """``as_tensor(x)``, with an error that names the function it was given to."""
    try:
        return as_tensor(x)
    except DTypeError as error:
        raise DTypeError(f"{op}: {error}") from None


def _first(x: Any, y: Any, op: str) -> Tensor:
    """The first operand of a binary function as a Tensor: a number or list next to a Tensor
    takes that Tensor's dtype, exactly as ``2.0 + t`` does (so float32 stays float32)."""
    if isinstance(x, Tensor) or not isinstance(y, Tensor):
        return _tensor(x, op)
    return y._lift(x, op)


def _sequence(value: Any, op: str, what: str) -> tuple:
    """A shape or axes argument as a tuple; a single int is accepted, as numpy does."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return (value,)
    if not isinstance(value, tuple | list):
        raise DTypeError(f"{op}: {what} must be an int or a sequence of ints, got {value!r}")
    return tuple(value)


def add(x: Any, y: Any) -> Tensor:
    """x + y, broadcasting."""
    return _first(x, y, "add") + y


def sub(x: Any, y: Any) -> Tensor:
    """x - y, broadcasting."""
    return _first(x, y, "sub") - y


def mul(x: Any, y: Any) -> Tensor:
    """x * y, broadcasting."""
    return _first(x, y, "mul") * y


def div(x: Any, y: Any) -> Tensor:
    """x / y, broadcasting."""
    return _first(x, y, "div") / y


def neg(x: Any) -> Tensor:
    """-x."""
    return -_tensor(x, "neg")


def pow(x: Any, exponent: Any) -> Tensor:  # noqa: A001
    """x ** exponent, for a number or a Tensor exponent."""
    return _first(x, exponent, "pow").pow(exponent)


def matmul(x: Any, y: Any) -> Tensor:
    """Matrix product with numpy's semantics (``@``)."""
    return _first(x, y, "matmul").matmul(y)


def exp(x: Any) -> Tensor:
    """Elementwise e^x."""
    return _tensor(x, "exp").exp()


def log(x: Any) -> Tensor:
    """Elementwise natural logarithm."""
    return _tensor(x, "log").log()


def sqrt(x: Any) -> Tensor:
    """Elementwise square root."""
    return _tensor(x, "sqrt").sqrt()


def abs(x: Any) -> Tensor:  # noqa: A001
    """Elementwise absolute value (gradient 0 at 0)."""
    return _tensor(x, "abs").abs()


def sin(x: Any) -> Tensor:
    """Elementwise sine."""
    return _tensor(x, "sin").sin()


def cos(x: Any) -> Tensor:
    """Elementwise cosine."""
    return _tensor(x, "cos").cos()


def tanh(x: Any) -> Tensor:
    """Elementwise hyperbolic tangent."""
    return _tensor(x, "tanh").tanh()


def sigmoid(x: Any) -> Tensor:
    """Elementwise 1 / (1 + e^-x), computed without overflow."""
    return _tensor(x, "sigmoid").sigmoid()


def relu(x: Any) -> Tensor:
    """Elementwise max(x, 0) (gradient 0 at 0)."""
    return _tensor(x, "relu").relu()


def erf(x: Any) -> Tensor:
    """Elementwise error function, 2/sqrt(pi) times the integral of e^(-t^2) from 0 to x."""
    return ops.Erf.apply(_tensor(x, "erf"))


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, taken as x where beta x > threshold (PyTorch's softplus).

    >>> round(softplus(0.0).item(), 4)  # log 2
    0.6931
    """
    beta = _real(beta, "softplus", "beta")
    if beta <= 0:
        raise ValueError(f"softplus: beta must be > 0, got {beta}")
    threshold = _real(threshold, "softplus", "threshold")
    return ops.Softplus.apply(_tensor(x, "softplus"), beta=beta, threshold=threshold)


def gelu(x: Any, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF; ``approximate='tanh'`` uses PyTorch's tanh form."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return ops.Gelu.apply(_tensor(x, "gelu"), approximate=approximate)


def silu(x: Any) -> Tensor:
    """x sigmoid(x) (also called swish)."""
    return ops.Silu.apply(_tensor(x, "silu"))


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha (e^x - 1)."""
    return ops.Elu.apply(_tensor(x, "elu"), alpha=_real(alpha, "elu", "alpha"))


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x; the gradient at 0 is negative_slope (PyTorch's)."""
    slope = _real(negative_slope, "leaky_relu", "negative_slope")
    return ops.LeakyRelu.apply(_tensor(x, "leaky_relu"), negative_slope=slope)


def log_sigmoid(x: Any) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), finite for any x."""
    return ops.LogSigmoid.apply(_tensor(x, "log_sigmoid"))


def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 1 strictly inside, else 0."""
    min_val = _real(min_val, "hardtanh", "min_val")
    max_val = _real(max_val, "hardtanh", "max_val")
    if min_val >= max_val:
        raise ValueError(
            f"hardtanh: min_val must be below max_val, got min_val={min_val}, max_val={max_val}"
        )
    return ops.Hardtanh.apply(_tensor(x, "hardtanh"), min_val=min_val, max_val=max_val)


def _real(value: Any, op: str, name: str) -> float:
    """A finite real number argument as a float, else an error naming the op and argument."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DTypeError(f"{op}: {name} must be a real number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{op}: {name} must be finite, got {value!r}")
    return float(value)


def maximum(x: Any, y: Any) -> Tensor:
    """Elementwise maximum of two tensors (ties share the gradient)."""
    return _first(x, y, "maximum").maximum(y)


def minimum(x: Any, y: Any) -> Tensor:
    """Elementwise minimum of two tensors (ties share the gradient)."""
    return _first(x, y, "minimum").minimum(y)


def clip(x: Any, low: Any = None, high: Any = None) -> Tensor:
    """Limit values to [low, high]; either bound may be None."""
    return _tensor(x, "clip").clip(low, high)


@keyword_aliases
def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (None: all axes)."""
    return _tensor(x, "sum").sum(axis, keepdims)


@keyword_aliases
def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (None: all axes)."""
    return _tensor(x, "mean").mean(axis, keepdims)


@keyword_aliases
def max(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over ``axis``; tied maxima share the gradient evenly."""
    return _tensor(x, "max").max(axis, keepdims)


@keyword_aliases
def min(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Minimum over ``axis``; tied minima share the gradient evenly."""
    return _tensor(x, "min").min(axis, keepdims)


@keyword_aliases
def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``axis``, stable for large values."""
    return _tensor(x, "logsumexp").logsumexp(axis, keepdims)


@keyword_aliases
def softmax(x: Any, axis: int = -1) -> Tensor:
    """Softmax along ``axis``, stable for large values."""
    return _tensor(x, "softmax").softmax(axis)


@keyword_aliases
def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """log(softmax(x)) along ``axis``, computed in one stable step."""
    return _tensor(x, "log_softmax").log_softmax(axis)


def reshape(x: Any, shape: Sequence[int]) -> Tensor:
    """The same values in a new shape (one dimension may be -1)."""
    return _tensor(x, "reshape").reshape(_sequence(shape, "reshape", "shape"))


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """Permute the axes as ``numpy.transpose`` (None reverses them)."""
    x = _tensor(x, "transpose")
    return x.permute() if axes is None else x.permute(_sequence(axes, "transpose", "axes"))


def permute(x: Any, axes: Sequence[int]) -> Tensor:
    """Reorder the axes (PyTorch's name for ``transpose(*axes)``)."""
    return _tensor(x, "permute").permute(_sequence(axes, "permute", "axes"))


def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    """Broadcast to ``shape`` as numpy does."""
    return _tensor(x, "broadcast_to").broadcast_to(_sequence(shape, "broadcast_to", "shape"))


@keyword_aliases
def squeeze(x: Any, axis: Axis = None) -> Tensor:
    """Drop size-1 axes."""
    return _tensor(x, "squeeze").squeeze(axis)


@keyword_aliases
def unsqueeze(x: Any, axis: int) -> Tensor:
    """Insert a size-1 axis at ``axis``."""
    return _tensor(x, "unsqueeze").unsqueeze(axis)


@keyword_aliases
def expand_dims(x: Any, axis: int) -> Tensor:
    """Insert a size-1 axis (numpy's name for ``unsqueeze``)."""
    return _tensor(x, "expand_dims").unsqueeze(axis)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``x`` where ``condition`` holds, else ``y``; the gradient flows to the branch taken.

    Both branches are computed everywhere, so a branch that is unsafe where it is not taken
    (``log`` of a negative number) still makes NaN there, and 0 * NaN = NaN in its gradient.
    Make the unsafe branch safe first: ``where(x > 0, log(where(x > 0, x, 1.0)), 0.0)``.
    """
    condition = _tensor(condition, "where")
    if condition.dtype != np.bool_:
        raise DTypeError(f"where: condition must be boolean, got {condition.dtype}")
    if not isinstance(x, Tensor):
        x = y._lift(x, "where") if isinstance(y, Tensor) else _tensor(x, "where")
    return ops.Where.apply(condition, x, x._lift(y, "where"))


@keyword_aliases
def concatenate(tensors: Sequence[Any], axis: int | None = 0) -> Tensor:
    """Join tensors along an existing axis (``cat`` is the same function).

    ``axis=None`` joins the flattened tensors, as numpy does.
    """
    tensors = _tensors("concatenate", tensors)
    if axis is None:
        tensors, axis = [t.reshape(-1) for t in tensors], 0
    axis = single_axis("concatenate", axis, tensors[0].ndim)
    return ops.Concatenate.apply(*tensors, axis=axis)


cat = concatenate


@keyword_aliases
def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis."""
    tensors = _tensors("stack", tensors)
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors must have one shape, got {sorted(shapes)}")
    axis = single_axis("stack", axis, tensors[0].ndim + 1)
    return concatenate([t.unsqueeze(axis) for t in tensors], axis=axis)


def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """x @ weight + bias in one op (the notes' Affine layer; weight of shape (in, out)).

    One graph node whose backward computes dx, dW and db directly; a weight that is not a
    matrix, or a bias not of shape (out,), takes the general ``x @ weight + bias`` path.
    """
    x = _tensor(x, "linear")
    weight = x._lift(weight, "linear")
    bias = None if bias is None else x._lift(bias, "linear")
    if weight.ndim != 2 or (bias is not None and bias.shape != weight.shape[1:]):
        out = x @ weight
        return out if bias is None else out + bias
    return ops.Linear.apply(x, weight) if bias is None else ops.Linear.apply(x, weight, bias)


def dropout(x: Any, p: float, rng: np.random.Generator, mask_shape: Any = None) -> Tensor:
    """x times a fresh mask: 0 with probability ``p``, else 1 / (1 - p), drawn from ``rng``.

    ``mask_shape`` (default x's shape) broadcasts against x. The draw is part of the op, so
    a compiled function draws a new mask on every replay. ``nn.functional.dropout`` checks
    its arguments and calls this.
    """
    x = _tensor(x, "dropout")
    shape = x.shape if mask_shape is None else tuple(mask_shape)
    return ops.Dropout.apply(x, p=float(p), rng=rng, mask_shape=shape)


def softmax_cross_entropy(
    logits: Any, target: Any, *, reduction: str = "none", ignore_index: int = -100
) -> Tensor:
    """Cross-entropy -sum_c t_c log softmax(x)_c of each row of (N, C) logits, fused.

    ``target`` holds probabilities of the logits' shape, or integer class labels of shape
    (N,): then the op picks each row's label (no one-hot product) and a row whose label is
    ``ignore_index`` counts 0. ``reduction``: 'none' (shape (N,)), 'sum' or 'mean' (over
    the counted rows). ``nn.functional.cross_entropy`` builds on it (weights, smoothing).
    """
    op = "softmax_cross_entropy"
    logits = _tensor(logits, op)
    if reduction not in ops.label_loss.REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'none', 'sum' or 'mean', got {reduction!r}")
    if not isinstance(target, Tensor):
        labels = np.asarray(target)
        target = Tensor(labels) if labels.dtype.kind in "iu" else logits._lift(target, op)
    if target.dtype.kind in "iu":
        return ops.LabelCrossEntropy.apply(
            logits, target, ignore_index=ignore_index, reduction=reduction
        )
    losses = ops.SoftmaxCrossEntropy.apply(logits, target)
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def _tensors(op: str, tensors: Sequence[Any]) -> list[Tensor]:
    if not isinstance(tensors, list | tuple) or not tensors:
        raise ShapeError(
            f"{op}: expected a non-empty list or tuple of tensors, got {tensors!r:.60}"
        )
    return [_tensor(t, op) for t in tensors]
