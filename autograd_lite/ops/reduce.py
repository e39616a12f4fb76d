"""Reductions: sum, and max / min with ties sharing the gradient evenly.

``axis`` is None (all axes), an int or a tuple of ints; ``keepdims`` keeps reduced axes as
size 1. ``mean`` is derived (sum times 1/count) in ``tensor.py``.
"""

from __future__ import annotations

import numpy as np

from ._axes import check_keepdims, keepdims_shape, normalize_axes
from ._dual import Op, broadcast_to


def _grad_to_input_shape(grad, ctx):
    """Reshape a reduction's output gradient to keepdims form and broadcast it to the input."""
    shape = ctx.inputs[0].shape
    kept = keepdims_shape(shape, normalize_axes("sum", ctx.attrs["axis"], len(shape)))
    return broadcast_to(grad.reshape(kept), shape)


class Sum(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        axes = normalize_axes("sum", axis, x.ndim)
        return x.sum(axis=axes, keepdims=check_keepdims("sum", keepdims))

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
        out = cls.reduce(x, axis=axes, keepdims=True)
        ties = x == out
        if np.isnan(out).any():  # a NaN extreme passes its gradient to the NaN element(s)
            ties |= np.isnan(x) & np.isnan(out)
        # Each of the k tied elements receives 1/k of the gradient.
        ctx.save_for_backward(ties / np.sum(ties, axis=axes, keepdims=True, dtype=x.dtype))
        return out if keepdims else np.squeeze(out, axis=axes)

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved
        return _grad_to_input_shape(grad, ctx) * share


class Max(_Extremum):
    reduce = staticmethod(np.max)


class Min(_Extremum):
    reduce = staticmethod(np.min)
