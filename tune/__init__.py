"""tune: hyper-parameter search, serially or on a Dask cluster (the notes' chapter 6).

>>> import tune
>>> space = {"lr": tune.LogUniform(1e-6, 1e-2), "weight_decay": tune.LogUniform(1e-8, 1e-4)}
>>> [trial.id for trial in tune.plan_trials(space, 3, seed=0)]
[0, 1, 2]

Read ``search.py`` first (``random_search``), then ``trials.py`` (seeds, one trial, faults),
``executors.py`` (serial, Dask), ``results.py`` (the JSON-lines file and resuming) and
``mlp.py`` (the notes' objective).

Why a package of its own: the notes' objective trains an ``nn`` model with an ``optim``
optimizer, and ``nn`` and ``optim`` do not import each other; code that needs both sits
above them, like the examples, but unlike the examples it must be importable by Dask workers
(installed, not a script). So imports keep pointing one way:
``examples, tests -> tune -> nn, optim -> autograd_lite``. Nothing below ``tune`` imports it,
and only ``executors.py`` imports Dask, when a Dask executor is asked for (``pip install -e
".[distributed]"``); a serial search needs numpy alone.
"""

from .executors import DaskExecutor, Executor, SerialExecutor, open_executor
from .mlp import TrainMLP, build_mlp
from .results import ResultsFileError, read_results
from .search import random_search
from .space import Choice, LogUniform, Uniform
from .trials import Trial, TrialResult, plan_trials, run_trial, sort_results

__all__ = [
    "Choice",
    "DaskExecutor",
    "Executor",
    "LogUniform",
    "ResultsFileError",
    "SerialExecutor",
    "Trial",
    "TrialResult",
    "TrainMLP",
    "Uniform",
    "build_mlp",
    "open_executor",
    "plan_trials",
    "random_search",
    "read_results",
    "run_trial",
    "sort_results",
]
