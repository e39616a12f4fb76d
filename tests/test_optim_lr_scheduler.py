"""Learning-rate schedulers against PyTorch's closed-form formulas, written out here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor
from optim import SGD, CosineAnnealingLR, ExponentialLR, LRScheduler, StepLR


def optimizer(lr=0.1):
    return SGD([Tensor(np.zeros(2), requires_grad=True)], lr)


def schedule(scheduler, epochs):
    """The optimizer's lr after each of ``epochs`` scheduler steps (also checks get_last_lr)."""
    lrs, start = [], scheduler.last_epoch
    for epoch in range(start + 1, start + epochs + 1):
        scheduler.step()
        assert scheduler.last_epoch == epoch
        assert scheduler.get_last_lr() == [scheduler.optimizer.lr]
        lrs.append(scheduler.optimizer.lr)
    return lrs


base_lrs = st.floats(1e-4, 1.0)
gammas = st.floats(0.05, 1.0)


@given(base_lrs, st.integers(1, 10), gammas, st.integers(1, 40))
def test_step_lr_is_base_times_gamma_to_the_number_of_whole_periods(base, size, gamma, epochs):
    lrs = schedule(StepLR(optimizer(base), step_size=size, gamma=gamma), epochs)
    for t, lr in enumerate(lrs, start=1):
        assert math.isclose(lr, base * gamma ** math.floor(t / size), rel_tol=1e-12)


def test_step_lr_drops_by_gamma_every_step_size_epochs():
    lrs = schedule(StepLR(optimizer(1.0), step_size=3), 7)
    np.testing.assert_allclose(lrs, [1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01], rtol=1e-12)


@given(base_lrs, st.floats(0.5, 1.0), st.integers(1, 40))
def test_exponential_lr_is_base_times_gamma_to_the_epoch(base, gamma, epochs):
    lrs = schedule(ExponentialLR(optimizer(base), gamma=gamma), epochs)
    for t, lr in enumerate(lrs, start=1):
        assert math.isclose(lr, base * math.exp(t * math.log(gamma)), rel_tol=1e-12)


@given(base_lrs, st.integers(1, 20), st.floats(0.0, 1e-3), st.integers(1, 50))
def test_cosine_annealing_lr_follows_the_half_cosine(base, t_max, eta_min, epochs):
    lrs = schedule(CosineAnnealingLR(optimizer(base), T_max=t_max, eta_min=eta_min), epochs)
    for t, lr in enumerate(lrs, start=1):
        want = eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2
        assert math.isclose(lr, want, rel_tol=1e-12, abs_tol=1e-15)


def test_cosine_annealing_reaches_eta_min_at_t_max_and_climbs_back_after_it():
    lrs = schedule(CosineAnnealingLR(optimizer(1.0), T_max=4, eta_min=0.2), 8)
    assert lrs[1] == pytest.approx(0.6)  # halfway
    assert lrs[3] == 0.2  # T_max
    assert lrs[5] == pytest.approx(0.6) and lrs[7] == pytest.approx(1.0)  # PyTorch's closed form


@pytest.mark.parametrize(
    "make",
    [
        lambda opt: StepLR(opt, 2),
        lambda opt: ExponentialLR(opt, 0.9),
        lambda opt: CosineAnnealingLR(opt, 10),
    ],
)
def test_before_the_first_step_the_lr_is_the_optimizers(make):
    opt = optimizer(0.3)
    scheduler = make(opt)
    assert scheduler.base_lrs == [0.3] and scheduler.last_epoch == 0
    assert scheduler.get_last_lr() == [0.3] and opt.lr == 0.3


def test_the_optimizer_steps_with_the_scheduled_lr():
    w = Tensor(np.zeros(1), requires_grad=True)
    opt = SGD([w], 1.0)
    scheduler = StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        w.grad = Tensor(np.ones(1))
        opt.step()  # moves by 1, then 0.5, then 0.25
        scheduler.step()
    np.testing.assert_allclose(w.data, [-1.75], rtol=1e-15)


# ---------------------------------------------------------------------- state_dict
SCHEDULERS = {
    "StepLR": lambda opt: StepLR(opt, step_size=3, gamma=0.5),
    "ExponentialLR": lambda opt: ExponentialLR(opt, gamma=0.9),
    "CosineAnnealingLR": lambda opt: CosineAnnealingLR(opt, T_max=7, eta_min=0.01),
}


