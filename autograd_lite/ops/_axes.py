"""Axis bookkeeping shared by the reductions and softmax-like ops."""

from __future__ import annotations

import numpy as np

from ..errors import DTypeError, ShapeError


def normalize_axes(op: str, axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    """Return ``axis`` as a sorted tuple of non-negative axes (all axes for None).

    Raises ShapeError naming the op when an axis is out of range or repeated.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
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


def unsqueezed_shape(shape: tuple[int, ...], axis: int | tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with size-1 axes inserted at ``axis`` (an int or a tuple), as expand_dims."""
    count = len(axis) if isinstance(axis, tuple) else 1
    positions = normalize_axes("unsqueeze", axis, len(shape) + count)
    rest = iter(shape)
    return tuple(1 if i in positions else next(rest) for i in range(len(shape) + count))


def permutation(op: str, axes: tuple, ndim: int) -> tuple[int, ...]:
    """``axes`` as a permutation of range(ndim), negative axes counted from the end."""
    if len(axes) != ndim:
        raise ShapeError(
            f"{op}: axes {axes} do not match a tensor of {ndim} dimension(s); give a "
            f"permutation of {tuple(range(ndim))}"
        )
    if any(a is None for a in axes):  # normalize_axes would read None as "all axes"
        raise DTypeError(f"{op}: axes must be ints, got {axes!r}")
    normalized = tuple(normalize_axes(op, a, ndim)[0] for a in axes)
    if sorted(normalized) != list(range(ndim)):
        raise ShapeError(
            f"{op}: axes {axes} repeat an axis; give a permutation of {tuple(range(ndim))}"
        )
    return normalized


def check_keepdims(op: str, keepdims: object) -> bool:
    """``keepdims`` must be a bool (numpy refuses other values too)."""
    if not isinstance(keepdims, bool | np.bool_):
        raise DTypeError(f"{op}: keepdims must be True or False, got {keepdims!r}")
    return bool(keepdims)


def single_axis(op: str, axis: object, ndim: int) -> int:
    """One axis (an int, negative counted from the end) of a tensor with ``ndim`` axes."""
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise DTypeError(f"{op}: axis must be an int, got {axis!r}")
    return normalize_axes(op, int(axis), ndim)[0]
