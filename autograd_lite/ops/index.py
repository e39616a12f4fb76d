"""Indexing and joining: ``x[index]``, its backward ``index_add``, and ``concatenate``.

An index is anything numpy accepts: ints, slices, None, Ellipsis, integer arrays (repeated
indices accumulate their gradients) and boolean masks. ``stack`` is derived from
``concatenate`` in ``functions.py``.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op, scratch


def _is_basic(index: tuple) -> bool:
    """True when ``index`` selects a view (no integer or boolean arrays), so no element repeats."""
    return all(isinstance(i, int | slice) or i is None or i is Ellipsis for i in index)


def _taken_axis(index: tuple) -> int | None:
    """The axis of the one integer array in ``index`` when every other item is a full
    slice (``x[i]``, ``x[:, i]``): then ``x[index]`` is ``np.take`` along that axis."""
    arrays = [k for k, item in enumerate(index) if isinstance(item, np.ndarray)]
    if len(arrays) != 1 or index[arrays[0]].dtype.kind not in "iu":
        return None
    if all(k in arrays or item == slice(None) for k, item in enumerate(index)):
        return arrays[0]
    return None


class GetItem(Op):
    reads_inputs = False  # backward needs only the input's shape
    op_name = "getitem"

    @staticmethod
    def forward(ctx, x, index, out=None):
        # a replay passes out for a result of its own (an index array, not a view): one
        # integer array among full slices is np.take along its axis, into out
        axis = None if out is None else _taken_axis(index)
        if axis is None:
            return x[index]
        positions, size = index[axis], x.shape[axis]
        if positions.size and (positions.min() < -size or positions.max() >= size):
            raise IndexError(f"index out of bounds for axis {axis} with size {size}")
        return np.take(x, positions, axis=axis, out=out, mode="wrap")  # "raise" copies

    @staticmethod
    def backward(ctx, grad):
        # each selected element passes its gradient back to where it came from
        x = ctx.inputs[0]
        return IndexAdd.compute(grad, shape=x.shape, index=ctx.attrs["index"])


class IndexAdd(Op):
    """Scatter ``x`` into zeros of ``shape`` at ``index``, adding where indices repeat."""

    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, shape, index):
        out = scratch(ctx, "scattered", shape, x)  # also when getitem's rule computes it
        out.fill(0)
        if _is_basic(index):
            out[index] = x
        else:
            np.add.at(out, index, x)
        return out

    @staticmethod
    def backward(ctx, grad):
        # the adjoint of a scatter-add is the gather at the same index
        return grad[ctx.attrs["index"]]


class Concatenate(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, *xs, axis, out=None):
        return np.concatenate(xs, axis=axis, out=out)

    @staticmethod
    def backward(ctx, grad):
        # the gradient is cut back into the pieces that were joined
        axis = ctx.attrs["axis"] % grad.ndim
        bounds = np.cumsum([0] + [x.shape[axis] for x in ctx.inputs]).tolist()
        lead = (slice(None),) * axis
        return tuple(
            grad[lead + (slice(start, stop),)] if needed else None
            for start, stop, needed in zip(bounds[:-1], bounds[1:], ctx.needs_input_grad)
        )
