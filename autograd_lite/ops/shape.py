"""Shape ops: reshape, transpose, flip, broadcast_to, sum_to, astype and clone.

``broadcast_to`` and ``sum_to`` are each other's backward; ``sum_to`` is also the one place
where the engine undoes broadcasting for every binary op. ``squeeze``, ``unsqueeze`` and
``permute``, ``flatten``, ``tile`` and ``repeat`` are derived from these in
``tensor_methods/shape.py``.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ._dual import Op, broadcast_to, copy, sum_to, sum_to_array


class Reshape(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, shape, out=None):
        try:
            return x.reshape(shape, copy=False)  # a view, where x's layout allows one
        except ValueError:
            pass  # a copy is needed, or the shape does not fit
        try:  # a stand-in of x's shape with no memory of its own checks the shape
            shape = np.broadcast_to(np.empty((), np.bool_), x.shape).reshape(shape).shape
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"into {shape}"
            ) from None
        # x's elements in C order, into an array of their own (a replay's buffer)
        out = np.empty(shape, x.dtype) if out is None else out
        np.copyto(out.reshape(x.shape), x)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.inputs[0].shape)


class Transpose(Op):
    """Permute the axes (``axes=None`` reverses them, like ``.T``)."""

    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, axes):
        return np.transpose(x, axes)

    @staticmethod
    def backward(ctx, grad):
        # the inverse permutation undoes the transpose (reversal is its own inverse)
        axes = ctx.attrs["axes"]
        inverse = None if axes is None else tuple(np.argsort(axes).tolist())
        return Transpose.compute(grad, axes=inverse)


class BroadcastTo(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, shape):
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise ShapeError(
                f"broadcast_to: cannot broadcast a tensor of shape {x.shape} to {shape}"
            ) from None

    @staticmethod
    def backward(ctx, grad, out=None):
        return sum_to(grad, ctx.inputs[0].shape, out)


class SumTo(Op):
    """Sum a broadcast gradient back to an input's shape (the inverse of broadcast_to)."""

    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, shape, out=None):
        return sum_to_array(x, shape, out)

    @staticmethod
    def backward(ctx, grad):
        return broadcast_to(grad, ctx.inputs[0].shape)


class Astype(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, dtype, out=None):
        return x.astype(dtype, copy=False) if out is None else copy(x, out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # a cast is the identity on values: the gradient is cast back to the input's dtype
        return grad.astype(ctx.inputs[0].dtype) if out is None else copy(grad, out)


class Flip(Op):
    """Reverse the order of the elements along ``axis`` (a tuple of axes)."""

    reads_inputs = False  # backward needs only the axes

    @staticmethod
    def forward(ctx, x, axis):
        return np.flip(x, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        # flipping is its own inverse
        return Flip.compute(grad, axis=ctx.attrs["axis"])


class Clone(Op):
    """A copy with its own memory, still in the graph (PyTorch's ``clone``)."""

    reads_inputs = False  # backward needs nothing

    @staticmethod
    def forward(ctx, x, out=None):
        return copy(x, out)

    @staticmethod
    def backward(ctx, grad):
        # d(copy x)/dx = 1
        return grad
