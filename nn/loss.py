"""Loss modules: the losses of ``functional`` as layers, with their options chosen once.

Each checks its options when built, so a bad reduction or label smoothing fails at the line
that made the loss, not in the middle of training.
"""

from __future__ import annotations

from typing import Any

from autograd_lite import Tensor

from . import functional as F
from ._checks import check_choice
from ._targets import REDUCTIONS
from .classification import check_ignore_index, check_smoothing, weight_array
from .module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = check_choice(reduction, REDUCTIONS, "reduction", type(self).__name__)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    """A loss with per-class ``weight`` (kept as an array, not a parameter)."""

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight_array(weight, type(self).__name__)


class CrossEntropyLoss(_WeightedLoss):
    """``functional.cross_entropy``: softmax cross-entropy from logits, with labels or
    probabilities, class ``weight``, ``ignore_index`` and ``label_smoothing``.

    >>> from autograd_lite import Tensor
    >>> round(CrossEntropyLoss()(Tensor([[0.0, 0.0]]), [0]).item(), 4)
    0.6931
    """

    def __init__(
        self,
        weight: Any = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = check_ignore_index(ignore_index, "CrossEntropyLoss")
        self.label_smoothing = check_smoothing(label_smoothing, "CrossEntropyLoss")

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )

    def extra_repr(self) -> str:
        smoothing = f", label_smoothing={self.label_smoothing}" if self.label_smoothing else ""
        return f"{super().extra_repr()}{smoothing}"


class NLLLoss(_WeightedLoss):
    """``functional.nll_loss``: the negative log-likelihood of log-probabilities.

    >>> from autograd_lite import Tensor
    >>> NLLLoss()(Tensor([[-1.0, -2.0]]), [1]).item()
    2.0
    """

    def __init__(
        self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = check_ignore_index(ignore_index, "NLLLoss")

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class BCEWithLogitsLoss(_Loss):
    """``functional.binary_cross_entropy_with_logits``: sigmoid and binary cross-entropy in
    one stable step, with an element ``weight`` and a per-class ``pos_weight``.

    >>> from autograd_lite import Tensor
    >>> round(BCEWithLogitsLoss()(Tensor([0.0]), [1.0]).item(), 4)  # log 2
    0.6931
    """

    def __init__(self, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None):
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight  # checked against the input

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class MSELoss(_Loss):
    """``functional.mse_loss``: mean((x - t)^2)."""

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, self.reduction)
