"""tune, serially: search spaces, seeds, one trial, faults, the results file and resuming.

The Dask executor's tests are in test_tune_dask.py. The data is synthetic
(``_tune_support.digits_like``), so none of these tests needs MNIST.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
import tune
from tests._tune_support import SPACE, TINY_MLP, digits_like, fails_above, outcomes
from tune.progress import Progress
from tune.results import ResultsLog

DATA = digits_like()


@pytest.fixture(scope="module")
def six_trials():
    """A 6-trial search of the tiny MLP, serially: the reference the other tests compare to."""
    return tune.random_search(TINY_MLP, SPACE, 6, seed=3, data=DATA)


def read_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- search spaces --------------------------------------------------------------------------


@given(low=st.floats(-8, 2), width=st.floats(0.1, 6), seed=st.integers(0, 2**32))
def test_log_uniform_draws_lie_in_range(low, width, seed):
    distribution = tune.LogUniform(10**low, 10 ** (low + width))
    value = distribution.sample(np.random.default_rng(seed))
    assert isinstance(value, float)
    assert 10**low * (1 - 1e-12) <= value <= 10 ** (low + width) * (1 + 1e-12)


def test_log_uniform_is_uniform_in_the_exponent():
    rng = np.random.default_rng(0)
    exponents = np.log10([tune.LogUniform(1e-6, 1e-2).sample(rng) for _ in range(4000)])
    counts, _ = np.histogram(exponents, bins=4, range=(-6, -2))
    assert counts.min() > 900  # each decade holds about a quarter of 4000 draws


def test_uniform_and_choice_draw_plain_python_values():
    rng = np.random.default_rng(0)
    assert 2.0 <= tune.Uniform(2.0, 3.0).sample(rng) < 3.0
    draws = {tune.Choice(np.array([16, 32])).sample(rng) for _ in range(50)}
    assert draws == {16, 32} and all(type(value) is int for value in draws)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: tune.LogUniform(0.0, 1.0), "low must be > 0"),
        (lambda: tune.LogUniform(1.0, 0.1), "low < high"),
        (lambda: tune.Uniform(1.0, math.inf), "low < high"),
        (lambda: tune.Choice([]), "non-empty"),
        (lambda: tune.random_search(TINY_MLP, {}, 2), "non-empty dict"),
        (lambda: tune.random_search(TINY_MLP, {"lr": 0.1}, 2), "not a name and a distribution"),
        (lambda: tune.random_search(TINY_MLP, SPACE, 0), "trials must be an integer >= 1"),
        (lambda: tune.random_search(TINY_MLP, SPACE, 2, seed=-1), "seed must be an integer"),
        (lambda: tune.random_search(TINY_MLP, SPACE, 2, mode="best"), "mode must be"),
    ],
)
def test_bad_search_settings_are_refused_by_name(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


# --- seeds ----------------------------------------------------------------------------------


def test_each_trial_has_its_own_seed_derived_from_the_search_seed():
    plan = tune.plan_trials(SPACE, 20, seed=7)
    assert [trial.id for trial in plan] == list(range(20))
    assert len({trial.seed for trial in plan}) == 20
    assert all(0 <= trial.seed < 2**53 for trial in plan)  # exact as a JSON double
    assert tune.plan_trials(SPACE, 20, seed=7) == plan
    assert tune.plan_trials(SPACE, 8, seed=7) == plan[:8]  # a longer search extends a shorter
    assert tune.plan_trials(SPACE, 8, seed=8)[0].seed != plan[0].seed


def test_a_trial_is_reproduced_from_its_seed_alone():
    trial = tune.plan_trials(SPACE, 3, seed=1)[2]
    again = tune.Trial(2, trial.seed, dict(trial.params))
    first, second = (tune.run_trial(TINY_MLP, t, DATA) for t in (trial, again))
    assert outcomes([first]) == outcomes([second])
    assert trial.rng().random() == again.rng().random()


def test_build_mlp_has_he_weights_and_zero_biases():
    model = tune.build_mlp([400, 300, 10], np.random.default_rng(0))
    layers = [m for _, m in model.named_modules() if isinstance(m, nn.Linear)]
    assert [layer.weight.shape for layer in layers] == [(400, 300), (300, 10)]
    for layer, fan_in in zip(layers, (400, 300)):
        assert abs(layer.weight.data.std() / np.sqrt(2 / fan_in) - 1) < 0.05
        assert not layer.bias.data.any()


def test_sort_results_puts_failures_last_in_both_modes():
    ok = [tune.TrialResult(i, 0, {}, score, "ok", None, 0.0) for i, score in enumerate([2, 1, 2])]
    failed = tune.TrialResult(3, 0, {}, None, "failed", "E: x", 0.0)
    assert [r.id for r in tune.sort_results([failed, *ok], "max")] == [0, 2, 1, 3]
    assert [r.id for r in tune.sort_results([failed, *ok], "min")] == [1, 0, 2, 3]


# --- one trial and its faults ---------------------------------------------------------------


def test_run_trial_records_score_and_metrics():
    trial = tune.Trial(0, 5, {"lr": 0.3, "weight_decay": 1e-6})
    result = tune.run_trial(TINY_MLP, trial, DATA)
    assert result.status == "ok" and result.error is None and result.duration > 0
    assert result.score == result.metrics["val_acc"][-1]
    assert len(result.metrics["train_acc"]) == 10
    assert all(acc in np.arange(61) / 60 for acc in result.metrics["val_acc"])  # of 60 images


@pytest.mark.parametrize(
    "objective, error",
    [
        (partial(fails_above), "ValueError: lr 0.5 is too large"),
        (lambda params, rng, data: float("nan"), "FloatingPointError: the score is nan"),
        (lambda params, rng, data: {"loss": 1.0}, "KeyError: .*without a 'score'"),
        (lambda params, rng, data: "0.9", "TypeError: the objective's score must be a number"),
        (lambda params, rng, data: {"score": 1.0, "model": object()}, "TypeError: .*JSON"),
    ],
)
def test_a_trial_that_raises_is_recorded_as_failed(objective, error):
    result = tune.run_trial(objective, tune.Trial(4, 9, {"lr": 0.5}), DATA)
    assert (result.id, result.seed, result.status, result.score) == (4, 9, "failed", None)
    assert result.error is not None and __import__("re").match(error, result.error)


def test_a_diverging_learning_rate_fails_its_trial_with_the_reason():
    result = tune.run_trial(TINY_MLP, tune.Trial(0, 1, {"lr": 1e4}), DATA)
    assert result.status == "failed"
    assert result.error.startswith("FloatingPointError: TrainMLP: the loss is")
    assert "lr 1e+04 diverges" in result.error


def test_metrics_become_json_values():
    def objective(params, rng, data):
        return {"score": np.float32(0.5), "curve": np.array([1.0, np.inf]), "n": np.int64(3)}

    result = tune.run_trial(objective, tune.Trial(0, 1, {}), None)
    assert result.score == 0.5 and result.metrics == {"curve": [1.0, None], "n": 3}
    json.dumps(result.to_json(), allow_nan=False)


# --- the search -----------------------------------------------------------------------------


def test_random_search_returns_every_trial_best_first(six_trials):
    assert sorted(result.id for result in six_trials) == list(range(6))
    scores = [result.score for result in six_trials]
    assert all(result.status == "ok" for result in six_trials)
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.5  # 10 classes: chance 0.1
    plan = tune.plan_trials(SPACE, 6, seed=3)
    assert {r.id: (r.seed, r.params) for r in six_trials} == {
        t.id: (t.seed, t.params) for t in plan
    }


def test_mode_min_puts_the_lowest_score_first_and_failures_last():
    def objective(params, rng, data):
        if params["x"] > 8:
            raise RuntimeError("boom")
        return params["x"]

    results = tune.random_search(objective, {"x": tune.Uniform(0, 10)}, 12, seed=0, mode="min")
    ok = [r.score for r in results if r.status == "ok"]
    failed = [r for r in results if r.status == "failed"]
    assert ok == sorted(ok) and failed and all(r.params["x"] > 8 for r in failed)
    assert results[-len(failed) :] == failed and len(results) == 12


def test_failed_trials_do_not_stop_the_others(tmp_path, six_trials):
    results = tune.random_search(fails_above, SPACE, 6, seed=3, data=DATA)
    expected = {r.id: r for r in six_trials}
    for result in results:
        if expected[result.id].params["lr"] > 0.1:
            assert result.status == "failed" and "too large" in result.error
        else:
            assert outcomes([result]) == outcomes([expected[result.id]])
    assert {r.status for r in results} == {"ok", "failed"}


# --- the results file and resuming ----------------------------------------------------------


def test_the_results_file_has_one_line_per_trial_as_returned(tmp_path, six_trials):
    path = tmp_path / "sub" / "search.jsonl"
    results = tune.random_search(TINY_MLP, SPACE, 6, seed=3, data=DATA, results=path)
    lines = read_lines(path)
    assert [line["id"] for line in lines] == list(range(6))  # serially: completion order
    assert sorted(lines, key=lambda line: line["id"]) == sorted(
        (r.to_json() for r in results), key=lambda line: line["id"]
    )
    assert list(lines[0]) == [
        "id",
        "seed",
        "params",
        "score",
        "status",
        "error",
        "duration",
        "metrics",
    ]
    assert outcomes(results) == outcomes(six_trials)


def test_resume_runs_only_the_trials_the_file_lacks(tmp_path, six_trials):
    path = tmp_path / "search.jsonl"
    tune.random_search(TINY_MLP, SPACE, 4, seed=3, data=DATA, results=path)
    calls = []

    def counting(params, rng, data):
        calls.append(params["lr"])
        return TINY_MLP(params, rng, data)

    results = tune.random_search(counting, SPACE, 6, seed=3, data=DATA, results=path, resume=True)
    assert len(calls) == 2  # trials 4 and 5
    assert outcomes(results) == outcomes(six_trials)
    assert sorted(line["id"] for line in read_lines(path)) == list(range(6))
    calls.clear()
    tune.random_search(counting, SPACE, 6, seed=3, data=DATA, results=path, resume=True)
    assert calls == []


def test_resume_reruns_a_trial_whose_line_was_cut_short(tmp_path, six_trials):
    path = tmp_path / "search.jsonl"
    tune.random_search(TINY_MLP, SPACE, 6, seed=3, data=DATA, results=path)
    text = path.read_text()
    path.write_text(text[: len(text) - 40])  # killed while writing trial 5's line
    with pytest.warns(UserWarning, match=r"last line \(line 6\) is cut short"):
        results = tune.random_search(
            TINY_MLP, SPACE, 6, seed=3, data=DATA, results=path, resume=True
        )
    assert outcomes(results) == outcomes(six_trials)
    assert [line["id"] for line in read_lines(path)] == list(range(6))


def test_resume_accepts_a_complete_last_line_without_its_newline(tmp_path, six_trials):
    path = tmp_path / "search.jsonl"
    tune.random_search(TINY_MLP, SPACE, 3, seed=3, data=DATA, results=path)
    path.write_text(path.read_text().rstrip("\n"))
    results = tune.random_search(TINY_MLP, SPACE, 6, seed=3, data=DATA, results=path, resume=True)
    assert outcomes(results) == outcomes(six_trials)
    assert [line["id"] for line in read_lines(path)] == list(range(6))


def test_a_corrupt_line_inside_the_file_is_named(tmp_path):
    path = tmp_path / "search.jsonl"
    tune.random_search(TINY_MLP, SPACE, 3, seed=3, data=DATA, results=path)
    lines = path.read_text().splitlines()
    lines[1] = lines[1][:30]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(tune.ResultsFileError, match=r"search.jsonl, line 2: not JSON"):
        tune.random_search(TINY_MLP, SPACE, 3, seed=3, data=DATA, results=path, resume=True)
    path.write_text('{"id": 0}\n')
    with pytest.raises(tune.ResultsFileError, match="line 1: not a trial record"):
        tune.random_search(TINY_MLP, SPACE, 3, seed=3, data=DATA, results=path, resume=True)


def test_resuming_another_search_is_refused(tmp_path):
    path = tmp_path / "search.jsonl"
    tune.random_search(TINY_MLP, SPACE, 2, seed=3, data=DATA, results=path)
    with pytest.raises(tune.ResultsFileError, match="trial 0 ran with seed .* another search"):
        tune.random_search(TINY_MLP, SPACE, 2, seed=4, data=DATA, results=path, resume=True)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[0]]) + "\n")
    with pytest.raises(tune.ResultsFileError, match="line 3: trial 0 twice"):
        tune.random_search(TINY_MLP, SPACE, 2, seed=3, data=DATA, results=path, resume=True)


def test_an_existing_file_is_never_overwritten_without_resume(tmp_path):
    path = tmp_path / "search.jsonl"
    path.write_text("keep me\n")
    with pytest.raises(FileExistsError, match="search.jsonl exists; resume from it"):
        tune.random_search(TINY_MLP, SPACE, 2, seed=3, data=DATA, results=path)
    assert path.read_text() == "keep me\n"
    with pytest.raises(ValueError, match="resume=True needs a results file"):
        tune.random_search(TINY_MLP, SPACE, 2, seed=3, data=DATA, resume=True)


def test_a_results_file_that_a_running_search_holds_is_refused(tmp_path):
    pytest.importorskip("fcntl")  # POSIX advisory locks
    path = tmp_path / "search.jsonl"
    with ResultsLog(path, tune.plan_trials(SPACE, 2, seed=3), resume=False) as running:
        with pytest.raises(tune.ResultsFileError, match="another search that is still running"):
            tune.random_search(TINY_MLP, SPACE, 2, seed=3, data=DATA, results=path, resume=True)
        assert running.path.read_bytes() == b""
    results = tune.random_search(TINY_MLP, SPACE, 2, seed=3, data=DATA, results=path, resume=True)
    assert len(results) == len(read_lines(path)) == 2


def test_read_results_keeps_only_the_planned_trials(tmp_path):
    path = tmp_path / "search.jsonl"
    tune.random_search(TINY_MLP, SPACE, 4, seed=3, data=DATA, results=path)
    done, good_end = tune.read_results(path, tune.plan_trials(SPACE, 2, seed=3))
    assert sorted(done) == [0, 1] and good_end == len(path.read_bytes())


# --- progress and executors -----------------------------------------------------------------


def test_progress_without_tqdm_prints_a_line_per_finished_trial(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    results = {r.id: r for r in tune.random_search(fails_above, SPACE, 4, seed=3, data=DATA)}
    tune.random_search(fails_above, SPACE, 4, seed=3, data=DATA, progress=True)
    lines = capsys.readouterr().err.splitlines()
    best_score, failed = None, 0
    for count, line in enumerate(lines, start=1):
        result = results[count - 1]  # serially, trial i is the i-th to finish
        if result.status == "ok":
            best_score = result.score if best_score is None else max(best_score, result.score)
            outcome = f"score {result.score:.4g}"
        else:
            outcome, failed = "failed", failed + 1
        best = "-" if best_score is None else f"{best_score:.4g}"
        assert (
            line == f"trial {result.id}: {outcome} ({count}/4 done, best {best}, {failed} failed)"
        )
    assert len(lines) == 4 and failed == 1


def test_progress_counts_resumed_trials_and_the_best_score():
    resumed = [tune.TrialResult(i, 0, {}, 0.3 + i, "ok", None, 0.0) for i in range(2)]
    progress = Progress(total=7, resumed=resumed, mode="min", enabled=False)
    assert (progress.count, progress.best, progress.failed) == (2, 0.3, 0)
    for score in (0.5, 0.2, 0.7):
        progress.update(tune.TrialResult(0, 0, {}, score, "ok", None, 0.0))
    progress.update(tune.TrialResult(1, 0, {}, None, "failed", "E: x", 0.0))
    assert (progress.count, progress.best, progress.failed) == (6, 0.2, 1)


def test_progress_bar_uses_tqdm_when_installed(capsys):
    pytest.importorskip("tqdm")
    tune.random_search(TINY_MLP, SPACE, 3, seed=3, data=DATA, progress=True)
    assert "3/3" in capsys.readouterr().err


def test_open_executor_is_serial_without_workers_or_scheduler():
    with tune.open_executor() as executor:
        assert isinstance(executor, tune.SerialExecutor)
        assert list(executor.map_unordered(lambda item, data: item * data, [1, 2], 10)) == [
            10,
            20,
        ]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"workers": 2, "scheduler": "tcp://127.0.0.1:8786"}, "not both"),
        ({"workers": 0}, "workers must be an integer >= 1"),
        ({"workers": True}, "workers must be an integer >= 1"),
    ],
)
def test_open_executor_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message), tune.open_executor(**kwargs):
        pass


def test_open_executor_without_dask_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    install_hint = r'pip install -e "\.\[distributed\]"'
    with pytest.raises(ImportError, match=install_hint), tune.open_executor(workers=2):
        pass


def test_a_serial_search_imports_no_dask(tmp_path):
    script = (
        "import sys, tune\n"
        "from tests._tune_support import SPACE, TINY_MLP, digits_like\n"
        "with tune.open_executor() as executor:\n"
        "    tune.random_search(TINY_MLP, SPACE, 2, data=digits_like(), executor=executor,\n"
        f"                       results={str(tmp_path / 'r.jsonl')!r}, progress=True)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    root = str(__import__("pathlib").Path(__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    assert len(read_lines(tmp_path / "r.jsonl")) == 2
