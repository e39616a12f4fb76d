"""Tests of ``nn.classification``: cross_entropy with class weights, ignore_index,
label_smoothing, probabilities and (N, C, d1, ...) inputs; nll_loss; and
binary_cross_entropy_with_logits with weight and pos_weight; and their loss modules.

Values are compared with numpy references written the way PyTorch computes them (the
cross-entropy as its nll part plus its smoothing part, each reduced with PyTorch's weighted
mean), gradients with ``gradcheck`` in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
import nn.functional as F
from autograd_lite import DTypeError, IndexingError, ShapeError, Tensor, gradcheck

REDUCTIONS = ["mean", "sum", "none"]


def np_log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def np_nll_parts(logp, t, weight, ignore_index):
    """PyTorch's nll_loss per element and the weight it counts (class axis 1)."""
    logp = np.moveaxis(logp, 1, -1)
    kept = t != ignore_index
    safe = np.where(kept, t, 0)
    counted = weight[safe] * kept
    return -np.take_along_axis(logp, safe[..., None], -1)[..., 0] * counted, counted, kept


def np_cross_entropy(x, t, weight=None, ignore_index=-100, reduction="mean", smoothing=0.0):
    """PyTorch's cross_entropy for class labels: (1 - s) nll + s / C smooth_loss."""
    c = x.shape[1]
    weight = np.ones(c) if weight is None else weight
    logp = np_log_softmax(x, 1)
    nll, counted, kept = np_nll_parts(logp, t, weight, ignore_index)
    smooth = -(np.moveaxis(logp, 1, -1) * weight).sum(-1) * kept
    if reduction == "none":
        return (1 - smoothing) * nll + smoothing / c * smooth
    if reduction == "sum":
        return (1 - smoothing) * nll.sum() + smoothing / c * smooth.sum()
    return ((1 - smoothing) * nll.sum() + smoothing / c * smooth.sum()) / counted.sum()


def np_cross_entropy_probabilities(x, p, weight=None, reduction="mean", smoothing=0.0):
    c = x.shape[1]
    weight = np.ones(c) if weight is None else weight
    p = p * (1 - smoothing) + smoothing / c
    loss = -(np.moveaxis(np_log_softmax(x, 1) * p, 1, -1) * weight).sum(-1)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]


@st.composite
def classification_case(draw):
    """Logits (N, C, d...), labels with some ignored, class weights and a smoothing."""
    n, c = draw(st.integers(1, 3)), draw(st.integers(2, 4))
    extra = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(n, c, *extra)) * 2
    t = rng.integers(0, c, size=(n, *extra))
    ignore_index = draw(st.sampled_from([-100, 1]))
    t[rng.random(t.shape) < 0.3] = ignore_index
    t.flat[0] = 0  # at least one label counts
    weight = draw(st.sampled_from([None, rng.uniform(0.2, 2.0, c)]))
    smoothing = draw(st.sampled_from([0.0, 0.1, 0.5]))
    return x, t, weight, ignore_index, smoothing


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=classification_case())
def test_cross_entropy_matches_pytorch_formula_and_gradcheck(reduction, case):
    x, t, weight, ignore_index, smoothing = case
    options = {"ignore_index": ignore_index, "label_smoothing": smoothing, "reduction": reduction}
    got = F.cross_entropy(x, t, weight, **options)
    expected = np_cross_entropy(x, t, weight, ignore_index, reduction, smoothing)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-14)
    assert got.shape == np.shape(expected)
    gradcheck(lambda a: F.cross_entropy(a, t, weight, **options), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=classification_case())
def test_nll_loss_matches_pytorch_formula_and_gradcheck(reduction, case):
    x, t, weight, ignore_index, _ = case
    logp = np_log_softmax(x, 1)
    got = F.nll_loss(logp, t, weight, ignore_index=ignore_index, reduction=reduction)
    nll, counted, _ = np_nll_parts(
        logp, t, np.ones(x.shape[1]) if weight is None else weight, ignore_index
    )
    expected = {"none": nll, "sum": nll.sum(), "mean": nll.sum() / counted.sum()}[reduction]
    np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-14)
    gradcheck(
        lambda a: F.nll_loss(a, t, weight, ignore_index=ignore_index, reduction=reduction), logp
    )


