"""Tests of ``nn.functional`` and the loss modules: values against numpy formulas written
here from the definitions, gradients against central differences (float64), stability at
extreme logits, dtypes, and error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nn
import nn.functional as F
from autograd_lite import DTypeError, IndexingError, ShapeError, Tensor, gradcheck

REDUCTIONS = ["mean", "sum", "none"]


def float_arrays(shape, low=-3.0, high=3.0, dtype=np.float64):
    return hnp.arrays(dtype, shape, elements=st.floats(low, high, allow_subnormal=False))


def np_log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def np_reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": np.mean, "sum": np.sum, "none": np.asarray}[reduction](loss)


@st.composite
def logits_and_labels(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    logits = draw(float_arrays((n, c)))
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return logits, labels


# --- activations and linear -----------------------------------------------------------------

X = np.array([[-2.0, -0.5, 0.25], [1.5, 3.0, -1.0]])


def test_activation_functions_match_numpy():
    np.testing.assert_allclose(F.relu(X).data, np.maximum(X, 0))
    np.testing.assert_allclose(F.sigmoid(X).data, 1 / (1 + np.exp(-X)), rtol=1e-12)
    np.testing.assert_allclose(F.tanh(X).data, np.tanh(X), rtol=1e-12)
    np.testing.assert_allclose(F.leaky_relu(X, 0.1).data, np.where(X > 0, X, 0.1 * X))
    e = np.exp(X)
    np.testing.assert_allclose(F.softmax(X).data, e / e.sum(1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(X).data, np_log_softmax(X), rtol=1e-12)


def test_leaky_relu_gradient_is_the_slope_below_zero_and_one_above():
    x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    F.leaky_relu(x, 0.25).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.25, 0.25, 1.0])


def test_linear_matches_numpy_with_and_without_bias():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    np.testing.assert_allclose(F.linear(x, Tensor(w), Tensor(b)).data, x @ w + b)
    np.testing.assert_allclose(F.linear(x, Tensor(w)).data, x @ w)


@given(shapes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)), data=st.data())
def test_linear_gradients_match_numerical(shapes, data):
    n, n_in, n_out = shapes
    x, w, b = (data.draw(float_arrays(s)) for s in ((n, n_in), (n_in, n_out), (n_out,)))
    gradcheck(F.linear, x, w, b)


def test_dropout_function_modes():
    x = Tensor(np.ones((100, 100)))
    assert F.dropout(x, 0.5, training=False) is x
    out = F.dropout(x, 0.25, rng=np.random.default_rng(0)).data
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert abs((out == 0).mean() - 0.25) < 0.02
    a = F.dropout(x, 0.5, rng=np.random.default_rng(1)).data
    assert np.array_equal(a, F.dropout(x, 0.5, rng=np.random.default_rng(1)).data)
    with pytest.raises(ValueError, match=r"dropout: p must be in \[0, 1\]"):
        F.dropout(x, 1.01)
    with pytest.raises(TypeError, match="dropout: rng must be a numpy.random.Generator"):
        F.dropout(x, 0.5, rng=42)


# --- cross_entropy --------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_labels_matches_numpy(reduction):
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    expected = np_reduce(-np_log_softmax(logits)[np.arange(5), labels], reduction)
    np.testing.assert_allclose(F.cross_entropy(logits, labels, reduction=reduction).data, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probabilities_matches_numpy(reduction):
    rng = np.random.default_rng(0)
    logits, target = rng.standard_normal((3, 4)), rng.dirichlet(np.ones(4), size=3)
    expected = np_reduce(-(target * np_log_softmax(logits)).sum(axis=1), reduction)
    np.testing.assert_allclose(F.cross_entropy(logits, target, reduction=reduction).data, expected)


def test_cross_entropy_one_hot_equals_labels_and_lists_work():
    logits = np.random.default_rng(0).standard_normal((4, 3))
    labels = np.array([2, 0, 1, 2])
    by_label = F.cross_entropy(logits, labels).item()
    assert F.cross_entropy(logits, np.eye(3)[labels]).item() == pytest.approx(by_label, 1e-12)
    assert F.cross_entropy(logits, labels.tolist()).item() == pytest.approx(by_label, 1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(pair=logits_and_labels(), seed=st.integers(0, 2**16))
def test_cross_entropy_gradients_with_labels(reduction, pair, seed):
    logits, labels = pair
    gradcheck(lambda x: F.cross_entropy(x, labels, reduction=reduction), logits, seed=seed)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(pair=logits_and_labels(), seed=st.integers(0, 2**16))
def test_cross_entropy_gradients_with_one_hot(reduction, pair, seed):
    logits, labels = pair
    one_hot = Tensor(np.eye(logits.shape[1])[labels])  # a constant: not varied
    gradcheck(lambda x: F.cross_entropy(x, one_hot, reduction=reduction), logits, seed=seed)


@given(pair=logits_and_labels(), data=st.data())
def test_cross_entropy_gradients_with_respect_to_soft_targets(pair, data):
    logits, _ = pair
    target = data.draw(float_arrays(logits.shape, 0.0, 1.0))
    gradcheck(lambda x, t: F.cross_entropy(x, t), logits, target)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_is_finite_with_exact_gradient_for_logits_of_1e4(dtype):
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, -1e4]], dtype=dtype)
    labels = np.array([0, 2, 1])
    x = Tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, labels)
    loss.backward()
    # by hand: losses 0, log 2, log 3; gradient (softmax - one-hot) / N
    softmax = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    expected_grad = (softmax - np.eye(3)[labels]) / 3
    tolerance = 1e-12 if dtype == np.float64 else 1e-6  # float32 keeps ~7 digits
    assert loss.dtype == dtype and np.isfinite(loss.item())
    assert loss.item() == pytest.approx((np.log(2) + np.log(3)) / 3, abs=tolerance)
    np.testing.assert_allclose(x.grad.data, expected_grad, atol=tolerance)


@given(pair=logits_and_labels())
def test_cross_entropy_equals_the_notes_softmax_then_cross_entropy_error(pair):
    logits, labels = pair
    fused = F.cross_entropy(logits, labels).item()
    notes = F.cross_entropy_error(F.softmax(logits), labels).item()
    # the notes add 1e-7 inside the log: log(y + 1e-7) - log y <= 1e-7 / y
    picked = np.exp(np_log_softmax(logits)[np.arange(len(labels)), labels])
    assert fused - notes == pytest.approx(0.0, abs=np.max(1e-7 / picked) + 1e-12)


def test_cross_entropy_rejects_bad_input():
    logits = np.zeros((2, 3))
    with pytest.raises(ShapeError, match=r"cross_entropy: input must have shape \(C,\), \(N, C\)"):
        F.cross_entropy(np.zeros(()), [0])
    with pytest.raises(ShapeError, match=r"cross_entropy: integer labels must have shape \(\)"):
        F.cross_entropy(np.zeros(3), [0])  # one unbatched sample takes one label
    with pytest.raises(ShapeError, match=r"labels must have shape \(2,\), got \(3,\)"):
        F.cross_entropy(logits, [0, 1, 2])
    with pytest.raises(IndexingError, match=r"labels must be in \[0, 2\].*from 0 to 3"):
        F.cross_entropy(logits, [0, 3])
    with pytest.raises(IndexingError, match=r"from -1 to 1"):
        F.cross_entropy(logits, [-1, 1])
    with pytest.raises(ShapeError, match=r"input has shape \(2, 3\) but target has shape"):
        F.cross_entropy(logits, np.ones((2, 2)))
    with pytest.raises(DTypeError, match="integer labels or float probabilities, got bool"):
        F.cross_entropy(logits, np.array([True, False]))
    with pytest.raises(ValueError, match="cross_entropy: reduction must be one of"):
        F.cross_entropy(logits, [0, 1], reduction="avg")


# --- mse_loss, binary_cross_entropy_with_logits -----------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), data=st.data())
def test_mse_loss_value_and_gradients(reduction, shape, data):
    x, t = data.draw(float_arrays(shape)), data.draw(float_arrays(shape))
    expected = np_reduce((x - t) ** 2, reduction)
    np.testing.assert_allclose(F.mse_loss(x, t, reduction).data, expected, rtol=1e-12)
    gradcheck(lambda a, b: F.mse_loss(a, b, reduction), x, t)


def test_mse_loss_needs_equal_shapes():
    with pytest.raises(ShapeError, match=r"mse_loss: input has shape \(2, 1\) but target"):
        F.mse_loss(np.zeros((2, 1)), np.zeros(2))


def np_bce_with_logits(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    # -[t log s + (1 - t) log(1 - s)] with log s = -log(1 + e^-x), log(1 - s) = -log(1 + e^x)
    return t * np.logaddexp(0, -x) + (1 - t) * np.logaddexp(0, x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4), data=st.data())
def test_bce_with_logits_value_and_gradients(reduction, shape, data):
    x, t = data.draw(float_arrays(shape, -6, 6)), data.draw(float_arrays(shape, 0, 1))
    expected = np_reduce(np_bce_with_logits(x, t), reduction)
    got = F.binary_cross_entropy_with_logits(x, t, reduction=reduction).data
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction), x, t)


def test_bce_with_logits_is_stable_for_huge_logits():
    x = Tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    t = np.array([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    loss.sum().backward()
    np.testing.assert_array_equal(loss.data, [0.0, 0.0, 1e4, 1e4])
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0, -1.0])  # sigmoid(x) - t


def test_bce_with_logits_gradient_at_zero_is_one_half_minus_target():
    x = Tensor(np.zeros(3), requires_grad=True)
    F.binary_cross_entropy_with_logits(x, [0.0, 1.0, 0.5], reduction="sum").backward()
    np.testing.assert_allclose(x.grad.data, [0.5, -0.5, 0.0])


# --- the notes' losses ---------------------------------------------------------------------

# the notes' example: a softmax output and the one-hot label "2"
Y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
T = np.eye(10)[2]


def test_sum_squared_error_is_half_the_sum_of_squares():
    assert F.sum_squared_error(Y, T).item() == pytest.approx(0.5 * np.sum((Y - T) ** 2))
    y = Tensor(np.stack([Y, Y[::-1]]), requires_grad=True)
    t = np.stack([T, T])
    F.sum_squared_error(y, t).backward()
    np.testing.assert_allclose(y.grad.data, y.data - t)  # dE/dy = y - t
    with pytest.raises(ShapeError, match="sum_squared_error"):
        F.sum_squared_error(Y, T[:5])


def test_cross_entropy_error_on_one_sample_with_one_hot_or_label():
    expected = -np.log(0.6 + 1e-7)
    assert F.cross_entropy_error(Y, T).item() == pytest.approx(expected)
    assert F.cross_entropy_error(Y, np.int64(2)).item() == pytest.approx(expected)


def test_cross_entropy_error_is_batch_averaged_and_finite_at_zero_probability():
    y = np.stack([Y, Y])
    labels = np.array([2, 3])  # Y[3] == 0: the 1e-7 guard gives -log(1e-7)
    expected = (-np.log(0.6 + 1e-7) - np.log(1e-7)) / 2
    assert F.cross_entropy_error(y, labels).item() == pytest.approx(expected)
    assert F.cross_entropy_error(y, np.eye(10)[labels]).item() == pytest.approx(expected)


def test_cross_entropy_error_gradient_is_minus_t_over_y_plus_guard_over_n():
    y = Tensor(np.stack([Y, Y[::-1]]), requires_grad=True)
    t = np.eye(10)[[2, 7]]
    F.cross_entropy_error(y, t).backward()
    np.testing.assert_allclose(y.grad.data, -t / (y.data + 1e-7) / 2)


def test_cross_entropy_error_rejects_bad_shapes():
    with pytest.raises(ShapeError, match=r"cross_entropy_error: y must have shape \(N, C\)"):
        F.cross_entropy_error(np.ones((2, 2, 2)), np.ones((2, 2, 2)))
    with pytest.raises(IndexingError, match="cross_entropy_error: labels must be in"):
        F.cross_entropy_error(np.full((1, 2), 0.5), [2])


# --- loss modules and dtypes -----------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_modules_equal_their_functions(reduction):
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((4, 3)), np.array([0, 2, 1, 1])
    got = nn.CrossEntropyLoss(reduction=reduction)(logits, labels).data
    np.testing.assert_array_equal(got, F.cross_entropy(logits, labels, reduction=reduction).data)
    x, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    np.testing.assert_array_equal(
        nn.MSELoss(reduction)(x, t).data, F.mse_loss(x, t, reduction).data
    )


def test_loss_modules_check_the_reduction_when_built():
    with pytest.raises(ValueError, match="CrossEntropyLoss: reduction must be one of"):
        nn.CrossEntropyLoss(reduction="average")
    with pytest.raises(ValueError, match="MSELoss: reduction"):
        nn.MSELoss(reduction=None)
    assert repr(nn.MSELoss("sum")) == "MSELoss(reduction='sum')"


LOSSES = [
    lambda x: F.cross_entropy(x, np.array([0, 1, 2, 0])),
    lambda x: F.cross_entropy(x, np.eye(3)[[0, 1, 2, 0]]),  # float64 target, cast
    lambda x: F.mse_loss(x, np.zeros((4, 3))),
    lambda x: F.binary_cross_entropy_with_logits(x, np.ones((4, 3))),
    lambda x: F.sum_squared_error(x, np.zeros((4, 3))),
    lambda x: F.cross_entropy_error(F.softmax(x), np.array([0, 1, 2, 0])),
    lambda x: F.cross_entropy_error(F.softmax(x), np.eye(3)[[0, 1, 2, 0]]),
    lambda x: nn.CrossEntropyLoss()(x, [0, 1, 2, 0]),
    lambda x: nn.MSELoss()(x, np.zeros((4, 3))),
]


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_float32_logits_give_a_float32_loss_and_gradient(loss_fn):
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32))
    x.requires_grad = True
    loss = loss_fn(x)
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


AWAY_FROM_ZERO = st.floats(-3, -0.01) | st.floats(0.01, 3)  # leaky_relu has a kink at 0


@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=3), elements=AWAY_FROM_ZERO),
    slope=st.floats(0, 1),
)
def test_leaky_relu_gradients_match_numerical(x, slope):
    gradcheck(lambda a: F.leaky_relu(a, slope), x)
