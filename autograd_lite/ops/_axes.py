"""Axis bookkeeping shared by the reductions and softmax-like ops."""

from __future__ import annotations

from ..errors import DTypeError, ShapeError


def normalize_axes(op: str, axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    """Return ``axis`` as a sorted tuple of non-negative axes (all axes for None).

    Raises ShapeError naming the op when an axis is out of range or repeated.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    result = []
    for a in axes:
        if isinstance(a, bool) or not hasattr(a, "__index__"):
            raise DTypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        a = a.__index__()
        if not -ndim <= a < ndim:
            allowed = f"an axis in [{-ndim}, {ndim - 1}]" if ndim else "axis=None"
            raise ShapeError(
                f"{op}: axis {a} is out of range for a tensor with {ndim} dimension(s); "
                f"use {allowed}"
            )
        result.append(a % ndim)
    if len(set(result)) != len(result):
        raise ShapeError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(result))


def keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape a reduction over ``axes`` has with ``keepdims=True``."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))
