"""Turning what users pass to ops (numbers, lists, arrays, shapes, indices) into arrays.

Kept apart from ``tensor.py`` so the Tensor class reads as the list of its operations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError, IndexingError

_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned int, float


def check_dtype(array: np.ndarray, where: str) -> np.ndarray:
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise DTypeError(
            f"{where}: unsupported dtype {array.dtype}; tensors hold bool, integer or float data"
        )
    return array


def shape_arg(op: str, shape: tuple) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``, as numpy and PyTorch do."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = tuple(shape[0])
    if not all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in shape):
        raise DTypeError(f"{op}: shape must be ints, got {shape!r}")
    return tuple(int(n) for n in shape)


def operand_array(value: Any, like: np.dtype, op: str) -> np.ndarray:
    """The other operand of a binary op as an array; a scalar takes the dtype ``like``.

    Scalars are weak, as in numpy 2: combined with a float32 tensor they become float32, so
    ``x * 2.5`` never upcasts. Arrays keep their dtype and promote by numpy's rules.
    """
    if (type(value) is float or type(value) is int) and like.kind == "f":
        return np.array(value, dtype=like)  # the common case, kept fast
    if isinstance(value, bool | int | float | np.number | np.bool_):
        scalar = value.item() if isinstance(value, np.generic) else value
        return check_dtype(np.asarray(scalar, dtype=np.result_type(like, scalar)), op)
    if isinstance(value, np.ndarray):
        return check_dtype(value, op)
    if isinstance(value, list | tuple):
        float_dtype = like if like.kind == "f" else np.float64
        return check_dtype(np.asarray(value, dtype=float_dtype), op)
    raise DTypeError(
        f"{op}: unsupported operand type {type(value).__name__}; "
        "use a Tensor, a numpy array or a number"
    )


def index_arg(index: Any) -> Any:
    """Turn Tensors and lists inside an index into arrays, so numpy indexes as usual."""
    items = index if isinstance(index, tuple) else (index,)
    converted = []
    for item in items:
        if hasattr(item, "_data"):  # a Tensor
            item = item._data
        elif isinstance(item, list):
            item = np.asarray(item)
        if isinstance(item, np.ndarray) and item.dtype.kind not in "biu":
            raise IndexingError(
                f"getitem: index arrays must be integer or boolean, got {item.dtype}"
            )
        converted.append(item)
    return tuple(converted)
