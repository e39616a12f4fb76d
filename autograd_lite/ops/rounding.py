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
    def forward(cls, ctx, x, out=None):
        return cls.ufunc(x, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d step(x)/dx = 0 (taken as 0 at the jumps too)
        return np.multiply(grad, 0.0, out=out)


class Sign(_Step):
    ufunc = staticmethod(np.sign)


class Floor(_Step):
    ufunc = staticmethod(np.floor)


class Ceil(_Step):
    ufunc = staticmethod(np.ceil)


class Round(_Step):
    """Round to ``decimals`` places, halves to even (numpy's and PyTorch's rule)."""

    @staticmethod
    def forward(ctx, x, decimals, out=None):
        return np.round(x, decimals, out=out)


class PiecewiseConstant(Op):
    """A value saved by a piecewise-linear op's forward (relu's mask, abs's sign, the share
    of a tie in max), seen as the function of the op's inputs it is: constant between the
    kinks, so its derivative is 0.

    A plain backward multiplies by the saved array itself. Under ``create_graph`` the rule
    multiplies by this op's output instead, so the gradient it returns stays connected to
    the inputs, as PyTorch's does: the second derivative of relu, abs, clip or max is then
    0, not "does not require grad" (generic code such as Hessian diagonals relies on it).
    """

    reads_inputs = False  # backward needs only the inputs' shapes

    @staticmethod
    def forward(ctx, *inputs, value):
        return np.array(value, dtype=inputs[0].dtype)

    @staticmethod
    def backward(ctx, grad):
        # d value / d input = 0 for every input (taken as 0 at the kinks too)
        return tuple(
            ctx.constant(np.zeros(t.shape, grad.dtype)) if needed else None
            for t, needed in zip(ctx.inputs, ctx.needs_input_grad)
        )


def piecewise_constant(ctx, value: np.ndarray):
    """``value``, saved by the forward pass of ``ctx``'s op, as that op's rule multiplies by
    it: the array on a plain backward, a ``PiecewiseConstant`` of the op's inputs under
    ``create_graph``."""
    if ctx.on_arrays:
        return value
    return PiecewiseConstant.apply(*ctx.inputs, value=value)
