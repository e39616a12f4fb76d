"""Weight initializers: each returns a new numpy array of the given shape and float dtype.

Every random initializer takes an explicit ``np.random.Generator``, so a seed reproduces a
model exactly. Values are drawn in float64 and then cast, so one seed gives the same weights
(up to rounding) in float32 and float64.

Weights here are laid out ``(in_features, out_features)``, as in the notes' Affine layer
(``x @ W + b``), so for a 2-D shape ``fan_in = shape[0]`` and ``fan_out = shape[1]`` (PyTorch
stores the transpose and reads the fans the other way round). Convolution weights follow
PyTorch's layout ``(out_channels, in_channels / groups, kh, kw)`` (see ``fans``).

To re-initialize a layer in place: ``layer.weight.data[...] = init.xavier_uniform(
layer.weight.shape, rng)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite import ShapeError

from ._checks import as_generator, check_choice, float_dtype

Shape = int | tuple[int, ...]


def _shape(shape: Shape) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(shape)


def zeros(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """An array of zeros (biases, BatchNorm's beta)."""
    return np.zeros(_shape(shape), dtype=float_dtype(dtype, "nn.init.zeros"))


def ones(shape: Shape, dtype: Any = np.float32) -> np.ndarray:
    """An array of ones (BatchNorm's gamma)."""
    return np.ones(_shape(shape), dtype=float_dtype(dtype, "nn.init.ones"))


def normal(
    shape: Shape,
    rng: np.random.Generator,
    mean: float = 0.0,
    std: float = 1.0,
    dtype: Any = np.float32,
) -> np.ndarray:
    """Samples of N(mean, std^2); the notes' ``0.01 * np.random.randn(...)`` is std=0.01.

    >>> import numpy as np
    >>> normal((2, 3), np.random.default_rng(0), std=0.01).shape
    (2, 3)
    """
    rng = as_generator(rng, "nn.init.normal")
    dtype = float_dtype(dtype, "nn.init.normal")
    return (mean + std * rng.standard_normal(_shape(shape))).astype(dtype)


def uniform(
    shape: Shape,
    rng: np.random.Generator,
    low: float = 0.0,
    high: float = 1.0,
    dtype: Any = np.float32,
) -> np.ndarray:
    """Samples of U(low, high)."""
    rng = as_generator(rng, "nn.init.uniform")
    dtype = float_dtype(dtype, "nn.init.uniform")
    return rng.uniform(low, high, _shape(shape)).astype(dtype)


def fans(shape: Shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape.

    2-D: ``(in_features, out_features)``, the notes' (and ``Linear``'s) layout. 3-D and more:
    a convolution weight in PyTorch's layout ``(out_channels, in_channels / groups, *kernel)``
    (``Conv2d``'s), whose fans count every kernel position:
    ``fan_in = in_channels / groups * kh * kw`` and ``fan_out = out_channels * kh * kw``.

    >>> fans((30, 1, 5, 5))
    (25, 750)
    """
    shape = _shape(shape)
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) < 2:
        raise ShapeError(
            f"nn.init: fan_in and fan_out need a 2-D weight shape (in_features, out_features) "
            f"or a convolution weight (out_channels, in_channels / groups, *kernel), got {shape}"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def xavier_normal(
    shape: Shape, rng: np.random.Generator, gain: float = 1.0, dtype: Any = np.float32
) -> np.ndarray:
    """Glorot/Xavier normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    Keeps the variance of activations and of gradients roughly constant across layers with
    symmetric activations such as tanh and sigmoid (Glorot and Bengio, 2010).
    """
    fan_in, fan_out = fans(shape)
    return normal(shape, rng, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), dtype)


def xavier_uniform(
    shape: Shape, rng: np.random.Generator, gain: float = 1.0, dtype: Any = np.float32
) -> np.ndarray:
    """Glorot/Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

    U(-a, a) has variance a^2 / 3, the same as ``xavier_normal``'s.
    """
    fan_in, fan_out = fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(shape, rng, -bound, bound, dtype)


def _kaiming_std(shape: Shape, negative_slope: float, mode: str) -> float:
    """std = gain / sqrt(fan) with gain = sqrt(2 / (1 + slope^2)) (He et al., 2015)."""
    check_choice(mode, ("fan_in", "fan_out"), "mode", "nn.init.kaiming")
    fan_in, fan_out = fans(shape)
    gain = math.sqrt(2.0 / (1.0 + negative_slope**2))
    return gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_normal(
    shape: Shape,
    rng: np.random.Generator,
    negative_slope: float = 0.0,
    mode: str = "fan_in",
    dtype: Any = np.float32,
) -> np.ndarray:
    """He/Kaiming normal: N(0, 2 / fan_in) for ReLU layers (``negative_slope`` for leaky ReLU).

    ReLU zeroes half of its inputs, halving the variance; the factor 2 makes up for it, so
    activations keep their scale through a deep ReLU network.
    """
    return normal(shape, rng, 0.0, _kaiming_std(shape, negative_slope, mode), dtype)


def kaiming_uniform(
    shape: Shape,
    rng: np.random.Generator,
    negative_slope: float = 0.0,
    mode: str = "fan_in",
    dtype: Any = np.float32,
) -> np.ndarray:
    """He/Kaiming uniform: U(-a, a) with a = sqrt(3) * std, std as in ``kaiming_normal``."""
    bound = math.sqrt(3.0) * _kaiming_std(shape, negative_slope, mode)
    return uniform(shape, rng, -bound, bound, dtype)
