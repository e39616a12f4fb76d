"""Argument checks shared by the layers and initializers, so every message reads the same."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import DTypeError, ShapeError, Tensor, as_tensor


def as_generator(rng: Any, where: str, *, allow_none: bool = False) -> np.random.Generator:
    """Return ``rng`` if it is a ``np.random.Generator``; None -> a fresh one if allowed."""
    if rng is None and allow_none:
        return np.random.default_rng()
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{where}: rng must be a numpy.random.Generator, got {type(rng).__name__}; "
            "pass e.g. rng=np.random.default_rng(0)"
        )
    return rng


def float_dtype(dtype: Any, where: str) -> np.dtype:
    """``dtype`` as a numpy float dtype (parameters must be float to require grad)."""
    result = np.dtype(dtype)
    if result.kind != "f":
        raise DTypeError(f"{where}: dtype must be a float dtype such as np.float32, got {result}")
    return result


def check_features(
    layer: object, x: Any, features: int, dtype: np.dtype, batch_only: bool
) -> Tensor:
    """``x`` as a Tensor of shape (N, features) and the layer's dtype, else a clear error.

    With ``batch_only=False`` any leading axes are allowed: (features,), (N, features),
    (B, N, features)... The error names the layer (its repr), what it expected, what it got,
    and the fix.
    """
    x = as_tensor(x)
    shape_ok = x.ndim == 2 if batch_only else x.ndim >= 1
    if not shape_ok or x.shape[-1] != features:
        any_leading = "" if batch_only else " (or any leading axes)"
        raise ShapeError(
            f"{layer!r}: expected input of shape (N, {features}){any_leading}, got {x.shape}"
        )
    check_dtype(layer, x, dtype)
    return x


def check_dtype(layer: object, x: Tensor, dtype: np.dtype) -> None:
    """Raise ``DTypeError`` with the fix unless ``x`` has the layer's dtype."""
    if x.dtype != dtype:
        raise DTypeError(
            f"{layer!r}: input has dtype {x.dtype} but the layer's parameters are {dtype}; "
            f"convert the input (x.astype(np.{dtype})) or build the layer with dtype=np.{x.dtype}"
        )


def check_size(value: Any, what: str, where: str) -> int:
    """A positive int (a number of features), else ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{where}: {what} must be a positive int, got {value!r}")
    return int(value)


def check_probability(p: Any, where: str) -> float:
    """A probability in [0, 1] (dropout's p), else ValueError naming it."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{where}: p must be in [0, 1], got {p!r}")
    return float(p)


def check_choice(value: Any, choices: tuple[str, ...], what: str, where: str) -> str:
    """One of ``choices`` (a reduction, a fan mode), else ValueError listing them."""
    if value not in choices:
        raise ValueError(f"{where}: {what} must be one of {choices}, got {value!r}")
    return value
