"""Search spaces: named distributions that each hyper-parameter is drawn from.

A search space is a plain ``dict`` from a hyper-parameter's name to a distribution:

>>> import numpy as np
>>> space = {"lr": LogUniform(1e-6, 1e-2), "hidden": Choice([50, 100])}
>>> params = sample(space, np.random.default_rng(0))
>>> sorted(params), 1e-6 <= params["lr"] <= 1e-2
(['hidden', 'lr'], True)

``LogUniform`` is the notes' ``10 ** uniform(-6, -2)``: every order of magnitude is equally
likely, which is what matters when nothing is known yet about a value. Draws are plain Python
numbers (not numpy scalars), so a trial's parameters round-trip exactly through JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np


class Distribution(Protocol):
    """Anything with ``sample(rng)`` returning one JSON-serializable value."""

    def sample(self, rng: np.random.Generator) -> Any: ...


@dataclass(frozen=True)
class _Range:
    """A float between ``low`` and ``high``; the subclasses say how it is drawn."""

    low: float
    high: float
    log_scale: ClassVar[bool] = False

    def __post_init__(self) -> None:
        kind, low, high = type(self).__name__, self.low, self.high
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"{kind}: need finite low < high, got low={low}, high={high}")
        if self.log_scale and low <= 0:
            raise ValueError(f"{kind}: low must be > 0 on a log scale, got low={low}")


class Uniform(_Range):
    """A float drawn uniformly from [low, high)."""

    def sample(self, rng: np.random.Generator) -> float:
        """One draw."""
        return float(rng.uniform(self.low, self.high))


class LogUniform(_Range):
    """A float whose log10 is uniform: ``10 ** uniform(log10 low, log10 high)``."""

    log_scale = True

    def sample(self, rng: np.random.Generator) -> float:
        """One draw."""
        return float(10 ** rng.uniform(math.log10(self.low), math.log10(self.high)))


@dataclass(frozen=True)
class Choice:
    """One of ``options``, each equally likely."""

    options: Sequence[Any]

    def __post_init__(self) -> None:
        if isinstance(self.options, str) or not len(self.options):
            raise ValueError(f"Choice: need a non-empty list of options, got {self.options!r}")
        object.__setattr__(self, "options", tuple(self.options))

    def sample(self, rng: np.random.Generator) -> Any:
        """One draw."""
        value = self.options[int(rng.integers(len(self.options)))]
        return value.item() if isinstance(value, np.generic) else value


def check_space(space: Mapping[str, Distribution]) -> dict[str, Distribution]:
    """The space as a dict, after checking it names at least one distribution."""
    if not isinstance(space, Mapping) or not space:
        raise ValueError(
            f"search space: need a non-empty dict of name -> distribution, got {space!r}; "
            'e.g. {"lr": LogUniform(1e-6, 1e-2)}'
        )
    for name, distribution in space.items():
        if not isinstance(name, str) or not callable(getattr(distribution, "sample", None)):
            raise TypeError(
                f"search space: {name!r} -> {distribution!r} is not a name and a distribution "
                "with .sample(rng) (Uniform, LogUniform, Choice)"
            )
    return dict(space)


def sample(space: Mapping[str, Distribution], rng: np.random.Generator) -> dict[str, Any]:
    """One draw of every hyper-parameter, in the space's order."""
    return {name: distribution.sample(rng) for name, distribution in space.items()}
