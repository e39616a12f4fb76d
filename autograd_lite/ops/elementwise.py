"""Unary elementwise ops: exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu.

Rules that use the op's own output (exp, sqrt, tanh, sigmoid) read it with
``ctx.output()``, which costs nothing on a plain backward and stays differentiable under
``create_graph``. Non-differentiable points follow one convention, documented in the README:
abs'(0) = 0 and relu'(0) = 0.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op, cos, multiply, sin
from .rounding import piecewise_constant


class Exp(Op):
    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, grad):
        # d(e^x)/dx = e^x
        return grad * ctx.output()


class Log(Op):
    @staticmethod
    def forward(ctx, x):
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        # d(log x)/dx = 1/x
        return grad / ctx.operands[0]


class Sqrt(Op):
    @staticmethod
    def forward(ctx, x):
        return np.sqrt(x)

    @staticmethod
    def backward(ctx, grad):
        # d(sqrt x)/dx = 1 / (2 sqrt x)
        return grad / (ctx.output() * 2.0)


class Abs(Op):
    reads_inputs = False  # backward uses the masks saved by forward

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        # d|x|/dx = sign(x), taken as 0 at x = 0
        (sign,) = ctx.saved
        return grad * piecewise_constant(ctx, sign)


class Sin(Op):
    @staticmethod
    def forward(ctx, x):
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        # d(sin x)/dx = cos x
        return grad * cos(ctx.operands[0])


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        # d(cos x)/dx = -sin x
        return -(grad * sin(ctx.operands[0]))


class Tanh(Op):
    @staticmethod
    def forward(ctx, x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, grad):
        # d(tanh x)/dx = 1 - tanh^2 x
        out = ctx.output()
        return grad * (1.0 - out * out)


class Sigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        # 1 / (1 + e^-x) without overflow: with e = e^-|x|, 1/(1+e) for x >= 0, e/(1+e) below
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0, e) / (1.0 + e)

    @staticmethod
    def backward(ctx, grad):
        # d(sigmoid x)/dx = y (1 - y), the notes' dx = dout * y * (1 - y)
        out = ctx.output()
        return grad * out * (1.0 - out)


class Relu(Op):
    reads_inputs = False  # backward uses the masks saved by forward

    @staticmethod
    def forward(ctx, x):
        mask = np.greater(x, 0, out=ctx.buffer("mask", x.shape, np.bool_))
        ctx.save_for_backward(mask)
        # NaN stays NaN, as in maximum(x, 0); a zero of x's dtype keeps the result's dtype
        return np.maximum(x, x.dtype.type(0), out=ctx.buffer("out", x.shape, x))

    @staticmethod
    def backward(ctx, grad):
        # d relu(x)/dx = 1 for x > 0, else 0 (relu'(0) = 0)
        (mask,) = ctx.saved
        out = ctx.buffer("grad_x", grad.shape, grad, mask)
        return multiply(grad, piecewise_constant(ctx, mask), out)
