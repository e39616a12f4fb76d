"""Shape ops: reshape, transpose, broadcast_to, sum_to and astype.

``broadcast_to`` and ``sum_to`` are each other's backward; ``sum_to`` is also the one place
where the engine undoes broadcasting for every binary op. ``squeeze``, ``unsqueeze`` and
``permute`` are derived from these in ``tensor.py``.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function


class Reshape(Function):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, shape):
        try:
            return np.reshape(x, shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"into {shape}"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.inputs[0].shape)


class Transpose(Function):
    """Permute the axes (``axes=None`` reverses them, like ``.T``)."""

    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, axes):
        return np.transpose(x, axes)

    @staticmethod
    def backward(ctx, grad):
        # the inverse permutation undoes the transpose (reversal is its own inverse)
        axes = ctx.attrs["axes"]
        return grad.transpose() if axes is None else grad.transpose(*np.argsort(axes).tolist())


class BroadcastTo(Function):
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
    def backward(ctx, grad):
        return grad.sum_to(ctx.inputs[0].shape)


def _sum_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``x`` over the axes that broadcasting added or stretched, giving ``shape``."""
    lead = x.ndim - len(shape)
    if lead < 0 or any(n not in (1, x.shape[lead + i]) for i, n in enumerate(shape)):
        raise ShapeError(
            f"sum_to: a tensor of shape {x.shape} cannot be summed to shape {shape}: "
            f"{shape} does not broadcast to {x.shape}"
        )
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    out = np.sum(x, axis=tuple(range(lead)) + stretched, keepdims=True) if lead or stretched else x
    return out.reshape(shape) if lead else out


class SumTo(Function):
    """Sum a broadcast gradient back to an input's shape (the inverse of broadcast_to)."""

    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, shape):
        return _sum_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.broadcast_to(ctx.inputs[0].shape)


class Astype(Function):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # a cast is the identity on values: the gradient is cast back to the input's dtype
        return grad.astype(ctx.inputs[0].dtype)
