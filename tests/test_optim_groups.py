"""Parameter groups, ``step(closure)``, ``repr`` and group-aware schedulers and state dicts:
PyTorch's layout and behaviour, and the errors for what it would silently accept."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from autograd_lite import Tensor, no_grad
from optim import SGD, Adam, AdamW, RMSProp, StepLR


def weights(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]


def set_grads(params, seed):
    rng = np.random.default_rng(seed)
    for p in params:
        p.grad = Tensor(rng.standard_normal(p.shape))


def test_each_group_steps_with_its_own_hyperparameters_exactly_as_a_separate_optimizer():
    a, b = weights(0, (3, 2), (4,))
    a2, b2 = (Tensor(p.data.copy(), requires_grad=True) for p in (a, b))
    grouped = Adam(
        [{"params": [a]}, {"params": [b], "lr": 0.5, "weight_decay": 0.0}], lr=0.1, weight_decay=0.1
    )
    alone_a = Adam([a2], lr=0.1, weight_decay=0.1)
    alone_b = Adam([b2], lr=0.5)
    for step in range(5):
        set_grads([a, b], step)
        set_grads([a2, b2], step)
        grouped.step()
        alone_a.step()
        alone_b.step()
    np.testing.assert_array_equal(a.data, a2.data)
    np.testing.assert_array_equal(b.data, b2.data)


@pytest.mark.parametrize(
    ("make", "keys"),
    [
        (
            lambda ps: SGD(ps, 0.1),
            ["params", "lr", "momentum", "dampening", "nesterov", "weight_decay"],
        ),
        (lambda ps: Adam(ps), ["params", "lr", "betas", "eps", "weight_decay", "amsgrad"]),
        (
            lambda ps: RMSProp(ps, 0.01),
            ["params", "lr", "alpha", "eps", "weight_decay", "momentum", "centered"],
        ),
    ],
)
def test_param_groups_are_dicts_with_pytorchs_keys(make, keys):
    params = weights(0, (2,), ())
    opt = make(params)
    assert len(opt.param_groups) == 1 and isinstance(opt.param_groups[0], dict)
    assert list(opt.param_groups[0]) == keys
    assert opt.param_groups[0]["params"] == tuple(params)
    assert opt.defaults == {k: v for k, v in opt.param_groups[0].items() if k != "params"}


def test_missing_group_settings_come_from_the_defaults():
    a, b = weights(0, (2,), (3,))
    opt = SGD([{"params": [a], "momentum": 0.5}, {"params": b}], lr=0.1, weight_decay=1e-4)
    assert opt.param_groups[0]["momentum"] == 0.5 and opt.param_groups[1]["momentum"] == 0.0
    assert opt.param_groups[1]["params"] == (b,)  # a single tensor is a group of one
    assert opt.params == (a, b)


def test_a_group_hyperparameter_is_checked_when_assigned():
    opt = SGD([{"params": weights(0, (2,))}], lr=0.1, momentum=0.9)
    group = opt.param_groups[0]
    group["lr"] = 0.05
    assert group["lr"] == 0.05 and opt.lr == 0.05
    with pytest.raises(ValueError, match="SGD: lr must be >= 0, got -1.0"):
        group["lr"] = -1
    with pytest.raises(
        KeyError, match=r"'lrate' is not a hyper-parameter of SGD; a group has \['lr'"
    ):
        group["lrate"] = 0.1
    with pytest.raises(TypeError, match="params cannot be replaced.*add_param_group"):
        group["params"] = []
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0 and dampening == 0"):
        group.update(nesterov=True, dampening=0.5)
    assert group["lr"] == 0.05 and group["dampening"] == 0.0 and not group["nesterov"]


def test_opt_lr_reads_one_rate_and_sets_every_groups():
    a, b = weights(0, (2,), (2,))
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    with pytest.raises(
        ValueError, match=r"different learning rates \[0.1, 0.5\].*param_groups\[i\]\['lr'\]"
    ):
        opt.lr  # noqa: B018
    opt.lr = 0.2
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2] and opt.lr == 0.2


def test_add_param_group_extends_the_optimizer_and_refuses_a_tensor_twice():
    a, b, c = weights(0, (2,), (3,), ())
    opt = Adam([a], lr=0.1)
    opt.add_param_group({"params": [b, c], "lr": 0.01, "amsgrad": True})
    assert opt.params == (a, b, c) and opt.param_groups[1]["betas"] == (0.9, 0.999)
    set_grads([a, b, c], 0)
    opt.step()
    assert set(opt.state[1]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert set(opt.state[0]) == {"step", "exp_avg", "exp_avg_sq"}
    with pytest.raises(
        ValueError, match=r"add_param_group: params\[1\] is already in another parameter group"
    ):
        opt.add_param_group({"params": [Tensor([1.0], requires_grad=True), a]})
    with pytest.raises(TypeError, match="a parameter group must be a dict with a 'params' entry"):
        opt.add_param_group([a])
    with pytest.raises(ValueError, match=r"unexpected \['momentum'\]"):
        opt.add_param_group({"params": [Tensor([1.0], requires_grad=True)], "momentum": 0.9})
    assert len(opt.param_groups) == 2


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        (lambda a, b: [a, {"params": [b]}], TypeError, "params mixes tensors and dicts"),
        (
            lambda a, b: [{"params": [a]}, {"params": [a]}],
            ValueError,
            r"param_groups\[1\]: params\[0\] is already",
        ),
        (
            lambda a, b: [{"params": [a]}, {"lr": 0.1}],
            TypeError,
            r"param_groups\[1\]: a parameter group must be a dict",
        ),
        (lambda a, b: [{"params": {a, b}}], TypeError, "params is a set"),
        (
            lambda a, b: [{"params": [a], "lr": -0.1}],
            ValueError,
            r"SGD: param_groups\[0\]: lr must be >= 0",
        ),
        (lambda a, b: {"params": [a]}, TypeError, "params is a dict; pass a list"),
    ],
)
def test_bad_groups_are_refused_by_position(params, error, message):
    a, b = weights(0, (2,), (2,))
    with pytest.raises(error, match=message):
        SGD(params(a, b), lr=0.1)


def test_an_empty_group_is_allowed_as_in_pytorch():
    (a,) = weights(0, (2,))
    opt = SGD([{"params": [a]}, {"params": [], "weight_decay": 0.0}], lr=0.1)
    set_grads([a], 0)
    opt.step()
    assert opt.state_dict()["param_groups"][1]["params"] == []


def test_step_with_a_closure_reevaluates_the_loss_and_returns_it():
    w = Tensor([3.0, -1.0], requires_grad=True)
    opt = SGD([w], lr=0.25)
    calls = []

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        calls.append(loss.item())
        return loss

    with no_grad():  # the closure still records its graph, as PyTorch's does
        loss = opt.step(closure)
    assert calls == [10.0] and loss.item() == 10.0
    np.testing.assert_array_equal(w.data, [1.5, -0.5])  # w - 0.25 * 2 w
    assert opt.step() is None


def test_repr_lists_each_group_as_pytorch_prints_it():
    a, b = weights(0, (2,), (2,))
    opt = AdamW([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.001)
    assert repr(opt) == (
        "AdamW (\n"
        "Parameter Group 0\n"
        "    amsgrad: False\n"
        "    betas: (0.9, 0.999)\n"
        "    eps: 1e-08\n"
        "    lr: 0.001\n"
        "    weight_decay: 0.01\n"
        "Parameter Group 1\n"
        "    amsgrad: False\n"
        "    betas: (0.9, 0.999)\n"
        "    eps: 1e-08\n"
        "    lr: 0.01\n"
        "    weight_decay: 0.01\n"
        ")"
    )


def test_a_scheduler_sets_every_groups_rate_from_its_own_base():
    a, b = weights(0, (2,), (2,))
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.1}], lr=1.0)
    scheduler = StepLR(opt, step_size=1, gamma=0.5)
    assert scheduler.base_lrs == [1.0, 0.1]
    scheduler.step()
    scheduler.step()
    assert [g["lr"] for g in opt.param_groups] == [0.25, 0.025] == scheduler.get_last_lr()
    opt.add_param_group({"params": weights(1, (1,))})
    with pytest.raises(ValueError, match="3 parameter groups but the scheduler knows 2"):
        scheduler.step()


def test_a_grouped_optimizer_round_trips_through_its_state_dict():
    def build(params):
        return SGD(
            [{"params": params[:1]}, {"params": params[1:], "lr": 0.05, "momentum": 0.5}],
            lr=0.1,
            momentum=0.9,
        )

    params = weights(0, (3,), (2, 2), ())
    opt = build(params)
    for step in range(3):
        set_grads(params, step)
        opt.step()
    saved = opt.state_dict()
    assert saved["param_groups"] == [
        {
            "lr": 0.1,
            "momentum": 0.9,
            "dampening": 0.0,
            "nesterov": False,
            "weight_decay": 0.0,
            "params": [0],
        },
        {
            "lr": 0.05,
            "momentum": 0.5,
            "dampening": 0.0,
            "nesterov": False,
            "weight_decay": 0.0,
            "params": [1, 2],
        },
    ]
    clones = [Tensor(p.data.copy(), requires_grad=True) for p in params]
    restored = build(clones)
    restored.param_groups[1]["lr"] = 0.7  # the saved rate must come back
    restored.load_state_dict(copy.deepcopy(saved))
    assert restored.param_groups[1]["lr"] == 0.05
    for step in range(3, 6):
        set_grads(params, step)
        set_grads(clones, step)
        opt.step()
        restored.step()
    for p, clone in zip(params, clones):
        np.testing.assert_array_equal(p.data, clone.data)
    single = SGD(clones, lr=0.1, momentum=0.9)
    with pytest.raises(
        ValueError, match="state_dict has 2 parameter groups but this optimizer has 1"
    ):
        single.load_state_dict(saved)


def test_a_copied_group_is_a_plain_dict():
    opt = SGD(weights(0, (2,)), lr=0.1)
    copied = copy.deepcopy(opt.param_groups[0])
    assert type(copied) is dict and copied["lr"] == 0.1
    copied["lr"] = -5  # a copy is not checked and does not reach the optimizer
    assert opt.lr == 0.1
