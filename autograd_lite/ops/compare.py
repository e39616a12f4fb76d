"""Selecting ops: maximum, minimum, clip and where.

Conventions at ties, documented in the README and pinned by tests: ``maximum``/``minimum``
give each tied input half of the gradient, and a NaN result's gradient to the NaN input
(both NaN: half each); ``clip`` passes the gradient (1) inside [low, high], bounds included.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op
from .rounding import piecewise_constant


class _Select(Op):
    """Shared rule of maximum and minimum: the gradient goes to the winner, halved at ties."""

    reads_inputs = False  # backward uses the masks saved by forward
    pick: staticmethod  # np.maximum or np.minimum, set by the subclass

    @classmethod
    def forward(cls, ctx, x, y):
        out = cls.pick(x, y)
        x_wins, y_wins = out == x, out == y
        if out.dtype.kind in "fc" and np.isnan(out).any():
            # a NaN result passes its gradient to the NaN input(s), as max() does
            x_wins, y_wins = x_wins | np.isnan(x), y_wins | np.isnan(y)
        x_share = x_wins.astype(out.dtype) - (x_wins & y_wins).astype(out.dtype) * 0.5
        ctx.save_for_backward(x_share, 1.0 - x_share)
        return out

    @staticmethod
    def backward(ctx, grad):
        x_share, y_share = ctx.saved
        return grad * piecewise_constant(ctx, x_share), grad * piecewise_constant(ctx, y_share)


class Maximum(_Select):
    pick = staticmethod(np.maximum)


class Minimum(_Select):
    pick = staticmethod(np.minimum)


class Clip(Op):
    """Limit x to [low, high]; either bound may be None."""

    reads_inputs = False  # backward uses the masks saved by forward

    @staticmethod
    def forward(ctx, x, low, high):
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        ctx.save_for_backward(inside)
        return np.clip(x, low, high) if (low, high) != (None, None) else x.copy()

    @staticmethod
    def backward(ctx, grad):
        # d clip(x)/dx = 1 inside [low, high], bounds included, and 0 outside
        (inside,) = ctx.saved
        return grad * piecewise_constant(ctx, inside)


class Where(Op):
    """``condition ? x : y`` elementwise; ``condition`` is a boolean Tensor (no gradient)."""

    @staticmethod
    def forward(ctx, condition, x, y):
        return np.where(condition, x, y)

    @staticmethod
    def backward(ctx, grad):
        # the gradient flows to the branch that was taken; selecting (not multiplying by a
        # 0/1 mask) keeps an infinite gradient out of the branch that was not
        condition = ctx.operands[0]
        zero = ctx.constant(np.zeros((), dtype=grad.dtype))
        gx = Where.compute(condition, grad, zero) if ctx.needs_input_grad[1] else None
        gy = Where.compute(condition, zero, grad) if ctx.needs_input_grad[2] else None
        return None, gx, gy
