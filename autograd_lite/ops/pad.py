"""Constant padding: ``pad`` adds ``value`` around the edges of chosen axes.

``widths`` holds one ``(before, after)`` pair per axis (numpy's ``np.pad`` form);
``functions_conv.pad`` turns PyTorch's flat, last-axis-first form into it.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op


class Pad(Op):
    reads_inputs = False  # backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, widths, value):
        return np.pad(x, widths, constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        # the padded border is constant: the input's gradient is the middle of grad
        x = ctx.inputs[0]
        return grad[tuple(slice(lo, lo + n) for (lo, _), n in zip(ctx.attrs["widths"], x.shape))]
