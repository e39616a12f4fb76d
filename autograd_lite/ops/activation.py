"""Activation ops beyond relu, tanh and sigmoid, with PyTorch's formulas and arguments:
softplus, gelu (exact and tanh form), silu, elu, leaky_relu, log_sigmoid, hardtanh, and erf,
which the exact gelu is built on.

Each is one op, so a plain backward costs a few numpy calls; the rules reuse ``Sigmoid``,
``Tanh`` and ``Erf`` through ``compute`` so that they also run on Tensors under
``create_graph``. Masks that pick a branch (softplus above its threshold, elu for x > 0,
hardtanh inside its bounds) are saved by forward as constants of x's dtype. At a kink the
gradient follows PyTorch: elu'(0) = alpha, leaky_relu'(0) = negative_slope, hardtanh' = 0
at and beyond its bounds.
"""

from __future__ import annotations

import math

import numpy as np

from ._dual import Op, copy, scratch
from ._special import erf_array
from .elementwise import Sigmoid
from .rounding import piecewise_constant

_SQRT_HALF = math.sqrt(0.5)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715  # the tanh approximation's coefficient (Hendrycks and Gimpel, 2016)


def _masks(ctx, condition: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``condition`` and its negation as 0/1 arrays of x's dtype (buffers of ``ctx``), for a
    rule to blend with."""
    chosen = copy(condition, scratch(ctx, "chosen", condition.shape, x))
    return chosen, np.subtract(1.0, chosen, out=ctx.buffer("other", chosen.shape, x, 1.0))


class Erf(Op):
    @staticmethod
    def forward(ctx, x):
        return erf_array(ctx, x)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d erf(x)/dx = 2/sqrt(pi) e^(-x^2)
        (x,) = ctx.operands
        into = ctx.buffer("slope", x.shape, x)  # None eagerly: each step makes a new array
        slope = np.exp(np.negative(np.multiply(x, x, out=into), out=into), out=into)
        return np.multiply(np.multiply(grad, slope, out=out), _TWO_OVER_SQRT_PI, out=out)


class Softplus(Op):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (PyTorch's rule)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        bx = np.multiply(x, beta, out=scratch(ctx, "bx", x.shape, x, beta))
        linear = np.greater(bx, threshold, out=ctx.buffer("linear", bx.shape, np.bool_))
        ctx.save_for_backward(*_masks(ctx, linear, x))
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|), which never overflows
        tail = np.abs(bx, out=scratch(ctx, "tail", bx.shape, bx))
        tail = np.log1p(np.exp(np.negative(tail, out=tail), out=tail), out=tail)
        smooth = np.add(np.maximum(bx, 0, out=bx), tail, out=bx)
        smooth = np.divide(smooth, beta, out=smooth)
        np.copyto(smooth, x, where=linear)  # x itself on the linear part
        return smooth.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d softplus(x)/dx = sigmoid(beta x), and 1 on the linear part
        (x,) = ctx.operands
        linear, smooth = ctx.saved
        into = ctx.buffer("slope", x.shape, x)  # None eagerly: each step makes a new array
        s = Sigmoid.compute(np.multiply(x, ctx.attrs["beta"], out=into))
        slope = np.add(np.multiply(s, smooth, out=into), linear, out=into)
        return np.multiply(grad, slope, out=out)


class Gelu(Op):
    """x Phi(x) with Phi the normal CDF (``approximate='none'``), or its tanh approximation."""

    @staticmethod
    def forward(ctx, x, approximate, out=None):
        if approximate == "tanh":
            into = scratch(ctx, "tanh", x.shape, x, 1.0)
            cdf = np.tanh(_gelu_tanh_argument(x, out=into), out=into)
        else:
            into = scratch(ctx, "scaled", x.shape, x, 1.0)
            cdf = erf_array(ctx, np.multiply(x, _SQRT_HALF, out=into))
        # 0.5 x (1 + tanh(u)) or 0.5 x (1 + erf(x / sqrt 2))
        cdf = np.add(cdf, 1.0, out=cdf)
        return np.multiply(np.multiply(x, 0.5, out=out), cdf, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        (x,) = ctx.operands
        into = [ctx.buffer(name, x.shape, x, 1.0) for name in ("slope", "term")]
        if ctx.attrs["approximate"] == "tanh":
            # with t = tanh(u), u = sqrt(2/pi) (x + c x^3):
            # d/dx = (1 + t) / 2 + x (1 - t^2) sqrt(2/pi) (1 + 3 c x^2) / 2
            t = np.tanh(_gelu_tanh_argument(x, out=into[0]), out=into[0])
            du = np.multiply(np.multiply(x, x, out=into[1]), 3.0 * _GELU_CUBIC, out=into[1])
            du = np.multiply(np.add(du, 1.0, out=into[1]), _SQRT_2_OVER_PI, out=into[1])
            into.append(ctx.buffer("half", x.shape, x, 1.0))
            half = np.multiply(np.add(t, 1.0, out=into[2]), 0.5, out=into[2])
            rest = np.subtract(1.0, np.multiply(t, t, out=into[0]), out=into[0])
            rest = np.multiply(np.multiply(x, rest, out=into[0]), du, out=into[0])
            rest = np.multiply(rest, 0.5, out=into[0])
            return np.multiply(grad, np.add(half, rest, out=into[0]), out=out)
        # d(x Phi(x))/dx = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi)
        cdf = Erf.compute(np.multiply(x, _SQRT_HALF, out=into[0]))
        cdf = np.multiply(np.add(cdf, 1.0, out=into[0]), 0.5, out=into[0])
        density = np.multiply(np.multiply(x, x, out=into[1]), -0.5, out=into[1])
        density = np.exp(density, out=into[1])
        density = np.multiply(np.multiply(x, density, out=into[1]), _INV_SQRT_2PI, out=into[1])
        return np.multiply(grad, np.add(cdf, density, out=into[0]), out=out)


def _gelu_tanh_argument(x, out=None):
    """sqrt(2/pi) (x + 0.044715 x^3), on arrays or Tensors (into ``out`` if given)."""
    cube = np.multiply(np.multiply(x, x, out=out), x, out=out)
    u = np.add(x, np.multiply(cube, _GELU_CUBIC, out=out), out=out)
    return np.multiply(u, _SQRT_2_OVER_PI, out=out)


class Silu(Op):
    @staticmethod
    def forward(ctx, x, out=None):
        return np.multiply(x, Sigmoid.compute(x), out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d(x sigmoid(x))/dx = s (1 + x (1 - s)), s = sigmoid(x)
        (x,) = ctx.operands
        s = Sigmoid.compute(x)
        into = ctx.buffer("slope", s.shape, s)  # None eagerly: each step makes a new array
        slope = np.add(np.multiply(x, np.subtract(1.0, s, out=into), out=into), 1.0, out=into)
        return np.multiply(np.multiply(grad, s, out=out), slope, out=out)


class Elu(Op):
    """x for x > 0, else alpha (e^x - 1)."""

    @staticmethod
    def forward(ctx, x, alpha):
        above = np.greater(x, 0, out=ctx.buffer("above", x.shape, np.bool_))
        ctx.save_for_backward(*_masks(ctx, above, x))
        # alpha (e^x - 1) below 0, x itself above
        branch = np.minimum(x, 0, out=scratch(ctx, "branch", x.shape, x, 1.0))
        branch = np.multiply(alpha, np.expm1(branch, out=branch), out=branch)
        np.copyto(branch, x, where=above)
        return branch.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d elu(x)/dx = 1 for x > 0, else alpha e^x; e^(x * negative) is 1, not inf, for x > 0
        (x,) = ctx.operands
        positive, negative = ctx.saved
        into = ctx.buffer("slope", x.shape, x)  # None eagerly: each step makes a new array
        e = np.exp(np.multiply(x, negative, out=into), out=into)
        scale = np.multiply(negative, ctx.attrs["alpha"], out=ctx.buffer("scale", x.shape, x))
        slope = np.add(np.multiply(e, scale, out=into), positive, out=into)
        return np.multiply(grad, slope, out=out)


class LeakyRelu(Op):
    """x for x > 0, else negative_slope * x."""

    reads_inputs = False  # backward uses the slopes saved by forward

    @staticmethod
    def forward(ctx, x, negative_slope, out=None):
        slope = scratch(ctx, "slope", x.shape, x)  # 1 where x > 0, else negative_slope
        slope.fill(negative_slope)
        np.copyto(slope, 1, where=np.greater(x, 0, out=ctx.buffer("above", x.shape, np.bool_)))
        ctx.save_for_backward(slope)
        return np.multiply(x, slope, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d leaky_relu(x)/dx = 1 for x > 0, else negative_slope (at 0 too, PyTorch's rule)
        (slope,) = ctx.saved
        return np.multiply(grad, piecewise_constant(ctx, slope), out=out)


class LogSigmoid(Op):
    @staticmethod
    def forward(ctx, x, out=None):
        # log sigmoid(x) = -softplus(-x) = min(x, 0) - log1p(e^-|x|), finite for any x
        lower = np.minimum(x, 0, out=out)
        into = ctx.buffer("minus_abs", x.shape, x)  # x's dtype: -|x| of a bool x raises
        minus_abs = np.negative(np.abs(x, out=into), out=into)
        t = np.exp(minus_abs, out=scratch(ctx, "t", x.shape, x, 1.0))  # float, also for ints
        t = np.log1p(t, out=t)
        return np.subtract(lower, t, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d log sigmoid(x)/dx = 1 - sigmoid(x) = sigmoid(-x)
        (x,) = ctx.operands
        minus_x = np.negative(x, out=ctx.buffer("minus_x", x.shape, x))
        return np.multiply(grad, Sigmoid.compute(minus_x), out=out)


class Hardtanh(Op):
    reads_inputs = False  # backward uses the mask saved by forward

    @staticmethod
    def forward(ctx, x, min_val, max_val, out=None):
        inside = np.greater(x, min_val, out=ctx.buffer("inside", x.shape, np.bool_))
        inside &= np.less(x, max_val, out=ctx.buffer("below", x.shape, np.bool_))
        ctx.save_for_backward(inside)
        return np.clip(x, min_val, max_val, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d hardtanh(x)/dx = 1 strictly inside (min_val, max_val), else 0 (PyTorch's rule)
        (inside,) = ctx.saved
        return np.multiply(grad, piecewise_constant(ctx, inside), out=out)
