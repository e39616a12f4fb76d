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


def test_maximum_with_a_nan_sends_the_gradient_to_the_nan_input():
    # the NaN wins, as in max(): maximum(NaN, 0) sent its gradient to the 0
    nan = np.nan
    for pick in (ag.maximum, ag.minimum):
        x = Tensor([nan, 1.0, nan, 2.0], requires_grad=True)
        y = Tensor([0.0, nan, nan, 2.0], requires_grad=True)
        pick(x, y).sum().backward()
        np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 0.5, 0.5])
        np.testing.assert_array_equal(y.grad.data, [0.0, 1.0, 0.5, 0.5])


def test_polynomial_features_at_zero_have_a_finite_gradient_not_nan():
    # x ** [0, 1, 2] at x = 0: the x^0 column's gradient was 0 * 0^-1 = NaN (PyTorch: 0)
    x = Tensor([0.0, 1.0, 2.0], requires_grad=True)
    (x.reshape(3, 1) ** np.arange(3.0)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 3.0, 5.0])


def test_pow_at_base_zero_has_one_convention_for_both_spellings():
    # d(0^0)/dx = 0 whether the exponent is the number 0.0 or a tensor holding 0
    for exponent in [0.0, 1.0, 2.0, 0.5, -1.0]:
        with np.errstate(divide="ignore"):  # 0^-1 = inf, 0^-0.5 = inf: the true values
            by_number = grad_of(lambda x, e=exponent: x**e, [0.0])
            by_tensor = grad_of(lambda x, e=exponent: x ** Tensor([e]), [0.0])
        np.testing.assert_array_equal(by_tensor, by_number, err_msg=f"exponent {exponent}")
    np.testing.assert_array_equal(grad_of(lambda x: x**0.0, [0.0]), [0.0])


def test_pow_gradient_in_the_exponent_at_base_zero_is_zero_not_nan():
    # 0^y is constant in y for y >= 0 (0, or 1 at y = 0): PyTorch's gradient 0 there, where
    # the formula 0^y log 0 gave NaN (y > 0) or -inf (y = 0)
    x = Tensor([0.0, 0.0, 0.0, 2.0])
    y = Tensor([0.0, 1.0, 2.5, 3.0], requires_grad=True)
    (x**y).sum().backward()
    np.testing.assert_allclose(y.grad.data, [0.0, 0.0, 0.0, 8.0 * np.log(2.0)], rtol=1e-15)


def test_pow_at_base_zero_stays_finite_under_create_graph():
    x = Tensor([0.0, 0.0, 3.0], requires_grad=True)
    y = Tensor([0.0, 2.0, 2.0], requires_grad=True)
    gx, gy = ag.grad([(x**y).sum()], [x, y], create_graph=True)
    np.testing.assert_allclose(gx.data, [0.0, 0.0, 6.0])
    np.testing.assert_allclose(gy.data, [0.0, 0.0, 9.0 * np.log(3.0)])
    hx, hy = ag.grad([gx.sum() + gy.sum()], [x, y])
    assert np.isfinite(hx.data).all() and np.isfinite(hy.data).all()
    # away from base 0 the second derivatives are the formulas' (x = 3, y = 2):
    # d/dx (y x^(y-1) + x^y log x) = y (y-1) x^(y-2) + y x^(y-1) log x + x^(y-1)
    # d/dy (y x^(y-1) + x^y log x) = x^(y-1) + y x^(y-1) log x + x^y log^2 x
    log3 = np.log(3.0)
    np.testing.assert_allclose(hx.data[2], 2.0 + 6.0 * log3 + 3.0)
    np.testing.assert_allclose(hy.data[2], 3.0 + 6.0 * log3 + 9.0 * log3**2)
