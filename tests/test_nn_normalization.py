"""Tests of ``nn.normalization``: BatchNorm1d on (N, C) and (N, C, L), BatchNorm2d on
(N, C, H, W) and LayerNorm, against numpy references of PyTorch's formulas (batch statistics,
running estimates with momentum and the unbiased variance, evaluation mode), gradients
against central differences (float64) and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nn
from autograd_lite import DTypeError, ShapeError

from .test_nn_layers import check_module_gradients, float_arrays

F64 = np.float64


def batch_norm_reference(x, gamma, beta, eps=1e-5):
    """PyTorch's training-mode batch norm: statistics per channel over every other axis."""
    axes = (0, *range(2, x.ndim))
    shape = (-1,) + (1,) * (x.ndim - 2)
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return gamma.reshape(shape) * (x - mean) / np.sqrt(var + eps) + beta.reshape(shape)


def running_reference(batches, momentum):
    """running_mean and running_var after ``batches``, PyTorch's update (unbiased var)."""
    c = batches[0].shape[1]
    mean, var = np.zeros(c), np.ones(c)
    for x in batches:
        axes = (0, *range(2, x.ndim))
        mean = (1 - momentum) * mean + momentum * x.mean(axis=axes)
        var = (1 - momentum) * var + momentum * x.var(axis=axes, ddof=1)
    return mean, var


def affine_batch_norm(layer, rng):
    layer.weight.data[...] = rng.uniform(0.5, 2.0, layer.num_features)
    layer.bias.data[...] = rng.uniform(-1.0, 1.0, layer.num_features)
    return layer


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (nn.BatchNorm1d, (6, 3)),
        (nn.BatchNorm1d, (4, 3, 5)),
        (nn.BatchNorm2d, (4, 3, 2, 5)),
        (nn.BatchNorm2d, (1, 3, 2, 2)),  # one sample: 4 values per channel are enough
    ],
)
def test_batch_norm_trains_with_batch_statistics_and_updates_running_ones(make, shape):
    rng = np.random.default_rng(0)
    bn = affine_batch_norm(make(shape[1], momentum=0.3, dtype=F64), rng)
    batches = [rng.normal(i, 1 + i, shape) for i in range(3)]
    for x in batches:
        np.testing.assert_allclose(
            bn(x).data, batch_norm_reference(x, bn.weight.data, bn.bias.data), rtol=1e-10
        )
    mean, var = running_reference(batches, 0.3)
    np.testing.assert_allclose(bn.running_mean.data, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.data, var, rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "shape"), [(nn.BatchNorm1d, (3, 2, 4)), (nn.BatchNorm2d, (3, 2, 2, 3))]
)
def test_batch_norm_eval_mode_uses_the_running_statistics_per_channel(make, shape):
    rng = np.random.default_rng(1)
    bn = affine_batch_norm(make(2, eps=1e-3, dtype=F64), rng)
    bn.running_mean.data[...] = [1.0, -2.0]
    bn.running_var.data[...] = [4.0, 0.25]
    bn.eval()
    x = rng.normal(size=shape)
    per_channel = (-1,) + (1,) * (len(shape) - 2)
    mean, var = bn.running_mean.data.reshape(per_channel), bn.running_var.data.reshape(per_channel)
    gamma, beta = bn.weight.data.reshape(per_channel), bn.bias.data.reshape(per_channel)
    np.testing.assert_allclose(
        bn(x).data, gamma * (x - mean) / np.sqrt(var + 1e-3) + beta, rtol=1e-12
    )
    np.testing.assert_array_equal(bn.running_mean.data, [1.0, -2.0])


def test_batch_norm_2d_is_batch_norm_1d_on_flattened_images():
    x = np.random.default_rng(2).normal(size=(3, 4, 2, 5))
    bn2, bn1 = nn.BatchNorm2d(4, dtype=F64), nn.BatchNorm1d(4, dtype=F64)
    np.testing.assert_allclose(
        bn2(x).data, bn1(x.reshape(3, 4, 10)).data.reshape(x.shape), rtol=1e-13
    )
    np.testing.assert_allclose(bn2.running_var.data, bn1.running_var.data, rtol=1e-13)


@given(
    shape=st.sampled_from([(3, 2), (2, 2, 3), (2, 1, 2, 2), (1, 2, 3, 1)]),
    affine=st.booleans(),
    data=st.data(),
)
def test_batch_norm_train_mode_gradients_match_numerical(shape, affine, data):
    x = data.draw(float_arrays(shape, -3.0, 3.0))
    axes = (0, *range(2, len(shape)))
    assume(x.var(axis=axes).min() > 1e-2)  # a near-constant channel makes the gradient huge
    make = nn.BatchNorm1d if len(shape) < 4 else nn.BatchNorm2d
    bn = make(shape[1], affine=affine, dtype=F64)
    if affine:
        affine_batch_norm(bn, np.random.default_rng(data.draw(st.integers(0, 99))))
    check_module_gradients(bn, bn, x, seed=data.draw(st.integers(0, 2**16)))


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 2), (4, 2, 2, 2), (4, 3, 2, 2, 2)])
def test_batch_norm_2d_wrong_shape_names_the_layer_and_the_layout(shape):
    with pytest.raises(ShapeError) as error:
        nn.BatchNorm2d(3)(np.zeros(shape, dtype=np.float32))
    assert str(error.value).startswith("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True)")
    assert f"expected input of shape (N, 3, H, W), got {shape}" in str(error.value)


