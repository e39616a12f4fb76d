"""Learning-rate schedulers: ``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``.

A scheduler remembers the optimizer's lr at construction (``base_lr``) and counts its
``step()`` calls (``last_epoch``, starting at 0). Each ``step()`` sets ``optimizer.lr`` to
PyTorch's closed form at the new count t:

- StepLR:            base_lr * gamma ** (t // step_size)
- ExponentialLR:     base_lr * gamma ** t
- CosineAnnealingLR: eta_min + (base_lr - eta_min) * (1 + cos(pi t / T_max)) / 2
  (past T_max the cosine climbs back, as PyTorch's closed form does)

Call ``scheduler.step()`` after ``optimizer.step()``, once per epoch. The closed form means
the schedule does not read the optimizer's current lr: two schedulers on one optimizer do
not compose (PyTorch's recursive forms do), and the last one to step wins.
``load_state_dict`` restores the schedule but, as in PyTorch, not ``optimizer.lr``: load the
optimizer's own state dict too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from .optimizer import Optimizer
from .validation import Check, check_hyperparams, count, nonnegative, positive, positive_int


def _epoch(owner: str, name: str, value: Any) -> int:
    return count(owner, name, value, 0)


class LRScheduler:
    """Base class: ``step()`` sets ``optimizer.lr`` to ``_closed_form(last_epoch)``."""

    _hyper_checks: ClassVar[dict[str, Check]] = {}

    def __init__(self, optimizer: Optimizer, **hyperparams: Any) -> None:
        owner = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{owner}: expected an optim.Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr: float = optimizer.lr
        self.last_epoch = 0
        for name, value in check_hyperparams(owner, self._hyper_checks, hyperparams).items():
            setattr(self, name, value)

    def step(self) -> None:
        """Advance one epoch and set the optimizer's lr to the schedule's value there."""
        self.optimizer.lr = self._closed_form(self.last_epoch + 1)
        self.last_epoch += 1

    def get_last_lr(self) -> float:
        """The lr the schedule set last (``base_lr`` before the first ``step()``)."""
        return self.base_lr if self.last_epoch == 0 else self._closed_form(self.last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """``base_lr``, ``last_epoch`` and the hyper-parameters (the optimizer is not saved)."""
        return {
            "base_lr": self.base_lr,
            "last_epoch": self.last_epoch,
            **{name: getattr(self, name) for name in self._hyper_checks},
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what ``state_dict()`` saved, checked in full before anything changes."""
        checks = {"base_lr": nonnegative, "last_epoch": _epoch, **self._hyper_checks}
        owner = f"{type(self).__name__}.load_state_dict"
        for name, value in check_hyperparams(owner, checks, state_dict).items():
            setattr(self, name, value)

    def _closed_form(self, epoch: int) -> float:
        raise NotImplementedError(
            f"{type(self).__name__}: LRScheduler is a base class; use StepLR, ExponentialLR "
            "or CosineAnnealingLR, or define _closed_form(epoch)"
        )


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size): decay by gamma every step_size epochs.

    >>> from autograd_lite import Tensor
    >>> from optim import SGD
    >>> opt = SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    >>> scheduler = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for _ in range(5):
    ...     scheduler.step()
    ...     lrs.append(opt.lr)
    >>> lrs
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    _hyper_checks = {"step_size": positive_int, "gamma": positive}

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer, step_size=step_size, gamma=gamma)

    def _closed_form(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch."""

    _hyper_checks = {"gamma": positive}

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        super().__init__(optimizer, gamma=gamma)

    def _closed_form(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2 (SGDR, no restarts)."""

    _hyper_checks = {"T_max": positive_int, "eta_min": nonnegative}

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer, T_max=T_max, eta_min=eta_min)

    def _closed_form(self, epoch: int) -> float:
        cosine = (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        return self.eta_min + (self.base_lr - self.eta_min) * cosine
