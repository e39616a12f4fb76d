"""PyTorch's function forms of the newer Tensor methods: ``argmax(x, dim=1)``, ``allclose(a, b)``.

Each takes a Tensor, an array or a number and calls the method of the same name (see
``tensor_methods/``), so there is still one implementation of every op; ``dim=`` and
``keepdim=`` are accepted wherever ``axis=`` and ``keepdims=`` are.
"""

from __future__ import annotations

from typing import Any

from .arguments import keyword_aliases
from .functions import _tensor
from .tensor import Tensor

Axis = int | tuple[int, ...] | None


@keyword_aliases
def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """The index of the maximum along ``axis`` (None: in the flattened values); int64."""
    return _tensor(x, "argmax").argmax(axis, keepdims)


@keyword_aliases
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """The index of the minimum along ``axis`` (None: in the flattened values); int64."""
    return _tensor(x, "argmin").argmin(axis, keepdims)


@keyword_aliases
def var(x: Any, axis: Axis = None, correction: int = 1, keepdims: bool = False) -> Tensor:
    """Variance over ``axis``, unbiased by default (``correction=1``, as PyTorch)."""
    return _tensor(x, "var").var(axis, correction, keepdims)


@keyword_aliases
def std(x: Any, axis: Axis = None, correction: int = 1, keepdims: bool = False) -> Tensor:
    """Standard deviation over ``axis``, unbiased by default (``correction=1``)."""
    return _tensor(x, "std").std(axis, correction, keepdims)


@keyword_aliases
def prod(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Product over one axis (None: all), with an exact gradient where x has zeros."""
    return _tensor(x, "prod").prod(axis, keepdims)


@keyword_aliases
def cumsum(x: Any, axis: int | None = None) -> Tensor:
    """Running sums along ``axis`` (None: over the flattened values)."""
    return _tensor(x, "cumsum").cumsum(axis)


def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes ``start_dim`` to ``end_dim`` into one."""
    return _tensor(x, "flatten").flatten(start_dim, end_dim)


@keyword_aliases
def flip(x: Any, axis: Axis = None) -> Tensor:
    """Reverse the order of the elements along ``axis`` (``dims=`` in PyTorch)."""
    return _tensor(x, "flip").flip(axis)


def clone(x: Any) -> Tensor:
    """A copy with its own memory, still in the graph."""
    return _tensor(x, "clone").clone()


def sign(x: Any) -> Tensor:
    """Elementwise -1, 0 or 1 (gradient 0)."""
    return _tensor(x, "sign").sign()


def floor(x: Any) -> Tensor:
    """Elementwise largest integer <= x (gradient 0)."""
    return _tensor(x, "floor").floor()


def ceil(x: Any) -> Tensor:
    """Elementwise smallest integer >= x (gradient 0)."""
    return _tensor(x, "ceil").ceil()


def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    """Elementwise rounding to ``decimals`` places, halves to even (gradient 0)."""
    return _tensor(x, "round").round(decimals)


def isnan(x: Any) -> Tensor:
    """Where the values are NaN (a bool tensor)."""
    return _tensor(x, "isnan").isnan()


def isinf(x: Any) -> Tensor:
    """Where the values are infinite (a bool tensor)."""
    return _tensor(x, "isinf").isinf()


def isfinite(x: Any) -> Tensor:
    """Where the values are neither NaN nor infinite (a bool tensor)."""
    return _tensor(x, "isfinite").isfinite()


def isclose(
    x: Any, y: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Where |x - y| <= atol + rtol * |y| (a bool tensor)."""
    return _tensor(x, "isclose").isclose(y, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(
    x: Any, y: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether ``isclose`` holds everywhere (a Python bool)."""
    return _tensor(x, "allclose").allclose(y, rtol=rtol, atol=atol, equal_nan=equal_nan)


@keyword_aliases
def gather(x: Any, axis: int, index: Any) -> Tensor:
    """``out[i][j] = x[index[i][j]][j]`` for ``axis=0`` (PyTorch's ``gather``)."""
    return _tensor(x, "gather").gather(axis, index)


def masked_fill(x: Any, mask: Any, value: float) -> Tensor:
    """``value`` where the boolean ``mask`` holds, else x."""
    return _tensor(x, "masked_fill").masked_fill(mask, value)
