"""What optimizers refuse at construction (and on ``lr`` assignment), and what they repair:
the parameter list and every hyper-parameter, with errors that name the value."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import Tensor
from optim import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, Optimizer, RMSProp

CLASSES = [Optimizer, SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW]


def weight(*shape):
    return Tensor(np.ones(shape), requires_grad=True)


# ---------------------------------------------------------------------- parameters
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("kind", [set, frozenset])
def test_a_set_of_parameters_is_refused_because_its_order_changes(cls, kind):
    with pytest.raises(TypeError, match=f"params is a {kind.__name__}.*pass a list instead"):
        cls(kind([weight(2), weight(3)]), 0.1)


BAD_PARAMS = [
    (lambda: weight(2), TypeError, r"an iterable of tensors; pass a list, e.g. \[w\]"),
    (lambda: 42, TypeError, "params must be an iterable of tensors, got int"),
    (lambda: [weight(2), np.ones(2)], TypeError, r"params\[1\] is a ndarray, not a Tensor"),
    (
        lambda: [Tensor(np.array([1, 2]))],
        TypeError,
        r"params\[0\] has dtype int64; only float tensors",
    ),
    (lambda: [weight(2), Tensor([1.0])], ValueError, r"params\[1\] does not require grad"),
    (lambda: [weight(2) * 2.0], ValueError, r"params\[0\] was computed by op 'mul_scalar'"),
    (lambda: [], ValueError, "params is empty"),
    (lambda: iter([]), ValueError, "params is empty"),
]


@pytest.mark.parametrize("make, error, message", BAD_PARAMS)
def test_parameters_that_cannot_be_optimized_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        SGD(make(), 0.1)


def test_a_repeated_parameter_is_kept_once_at_its_first_position():
    w, b = weight(2), weight(3)
    opt = Adam((p for p in [w, b, w, b, w]), 0.1)  # any iterable, here a generator
    assert opt.params == (w, b)
    w.grad = Tensor(np.ones(2))
    sgd = SGD([w, w], 0.5)
    sgd.step()  # one update, not two
    np.testing.assert_array_equal(w.data, [0.5, 0.5])


# ---------------------------------------------------------------------- hyper-parameters
NAN, INF = float("nan"), float("inf")
BAD_HYPERPARAMS = [
    (Optimizer, {"lr": -1.0}, ValueError, "Optimizer: lr must be >= 0, got -1.0"),
    (SGD, {"lr": -0.1}, ValueError, "SGD: lr must be >= 0, got -0.1"),
    (SGD, {"lr": NAN}, ValueError, "SGD: lr must be finite, got nan"),
    (SGD, {"lr": INF}, ValueError, "SGD: lr must be finite, got inf"),
    (SGD, {"lr": "0.1"}, TypeError, r"SGD: lr must be a real number, got '0.1' \(str\)"),
    (SGD, {"lr": True}, TypeError, r"lr must be a real number, got True \(bool\)"),
    (SGD, {"lr": 0.1, "momentum": -0.9}, ValueError, "momentum must be >= 0, got -0.9"),
    (SGD, {"lr": 0.1, "dampening": 1.5}, ValueError, r"dampening must be in \[0, 1\], got 1.5"),
    (SGD, {"lr": 0.1, "weight_decay": -1e-4}, ValueError, "weight_decay must be >= 0"),
    (SGD, {"lr": 0.1, "nesterov": 1}, TypeError, "nesterov must be True or False, got 1"),
    (SGD, {"lr": 0.1, "nesterov": True}, ValueError, "nesterov=True needs momentum > 0"),
    (
        SGD,
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "nesterov": True},
        ValueError,
        "got momentum=0.9 and dampening=0.5",
    ),
    (Momentum, {"lr": 0.1, "momentum": -0.1}, ValueError, "Momentum: momentum must be >= 0"),
    (Momentum, {"lr": 0.1, "momentum": NAN}, ValueError, "momentum must be finite"),
    (Nesterov, {"lr": INF}, ValueError, "Nesterov: lr must be finite, got inf"),
    (Nesterov, {"lr": 0.1, "momentum": -1.0}, ValueError, "Nesterov: momentum must be >= 0"),
    (AdaGrad, {"lr": 0.1, "eps": 0.0}, ValueError, "AdaGrad: eps must be > 0, got 0.0"),
    (AdaGrad, {"lr": -0.1}, ValueError, "AdaGrad: lr must be >= 0"),
    (RMSProp, {"lr": 0.1, "alpha": 1.0}, ValueError, r"alpha must be in \[0, 1\), got 1.0"),
    (RMSProp, {"lr": 0.1, "alpha": -0.5}, ValueError, r"alpha must be in \[0, 1\), got -0.5"),
    (RMSProp, {"lr": 0.1, "eps": -1e-8}, ValueError, "RMSProp: eps must be > 0"),
    (RMSProp, {"lr": 0.1, "momentum": -0.5}, ValueError, "RMSProp: momentum must be >= 0"),
    (RMSProp, {"lr": 0.1, "weight_decay": INF}, ValueError, "weight_decay must be finite"),
    (RMSProp, {"lr": 0.1, "centered": "yes"}, TypeError, "centered must be True or False"),
    (Adam, {"betas": (1.0, 0.999)}, ValueError, r"Adam: betas\[0\] must be in \[0, 1\), got 1.0"),
    (Adam, {"betas": (0.9, -0.1)}, ValueError, r"betas\[1\] must be in \[0, 1\), got -0.1"),
    (Adam, {"betas": (0.9,)}, ValueError, r"betas must be a pair \(beta1, beta2\), got \(0.9,\)"),
    (Adam, {"betas": 0.9}, ValueError, "betas must be a pair"),
    (Adam, {"eps": 0.0}, ValueError, "Adam: eps must be > 0, got 0.0"),
    (Adam, {"weight_decay": -0.1}, ValueError, "Adam: weight_decay must be >= 0, got -0.1"),
    (Adam, {"lr": NAN}, ValueError, "Adam: lr must be finite"),
    (AdamW, {"weight_decay": -0.01}, ValueError, "AdamW: weight_decay must be >= 0, got -0.01"),
    (AdamW, {"betas": (0.9, 1.5)}, ValueError, r"AdamW: betas\[1\] must be in \[0, 1\)"),
]


@pytest.mark.parametrize(
    "cls, kwargs, error, message", BAD_HYPERPARAMS, ids=lambda x: getattr(x, "__name__", None)
)
def test_hyperparameters_out_of_range_are_refused_by_name_and_value(cls, kwargs, error, message):
    with pytest.raises(error, match=message):
        cls([weight(2)], **kwargs)


@pytest.mark.parametrize("cls", CLASSES)
def test_lr_may_be_reassigned_but_only_to_a_valid_rate(cls):
    opt = cls([weight(2)], lr=0.1)
    opt.lr = 0.0  # a zero rate is allowed (it freezes the parameters)
    opt.lr = 0.05
    for bad in [-1e-3, NAN, INF]:
        with pytest.raises(ValueError, match=f"{cls.__name__}: lr must be"):
            opt.lr = bad
    with pytest.raises(TypeError, match="lr must be a real number"):
        opt.lr = None
    assert opt.lr == 0.05


def test_hyperparameters_are_stored_as_plain_python_values():
    opt = Adam([weight(2)], lr=np.float32(0.5), betas=[np.float64(0.8), 0.9], eps=1)
    group = opt.param_groups[0]
    assert (opt.lr, group["betas"], group["eps"]) == (0.5, (0.8, 0.9), 1.0)
    assert type(opt.lr) is float and type(group["eps"]) is float
