"""Random search: draw every trial's hyper-parameters, run the trials anywhere, rank them.

``random_search`` plans the trials (``plan_trials``: ids, seeds, draws), skips those a
resumed results file already holds, runs the rest on an executor (serially by default, or
on Dask), records each in the results file and the progress bar as it finishes, and returns
every trial of the plan sorted by score. Because a trial depends only on its seed and the
shared data, the returned list is the same serially, on a local cluster or a remote one, and
after any number of interruptions and resumes (only the ``duration`` fields differ).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from .executors import Executor, SerialExecutor
from .progress import Progress
from .results import ResultsLog
from .space import Distribution, check_space
from .trials import Objective, TrialResult, plan_trials, run_trial, sort_results


def random_search(
    objective: Objective,
    space: Mapping[str, Distribution],
    trials: int,
    seed: int = 0,
    *,
    data: Any = None,
    executor: Executor | None = None,
    results: str | Path | None = None,
    resume: bool = False,
    mode: str = "max",
    progress: bool = False,
) -> list[TrialResult]:
    """Run ``trials`` draws of ``space`` through ``objective``; every trial, best first.

    ``objective(params, rng, data)`` trains and scores one draw and returns its score (or a
    dict with a ``"score"`` and other JSON-able metrics); ``mode`` says whether a higher
    (``"max"``) or a lower score is better. Dask sends it to the workers with cloudpickle:
    a function or class of an installed module, or of the script being run, works; one of a
    module the workers cannot import (``examples.*``) does not. ``data`` is shared by all
    trials and sent to each worker once. ``results`` is a JSON-lines file written as trials finish;
    ``resume=True`` skips the trials it already holds. Failed trials come last.

    >>> from tune import LogUniform
    >>> def objective(params, rng, data):
    ...     return -abs(params["x"] - data)
    >>> best = random_search(objective, {"x": LogUniform(0.1, 10.0)}, 8, seed=0, data=1.0)[0]
    >>> best.status, round(abs(best.params["x"] - 1.0), 2) < 0.5
    ('ok', True)
    """
    space = check_space(space)
    sort_results([], mode)  # checks mode before any trial runs
    plan = plan_trials(space, trials, seed)
    executor = SerialExecutor() if executor is None else executor
    with ResultsLog(results, plan, resume) as log:
        todo = [trial for trial in plan if trial.id not in log.done]
        bar = Progress(len(plan), log.done.values(), mode, enabled=progress)
        try:
            for result in executor.map_unordered(partial(run_trial, objective), todo, data):
                log.append(result)
                bar.update(result)
        finally:
            bar.close()
        return sort_results(log.done.values(), mode)
