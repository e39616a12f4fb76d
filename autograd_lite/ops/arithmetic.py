"""The arithmetic ops: + - * / unary minus and powers.

Binary ops broadcast like numpy; each backward rule returns gradients in the broadcast
shape and the engine sums them back to each input's shape. ``x + 2.0`` and ``x * 2.0`` on a
float tensor record ``add_scalar`` / ``mul_scalar``, which keep the Python number as an
attribute: one input instead of a second, constant Tensor, so half the bookkeeping.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op, copy, scratch
from .compare import Where


class Add(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, y, out=None):
        return np.add(x, y, out=out)

    @staticmethod
    def backward(ctx, grad):
        # d(x+y)/dx = d(x+y)/dy = 1
        return grad, grad


class AddScalar(Op):
    """``x + value`` for a Python number ``value``."""

    reads_inputs = False  # backward needs nothing

    @staticmethod
    def forward(ctx, x, value, out=None):
        return np.add(x, value, out=out)

    @staticmethod
    def backward(ctx, grad):
        # d(x+c)/dx = 1
        return grad


class Sub(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, y, out=None):
        return np.subtract(x, y, out=out)

    @staticmethod
    def backward(ctx, grad, out=(None, None)):
        # d(x-y)/dx = 1, d(x-y)/dy = -1
        return grad, (np.negative(grad, out=out[1]) if ctx.needs_input_grad[1] else None)


class Neg(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, out=None):
        return np.negative(x, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(-x)/dx = -1
        return np.negative(grad, out=out)


class Mul(Op):
    @staticmethod
    def forward(ctx, x, y, out=None):
        return np.multiply(x, y, out=out)

    @staticmethod
    def backward(ctx, grad, out=(None, None)):
        # d(x*y)/dx = y, d(x*y)/dy = x
        x, y = ctx.operands
        gx = np.multiply(grad, y, out=out[0]) if ctx.needs_input_grad[0] else None
        gy = np.multiply(grad, x, out=out[1]) if ctx.needs_input_grad[1] else None
        return gx, gy


class MulScalar(Op):
    """``x * value`` for a Python number ``value``."""

    reads_inputs = False  # backward needs only the number

    @staticmethod
    def forward(ctx, x, value, out=None):
        return np.multiply(x, value, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(c*x)/dx = c
        return np.multiply(grad, ctx.attrs["value"], out=out)


class DivScalar(Op):
    """``x / value`` for a Python number ``value`` (``mean`` divides by the count so): exact
    division, where multiplying by 1 / value would round twice."""

    reads_inputs = False  # backward needs only the number

    @staticmethod
    def forward(ctx, x, value, out=None):
        return np.divide(x, value, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(x/c)/dx = 1/c
        return np.divide(grad, ctx.attrs["value"], out=out)


class Div(Op):
    @staticmethod
    def forward(ctx, x, y, out=None):
        return np.divide(x, y, out=out)

    @staticmethod
    def backward(ctx, grad, out=(None, None)):
        # d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2, as -(dx * x) / y
        x, y = ctx.operands
        gx = np.divide(grad, y, out=out[0])
        gy = None
        if ctx.needs_input_grad[1]:
            gy = np.negative(np.multiply(gx, x, out=out[1]), out=out[1])
            gy = np.divide(gy, y, out=out[1])
        return gx, gy


class PowScalar(Op):
    """``x ** exponent`` for a constant Python number ``exponent``."""

    @staticmethod
    def forward(ctx, x, exponent, out=None):
        if x.dtype == np.bool_:  # numpy squares a bool array into int8, where np.power gives int64
            return x**exponent
        return np.power(x, exponent, out=out)  # x ** exponent, bit for bit (numpy 2)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(x^c)/dx = c x^(c-1); for c = 0 the derivative is 0 everywhere, x = 0 included
        (x,) = ctx.operands
        c = ctx.attrs["exponent"]
        if c == 0:
            return np.multiply(grad, 0.0, out=out)
        slope = np.multiply(c, np.power(x, c - 1, out=out), out=out)
        return np.multiply(grad, slope, out=out)


class Pow(Op):
    """``x ** y`` for a Tensor exponent ``y`` (x >= 0 where y's gradient is wanted).

    At base 0 the gradients are PyTorch's, and the same for ``x ** 0.0`` (``PowScalar``)
    and ``x ** y`` with y = 0: at x = y = 0 the x-gradient is 0 (x^0 = 1 is constant in x;
    the formula gives 0 * inf = NaN); where x = 0 and y >= 0 the y-gradient is 0 (0^y is
    constant in y there, 0, or 1 at y = 0; the formula gives 0 * log 0).
    """

    @staticmethod
    def forward(ctx, x, y, out=None):
        return np.power(x, y, out=out)

    @staticmethod
    def backward(ctx, grad, out=(None, None)):
        # d(x^y)/dx = y x^(y-1), d(x^y)/dy = x^y log x, each replaced by 0 where the
        # conventions above hold (selected with where, so that their own derivatives are 0
        # there too); in the branch not taken there, the exponent y - 1 is raised to 0 and
        # x to 1, which keeps inf and NaN out of it
        x, y = ctx.operands
        x_data, y_data = (t.data for t in ctx.inputs)
        zero = ctx.constant(np.zeros((), dtype=grad.dtype))
        x_zero = np.equal(x_data, 0, out=ctx.buffer("x_zero", x_data.shape, np.bool_))
        gx = gy = None
        if ctx.needs_input_grad[0]:
            y_zero = np.equal(y_data, 0, out=ctx.buffer("y_zero", y_data.shape, np.bool_))
            held, raise_by = _convention(ctx, "x", x_zero, y_zero, grad)
            into = ctx.buffer("slope_x", grad.shape, np.result_type(y_data, 1.0), grad)
            exponent = np.add(np.subtract(y, 1.0, out=into), raise_by, out=into)
            slope = np.multiply(y, np.power(x, exponent, out=into), out=into)
            gx = np.multiply(grad, Where.compute(held, zero, slope), out=out[0])
        if ctx.needs_input_grad[1]:
            y_sign = np.greater_equal(y_data, 0, out=ctx.buffer("y_sign", y_data.shape, np.bool_))
            held, raise_by = _convention(ctx, "y", x_zero, y_sign, grad)
            into = ctx.buffer("slope_y", grad.shape, x_data, grad)
            log_x = np.log(np.add(x, raise_by, out=into), out=into)
            slope = np.multiply(ctx.output(), log_x, out=into)
            gy = np.multiply(grad, Where.compute(held, zero, slope), out=out[1])
        return gx, gy


def _convention(ctx, name: str, x_zero: np.ndarray, other: np.ndarray, grad) -> tuple:
    """Where ``Pow``'s gradient in ``name`` is 0 by convention (x = 0 and ``other``), as a
    boolean constant for ``where`` and as 0/1 of the gradient's dtype to add."""
    held = np.logical_and(x_zero, other, out=ctx.buffer(name, grad.shape, np.bool_))
    as_number = copy(held, scratch(ctx, name + "_number", grad.shape, grad))
    return ctx.constant(held), ctx.constant(as_number)
