"""``Optimizer``: the base class of every optimizer in ``optim``.

An optimizer holds three things:

- the parameters: a tuple in the order given, each tensor once (a repeated tensor keeps its
  first position). Positions are what the state is keyed by, which is why a ``set`` (whose
  order changes between runs) is refused;
- the hyper-parameters, as attributes. Only ``lr`` is meant to change after construction
  (learning-rate schedulers assign it); it is checked on every assignment;
- the per-parameter state: ``state[i]`` belongs to ``params[i]`` and is created on that
  parameter's first step. Its entries use PyTorch's names; ``step`` is an int counter, every
  other entry is an array of the parameter's shape and dtype.

A subclass declares its hyper-parameters (``_hyper_checks``: name -> check from
``validation.py``), the names of its state (``_state_names``) and one update rule
(``_update(p, g, state)``) that works on numpy arrays in place, so ``step()`` builds no graph
and a float32 parameter stays float32.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from autograd_lite import Tensor

from .validation import Check, check_hyperparams, count, nonnegative


class Optimizer:
    """Base class: parameters, hyper-parameters and per-parameter state; see the module doc.

    >>> from autograd_lite import Tensor
    >>> from optim import SGD
    >>> w = Tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()  # w <- w - 0.1 * 2 w
    >>> w
    Tensor([ 0.8 -1.6], requires_grad=True)
    """

    _hyper_checks: ClassVar[dict[str, Check]] = {}

    def __init__(self, params: Iterable[Tensor], lr: float, **hyperparams: Any) -> None:
        owner = type(self).__name__
        self.params: tuple[Tensor, ...] = _unique_parameters(owner, params)
        values = check_hyperparams(owner, self._checks(), {"lr": lr, **hyperparams})
        self._check_combination(values)
        self.state: dict[int, dict[str, Any]] = {}
        for name, value in values.items():
            setattr(self, name, value)

    @property
    def lr(self) -> float:
        """The learning rate; checked on assignment (finite, >= 0)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = nonnegative(type(self).__name__, "lr", value)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None (the next backward starts afresh)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update, in place, every parameter whose ``.grad`` is not None; skip the others."""
        for index, p in enumerate(self.params):
            if p.grad is None:
                continue
            data, grad = p.data, p.grad.data
            if grad.shape != data.shape:
                raise ValueError(
                    f"{type(self).__name__}.step: parameter {index} has shape {data.shape} but "
                    f"its grad has shape {grad.shape}; a gradient must have its parameter's shape"
                )
            state = self.state.get(index)
            if state is None:
                state = self.state[index] = self._new_state(data)
            self._update(data, grad, state)
            # Assigning the updated array back records the in-place change (Tensor.data's
            # version), so a backward still pending through the old values raises.
            p.data = data

    def state_dict(self) -> dict[str, Any]:
        """A copy of everything needed to resume: ``num_params``, ``hyperparams``, ``state``."""
        return {
            "num_params": len(self.params),
            "hyperparams": self._hyperparams(),
            "state": {
                index: {name: _copy(value) for name, value in entry.items()}
                for index, entry in self.state.items()
            },
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Replace hyper-parameters and state by a copy of ``state_dict``, checked in full first."""
        owner = f"{type(self).__name__}.load_state_dict"
        _check_keys(owner, "state_dict", state_dict, ("num_params", "hyperparams", "state"))
        if state_dict["num_params"] != len(self.params):
            raise ValueError(
                f"{owner}: state_dict['num_params'] is {state_dict['num_params']!r} but this "
                f"optimizer has {len(self.params)} parameters; load it into an optimizer built "
                "over the same parameter list"
            )
        hyper = check_hyperparams(owner, self._checks(), state_dict["hyperparams"])
        self._check_combination(hyper)
        saved = state_dict["state"]
        if not isinstance(saved, Mapping):
            raise TypeError(f"{owner}: state_dict['state'] must be a dict, got {type(saved)}")
        state = {
            self._checked_index(owner, index): self._checked_entry(owner, index, entry, hyper)
            for index, entry in saved.items()
        }
        for name, value in hyper.items():
            setattr(self, name, value)
        self.state = state

    # ------------------------------------------------------------------ for subclasses
    def _state_names(self, hyper: Mapping[str, Any]) -> tuple[str, ...]:
        """The names of one parameter's state under the hyper-parameters ``hyper``."""
        return ()

    def _check_combination(self, hyper: Mapping[str, Any]) -> None:
        """Reject valid values that make no sense together (none by default)."""

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        """Apply one update to the array ``p`` in place, given its gradient ``g``."""
        raise NotImplementedError(
            f"{type(self).__name__}: Optimizer is a base class with no update rule; use a "
            "subclass such as SGD or Adam, or define _update(p, g, state)"
        )

    def _new_state(self, p: np.ndarray) -> dict[str, Any]:
        """A parameter's first state: ``step`` is 0, every other entry is zeros like ``p``."""
        names = self._state_names(self._hyperparams())
        return {name: 0 if name == "step" else np.zeros_like(p) for name in names}

    # ------------------------------------------------------------------ helpers
    def _checks(self) -> dict[str, Check]:
        return {"lr": nonnegative, **self._hyper_checks}

    def _hyperparams(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._checks()}

    def _checked_index(self, owner: str, index: Any) -> int:
        position = count(owner, "a key of state_dict['state']", index, 0)
        if position >= len(self.params):
            raise ValueError(
                f"{owner}: state_dict['state'] has key {position}, but the parameter positions "
                f"are 0 to {len(self.params) - 1}"
            )
        return position

    def _checked_entry(
        self, owner: str, index: int, entry: Any, hyper: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A copy of one parameter's saved state, after checking its names, shapes and dtypes."""
        p = self.params[index].data
        names = self._state_names(hyper)
        _check_keys(owner, f"state[{index}]", entry, names)
        checked: dict[str, Any] = {}
        for name in names:
            where, value = f"state[{index}][{name!r}]", entry[name]
            if name == "step":
                checked[name] = count(owner, where, value, 0)
                continue
            if not isinstance(value, np.ndarray):
                raise TypeError(f"{owner}: {where} must be a numpy array, got {type(value)}")
            if value.shape != p.shape or value.dtype != p.dtype:
                raise ValueError(
                    f"{owner}: {where} has shape {value.shape} and dtype {value.dtype}, but "
                    f"parameter {index} has shape {p.shape} and dtype {p.dtype}"
                )
            checked[name] = value.copy()
        return checked


def with_weight_decay(g: np.ndarray, p: np.ndarray, weight_decay: float) -> np.ndarray:
    """``g + weight_decay * p`` (an L2 penalty's gradient) in a new array; ``g`` is untouched."""
    out = np.multiply(p, weight_decay, out=np.empty_like(p))  # out=: an array also when 0-d
    out += g
    return out


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _check_keys(owner: str, where: str, mapping: Any, expected: Iterable[str]) -> None:
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{owner}: {where} must be a dict, got {type(mapping).__name__}")
    expected = list(expected)
    missing = [key for key in expected if key not in mapping]
    unexpected = [key for key in mapping if key not in expected]
    if missing or unexpected:
        raise ValueError(
            f"{owner}: {where} must have exactly the keys {expected}; "
            f"missing {missing}, unexpected {unexpected}"
        )


def _unique_parameters(owner: str, params: Iterable[Tensor]) -> tuple[Tensor, ...]:
    """The tensors of ``params`` in order, each once, after checking that each can be optimized."""
    if isinstance(params, set | frozenset):
        raise TypeError(
            f"{owner}: params is a {type(params).__name__}, whose order changes between runs "
            "(and with it which state belongs to which parameter); pass a list instead"
        )
    if isinstance(params, Tensor):
        raise TypeError(f"{owner}: params must be an iterable of tensors; pass a list, e.g. [w]")
    try:
        items = list(params)
    except TypeError:
        raise TypeError(
            f"{owner}: params must be an iterable of tensors, got {type(params).__name__}"
        ) from None
    unique: dict[int, Tensor] = {}
    for position, p in enumerate(items):
        where = f"{owner}: params[{position}]"
        if not isinstance(p, Tensor):
            raise TypeError(f"{where} is a {type(p).__name__}, not a Tensor")
        if p.dtype.kind != "f":
            raise TypeError(f"{where} has dtype {p.dtype}; only float tensors can be optimized")
        if not p.requires_grad:
            raise ValueError(
                f"{where} does not require grad; create it with requires_grad=True or leave it out"
            )
        if not p.is_leaf:
            raise ValueError(
                f"{where} was computed by op {p.op!r}; optimize the leaf tensors it comes from"
            )
        unique.setdefault(id(p), p)  # the same tensor twice keeps its first position
    if not unique:
        raise ValueError(f"{owner}: params is empty; pass the tensors to optimize")
    return tuple(unique.values())
