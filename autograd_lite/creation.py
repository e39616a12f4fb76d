"""Making tensors from sizes and values: ``zeros``, ``ones``, ``arange``, ``randn``, ...

PyTorch's names and signatures (numpy's where PyTorch has none): a size is given as
``zeros(2, 3)`` or ``zeros((2, 3))``; each function takes ``dtype=`` and ``requires_grad=``.

Two choices to know:

- the default float dtype is float32, as in PyTorch and as ``nn``'s layers use, so
  ``model(randn(8, 2))`` works. ``Tensor([1.0])`` from Python numbers stays float64 (the
  notes' policy, see ``tensor.py``); pass ``dtype=np.float64`` (or call ``.double()``) for
  float64, as gradient checks need. Integer ``arange`` and ``full`` with an int give int64,
  ``full`` with a bool gives bool, as in PyTorch.
- random tensors take an explicit ``rng: np.random.Generator``. Without one they draw from
  a module-level generator seeded with 0 at import, so a script is reproducible run to run;
  ``manual_seed(n)`` reseeds it. Library code (``nn`` initializers) always passes its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arguments import dtype_arg, shape_arg
from .errors import DTypeError, IndexingError, ShapeError
from .tensor import Tensor

DEFAULT_FLOAT = np.dtype(np.float32)  # PyTorch's default, and nn's layers'
# Made on first use (seed 0): numpy.random imports hashlib, which `import autograd_lite` avoids.
_default_generator: np.random.Generator | None = None


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the generator ``rand``/``randn`` use when given no ``rng``; returns it."""
    global _default_generator
    _default_generator = np.random.default_rng(seed)
    return _default_generator


def _size(op: str, size: tuple) -> tuple[int, ...]:
    """A size given as ``f(2, 3)`` or ``f((2, 3))``, every dimension >= 0."""
    shape = shape_arg(op, size)
    if any(n < 0 for n in shape):
        raise ShapeError(f"{op}: sizes must be >= 0, got {shape}")
    return shape


def _make(values: np.ndarray, dtype: Any, requires_grad: bool, op: str) -> Tensor:
    """A tensor of ``values`` cast to ``dtype`` (None: float32 for floats, else kept)."""
    if dtype is None:
        dtype = DEFAULT_FLOAT if values.dtype.kind == "f" else values.dtype
    return Tensor(values.astype(dtype_arg(op, dtype)), requires_grad=requires_grad)


def zeros(*size: int, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _make(np.zeros(_size("zeros", size)), dtype, requires_grad, "zeros")


def ones(*size: int, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``."""
    return _make(np.ones(_size("ones", size)), dtype, requires_grad, "ones")


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (an int gives int64, a bool bool)."""
    size = _size("full", size if isinstance(size, tuple | list) else (size,))
    value = np.asarray(fill_value)
    if value.ndim or value.dtype.kind not in "biuf":
        raise DTypeError(f"full: fill_value must be a number, got {fill_value!r:.40}")
    return _make(np.full(size, value), dtype, requires_grad, "full")


def arange(
    start: float, end: float | None = None, step: float = 1, *, dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """Values from ``start`` to ``end`` (excluded) by ``step``; ``arange(n)`` is 0 .. n-1.

    All-int arguments give int64, any float gives float32, as in PyTorch.
    """
    if step == 0:
        raise DTypeError("arange: step must not be 0")
    values = np.arange(0, start, step) if end is None else np.arange(start, end, step)
    return _make(values, dtype, requires_grad, "arange")


def linspace(
    start: float, end: float, steps: int, *, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise DTypeError(f"linspace: steps must be an int >= 0, got {steps!r}")
    return _make(np.linspace(start, end, int(steps)), dtype, requires_grad, "linspace")


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m defaults to n)."""
    n, m = _size("eye", (n, n if m is None else m))
    return _make(np.eye(n, m), dtype, requires_grad, "eye")


def _generator(rng: np.random.Generator | None, op: str) -> np.random.Generator:
    if rng is None:
        return manual_seed(0) if _default_generator is None else _default_generator
    if not isinstance(rng, np.random.Generator):
        raise DTypeError(
            f"{op}: rng must be a numpy Generator, e.g. np.random.default_rng(0), got {rng!r:.40}"
        )
    return rng


def _float_dtype(dtype: Any, op: str) -> Any:
    if dtype is not None and dtype_arg(op, dtype).kind != "f":
        raise DTypeError(f"{op}: random values need a float dtype, got {np.dtype(dtype)}")
    return dtype


def rand(
    *size: int, rng: np.random.Generator | None = None, dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """Uniform values in [0, 1); ``rng`` defaults to the module's generator (``manual_seed``)."""
    values = _generator(rng, "rand").random(_size("rand", size))
    return _make(values, _float_dtype(dtype, "rand"), requires_grad, "rand")


def randn(
    *size: int, rng: np.random.Generator | None = None, dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """Standard normal values; ``rng`` defaults to the module's generator (``manual_seed``).

    >>> randn(2, 3, rng=np.random.default_rng(0)).shape
    (2, 3)
    """
    values = _generator(rng, "randn").standard_normal(_size("randn", size))
    return _make(values, _float_dtype(dtype, "randn"), requires_grad, "randn")


def _like_dtype(t: Any, dtype: Any) -> Any:
    return np.asarray(t).dtype if dtype is None else dtype


def zeros_like(t: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``t``'s shape and (unless ``dtype`` says otherwise) dtype."""
    return zeros(np.shape(t), dtype=_like_dtype(t, dtype), requires_grad=requires_grad)


def ones_like(t: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``t``'s shape and (unless ``dtype`` says otherwise) dtype."""
    return ones(np.shape(t), dtype=_like_dtype(t, dtype), requires_grad=requires_grad)


def full_like(t: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``t``'s shape and (unless ``dtype`` says otherwise) dtype."""
    return full(np.shape(t), fill_value, dtype=_like_dtype(t, dtype), requires_grad=requires_grad)


def rand_like(
    t: Any, *, rng: np.random.Generator | None = None, dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """``rand`` in ``t``'s shape and (unless ``dtype`` says otherwise) float dtype."""
    return rand(np.shape(t), rng=rng, dtype=_like_dtype(t, dtype), requires_grad=requires_grad)


def randn_like(
    t: Any, *, rng: np.random.Generator | None = None, dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """``randn`` in ``t``'s shape and (unless ``dtype`` says otherwise) float dtype."""
    return randn(np.shape(t), rng=rng, dtype=_like_dtype(t, dtype), requires_grad=requires_grad)


def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """Rows of zeros with a 1 at each label: shape ``labels.shape + (num_classes,)``, int64.

    ``num_classes=-1`` takes ``labels.max() + 1``, as PyTorch does.

    >>> one_hot(Tensor([0, 2], dtype=np.int64)).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise DTypeError(f"one_hot: labels must be integers, got {labels.dtype}")
    if num_classes == -1:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise IndexingError(
            f"one_hot: labels must lie in [0, {num_classes - 1}], got values from "
            f"{labels.min()} to {labels.max()}; pass a larger num_classes"
        )
    return Tensor(np.eye(num_classes, dtype=np.int64)[labels])