def test_batch_norm_needs_two_values_per_channel_in_training_only():
    bn = nn.BatchNorm1d(3)
    x = np.zeros((1, 3, 1), dtype=np.float32)
    with pytest.raises(ShapeError, match=r"at least 2 values per channel.*\(1, 3, 1\).*eval\(\)"):
        bn(x)
    assert bn.eval()(x).shape == (1, 3, 1)


def test_batch_norm_checks_dtype_and_arguments():
    with pytest.raises(DTypeError, match=r"BatchNorm2d\(2.*dtype float64.*float32"):
        nn.BatchNorm2d(2)(np.zeros((2, 2, 1, 1)))
    with pytest.raises(ValueError, match="BatchNorm2d: momentum must be in"):
        nn.BatchNorm2d(2, momentum=2.0)
    with pytest.raises(ValueError, match="BatchNorm2d: num_features must be a positive int"):
        nn.BatchNorm2d(0)


def test_batch_norm_2d_state_dict_names_are_pytorch_s():
    bn = nn.BatchNorm2d(2)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var"]


# --- LayerNorm ----------------------------------------------------------------------------------


def layer_norm_reference(x, k, weight=None, bias=None, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    out = (x - mean) / np.sqrt(var + eps)
    out = out if weight is None else out * weight
    return out if bias is None else out + bias


@pytest.mark.parametrize(("shape", "normalized"), [((4, 5), 5), ((2, 3, 4), (3, 4)), ((6,), [6])])
def test_layer_norm_normalizes_each_sample_over_its_last_axes(shape, normalized):
    rng = np.random.default_rng(3)
    ln = nn.LayerNorm(normalized, eps=1e-3, dtype=F64)
    ln.weight.data[...] = rng.uniform(0.5, 2, ln.normalized_shape)
    ln.bias.data[...] = rng.uniform(-1, 1, ln.normalized_shape)
    x = rng.normal(2, 3, shape)
    k = len(ln.normalized_shape)
    expected = layer_norm_reference(x, k, ln.weight.data, ln.bias.data, eps=1e-3)
    np.testing.assert_allclose(ln(x).data, expected, rtol=1e-10)
    np.testing.assert_array_equal(ln.eval()(x).data, ln.train()(x).data)  # no running statistics


def test_layer_norm_without_affine_or_bias():
    x = np.random.default_rng(4).normal(size=(3, 4))
    plain = nn.LayerNorm(4, elementwise_affine=False, dtype=F64)
    assert list(plain.parameters()) == []
    np.testing.assert_allclose(plain(x).data, layer_norm_reference(x, 1), rtol=1e-10)
    no_bias = nn.LayerNorm(4, bias=False, dtype=F64)
    assert [name for name, _ in no_bias.named_parameters()] == ["weight"]
    assert repr(no_bias) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"


@given(shape=st.sampled_from([(2, 3), (3,), (2, 2, 3)]), k=st.integers(1, 2), data=st.data())
def test_layer_norm_gradients_match_numerical(shape, k, data):
    k = min(k, len(shape))
    x = data.draw(float_arrays(shape, -3.0, 3.0))
    normalized = shape[len(shape) - k :]
    assume(x.reshape(-1, int(np.prod(normalized))).var(axis=1).min() > 1e-2)
    ln = nn.LayerNorm(normalized, dtype=F64)
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    ln.weight.data[...] = rng.uniform(0.5, 2, ln.normalized_shape)
    ln.bias.data[...] = rng.uniform(-1, 1, ln.normalized_shape)
    check_module_gradients(ln, ln, x, seed=data.draw(st.integers(0, 2**16)))


@pytest.mark.parametrize("shape", [(4, 3), (5,), (2, 4, 1)])
def test_layer_norm_wrong_shape_names_the_layer_and_shapes(shape):
    with pytest.raises(ShapeError) as error:
        nn.LayerNorm((2, 4))(np.zeros(shape, dtype=np.float32))
    assert str(error.value).startswith("LayerNorm((2, 4), eps=1e-05")
    assert f"expected input of shape (..., 2, 4), got {shape}" in str(error.value)


def test_layer_norm_checks_its_arguments_and_dtype():
    with pytest.raises(ValueError, match="LayerNorm: normalized_shape must be a positive int"):
        nn.LayerNorm((3, 0))
    with pytest.raises(ValueError, match="at least one axis"):
        nn.LayerNorm(())
    with pytest.raises(DTypeError, match=r"LayerNorm\(\(3,\).*float64.*float32"):
        nn.LayerNorm(3)(np.zeros((2, 3)))
