"""Reductions: sum, prod, max / min with ties sharing the gradient evenly, and cumsum.

``axis`` is None (all axes), an int or a tuple of ints (``prod`` and ``cumsum``: None or one
int, as in PyTorch); ``keepdims`` keeps reduced axes as size 1. ``mean``, ``var`` and ``std``
are derived from these in ``tensor_methods/reductions.py``.
"""

from __future__ import annotations

import numpy as np

from ._axes import check_keepdims, keepdims_shape, normalize_axes
from ._dual import Op, broadcast_to, expand_dims, scratch
from .compare import Where
from .rounding import piecewise_constant
from .shape import Flip


def _grad_to_input_shape(grad, ctx):
    """Reshape a reduction's output gradient to keepdims form and broadcast it to the input."""
    shape = ctx.inputs[0].shape
    kept = keepdims_shape(shape, normalize_axes("sum", ctx.attrs["axis"], len(shape)))
    return broadcast_to(grad.reshape(kept), shape)


class Sum(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, axis, keepdims, out=None):
        axes = normalize_axes("sum", axis, x.ndim)
        return x.sum(axis=axes, keepdims=check_keepdims("sum", keepdims), out=out)

    @staticmethod
    def backward(ctx, grad):
        # d(sum x)/dx_i = 1: every input element receives the output's gradient
        return _grad_to_input_shape(grad, ctx)


class _Extremum(Op):
    """Shared rule of max and min: the gradient goes to the extreme element(s), split evenly."""

    reads_inputs = False  # backward uses the masks saved by forward
    reduce: staticmethod  # np.max or np.min, set by the subclass

    @classmethod
    def forward(cls, ctx, x, axis, keepdims):
        axes = normalize_axes(cls.name(), axis, x.ndim)
        check_keepdims(cls.name(), keepdims)
        if x.size == 0:
            raise ValueError(f"cannot take the {cls.name()} of an empty tensor")
        kept = keepdims_shape(x.shape, axes)
        out = cls.reduce(x, axis=axes, keepdims=True, out=ctx.buffer("extreme", kept, x))
        ties = np.equal(x, out, out=ctx.buffer("ties", x.shape, np.bool_))
        if np.isnan(out).any():  # a NaN extreme passes its gradient to the NaN element(s)
            ties |= np.isnan(x) & np.isnan(out)
        # Each of the k tied elements receives 1/k of the gradient (a true division's dtype).
        into = ctx.buffer("count", kept, x)
        count = np.sum(ties, axis=axes, keepdims=True, dtype=x.dtype, out=into)
        share = np.divide(ties, count, out=ctx.buffer("share", x.shape, count, 1.0))
        ctx.save_for_backward(share)
        return out if keepdims else np.squeeze(out, axis=axes)

    @staticmethod
    def backward(ctx, grad, out=None):
        (share,) = ctx.saved
        return np.multiply(_grad_to_input_shape(grad, ctx), piecewise_constant(ctx, share), out=out)


class Max(_Extremum):
    reduce = staticmethod(np.max)


class Min(_Extremum):
    reduce = staticmethod(np.min)


class Prod(Op):
    """The product over one axis (or all of them, ``axis=None``), exact when some x_i = 0."""

    @staticmethod
    def forward(ctx, x, axis, keepdims, out=None):
        check_keepdims("prod", keepdims)
        return np.prod(x, axis=axis, keepdims=keepdims, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(prod_j x_j)/dx_i = prod_{j != i} x_j: the product of the others, computed as
        # products (never out / x_i), so it is exact when one or several x_j are 0
        (x,) = ctx.operands
        axis = ctx.attrs["axis"]
        line = x.reshape(-1) if axis is None else x.swapaxes(axis, -1)  # the axis moved last
        others = (_others_on_array if ctx.on_arrays else _others_differentiable)(ctx, line)
        others = others.reshape(x.shape) if axis is None else others.swapaxes(axis, -1)
        return np.multiply(_grad_to_input_shape(grad, ctx), others, out=out)


def _others_on_array(ctx, line: np.ndarray) -> np.ndarray:
    """prod_{j != i} line_j along the last axis, in O(n): the product of the elements before
    i (a cumulative product of 1, line_0, line_1, ...) times the product of those after i
    (the same from the end)."""
    before = _running_products(ctx, "before", line)[..., :-1]
    after = _running_products(ctx, "after", line[..., ::-1])[..., -2::-1]
    return np.multiply(before, after, out=ctx.buffer("others", line.shape, line.dtype))


def _running_products(ctx, name: str, line: np.ndarray) -> np.ndarray:
    """1, line_0, line_0 line_1, ...: the cumulative products along the last axis after a 1."""
    products = scratch(ctx, name, line.shape[:-1] + (line.shape[-1] + 1,), line)
    products[..., 0] = 1
    products[..., 1:] = line
    return np.cumprod(products, axis=-1, out=products)


def _others_differentiable(ctx, line):
    """The same, written with ops so that it can be differentiated again: others[..., i, j]
    is line_j for j != i and 1 for j == i, and its product over j leaves line_i out."""
    n = line.shape[-1]
    leave_out = ctx.constant(np.eye(n, dtype=bool))
    one = ctx.constant(np.ones((), dtype=line.dtype))
    return Prod.compute(
        Where.compute(leave_out, one, expand_dims(line, -2)), axis=-1, keepdims=False
    )


class Cumsum(Op):
    """Running sums along one axis: out_i = x_0 + ... + x_i."""

    reads_inputs = False  # backward needs only the axis

    @staticmethod
    def forward(ctx, x, axis, out=None):
        if out is None and x.dtype.kind == "f":  # a float sum keeps x's dtype: a buffer fits,
            shape = x.shape if axis is not None else (x.size,)  # also when a rule computes it
            out = ctx.buffer("sums", shape, x)
        return np.cumsum(x, axis=axis, out=out)

    @staticmethod
    def backward(ctx, grad):
        # d out_i / d x_k = 1 for i >= k: x_k receives the sum of the gradients from k on,
        # a cumulative sum taken from the end (flip, cumsum, flip)
        axis = ctx.attrs["axis"]
        reverse = {"axis": (axis,)}
        return Flip.compute(Cumsum.compute(Flip.compute(grad, **reverse), axis=axis), **reverse)
