"""Checks for hyper-parameters, shared by the optimizers and the learning-rate schedulers.

Each check takes the owner's name (``"Adam"``), the hyper-parameter's name and its value, and
returns the value normalized (``float``, ``int``, ``bool`` or a pair of floats) or raises an
error that names all three and the allowed range. ``check_hyperparams`` runs a table of
checks over a dict, which is how constructors and ``load_state_dict`` validate everything
before they change anything.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Check = Callable[[str, str, Any], Any]


def _finite_real(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}: {name} must be a real number, got {value!r} ({type(value).__name__})"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value}")
    return value


def nonnegative(owner: str, name: str, value: Any) -> float:
    """A finite number >= 0 (learning rates, momentum, weight decay)."""
    value = _finite_real(owner, name, value)
    if value < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {value}")
    return value


def positive(owner: str, name: str, value: Any) -> float:
    """A finite number > 0 (eps, a scheduler's gamma)."""
    value = _finite_real(owner, name, value)
    if value <= 0:
        raise ValueError(f"{owner}: {name} must be > 0, got {value}")
    return value


def unit_interval(owner: str, name: str, value: Any) -> float:
    """A number in [0, 1] (dampening)."""
    value = _finite_real(owner, name, value)
    if not 0 <= value <= 1:
        raise ValueError(f"{owner}: {name} must be in [0, 1], got {value}")
    return value


def decay_rate(owner: str, name: str, value: Any) -> float:
    """A number in [0, 1): the weight of the old value in a moving average (alpha, betas)."""
    value = _finite_real(owner, name, value)
    if not 0 <= value < 1:
        raise ValueError(
            f"{owner}: {name} must be in [0, 1), got {value}; at 1 the average never moves"
        )
    return value


def decay_rate_pair(owner: str, name: str, value: Any) -> tuple[float, float]:
    """Two decay rates, as Adam's ``betas``."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValueError(f"{owner}: {name} must be a pair (beta1, beta2), got {value!r}")
    return (decay_rate(owner, f"{name}[0]", value[0]), decay_rate(owner, f"{name}[1]", value[1]))


def flag(owner: str, name: str, value: Any) -> bool:
    """A bool (nesterov, centered)."""
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return value


def count(owner: str, name: str, value: Any, minimum: int) -> int:
    """An int >= ``minimum`` (not a bool, not a float)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value}")
    return int(value)


def positive_int(owner: str, name: str, value: Any) -> int:
    """An int >= 1 (a scheduler's step_size and T_max)."""
    return count(owner, name, value, 1)


def check_keys(owner: str, where: str, mapping: Any, expected: Iterable[str]) -> None:
    """Raise unless ``mapping`` is a dict with exactly the keys ``expected``."""
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


def check_hyperparams(
    owner: str, checks: Mapping[str, Check], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Run ``checks[name]`` on each value; the names must be exactly the table's."""
    check_keys(owner, "the hyper-parameters", values, checks)
    return {name: check(owner, name, values[name]) for name, check in checks.items()}
