"""Convolution and pooling layers (chapter 7): Conv2d, MaxPool2d, AvgPool2d and Dropout2d.

They work on images ``(N, C, H, W)`` and follow PyTorch: ``Conv2d``'s weight has PyTorch's
shape ``(out_channels, in_channels / groups, kh, kw)`` and its parameters are named ``weight``
and ``bias``, so a state dict moves between the two without reshaping (unlike ``Linear``,
whose weight is stored ``(in, out)`` as in the notes). The mathematics lives in
``autograd_lite.conv2d`` and the pooling functions (the book's im2col).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite import ShapeError, Tensor, as_tensor

from . import functional as F
from . import init
from ._checks import as_generator, check_dtype, check_size, float_dtype
from .layers import Dropout
from .module import Module, Parameter

IntPair = int | tuple[int, int]


def _pair(value: IntPair) -> tuple[int, int]:
    return (value, value) if isinstance(value, int | np.integer) else tuple(value)


class Conv2d(Module):
    """2-D convolution: (N, in_channels, H, W) -> (N, out_channels, OH, OW).

    weight (out_channels, in_channels / groups, kh, kw) and bias (out_channels,) start as
    U(-k, k) with k = 1 / sqrt(fan_in), fan_in = in_channels / groups * kh * kw (PyTorch's
    default). For He initialization before ReLU:
    ``conv.weight.data[...] = nn.init.kaiming_normal(conv.weight.shape, rng)`` (``nn.init``
    reads conv fans from this layout).

    >>> import numpy as np
    >>> conv = Conv2d(1, 30, 5, rng=np.random.default_rng(0))
    >>> conv(np.zeros((2, 1, 28, 28), dtype=np.float32)).shape
    (2, 30, 24, 24)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntPair,
        stride: IntPair = 1,
        padding: IntPair | str = 0,
        dilation: IntPair = 1,
        groups: int = 1,
        bias: bool = True,
        rng: np.random.Generator | None = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        self.in_channels = check_size(in_channels, "in_channels", "Conv2d")
        self.out_channels = check_size(out_channels, "out_channels", "Conv2d")
        self.groups = check_size(groups, "groups", "Conv2d")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"Conv2d: in_channels ({in_channels}) and out_channels ({out_channels}) must "
                f"both be divisible by groups ({groups})"
            )
        kernel = _pair(kernel_size)
        if len(kernel) != 2:
            raise ValueError(f"Conv2d: kernel_size must be an int or a pair, got {kernel_size!r}")
        self.kernel_size = tuple(check_size(k, "kernel_size", "Conv2d") for k in kernel)
        self.stride, self.padding, self.dilation = stride, padding, dilation
        rng = as_generator(rng, "Conv2d", allow_none=True)
        dtype = float_dtype(dtype, "Conv2d")
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        k = 1.0 / math.sqrt(init.fans(shape)[0])
        self.weight = Parameter(init.uniform(shape, rng, -k, k, dtype))
        self.bias = Parameter(init.uniform(self.out_channels, rng, -k, k, dtype)) if bias else None

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ShapeError(
                f"{self!r}: expected input of shape (N, {self.in_channels}, H, W), got {x.shape}"
            )
        check_dtype(self, x, self.weight.dtype)
        return F.conv2d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        extras = [f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"]
        extras += [f"stride={self.stride}"] if self.stride != 1 else []
        extras += [f"padding={self.padding}"] if self.padding != 0 else []
        extras += [f"dilation={self.dilation}"] if self.dilation != 1 else []
        extras += [f"groups={self.groups}"] if self.groups != 1 else []
        extras += ["bias=False"] if self.bias is None else []
        return ", ".join(extras)


class _Pool2d(Module):
    """The pooling layers' arguments: kernel_size, stride (default: the kernel) and padding."""

    def __init__(
        self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The maximum of each window (the book's Pooling layer); the gradient goes to the first
    maximum of a window in row-major order."""

    def forward(self, x: Any) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each window; padded zeros count (PyTorch's default)."""

    def forward(self, x: Any) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class Dropout2d(Dropout):
    """Channel dropout (see ``functional.dropout2d``): whole feature maps are zeroed, since
    neighbouring pixels of one map are too correlated for elementwise dropout to regularize.
    Active only in training mode."""

    def forward(self, x: Any) -> Tensor:
        return F.dropout2d(x, self.p, self.training, self.rng)
