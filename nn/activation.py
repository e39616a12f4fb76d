"""Activation layers beyond ReLU, Sigmoid and Tanh, with PyTorch's names and arguments.

Each wraps the engine's op of the same name (``autograd_lite.softplus``...), reached through
``functional``; none has parameters, so each keeps the float dtype it is given.
"""

from __future__ import annotations

from typing import Any

from autograd_lite import Tensor

from . import functional as F
from .module import Module


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, and x where beta x > threshold.

    >>> round(Softplus()(Tensor([0.0])).item(), 4)
    0.6931
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Any) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Module):
    """x Phi(x) (Phi the normal CDF), or its tanh approximation with ``approximate='tanh'``."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, x: Any) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x sigmoid(x) (swish)."""

    def forward(self, x: Any) -> Tensor:
        return F.silu(x)


class ELU(Module):
    """x for x > 0, else alpha (e^x - 1)."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Any) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class LogSigmoid(Module):
    """log(sigmoid(x)), finite for any x."""

    def forward(self, x: Any) -> Tensor:
        return F.log_sigmoid(x)


class Hardtanh(Module):
    """x clipped to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: Any) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"
