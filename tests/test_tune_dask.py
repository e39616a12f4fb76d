"""tune on a Dask cluster: the same results as serially, failures, a killed worker, resuming.

One LocalCluster of two worker processes (one thread each, on 127.0.0.1) serves the whole
module. The trials' objectives live in ``tests/_tune_support.py``, which the worker
processes import by name (they inherit this process's ``sys.path``).
"""

from __future__ import annotations

import importlib
import json
import sys
from functools import partial

import dask
import distributed  # the `distributed` extra: pip install -e ".[dev,distributed]", as CI does
import pytest

import tune
from tests._tune_support import SPACE, TINY_MLP, dies_once, digits_like, fails_above, outcomes

DATA = digits_like()
TRIALS = 8


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory):
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=":0",  # a free port on 127.0.0.1 (8787 may be taken)
        local_directory=str(tmp_path_factory.mktemp("dask")),
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture
def client(shared_client):
    """The module's client, once both workers are up (a killed one restarts in a moment)."""
    shared_client.wait_for_workers(2, timeout=60)
    return shared_client


@pytest.fixture(scope="module")
def serial():
    """The reference: the same search, serially in this process."""
    return tune.random_search(TINY_MLP, SPACE, TRIALS, seed=11, data=DATA)


def test_a_search_on_a_local_cluster_gives_the_serial_results(client, serial, tmp_path):
    path = tmp_path / "search.jsonl"
    executor = tune.DaskExecutor(client)
    results = tune.random_search(
        TINY_MLP, SPACE, TRIALS, seed=11, data=DATA, executor=executor, results=path
    )
    assert outcomes(results) == outcomes(serial)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == list(range(TRIALS))
    ran_on = client.run(lambda: __import__("os").getpid())
    assert len(set(ran_on.values())) == 2  # two worker processes, not threads of this one


def test_a_scheduler_address_reaches_the_same_cluster(client, serial):
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    with tune.open_executor(scheduler=address) as executor:
        assert isinstance(executor, tune.DaskExecutor)
        results = tune.random_search(TINY_MLP, SPACE, TRIALS, seed=11, data=DATA, executor=executor)
    assert outcomes(results) == outcomes(serial)


def test_failed_trials_on_workers_are_recorded_and_the_others_finish(client, serial):
    executor = tune.DaskExecutor(client)
    results = tune.random_search(fails_above, SPACE, TRIALS, seed=11, data=DATA, executor=executor)
    on_one_machine = tune.random_search(fails_above, SPACE, TRIALS, seed=11, data=DATA)
    assert outcomes(results) == outcomes(on_one_machine)
    failed = [r for r in results if r.status == "failed"]
    assert failed and all(r.error.startswith("ValueError: lr") for r in failed)
    assert len(results) - len(failed) == sum(r.params["lr"] <= 0.1 for r in serial)


def test_a_killed_worker_costs_its_trial_a_retry_not_the_search(client, serial, tmp_path):
    marker = tmp_path / "killed"
    victim = tune.plan_trials(SPACE, TRIALS, seed=11)[5]
    objective = partial(dies_once, str(marker), victim.params["lr"])
    workers_before = set(client.run(lambda: __import__("os").getpid()).values())
    path = tmp_path / "search.jsonl"
    executor = tune.DaskExecutor(client)
    results = tune.random_search(
        objective, SPACE, TRIALS, seed=11, data=DATA, executor=executor, results=path
    )
    assert int(marker.read_text()) in workers_before  # a worker process did die mid-trial
    assert outcomes(results) == outcomes(serial)
    assert sorted(json.loads(line)["id"] for line in path.read_text().splitlines()) == list(
        range(TRIALS)
    )
    client.wait_for_workers(2, timeout=60)
    assert int(marker.read_text()) not in client.run(lambda: __import__("os").getpid()).values()


