"""Learning-rate schedulers: ``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``.

A scheduler remembers the lr of each of the optimizer's parameter groups at construction
(``base_lrs``) and counts its ``step()`` calls (``last_epoch``, starting at 0). Each
``step()`` sets every group's lr to PyTorch's closed form at the new count t, from that
group's base_lr:

- StepLR:            base_lr * gamma ** (t // step_size)
- ExponentialLR:     base_lr * gamma ** t
- CosineAnnealingLR: eta_min + (base_lr - eta_min) * (1 + cos(pi t / T_max)) / 2
  (past T_max the cosine climbs back, as PyTorch's closed form does)

Call ``scheduler.step()`` after ``optimizer.step()``, once per epoch. The closed form means
the schedule does not read the optimizer's current lr: two schedulers on one optimizer do
not compose (PyTorch's recursive forms do), and the last one to step wins.
``get_last_lr()`` is a list, one lr per group, as in PyTorch. ``load_state_dict`` restores
the schedule but, as in PyTorch, not the optimizer's rates: load the optimizer's own state
dict too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from autograd_lite import effect

from .optimizer import Optimizer
from .validation import Check, check_hyperparams, count, nonnegative, positive, positive_int


def _epoch(owner: str, name: str, value: Any) -> int:
    return count(owner, name, value, 0)


def _rate_list(owner: str, name: str, value: Any) -> list[float]:
    """A list of learning rates, one per parameter group."""
    if not isinstance(value, list | tuple) or not value:
        raise TypeError(f"{owner}: {name} must be a list of learning rates, got {value!r:.60}")
    return [nonnegative(owner, f"{name}[{i}]", rate) for i, rate in enumerate(value)]


class LRScheduler:
    """Base class: ``step()`` sets each group's lr to ``_closed_form(base_lr, last_epoch)``."""

    _hyper_checks: ClassVar[dict[str, Check]] = {}

    def __init__(self, optimizer: Optimizer, **hyperparams: Any) -> None:
        owner = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{owner}: expected an optim.Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        for name, value in check_hyperparams(owner, self._hyper_checks, hyperparams).items():
            setattr(self, name, value)

    def step(self) -> None:
        """Advance one epoch and set every group's lr to the schedule's value there.

        All the new rates are computed and checked before any is set, so a rate the
        optimizer would refuse (an overflow to inf) changes nothing. An ``effect``: inside
        ``autograd_lite.compile`` it happens on every replay.
        """
        effect(self._step)

    def _step(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise ValueError(
                f"{type(self).__name__}.step: the optimizer has {len(groups)} parameter groups "
                f"but the scheduler knows {len(self.base_lrs)}; build the scheduler after the "
                "last add_param_group()"
            )
        owner = type(self.optimizer).__name__
        rates = [nonnegative(owner, "lr", rate) for rate in self._rates(self.last_epoch + 1)]
        for group, rate in zip(groups, rates):
            group["lr"] = rate
        self.last_epoch += 1

    def get_last_lr(self) -> list[float]:
        """The rates the schedule set last, one per group (``base_lrs`` before any step)."""
        return list(self.base_lrs) if self.last_epoch == 0 else self._rates(self.last_epoch)

    def _rates(self, epoch: int) -> list[float]:
        return [self._closed_form(base_lr, epoch) for base_lr in self.base_lrs]

    def state_dict(self) -> dict[str, Any]:
        """``base_lrs``, ``last_epoch`` and the hyper-parameters (the optimizer is not saved)."""
        return {
            "base_lrs": list(self.base_lrs),
            "last_epoch": self.last_epoch,
            **{name: getattr(self, name) for name in self._hyper_checks},
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what ``state_dict()`` saved, checked in full before anything changes."""
        checks = {"base_lrs": _rate_list, "last_epoch": _epoch, **self._hyper_checks}
        owner = f"{type(self).__name__}.load_state_dict"
        values = check_hyperparams(owner, checks, state_dict)
        if len(values["base_lrs"]) != len(self.optimizer.param_groups):
            raise ValueError(
                f"{owner}: base_lrs has {len(values['base_lrs'])} rates but the optimizer has "
                f"{len(self.optimizer.param_groups)} parameter groups"
            )
        for name, value in values.items():
            setattr(self, name, value)

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        raise NotImplementedError(
            f"{type(self).__name__}: LRScheduler is a base class; use StepLR, ExponentialLR "
            "or CosineAnnealingLR, or define _closed_form(base_lr, epoch)"
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
    ...     lrs.append(opt.param_groups[0]["lr"])
    >>> lrs
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    _hyper_checks = {"step_size": positive_int, "gamma": positive}

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer, step_size=step_size, gamma=gamma)

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch."""

    _hyper_checks = {"gamma": positive}

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        super().__init__(optimizer, gamma=gamma)

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2 (SGDR, no restarts)."""

    _hyper_checks = {"T_max": positive_int, "eta_min": nonnegative}

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer, T_max=T_max, eta_min=eta_min)

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        cosine = (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        return self.eta_min + (base_lr - self.eta_min) * cosine
