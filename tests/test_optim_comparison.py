"""The comparison of *Deep Learning from Scratch*, chapter 6: each optimizer minimizes
f(x, y) = x^2 / 20 + y^2 from (-7, 2), with gradients from the engine's ``backward()``, and
first comes within 1e-2 of the origin after exactly the number of steps documented in the
table of ``optim.__doc__``."""

from __future__ import annotations

import math

import pytest

import optim
from autograd_lite import Tensor
from optim import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSProp

ROWS = [
    ("SGD(lr=0.95)", lambda ps: SGD(ps, lr=0.95), 66),
    ("SGD(lr=0.1, momentum=0.9)", lambda ps: SGD(ps, lr=0.1, momentum=0.9), 122),
    (
        "SGD(lr=0.1, momentum=0.9, nesterov=True)",
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        61,
    ),
    ("Momentum(lr=0.1, momentum=0.9)", lambda ps: Momentum(ps, lr=0.1, momentum=0.9), 122),
    ("Nesterov(lr=0.1, momentum=0.9)", lambda ps: Nesterov(ps, lr=0.1, momentum=0.9), 62),
    ("AdaGrad(lr=1.5)", lambda ps: AdaGrad(ps, lr=1.5), 50),
    ("RMSProp(lr=0.1)", lambda ps: RMSProp(ps, lr=0.1), 83),
    ("Adam(lr=0.3)", lambda ps: Adam(ps, lr=0.3), 116),
    ("AdamW(lr=0.3)", lambda ps: AdamW(ps, lr=0.3), 90),
]


def distances_to_the_origin(make, steps):
    x, y = Tensor(-7.0, requires_grad=True), Tensor(2.0, requires_grad=True)
    opt = make([x, y])
    distances = []
    for _ in range(steps):
        opt.zero_grad()
        (x * x / 20 + y * y).backward()
        opt.step()
        distances.append(math.hypot(x.item(), y.item()))
    return distances


@pytest.mark.parametrize("label, make, steps", ROWS, ids=[row[0] for row in ROWS])
def test_each_optimizer_reaches_the_origin_in_the_documented_number_of_steps(label, make, steps):
    distances = distances_to_the_origin(make, steps)
    assert distances[-1] < 1e-2
    assert min(distances[:-1]) >= 1e-2


def test_the_table_in_the_package_docstring_is_this_one():
    lines = [line.strip() for line in optim.__doc__.splitlines()]
    for label, _, steps in ROWS:
        row = [line for line in lines if line.startswith(label + " ")]
        assert len(row) == 1, label
        assert row[0][len(label) :].split()[0] == str(steps), label
