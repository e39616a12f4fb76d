"""Tests of the activations softplus, gelu, silu, elu, log_sigmoid, hardtanh and of erf:
the functions (``autograd_lite`` and ``nn.functional``), the layers, and the behaviour the
spec table in ``op_specs.py`` does not reach (large inputs, kinks, dtypes, errors)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
import nn
from autograd_lite import DTypeError, Tensor


def test_erf_matches_math_erf_elementwise_to_2e_15():
    x = np.linspace(-8.0, 8.0, 40001)
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(ag.erf(x).data, expected, rtol=0, atol=2e-15)


@given(st.floats(-30, 30, allow_subnormal=False))
def test_erf_of_any_float_matches_math_erf(x):
    assert abs(ag.erf(np.array(x)).item() - math.erf(x)) <= 2e-15


def test_erf_limits_nan_and_empty():
    out = ag.erf(np.array([np.inf, -np.inf, np.nan, 0.0])).data
    assert out[:2].tolist() == [1.0, -1.0] and np.isnan(out[2]) and out[3] == 0.0
    assert ag.erf(np.zeros((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("fn", [ag.erf, ag.softplus, ag.gelu, ag.silu, ag.elu, ag.log_sigmoid])
def test_float32_in_float32_out(fn):
    x = Tensor(np.linspace(-3, 3, 7, dtype=np.float32), requires_grad=True)
    out = fn(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_softplus_and_log_sigmoid_are_finite_for_huge_inputs():
    x = Tensor([-1e4, 0.0, 1e4], requires_grad=True)
    assert ag.softplus(x).data.tolist() == [0.0, math.log(2), 1e4]
    assert ag.log_sigmoid(x).data.tolist() == [-1e4, -math.log(2), 0.0]
    ag.log_sigmoid(x).sum().backward()
    assert x.grad.data.tolist() == [1.0, 0.5, 0.0]


def test_softplus_is_x_above_the_threshold_with_gradient_one():
    x = Tensor([1.0, 3.0], requires_grad=True)
    out = ag.softplus(x, beta=2.0, threshold=4.0)  # beta x = 2 (smooth), 6 (linear)
    assert out.data[0] == pytest.approx(math.log1p(math.exp(2.0)) / 2) and out.data[1] == 3.0
    out.sum().backward()
    assert x.grad.data.tolist() == pytest.approx([1 / (1 + math.exp(-2.0)), 1.0])


def test_gelu_exact_and_tanh_forms_are_close_and_differ():
    x = np.linspace(-4, 4, 81)
    exact, approx = ag.gelu(x).data, ag.gelu(x, approximate="tanh").data
    assert np.max(np.abs(exact - approx)) < 1e-3 and np.max(np.abs(exact - approx)) > 1e-5
    expected = [v * (1 + math.erf(v / math.sqrt(2))) / 2 for v in x]
    np.testing.assert_allclose(exact, expected, rtol=1e-14, atol=1e-15)


def test_elu_gradient_at_zero_is_alpha_and_hardtanh_gradient_at_the_bounds_is_zero():
    x = Tensor([0.0], requires_grad=True)
    ag.elu(x, alpha=0.5).sum().backward()
    assert x.grad.data.tolist() == [0.5]
    y = Tensor([-1.0, -0.5, 1.0, 2.0], requires_grad=True)
    ag.hardtanh(y).sum().backward()
    assert y.grad.data.tolist() == [0.0, 1.0, 0.0, 0.0]


def test_softplus_at_its_threshold_takes_the_smooth_side():
    x = Tensor([10.0], requires_grad=True)
    out = ag.softplus(x, beta=2.0, threshold=20.0)  # beta x == threshold
    out.sum().backward()
    assert out.item() == pytest.approx(math.log1p(math.exp(20.0)) / 2, rel=1e-15)
    assert x.grad.item() == pytest.approx(1 / (1 + math.exp(-20.0)), rel=1e-15)


def test_elu_large_positive_input_has_gradient_one_not_nan():
    x = Tensor([1000.0], requires_grad=True)
    ag.elu(x).sum().backward()
    assert x.grad.data.tolist() == [1.0]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: ag.softplus(x, beta=0.0), ValueError, "softplus: beta must be > 0, got 0.0"),
        (lambda x: ag.softplus(x, threshold="20"), DTypeError, "softplus: threshold must be"),
        (lambda x: ag.gelu(x, approximate="erf"), ValueError, "gelu: approximate must be"),
        (lambda x: ag.elu(x, alpha=float("nan")), ValueError, "elu: alpha must be finite"),
        (lambda x: ag.hardtanh(x, 1.0, -1.0), ValueError, "hardtanh: min_val must be below"),
        (lambda x: ag.silu(["a"]), DTypeError, "silu"),
    ],
)
def test_bad_arguments_name_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call(Tensor([0.5]))


def test_nn_functional_offers_the_engine_functions():
    for name in ("softplus", "gelu", "silu", "elu", "log_sigmoid", "hardtanh"):
        assert getattr(nn.functional, name) is getattr(ag, name)
        assert name in nn.functional.__all__


@pytest.mark.parametrize(
    ("layer", "function", "text"),
    [
        (
            nn.Softplus(2.0, 5.0),
            lambda x: ag.softplus(x, 2.0, 5.0),
            "Softplus(beta=2.0, threshold=5.0)",
        ),
        (nn.GELU("tanh"), lambda x: ag.gelu(x, "tanh"), "GELU(approximate='tanh')"),
        (nn.GELU(), ag.gelu, "GELU(approximate='none')"),
        (nn.SiLU(), ag.silu, "SiLU()"),
        (nn.ELU(0.3), lambda x: ag.elu(x, 0.3), "ELU(alpha=0.3)"),
        (nn.LogSigmoid(), ag.log_sigmoid, "LogSigmoid()"),
        (nn.Hardtanh(-2, 3), lambda x: ag.hardtanh(x, -2, 3), "Hardtanh(min_val=-2, max_val=3)"),
    ],
)
def test_activation_layers_apply_their_function_and_show_their_settings(layer, function, text):
    x = np.random.default_rng(0).normal(size=(4, 3)) * 3
    np.testing.assert_array_equal(layer(Tensor(x)).data, function(x).data)
    assert repr(layer) == text and list(layer.parameters()) == []


@pytest.mark.parametrize(
    "fn",
    [
        ag.sigmoid,
        ag.log_sigmoid,
        ag.silu,
        lambda x: ag.softmax_cross_entropy(x, np.full(x.shape, 1 / 3)),
    ],
    ids=["sigmoid", "log_sigmoid", "silu", "softmax_cross_entropy"],
)
def test_an_integer_tensor_gives_the_float_values_these_ops_gave_before_their_buffers(fn):
    # their kernels write into arrays of x's dtype (buffers): an integer x made them fail
    x = np.array([[-2, 0, 3], [1, 5, -1]])
    expected = fn(Tensor(x.astype(np.float64)))
    result = fn(Tensor(x))
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result.numpy(), expected.numpy())
