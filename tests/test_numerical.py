"""Numerical differentiation, gradcheck / gradgradcheck and autograd_lite.testing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import GradcheckError, Tensor
from autograd_lite.testing import Case, cases, check_case, check_op, floats, grid


def test_numerical_diff_of_the_notes_function():
    def f(x):
        return 0.01 * x**2 + 0.1 * x  # f'(x) = 0.02 x + 0.1

    assert ag.numerical_diff(f, 5.0) == pytest.approx(0.2, abs=1e-9)
    assert ag.numerical_diff(f, 10.0) == pytest.approx(0.3, abs=1e-9)


@given(st.floats(-5, 5), st.floats(-5, 5))
def test_numerical_gradient_of_x0_squared_plus_x1_squared(x0, x1):
    x = np.array([x0, x1])
    g = ag.numerical_gradient(lambda v: v[0] ** 2 + v[1] ** 2, x)
    np.testing.assert_allclose(g, [2 * x0, 2 * x1], atol=1e-6)
    np.testing.assert_array_equal(x, [x0, x1])  # restored


def test_numerical_gradient_restores_the_input_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ag.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_rejects_integer_arrays():
    with pytest.raises(TypeError, match="float numpy array"):
        ag.numerical_gradient(lambda v: 0.0, np.array([1, 2]))


def test_gradient_descent_with_numerical_gradient_reaches_the_minimum():
    # the notes' gradient_descent on f(x0, x1) = x0^2 + x1^2 from (-3, 4), lr 0.1, 100 steps
    x = np.array([-3.0, 4.0])
    for _ in range(100):
        x -= 0.1 * ag.numerical_gradient(lambda v: np.sum(v**2), x)
    np.testing.assert_allclose(x, [0.0, 0.0], atol=1e-8)


class WrongSquare(ag.Function):
    """x^2 with a wrong backward (2x + 0.1): gradcheck must catch it."""

    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.inputs[0] * 2.0 + 0.1)


class DetachedSquare(ag.Function):
    """x^2 with a correct first derivative that is not differentiable (a detached 2x)."""

    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.inputs[0].detach() * 2.0)


def test_gradcheck_reports_the_input_index_and_values():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(3,\)\).*index \(\d,\).*analytic"):
        ag.gradcheck(lambda t: WrongSquare.apply(t), x)


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    x = Tensor([1.0, -2.0], requires_grad=True)
    assert ag.gradcheck(lambda t: DetachedSquare.apply(t), x)
    with pytest.raises(GradcheckError):
        ag.gradgradcheck(lambda t: DetachedSquare.apply(t), x)


def test_gradcheck_varies_float_arrays_and_keeps_other_inputs_constant():
    labels = np.array([0, 2])
    logits = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    assert ag.gradcheck(lambda z, t: -z.log_softmax(axis=1)[np.arange(2), t].sum(), logits, labels)
    with pytest.raises(GradcheckError, match="no input requires grad"):
        ag.gradcheck(lambda z: z.sum(), Tensor([1.0]))


def test_gradcheck_of_a_function_with_several_outputs():
    x = Tensor([0.5, 1.5], requires_grad=True)
    assert ag.gradcheck(lambda t: (t.exp(), t.sin().sum()), x)


def test_check_case_and_check_op_catch_a_wrong_rule():
    case = Case((np.array([1.0, 2.0]),))
    check_case(lambda t: t * t, np.square, case)
    with pytest.raises(GradcheckError):
        check_case(lambda t: WrongSquare.apply(t), np.square, case)
    with pytest.raises(AssertionError):
        check_case(lambda t: t * t + 1e-3, np.square, case)  # forward differs from reference
    with pytest.raises(GradcheckError):
        check_op(lambda t: WrongSquare.apply(t), np.square, cases(1))


def test_check_case_catches_an_op_that_mutates_its_input():
    class Mutating(ag.Function):
        @staticmethod
        def forward(ctx, x):
            x += 1.0
            return x.copy()

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(AssertionError, match="mutated"):
        check_case(lambda t: Mutating.apply(t), lambda a: a + 1.0, Case((np.array([1.0]),)))


@given(cases(2, elements=[floats(0.5, 1.0), grid(-1, 1, step=0.5, exclude=(0.0,))]))
def test_cases_draw_from_the_requested_domains(case):
    x, y = case.arrays
    assert np.all((x >= 0.5) & (x <= 1.0))
    assert set(np.unique(y)) <= {-1.0, -0.5, 0.5, 1.0}
    np.broadcast_shapes(x.shape, y.shape)
