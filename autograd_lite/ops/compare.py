"""Selecting ops: maximum, minimum, clip and where.

Conventions at ties, documented in the README and pinned by tests: ``maximum``/``minimum``
give each tied input half of the gradient, and a NaN result's gradient to the NaN input
(both NaN: half each); ``clip`` passes the gradient (1) inside [low, high], bounds included.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op, copy, scratch
from .rounding import piecewise_constant


class _Select(Op):
    """Shared rule of maximum and minimum: the gradient goes to the winner, halved at ties."""

    reads_inputs = False  # backward uses the masks saved by forward
    pick: staticmethod  # np.maximum or np.minimum, set by the subclass

    @classmethod
    def forward(cls, ctx, x, y, out=None):
        out = cls.pick(x, y, out=out)
        x_wins = np.equal(out, x, out=ctx.buffer("x_wins", out.shape, np.bool_))
        y_wins = np.equal(out, y, out=ctx.buffer("y_wins", out.shape, np.bool_))
        if out.dtype.kind in "fc" and np.isnan(out.sum()):  # a NaN (or inf - inf: harmless)
            # a NaN result passes its gradient to the NaN input(s), as max() does
            x_wins, y_wins = x_wins | np.isnan(x), y_wins | np.isnan(y)
        # x's share, 1 where x wins and 1/2 at a tie, in out's dtype (float64 for integers)
        x_share = scratch(ctx, "x_share", out.shape, out.dtype, 0.5)
        np.copyto(x_share, x_wins)
        tie = scratch(ctx, "tie", out.shape, out.dtype, 0.5)
        np.copyto(tie, x_wins)
        tie *= y_wins  # 1 where both win
        x_share -= np.multiply(tie, 0.5, out=tie)
        ctx.save_for_backward(x_share, np.subtract(1.0, x_share, out=tie))
        return out

    @staticmethod
    def backward(ctx, grad, out=(None, None)):
        x_share, y_share = ctx.saved
        gx = np.multiply(grad, piecewise_constant(ctx, x_share), out=out[0])
        return gx, np.multiply(grad, piecewise_constant(ctx, y_share), out=out[1])


class Maximum(_Select):
    pick = staticmethod(np.maximum)


class Minimum(_Select):
    pick = staticmethod(np.minimum)


class Clip(Op):
    """Limit x to [low, high]; either bound may be None."""

    reads_inputs = False  # backward uses the masks saved by forward

    @staticmethod
    def forward(ctx, x, low, high, out=None):
        inside = scratch(ctx, "inside", x.shape, np.bool_)
        inside.fill(True)
        bound = ctx.buffer("bound", x.shape, np.bool_)
        if low is not None:
            inside &= np.greater_equal(x, low, out=bound)
        if high is not None:
            inside &= np.less_equal(x, high, out=bound)
        ctx.save_for_backward(inside)
        return np.clip(x, low, high, out=out) if (low, high) != (None, None) else copy(x, out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d clip(x)/dx = 1 inside [low, high], bounds included, and 0 outside
        (inside,) = ctx.saved
        return np.multiply(grad, piecewise_constant(ctx, inside), out=out)


class Where(Op):
    """``condition ? x : y`` elementwise; ``condition`` is a boolean Tensor (no gradient)."""

    @staticmethod
    def forward(ctx, condition, x, y, out=None):
        # np.where's values, in memory the replay keeps; also when a rule computes it
        if out is None:
            out = scratch(ctx, "selected", np.broadcast(condition, x, y).shape, x, y)
        np.copyto(out, y)
        np.copyto(out, x, where=condition)
        return out

    @staticmethod
    def backward(ctx, grad):
        # the gradient flows to the branch that was taken; selecting (not multiplying by a
        # 0/1 mask) keeps an infinite gradient out of the branch that was not
        condition = ctx.operands[0]
        zero = ctx.constant(np.zeros((), dtype=grad.dtype))
        gx = Where.compute(condition, grad, zero) if ctx.needs_input_grad[1] else None
        gy = Where.compute(condition, zero, grad) if ctx.needs_input_grad[2] else None
        return None, gx, gy
