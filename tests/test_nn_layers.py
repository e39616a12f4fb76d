"""Tests of ``nn.layers`` and ``nn.container``: values against numpy formulas, gradients
against central differences (float64), train/eval behaviour, dtypes and error messages.

Parameter gradients are checked with ``check_module_gradients``: backward through the real
module against ``numerical_gradient`` on each parameter's array, for a random upstream
gradient; the input gradient goes through ``autograd_lite.gradcheck``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nn
from autograd_lite import DTypeError, ShapeError, Tensor, gradcheck, numerical_gradient

F64 = np.float64


def float_arrays(shape, low=-2.0, high=2.0, dtype=F64):
    return hnp.arrays(dtype, shape, elements=st.floats(low, high, allow_subnormal=False))


def check_module_gradients(forward, module: nn.Module, x: np.ndarray, seed: int) -> None:
    """Input gradient by gradcheck; each parameter's gradient by central differences."""
    gradcheck(forward, x, seed=seed)
    params = list(module.named_parameters())
    if not params:
        return
    inputs = Tensor(x)
    out = forward(inputs)
    v = np.random.default_rng(seed).standard_normal(out.shape)
    module.zero_grad()
    out.backward(v)
    for name, p in params:
        numeric = numerical_gradient(
            lambda _: float(np.sum(forward(inputs).data * v)), p.data, 1e-6
        )
        np.testing.assert_allclose(p.grad.data, numeric, rtol=1e-3, atol=1e-5, err_msg=name)


# --- Linear -------------------------------------------------------------------------------


def test_linear_is_x_at_w_plus_b_with_weight_in_out():
    layer = nn.Linear(3, 2, rng=np.random.default_rng(0))
    assert layer.weight.shape == (3, 2) and layer.bias.shape == (2,)
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    expected = x @ layer.weight.data + layer.bias.data
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-6)


def test_linear_default_init_is_uniform_within_one_over_sqrt_in_features():
    layer = nn.Linear(400, 300, rng=np.random.default_rng(0))
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound  # spread over the whole interval
    assert abs(layer.weight.data.std() - bound / math.sqrt(3)) < 0.01 * bound


def test_linear_same_seed_same_weights_other_seed_other_weights():
    a, b, c = (nn.Linear(5, 4, rng=np.random.default_rng(s)) for s in (7, 7, 8))
    assert np.array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, c.weight.data)


def test_linear_without_bias_has_only_a_weight():
    layer = nn.Linear(3, 2, bias=False, rng=np.random.default_rng(0))
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = np.ones((1, 3), dtype=np.float32)
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data, rtol=1e-6)
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"


def test_linear_accepts_leading_axes_and_single_samples():
    layer = nn.Linear(3, 2, rng=np.random.default_rng(0), dtype=F64)
    x = np.random.default_rng(1).standard_normal((2, 5, 3))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data + layer.bias.data)
    assert layer(x[0, 0]).shape == (2,)


@given(
    n=st.integers(1, 4),
    n_in=st.integers(1, 4),
    n_out=st.integers(1, 3),
    bias=st.booleans(),
    data=st.data(),
)
def test_linear_gradients_match_numerical(n, n_in, n_out, bias, data):
    seed = data.draw(st.integers(0, 2**16))
    layer = nn.Linear(n_in, n_out, bias=bias, rng=np.random.default_rng(seed), dtype=F64)
    x = data.draw(float_arrays((n, n_in)))
    check_module_gradients(layer, layer, x, seed)


def test_linear_wrong_width_names_the_layer_and_both_shapes():
    layer = nn.Linear(784, 50)
    with pytest.raises(ShapeError) as error:
        layer(np.zeros((32, 100), dtype=np.float32))
    message = str(error.value)
    assert "Linear(in_features=784, out_features=50, bias=True)" in message
    assert "(N, 784)" in message and "(32, 100)" in message


def test_linear_rejects_a_0d_input():
    with pytest.raises(ShapeError, match=r"got \(\)"):
        nn.Linear(1, 1)(np.float32(1.0))


@pytest.mark.parametrize("x", [np.zeros((2, 3)), np.zeros((2, 3), dtype=np.int64), [[0, 1, 2]]])
def test_linear_input_of_another_dtype_is_an_error_with_the_fix(x):
    with pytest.raises(DTypeError, match=r"float32.*x\.astype\(np\.float32\).*dtype=np\."):
        nn.Linear(3, 2)(x)


@pytest.mark.parametrize("sizes", [(0, 2), (2, 0), (-1, 2), (2.0, 2), (True, 2)])
def test_linear_sizes_must_be_positive_ints(sizes):
    with pytest.raises(ValueError, match="Linear: (in|out)_features must be a positive int"):
        nn.Linear(*sizes)


