"""Tests of ``nn.utils``: clip_grad_norm_ and accuracy."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_lite import Tensor
from nn.utils import clip_grad_norm_


def with_grads(*grads) -> list[Tensor]:
    params = []
    for g in grads:
        if g is None:  # a parameter that took no part in the loss
            params.append(nn.Parameter(np.zeros(2)))
            continue
        p = nn.Parameter(np.zeros_like(np.asarray(g)))
        p.grad = Tensor(np.asarray(g))
        params.append(p)
    return params


def test_clips_to_max_norm_and_returns_the_norm_before():
    params = with_grads([3.0, 0.0], [[4.0]], None)
    total = clip_grad_norm_(params, 1.0)
    assert total == pytest.approx(5.0)
    np.testing.assert_allclose(params[0].grad.data, [0.6, 0.0], rtol=1e-6)
    np.testing.assert_allclose(params[1].grad.data, [[0.8]], rtol=1e-6)
    assert params[2].grad is None
    norm_after = np.sqrt(sum(np.sum(p.grad.data**2) for p in params[:2]))
    assert norm_after == pytest.approx(1.0, rel=1e-5)


def test_leaves_small_gradients_alone():
    params = with_grads([0.3, 0.4])
    grad = params[0].grad
    assert clip_grad_norm_(params, 1.0) == pytest.approx(0.5)
    assert params[0].grad is grad


def test_assigns_new_gradients_so_a_shared_gradient_is_scaled_once():
    a, b = Tensor([1.0, 1.0], requires_grad=True), Tensor([2.0, 2.0], requires_grad=True)
    ((a + b) * 3.0).sum().backward()  # the engine may hand one gradient to both inputs
    old_a = a.grad
    total = clip_grad_norm_([a, b], 1.0)
    assert total == pytest.approx(6.0)
    np.testing.assert_allclose(a.grad.data, [0.5, 0.5], rtol=1e-6)
    np.testing.assert_allclose(b.grad.data, [0.5, 0.5], rtol=1e-6)
    np.testing.assert_array_equal(old_a.data, [3.0, 3.0])  # not modified in place


def test_accepts_a_single_tensor_a_generator_and_keeps_float32():
    (p,) = with_grads(np.array([30.0, 40.0], dtype=np.float32))
    assert clip_grad_norm_(p, 5.0) == pytest.approx(50.0)
    assert p.grad.dtype == np.float32
    model = nn.Linear(2, 2)
    model(np.ones((1, 2), dtype=np.float32)).sum().backward()
    expected = np.sqrt(sum(np.sum(q.grad.data.astype(np.float64) ** 2) for q in model.parameters()))
    assert clip_grad_norm_(model.parameters(), 1e9) == pytest.approx(expected)


def test_float32_gradients_too_large_to_square_in_float32():
    (p,) = with_grads(np.array([3e30, 4e30], dtype=np.float32))
    assert clip_grad_norm_([p], 1.0) == pytest.approx(5e30)
    np.testing.assert_allclose(p.grad.data, [0.6, 0.8], rtol=1e-5)


def test_max_norm_must_not_be_negative():
    with pytest.raises(ValueError, match="max_norm must be >= 0"):
        clip_grad_norm_(with_grads([1.0]), -1.0)


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_accuracy_counts_argmax_hits_in_eval_mode_and_restores_the_mode(batch_size):
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(4, 3, rng=rng, dtype=np.float64), nn.Dropout(0.9, rng=rng))
    x = rng.standard_normal((7, 4))
    t = rng.integers(0, 3, 7)
    w, b = model[0].weight.data, model[0].bias.data
    expected = np.mean(np.argmax(x @ w + b, axis=1) == t)  # dropout off in eval mode
    for training in (True, False):
        model.train(training)
        assert nn.utils.accuracy(model, x, t, batch_size=batch_size) == expected
        assert model.training is training


def test_accuracy_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="3 rows and 2 labels"):
        nn.utils.accuracy(nn.Linear(2, 2), np.zeros((3, 2), np.float32), np.zeros(2, int))
