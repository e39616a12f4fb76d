"""Dropout as one op that draws its own mask: x * keep / (1 - p), keep ~ Bernoulli(1 - p).

The mask is drawn inside ``forward`` from the generator passed as an attribute, so every
execution of the op draws afresh, also when a compiled function replays it (a mask drawn
in Python beside the op would be fixed at the trace). ``mask_shape`` broadcasts against x:
x's own shape for dropout, (N, C, 1, 1) for channel dropout. Backward multiplies by the
same scaled mask, a constant: the gradient of the gradient is 0.
"""

from __future__ import annotations

import numpy as np

from ._dual import Op


class Dropout(Op):
    reads_inputs = False  # backward uses the saved mask

    @staticmethod
    def forward(ctx, x, p, rng, mask_shape, out=None):
        draws = rng.random(mask_shape, out=ctx.buffer("draws", mask_shape, np.float64))
        keep = np.greater_equal(draws, p, out=ctx.buffer("keep", mask_shape, np.bool_))
        scale = ctx.buffer("scale", mask_shape, x)
        if p < 1.0:  # 1 / (1 - p) where kept, computed in float64 and rounded to x's dtype
            scale = np.divide(keep, 1.0 - p, out=scale, dtype=np.float64)
        else:
            scale = np.zeros(mask_shape) if scale is None else scale
            scale.fill(0)
        scale = scale.astype(x.dtype, copy=False)
        ctx.save_for_backward(scale)
        return np.multiply(x, scale, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        (scale,) = ctx.saved
        return np.multiply(grad, ctx.constant(scale), out=out)