@given(case=classification_case())
def test_cross_entropy_is_nll_loss_of_log_softmax(case):
    x, t, weight, ignore_index, _ = case
    fused = F.cross_entropy(x, t, weight, ignore_index=ignore_index).item()
    composed = F.nll_loss(F.log_softmax(Tensor(x), axis=1), t, weight, ignore_index=ignore_index)
    assert fused == pytest.approx(composed.item(), rel=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=classification_case(), seed=st.integers(0, 99))
def test_cross_entropy_with_probabilities_weights_and_smoothing(reduction, case, seed):
    x, _, weight, _, smoothing = case
    p = np.random.default_rng(seed).dirichlet(np.ones(x.shape[1]), size=x.shape[:1] + x.shape[2:])
    p = np.moveaxis(p, -1, 1)  # class axis 1, like the input
    options = {"label_smoothing": smoothing, "reduction": reduction}
    got = F.cross_entropy(x, p, weight, **options).data
    expected = np_cross_entropy_probabilities(x, p, weight, reduction, smoothing)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    gradcheck(lambda a, b: F.cross_entropy(a, b, weight, **options), x, p)


def test_cross_entropy_by_hand_weighted_mean_and_ignored_label():
    # two counted samples at logits 0 (loss log 2 each), weights 1 and 3, one ignored
    x = np.zeros((3, 2))
    loss = F.cross_entropy(x, [0, 1, -100], [1.0, 3.0])
    assert loss.item() == pytest.approx((1 * math.log(2) + 3 * math.log(2)) / (1 + 3))
    none = F.cross_entropy(x, [0, 1, -100], [1.0, 3.0], reduction="none").data
    np.testing.assert_allclose(none, [math.log(2), 3 * math.log(2), 0.0])
    smoothed = F.cross_entropy(np.array([[10.0, 0.0]]), [0], label_smoothing=0.2).item()
    log_p = np_log_softmax(np.array([[10.0, 0.0]]), 1)[0]
    assert smoothed == pytest.approx(-(0.9 * log_p[0] + 0.1 * log_p[1]), rel=1e-12)


def test_cross_entropy_gradient_of_ignored_rows_is_zero():
    x = Tensor(np.random.default_rng(0).normal(size=(3, 4)), requires_grad=True)
    F.cross_entropy(x, [2, -100, 0]).backward()
    assert np.all(x.grad.data[1] == 0) and np.all(x.grad.data[0] != 0)


def test_cross_entropy_every_label_ignored_gives_nan_for_mean_and_zero_for_sum():
    x = np.zeros((2, 3))
    assert math.isnan(F.cross_entropy(x, [-100, -100]).item())  # 0 / 0, as in PyTorch
    assert F.cross_entropy(x, [-100, -100], reduction="sum").item() == 0.0


def test_cross_entropy_per_pixel_keeps_the_spatial_shape_and_one_sample_works():
    rng = np.random.default_rng(1)
    x, t = rng.normal(size=(2, 3, 4, 5)), rng.integers(0, 3, (2, 4, 5))
    assert F.cross_entropy(x, t, reduction="none").shape == (2, 4, 5)
    one = F.cross_entropy(x[0, :, 0, 0], t[0, 0, 0])  # (C,) with a scalar label
    assert one.shape == () and one.item() == pytest.approx(
        F.cross_entropy(x[:1, :, 0, 0], t[:1, 0, 0]).item(), rel=1e-14
    )


def test_cross_entropy_float32_stays_float32_with_weights_and_smoothing():
    x = Tensor(np.zeros((2, 3), dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(x, [0, 2], [1.0, 2.0, 3.0], label_smoothing=0.1)
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: F.cross_entropy(x, [0, 1], "sum"), TypeError, "reduction goes by name"),
        (
            lambda x: F.cross_entropy(x, [0, 1], [1.0, 2.0]),
            ShapeError,
            "weight has 2 entries but the input has 3 classes",
        ),
        (
            lambda x: F.cross_entropy(x, [0, 1], np.ones((3, 1))),
            ShapeError,
            "weight must be a 1-d array",
        ),
        (
            lambda x: F.cross_entropy(x, [0, 1], label_smoothing=1.5),
            ValueError,
            r"label_smoothing must be in \[0, 1\]",
        ),
        (
            lambda x: F.cross_entropy(x, [0, 1], ignore_index=1.0),
            DTypeError,
            "ignore_index must be an int",
        ),
        (
            lambda x: F.cross_entropy(x, [0, 5], ignore_index=-1),
            IndexingError,
            r"\[0, 2\] for 3 classes \(or ignore_index=-1\), got values from 0 to 5",
        ),
        (
            lambda x: F.nll_loss(x, np.zeros((2, 3))),
            DTypeError,
            "nll_loss: target must be integer class labels",
        ),
        (
            lambda x: F.nll_loss(x.reshape(2, 3, 1), [0, 1]),
            ShapeError,
            r"nll_loss: integer labels must have shape \(2, 1\)",
        ),
        (
            lambda x: F.binary_cross_entropy_with_logits(x, np.ones((2, 3)), np.ones(2)),
            ShapeError,
            r"weight of shape \(2,\) does not broadcast",
        ),
        (
            lambda x: F.binary_cross_entropy_with_logits(x, np.ones((2, 3)), pos_weight=["a"] * 3),
            DTypeError,
            "pos_weight must be numbers",
        ),
    ],
)
def test_bad_options_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call(Tensor(np.zeros((2, 3))))


