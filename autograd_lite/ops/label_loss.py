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

import numpy as np

from ._dual import Op, expand_dims
from .softmax import Softmax, _shift_by_max

REDUCTIONS = ("none", "sum", "mean")


def _counted(x: np.ndarray, t: np.ndarray, ignore_index: int) -> np.ndarray | None:
    """Which labels count (None: all of them), after checking shapes, dtype and range."""
    if x.ndim != 2 or t.shape != x.shape[:1] or t.dtype.kind not in "iu":
        raise ValueError(
            f"logits must have shape (N, C) and the labels shape (N,) of integers; got logits "
            f"{x.shape} and labels {t.shape} of {t.dtype}"
        )
    classes = x.shape[1]
    if t.size == 0 or (t.min() >= 0 and t.max() < classes and not 0 <= ignore_index < classes):
        return None  # every label is a class, and none can be ignore_index: the usual case
    kept = t != ignore_index
    counted = t[kept]
    if counted.size and (counted.min() < 0 or counted.max() >= classes):
        raise IndexError(
            f"labels must be in [0, {classes - 1}] for {classes} classes (or ignore_index="
            f"{ignore_index}), got values from {counted.min()} to {counted.max()}"
        )
    return None if kept.all() else kept


class LabelCrossEntropy(Op):
    """See the module docstring; ``nn.functional.cross_entropy`` uses it for class labels."""

    @staticmethod
    def forward(ctx, x, t, ignore_index, reduction):
        kept = _counted(x, t, ignore_index)
        labels = t if kept is None else np.where(kept, t, 0)  # an ignored row reads class 0
        shifted, _ = _shift_by_max(x, (1,))
        e = np.exp(shifted)
        total = e.sum(axis=1)
        rows = np.arange(len(t))
        with np.errstate(divide="ignore"):  # a row of all -inf: an infinite loss, as log 0
            losses = np.log(total) - shifted[rows, labels]
        e /= total[:, None]  # softmax(x), for backward
        count = len(t) if kept is None else int(kept.sum())
        if kept is not None:
            losses = np.where(kept, losses, 0).astype(x.dtype, copy=False)
        # each row's weight in the reduction: one number when every row counts alike
        weights = np.ones((), x.dtype) if kept is None else kept.astype(x.dtype)
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: nan
                weights = weights / x.dtype.type(count)
        ctx.save_for_backward(e, rows, labels, weights)
        if reduction == "none":
            return losses
        total_loss = losses.sum()
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                return total_loss / x.dtype.type(count)
        return total_loss

    @staticmethod
    def backward(ctx, grad):
        p, rows, labels, weights = ctx.saved
        coefficient = grad * ctx.constant(weights)  # each row's share: (N,) or one number
        if ctx.on_arrays:
            gx = p * coefficient[..., None]
            gx[rows, labels] -= coefficient
            return gx, None
        # under create_graph softmax must be differentiable: recompute it from x
        x = ctx.operands[0]
        one_hot = ctx.constant(np.eye(p.shape[1], dtype=p.dtype)[labels])
        return (Softmax.compute(x, axis=1) - one_hot) * expand_dims(coefficient, -1), None
