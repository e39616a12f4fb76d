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

from ._dual import Op, exp
from ._special import erf_array
from .elementwise import Sigmoid, Tanh
from .rounding import piecewise_constant

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715  # the tanh approximation's coefficient (Hendrycks and Gimpel, 2016)


def _masks(condition: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """``condition`` and its negation as 0/1 arrays of ``dtype``, for a rule to blend with."""
    chosen = condition.astype(dtype)
    return chosen, 1.0 - chosen


class Erf(Op):
    @staticmethod
    def forward(ctx, x):
        return erf_array(x)

    @staticmethod
    def backward(ctx, grad):
        # d erf(x)/dx = 2/sqrt(pi) e^(-x^2)
        (x,) = ctx.operands
        return grad * exp(-(x * x)) * (2.0 / math.sqrt(math.pi))


class Softplus(Op):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (PyTorch's rule)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        bx = x * beta
        linear = bx > threshold
        ctx.save_for_backward(*_masks(linear, x.dtype))
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|), which never overflows
        smooth = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
        return np.where(linear, x, smooth).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # d softplus(x)/dx = sigmoid(beta x), and 1 on the linear part
        (x,) = ctx.operands
        linear, smooth = ctx.saved
        return grad * (Sigmoid.compute(x * ctx.attrs["beta"]) * smooth + linear)


class Gelu(Op):
    """x Phi(x) with Phi the normal CDF (``approximate='none'``), or its tanh approximation."""

    @staticmethod
    def forward(ctx, x, approximate):
        if approximate == "tanh":
            return 0.5 * x * (1.0 + np.tanh(_gelu_tanh_argument(x)))
        return 0.5 * x * (1.0 + erf_array(x * _SQRT_HALF))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.operands
        if ctx.attrs["approximate"] == "tanh":
            # with t = tanh(u), u = sqrt(2/pi) (x + c x^3):
            # d/dx = (1 + t) / 2 + x (1 - t^2) sqrt(2/pi) (1 + 3 c x^2) / 2
            t = Tanh.compute(_gelu_tanh_argument(x))
            du = (x * x * (3.0 * _GELU_CUBIC) + 1.0) * _SQRT_2_OVER_PI
            return grad * ((t + 1.0) * 0.5 + x * (1.0 - t * t) * du * 0.5)
        # d(x Phi(x))/dx = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi)
        cdf = (Erf.compute(x * _SQRT_HALF) + 1.0) * 0.5
        return grad * (cdf + x * exp(x * x * -0.5) * _INV_SQRT_2PI)


def _gelu_tanh_argument(x):
    """sqrt(2/pi) (x + 0.044715 x^3), on arrays or Tensors."""
    return (x + x * x * x * _GELU_CUBIC) * _SQRT_2_OVER_PI


class Silu(Op):
    @staticmethod
    def forward(ctx, x):
        return x * Sigmoid.compute(x)

    @staticmethod
    def backward(ctx, grad):
        # d(x sigmoid(x))/dx = s (1 + x (1 - s)), s = sigmoid(x)
        (x,) = ctx.operands
        s = Sigmoid.compute(x)
        return grad * s * (x * (1.0 - s) + 1.0)


class Elu(Op):
    """x for x > 0, else alpha (e^x - 1)."""

    @staticmethod
    def forward(ctx, x, alpha):
        positive, negative = _masks(x > 0, x.dtype)
        ctx.save_for_backward(positive, negative)
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # d elu(x)/dx = 1 for x > 0, else alpha e^x; e^(x * negative) is 1, not inf, for x > 0
        (x,) = ctx.operands
        positive, negative = ctx.saved
        return grad * (exp(x * negative) * (negative * ctx.attrs["alpha"]) + positive)


class LeakyRelu(Op):
    """x for x > 0, else negative_slope * x."""

    reads_inputs = False  # backward uses the slopes saved by forward

    @staticmethod
    def forward(ctx, x, negative_slope):
        slope = np.where(x > 0, np.ones((), x.dtype), np.asarray(negative_slope, x.dtype))
        ctx.save_for_backward(slope)
        return x * slope

    @staticmethod
    def backward(ctx, grad):
        # d leaky_relu(x)/dx = 1 for x > 0, else negative_slope (at 0 too, PyTorch's rule)
        (slope,) = ctx.saved
        return grad * piecewise_constant(ctx, slope)


class LogSigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        # log sigmoid(x) = -softplus(-x) = min(x, 0) - log1p(e^-|x|), finite for any x
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        # d log sigmoid(x)/dx = 1 - sigmoid(x) = sigmoid(-x)
        (x,) = ctx.operands
        return grad * Sigmoid.compute(-x)


class Hardtanh(Op):
    reads_inputs = False  # backward uses the mask saved by forward

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        ctx.save_for_backward((x > min_val) & (x < max_val))
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx, grad):
        # d hardtanh(x)/dx = 1 strictly inside (min_val, max_val), else 0 (PyTorch's rule)
        (inside,) = ctx.saved
        return grad * piecewise_constant(ctx, inside)