def test_layers_need_a_generator_not_a_seed():
    with pytest.raises(TypeError, match=r"Linear: rng must be a numpy.random.Generator.*int"):
        nn.Linear(2, 2, rng=0)
    with pytest.raises(TypeError, match="Dropout: rng"):
        nn.Dropout(rng=np.random.RandomState(0))


def test_layers_need_a_float_dtype():
    with pytest.raises(DTypeError, match="Linear: dtype must be a float dtype"):
        nn.Linear(2, 2, dtype=np.int32)
    with pytest.raises(DTypeError, match="BatchNorm1d: dtype"):
        nn.BatchNorm1d(2, dtype=bool)


# --- activations, Identity, Flatten ---------------------------------------------------------

X = np.array([[-2.0, -0.5, 0.25], [1.5, 3.0, -1.0]])


@pytest.mark.parametrize(
    ("layer", "reference"),
    [
        (nn.ReLU(), lambda x: np.maximum(x, 0)),
        (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
        (nn.Tanh(), np.tanh),
        (nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x)),
        (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
        (nn.Softmax(), lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)),
        (nn.Softmax(axis=0), lambda x: np.exp(x) / np.exp(x).sum(axis=0, keepdims=True)),
    ],
)
def test_activations_match_numpy(layer, reference):
    np.testing.assert_allclose(layer(Tensor(X)).data, reference(X), rtol=1e-12)


def test_identity_returns_its_input():
    x = Tensor(X)
    assert nn.Identity()(x) is x


def test_flatten_keeps_the_batch_axis():
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(nn.Flatten()(x).data, x.reshape(2, 12))
    assert nn.Flatten()(np.zeros((0, 3, 4))).shape == (0, 12)
    assert nn.Flatten()(np.zeros(5)).shape == (5, 1)
    with pytest.raises(ShapeError, match=r"Flatten\(\): expected an input with a batch axis"):
        nn.Flatten()(np.float64(1.0))


def test_parameter_free_layers_have_the_expected_reprs():
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.LeakyReLU(0.1)) == "LeakyReLU(negative_slope=0.1)"
    assert repr(nn.Softmax()) == "Softmax(axis=-1)"
    assert repr(nn.Dropout(0.3)) == "Dropout(p=0.3)"


# --- Dropout -------------------------------------------------------------------------------


def test_dropout_in_train_mode_zeroes_about_p_and_scales_the_rest():
    p = 0.3
    x = np.random.default_rng(0).uniform(1, 2, (200, 100))
    out = nn.Dropout(p, rng=np.random.default_rng(1))(x).data
    dropped = out == 0
    assert abs(dropped.mean() - p) < 0.01
    np.testing.assert_allclose(out[~dropped], x[~dropped] / (1 - p), rtol=1e-12)


def test_dropout_is_the_identity_in_eval_mode_and_for_p_zero():
    x = Tensor(X)
    layer = nn.Dropout(0.5, rng=np.random.default_rng(0)).eval()
    assert layer(x) is x
    assert nn.Dropout(0.0)(x) is x


def test_dropout_p_one_drops_everything_without_nan():
    x = Tensor(X, requires_grad=True)
    out = nn.Dropout(1.0, rng=np.random.default_rng(0))(x)
    out.sum().backward()
    assert np.array_equal(out.data, np.zeros_like(X))
    assert np.array_equal(x.grad.data, np.zeros_like(X))


def test_dropout_masks_come_from_its_rng():
    x = np.ones((50, 50))
    a = nn.Dropout(0.5, rng=np.random.default_rng(3))
    b = nn.Dropout(0.5, rng=np.random.default_rng(3))
    first = a(x).data
    assert np.array_equal(first, b(x).data)
    assert not np.array_equal(first, a(x).data)  # the next batch gets a new mask


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_p_must_be_a_probability(p):
    with pytest.raises(ValueError, match=r"Dropout: p must be in \[0, 1\]"):
        nn.Dropout(p)


@given(
    x=float_arrays(st.tuples(st.integers(1, 4), st.integers(1, 4))),
    p=st.floats(0.0, 0.9),
    seed=st.integers(0, 2**16),
)
def test_dropout_gradients_match_numerical_for_a_fixed_mask(x, p, seed):
    layer = nn.Dropout(p)

    def forward(t):
        layer.rng = np.random.default_rng(seed)  # the same mask on every call
        return layer(t)

    gradcheck(forward, x, seed=seed)


# --- BatchNorm1d ---------------------------------------------------------------------------


