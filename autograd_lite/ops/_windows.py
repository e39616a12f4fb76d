"""Sliding windows over the last two axes (height, width): the geometry of convolution and
pooling, shared by ``conv.py`` and ``pool.py``.

A window of a ``(kh, kw)`` kernel with dilation ``(dh, dw)`` reads the input rows
``i * sh + p * dh`` for kernel offsets ``p = 0 .. kh-1`` (columns alike), so one output
position spans ``dh * (kh - 1) + 1`` rows. Two ways to visit the windows:

- ``windows(x, ...)``: a view ``(..., OH, OW, kh, kw)`` of every window, no copy (numpy's
  ``sliding_window_view``); a matrix product copies it once into the book's column matrix;
- ``taps(x, ...)``: for each kernel offset ``(p, q)``, the view ``(..., OH, OW)`` of the
  input elements every window reads there (a strided slice). The book's col2im adds into
  these one offset at a time, and pooling takes its maximum over them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[int, int]


def out_size(size: Pair, kernel: Pair, stride: Pair, dilation: Pair = (1, 1)) -> Pair:
    """Output height and width: floor((H - d (k - 1) - 1) / s) + 1 (PyTorch's formula, on an
    input already padded)."""
    return tuple(
        (n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(size, kernel, stride, dilation)
    )


def windows(x: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair = (1, 1)) -> np.ndarray:
    """The view ``(..., OH, OW, kh, kw)`` of ``x``'s windows (no copy)."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    view = sliding_window_view(x, span, axis=(-2, -1))
    return view[..., :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


def taps(
    x: np.ndarray, kernel: Pair, stride: Pair, out: Pair, dilation: Pair = (1, 1)
) -> Iterator[np.ndarray]:
    """For each kernel offset in row-major order, the view ``(..., OH, OW)`` of what the
    windows read there; writing into a view writes into ``x``."""
    (kh, kw), (sh, sw), (oh, ow), (dh, dw) = kernel, stride, out, dilation
    for p in range(kh):
        for q in range(kw):
            top, left = p * dh, q * dw
            yield x[..., top : top + sh * (oh - 1) + 1 : sh, left : left + sw * (ow - 1) + 1 : sw]
