"""Parameter groups: reading the ``params`` argument, checking the tensors, and the group dict.

``ParamGroup`` is the dict PyTorch users know (``group["lr"] = 0.01``), with one addition: a
hyper-parameter is checked when assigned, so a typo or a negative rate fails at that line
instead of training with it. ``params`` is a tuple: the state is keyed by position, so the
tensors of a group do not change after it is made (``add_param_group`` adds more).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from autograd_lite import Tensor

from .validation import Check


class ParamGroup(dict):
    """One parameter group: ``'params'`` (a tuple of tensors) and the hyper-parameters."""

    def __init__(
        self,
        owner: str,
        params: tuple[Tensor, ...],
        hyper: Mapping[str, Any],
        checks: Mapping[str, Check],
        check_combination: Callable[[Mapping[str, Any]], None],
    ) -> None:
        super().__init__(params=tuple(params), **hyper)
        self._owner, self._checks, self._check_combination = owner, checks, check_combination

    def __setitem__(self, name: str, value: Any) -> None:
        self.update({name: value})

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"{self._owner}: a parameter group's entries cannot be deleted")

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Assign hyper-parameters, all checked (alone and together) before any is set."""
        candidate = {name: value for name, value in self.items() if name != "params"}
        for name, value in dict(*args, **kwargs).items():
            if name == "params":
                raise TypeError(
                    f"{self._owner}: a group's params cannot be replaced (the state is keyed "
                    "by position); use add_param_group() to optimize more tensors"
                )
            check = self._checks.get(name)
            if check is None:
                raise KeyError(
                    f"{self._owner}: {name!r} is not a hyper-parameter of {self._owner}; "
                    f"a group has {list(self._checks)}"
                )
            candidate[name] = check(self._owner, name, value)
        self._check_combination(candidate)
        dict.update(self, candidate)

    def replace(self, hyper: Mapping[str, Any]) -> None:
        """Take hyper-parameters already checked together (``load_state_dict``)."""
        dict.update(self, hyper)

    def __reduce__(self) -> tuple:
        return dict, (dict(self),)  # a copy is a plain dict, as PyTorch's groups are


def param_group_specs(owner: str, params: Any) -> Iterator[tuple[str, Any]]:
    """The groups described by an optimizer's ``params`` argument, each with the name its
    errors use: a list of tensors is one group, a list of dicts one group each."""
    items = _items(owner, params, "params")
    if not items:
        raise ValueError(f"{owner}: params is empty; pass the tensors to optimize")
    dicts = [isinstance(item, Mapping) for item in items]
    if all(dicts):
        for i, spec in enumerate(items):
            yield f"{owner}: param_groups[{i}]", spec
    elif any(dicts):
        raise TypeError(
            f"{owner}: params mixes tensors and dicts; pass either tensors (one group) or "
            "dicts with a 'params' entry (one group each)"
        )
    else:
        yield owner, {"params": items}


def unique_parameters(where: str, params: Any) -> tuple[Tensor, ...]:
    """The tensors of ``params`` in order, each once, after checking that each can be optimized."""
    items = _items(where, params, "params")
    unique: dict[int, Tensor] = {}
    for position, p in enumerate(items):
        name = f"{where}: params[{position}]"
        if not isinstance(p, Tensor):
            raise TypeError(f"{name} is a {type(p).__name__}, not a Tensor")
        if p.dtype.kind != "f":
            raise TypeError(f"{name} has dtype {p.dtype}; only float tensors can be optimized")
        if not p.requires_grad:
            raise ValueError(
                f"{name} does not require grad; create it with requires_grad=True or leave it out"
            )
        if not p.is_leaf:
            raise ValueError(
                f"{name} was computed by op {p.op!r}; optimize the leaf tensors it comes from"
            )
        unique.setdefault(id(p), p)  # the same tensor twice keeps its first position
    return tuple(unique.values())


def _items(where: str, values: Any, what: str) -> list[Any]:
    """``values`` as a list, refusing what has no stable order (sets) or is not a sequence."""
    if isinstance(values, set | frozenset):
        raise TypeError(
            f"{where}: {what} is a {type(values).__name__}, whose order changes between runs "
            "(and with it which state belongs to which parameter); pass a list instead"
        )
    if isinstance(values, Tensor):
        raise TypeError(f"{where}: {what} must be an iterable of tensors; pass a list, e.g. [w]")
    if isinstance(values, Mapping):
        raise TypeError(
            f"{where}: {what} is a dict; pass a list of tensors, or a list of group dicts"
        )
    try:
        return list(values)
    except TypeError:
        raise TypeError(
            f"{where}: {what} must be an iterable of tensors, got {type(values).__name__}"
        ) from None
