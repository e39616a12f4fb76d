"""Indexing and joining: ``x[index]``, its backward ``index_add``, and ``concatenate``.

An index is anything numpy accepts: ints, slices, None, Ellipsis, integer arrays (repeated
indices accumulate their gradients) and boolean masks. ``stack`` is derived from
``concatenate`` in ``functions.py``.
"""

from __future__ import annotations

import math

import numpy as np

from ._dual import Op, scratch


def _is_basic(index: tuple) -> bool:
    """True when ``index`` selects a view (no integer or boolean arrays), so no element repeats."""
    return all(isinstance(i, int | slice) or i is None or i is Ellipsis for i in index)


def _take_into(ctx, x: np.ndarray, index: tuple, out: np.ndarray) -> np.ndarray | None:
    """``x[index]`` into ``out`` with ``np.take``, for integer arrays on adjacent axes among
    full slices (``x[i]``, ``x[:, i]``, ``x[rows, cols]``, ``gather``): the arrays give
    each result element's position along those axes merged into one, computed in buffers
    of ``ctx``. None for any other index (a mask, a slice with bounds, an int), which numpy's
    advanced indexing makes."""
    arrays = [k for k, item in enumerate(index) if isinstance(item, np.ndarray)]
    if (
        not arrays
        or arrays != list(range(arrays[0], arrays[0] + len(arrays)))
        or any(index[k].dtype.kind not in "iu" for k in arrays)
        or any(k not in arrays and item != slice(None) for k, item in enumerate(index))
    ):
        return None
    first, sizes = arrays[0], x.shape[arrays[0] : arrays[-1] + 1]
    for axis, size in zip(arrays, sizes):
        positions = index[axis]
        if positions.size and (positions.min() < -size or positions.max() >= size):
            raise IndexError(f"index out of bounds for axis {axis} with size {size}")
    if len(arrays) == 1:  # "wrap": each index is in range ("raise" copies into out)
        return np.take(x, index[first], axis=first, out=out, mode="wrap")
    try:  # the indexed axes as one, a view
        merged = x.reshape(
            x.shape[:first] + (math.prod(sizes),) + x.shape[first + len(sizes) :], copy=False
        )
    except ValueError:
        return None
    shape = np.broadcast_shapes(*(index[k].shape for k in arrays))
    flat = scratch(ctx, "positions", shape, np.intp)  # sum of index_k * stride_k
    term = scratch(ctx, "term", shape, np.intp)
    flat.fill(0)
    stride = 1
    for axis, size in reversed(list(zip(arrays, sizes))):
        np.multiply(index[axis], stride, out=term, dtype=np.intp, casting="unsafe")
        if index[axis].size and index[axis].min() < 0:  # from the end: add the axis's length
            negative = np.less(term, 0, out=scratch(ctx, "negative", shape, np.bool_))
            np.add(term, size * stride, out=term, where=negative)
        flat += term
        stride *= size
    return np.take(merged, flat, axis=first, out=out, mode="wrap")


class GetItem(Op):
    reads_inputs = False  # backward needs only the input's shape
    op_name = "getitem"

    @staticmethod
    def forward(ctx, x, index, out=None):
        # a replay passes out for a result of its own (index arrays, not a view)
        taken = None if out is None else _take_into(ctx, x, index, out)
        return x[index] if taken is None else taken

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
    def backward(ctx, grad, out=None):
        # the adjoint of a scatter-add is the gather at the same index
        return GetItem.forward(ctx, grad, ctx.attrs["index"], out)


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
