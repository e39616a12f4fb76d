"""One trial of a search: its plan (id, seed, hyper-parameters), how it runs, its result.

Seeds. The search's seed is the root of a ``numpy.random.SeedSequence``; trial ``i`` gets the
``i``-th spawned child, reduced to one 53-bit integer, its ``seed`` (so that any JSON
reader, even one that reads numbers as doubles, gets it back exactly). Everything random in
a trial comes from that integer alone: its hyper-parameters are drawn from one child of
``SeedSequence(seed)`` and the objective's generator is the other. So a trial gives the same
result wherever and whenever it runs (in this process, on a local or a remote Dask worker,
or rerun after its worker died), and trials 0..n-1 of a 40-trial search are those of a
20-trial search with the same seed plus 20 more.

Faults. ``run_trial`` turns whatever the objective raises (any ``Exception``) and a score that
is not a finite number (a diverging learning rate) into a result with status ``"failed"``
and the error as text, so one bad trial never stops the others. A worker that dies is not a
result at all: Dask reruns the trial elsewhere.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .space import Distribution, sample

Objective = Callable[[dict[str, Any], np.random.Generator, Any], Any]


@dataclass(frozen=True)
class Trial:
    """What a trial will run: its number, its seed and its hyper-parameters."""

    id: int
    seed: int
    params: dict[str, Any]

    def rng(self) -> np.random.Generator:
        """The objective's generator: the second child of the trial's seed."""
        return np.random.default_rng(np.random.SeedSequence(self.seed).spawn(2)[1])


@dataclass(frozen=True)
class TrialResult:
    """A finished trial: status ``"ok"`` with a score, or ``"failed"`` with an error."""

    id: int
    seed: int
    params: dict[str, Any]
    score: float | None
    status: str
    error: str | None
    duration: float
    metrics: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The result as a dict of JSON values (one line of the results file)."""
        return asdict(self)


def _check_count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"random_search: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def plan_trials(space: Mapping[str, Distribution], trials: int, seed: int) -> list[Trial]:
    """The search's trials, each with its seed spawned from ``seed`` and its draw of ``space``.

    >>> from tune import LogUniform
    >>> first, second = plan_trials({"lr": LogUniform(1e-4, 1e-1)}, 2, seed=0)
    >>> first.id, second.id, first.seed != second.seed
    (0, 1, True)
    """
    trials = _check_count("trials", trials, 1)
    seed = _check_count("seed", seed, 0)
    planned = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(trials)):
        trial_seed = int(child.generate_state(1, np.uint64)[0] >> 11)  # 53 bits: exact in JSON
        params_rng = np.random.default_rng(np.random.SeedSequence(trial_seed).spawn(2)[0])
        planned.append(Trial(i, trial_seed, sample(space, params_rng)))
    return planned


def _plain(value: Any) -> Any:
    """``value`` as JSON values: numpy arrays and scalars become lists and numbers, and a
    non-finite float becomes None (JSON has no NaN)."""
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    raise TypeError(f"a trial's metrics must be JSON values, got {type(value).__name__}")


def _score_and_metrics(outcome: Any) -> tuple[float, dict[str, Any]]:
    """Split what an objective returned: a number, or a dict with a ``"score"``."""
    metrics: dict[str, Any] = {}
    if isinstance(outcome, Mapping):
        if "score" not in outcome:
            raise KeyError(f"the objective returned a dict without a 'score': {sorted(outcome)}")
        metrics = _plain({key: value for key, value in outcome.items() if key != "score"})
        outcome = outcome["score"]
    if isinstance(outcome, bool) or not isinstance(outcome, numbers.Real):
        raise TypeError(f"the objective's score must be a number, got {outcome!r}")
    score = float(outcome)
    if not math.isfinite(score):
        raise FloatingPointError(f"the score is {score} (did the training diverge?)")
    return score, metrics


def run_trial(objective: Objective, trial: Trial, data: Any = None) -> TrialResult:
    """Call ``objective(params, rng, data)`` for one trial; a raised error becomes a failure."""
    start = time.perf_counter()
    try:
        score, metrics = _score_and_metrics(objective(dict(trial.params), trial.rng(), data))
    except Exception as error:
        duration = time.perf_counter() - start
        message = f"{type(error).__name__}: {error}"
        return TrialResult(trial.id, trial.seed, trial.params, None, "failed", message, duration)
    duration = time.perf_counter() - start
    return TrialResult(trial.id, trial.seed, trial.params, score, "ok", None, duration, metrics)


def sort_results(results: Iterable[TrialResult], mode: str = "max") -> list[TrialResult]:
    """Successful trials best first (ties by id), then the failed ones by id."""
    if mode not in ("max", "min"):
        raise ValueError(f"random_search: mode must be 'max' or 'min', got {mode!r}")
    sign = -1.0 if mode == "max" else 1.0

    def key(result: TrialResult) -> tuple[int, float, int]:
        if result.status != "ok" or result.score is None:
            return (1, 0.0, result.id)
        return (0, sign * result.score, result.id)

    return sorted(results, key=key)