# --- binary_cross_entropy_with_logits --------------------------------------------------------


def np_bce_with_logits(x, t, weight=None, pos_weight=None):
    """PyTorch's formula: (1 - t) x + (1 + (p - 1) t) (log1p(e^-|x|) + max(-x, 0)), times w."""
    log_weight = 1.0 if pos_weight is None else (pos_weight - 1) * t + 1
    loss = (1 - t) * x + log_weight * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0))
    return loss if weight is None else loss * weight


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(seed=st.integers(0, 2**16), shape=st.sampled_from([(4,), (3, 2), (2, 2, 3)]), data=st.data())
def test_bce_with_logits_weight_and_pos_weight_match_pytorch_formula(reduction, seed, shape, data):
    rng = np.random.default_rng(seed)
    x, t = rng.normal(size=shape) * 3, rng.uniform(0, 1, shape)
    weight = data.draw(
        st.sampled_from([None, rng.uniform(0.1, 2, shape[-1:]), rng.uniform(0.1, 2, shape)])
    )
    pos_weight = data.draw(st.sampled_from([None, rng.uniform(0.1, 5, shape[-1:])]))
    options = {"reduction": reduction, "pos_weight": pos_weight}
    got = F.binary_cross_entropy_with_logits(x, t, weight, **options).data
    loss = np_bce_with_logits(x, t, weight, pos_weight)
    expected = {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight, **options), x, t)


def test_bce_with_logits_pos_weight_is_stable_for_huge_logits():
    x = Tensor([1e4, -1e4], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        x, [0.0, 1.0], pos_weight=[2.0, 2.0], reduction="none"
    )
    np.testing.assert_array_equal(loss.data, [1e4, 2e4])
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, -2.0])


# --- modules ------------------------------------------------------------------------------------


def test_loss_modules_pass_their_options_on():
    rng = np.random.default_rng(2)
    x, t = rng.normal(size=(4, 3, 2)), np.array([[0, 1], [2, -1], [1, 1], [0, 2]])
    w = np.array([0.5, 1.0, 2.0])
    module = nn.CrossEntropyLoss(w, ignore_index=-1, reduction="sum", label_smoothing=0.1)
    expected = F.cross_entropy(x, t, w, ignore_index=-1, reduction="sum", label_smoothing=0.1)
    assert module(x, t).item() == expected.item()
    assert repr(module) == "CrossEntropyLoss(reduction='sum', label_smoothing=0.1)"
    logp = np_log_softmax(x, 1)
    nll = nn.NLLLoss(w, ignore_index=-1)(logp, t).item()
    assert nll == F.nll_loss(logp, t, w, ignore_index=-1).item()
    bce = nn.BCEWithLogitsLoss(np.ones(2), reduction="none", pos_weight=np.array([1.0, 3.0]))
    y, target = rng.normal(size=(3, 2)), rng.uniform(0, 1, (3, 2))
    expected_bce = F.binary_cross_entropy_with_logits(
        y, target, np.ones(2), reduction="none", pos_weight=np.array([1.0, 3.0])
    )
    np.testing.assert_array_equal(bce(y, target).data, expected_bce.data)


def test_loss_modules_check_their_options_when_built():
    with pytest.raises(TypeError, match="CrossEntropyLoss: weight must be one number per class"):
        nn.CrossEntropyLoss("sum")
    with pytest.raises(ValueError, match="CrossEntropyLoss: label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=-0.1)
    with pytest.raises(DTypeError, match="NLLLoss: ignore_index must be an int"):
        nn.NLLLoss(ignore_index=None)
    with pytest.raises(ValueError, match="BCEWithLogitsLoss: reduction must be one of"):
        nn.BCEWithLogitsLoss(reduction="avg")
