"""Bad input: a documented exception that names the op and the shapes or values involved."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import DTypeError, IndexingError, ShapeError, Tensor


@pytest.fixture
def x():
    return Tensor(np.ones((2, 3)), requires_grad=True)


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda x: x + np.ones(4), ShapeError, r"add\(\(2, 3\), \(4,\)\).*broadcast"),
        (lambda x: x * np.ones((3, 3)), ShapeError, r"mul\(\(2, 3\), \(3, 3\)\)"),
        (
            lambda x: x @ np.ones((4, 2)),
            ShapeError,
            r"matmul: shapes \(2, 3\) and \(4, 2\) do not align \(3 != 4\)",
        ),
        (lambda x: x @ Tensor(2.0), ShapeError, r"matmul: .*at least 1-D"),
        (lambda x: x.sum(axis=2), ShapeError, r"sum: axis 2 is out of range .*2 dimension"),
        (lambda x: x.max(axis=(0, 0)), ShapeError, r"max: repeated axis"),
        (lambda x: x.mean(axis=-3), ShapeError, r"mean: axis -3"),
        (lambda x: x.softmax(axis=5), ShapeError, r"softmax: axis 5"),
        (lambda x: x.sum(axis=1.5), DTypeError, r"sum: axis must be an int"),
        (
            lambda x: x.reshape(4, 2),
            ShapeError,
            r"reshape: cannot reshape .*\(2, 3\) \(6 elements\) into \(4, 2\)",
        ),
        (lambda x: x.reshape("a"), DTypeError, r"reshape: shape must be ints"),
        (lambda x: x.broadcast_to(3, 3), ShapeError, r"broadcast_to: .*\(2, 3\) to \(3, 3\)"),
        (lambda x: x.sum_to(3, 1), ShapeError, r"sum_to: .*\(2, 3\).*\(3, 1\)"),
        (lambda x: x.squeeze(0), ShapeError, r"squeeze: axis 0 has size 2"),
        (lambda x: x.permute(0, 0), ShapeError, r"transpose: axes \(0, 0\) repeat"),
        (lambda x: x.transpose(0, 2), ShapeError, r"transpose: axis 2 is out of range"),
        (lambda x: x[5], IndexingError, r"getitem\(\(2, 3\)\).*index 5 is out of bounds"),
        (lambda x: x[np.array([0.5])], IndexingError, r"getitem: index arrays must be integer"),
        (lambda x: x + "a", DTypeError, r"add: unsupported operand type str"),
        (lambda x: x * None, DTypeError, r"mul: unsupported operand type NoneType"),
        (lambda x: x ** "2", DTypeError, r"pow: unsupported operand type str"),
        (lambda x: ag.where(x, x, x), DTypeError, r"where: condition must be boolean"),
        (
            lambda x: ag.concatenate([x, Tensor(np.ones((2, 2)))], axis=0),
            ShapeError,
            r"concatenate\(\(2, 3\), \(2, 2\)\)",
        ),
        (lambda x: ag.stack([x, x.T]), ShapeError, r"stack: all tensors must have one shape"),
        (lambda x: ag.concatenate([]), ShapeError, r"concatenate: expected a non-empty"),
        (lambda x: x.max(axis=0)[0:0].max(), ShapeError, r"max.*empty"),
    ],
)
def test_bad_input_raises_a_documented_error_naming_the_op(x, call, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        call(x)
    assert isinstance(info.value, ag.AutogradError)


def test_documented_errors_are_also_the_builtin_types_numpy_users_catch():
    assert issubclass(ShapeError, ValueError)
    assert issubclass(DTypeError, TypeError)
    assert issubclass(IndexingError, IndexError)
    assert issubclass(ag.GraphError, RuntimeError)
