"""The names PyTorch and numpy users reach for first: conversions, dim=, reductions, in place,
hints for missing names and numpy's ufuncs. Gradients of the ops are in op_specs.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite import DTypeError, GraphError, IndexingError, ShapeError, Tensor

X = np.arange(24, dtype=np.float64).reshape(2, 3, 4) % 7 - 3.0


# ------------------------------------------------------------------ conversions and display
def test_float_int_and_format_of_a_one_element_tensor():
    loss = Tensor([[2.71828]])
    assert float(loss) == 2.71828 and int(loss) == 2 and int(Tensor(-2.9)) == -2
    assert f"{loss:.3f}" == "2.718" and f"{Tensor(0.5):>6.1%}" == " 50.0%"
    assert format(loss) == str(loss) and f"{Tensor([1.0, 2.0])}" == "Tensor([1. 2.])"


@pytest.mark.parametrize("convert", [float, int, lambda t: f"{t:.3f}"])
def test_conversions_of_larger_tensors_raise_naming_the_shape(convert):
    with pytest.raises((ShapeError, DTypeError), match=r"\(2,\)"):
        convert(Tensor([1.0, 2.0]))


def test_float_and_double_cast_and_keep_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert x.float().dtype == np.float32 and x.float().double().dtype == np.float64
    x.float().sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [1.0, 1.0]
    assert Tensor(np.array([True, False])).float().tolist() == [1.0, 0.0]


def test_clone_copies_the_memory_and_passes_the_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.op == "clone" and not np.shares_memory(x.data, y.data)
    (y * 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


# ------------------------------------------------------------------ dim= and keepdim=
AXIS_METHODS = [
    ("sum", {"axis": 1, "keepdims": True}),
    ("mean", {"axis": (0, 2), "keepdims": False}),
    ("max", {"axis": -1, "keepdims": True}),
    ("min", {"axis": 0, "keepdims": False}),
    ("logsumexp", {"axis": 2, "keepdims": True}),
    ("var", {"axis": 1, "keepdims": True}),
    ("std", {"axis": 1, "keepdims": False}),
    ("prod", {"axis": 2, "keepdims": True}),
    ("argmax", {"axis": 1, "keepdims": True}),
    ("argmin", {"axis": 2, "keepdims": False}),
    ("any", {"axis": 0, "keepdims": True}),
    ("all", {"axis": 1, "keepdims": False}),
    ("softmax", {"axis": 1}),
    ("log_softmax", {"axis": 0}),
    ("cumsum", {"axis": 2}),
    ("flip", {"axis": (0, 2)}),
]


@pytest.mark.parametrize(("name", "kwargs"), AXIS_METHODS)
def test_every_method_with_an_axis_accepts_dim_and_keepdim(name, kwargs):
    x = Tensor(X)
    torch_kwargs = {{"axis": "dim", "keepdims": "keepdim"}[k]: v for k, v in kwargs.items()}
    np.testing.assert_array_equal(
        getattr(x, name)(**torch_kwargs).data, getattr(x, name)(**kwargs).data
    )
    with pytest.raises(DTypeError, match=rf"{name}: got both dim= and axis="):
        getattr(x, name)(dim=0, axis=0)


def test_shape_methods_and_functions_accept_dim():
    x = Tensor(np.ones((2, 1, 3)))
    assert x.squeeze(dim=1).shape == (2, 3) and x.unsqueeze(dim=0).shape == (1, 2, 1, 3)
    assert x.gather(dim=2, index=np.zeros((2, 1, 1), dtype=np.int64)).shape == (2, 1, 1)
    assert ag.cat([x, x], dim=2).shape == (2, 1, 6) and ag.stack([x, x], dim=0).shape[0] == 2
    assert ag.sum(x, dim=2, keepdim=True).shape == (2, 1, 1)
    assert ag.softmax(x, dim=0).shape == x.shape and ag.squeeze(x, dim=1).shape == (2, 3)
    assert x.flip(dims=(0,)).shape == x.shape
    with pytest.raises(DTypeError, match="concatenate: got both dim= and axis="):
        ag.cat([x, x], dim=0, axis=0)


def test_transpose_with_two_axes_swaps_them_as_pytorch():
    x = Tensor(X)
    np.testing.assert_array_equal(x.transpose(0, 2).data, X.swapaxes(0, 2))
    np.testing.assert_array_equal(x.transpose(2, 0, 1).data, X.transpose(2, 0, 1))
    m = Tensor(X[0])
    np.testing.assert_array_equal(m.transpose(0, 1).data, X[0].T)  # not numpy's identity
    np.testing.assert_array_equal(m.permute(0, 1).data, X[0])  # permute always permutes
    np.testing.assert_array_equal(ag.transpose(m, (0, 1)).data, X[0])  # np.transpose's meaning


# ------------------------------------------------------------------ reductions and friends
@pytest.mark.parametrize(
    ("name", "reference"),
    [("argmax", np.argmax), ("argmin", np.argmin), ("any", np.any), ("all", np.all)],
)
def test_index_and_truth_reductions_match_numpy_and_have_no_gradient(name, reference):
    x = Tensor(X, requires_grad=True)
    for axis in (None, 0, -1):
        out = getattr(x, name)(dim=axis)
        np.testing.assert_array_equal(out.data, reference(X, axis=axis))
        assert not out.requires_grad and out.op is None
    assert getattr(x, name)().dtype == (np.int64 if name.startswith("arg") else np.bool_)


def test_argmax_of_an_empty_tensor_is_an_error():
    with pytest.raises(ShapeError, match="argmax: the tensor is empty"):
        Tensor(np.zeros((0, 3))).argmax()


def test_var_and_std_are_unbiased_by_default_as_in_pytorch():
    x = Tensor(X)
    np.testing.assert_allclose(x.var().data, np.var(X, ddof=1))
    np.testing.assert_allclose(x.std(dim=1).data, np.std(X, axis=1, ddof=1))
    np.testing.assert_allclose(x.var(correction=0).data, np.var(X))
    np.testing.assert_allclose(x.var(ddof=0).data, np.var(X))  # numpy's name
    with pytest.raises(ShapeError, match="var: 1 element.*correction=1"):
        Tensor([1.0]).var()
    with pytest.raises(ShapeError, match="std: 1 element"):  # regression: it said "var"
        Tensor([1.0]).std()
    with pytest.raises(DTypeError, match="var: correction must be an int"):
        x.var(correction=0.5)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
        ([2.0, 0.0, 4.0], [0.0, 8.0, 0.0]),  # one zero: only its gradient is nonzero
        ([0.0, 3.0, 0.0], [0.0, 0.0, 0.0]),  # two zeros: every gradient is 0
    ],
)
def test_prod_gradient_is_exact_with_zeros(values, expected):
    for create_graph in (False, True):
        x = Tensor(values, requires_grad=True)
        (g,) = ag.grad(x.prod(), [x], create_graph=create_graph)
        np.testing.assert_array_equal(g.data, expected)


def test_prod_second_derivative_with_a_zero():
    x = Tensor([2.0, 0.0, 4.0], requires_grad=True)
    (g,) = ag.grad(x.prod(), [x], create_graph=True)
    g[1].backward()  # d/dx (x0 * x2) = (x2, 0, x0)
    np.testing.assert_array_equal(x.grad.data, [4.0, 0.0, 2.0])


@pytest.mark.parametrize("create_graph", [False, True])
def test_prod_of_an_empty_tensor_has_an_empty_gradient(create_graph):
    # regression: the plain backward reshaped a gradient of one element into shape (0,)
    x = Tensor(np.zeros((2, 0)), requires_grad=True)
    for axis in (None, 1):
        (g,) = ag.grad(x.prod(dim=axis).sum(), [x], create_graph=create_graph)
        assert g.shape == (2, 0)


def test_cumsum_without_an_axis_runs_over_the_flattened_values():
    np.testing.assert_array_equal(Tensor(X).cumsum().data, np.cumsum(X))


@pytest.mark.parametrize("name", ["sign", "floor", "ceil", "round"])
def test_piecewise_constant_ops_pass_a_zero_gradient(name):
    values = np.array([-1.5, -0.2, 0.0, 0.5, 1.0, 2.7])
    x = Tensor(values, requires_grad=True)
    out = getattr(x, name)()
    np.testing.assert_array_equal(out.data, getattr(np, name)(values))
    assert out.requires_grad  # as in PyTorch: in the graph, with gradient 0
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(6))


def test_round_to_decimals_and_halves_to_even():
    assert Tensor([0.5, 1.5, 2.5, 1.234]).round().tolist() == [0.0, 2.0, 2.0, 1.0]
    assert Tensor([1.234]).round(decimals=2).tolist() == [1.23]


def test_flatten_start_and_end_dim():
    x = Tensor(X)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12)
    assert x.flatten(0, 1).shape == (6, 4) and Tensor(3.0).flatten().shape == (1,)
    with pytest.raises(ShapeError, match="flatten: start_dim 2 comes after end_dim 1"):
        x.flatten(2, 1)


def test_repeat_is_pytorchs_and_tile_is_numpys():
    x = Tensor([[1.0, 2.0]])
    np.testing.assert_array_equal(x.repeat(2, 3).data, np.tile(x.data, (2, 3)))
    np.testing.assert_array_equal(x.repeat(2, 1, 1).data, np.tile(x.data, (2, 1, 1)))
    np.testing.assert_array_equal(x.tile(2).data, np.tile(x.data, 2))  # fewer reps: last axes
    with pytest.raises(ShapeError, match=r"repeat: 1 repetition count.*repeat\(1, 1\)"):
        x.repeat(2)
    with pytest.raises(ShapeError, match="tile: repetitions must be >= 0"):
        x.tile(-1)


def test_masked_fill_fills_where_the_mask_holds_and_blocks_the_gradient():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = x.masked_fill(np.array([True, False]), -np.inf)  # the mask broadcasts over rows
    assert out.tolist() == [[-np.inf, 2.0], [-np.inf, 4.0]]
    out.softmax(dim=1).sum().backward()
    assert x.grad.data[:, 0].tolist() == [0.0, 0.0]
    with pytest.raises(DTypeError, match="masked_fill: the mask must be boolean"):
        x.masked_fill(Tensor([1.0, 0.0]), 0.0)
    with pytest.raises(ShapeError, match=r"masked_fill: a mask of shape \(3,\)"):
        x.masked_fill(np.array([True, False, True]), 0.0)
    assert x.masked_fill([[False, True], [False, False]], 0.0).tolist() == [[1, 0], [3, 4]]


def test_gather_picks_along_an_axis_as_pytorch():
    x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    index = Tensor(np.array([[2, 2], [0, 1]]))
    out = x.gather(1, index)
    assert out.tolist() == [[3.0, 3.0], [4.0, 5.0]]
    out.sum().backward()  # a repeated index accumulates
    assert x.grad.tolist() == [[0.0, 0.0, 2.0], [1.0, 1.0, 0.0]]
    with pytest.raises(DTypeError, match="gather: index must hold integers"):
        x.gather(1, Tensor([[0.0]]))
    with pytest.raises(IndexingError, match=r"gather: index of shape \(2,\)"):
        x.gather(1, np.array([0, 1]))
    with pytest.raises(IndexingError, match=r"gather: index values from 2 to 2 .* \[0, 1\]"):
        x.gather(0, np.array([[2]]))


def test_nan_inf_and_closeness_tests():
    x = Tensor([1.0, np.nan, np.inf, -np.inf], requires_grad=True)
    for name in ("isnan", "isinf", "isfinite"):
        out = getattr(x, name)()
        np.testing.assert_array_equal(out.data, getattr(np, name)(x.data))
        assert out.dtype == np.bool_ and not out.requires_grad
    a = Tensor([1.0, 2.0])
    assert a.isclose([1.0, 2.0 + 1e-9]).tolist() == [True, True]
    assert a.isclose(Tensor([1.0, 2.1])).tolist() == [True, False]
    assert a.allclose([1.0, 2.0 + 1e-9]) is True and a.allclose([1.0, 2.1]) is False
    assert a.allclose([1.0, 2.05], atol=0.1) is True
    assert Tensor([np.nan]).allclose([np.nan], equal_nan=True)
    with warnings.catch_warnings():  # inf - inf and inf * rtol 0 are NaN: not close, silently
        warnings.simplefilter("error")
        infinite = Tensor([np.inf, -np.inf, 1.0])
        assert infinite.isclose([np.inf, np.inf, np.inf], rtol=0.0).tolist() == [True, False, False]
    with pytest.raises(ShapeError, match=r"isclose: shapes \(2,\) and \(3,\)"):
        a.isclose([1.0, 2.0, 3.0])


_NEAR_ONE = [0.0, -0.0, 1.0, 1.0 + 1e-9, 1.0 + 1e-5, -1.0, 2.0, 1e-8, 3e-8, np.nan, np.inf, -np.inf]


@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3),
    dtypes=st.tuples(*[st.sampled_from([np.float64, np.float32, np.int64, np.bool_])] * 2),
    options=st.tuples(st.sampled_from([1e-5, 0.0, 0.1]), st.sampled_from([1e-8, 0.0, 1.0])),
    equal_nan=st.booleans(),
    data=st.data(),
)
@pytest.mark.filterwarnings("error::RuntimeWarning")  # inf - inf is not close, silently
def test_isclose_equals_numpys_eagerly_and_compiled(shapes, dtypes, options, equal_nan, data):
    # numpy's isclose takes no out=: ours is its formula in ufuncs, so that a replay
    # computes it in buffers; same values, for any dtypes, broadcasting, NaN and inf
    x, y = (
        data.draw(hnp.arrays(dtype, shape, elements=_closeness_elements(dtype)))
        for dtype, shape in zip(dtypes, shapes.input_shapes)
    )
    rtol, atol = options
    expected = np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)

    def close(x, y):
        return ag.isclose(Tensor(x), Tensor(y), rtol=rtol, atol=atol, equal_nan=equal_nan)

    compiled = ag.compile(close)
    for result in (close(x, y), *(compiled(x, y) for _ in range(3))):
        assert result.dtype == np.bool_ and np.array_equal(result.numpy(), expected)


def _closeness_elements(dtype):
    if dtype == np.bool_:
        return st.booleans()
    if dtype == np.int64:
        return st.integers(-2, 2)
    return st.sampled_from(_NEAR_ONE)


# ------------------------------------------------------------------ in place
def test_zero_fills_in_place_and_returns_the_tensor():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    grad = w.grad
    assert grad.zero_() is grad and w.grad.tolist() == [0.0, 0.0]
    (w * w).sum().backward()  # accumulates onto the zeros
    assert w.grad.tolist() == [2.0, 4.0]


def test_zero_counts_as_a_modification_for_a_pending_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    x.zero_()
    with pytest.raises(GraphError, match="modified in place"):
        y.sum().backward()


def test_zero_of_a_read_only_broadcast_view_is_refused():
    view = Tensor([1.0]).broadcast_to(3)
    with pytest.raises(DTypeError, match="zero_: .*read-only"):
        view.zero_()


def test_requires_grad_underscore_sets_the_flag_and_returns_the_tensor():
    x = ag.zeros(2)
    assert x.requires_grad_() is x and x.requires_grad
    assert x.requires_grad_(False) is x and not x.requires_grad
    with pytest.raises(DTypeError, match="only float tensors"):
        ag.arange(3).requires_grad_()


# ------------------------------------------------------------------ missing names
@pytest.mark.parametrize(
    ("name", "hint"),
    [("view", "use reshape()"), ("cuda", "no GPU"), ("to", "astype"), ("numel", ".size")],
)
def test_missing_pytorch_names_raise_attribute_error_with_a_hint(name, hint):
    with pytest.raises(
        AttributeError, match=rf"'Tensor' object has no attribute '{name}'; .*{hint}"
    ):
        getattr(Tensor([1.0]), name)


def test_unknown_names_keep_the_plain_attribute_error():
    with pytest.raises(AttributeError) as info:
        Tensor([1.0]).no_such_thing  # noqa: B018
    assert str(info.value) == "'Tensor' object has no attribute 'no_such_thing'"
    assert not hasattr(Tensor([1.0]), "view") and hasattr(Tensor([1.0]), "reshape")


# ------------------------------------------------------------------ numpy's ufuncs
def test_numpy_ufuncs_with_an_op_dispatch_to_it_and_record_the_graph():
    x = Tensor([0.5, 1.0], requires_grad=True)
    y = np.exp(x) + np.maximum(x, 0.75) * np.sin(x)
    assert isinstance(y, Tensor) and y.requires_grad
    y.sum().backward()
    expected = np.exp([0.5, 1.0]) + [0.75 * np.cos(0.5), np.sin(1.0) + np.cos(1.0)]
    np.testing.assert_allclose(x.grad.data, expected)


def test_an_array_on_the_left_of_an_operator_still_gives_a_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    for y in (np.ones(2) * x, np.ones(2) - x, np.float64(2.0) / x, np.eye(2) @ x, np.ones(2) < x):
        assert isinstance(y, Tensor)
    assert (np.array([3.0, 3.0]) - x).tolist() == [2.0, 1.0]


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda x: np.arctan(x), r"np.arctan on a Tensor: not supported.*a Tensor method"),
        (lambda x: np.add.reduce(x), r"np.add.reduce on a Tensor.*t.__add__\(\)"),
        (lambda x: np.exp(x, out=np.empty(2)), r"np.exp with out= on a Tensor.*t.exp\(\)"),
    ],
)
def test_numpy_ufuncs_without_an_op_raise_a_type_error_naming_the_fix(call, pattern):
    with pytest.raises(TypeError, match=pattern):
        call(Tensor([1.0, 2.0]))


# ------------------------------------------------------------------ function forms
@pytest.mark.parametrize(
    ("function", "method"),
    [
        (lambda x: ag.argmax(x, dim=1, keepdim=True), lambda x: x.argmax(1, True)),
        (lambda x: ag.argmin(x, dim=-1), lambda x: x.argmin(-1)),
        (lambda x: ag.var(x, dim=(0, 2), correction=0), lambda x: x.var((0, 2), 0)),
        (lambda x: ag.std(x, dim=0, keepdim=True), lambda x: x.std(0, 1, True)),
        (lambda x: ag.prod(x, dim=2), lambda x: x.prod(2)),
        (lambda x: ag.cumsum(x, dim=1), lambda x: x.cumsum(1)),
        (lambda x: ag.flatten(x, 1), lambda x: x.flatten(1)),
        (lambda x: ag.flip(x, dims=(1,)), lambda x: x.flip((1,))),
        (ag.clone, lambda x: x.clone()),
        (ag.sign, lambda x: x.sign()),
        (ag.floor, lambda x: x.floor()),
        (ag.ceil, lambda x: x.ceil()),
        (lambda x: ag.round(x / 3, decimals=1), lambda x: (x / 3).round(1)),
        (ag.isnan, lambda x: x.isnan()),
        (ag.isinf, lambda x: x.isinf()),
        (ag.isfinite, lambda x: x.isfinite()),
        (lambda x: ag.isclose(x, x + 1e-9), lambda x: x.isclose(x + 1e-9)),
        (lambda x: ag.gather(x, dim=0, index=np.zeros((1, 3, 4), dtype=np.int64)), lambda x: x[:1]),
        (lambda x: ag.masked_fill(x, X > 0, 0.0), lambda x: x.masked_fill(X > 0, 0.0)),
    ],
)
def test_function_forms_equal_the_methods(function, method):
    x = Tensor(X)
    expected = method(x)
    out = function(X)  # the functions take arrays too
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out.data, expected.data)


def test_allclose_function_returns_a_python_bool():
    assert ag.allclose(X, Tensor(X) + 1e-9) is True
    assert ag.allclose([1.0], [2.0]) is False


def test_an_array_on_the_left_gets_the_errors_of_the_reflected_operator():
    # regression: np.greater_equal(array, t) named "greater_equal", not the operator's op
    with pytest.raises(DTypeError, match=r"^le: unsupported dtype <U1"):
        np.array(["a"]) >= Tensor([1.0])  # noqa: B015
    with pytest.raises(ShapeError, match=r"^sub\(\(2,\), \(3,\)\)"):
        np.ones(2) - Tensor([1.0, 2.0, 3.0])