@pytest.mark.parametrize("name", SCHEDULERS)
def test_a_loaded_scheduler_continues_the_same_schedule(name):
    original = SCHEDULERS[name](optimizer(0.1))
    schedule(original, 5)
    restored = SCHEDULERS[name](optimizer(0.7))
    restored.load_state_dict(original.state_dict())
    assert restored.optimizer.lr == 0.7  # as in PyTorch: the optimizer's state dict has its lr
    assert restored.state_dict() == original.state_dict()
    assert restored.get_last_lr() == original.get_last_lr()
    assert schedule(restored, 6) == schedule(original, 6)


def test_state_dict_holds_the_schedule_and_not_the_optimizer():
    scheduler = StepLR(optimizer(0.1), step_size=3, gamma=0.5)
    schedule(scheduler, 2)
    assert scheduler.state_dict() == {
        "base_lrs": [0.1],
        "last_epoch": 2,
        "step_size": 3,
        "gamma": 0.5,
    }


BAD_SCHEDULER_STATES = [
    ({"last_epoch": -1}, ValueError, "last_epoch must be >= 0, got -1"),
    ({"last_epoch": 2.0}, TypeError, "last_epoch must be an int"),
    ({"base_lrs": [float("nan")]}, ValueError, r"base_lrs\[0\] must be finite"),
    ({"base_lrs": 0.1}, TypeError, "base_lrs must be a list of learning rates"),
    ({"base_lrs": [0.1, 0.2]}, ValueError, "base_lrs has 2 rates but the optimizer has 1"),
    ({"gamma": 0.0}, ValueError, "gamma must be > 0, got 0.0"),
    ({"step_size": 0}, ValueError, "step_size must be >= 1, got 0"),
    ({"extra": 1}, ValueError, r"unexpected \['extra'\]"),
]


@pytest.mark.parametrize("change, error, message", BAD_SCHEDULER_STATES)
def test_a_bad_scheduler_state_is_refused_and_nothing_changes(change, error, message):
    scheduler = StepLR(optimizer(0.1), step_size=3, gamma=0.5)
    schedule(scheduler, 2)
    before = scheduler.state_dict()
    bad = {**before, "base_lrs": [0.9], **change}  # a valid change that must not be applied
    with pytest.raises(error, match=f"StepLR.load_state_dict: .*{message}"):
        scheduler.load_state_dict(bad)
    assert scheduler.state_dict() == before


def test_a_scheduler_state_with_a_missing_key_is_refused():
    scheduler = CosineAnnealingLR(optimizer(), T_max=5)
    state = scheduler.state_dict()
    del state["T_max"]
    with pytest.raises(ValueError, match=r"missing \['T_max'\]"):
        scheduler.load_state_dict(state)


# ---------------------------------------------------------------------- errors
BAD_SCHEDULERS = [
    (lambda opt: StepLR(opt, step_size=0), ValueError, "StepLR: step_size must be >= 1, got 0"),
    (lambda opt: StepLR(opt, step_size=2.0), TypeError, "StepLR: step_size must be an int"),
    (lambda opt: StepLR(opt, 2, gamma=-0.1), ValueError, "StepLR: gamma must be > 0, got -0.1"),
    (lambda opt: ExponentialLR(opt, 0.0), ValueError, "ExponentialLR: gamma must be > 0, got 0"),
    (lambda opt: ExponentialLR(opt, float("nan")), ValueError, "gamma must be finite"),
    (lambda opt: CosineAnnealingLR(opt, 0), ValueError, "T_max must be >= 1, got 0"),
    (lambda opt: CosineAnnealingLR(opt, 5, -1e-3), ValueError, "eta_min must be >= 0"),
    (lambda opt: StepLR(object(), 2), TypeError, "StepLR: expected an optim.Optimizer, got obj"),
]


@pytest.mark.parametrize("make, error, message", BAD_SCHEDULERS)
def test_bad_scheduler_arguments_are_refused_by_name_and_value(make, error, message):
    with pytest.raises(error, match=message):
        make(optimizer())


def test_a_step_that_would_set_an_invalid_lr_changes_nothing():
    opt = optimizer(1e200)
    scheduler = ExponentialLR(opt, gamma=1e200)
    with pytest.raises(ValueError, match="SGD: lr must be finite, got inf"):
        scheduler.step()
    assert scheduler.last_epoch == 0 and opt.lr == 1e200


def test_the_base_scheduler_has_no_formula():
    scheduler = LRScheduler(optimizer())
    with pytest.raises(NotImplementedError, match="use StepLR, ExponentialLR"):
        scheduler.step()
