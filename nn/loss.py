"""Loss modules: the losses of ``functional`` as layers, with the reduction chosen once."""

from __future__ import annotations

from typing import Any

from autograd_lite import Tensor

from . import functional as F
from ._checks import check_choice
from .module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = check_choice(reduction, F.REDUCTIONS, "reduction", type(self).__name__)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """``functional.cross_entropy``: softmax cross-entropy from logits, labels or one-hot.

    >>> from autograd_lite import Tensor
    >>> round(CrossEntropyLoss()(Tensor([[0.0, 0.0]]), [0]).item(), 4)
    0.6931
    """

    def forward(self, logits: Any, target: Any) -> Tensor:
        return F.cross_entropy(logits, target, self.reduction)


class MSELoss(_Loss):
    """``functional.mse_loss``: mean((x - t)^2)."""

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, self.reduction)
