"""``Optimizer``: the base class of every optimizer in ``optim``.

An optimizer holds, as PyTorch's does:

- ``param_groups``: a list of dicts, each with ``'params'`` (a tuple of tensors) and its own
  value of every hyper-parameter (``'lr'``, ``'weight_decay'``, ...). A plain list of tensors
  makes one group; a list of dicts makes one group each, their missing hyper-parameters
  taken from the constructor's arguments (``defaults``):
  ``SGD([{"params": weights}, {"params": biases, "weight_decay": 0}], lr=0.1,
  weight_decay=1e-4)``. ``add_param_group`` adds one later. A group's hyper-parameters are
  checked when assigned (``group["lr"] = 0.01``, as schedulers do);
- the per-parameter state: ``state[i]`` belongs to the i-th parameter counting through the
  groups in order (the position a saved state dict uses), created on its first step. Its
  entries use PyTorch's names; ``step`` is an int counter, every other entry is an array of
  the parameter's shape and dtype.

Each tensor is in at most one group and once in it (a repeated tensor keeps its first
position); a ``set`` of parameters is refused, as its order changes between runs.

A subclass declares its hyper-parameters (``_hyper_checks``: name -> check from
``validation.py``), the names of its state (``_state_names(group)``) and one update rule
(``_update(p, g, state, group)``) that works on numpy arrays in place, so ``step()`` builds
no graph and a float32 parameter stays float32.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from autograd_lite import Tensor, effect, enable_grad

from .groups import ParamGroup, param_group_specs, unique_parameters
from .validation import Check, check_hyperparams, check_keys, count, nonnegative


class Optimizer:
    """Base class: parameter groups and per-parameter state; see the module doc.

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

    def __init__(self, params: Iterable[Any], lr: float, **hyperparams: Any) -> None:
        owner = type(self).__name__
        self.defaults: dict[str, Any] = check_hyperparams(
            owner, self._checks(), {"lr": lr, **hyperparams}
        )
        self._check_combination(self.defaults)
        self.param_groups: list[ParamGroup] = []
        self.state: dict[int, dict[str, Any]] = {}
        self._buffers: dict[tuple, np.ndarray] = {}  # scratch arrays, see _scratch
        for where, group in param_group_specs(owner, params):
            self._add_group(where, group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Optimize more tensors, with hyper-parameters of their own (the rest from
        ``defaults``): ``opt.add_param_group({"params": head.parameters(), "lr": 0.01})``."""
        self._add_group(f"{type(self).__name__}.add_param_group", param_group)

    def _add_group(self, where: str, spec: Any) -> None:
        if not isinstance(spec, Mapping) or "params" not in spec:
            raise TypeError(
                f"{where}: a parameter group must be a dict with a 'params' entry, got {spec!r:.60}"
            )
        raw = spec["params"]  # a single tensor is a group of one, as PyTorch allows
        params = unique_parameters(where, [raw] if isinstance(raw, Tensor) else raw)
        taken = {id(p) for p in self.params}
        for position, p in enumerate(params):
            if id(p) in taken:
                raise ValueError(
                    f"{where}: params[{position}] is already in another parameter group; "
                    "each tensor may belong to one group only"
                )
        values = {**self.defaults, **{k: v for k, v in spec.items() if k != "params"}}
        hyper = check_hyperparams(where, self._checks(), values)
        self._check_combination(hyper)
        owner = type(self).__name__
        self.param_groups.append(
            ParamGroup(owner, params, hyper, self._checks(), self._check_combination)
        )

    @property
    def params(self) -> tuple[Tensor, ...]:
        """Every parameter, through the groups in order (``state`` is keyed by position)."""
        return tuple(p for group in self.param_groups for p in group["params"])

    @property
    def lr(self) -> float:
        """The learning rate, when every group has the same; assigning sets every group's."""
        rates = [group["lr"] for group in self.param_groups]
        if any(rate != rates[0] for rate in rates):
            raise ValueError(
                f"{type(self).__name__}.lr: the parameter groups have different learning rates "
                f"{rates}; read or set opt.param_groups[i]['lr']"
            )
        return rates[0]

    @lr.setter
    def lr(self, value: float) -> None:
        value = nonnegative(type(self).__name__, "lr", value)
        for group in self.param_groups:
            group["lr"] = value

    # ------------------------------------------------------------------ training
    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None (the next backward starts afresh).

        An ``effect``: inside ``autograd_lite.compile`` it happens on every replay."""
        effect(self._zero_grad)

    def _zero_grad(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update, in place, every parameter whose ``.grad`` is not None; skip the others.

        ``closure``, if given, is called first (with gradients enabled) to recompute the loss
        and gradients, as PyTorch's ``step(closure)``; its result is returned (else None).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        effect(self._step)  # inside autograd_lite.compile: on every replay
        return loss

    def _step(self) -> None:
        index = -1
        for group in self.param_groups:
            for p in group["params"]:
                index += 1
                if p.grad is None:
                    continue
                data, grad = p.data, p.grad.data
                if grad.shape != data.shape:
                    raise ValueError(
                        f"{type(self).__name__}.step: parameter {index} has shape {data.shape} "
                        f"but its grad has shape {grad.shape}; a gradient must have its "
                        "parameter's shape"
                    )
                state = self.state.get(index)
                if state is None:
                    state = self.state[index] = self._new_state(data, group)
                self._update(data, grad, state, group)
                # Assigning the updated array back records the in-place change (Tensor.data's
                # version), so a backward still pending through the old values raises.
                p.data = data

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """A copy of everything needed to resume, in PyTorch's layout: ``state`` (position ->
        entries) and ``param_groups`` (hyper-parameters, and the positions under ``params``)."""
        groups, start = [], 0
        for group in self.param_groups:
            n = len(group["params"])
            hyper = {name: value for name, value in group.items() if name != "params"}
            groups.append({**hyper, "params": list(range(start, start + n))})
            start += n
        state = {
            index: {name: _copy(value) for name, value in entry.items()}
            for index, entry in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Replace hyper-parameters and state by a copy of ``state_dict``, checked in full first.

        The saved groups are matched with this optimizer's in order, and must hold as many
        parameters each; saved positions are mapped onto this optimizer's parameters.
        """
        owner = f"{type(self).__name__}.load_state_dict"
        check_keys(owner, "state_dict", state_dict, ("state", "param_groups"))
        hypers, position_of, group_of = self._checked_groups(owner, state_dict["param_groups"])
        saved = state_dict["state"]
        if not isinstance(saved, Mapping):
            raise TypeError(f"{owner}: state_dict['state'] must be a dict, got {type(saved)}")
        state, params = {}, self.params
        for key, entry in saved.items():
            index = count(owner, "a key of state_dict['state']", key, 0)
            if index not in position_of:
                raise ValueError(
                    f"{owner}: state_dict['state'] has key {index}, but the saved groups hold "
                    f"the parameter positions {sorted(position_of)}"
                )
            position = position_of[index]
            hyper = hypers[group_of[position]]
            p = params[position].data
            state[position] = self._checked_entry(owner, index, position, p, entry, hyper)
        for group, hyper in zip(self.param_groups, hypers):
            group.replace(hyper)
        self.state = state

    def _checked_groups(
        self, owner: str, saved_groups: Any
    ) -> tuple[list[dict[str, Any]], dict[int, int], list[int]]:
        """Each saved group's checked hyper-parameters, the map from saved positions to ours,
        and the group of each of our positions."""
        if not isinstance(saved_groups, list | tuple):
            raise TypeError(
                f"{owner}: state_dict['param_groups'] must be a list, got {type(saved_groups)}"
            )
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{owner}: state_dict has {len(saved_groups)} parameter groups but this "
                f"optimizer has {len(self.param_groups)}; load it into an optimizer built over "
                "the same groups"
            )
        hypers, position_of, group_of = [], {}, []
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            where = f"state_dict['param_groups'][{i}]"
            if not isinstance(saved, Mapping) or "params" not in saved:
                raise TypeError(f"{owner}: {where} must be a dict with a 'params' entry")
            indices = saved["params"]
            if not isinstance(indices, list | tuple) or len(indices) != len(group["params"]):
                raise ValueError(
                    f"{owner}: {where}['params'] must list {len(group['params'])} positions, "
                    f"as this optimizer's group {i} has that many parameters; got {indices!r:.60}"
                )
            for index in indices:
                position_of[count(owner, f"a position in {where}['params']", index, 0)] = len(
                    group_of
                )
                group_of.append(i)
            hyper = {name: value for name, value in saved.items() if name != "params"}
            hyper = check_hyperparams(f"{owner}: {where}", self._checks(), hyper)
            self._check_combination(hyper)
            hypers.append(hyper)
        return hypers, position_of, group_of

    # ------------------------------------------------------------------ for subclasses
    def _state_names(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        """The names of one parameter's state under the group's hyper-parameters."""
        return ()

    def _check_combination(self, hyper: Mapping[str, Any]) -> None:
        """Reject valid values that make no sense together (none by default)."""

    def _update(
        self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: Mapping[str, Any]
    ) -> None:
        """Apply one update to the array ``p`` in place, given its gradient ``g``."""
        raise NotImplementedError(
            f"{type(self).__name__}: Optimizer is a base class with no update rule; use a "
            "subclass such as SGD or Adam, or define _update(p, g, state, group)"
        )

    def _scratch(self, p: np.ndarray, which: int = 0) -> np.ndarray:
        """A work array of ``p``'s shape and dtype, kept between steps, so an update
        allocates nothing: one per shape, dtype and ``which`` (an update needing two at
        once asks for 0 and 1). Parameters are updated one after another, so parameters
        of one shape share it. Not part of the state: nothing in it outlives an update."""
        key = (p.shape, p.dtype.str, which)
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = self._buffers[key] = np.empty(p.shape, p.dtype)
        return buffer

    def _new_state(self, p: np.ndarray, group: Mapping[str, Any]) -> dict[str, Any]:
        """A parameter's first state: ``step`` is 0, every other entry is zeros like ``p``."""
        names = self._state_names(group)
        return {name: 0 if name == "step" else np.zeros_like(p) for name in names}

    # ------------------------------------------------------------------ helpers
    def _checks(self) -> dict[str, Check]:
        return {"lr": nonnegative, **self._hyper_checks}

    def _checked_entry(
        self,
        owner: str,
        index: int,
        position: int,
        p: np.ndarray,
        entry: Any,
        hyper: Mapping[str, Any],
    ) -> dict[str, Any]:
        """A copy of the saved state of parameter ``p`` (at ``position``; ``index`` when
        saved), after checking its names, shapes and dtypes."""
        names = self._state_names(hyper)
        check_keys(owner, f"state[{index}]", entry, names)
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
                    f"parameter {position} has shape {p.shape} and dtype {p.dtype}"
                )
            checked[name] = value.copy()
        return checked

    def __repr__(self) -> str:
        """PyTorch's layout: each group's hyper-parameters, sorted by name."""
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {name}: {group[name]}" for name in sorted(group) if name != "params"]
        return "\n".join(lines) + "\n)"


def with_weight_decay(
    g: np.ndarray, p: np.ndarray, weight_decay: float, out: np.ndarray
) -> np.ndarray:
    """``g + weight_decay * p`` (an L2 penalty's gradient) in ``out``; ``g`` is untouched."""
    np.multiply(p, weight_decay, out=out)  # out=: an array also when 0-d
    out += g
    return out


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value
