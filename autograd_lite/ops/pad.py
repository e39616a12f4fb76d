"""Constant padding: ``pad`` adds ``value`` around the edges of chosen axes.

``widths`` holds one ``(before, after)`` pair per axis (numpy's ``np.pad`` form);
``functions_conv.pad`` turns PyTorch's flat, last-axis-first form into it.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op


def padded_shape(shape: tuple[int, ...], widths) -> tuple[int, ...]:
    """The shape of an array of ``shape`` padded by ``widths``."""
    return tuple(n + before + after for n, (before, after) in zip(shape, widths))


def fill_padded(out: np.ndarray, x: np.ndarray, widths, value: float) -> np.ndarray:
    """``out`` (of ``padded_shape``) set to ``x`` with ``value`` around it, as ``np.pad``
    makes it, in memory the caller chose."""
    out.fill(value)
    out[tuple(slice(before, before + n) for n, (before, _) in zip(x.shape, widths))] = x
    return out


class Pad(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, widths, value, out=None):
        if out is None:
            out = np.empty(padded_shape(x.shape, widths), x.dtype)
        return fill_padded(out, x, widths, value)

    @staticmethod
    def backward(ctx, grad):
        # the padded border is constant: the input's gradient is the middle of grad
        x = ctx.inputs[0]
        return grad[tuple(slice(lo, lo + n) for (lo, _), n in zip(ctx.attrs["widths"], x.shape))]
