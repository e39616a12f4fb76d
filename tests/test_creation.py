"""Creation functions (``zeros``, ``arange``, ``randn``, ``*_like``, ``one_hot``) against numpy."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import DTypeError, IndexingError, ShapeError, Tensor


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: ag.zeros(2, 3), np.zeros((2, 3))),
        (lambda: ag.zeros((2, 3)), np.zeros((2, 3))),
        (lambda: ag.zeros([4]), np.zeros(4)),
        (lambda: ag.zeros(()), np.zeros(())),
        (lambda: ag.ones(3, 1), np.ones((3, 1))),
        (lambda: ag.full((2, 2), 1.5), np.full((2, 2), 1.5)),
        (lambda: ag.full(3, 7), np.full(3, 7)),
        (lambda: ag.arange(5), np.arange(5)),
        (lambda: ag.arange(1, 7, 2), np.arange(1, 7, 2)),
        (lambda: ag.arange(0, 1, 0.25), np.arange(0, 1, 0.25)),
        (lambda: ag.arange(3.0), np.arange(3.0)),
        (lambda: ag.linspace(-1, 1, 5), np.linspace(-1, 1, 5)),
        (lambda: ag.eye(3), np.eye(3)),
        (lambda: ag.eye(2, 4), np.eye(2, 4)),
    ],
)
def test_values_match_numpy_and_floats_are_float32(make, expected):
    t = make()
    assert isinstance(t, Tensor) and not t.requires_grad
    float32 = np.float32 if expected.dtype == np.float64 else expected.dtype
    assert t.shape == expected.shape and t.dtype == float32
    np.testing.assert_array_equal(t.data, expected.astype(float32))


def test_default_float_dtype_is_float32_as_in_pytorch_and_ints_give_int64():
    for t in (ag.zeros(2), ag.ones(2), ag.eye(2), ag.linspace(0, 1, 3), ag.randn(2), ag.rand(2)):
        assert t.dtype == np.float32
    assert ag.arange(0.0, 1.0, 0.5).dtype == np.float32
    assert ag.zeros(2, dtype=np.float64).dtype == np.float64
    assert ag.arange(3).dtype == np.int64
    assert ag.full((2,), 3).dtype == np.int64
    assert ag.full((2,), True).dtype == np.bool_


def test_dtype_and_requires_grad_are_accepted_everywhere():
    makers = [
        lambda **k: ag.zeros(2, **k),
        lambda **k: ag.ones(2, **k),
        lambda **k: ag.full(2, 0.5, **k),
        lambda **k: ag.arange(0, 2, 1, **k),
        lambda **k: ag.linspace(0, 1, 2, **k),
        lambda **k: ag.eye(2, **k),
        lambda **k: ag.rand(2, **k),
        lambda **k: ag.randn(2, **k),
        lambda **k: ag.zeros_like(Tensor([1.0, 2.0]), **k),
        lambda **k: ag.ones_like(Tensor([1.0, 2.0]), **k),
        lambda **k: ag.full_like(Tensor([1.0, 2.0]), 3.0, **k),
        lambda **k: ag.rand_like(Tensor([1.0, 2.0]), **k),
        lambda **k: ag.randn_like(Tensor([1.0, 2.0]), **k),
    ]
    for make in makers:
        t = make(dtype=np.float32, requires_grad=True)
        assert t.dtype == np.float32 and t.requires_grad and t.is_leaf


def test_like_functions_take_shape_and_dtype_from_their_argument():
    x = Tensor(np.arange(6, dtype=np.int32).reshape(2, 3))
    for t, value in ((ag.zeros_like(x), 0), (ag.ones_like(x), 1), (ag.full_like(x, 4), 4)):
        assert t.shape == (2, 3) and t.dtype == np.int32
        assert (t.data == value).all()
    assert ag.zeros_like(np.ones((2, 2), dtype=np.float32)).dtype == np.float32
    assert ag.randn_like(Tensor(np.ones((4, 1), dtype=np.float32))).shape == (4, 1)


def test_random_functions_draw_from_the_given_generator():
    x = ag.randn(3, 4, rng=np.random.default_rng(5), dtype=np.float64)
    np.testing.assert_array_equal(x.data, np.random.default_rng(5).standard_normal((3, 4)))
    u = ag.rand((1000,), rng=np.random.default_rng(1))
    assert u.data.min() >= 0.0 and u.data.max() < 1.0
    like = ag.randn_like(x, rng=np.random.default_rng(5))
    assert like.dtype == np.float64  # the dtype of x
    np.testing.assert_array_equal(like.data, x.data)


def test_without_a_generator_manual_seed_makes_the_draws_reproducible():
    ag.manual_seed(3)
    first = ag.randn(2, 2).data, ag.rand(3).data
    ag.manual_seed(3)
    second = ag.randn(2, 2).data, ag.rand(3).data
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(ag.randn(2, 2).data, first[0])  # the stream moves on


def test_one_hot_gives_int64_rows_as_pytorch():
    labels = Tensor(np.array([2, 0, 1]))
    out = ag.one_hot(labels)
    assert out.dtype == np.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.data, np.eye(3, dtype=np.int64)[[2, 0, 1]])
    assert ag.one_hot(np.array([[0], [1]]), num_classes=4).shape == (2, 1, 4)


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: ag.zeros(2.5), DTypeError, r"zeros: shape must be ints"),
        (lambda: ag.ones(2, -1), ShapeError, r"ones: sizes must be >= 0, got \(2, -1\)"),
        (lambda: ag.eye(-2), ShapeError, r"eye: sizes must be >= 0"),
        (lambda: ag.full((2,), "a"), DTypeError, r"full: fill_value must be a number"),
        (lambda: ag.arange(0, 3, 0), DTypeError, r"arange: step must not be 0"),
        (lambda: ag.linspace(0, 1, 2.5), DTypeError, r"linspace: steps must be an int"),
        (lambda: ag.eye(2, dtype=complex), DTypeError, r"eye: unsupported dtype complex"),
        (lambda: ag.randn(2, rng=3), DTypeError, r"randn: rng must be a numpy Generator"),
        (lambda: ag.rand(2, dtype=np.int64), DTypeError, r"rand: random values need a float"),
        (lambda: ag.randn_like(Tensor(np.arange(2))), DTypeError, r"randn: .*float dtype"),
        (lambda: ag.zeros(2, dtype=np.int64, requires_grad=True), DTypeError, r"float"),
        (lambda: ag.one_hot(Tensor([0.5])), DTypeError, r"one_hot: labels must be integers"),
        (lambda: ag.one_hot(np.array([3]), 2), IndexingError, r"one_hot: labels must lie in"),
        (lambda: ag.one_hot(np.array([-1]), 2), IndexingError, r"larger num_classes"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
