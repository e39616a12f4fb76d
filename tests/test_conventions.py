"""The conventions at non-differentiable points, pinned to exact values (README's table)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite import Tensor
from autograd_lite.testing import grid


def grad_of(fn, values):
    x = Tensor(np.array(values, dtype=np.float64), requires_grad=True)
    fn(x).sum().backward()
    return x.grad.data


def test_relu_derivative_at_zero_is_zero():
    np.testing.assert_array_equal(grad_of(ag.relu, [-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])


def test_abs_derivative_at_zero_is_zero():
    np.testing.assert_array_equal(grad_of(ag.abs, [-3.0, 0.0, 2.0]), [-1.0, 0.0, 1.0])


def test_ties_in_max_and_min_split_the_gradient_evenly():
    np.testing.assert_array_equal(
        grad_of(lambda x: x.max(), [1.0, 3.0, 3.0, 3.0]), [0, 1 / 3, 1 / 3, 1 / 3]
    )
    np.testing.assert_array_equal(
        grad_of(lambda x: x.min(axis=1), [[2.0, 2.0], [1.0, 5.0]]), [[0.5, 0.5], [1.0, 0.0]]
    )


def test_maximum_and_minimum_ties_give_half_to_each():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = Tensor([1.0, 5.0, 0.0], requires_grad=True)
    (ag.maximum(x, y) + ag.minimum(x, y) * 10).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.5 + 5, 10, 1])
    np.testing.assert_array_equal(y.grad.data, [0.5 + 5, 1, 10])


def test_clip_passes_gradient_at_its_bounds():
    g = grad_of(lambda x: x.clip(-1.0, 1.0), [-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(g, [0, 1, 1, 1, 0])


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3), elements=grid(-2, 2)))
def test_equivalent_relu_formulations_agree_away_from_ties(values):
    formulations = [
        ag.relu,
        lambda x: ag.maximum(x, 0.0),
        lambda x: x.clip(0.0, None),
        lambda x: ag.where(x > 0, x, 0.0),
    ]
    nonzero = values[values != 0]
    results = [(f(Tensor(values)).data, grad_of(f, nonzero)) for f in formulations]
    for forward, gradient in results[1:]:
        np.testing.assert_array_equal(forward, results[0][0])
        np.testing.assert_array_equal(gradient, results[0][1])


def test_where_with_an_unsafe_branch_and_the_documented_safe_pattern():
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    with np.errstate(all="ignore"):
        ag.where(x > 0, x.log(), 0.0).sum().backward()
    assert np.isnan(x.grad.data[1])  # log's gradient at 0 is 0 * (1/0) = NaN
    x.zero_grad()
    safe_x = ag.where(x > 0, x, 1.0)
    ag.where(x > 0, safe_x.log(), 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.5])
