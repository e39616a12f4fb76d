"""Regression tests for empty selections: an empty index list, softmax over an empty axis
(issue 12, item 11)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag
import nn
from autograd_lite import IndexingError, Tensor


@pytest.mark.parametrize(
    ("index", "shape"),
    [
        ([], (0, 4)),
        ((slice(None), []), (3, 0)),
        (np.array([]), (0, 4)),
        (([], slice(1, 3)), (0, 2)),
    ],
    ids=["list", "list-in-tuple", "float-empty-array", "list-then-slice"],
)
def test_empty_index_list_selects_nothing_not_index_arrays_must_be_integer(index, shape):
    x = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y = x[index]
    assert y.shape == shape
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((3, 4)))


def test_nonempty_float_index_array_still_raises():
    x = Tensor(np.arange(12.0).reshape(3, 4))
    with pytest.raises(IndexingError, match="index arrays must be integer or boolean"):
        x[np.array([0.0, 1.0])]
    with pytest.raises(IndexingError, match="index arrays must be integer or boolean"):
        x[[0.5]]


EMPTY_SOFTMAX_CASES = [((0, 3), 0), ((0, 3), 1), ((2, 0), 1), ((2, 0), 0), ((0, 3), -1)]


@pytest.mark.parametrize(
    "softmax",
    [ag.softmax, lambda x, axis: x.softmax(axis), lambda x, axis: nn.Softmax(axis)(x)],
    ids=["function", "method", "nn.Softmax"],
)
@pytest.mark.parametrize(("shape", "axis"), EMPTY_SOFTMAX_CASES)
def test_softmax_over_an_empty_axis_is_empty_not_zero_size_reduction_error(softmax, shape, axis):
    x = Tensor(np.zeros(shape), requires_grad=True)
    y = softmax(x, axis)
    assert y.shape == shape == ag.log_softmax(x, axis).shape
    (y * 2.0).sum().backward()
    assert x.grad.shape == shape


def test_softmax_over_an_empty_axis_keeps_the_float_dtype_softmax_gives():
    assert ag.softmax(Tensor(np.zeros((2, 0), dtype=np.int64)), 1).dtype == np.float64
    assert ag.softmax(Tensor(np.zeros((0, 3), dtype=np.float32)), 0).dtype == np.float32
