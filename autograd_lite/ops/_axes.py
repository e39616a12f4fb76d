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


def squeezed_shape(shape: tuple[int, ...], axis: int | tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` without its size-1 axes (all, or the given ones, which must have size 1)."""
    if axis is None:
        return tuple(n for n in shape if n != 1)
    axes = normalize_axes("squeeze", axis, len(shape))
    wide = [a for a in axes if shape[a] != 1]
    if wide:
        raise ShapeError(
            f"squeeze: axis {wide[0]} has size {shape[wide[0]]}, not 1 (shape {shape})"
        )
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def unsqueezed_shape(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """``shape`` with a size-1 axis inserted at ``axis`` (negative counts from the end)."""
    position = normalize_axes("unsqueeze", axis, len(shape) + 1)[0]
    return shape[:position] + (1,) + shape[position:]
