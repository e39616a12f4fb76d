"""Numerical differentiation, in the notes' vocabulary (chapter 3).

``numerical_diff`` and ``numerical_gradient`` use the central difference
(f(x + h) - f(x - h)) / 2h, whose error is O(h^2), with the notes' h = 1e-4. They work on
plain numpy functions and arrays, and are what ``gradcheck`` compares backward against.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_diff(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """The derivative of a scalar function at ``x`` by central difference.

    >>> round(numerical_diff(lambda x: 0.01 * x**2 + 0.1 * x, 5.0), 10)
    0.2
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4
) -> np.ndarray:
    """The gradient of a scalar function of an array, one element at a time.

    Each element of ``x`` is nudged by +h and -h in place and restored afterwards (also when
    ``f`` raises), so ``x`` is unchanged when the function returns.

    >>> numerical_gradient(lambda x: np.sum(x**2), np.array([3.0, 4.0])).round(6)
    array([6., 8.])
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(
            f"numerical_gradient: x must be a float numpy array, got {type(x).__name__}"
            + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
        )
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = f(x)
            x[index] = original - h
            f_minus = f(x)
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