def batchnorm_reference(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta


def test_batchnorm_train_mode_normalizes_with_batch_statistics():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm1d(3, dtype=F64)
    bn.weight.data[...] = [1.0, 2.0, 0.5]
    bn.bias.data[...] = [0.0, -1.0, 3.0]
    x = rng.normal(5, 3, (8, 3))
    np.testing.assert_allclose(
        bn(x).data, batchnorm_reference(x, bn.weight.data, bn.bias.data), rtol=1e-10
    )


def test_batchnorm_running_statistics_after_known_batches():
    rng = np.random.default_rng(0)
    batches = [rng.normal(i, 1 + i, (6, 2)) for i in range(3)]
    bn = nn.BatchNorm1d(2, momentum=0.2, dtype=F64)
    mean, var = np.zeros(2), np.ones(2)
    for batch in batches:
        bn(batch)
        mean = 0.8 * mean + 0.2 * batch.mean(axis=0)
        var = 0.8 * var + 0.2 * batch.var(axis=0, ddof=1)  # unbiased, as in PyTorch
    np.testing.assert_allclose(bn.running_mean.data, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.data, var, rtol=1e-12)


def test_batchnorm_eval_mode_uses_and_keeps_the_running_statistics():
    bn = nn.BatchNorm1d(2, eps=1e-3, dtype=F64)
    bn.running_mean.data[...] = [1.0, -2.0]
    bn.running_var.data[...] = [4.0, 0.25]
    bn.weight.data[...] = [3.0, 1.0]
    bn.bias.data[...] = [0.5, 0.0]
    bn.eval()
    x = np.array([[1.0, 0.0], [3.0, -2.0], [0.0, 1.0]])
    mean, var, gamma, beta = np.array([[1.0, -2.0], [4.0, 0.25], [3.0, 1.0], [0.5, 0.0]])
    expected = gamma * (x - mean) / np.sqrt(var + 1e-3) + beta
    np.testing.assert_allclose(bn(x).data, expected, rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean.data, [1.0, -2.0])  # not updated in eval
    assert bn(x[:1]).shape == (1, 2)  # a single sample is fine in eval mode


def test_batchnorm_without_affine_has_no_parameters_but_has_buffers():
    bn = nn.BatchNorm1d(2, affine=False, dtype=F64)
    assert list(bn.parameters()) == []
    assert [name for name, _ in bn.named_buffers()] == ["running_mean", "running_var"]
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    np.testing.assert_allclose(bn(x).data, batchnorm_reference(x, 1.0, 0.0), rtol=1e-12)
    assert repr(bn) == "BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=False)"


@given(n=st.integers(2, 5), c=st.integers(1, 3), affine=st.booleans(), data=st.data())
def test_batchnorm_train_mode_gradients_match_numerical(n, c, affine, data):
    x = data.draw(float_arrays((n, c), -3.0, 3.0))
    assume(x.var(axis=0).min() > 1e-2)  # a near-constant feature makes the gradient huge
    bn = nn.BatchNorm1d(c, affine=affine, dtype=F64)
    if affine:
        bn.weight.data[...] = data.draw(float_arrays((c,), 0.5, 2.0))
        bn.bias.data[...] = data.draw(float_arrays((c,), -1.0, 1.0))
    check_module_gradients(bn, bn, x, seed=data.draw(st.integers(0, 2**16)))


def test_batchnorm_train_mode_needs_two_samples():
    with pytest.raises(ShapeError, match=r"BatchNorm1d\(3.*at least 2 values.*\(1, 3\).*eval"):
        nn.BatchNorm1d(3)(np.zeros((1, 3), dtype=np.float32))


@pytest.mark.parametrize("shape", [(4, 2), (4, 2, 3), (4, 3, 1, 1), (3,)])
def test_batchnorm_wrong_shape_names_the_layer_and_shapes(shape):
    with pytest.raises(ShapeError) as error:
        nn.BatchNorm1d(3)(np.zeros(shape, dtype=np.float32))
    assert str(error.value).startswith("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True)")
    assert "expected input of shape (N, 3)" in str(error.value)
    assert f"got {shape}" in str(error.value)


@pytest.mark.parametrize("momentum", [-0.1, 1.1])
def test_batchnorm_momentum_must_be_in_0_1(momentum):
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(2, momentum=momentum)


# --- Sequential and MLP --------------------------------------------------------------------


def test_sequential_applies_layers_in_order():
    rng = np.random.default_rng(0)
    first, second = nn.Linear(3, 4, rng=rng, dtype=F64), nn.Linear(4, 2, rng=rng, dtype=F64)
    net = nn.Sequential(first, nn.ReLU(), second)
    x = rng.standard_normal((5, 3))
    hidden = np.maximum(x @ first.weight.data + first.bias.data, 0)
    np.testing.assert_allclose(net(x).data, hidden @ second.weight.data + second.bias.data)
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_indexing_slicing_len_and_iteration():
    layers = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)]
    net = nn.Sequential(*layers)
    assert len(net) == 3 and list(net) == layers
    assert net[0] is layers[0] and net[-1] is layers[2]
    tail = net[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == layers[1:]
    with pytest.raises(IndexError):
        net[3]
    assert len(nn.Sequential()) == 0


def test_sequential_rejects_what_is_not_a_module():
    with pytest.raises(TypeError, match="Sequential: layer 1 is a type, not a Module"):
        nn.Sequential(nn.ReLU(), nn.ReLU)


def test_mlp_layout_names_and_repr():
    net = nn.MLP([4, 3, 2], dropout=0.5, batch_norm=True, rng=np.random.default_rng(0))
    kinds = [type(layer) for layer in net.layers]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Dropout, nn.Linear]
    assert [n for n, _ in net.named_parameters()] == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.4.weight",
        "layers.4.bias",
    ]
    assert repr(net) == (
        "MLP(\n"
        "  (layers): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "    (1): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True)\n"
        "    (2): ReLU()\n"
        "    (3): Dropout(p=0.5)\n"
        "    (4): Linear(in_features=3, out_features=2, bias=True)\n"
        "  )\n"
        ")\n"
        "Total parameters: 29 (trainable: 29)"
    )


