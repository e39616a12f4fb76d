"""Where the trials run: one after another in this process, or on a Dask cluster.

An executor has one method, ``map_unordered(fn, items, data)``: it calls ``fn(item, data)``
for every item and yields the results in the order they *finish* (so the progress bar and
the results file follow completion, not submission). ``data`` is what every call shares (the
training and validation arrays).

- ``SerialExecutor``: a plain loop. Nothing imports Dask until a Dask executor is asked
  for, so a serial search needs nothing beyond numpy.
- ``DaskExecutor``: a ``distributed.Client``. ``data`` is scattered once, to every worker
  (``broadcast=True``), before any trial is submitted; each task then carries only a
  reference to it, not a copy of the arrays, and workers need no shared filesystem. With
  a copy on every worker, a worker that dies takes no data with it: Dask reruns its trial on
  another worker (up to ``distributed.scheduler.allowed-failures`` times per trial, 3 by
  default; past that, or when a worker cannot import the objective, the search stops with a
  ``RuntimeError`` that names the cause, and ``resume`` picks it up).
- ``open_executor(workers, scheduler)``: serial for neither, a ``LocalCluster`` of
  ``workers`` processes (one thread each, on 127.0.0.1, its dashboard on a free port), or a
  client of an existing scheduler such as ``tcp://host:8786``; closes what it opened.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Executor(Protocol):
    """Runs ``fn(item, data)`` for each item; yields the results as they finish."""

    def map_unordered(
        self, fn: Callable[[Any, Any], Any], items: Iterable[Any], data: Any
    ) -> Iterator[Any]: ...


class SerialExecutor:
    """Runs each call in this process, in order."""

    def map_unordered(
        self, fn: Callable[[Any, Any], Any], items: Iterable[Any], data: Any
    ) -> Iterator[Any]:
        """``fn(item, data)`` for each item, one after another."""
        for item in items:
            yield fn(item, data)


class DaskExecutor:
    """Runs each call as a task on the workers of a ``distributed.Client``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def map_unordered(
        self, fn: Callable[[Any, Any], Any], items: Iterable[Any], data: Any
    ) -> Iterator[Any]:
        """Scatter ``data`` to every worker once, submit every call, yield as they finish."""
        as_completed = _distributed().as_completed
        items = list(items)
        if not items:
            return
        [shared] = self.client.scatter([data], broadcast=True, hash=False)
        futures = [self.client.submit(fn, item, shared, pure=False) for item in items]
        try:
            for future in as_completed(futures):
                try:
                    result = future.result()
                except Exception as error:  # the trial's own errors are results: this is Dask's
                    raise RuntimeError(
                        _CLUSTER_FAILURE.format(type(error).__name__, error)
                    ) from error
                future.release()
                yield result
        finally:
            self.client.cancel([*futures, shared])


_CLUSTER_FAILURE = (
    "tune: a trial could not finish on the Dask cluster ({}: {}). KilledWorker: its worker "
    "died allowed-failures + 1 times (out of memory? see the workers' logs). A worker log with "
    "ModuleNotFoundError: install the project on every worker machine "
    '(pip install -e ".[distributed]") and use an objective from an installed module. The '
    "trials finished so far are in the results file: fix the cause and resume."
)


def _distributed() -> Any:
    try:
        return importlib.import_module("distributed")
    except ImportError as error:
        raise ImportError(
            "tune: running trials on Dask needs dask.distributed; "
            'pip install -e ".[distributed]" (on every machine of the cluster)'
        ) from error


@contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """Serial (neither given), a LocalCluster of ``workers`` processes, or ``scheduler``'s."""
    if workers is not None and scheduler is not None:
        raise ValueError(
            f"open_executor: give workers (a local cluster) or scheduler (an existing one), "
            f"not both; got workers={workers}, scheduler={scheduler!r}"
        )
    if workers is None and scheduler is None:
        yield SerialExecutor()
        return
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ValueError(f"open_executor: workers must be an integer >= 1, got {workers!r}")
    distributed = _distributed()
    if scheduler is not None:
        with distributed.Client(scheduler) as client:
            yield DaskExecutor(client)
        return
    cluster = distributed.LocalCluster(
        n_workers=workers,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=":0",  # a free port on 127.0.0.1 (8787 may be taken)
    )
    with cluster, distributed.Client(cluster) as client:
        yield DaskExecutor(client)
