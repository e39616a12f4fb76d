"""Unary elementwise ops: exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu.

Rules that use the op's own output (exp, sqrt, tanh, sigmoid) read it with
``ctx.output()``, which costs nothing on a plain backward and stays differentiable under
``create_graph``. Non-differentiable points follow one convention, documented in the README:
abs'(0) = 0 and relu'(0) = 0.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op, scratch
from .rounding import piecewise_constant


class Exp(Op):
    @staticmethod
    def forward(ctx, x, out=None):
        return np.exp(x, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(e^x)/dx = e^x
        return np.multiply(grad, ctx.output(), out=out)


class Log(Op):
    @staticmethod
    def forward(ctx, x, out=None):
        return np.log(x, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(log x)/dx = 1/x
        return np.divide(grad, ctx.operands[0], out=out)


class Sqrt(Op):
    @staticmethod
    def forward(ctx, x, out=None):
        return np.sqrt(x, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(sqrt x)/dx = 1 / (2 sqrt x)
        return np.divide(grad, np.multiply(ctx.output(), 2.0, out=out), out=out)


class Abs(Op):
    reads_inputs = False  # backward uses the masks saved by forward

    @staticmethod
    def forward(ctx, x, out=None):
        ctx.save_for_backward(np.sign(x, out=ctx.buffer("sign", x.shape, x)))
        return np.abs(x, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d|x|/dx = sign(x), taken as 0 at x = 0
        (sign,) = ctx.saved
        return np.multiply(grad, piecewise_constant(ctx, sign), out=out)


class Sin(Op):
    @staticmethod
    def forward(ctx, x, out=None):
        return np.sin(x, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(sin x)/dx = cos x
        return np.multiply(grad, np.cos(ctx.operands[0], out=out), out=out)


class Cos(Op):
    @staticmethod
    def forward(ctx, x, out=None):
        return np.cos(x, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(cos x)/dx = -sin x, as -(grad sin x)
        return np.negative(np.multiply(grad, np.sin(ctx.operands[0], out=out), out=out), out=out)


class Tanh(Op):
    @staticmethod
    def forward(ctx, x, out=None):
        return np.tanh(x, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(tanh x)/dx = 1 - tanh^2 x
        y = ctx.output()
        return np.multiply(grad, np.subtract(1.0, np.multiply(y, y, out=out), out=out), out=out)


class Sigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        # 1 / (1 + e^-x) without overflow: with e = e^-|x|, 1/(1+e) for x >= 0, e/(1+e) below
        # (every array asked of ctx.buffer, also when another op's rule computes it)
        into = ctx.buffer("minus_abs", x.shape, x)  # x's dtype: -|x| of a bool x raises
        minus_abs = np.negative(np.abs(x, out=into), out=into)
        e = np.exp(minus_abs, out=scratch(ctx, "e", x.shape, x, 1.0))  # float, also for ints
        numerator = scratch(ctx, "numerator", x.shape, e)
        np.copyto(numerator, e)
        above = np.greater_equal(x, 0, out=ctx.buffer("above", x.shape, np.bool_))
        np.copyto(numerator, 1.0, where=above)
        return np.divide(numerator, np.add(1.0, e, out=e), out=numerator)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(sigmoid x)/dx = y (1 - y), the notes' dx = dout * y * (1 - y)
        y = ctx.output()
        one_minus_y = np.subtract(1.0, y, out=ctx.buffer("one_minus_y", y.shape, y))
        return np.multiply(np.multiply(grad, y, out=out), one_minus_y, out=out)


class Relu(Op):
    reads_inputs = False  # backward uses the masks saved by forward

    @staticmethod
    def forward(ctx, x, out=None):
        mask = np.greater(x, 0, out=ctx.buffer("mask", x.shape, np.bool_))
        ctx.save_for_backward(mask)
        # NaN stays NaN, as in maximum(x, 0); a zero of x's dtype keeps the result's dtype
        return np.maximum(x, x.dtype.type(0), out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d relu(x)/dx = 1 for x > 0, else 0 (relu'(0) = 0)
        (mask,) = ctx.saved
        return np.multiply(grad, piecewise_constant(ctx, mask), out=out)
