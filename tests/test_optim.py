"""Behaviour shared by every optimizer: in-place float32 updates without graph, skipped
parameters, zero_grad, lazily created state and the state_dict round trip."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from autograd_lite import Tensor
from optim import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, Optimizer, RMSProp

# Settings that reach every branch of every update rule and every kind of state.
OPTIMIZERS = {
    "SGD": lambda ps: SGD(ps, 0.1),
    "SGD-momentum": lambda ps: SGD(ps, 0.1, momentum=0.9, dampening=0.2, weight_decay=0.01),
    "SGD-nesterov": lambda ps: SGD(ps, 0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Momentum": lambda ps: Momentum(ps, 0.1, 0.9),
    "Nesterov": lambda ps: Nesterov(ps, 0.1, 0.9),
    "AdaGrad": lambda ps: AdaGrad(ps, 0.1),
    "RMSProp": lambda ps: RMSProp(ps, 0.01),
    "RMSProp-all": lambda ps: RMSProp(ps, 0.01, weight_decay=0.01, momentum=0.9, centered=True),
    "Adam": lambda ps: Adam(ps, 0.01, weight_decay=0.01),
    "AdamW": lambda ps: AdamW(ps, 0.01),
}
STATE_NAMES = {
    "SGD": set(),
    "SGD-momentum": {"momentum_buffer"},
    "SGD-nesterov": {"momentum_buffer"},
    "Momentum": {"velocity"},
    "Nesterov": {"velocity"},
    "AdaGrad": {"sum"},
    "RMSProp": {"square_avg"},
    "RMSProp-all": {"square_avg", "grad_avg", "momentum_buffer"},
    "Adam": {"step", "exp_avg", "exp_avg_sq"},
    "AdamW": {"step", "exp_avg", "exp_avg_sq"},
}
SHAPES = [(3, 2), (), (4,)]


def make_params(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in SHAPES]


def gradients(seed, steps, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]


def take_step(opt, params, step_grads):
    for p, g in zip(params, step_grads):
        p.grad = Tensor(g)
    opt.step()


def assert_same_state_dict(got, want):
    assert got["param_groups"] == want["param_groups"]
    assert got["state"].keys() == want["state"].keys()
    for index, entry in want["state"].items():
        assert got["state"][index].keys() == entry.keys()
        for name, value in entry.items():
            if name == "step":
                assert got["state"][index][name] == value
            else:
                assert got["state"][index][name].dtype == value.dtype
                np.testing.assert_array_equal(got["state"][index][name], value)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_float32_parameters_are_updated_in_place_in_float32(name):
    params = make_params(0, np.float32)
    arrays = [p.data for p in params]
    reference = make_params(0, np.float64)
    opt, opt64 = OPTIMIZERS[name](params), OPTIMIZERS[name](reference)
    for step_grads in gradients(1, 3, np.float32):
        take_step(opt, params, step_grads)
        take_step(opt64, reference, [g.astype(np.float64) for g in step_grads])
    for p, array, p64 in zip(params, arrays, reference):
        assert p.data is array and p.dtype == np.float32
        np.testing.assert_allclose(p.data, p64.data, rtol=1e-4, atol=1e-5)
    for entry in opt.state_dict()["state"].values():
        assert all(v.dtype == np.float32 for k, v in entry.items() if k != "step")


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_step_builds_no_graph_and_leaves_the_gradients_alone(name):
    params = make_params(0)
    opt = OPTIMIZERS[name](params)
    grads = [Tensor(g) for g in gradients(1, 1)[0]]
    for p, g in zip(params, grads):
        p.grad = g
    opt.step()
    for p, g, original in zip(params, grads, gradients(1, 1)[0]):
        assert p.is_leaf and p.requires_grad and p.op is None
        assert p.grad is g and not g.requires_grad
        np.testing.assert_array_equal(g.data, original)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_parameter_without_grad_is_skipped_and_gets_no_state(name):
    params = make_params(0)
    before = params[1].data.copy()
    opt = OPTIMIZERS[name](params)
    assert opt.state == {}  # state is created on the first step
    params[0].grad = Tensor(np.ones(SHAPES[0]))
    params[2].grad = Tensor(np.ones(SHAPES[2]))
    opt.step()
    np.testing.assert_array_equal(params[1].data, before)
    assert sorted(opt.state) == [0, 2]
    assert all(set(entry) == STATE_NAMES[name] for entry in opt.state.values())


def test_zero_grad_sets_every_grad_to_none():
    params = make_params(0)
    opt = SGD(params, 0.1)
    for p in params:
        p.grad = Tensor(np.ones(p.shape))
    opt.zero_grad()
    assert all(p.grad is None for p in params)
    opt.step()  # nothing to do, nothing changes
    np.testing.assert_array_equal(params[0].data, make_params(0)[0].data)


def test_a_gradient_of_the_wrong_shape_is_refused_before_anything_moves():
    w = Tensor(np.zeros(3), requires_grad=True)
    opt = SGD([w], 0.1, momentum=0.9)
    w.grad = Tensor(np.ones(1))  # would broadcast silently
    with pytest.raises(ValueError, match=r"parameter 0 has shape \(3,\) but its grad has shape"):
        opt.step()
    np.testing.assert_array_equal(w.data, np.zeros(3))
    assert opt.state == {}


def test_the_base_class_has_no_update_rule():
    w = Tensor([1.0], requires_grad=True)
    opt = Optimizer([w], 0.1)
    assert opt.state_dict()["param_groups"] == [{"lr": 0.1, "params": [0]}]
    w.grad = Tensor([1.0])
    with pytest.raises(NotImplementedError, match="use a subclass such as SGD"):
        opt.step()


# ---------------------------------------------------------------------- state_dict
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_loaded_optimizer_continues_on_exactly_the_same_trajectory(name):
    grads = gradients(1, 8)
    params = make_params(0)
    opt = OPTIMIZERS[name](params)
    params[2].grad = None
    for step_grads in grads[:4]:
        take_step(opt, params[:2], step_grads[:2])  # the third parameter gets state later
    saved = opt.state_dict()

    clones = [Tensor(p.data.copy(), requires_grad=True) for p in params]
    restored = OPTIMIZERS[name](clones)
    restored.lr = 0.5  # the saved lr must come back
    restored.load_state_dict(saved)
    assert restored.lr == opt.lr
    for entry in saved["state"].values():  # the optimizer holds copies, not the saved arrays
        for value in entry.values():
            if isinstance(value, np.ndarray):
                value.fill(np.nan)

    for step_grads in grads[4:]:
        take_step(opt, params, step_grads)
        take_step(restored, clones, step_grads)
        for p, clone in zip(params, clones):
            np.testing.assert_array_equal(clone.data, p.data)
    assert_same_state_dict(restored.state_dict(), opt.state_dict())
    assert not np.array_equal(params[0].data, make_params(0)[0].data)


def test_state_dict_is_a_copy_that_later_steps_do_not_change():
    params = make_params(0)
    opt = Adam(params, 0.1)
    take_step(opt, params, gradients(1, 1)[0])
    saved = opt.state_dict()
    snapshot = copy.deepcopy(saved)
    take_step(opt, params, gradients(2, 1)[0])
    assert_same_state_dict(saved, snapshot)
    assert saved["state"][0]["step"] == 1 and opt.state[0]["step"] == 2


def saved_adam():
    """An Adam optimizer over a float64 (3, 2) and a float32 (4,) parameter, after 2 steps."""
    params = [Tensor(np.ones((3, 2)), requires_grad=True), Tensor(np.ones(4, np.float32), True)]
    opt = Adam(params, 0.1)
    for _ in range(2):
        params[0].grad = Tensor(np.ones((3, 2)))
        params[1].grad = Tensor(np.ones(4, np.float32))
        opt.step()
    return opt


def _delete(path):
    def corrupt(sd):
        *parents, last = path
        for key in parents:
            sd = sd[key]
        del sd[last]

    return corrupt


def _set(path, value):
    def corrupt(sd):
        *parents, last = path
        for key in parents:
            sd = sd[key]
        sd[last] = value

    return corrupt


BAD_STATE_DICTS = [
    (_delete(["state"]), ValueError, r"missing \['state'\]"),
    (_set(["extra"], 1), ValueError, r"unexpected \['extra'\]"),
    (_set(["param_groups"], {}), TypeError, r"state_dict\['param_groups'\] must be a list"),
    (_set(["param_groups"], []), ValueError, "state_dict has 0 parameter groups but this .* has 1"),
    (
        _set(["param_groups", 0, "params"], [0, 1, 2]),
        ValueError,
        r"\['params'\] must list 2 positions, as this optimizer's group 0 has that many",
    ),
    (_set(["param_groups", 0, "params"], [0, -1]), ValueError, "must be >= 0, got -1"),
    (_set(["param_groups", 0, "eps"], 0.0), ValueError, "eps must be > 0, got 0.0"),
    (
        _set(["param_groups", 0, "betas"], (0.9, 1.0)),
        ValueError,
        r"param_groups'\]\[0\]: betas\[1\] must be in \[0, 1\)",
    ),
    (_delete(["param_groups", 0, "eps"]), ValueError, r"missing \['eps'\]"),
    (_set(["param_groups", 0, "momentum"], 0.9), ValueError, r"unexpected \['momentum'\]"),
    (_set(["param_groups", 0], [0, 1]), TypeError, r"\[0\] must be a dict with a 'params' entry"),
    (_set(["state"], [1, 2]), TypeError, r"state_dict\['state'\] must be a dict"),
    (_set(["state", 2], {}), ValueError, r"has key 2, but the saved groups hold .* \[0, 1\]"),
    (_set(["state", "0"], {}), TypeError, r"a key of state_dict\['state'\] must be an int"),
    (_delete(["state", 0, "exp_avg"]), ValueError, r"state\[0\].*missing \['exp_avg'\]"),
    (
        _set(["state", 1, "momentum_buffer"], np.zeros(4, np.float32)),
        ValueError,
        r"state\[1\].*unexpected \['momentum_buffer'\]",
    ),
    (
        _set(["state", 0, "exp_avg"], np.zeros((2, 3))),
        ValueError,
        r"state\[0\]\['exp_avg'\] has shape \(2, 3\) and dtype float64, but parameter 0 has "
        r"shape \(3, 2\)",
    ),
    (
        _set(["state", 1, "exp_avg_sq"], np.zeros(4)),
        ValueError,
        r"state\[1\]\['exp_avg_sq'\] has shape \(4,\) and dtype float64, .* dtype float32",
    ),
    (_set(["state", 0, "exp_avg"], [0.0] * 6), TypeError, "must be a numpy array"),
    (_set(["state", 0, "step"], -1), ValueError, r"state\[0\]\['step'\] must be >= 0, got -1"),
    (_set(["state", 0, "step"], 2.0), TypeError, r"state\[0\]\['step'\] must be an int"),
    (_set(["state", 1], None), TypeError, r"state\[1\] must be a dict"),
]


@pytest.mark.parametrize("corrupt, error, message", BAD_STATE_DICTS)
def test_a_bad_state_dict_is_refused_and_the_optimizer_is_unchanged(corrupt, error, message):
    opt = saved_adam()
    before = opt.state_dict()
    bad = opt.state_dict()
    bad["param_groups"][0]["lr"] = 0.25  # valid: must not be applied when the rest is refused
    bad["state"][0]["exp_avg"] += 1.0
    corrupt(bad)
    with pytest.raises(error, match=message):
        opt.load_state_dict(bad)
    assert_same_state_dict(opt.state_dict(), before)
    assert opt.lr == 0.1


def test_a_state_dict_that_is_not_a_dict_is_refused():
    with pytest.raises(TypeError, match="Adam.load_state_dict: state_dict must be a dict"):
        saved_adam().load_state_dict([("state", {})])


def test_the_expected_state_follows_the_loaded_hyperparameters():
    params = make_params(0)
    plain = SGD(params, 0.1)
    take_step(plain, params, gradients(1, 1)[0])
    with_momentum = SGD(params, 0.1, momentum=0.9)
    take_step(with_momentum, params, gradients(1, 1)[0])

    saved = with_momentum.state_dict()
    saved["param_groups"][0]["momentum"] = 0.0  # then there must be no momentum_buffer
    with pytest.raises(ValueError, match=r"unexpected \['momentum_buffer'\]"):
        plain.load_state_dict(saved)
    saved = with_momentum.state_dict()
    saved["param_groups"][0]["nesterov"] = True
    saved["param_groups"][0]["dampening"] = 0.5
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0 and dampening == 0"):
        plain.load_state_dict(saved)
    plain.load_state_dict(with_momentum.state_dict())  # turns momentum on, buffer included
    assert plain.param_groups[0]["momentum"] == 0.9
    np.testing.assert_array_equal(
        plain.state[0]["momentum_buffer"], with_momentum.state[0]["momentum_buffer"]
    )


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_step_after_the_first_allocates_no_parameter_sized_array(name):
    # the scratch arrays live in the optimizer (issue 15): a step only works in place
    import tracemalloc

    p = Tensor(np.ones((64, 64)), requires_grad=True)
    opt = OPTIMIZERS[name]([p])
    for _ in range(2):  # the first step makes the state and the scratch arrays
        p.grad = Tensor(np.full((64, 64), 0.5))
        tracemalloc.start()
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < p.data.nbytes // 4, f"{name}: a step allocated {peak} bytes"