def test_resume_on_the_cluster_runs_only_the_missing_trials(client, serial, tmp_path):
    path = tmp_path / "search.jsonl"
    executor = tune.DaskExecutor(client)
    tune.random_search(TINY_MLP, SPACE, 3, seed=11, data=DATA, executor=executor, results=path)
    results = tune.random_search(
        TINY_MLP, SPACE, TRIALS, seed=11, data=DATA, executor=executor, results=path, resume=True
    )
    assert outcomes(results) == outcomes(serial)
    ids = [json.loads(line)["id"] for line in path.read_text().splitlines()]
    assert sorted(ids) == list(range(TRIALS)) and sorted(ids[:3]) == [0, 1, 2]


def test_open_executor_starts_and_stops_a_local_cluster():
    with tune.open_executor(workers=1) as executor:
        cluster = executor.client.cluster
        assert len(executor.client.scheduler_info()["workers"]) == 1
        results = tune.random_search(TINY_MLP, SPACE, 2, seed=11, data=DATA, executor=executor)
    assert cluster.status.name == "closed"
    assert outcomes(results) == outcomes(tune.random_search(TINY_MLP, SPACE, 2, seed=11, data=DATA))


def _pid_and_rows(item, data):
    return __import__("os").getpid(), len(data[0])


def test_the_data_goes_to_every_worker_once_not_with_each_trial(client):
    executor = tune.DaskExecutor(client)
    calls = executor.map_unordered(_pid_and_rows, range(6), DATA)
    assert next(calls)[1] == len(DATA[0])
    data_bytes = sum(array.nbytes for array in DATA)
    held = {key: workers for key, workers in client.who_has().items() if workers}
    shared = [key for key in held if client.nbytes(summary=False).get(key, 0) >= data_bytes]
    assert len(shared) == 1 and len(held[shared[0]]) == 2  # one copy on each of the 2 workers
    dependencies = client.run_on_scheduler(_dependencies)
    trial_tasks = [key for key in dependencies if key != str(shared[0])]
    assert len(trial_tasks) >= 5  # the trials not yet collected
    assert all(dependencies[key] == [str(shared[0])] for key in trial_tasks)  # a reference
    assert len(list(calls)) == 5


def _dependencies(dask_scheduler):
    """Each task the scheduler knows, with the keys it depends on."""
    return {
        str(key): [str(dependency.key) for dependency in task.dependencies]
        for key, task in dask_scheduler.tasks.items()
    }


@pytest.fixture
def fragile_client(tmp_path):
    """A one-worker cluster that gives up on a trial at its first worker death."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=1,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=":0",
            local_directory=str(tmp_path / "dask"),
        )
    with cluster, distributed.Client(cluster) as client:
        yield client


def test_a_trial_the_cluster_cannot_run_stops_the_search_with_the_fix(fragile_client, tmp_path):
    (tmp_path / "only_here.py").write_text("def objective(params, rng, data):\n    return 1.0\n")
    sys.path.insert(0, str(tmp_path))  # this process can import it; the worker cannot
    try:
        objective = importlib.import_module("only_here").objective
        with pytest.raises(RuntimeError, match=r"could not finish on the Dask cluster") as caught:
            tune.random_search(objective, SPACE, 2, executor=tune.DaskExecutor(fragile_client))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("only_here", None)
    assert "install the project on every worker machine" in str(caught.value)


def test_a_trial_that_keeps_killing_its_worker_stops_the_search(fragile_client, tmp_path):
    path = tmp_path / "search.jsonl"
    victim = tune.plan_trials(SPACE, 3, seed=11)[1]
    objective = partial(dies_once, None, victim.params["lr"])  # dies at every attempt
    with pytest.raises(RuntimeError, match=r"\(KilledWorker: .*died allowed-failures \+ 1 times"):
        tune.random_search(
            objective, SPACE, 3, seed=11, data=DATA, executor=tune.DaskExecutor(fragile_client),
            results=path,
        )  # fmt: skip
    done = [json.loads(line)["id"] for line in path.read_text().splitlines()]
    assert 1 not in done
