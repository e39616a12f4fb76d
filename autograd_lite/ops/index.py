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


class GetItem(Op):
    reads_inputs = False  # backward needs only the input's shape
    op_name = "getitem"

    @staticmethod
    def forward(ctx, x, index):
        return x[index]

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
