"""The examples' shared command line (``examples/cli.py``) and each script's use of it.

Every script is run in a subprocess, as a user runs it: ``--help`` shows the defaults, a bad
value is one line and exit status 2 before any work, a data problem is one line and exit 1,
and nothing is created where the user did not ask.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_lite.data import MNISTError
from examples import cli

REPO_ROOT = Path(__file__).resolve().parents[1]
LIBRARY_MODULES = {
    "__init__",
    "cli",
    "checkpoint",
    "simple_conv_net",
}  # examples/ files that are not scripts
SCRIPTS = sorted(
    p.stem for p in (REPO_ROOT / "examples").glob("*.py") if p.stem not in LIBRARY_MODULES
)


def run_script(name: str, *argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python examples/<name>.py argv`` from ``cwd``, with no data variable set."""
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRAD_LITE_DATA"}
    env["MPLBACKEND"] = "Agg"
    script = REPO_ROOT / "examples" / f"{name}.py"
    return subprocess.run(
        [sys.executable, str(script), *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("name", SCRIPTS)
def test_help_works_and_shows_the_defaults(name, tmp_path):
    done = run_script(name, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:") and "(default:" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_hyperparameter_search_help_no_longer_crashes_on_a_percent_sign(tmp_path):
    done = run_script("hyperparameter_search", "--help", cwd=tmp_path)
    assert "(20% validate)" in done.stdout


@pytest.mark.parametrize(
    ("name", "argv", "flag", "accepted"),
    [
        ("train_mnist", ["--dropout", "1.5"], "--dropout", "[0, 1)"),
        ("train_mnist", ["--lr", "-1"], "--lr", "> 0"),
        ("train_mnist", ["--epochs", "0"], "--epochs", ">= 1"),
        ("train_mnist", ["--lr", "fast"], "--lr", "a number"),
        ("train_mnist", ["--optimizer", "adagrad", "--weight-decay", "1e-4"], "--weight-decay", ""),
        ("train_mnist", ["--save", "model.json"], "--save", ".npz"),
        ("train_mnist", ["--model", "cnn", "--dropout", "0.5"], "--dropout", "the MLP"),
        ("train_mnist", ["--shift", "-1"], "--shift", ">= 0"),
        ("logic_gates", ["--steps", "-5"], "--steps", ">= 1"),
        ("two_layer_net_mnist", ["--learning-rate", "0"], "--learning-rate", "> 0"),
        ("hyperparameter_search", ["--resume"], "--resume", "--results"),
        ("predict_mnist", ["no-such-weights.npz"], "weights", "no such file"),
    ],
)
def test_a_bad_value_is_one_line_and_exit_status_2(name, argv, flag, accepted, tmp_path):
    done = run_script(name, *argv, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and flag in lines[0] and accepted in lines[0], done.stderr
    assert "Traceback" not in done.stderr and list(tmp_path.iterdir()) == []


def test_a_mistyped_data_dir_is_reported_and_never_created(tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    done = run_script("train_mnist", "--data-dir", str(missing), cwd=tmp_path)
    assert done.returncode == 2 and not missing.parent.exists()
    [line] = done.stderr.strip().splitlines()
    assert "--data-dir" in line and "$AUTOGRAD_LITE_DATA" in line and "does not exist" in line


def test_a_data_folder_without_mnist_is_one_line_naming_both_settings(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_script("gradient_check", "--data-dir", str(empty), cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "--data-dir" in line and "$AUTOGRAD_LITE_DATA" in line and str(empty) in line
    assert list(empty.iterdir()) == []


@pytest.mark.parametrize("flag", ["--save", "--plot"])
def test_an_output_path_that_cannot_be_written_fails_before_training(flag, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run_script("train_mnist", flag, str(blocker / "out.npz"), cwd=tmp_path)
    assert done.returncode == 2 and "is a file, not a folder" in done.stderr
    assert "epoch" not in done.stdout  # nothing trained
    done = run_script("train_mnist", flag, str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2 and "is a folder" in done.stderr


def test_render_graph_writes_into_the_current_folder(tmp_path):
    done = run_script("render_graph", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "apple.svg",
        "neuron.svg",
        "simple_conv_net.svg",
        "two_layer_net.svg",
    ]
    out = tmp_path / "new" / "folder"
    assert run_script("render_graph", "--out-dir", str(out), cwd=tmp_path).returncode == 0
    assert len(list(out.iterdir())) == 4


def test_generated_files_are_ignored_and_no_tracked_file_is():
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout (an installed copy of the tests)")
    tracked_but_ignored = subprocess.run(
        ["git", "ls-files", "-ci", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert tracked_but_ignored == ""
    outputs = ["curves.png", "two_layer_net.svg", "search.jsonl", "model.json", "model.npz"]
    outputs += ["model.ckpt.npz", "graph.dot", ".model.json.partial", ".m.npz.1a2b.tmp"]
    outputs += ["out/deep/curves.png"]
    ignored = subprocess.run(
        ["git", "check-ignore", *outputs], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.split()
    assert ignored == outputs


# --- the helper's pieces ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (cli.positive_int, {"1": 1, "30": 30}, ["0", "-2", "1.5", "x"]),
        (cli.non_negative_int, {"0": 0, "7": 7}, ["-1", "x"]),
        (cli.positive_float, {"1e-3": 1e-3, "2": 2.0}, ["0", "-1", "inf", "nan", "x"]),
        (cli.non_negative_float, {"0": 0.0, "0.5": 0.5}, ["-1e-9", "inf", "nan"]),
        (cli.probability, {"0": 0.0, "0.5": 0.5}, ["1", "1.5", "-0.1", "nan"]),
    ],
)
def test_value_checks_accept_their_range_and_name_it_otherwise(check, good, bad):
    for text, value in good.items():
        assert check(text) == value
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError):
            check(text)


def test_output_checks_find_a_file_in_the_way_without_creating_anything(tmp_path):
    assert cli.output_file(str(tmp_path / "a" / "b" / "c.png")) == tmp_path / "a" / "b" / "c.png"
    assert cli.output_dir(str(tmp_path / "x" / "y")) == tmp_path / "x" / "y"
    assert list(tmp_path.iterdir()) == []  # checked, not created
    (tmp_path / "f").write_text("")
    with pytest.raises(argparse.ArgumentTypeError, match="is a file"):
        cli.output_dir(str(tmp_path / "f" / "sub"))
    with pytest.raises(argparse.ArgumentTypeError, match="is a folder"):
        cli.output_file(str(tmp_path))
    with pytest.raises(argparse.ArgumentTypeError, match="no such file"):
        cli.input_file(str(tmp_path / "missing.npz"))
    with pytest.raises(argparse.ArgumentTypeError, match="is not a folder"):
        cli.data_dir(str(tmp_path / "f"))


def test_run_turns_data_errors_and_ctrl_c_into_one_line(capsys):
    def missing_data():
        raise MNISTError("MNIST: missing train-images-idx3-ubyte in /x")

    def interrupted():
        raise KeyboardInterrupt("epoch 2 is saved in m.ckpt.npz")

    with pytest.raises(SystemExit) as exit_:
        cli.run(missing_data)
    assert exit_.value.code == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "--data-dir" in line and "$AUTOGRAD_LITE_DATA" in line and "/x" in line
    with pytest.raises(SystemExit) as exit_:
        cli.run(interrupted)
    assert exit_.value.code == cli.INTERRUPTED == 130
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.endswith("interrupted: epoch 2 is saved in m.ckpt.npz")
    assert cli.run(lambda x: x + 1, 1) == 2


def test_usage_error_after_parsing_is_one_line_and_exit_status_2(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["train_mnist.py"])
    with pytest.raises(SystemExit) as exit_:
        cli.usage_error("argument --resume: m.npz: not a training checkpoint")
    assert exit_.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    expected = "train_mnist.py: error: argument --resume: m.npz: not a training checkpoint"
    assert line == f"{expected} (see --help)"
