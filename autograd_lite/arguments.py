"""Turning what users pass to ops (numbers, lists, arrays, shapes, indices) into arrays.

Kept apart from ``tensor.py`` so the Tensor class reads as the list of its operations.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from .errors import DTypeError, IndexingError, ShapeError

_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned int, float

F = TypeVar("F", bound=Callable[..., Any])

# Other libraries' keyword names for the arguments autograd_lite calls by numpy's names.
KEYWORD_ALIASES = {
    "dim": "axis",  # PyTorch
    "keepdim": "keepdims",  # PyTorch
    "dims": "axis",  # PyTorch's flip(dims)
    "ddof": "correction",  # numpy's var / std
}


def check_dtype(array: np.ndarray, where: str) -> np.ndarray:
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise DTypeError(
            f"{where}: unsupported dtype {array.dtype}; tensors hold bool, integer or float data"
        )
    return array


def to_array(value: Any, op: str, dtype: Any = None) -> np.ndarray:
    """``np.asarray(value)`` for numeric data, else a DTypeError naming ``op``.

    The data is checked before any cast, so None, strings and ragged lists are refused
    instead of becoming NaN or a float parsed from text.
    """
    try:
        array = check_dtype(np.asarray(value), op)
        return array if dtype is None else np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as error:
        raise DTypeError(f"{op}: cannot make a numeric array from {value!r:.80}: {error}") from None


def dtype_arg(op: str, dtype: Any) -> np.dtype:
    """A numpy dtype tensors can hold (bool, integer or float), else a DTypeError."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as error:
        raise DTypeError(f"{op}: {dtype!r} is not a dtype: {error}") from None
    if dtype.kind not in _NUMERIC_KINDS:
        raise DTypeError(f"{op}: unsupported dtype {dtype}; use a bool, integer or float dtype")
    return dtype


def shape_arg(op: str, shape: tuple) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``, as numpy and PyTorch do."""
    if not shape and op == "reshape":
        raise ShapeError("reshape: give the new shape, e.g. reshape(2, 3) or reshape(())")
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
    try:
        if (type(value) is float or type(value) is int) and like.kind == "f":
            return np.array(value, dtype=like)  # the common case, kept fast
        if isinstance(value, bool | int | float | np.number | np.bool_):
            scalar = value.item() if isinstance(value, np.generic) else value
            return check_dtype(np.asarray(scalar, dtype=np.result_type(like, scalar)), op)
    except OverflowError:
        raise DTypeError(f"{op}: {value!r:.30} does not fit in {like}") from None
    if isinstance(value, np.ndarray):
        return check_dtype(value, op)
    if isinstance(value, list | tuple):
        return to_array(value, op, dtype=like if like.kind == "f" else np.float64)
    raise DTypeError(
        f"{op}: unsupported operand type {type(value).__name__}; "
        "use a Tensor, a numpy array or a number"
    )


def index_arg(index: Any) -> Any:
    """Turn Tensors and lists inside an index into arrays, so numpy indexes as usual.

    An empty list (or empty float array) becomes an empty integer array: it selects nothing,
    as in numpy and PyTorch, instead of failing the integer-or-boolean check.
    """
    items = index if isinstance(index, tuple) else (index,)
    converted = []
    for item in items:
        if hasattr(item, "_data"):  # a Tensor
            item = item._data
        elif isinstance(item, list):
            try:
                item = np.asarray(item)
            except ValueError as error:
                raise IndexingError(f"getitem: cannot index with {item!r:.60}: {error}") from None
        if isinstance(item, np.ndarray) and item.size == 0 and item.dtype.kind == "f":
            item = item.astype(np.intp)  # [] is float64 to numpy; it selects nothing
        if isinstance(item, np.ndarray) and item.dtype.kind not in "biu":
            raise IndexingError(
                f"getitem: index arrays must be integer or boolean, got {item.dtype}"
            )
        converted.append(item)
    return tuple(converted)


# numpy's np.sum(t), np.mean(t), np.max(t) ... call t.sum(axis=..., dtype=None, out=None):
# a method that takes an axis accepts these two when they are None
NUMPY_PASSED = ("out", "dtype")


def keyword_aliases(fn: F) -> F:
    """Let ``fn`` also take PyTorch's (and numpy's) names for its keyword arguments.

    ``x.sum(dim=0, keepdim=True)`` becomes ``x.sum(axis=0, keepdims=True)``: every alias of
    ``KEYWORD_ALIASES`` whose target is a parameter of ``fn`` is accepted; passing both
    spellings of one argument is a TypeError. One decorator serves every method and function
    that takes an axis, so no method repeats the translation. Those also accept numpy's
    ``out=None`` and ``dtype=None``, so ``np.sum(t)`` works as on an array.

    >>> @keyword_aliases
    ... def total(values, axis=None, keepdims=False):
    ...     return axis, keepdims
    >>> total([1], dim=0, keepdim=True)
    (0, True)
    """
    parameters = inspect.signature(fn).parameters
    aliases = {alias: name for alias, name in KEYWORD_ALIASES.items() if name in parameters}
    from_numpy = [n for n in NUMPY_PASSED if n not in parameters] if "axis" in parameters else []

    alias_names = frozenset(aliases) | frozenset(from_numpy)

    @functools.wraps(fn)
    def accepting_aliases(*args: Any, **kwargs: Any) -> Any:
        if kwargs and not alias_names.isdisjoint(kwargs):  # kept cheap: sum() is a hot path
            _rename(fn.__name__, kwargs, aliases, from_numpy)
        return fn(*args, **kwargs)

    return accepting_aliases  # type: ignore[return-value]


def _rename(op: str, kwargs: dict[str, Any], aliases: dict[str, str], from_numpy: list) -> None:
    """Replace each alias in ``kwargs`` by the parameter's own name, in place, and drop the
    ``out=None`` / ``dtype=None`` that numpy's functions pass."""
    for name in from_numpy:
        if kwargs.pop(name, None) is not None:
            raise DTypeError(
                f"{op}: {name}= is not supported (a tensor op returns a new tensor); "
                "convert with .astype(dtype) or np.asarray(t) first"
            )
    for alias, name in aliases.items():
        if alias in kwargs:
            if name in kwargs:
                raise DTypeError(
                    f"{op}: got both {alias}= and {name}=, which are two names of one "
                    "argument; pass only one"
                )
            kwargs[name] = kwargs.pop(alias)