def test_mlp_forward_is_the_composition_of_its_layers():
    net = nn.MLP([3, 5, 4, 2], activation=nn.Tanh, rng=np.random.default_rng(0), dtype=F64)
    x = np.random.default_rng(1).standard_normal((6, 3))
    h = x
    linears = [layer for layer in net.layers if isinstance(layer, nn.Linear)]
    for i, layer in enumerate(linears):
        h = h @ layer.weight.data + layer.bias.data
        h = np.tanh(h) if i < len(linears) - 1 else h
    np.testing.assert_allclose(net(x).data, h, rtol=1e-12)


def test_mlp_takes_an_activation_factory_and_a_seed():
    net = nn.MLP([2, 3, 1], activation=lambda: nn.LeakyReLU(0.2), rng=np.random.default_rng(5))
    assert isinstance(net.layers[1], nn.LeakyReLU) and net.layers[1].negative_slope == 0.2
    again = nn.MLP([2, 3, 1], activation=lambda: nn.LeakyReLU(0.2), rng=np.random.default_rng(5))
    for (name, p), (_, q) in zip(net.named_parameters(), again.named_parameters()):
        assert np.array_equal(p.data, q.data), name
    assert len(nn.MLP([2, 1]).layers) == 1


def test_mlp_rejects_bad_arguments():
    with pytest.raises(ValueError, match="MLP: sizes needs at least an input and an output"):
        nn.MLP([3])
    with pytest.raises(TypeError, match=r"MLP: activation\(\) returned a str, not a Module"):
        nn.MLP([2, 2, 1], activation=lambda: "relu")
    with pytest.raises(ValueError, match=r"MLP: p must be in \[0, 1\]"):
        nn.MLP([2, 2, 1], dropout=2.0)


# --- dtype policy ----------------------------------------------------------------------------

LAYERS = [
    lambda: nn.Linear(3, 2),
    nn.ReLU,
    nn.Sigmoid,
    nn.Tanh,
    nn.LeakyReLU,
    nn.Softmax,
    nn.Identity,
    nn.Flatten,
    lambda: nn.Dropout(0.5, rng=np.random.default_rng(0)),
    lambda: nn.BatchNorm1d(3),
    lambda: nn.MLP([3, 4, 2], batch_norm=True, dropout=0.2),
    lambda: nn.Sequential(nn.Linear(3, 3), nn.Tanh()),
]


@pytest.mark.parametrize("make", LAYERS)
@pytest.mark.parametrize("training", [True, False])
def test_float32_in_float32_out_and_float32_gradients(make, training):
    layer = make().train(training)
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32))
    x.requires_grad = True
    out = layer(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in layer.parameters())


def test_layers_with_parameters_default_to_float32_and_honour_dtype():
    for make in (lambda **k: nn.Linear(2, 2, **k), lambda **k: nn.BatchNorm1d(2, **k)):
        assert {t.dtype for t in make().state_dict().values()} == {np.dtype(np.float32)}
        assert {t.dtype for t in make(dtype=F64).state_dict().values()} == {np.dtype(F64)}
