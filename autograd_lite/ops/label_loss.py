"""Softmax cross-entropy indexed by integer labels, reduced inside the op: one graph node.

For (N, C) logits x and labels t, loss_n = logsumexp(x_n) - x_(n, t_n), and 0 where
t_n == ignore_index. ``reduction`` 'none' returns the N losses, 'sum' their sum and 'mean'
the sum divided by the number of counted labels (0 / 0 = nan when every label is ignored,
as in PyTorch). The gradient is the notes' Softmax-with-Loss rule,

    d loss / dx_n = w_n g (softmax(x_n) - onehot(t_n)),

with w_n the row's weight in the reduction (1, or 1 / count for 'mean'; 0 if ignored): the
label picks the one element to subtract from, so no one-hot array is ever multiplied.
"""

from __future__ import annotations

import functools

import numpy as np

from ._dual import Op, copy, expand_dims, scratch
from .softmax import Softmax, _shift_by_max

REDUCTIONS = ("none", "sum", "mean")


def _counted(ctx, x: np.ndarray, t: np.ndarray, ignore_index: int) -> np.ndarray | None:
    """Which labels count (None: all of them), after checking shapes, dtype and range."""
    if x.ndim != 2 or t.shape != x.shape[:1] or t.dtype.kind not in "iu":
        raise ValueError(
            f"logits must have shape (N, C) and the labels shape (N,) of integers; got logits "
            f"{x.shape} and labels {t.shape} of {t.dtype}"
        )
    classes = x.shape[1]
    if t.size == 0 or (t.min() >= 0 and t.max() < classes and not 0 <= ignore_index < classes):
        return None  # every label is a class, and none can be ignore_index: the usual case
    kept = np.not_equal(t, ignore_index, out=ctx.buffer("kept", t.shape, np.bool_))
    if kept.any():  # the range of the counted labels, without gathering them
        bounds = np.iinfo(t.dtype)
        low, high = t.min(where=kept, initial=bounds.max), t.max(where=kept, initial=bounds.min)
        if low < 0 or high >= classes:
            raise IndexError(
                f"labels must be in [0, {classes - 1}] for {classes} classes (or ignore_index="
                f"{ignore_index}), got values from {low} to {high}"
            )
    return None if kept.all() else kept


@functools.lru_cache(maxsize=16)
def _row_starts(n: int, classes: int) -> np.ndarray:
    """0, C, 2C, ..., (n - 1) C: where each row starts in a flat (n, C) array, made once per
    shape (read-only: it is shared)."""
    starts = np.arange(n) * classes
    starts.flags.writeable = False
    return starts


class LabelCrossEntropy(Op):
    """See the module docstring; ``nn.functional.cross_entropy`` uses it for class labels.

    Each row's label is read at a flat index, row * C + label (one array, from row starts
    made once per shape), both to pick x_(n, t_n) and to subtract from the softmax's
    element in backward; every array of the usual case (no ignored label) is asked of
    ``ctx.buffer``, so a compiled replay computes the loss and its gradient in
    preallocated memory.
    """

    @staticmethod
    def forward(ctx, x, t, ignore_index, reduction):
        kept = _counted(ctx, x, t, ignore_index)
        n, classes = x.shape
        labels, ignored = t, None
        if kept is not None:  # an ignored row reads class 0, and its loss is 0
            ignored = np.logical_not(kept, out=ctx.buffer("ignored", (n,), np.bool_))
            labels = copy(t, scratch(ctx, "labels", (n,), t))
            np.copyto(labels, 0, where=ignored)
        m = x.max(axis=1, keepdims=True, out=ctx.buffer("max", (n, 1), x)) if x.size else None
        if m is None or not np.isfinite(m.sum()):  # the sum is finite if every max is
            m = _shift_by_max(ctx, x, (1,))[1]  # 0 for an empty row or a row of infinities
        # x - m in C order, whatever x's layout, so row * C + label is each label's element
        e = np.subtract(x, m, out=ctx.buffer("softmax", x.shape, x.dtype, m.dtype), order="C")
        index = ctx.buffer("index", (n,), np.intp)  # labels are in [0, C): the cast is exact
        index = np.add(_row_starts(n, classes), labels, out=index, dtype=np.intp, casting="unsafe")
        # x_(n, t_n) - m_n ("clip": every index is in range, and "raise" copies into out)
        picked = np.take(e, index, out=ctx.buffer("picked", (n,), e), mode="clip")
        np.exp(e, out=e)
        total = e.sum(axis=1, out=ctx.buffer("total", (n,), e))
        e /= total[:, None]  # softmax(x), for backward
        with np.errstate(divide="ignore"):  # a row of all -inf: an infinite loss, as log 0
            losses = np.log(total, out=total)
        losses -= picked
        count = n if kept is None else int(np.count_nonzero(kept))
        # each row's weight in the reduction: one number when every row counts alike
        weights = x.dtype.type(1)
        if kept is not None:
            np.copyto(losses, 0, where=ignored)
            weights = copy(kept, scratch(ctx, "weights", (n,), x.dtype))
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: nan
                if kept is None:
                    weights = weights / x.dtype.type(count)  # one number
                else:
                    weights = np.divide(weights, x.dtype.type(count), out=weights)
        ctx.save_for_backward(e, index, labels, weights)
        if reduction == "none":
            return losses
        out = ctx.buffer("loss", (), losses)
        total_loss = losses.sum(out=out)
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.divide(total_loss, x.dtype.type(count), out=out)
        return total_loss

    @staticmethod
    def backward(ctx, grad):
        p, index, labels, weights = ctx.saved
        if ctx.on_arrays:
            if grad.ndim or type(weights) is np.ndarray:  # per row: reduction "none", or ignored
                into = ctx.buffer("coefficient", p.shape[:1], grad, weights)
                coefficient = np.multiply(grad, weights, out=into)
            else:  # one number for every row
                coefficient = grad * weights
            column = coefficient if coefficient.ndim == 0 else coefficient[:, None]
            into = ctx.buffer("grad_x", p.shape, p.dtype, column.dtype)  # C order, as order= asks
            gx = np.multiply(p, column, out=into, order="C")
            np.subtract.at(gx.reshape(-1), index, coefficient)
            return gx, None
        # under create_graph softmax must be differentiable: recompute it from x
        coefficient = grad * ctx.constant(weights)
        x = ctx.operands[0]
        one_hot = ctx.constant(np.eye(p.shape[1], dtype=p.dtype)[labels])
        return (Softmax.compute(x, axis=1) - one_hot) * expand_dims(coefficient, -1), None
