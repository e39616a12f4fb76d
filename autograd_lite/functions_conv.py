"""Convolution, pooling and padding as functions, with PyTorch's names and arguments.

``conv2d``, ``max_pool2d``, ``avg_pool2d`` and ``pad`` take an int or a pair ``(h, w)``
wherever PyTorch does; they check the arguments, pad with the ``pad`` op where needed and call
the ops of ``ops/conv.py``, ``ops/pool.py`` and ``ops/pad.py`` (the book's im2col, chapter 7).
``nn.functional`` offers the same functions and ``nn.Conv2d``, ``nn.MaxPool2d`` and
``nn.AvgPool2d`` are built on them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .errors import DTypeError, ShapeError
from .functions import _tensor
from .tensor import Tensor

IntPair = int | tuple[int, int]


def _pair(value: Any, what: str, op: str, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints, each >= ``minimum``, as a pair."""
    pair = (value, value) if isinstance(value, int | np.integer) else value
    if (
        not isinstance(pair, tuple | list)
        or len(pair) != 2
        or not all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in pair)
    ):
        raise DTypeError(f"{op}: {what} must be an int or a pair of ints (h, w), got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{op}: {what} must be >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def _image(x: Any, op: str) -> Tensor:
    x = _tensor(x, op)
    if x.ndim != 4:
        raise ShapeError(f"{op}: expected an input (N, C, H, W), got shape {x.shape}")
    return x


def _padded(x: Tensor, padding: tuple[tuple[int, int], tuple[int, int]]) -> Tensor:
    """``x`` with zeros added to the height ((top, bottom)) and width ((left, right))."""
    if padding == ((0, 0), (0, 0)):
        return x
    return ops.Pad.apply(x, widths=((0, 0), (0, 0), *padding), value=0.0)


def _conv_padding(padding: Any, kernel: tuple[int, int], dilation: tuple[int, int], stride):
    """(top, bottom), (left, right) from an int, a pair, ``'valid'`` or ``'same'``."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ValueError(f"conv2d: padding='same' needs stride 1, got stride {stride}")
        # the total d (k - 1) split with the extra element at the end, as PyTorch does
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(padding, str):
        raise ValueError(
            f"conv2d: padding must be an int, a pair, 'valid' or 'same', got {padding!r}"
        )
    ph, pw = _pair(padding, "padding", "conv2d", minimum=0)
    return (ph, ph), (pw, pw)


def conv2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of (N, C, H, W) with (O, C / groups,
    kh, kw) filters, plus a bias of shape (O,); the output is (N, O, OH, OW).

    OH = floor((H + 2 padding - dilation (kh - 1) - 1) / stride) + 1 (OW alike).

    >>> import numpy as np
    >>> x, w = np.ones((1, 1, 4, 4)), np.ones((2, 1, 3, 3))
    >>> conv2d(x, w, padding=1).shape
    (1, 2, 4, 4)
    """
    x, w = _image(x, "conv2d"), _tensor(weight, "conv2d")
    if w.ndim != 4:
        raise ShapeError(f"conv2d: expected a weight (O, C / groups, kh, kw), got shape {w.shape}")
    if isinstance(groups, bool) or not isinstance(groups, int | np.integer) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    padding = _conv_padding(padding, w.shape[2:], dilation, stride)
    out = ops.Conv2d.apply(
        _padded(x, padding), w, stride=stride, dilation=dilation, groups=int(groups)
    )
    if bias is None:
        return out
    b = _tensor(bias, "conv2d")
    if b.shape != (w.shape[0],):
        raise ShapeError(f"conv2d: bias must have shape ({w.shape[0]},), got {b.shape}")
    return out + b.reshape(-1, 1, 1)


def _pool_arguments(op: str, kernel_size: Any, stride: Any, padding: Any):
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else _pair(stride, "stride", op)
    padding = _pair(padding, "padding", op, minimum=0)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel size {kernel}")
    return kernel, stride, padding


def max_pool2d(
    x: Any, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0
) -> Tensor:
    """The maximum of each window of (N, C, H, W) (stride defaults to the kernel size).

    The gradient of a window goes to its first maximum in row-major order (one element,
    also when several tie); padding is -inf, so it never wins.

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> max_pool2d(x, 2).data[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    kernel, stride, padding = _pool_arguments("max_pool2d", kernel_size, stride, padding)
    x = _image(x, "max_pool2d")
    return ops.MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=padding)


def avg_pool2d(
    x: Any, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0
) -> Tensor:
    """The mean of each window of (N, C, H, W); padded zeros count (PyTorch's default)."""
    kernel, stride, padding = _pool_arguments("avg_pool2d", kernel_size, stride, padding)
    x = _padded(_image(x, "avg_pool2d"), tuple((p, p) for p in padding))
    return ops.AvgPool2d.apply(x, kernel=kernel, stride=stride)


def pad(x: Any, pad: tuple[int, ...], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Add ``value`` around the last axes; ``pad`` is PyTorch's flat form, last axis first:
    ``(left, right)``, ``(left, right, top, bottom)``, ...

    >>> pad(np.ones((2, 2)), (1, 0, 0, 1)).data
    array([[0., 1., 1.],
           [0., 1., 1.],
           [0., 0., 0.]])
    """
    x = _tensor(x, "pad")
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    widths = tuple(pad) if isinstance(pad, tuple | list) else None
    if (
        widths is None
        or len(widths) % 2
        or len(widths) // 2 > x.ndim
        or not all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in widths)
    ):
        raise ValueError(
            f"pad: pad must be a tuple of (before, after) pairs of ints, last axis first, at "
            f"most {x.ndim} pairs for shape {x.shape}, got {pad!r}"
        )
    if any(n < 0 for n in widths):
        raise ValueError(f"pad: negative padding {pad!r} is not supported; slice the tensor")
    pairs = [(int(widths[i]), int(widths[i + 1])) for i in range(0, len(widths), 2)]
    pairs = [(0, 0)] * (x.ndim - len(pairs)) + pairs[::-1]
    return ops.Pad.apply(x, widths=tuple(pairs), value=value)
