"""``Predicate``: a bool or integer result computed from tensors (``x > 0``, ``isnan``,
``argmax``, ``any``, ...).

Such results have no gradient, so the op never records a graph node (``Function.apply``
records none for a non-float result), and it has no backward rule and no spec in the op
table. It is an op all the same so that every value computed from a tensor passes through
``Function.apply``: a compiled function (``autograd_lite.compile``) replays it on the new
values instead of keeping the first call's mask or index.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ._dual import copy, scratch

# the functions of Predicate that take numpy's out= besides ufuncs
_TAKE_OUT = (np.any, np.all, np.argmax, np.argmin)


class Predicate(Function):
    reads_inputs = False

    @staticmethod
    def forward(ctx, *arrays, fn, out=None, **options):
        if fn is np.isclose:  # numpy's takes no out=: the same formula, in buffers
            return isclose(ctx, *arrays, out=out, **options)
        if out is not None and (isinstance(fn, np.ufunc) or fn in _TAKE_OUT):
            return fn(*arrays, out=out, **options)  # a compiled replay's buffer
        return np.asarray(fn(*arrays, **options))


def isclose(ctx, x, y, *, rtol, atol, equal_nan, out=None):
    """``np.isclose(x, y, rtol, atol, equal_nan)`` as numpy computes it (y as a float,
    |x - y| <= atol + rtol |y| where y is finite, or x == y; NaN equal to NaN if
    ``equal_nan``), with ufuncs into ``out`` and arrays asked of ``ctx.buffer``."""
    shape = np.broadcast_shapes(x.shape, y.shape)
    if y.dtype != np.result_type(y, 1.0):
        y = copy(y, scratch(ctx, "y", y.shape, y, 1.0))
    with np.errstate(invalid="ignore"):  # inf - inf, inf * 0: NaN, not close (as numpy)
        into = ctx.buffer("difference", shape, x, y)
        difference = np.abs(np.subtract(x, y, out=into), out=into)
        into = ctx.buffer("tolerance", y.shape, y, rtol, atol)
        tolerance = np.add(np.multiply(np.abs(y, out=into), rtol, out=into), atol, out=into)
        close = np.less_equal(difference, tolerance, out=out)
    close = np.logical_and(
        close, np.isfinite(y, out=ctx.buffer("finite", y.shape, np.bool_)), out=out
    )
    close = np.logical_or(close, np.equal(x, y, out=ctx.buffer("equal", shape, np.bool_)), out=out)
    if equal_nan:
        nan = np.isnan(x, out=ctx.buffer("x_nan", x.shape, np.bool_))
        nan = np.logical_and(
            nan,
            np.isnan(y, out=ctx.buffer("y_nan", y.shape, np.bool_)),
            out=ctx.buffer("both_nan", shape, np.bool_),
        )
        close = np.logical_or(close, nan, out=out)
    return np.asarray(close)
