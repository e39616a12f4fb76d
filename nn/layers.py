"""The layers: Linear (the notes' Affine), activations, Flatten and Dropout.

Normalization layers live in ``normalization.py``, the other activations in ``activation.py``.

dtype policy: layers with parameters take ``dtype`` (default ``np.float32``, like PyTorch,
half the memory of float64 and what ``load_mnist`` returns) and create their parameters and
buffers in it. Their input must have that dtype: a float64 batch into a float32 layer raises
``DTypeError`` with the fix, instead of silently computing in float64. Gradient checks build
layers with ``dtype=np.float64``. Parameter-free layers keep whatever float dtype they get.

Layers with random weights take ``rng: np.random.Generator | None`` (None: a fresh
``np.random.default_rng()``); pass a seeded generator to reproduce a model exactly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite import ShapeError, Tensor, as_tensor

from . import functional as F
from . import init
from ._checks import as_generator, check_features, check_probability, check_size, float_dtype
from .module import Module, Parameter


class Linear(Module):
    """The notes' Affine layer: y = x @ W + b.

    W has shape (in_features, out_features), as in the notes, so the forward pass is one
    matmul read left to right: (N, in) @ (in, out) -> (N, out). (PyTorch stores W^T and
    computes x @ W^T; a state dict from PyTorch needs its weights transposed.) W and b start
    as U(-k, k) with k = 1 / sqrt(in_features), PyTorch's default; re-initialize with
    ``nn.init`` if you want another scheme.

    >>> import numpy as np
    >>> layer = Linear(3, 2, rng=np.random.default_rng(0))
    >>> layer(np.ones((4, 3), dtype=np.float32)).shape
    (4, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: np.random.Generator | None = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        self.in_features = check_size(in_features, "in_features", "Linear")
        self.out_features = check_size(out_features, "out_features", "Linear")
        rng = as_generator(rng, "Linear", allow_none=True)
        dtype = float_dtype(dtype, "Linear")
        k = 1.0 / math.sqrt(self.in_features)
        shape = (self.in_features, self.out_features)
        self.weight = Parameter(init.uniform(shape, rng, -k, k, dtype))
        self.bias = Parameter(init.uniform(shape[1], rng, -k, k, dtype)) if bias else None

    def forward(self, x: Any) -> Tensor:
        x = check_features(self, x, self.in_features, self.weight.dtype, batch_only=False)
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class ReLU(Module):
    """relu(x) = max(x, 0); the gradient is 1 where x > 0, else 0 (the notes' Relu layer)."""

    def forward(self, x: Any) -> Tensor:
        return F.relu(x)


class Sigmoid(Module):
    """sigmoid(x) = 1 / (1 + e^-x); the gradient is y (1 - y) (the notes' Sigmoid layer)."""

    def forward(self, x: Any) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x); the gradient is 1 - y^2."""

    def forward(self, x: Any) -> Tensor:
        return F.tanh(x)


class LeakyReLU(Module):
    """x for x > 0, else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Any) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(Module):
    """softmax(x)_i = e^(x_i) / sum_j e^(x_j) along ``axis`` (the engine's stable fused op).

    For training a classifier, feed logits to ``CrossEntropyLoss`` instead: it includes the
    softmax, stably.
    """

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Tensor:
        return F.softmax(x, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Identity(Module):
    """Returns its input unchanged (the notes' identity function for regression outputs)."""

    def forward(self, x: Any) -> Any:
        return x


class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...): images to rows for a Linear layer."""

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if x.ndim == 0:
            raise ShapeError(f"{self!r}: expected an input with a batch axis, got shape ()")
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))


class Dropout(Module):
    """Inverted dropout (see ``functional.dropout``), active only in training mode.

    ``rng`` draws the masks; give a seeded generator for reproducible training.
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.p = check_probability(p, "Dropout")
        self.rng = as_generator(rng, "Dropout", allow_none=True)

    def forward(self, x: Any) -> Tensor:
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
