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
    def forward(ctx, x, p, rng, mask_shape):
        keep = rng.random(mask_shape) >= p
        scale = (keep / (1.0 - p) if p < 1.0 else np.zeros(mask_shape)).astype(x.dtype)
        ctx.save_for_backward(scale)
        return x * scale

    @staticmethod
    def backward(ctx, grad):
        (scale,) = ctx.saved
        return grad * ctx.constant(scale)
