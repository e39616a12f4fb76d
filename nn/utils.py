"""Training utilities: gradient clipping."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from autograd_lite import Tensor


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float) -> float:
    """Scale all gradients together so their global 2-norm is at most ``max_norm``.

    total = sqrt(sum over parameters of ||grad||^2); when total > max_norm every gradient is
    multiplied by max_norm / (total + 1e-6), PyTorch's rule. Returns the total norm before
    clipping. Each clipped gradient is a *new* Tensor assigned to ``.grad``: a gradient array
    may be shared with another tensor (the engine hands one gradient to several inputs of an
    add), so scaling it in place could change that other tensor's gradient too.

    >>> from autograd_lite import Tensor
    >>> w = Tensor([0.0, 0.0], requires_grad=True)
    >>> w.grad = Tensor([3.0, 4.0])
    >>> clip_grad_norm_([w], 1.0), w.grad.data.round(3).tolist()
    (5.0, [0.6, 0.8])
    """
    if max_norm < 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    with_grad = [p for p in params if p.grad is not None]
    # accumulated in float64, so float32 gradients near 1e20 do not overflow the sum
    total = math.sqrt(
        sum(float(np.sum(np.square(p.grad.data, dtype=np.float64))) for p in with_grad)
    )
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for p in with_grad:
            p.grad = Tensor(p.grad.data * np.asarray(scale, dtype=p.grad.dtype))
    return total
