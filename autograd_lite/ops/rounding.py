"""Piecewise-constant ops: sign, floor, ceil and round.

Their derivative is 0 wherever it exists (away from the jumps) and, as in PyTorch, 0 is
also what they pass back at the jumps, so a graph through them stays connected but carries
no gradient. Their outputs keep requiring grad, exactly as PyTorch's do.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op


class _Step(Op):
    """Shared rule: a function that is constant between jumps has derivative 0."""

    reads_inputs = False  # backward needs only the gradient's shape
    ufunc: staticmethod  # np.sign, np.floor or np.ceil, set by the subclass

    @classmethod
    def forward(cls, ctx, x):
        return cls.ufunc(x)

    @staticmethod
    def backward(ctx, grad):
        # d step(x)/dx = 0 (taken as 0 at the jumps too)
        return grad * 0.0


class Sign(_Step):
    ufunc = staticmethod(np.sign)


class Floor(_Step):
    ufunc = staticmethod(np.floor)


class Ceil(_Step):
    ufunc = staticmethod(np.ceil)


class Round(_Step):
    """Round to ``decimals`` places, halves to even (numpy's and PyTorch's rule)."""

    @staticmethod
    def forward(ctx, x, decimals):
        return np.round(x, decimals)
