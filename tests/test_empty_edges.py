"""Regression tests for empty selections: an empty index list (issue 12, item 11)."""

from __future__ import annotations

import numpy as np
import pytest

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
