"""The arithmetic ops: + - * / unary minus and powers.

Binary ops broadcast like numpy; each backward rule returns gradients in the broadcast
shape and the engine sums them back to each input's shape. ``x + 2.0`` and ``x * 2.0`` on a
float tensor record ``add_scalar`` / ``mul_scalar``, which keep the Python number as an
attribute: one input instead of a second, constant Tensor, so half the bookkeeping.
"""

from __future__ import annotations

from ._dual import Op, log


class Add(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, grad):
        # d(x+y)/dx = d(x+y)/dy = 1
        return grad, grad


class AddScalar(Op):
    """``x + value`` for a Python number ``value``."""

    reads_inputs = False  # backward needs nothing

    @staticmethod
    def forward(ctx, x, value):
        return x + value

    @staticmethod
    def backward(ctx, grad):
        # d(x+c)/dx = 1
        return grad


class Sub(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, grad):
        # d(x-y)/dx = 1, d(x-y)/dy = -1
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Neg(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        # d(-x)/dx = -1
        return -grad


class Mul(Op):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        # d(x*y)/dx = y, d(x*y)/dy = x
        x, y = ctx.operands
        gx = grad * y if ctx.needs_input_grad[0] else None
        gy = grad * x if ctx.needs_input_grad[1] else None
        return gx, gy


class MulScalar(Op):
    """``x * value`` for a Python number ``value``."""

    reads_inputs = False  # backward needs only the number

    @staticmethod
    def forward(ctx, x, value):
        return x * value

    @staticmethod
    def backward(ctx, grad):
        # d(c*x)/dx = c
        return grad * ctx.attrs["value"]


class Div(Op):
    @staticmethod
    def forward(ctx, x, y):
        return x / y

    @staticmethod
    def backward(ctx, grad):
        # d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2
        x, y = ctx.operands
        gx = grad / y
        gy = -(gx * x) / y if ctx.needs_input_grad[1] else None
        return gx, gy


class PowScalar(Op):
    """``x ** exponent`` for a constant Python number ``exponent``."""

    @staticmethod
    def forward(ctx, x, exponent):
        return x**exponent

    @staticmethod
    def backward(ctx, grad):
        # d(x^c)/dx = c x^(c-1); for c = 0 the derivative is 0 everywhere, x = 0 included
        (x,) = ctx.operands
        c = ctx.attrs["exponent"]
        if c == 0:
            return grad * 0.0
        return grad * (c * x ** (c - 1))


class Pow(Op):
    """``x ** y`` for a Tensor exponent ``y`` (x > 0 where y's gradient is wanted)."""

    @staticmethod
    def forward(ctx, x, y):
        return x**y

    @staticmethod
    def backward(ctx, grad):
        # d(x^y)/dx = y x^(y-1), d(x^y)/dy = x^y log x
        x, y = ctx.operands
        gx = grad * y * x ** (y - 1.0) if ctx.needs_input_grad[0] else None
        gy = grad * ctx.output() * log(x) if ctx.needs_input_grad[1] else None
        return gx, gy
