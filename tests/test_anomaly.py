"""detect_anomaly pinpoints the op and the line that first made NaN or inf."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import AnomalyError, Tensor, detect_anomaly


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def line_of(marker: str) -> int:
    source = Path(__file__).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(source, 1) if marker in line and "line_of" not in line)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    ("make", "op", "marker"),
    [
        (lambda x: x.log(), "log", "PLANTED-LOG"),
        (lambda x: x / (x - x), "div", "PLANTED-DIV"),
    ],
)
def test_forward_anomaly_names_the_op_the_pass_and_the_line(make, op, marker):
    x = leaf([0.0, 1.0])
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        make(x)  # the lambdas above are the creation sites: PLANTED-LOG PLANTED-DIV
    message = str(info.value)
    assert f"forward of {op}((2,)" in message
    assert f"{__file__}:{line_of(marker)}" in message


def test_forward_anomaly_for_zero_over_zero_and_sqrt_of_a_negative():
    x = leaf([0.0, -4.0])
    with detect_anomaly(), np.errstate(all="ignore"):
        with pytest.raises(AnomalyError, match=r"forward of div\(\(2,\), \(2,\)\) produced NaN"):
            x / x
        with pytest.raises(AnomalyError, match=r"forward of sqrt\(\(2,\)\) produced NaN"):
            x.sqrt()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_backward_anomaly_names_the_op_and_where_it_was_created():
    x = leaf([0.0, 4.0])
    with detect_anomaly():
        y = x.sqrt()  # PLANTED-SQRT: finite forward, infinite derivative at 0
        loss = (y * 3.0).sum()
        with pytest.raises(AnomalyError) as info:
            loss.backward()
    message = str(info.value)
    assert "backward of sqrt((2,))" in message and "input 0 (shape (2,))" in message
    assert f"{__file__}:{line_of('PLANTED-SQRT')}" in message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_backward_anomaly_for_log_of_zero_in_the_backward_pass():
    # log(x + 0) at 0 is -inf in forward, so plant it in backward only: d/dx x^0.5 at 0
    x = leaf([0.0])
    with detect_anomaly():
        y = (x**0.5).sum()
        with pytest.raises(AnomalyError, match=r"backward of pow_scalar"):
            y.backward()


def test_inputs_that_are_already_nan_are_not_blamed_on_the_next_op():
    x = Tensor(np.array([np.nan, 1.0]), requires_grad=True)
    with detect_anomaly():
        y = (x * 2.0).sum()  # NaN in, NaN out: not an anomaly of mul
    assert np.isnan(y.item())


def test_outside_the_block_nothing_is_checked_or_recorded():
    x = leaf([0.0])
    with np.errstate(all="ignore"):
        y = x.log()
    assert getattr(y, "_trace", None) is None
    with detect_anomaly():
        assert ag.anomaly.AnomalyMode.enabled
    assert not ag.anomaly.AnomalyMode.enabled


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("script", ["nn_experiment.py", "optim_sweep.py", "autograd_lite_demo.py"])
def test_a_user_script_named_like_a_library_package_was_taken_for_library_code(script):
    # a script named nn_*.py or optim*.py in the repository root was matched by the bare
    # prefix .../nn and reported as "created before detect_anomaly() was entered"
    # (compiled under that file name only: nothing is written into the repository)
    path = Path(ag.__file__).resolve().parent.parent / script
    namespace: dict = {}
    exec(compile("def make(x):\n    return x.log()\n", str(path), "exec"), namespace)
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        namespace["make"](leaf([0.0, 1.0]))
    assert f"{path}:2" in str(info.value)
