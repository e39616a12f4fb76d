"""The Tensor's attributes, dtype policy, operators and numpy interoperation."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import DTypeError, GraphError, Tensor


def test_attributes():
    t = Tensor([[1, 2, 3], [4, 5, 6]], name="t")
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert t.dtype == np.float64 and t.name == "t"
    assert t.grad is None and not t.requires_grad and t.is_leaf and t.op is None
    assert t.numpy() is t.data
    assert Tensor(2.5).item() == 2.5
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_len_and_item_of_the_wrong_shape():
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    with pytest.raises(ag.ShapeError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_dtype_policy():
    assert Tensor(3).dtype == np.float64  # Python scalars and lists become float64
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor([1, 2], dtype=np.int32).dtype == np.int32
    assert Tensor(np.arange(3)).dtype == np.int64  # arrays keep theirs
    x = Tensor(np.ones(3, dtype=np.float32))
    for y in (x * 2.5, 2.5 * x, x + 1, x / 3, x**2, 1 - x, x * np.float64(2.0), -x, x.exp()):
        assert y.dtype == np.float32
    assert (x + np.ones(3)).dtype == np.float64  # two arrays promote as in numpy


def test_only_float_tensors_can_require_grad():
    with pytest.raises(DTypeError, match="int64"):
        Tensor(np.arange(3), requires_grad=True)
    t = Tensor(np.arange(3))
    with pytest.raises(DTypeError, match="float"):
        t.requires_grad = True


def test_unsupported_data_types_are_rejected():
    with pytest.raises(DTypeError, match="complex"):
        Tensor(np.ones(2, dtype=complex))
    with pytest.raises(DTypeError, match="Tensor"):
        Tensor("abc")
    with pytest.raises(DTypeError, match="Tensor"):
        Tensor([[1, 2], [3]])


def test_repr_shows_values_and_op():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "Tensor([1. 2.], requires_grad=True)"
    assert repr(x * 2) == "Tensor([2. 4.], op=mul_scalar)"
    assert repr(Tensor(np.float32(1), name="w")) == "Tensor(1., dtype=float32, name='w')"


def test_python_numbers_become_attributes_of_scalar_ops_on_float_tensors():
    x = Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    for y, op, expected in [
        (x + 2, "add_scalar", [3.0, 0.0]),
        (0.5 + x, "add_scalar", [1.5, -1.5]),
        (x * 2.5, "mul_scalar", [2.5, -5.0]),
        (-1 * x, "mul_scalar", [-1.0, 2.0]),
        (x * np.float64(2.5), "mul", [2.5, -5.0]),  # numpy scalars: a constant Tensor
    ]:
        assert (y.op, y.dtype, y.data.tolist()) == (op, np.float32, expected)
        assert len(y.inputs) == (1 if op.endswith("_scalar") else 2)
    assert (Tensor(np.array([1, 2])) * 2).dtype == np.int64  # integer tensors: numpy promotion
    with pytest.raises(DTypeError, match="mul_scalar"):
        x * 10**400


def test_reflected_operators_with_scalars_and_arrays():
    x = Tensor([1.0, 2.0], requires_grad=True)
    a = np.array([3.0, 4.0])
    for result, expected in [
        (a + x, a + x.data),
        (a - x, a - x.data),
        (a * x, a * x.data),
        (a / x, a / x.data),
        (2.0**x, 2.0**x.data),
        (1 - x, 1 - x.data),
        (3 / x, 3 / x.data),
        (np.eye(2) @ x, np.eye(2) @ x.data),
        (+x, x.data),
    ]:
        assert isinstance(result, Tensor)
        np.testing.assert_array_equal(result.data, expected)
    (a * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, a)


def test_comparisons_give_boolean_tensors_without_grad():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [
        (x > 2, [0, 0, 1]),
        (x >= 2, [0, 1, 1]),
        (x < 2, [1, 0, 0]),
        (x <= 2, [1, 1, 0]),
    ]:
        assert result.dtype == np.bool_ and not result.requires_grad
        np.testing.assert_array_equal(result.data, np.array(expected, dtype=bool))


def test_equality_compared_identity_instead_of_elements():
    # Tensor([0., 1., 2.]) == 1.0 was False and np.sum(pred == labels) was 0 (issue 12, item 5)
    x = Tensor([0.0, 1.0, 2.0], requires_grad=True)
    assert (x == 1.0).dtype == np.bool_ and not (x == 1.0).requires_grad
    np.testing.assert_array_equal((x == 1.0).data, [False, True, False])
    np.testing.assert_array_equal((x != 1.0).data, [True, False, True])
    np.testing.assert_array_equal((x == Tensor([0.0, 5.0, 2.0])).data, [True, False, True])
    np.testing.assert_array_equal((x == [0, 1, 3]).data, [True, True, False])
    labels = np.array([0, 1, 1])
    assert int(np.sum(Tensor([0, 1, 0]) == labels)) == 2
    np.testing.assert_array_equal(np.equal(np.array([0.0, 0.0, 2.0]), x).data, [1, 0, 1])
    assert (x == None) is False and (x != "x") is True  # noqa: E711 (as PyTorch answers)


def test_tensors_stay_hashable_by_identity_with_elementwise_equality():
    x, y = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    assert len({x, y, x}) == 2 and {x: "x", y: "y"}[y] == "y"
    assert x in [x] and [x, y].index(x) == 0  # identity is tried before ==
    with pytest.raises(ValueError, match="ambiguous"):
        _ = x in [y]  # as in PyTorch: == of two 2-element tensors has no single truth value


def test_permute_with_a_none_axis_is_refused_not_read_as_all_axes():
    with pytest.raises(TypeError, match="axes must be ints"):
        Tensor([0.0]).permute((None,))


def test_bool_of_a_multi_element_tensor_is_ambiguous():
    assert bool(Tensor(1.0))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_numpy_functions_see_the_values():
    x = Tensor([1.0, 4.0])
    np.testing.assert_array_equal(np.asarray(x), [1.0, 4.0])
    assert np.asarray(x, dtype=np.float32).dtype == np.float32


def test_tensor_of_a_tensor_shares_its_values():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor(x)
    assert y.data is x.data and not y.requires_grad


def test_zero_grad_and_requires_grad_on_a_result():
    x = Tensor([1.0], requires_grad=True)
    (x * 2).sum().backward()
    x.zero_grad()
    assert x.grad is None
    with pytest.raises(ag.GraphError, match="detach"):
        (x * 2).requires_grad = False


def test_functional_forms_match_methods():
    x = Tensor(np.linspace(0.1, 2, 6).reshape(2, 3))
    pairs = [
        (ag.exp(x), x.exp()),
        (ag.log(x), x.log()),
        (ag.sqrt(x), x.sqrt()),
        (ag.sin(x), x.sin()),
        (ag.cos(x), x.cos()),
        (ag.tanh(x), x.tanh()),
        (ag.sigmoid(x), x.sigmoid()),
        (ag.relu(x), x.relu()),
        (ag.abs(x), x.abs()),
        (ag.sum(x, 1), x.sum(1)),
        (ag.mean(x, 0, True), x.mean(0, True)),
        (ag.max(x), x.max()),
        (ag.min(x, 1), x.min(1)),
        (ag.logsumexp(x, 1), x.logsumexp(1)),
        (ag.softmax(x, 0), x.softmax(0)),
        (ag.log_softmax(x), x.log_softmax()),
        (ag.reshape(x, (3, 2)), x.reshape(3, 2)),
        (ag.transpose(x), x.T),
        (ag.permute(x, (1, 0)), x.permute(1, 0)),
        (ag.broadcast_to(x, (4, 2, 3)), x.broadcast_to(4, 2, 3)),
        (ag.squeeze(x[None]), x),
        (ag.unsqueeze(x, 0), x.expand_dims(0)),
        (ag.expand_dims(x, 2), x.unsqueeze(-1)),
        (ag.add(x, 1), x + 1),
        (ag.sub(x, 1), x - 1),
        (ag.mul(x, 2), x * 2),
        (ag.div(x, 2), x / 2),
        (ag.neg(x), -x),
        (ag.pow(x, 2), x**2),
        (ag.matmul(x, x.T), x @ x.T),
        (ag.maximum(x, 1), x.maximum(1)),
        (ag.minimum(x, 1), x.minimum(1)),
        (ag.clip(x, 0.5, 1), x.clip(0.5, 1)),
        (ag.cat([x, x]), ag.concatenate([x, x], axis=0)),
        (x.flatten(), x.reshape(-1)),
    ]
    for functional, method in pairs:
        np.testing.assert_array_equal(functional.data, method.data)


def test_as_tensor_passes_tensors_through():
    x = Tensor([1.0])
    assert ag.as_tensor(x) is x
    assert ag.as_tensor([1, 2], dtype=np.float32).dtype == np.float32


def test_where_lifts_scalars_to_the_other_branch_dtype():
    x = Tensor(np.array([1.0, -1.0], dtype=np.float32))
    assert ag.where(x > 0, x, 0.0).dtype == np.float32
    assert ag.where(x > 0, 0.0, x).dtype == np.float32
    np.testing.assert_array_equal(ag.where(np.array([True, False]), 1.0, 2.0).data, [1.0, 2.0])


def test_indexing_with_tensors_lists_and_masks():
    x = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    np.testing.assert_array_equal(x[Tensor(np.array([2, 0]))].data, x.data[[2, 0]])
    np.testing.assert_array_equal(x[[0, 0], 1].data, [1.0, 1.0])
    np.testing.assert_array_equal(x[x > 5].data, np.arange(6.0, 12.0))
    x[[0, 0, 2], 1].sum().backward()  # repeated indices accumulate
    expected = np.zeros((3, 4))
    expected[0, 1], expected[2, 1] = 2.0, 1.0
    np.testing.assert_array_equal(x.grad.data, expected)


def test_numpy_on_a_tensor_that_requires_grad_is_refused():
    # it returned the live buffer: w.numpy()[0] = 100 silently changed what backward computes
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(GraphError, match=r"numpy: .*shape \(2,\).*detach\(\)\.numpy\(\)"):
        w.numpy()
    assert w.detach().numpy() is w.data
    assert (w * 2.0).detach().numpy().tolist() == [2.0, 4.0]


def test_an_op_on_a_parameter_returns_a_plain_tensor():
    # an op's output is a new Tensor, not an instance of its input's subclass: a Parameter
    # times 2 assigned to a module attribute must not become a trained parameter
    import nn

    w = nn.Parameter(np.ones(2))
    for out in (w * 2.0, w.exp(), w + Tensor([1.0, 2.0]), Tensor([1.0, 2.0]) * w, w.sum()):
        assert type(out) is Tensor


def test_a_comparison_of_a_tensor_that_requires_grad_does_not_keep_it_alive():
    import gc
    import weakref

    gc.disable()
    try:
        x = Tensor([1.0, -1.0], requires_grad=True)
        y = x * 2.0
        mask = y > 0  # a bool result: a leaf, not a node
        ref = weakref.ref(y)
        del y
        assert ref() is None and mask.is_leaf and mask.tolist() == [True, False]
    finally:
        gc.enable()


def test_sum_to_an_int8_or_bool_tensor_sums_in_numpys_integer_and_does_not_overflow():
    # sum_to wrote its sum into an array of the input's dtype: 3 x 100 in int8 gave 44
    t = Tensor(np.full((3, 200), 100, dtype=np.int8)).sum_to((200,))
    assert t.dtype == np.sum(np.int8(0)).dtype and (t.numpy() == 300).all()
    mask = Tensor(np.ones((3, 2), dtype=bool)).sum_to((1, 2))
    assert mask.dtype == np.sum(np.bool_(True)).dtype and (mask.numpy() == 3).all()


def test_a_bool_tensor_squared_is_int8_as_numpys_bool_array_squared():
    # x ** c became np.power(x, c) (to write into a buffer), which squares bools into int64
    mask = np.array([True, False, True])
    assert (Tensor(mask) ** 2).dtype == (mask**2).dtype == np.int8
