"""Normalization layers: BatchNorm1d, BatchNorm2d (one batch-norm core) and LayerNorm.

Both kinds compute y = gamma (x - mu) / sqrt(var + eps) + beta with the biased variance,
and differ in the axes they average over:

- batch norm: per channel (axis 1), over the batch and every axis after the channel:
  (N, C) and (N, C, L) for ``BatchNorm1d``, (N, C, H, W) for ``BatchNorm2d``. In training
  mode the gradient flows through mu and var, and running estimates are updated as PyTorch
  does: running = (1 - momentum) running + momentum batch, with the unbiased variance
  var m / (m - 1) for m values per channel (the book behind the notes calls 1 - momentum its
  momentum). Evaluation mode normalizes with the running estimates.
- layer norm: per sample, over the last ``len(normalized_shape)`` axes, the same in training
  and evaluation (Ba, Kiros and Hinton, 2016); no running statistics.

gamma and beta are the parameters ``weight`` and ``bias`` (PyTorch's names); batch norm's
``running_mean`` and ``running_var`` are buffers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite import ShapeError, Tensor, as_tensor, effect

from . import init
from ._checks import check_dtype, check_size, float_dtype
from .module import Module, Parameter


def _normalize(x: Tensor, axes: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """(x - mu) / sqrt(var + eps) over ``axes`` (biased var), with mu and var (keepdims)."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
    return centered / (var + eps).sqrt(), mean, var


class _BatchNorm(Module):
    """The batch-norm core: normalize per channel (axis 1) over every other axis.

    A subclass names the input ranks it accepts (``_ranks``) and how to show them in an
    error (``_layouts``).
    """

    _ranks: tuple[int, ...] = ()
    _layouts: str = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = check_size(num_features, "num_features", name)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: momentum must be in [0, 1], got {momentum!r}")
        self.eps, self.momentum = float(eps), float(momentum)
        dtype = float_dtype(dtype, name)
        features = self.num_features
        self.weight = Parameter(init.ones(features, dtype)) if affine else None
        self.bias = Parameter(init.zeros(features, dtype)) if affine else None
        self.register_buffer("running_mean", init.zeros(features, dtype))
        self.register_buffer("running_var", init.ones(features, dtype))

    def forward(self, x: Any) -> Tensor:
        x = self._checked(x)
        axes = (0, *range(2, x.ndim))  # every axis but the channel axis
        per_channel = (self.num_features,) + (1,) * (x.ndim - 2)  # broadcasts against x
        if self.training:
            count = math.prod(x.shape[a] for a in axes)
            if count < 2:
                raise ShapeError(
                    f"{self!r}: training mode needs at least 2 values per channel to estimate "
                    f"a variance, got input of shape {x.shape}; use a batch of at least 2 "
                    "samples, or call eval() to use the running statistics"
                )
            normalized, mean, var = _normalize(x, axes, self.eps)
            effect(self._update_running, mean, var, count)  # compiled: on every replay
        else:
            mean = self.running_mean.reshape(per_channel)
            var = self.running_var.reshape(per_channel)
            normalized = (x - mean) / (var + self.eps).sqrt()
        if self.weight is None:
            return normalized
        return normalized * self.weight.reshape(per_channel) + self.bias.reshape(per_channel)

    def _checked(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if x.ndim not in self._ranks or x.shape[1] != self.num_features:
            layouts = self._layouts.format(C=self.num_features)
            raise ShapeError(f"{self!r}: expected input of shape {layouts}, got {x.shape}")
        check_dtype(self, x, self.running_mean.dtype)
        return x

    def _update_running(self, mean: Tensor, var: Tensor, count: int) -> None:
        """running <- (1 - momentum) running + momentum batch, with the unbiased variance."""
        mean = mean.data.reshape(-1)
        unbiased_var = var.data.reshape(-1) * (count / (count - 1))
        m = self.momentum
        self.running_mean.data = (1 - m) * self.running_mean.data + m * mean
        self.running_var.data = (1 - m) * self.running_var.data + m * unbiased_var

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.weight is not None}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs, per channel (Ioffe and Szegedy,
    2015); see the module docstring for the formulas.

    >>> import numpy as np
    >>> bn = BatchNorm1d(2, dtype=np.float64)
    >>> bn(np.array([[1.0, 10.0], [3.0, 30.0]])).data.round(3).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """

    _ranks = (2, 3)
    _layouts = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) images, per channel over N, H and W."""

    _ranks = (4,)
    _layouts = "(N, {C}, H, W)"


class LayerNorm(Module):
    """Normalize each sample over its last axes, ``normalized_shape``: PyTorch's LayerNorm.

    y = (x - mu) / sqrt(var + eps) * weight + bias, mu and var (biased) over the last
    ``len(normalized_shape)`` axes; ``weight`` (ones) and ``bias`` (zeros) have the shape
    ``normalized_shape`` and exist with ``elementwise_affine=True`` (``bias=False`` drops
    the bias only).

    >>> import numpy as np
    >>> LayerNorm(3, dtype=np.float64)(np.array([[1.0, 2.0, 3.0]])).data.round(4).tolist()
    [[-1.2247, 0.0, 1.2247]]
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...] | list[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(check_size(n, "normalized_shape", "LayerNorm") for n in shape)
        if not self.normalized_shape:
            raise ValueError("LayerNorm: normalized_shape must name at least one axis, got ()")
        self.eps = float(eps)
        dtype = float_dtype(dtype, "LayerNorm")
        self.elementwise_affine = bool(elementwise_affine)
        affine = self.elementwise_affine
        self.weight = Parameter(init.ones(self.normalized_shape, dtype)) if affine else None
        with_bias = affine and bias
        self.bias = Parameter(init.zeros(self.normalized_shape, dtype)) if with_bias else None
        self._dtype = dtype

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        k = len(self.normalized_shape)
        if x.ndim < k or x.shape[x.ndim - k :] != self.normalized_shape:
            raise ShapeError(
                f"{self!r}: expected input of shape (..., "
                f"{', '.join(map(str, self.normalized_shape))}), got {x.shape}"
            )
        check_dtype(self, x, self._dtype)
        out, _, _ = _normalize(x, tuple(range(x.ndim - k, x.ndim)), self.eps)
        if self.weight is not None:
            out = out * self.weight
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
