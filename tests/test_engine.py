"""Engine regressions, each named after the failure it guards against."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import GraphError, Tensor, no_grad


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def test_node_used_twice_receives_the_sum():
    a = leaf([1.0, -2.0])
    (a + a).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [2.0, 2.0])


def test_diamond_sums_both_paths():
    # d/dx of (x*2) * (x*3) = 12 x
    x = leaf([0.5, 3.0])
    ((x * 2.0) * (x * 3.0)).sum().backward()
    np.testing.assert_allclose(x.grad.data, 12 * np.array([0.5, 3.0]))


def test_shared_subexpression_used_in_many_consumers():
    x = leaf([1.5])
    y = x.exp()
    total = y + y * y + y.sin()
    total.sum().backward()
    e = np.exp(1.5)
    np.testing.assert_allclose(x.grad.data, [e + 2 * e * e + np.cos(e) * e])


@pytest.mark.parametrize("depth", [100_000, 1_000_000])
def test_deep_chain_backpropagates_without_recursion(depth):
    x = leaf(1.0)
    y = x
    for _ in range(depth):
        y = y + 1e-6
    y.backward()
    assert x.grad.item() == 1.0
    del y  # freeing a million-node chain must not overflow the C stack either


def test_gradients_accumulate_over_two_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0 + 2.0, 3.0 + 4.0])


def test_no_grad_records_nothing_and_restores_the_mode():
    x = leaf([1.0])
    with no_grad():
        y = x * 2.0
    assert not y.requires_grad and y.is_leaf
    assert ag.is_grad_enabled()
    with pytest.raises(RuntimeError, match="inside"), no_grad():
        raise RuntimeError("an error inside no_grad")
    assert ag.is_grad_enabled()


def test_no_grad_as_a_decorator():
    @no_grad()
    def double(t):
        return t * 2.0

    assert not double(leaf([1.0])).requires_grad
    assert ag.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = leaf([1.0])
    with no_grad(), ag.enable_grad():
        assert (x * 2.0).requires_grad


def test_second_backward_through_freed_graph_says_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(GraphError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * first)


def test_detach_cuts_the_graph_and_shares_memory():
    x = leaf([1.0, 2.0])
    d = (x * 2.0).detach()
    assert not d.requires_grad and d.is_leaf
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])  # d is a constant


def test_float32_is_preserved_end_to_end():
    x = leaf(np.linspace(-1, 1, 6).reshape(2, 3), dtype=np.float32)
    w = leaf(np.ones((3, 2)), dtype=np.float32)
    out = ((x @ w).tanh() * 2.5 + 1).log_softmax(axis=1).sum() / 3
    assert out.dtype == np.float32
    out.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_graph_is_freed_by_reference_counting_alone():
    gc.disable()
    try:
        x = leaf(np.ones(3))
        y = (x.exp() * x).sigmoid().tanh().sum()
        input_ref = weakref.ref(y.inputs[0])  # the nodes are the tensors an op made
        output_ref = weakref.ref(y)
        del y
        assert input_ref() is None and output_ref() is None
        z = (x.sqrt() + 1).log_softmax(axis=0)
        intermediate_ref = weakref.ref(z.inputs[0])
        z.backward(np.ones(3))
        del z
        assert intermediate_ref() is None
    finally:
        gc.enable()


def test_backward_on_non_scalar_needs_a_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(GraphError, match=r"shape \(2,\)"):
        (x * 2.0).backward()
    (x * 2.0).backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 20.0])


def test_backward_gradient_of_wrong_shape_is_rejected():
    x = leaf([1.0, 2.0])
    with pytest.raises(ag.ShapeError, match=r"\(3,\).*\(2,\)"):
        (x * 2.0).backward(np.ones(3))


def test_backward_on_a_tensor_without_graph():
    with pytest.raises(GraphError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_grad_returns_without_touching_dot_grad():
    x = leaf([1.0, 2.0])
    (gx,) = ag.grad((x**3).sum(), x)
    np.testing.assert_allclose(gx.data, 3 * np.array([1.0, 4.0]))
    assert x.grad is None


def test_grad_of_grad_and_hessian_vector_product():
    x = leaf([0.3, -0.7, 1.1])
    f = (x.sin() * x * x).sum()
    (g,) = ag.grad(f, x, create_graph=True)
    v = np.array([1.0, -2.0, 0.5])
    (hv,) = ag.grad(g, x, grad_outputs=Tensor(v))
    xs = x.data
    hessian_diag = -np.sin(xs) * xs**2 + 4 * xs * np.cos(xs) + 2 * np.sin(xs)
    np.testing.assert_allclose(hv.data, hessian_diag * v)


def test_backward_create_graph_gives_differentiable_grad():
    x = leaf(2.0)
    (x**4).backward(create_graph=True)
    assert x.grad.requires_grad  # 4 x^3
    g = x.grad
    x.grad = None
    g.backward()
    assert x.grad.item() == pytest.approx(12 * 4.0)


def test_grad_reports_unused_inputs():
    x, y = leaf([1.0]), leaf([2.0])
    with pytest.raises(GraphError, match="allow_unused"):
        ag.grad((x * 2.0).sum(), [x, y])
    gx, gy = ag.grad((x * 2.0).sum(), [x, y], allow_unused=True)
    assert gy is None and gx.item() == 2.0


def test_grad_with_respect_to_an_intermediate():
    x = leaf([1.0, 2.0])
    h = x * 3.0
    (gh,) = ag.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.data, 2 * h.data)


def test_retain_grad_keeps_an_intermediate_gradient():
    x = leaf([1.0, 2.0])
    h = (x * 3.0).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.data, 2 * h.data)


def test_leaf_gradients_do_not_share_memory():
    # Add's backward hands the same gradient to both inputs; scaling one grad in place must
    # not change the other
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.data *= 10
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])


def _owned(*grads):
    """Each gradient is a writable array sharing memory with none of the others."""
    arrays = [g.data for g in grads]
    for i, a in enumerate(arrays):
        assert a.flags.writeable and a.base is None, i
        for b in arrays[i + 1 :]:
            assert not np.shares_memory(a, b)


def test_a_gradient_through_a_reshape_was_a_view_of_another_leafs_gradient():
    # in ((a.reshape(6) + b) * c).sum(), a.grad was a view of b.grad (issue 12, item 4)
    a, b, c = leaf(np.ones((2, 3))), leaf(np.ones(6)), leaf(np.arange(6.0))
    ((a.reshape(6) + b) * c).sum().backward()
    _owned(a.grad, b.grad, c.grad)
    a.grad.data *= 0
    np.testing.assert_array_equal(b.grad.data, np.arange(6.0))


def test_a_retained_gradient_was_the_same_array_as_a_leafs():
    x = leaf([1.0, 2.0])
    y = (x + 1.0).retain_grad()
    (y * y).sum().backward()
    _owned(x.grad, y.grad)
    np.testing.assert_array_equal(y.grad.data, [4.0, 6.0])


def test_backward_with_the_callers_gradient_made_it_the_leafs_grad():
    x, g = leaf([1.0, 2.0]), np.array([5.0, 7.0])
    (x + 1.0).backward(g)
    assert not np.shares_memory(x.grad.data, g)
    x.grad.data *= 2
    np.testing.assert_array_equal(g, [5.0, 7.0])
    gt = Tensor([1.0, 1.0])
    z = leaf([0.0, 0.0])
    (z + 1.0).backward(gt)  # the gradient passes through add unchanged
    assert not np.shares_memory(z.grad.data, gt.data)


def test_grad_returned_read_only_broadcast_views_and_one_array_for_two_inputs():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    gx, gy = ag.grad([(x + y).sum()], [x, y])
    _owned(gx, gy)
    (gs,) = ag.grad([x.sum()], [x])
    _owned(gs)
    gx, gy = ag.grad([(x + y).sum()], [x, y], create_graph=True)
    _owned(gx, gy)


def test_grad_with_the_same_output_twice_dropped_its_subgraph():
    # grad([y, y, x.sum()], [x]) returned [1, 1] and grad([y, y], [x]) called x unused
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    (g,) = ag.grad([y, y, x.sum()], [x], retain_graph=True)
    np.testing.assert_array_equal(g.data, [5.0, 9.0])  # 2 * 2x + 1, as PyTorch
    (g,) = ag.grad([y, y], [x], retain_graph=True)
    np.testing.assert_array_equal(g.data, [4.0, 8.0])
    z = y * 3.0  # a root that is also below another root
    (g,) = ag.grad([y, z], [x])
    np.testing.assert_array_equal(g.data, [8.0, 16.0])


def test_custom_op_by_subclassing_function():
    class Cube(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.inputs
            return grad * 3.0 * x * x  # d(x^3)/dx = 3 x^2

    x = leaf([0.5, -1.5])
    assert ag.gradcheck(lambda t: Cube.apply(t), x)
    assert ag.gradgradcheck(lambda t: Cube.apply(t), x)
    assert Cube.apply(x).op == "cube"


class _Recorded:
    """What the rules below received: the types of grad, ctx.operands and ctx.output()."""

    seen: list[tuple[type, ...]] = []


class _TanhOnAnything(ag.Function):
    """tanh whose rule is written only with what arrays and Tensors share."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, grad):
        out = ctx.output()
        _Recorded.seen.append((type(grad), *map(type, ctx.operands), type(out)))
        return grad * (1.0 - out * out)  # d(tanh x)/dx = 1 - tanh^2 x


class _TanhOnTensors(_TanhOnAnything):
    backward_on_arrays = False  # the default for a custom op


@pytest.mark.parametrize("op", [_TanhOnAnything, _TanhOnTensors])
def test_a_rule_runs_on_arrays_only_when_its_op_says_so_and_never_under_create_graph(op):
    x = leaf([0.3, -1.2])
    _Recorded.seen.clear()
    op.apply(x).sum().backward()
    kind = np.ndarray if op.backward_on_arrays else Tensor
    assert _Recorded.seen == [(kind, kind, kind)]
    np.testing.assert_allclose(x.grad.data, 1 - np.tanh(x.data) ** 2, rtol=1e-15)

    _Recorded.seen.clear()
    (gx,) = ag.grad(op.apply(x).sum(), [x], create_graph=True)
    assert _Recorded.seen == [(Tensor, Tensor, Tensor)]
    gx.sum().backward()  # d/dx (1 - tanh^2 x) = -2 tanh x (1 - tanh^2 x)
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad.data, 1 - t**2 - 2 * t * (1 - t**2), rtol=1e-14)


def test_both_kinds_of_rule_pass_gradcheck_and_gradgradcheck():
    for op in (_TanhOnAnything, _TanhOnTensors):
        x = leaf([0.3, -1.2, 2.0])
        assert ag.gradcheck(op.apply, x) and ag.gradgradcheck(op.apply, x)


def test_compute_runs_forward_on_arrays_and_records_on_tensors():
    a = np.array([1.0, -2.0])
    out = ag.OPS["mul"].compute(a, np.array(3.0))
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, [3.0, -6.0])
    y = ag.OPS["mul"].compute(leaf([1.0, -2.0]), Tensor(3.0))
    assert isinstance(y, Tensor) and y.op == "mul"


def test_custom_op_returning_a_wrong_shape_is_named():
    class Broken(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad.sum()[None].broadcast_to((5,))

    x = leaf([1.0, 2.0])
    with pytest.raises(GraphError, match=r"broken.*shape \(5,\).*\(2,\)"):
        Broken.apply(x).sum().backward()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_family_is_stable_and_exact_for_huge_logits(dtype):
    logits = Tensor(np.array([[0.0, 1e4, 1e4], [-1e4, 0.0, 1e4]], dtype=dtype), requires_grad=True)
    log_p = logits.log_softmax(axis=1)
    assert log_p.dtype == dtype
    # the two tied maxima of row 0 each have probability 1/2; row 1 is certain
    np.testing.assert_allclose(log_p.data[0, 1:], np.log(0.5), rtol=1e-6)
    assert log_p.data[1, 2] == 0.0
    np.testing.assert_allclose(logits.logsumexp(axis=1).data, [1e4 + np.log(2), 1e4], rtol=1e-6)
    np.testing.assert_allclose(logits.softmax(axis=1).data[0], [0.0, 0.5, 0.5], atol=1e-7)
    log_p[:, 1].sum().backward()
    # d log p_1 / d x = onehot(1) - softmax(x)
    expected = np.array([[0.0, 0.5, -0.5], [0.0, 1.0, -1.0]])
    np.testing.assert_allclose(logits.grad.data, expected, atol=1e-6)
    assert np.isfinite(logits.grad.data).all()


def test_a_zero_dimensional_leaf_summing_two_gradients_gets_an_array():
    # 0-d gradients add up to a numpy scalar, which the gradient exit must turn into an array
    x = leaf(2.0)
    (x * x + x * 3.0).backward()
    assert isinstance(x.grad.data, np.ndarray) and x.grad.data.flags.writeable
    assert x.grad.item() == 7.0


PIECEWISE_LINEAR = {
    "relu": lambda x: x.relu(),
    "abs": lambda x: x.abs(),
    "clip": lambda x: x.clip(-0.5, 0.5),
    "hardtanh": lambda x: ag.hardtanh(x, -0.5, 0.5),
    "leaky_relu": lambda x: ag.leaky_relu(x, 0.1),
    "max": lambda x: x.max(axis=1),
    "min": lambda x: x.min(),
    "maximum": lambda x: ag.maximum(x, x[:, ::-1] * 0.5),
    "minimum": lambda x: ag.minimum(x, 0.25),
    "max_pool2d": lambda x: ag.ops.MaxPool2d.apply(
        x.reshape(1, 1, 2, 3), kernel=(2, 2), stride=(1, 1), padding=(0, 0)
    ),
}


@pytest.mark.parametrize("name", sorted(PIECEWISE_LINEAR))
def test_second_derivative_of_a_piecewise_linear_op_is_zero_not_an_error(name):
    # the first gradient stays connected to x, as in PyTorch; it raised "output 0 does not
    # require grad" because the rule multiplied by a mask saved as a plain array
    x = leaf([[-1.0, 0.3, 2.0], [0.7, -0.2, 1.5]])
    (g,) = ag.grad([PIECEWISE_LINEAR[name](x).sum()], [x], create_graph=True)
    assert g.requires_grad
    (h,) = ag.grad([g.sum()], [x])
    np.testing.assert_array_equal(h.data, np.zeros((2, 3)))


def test_hessian_diagonal_through_relu_matches_numerical_differentiation():
    # generic second-order code (a Hessian diagonal) through a relu network
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 4))

    def f(x):
        return ((x @ Tensor(w)).relu() ** 2).sum() + x.abs().sum() * x.max()

    x = leaf(rng.normal(size=3))
    (g,) = ag.grad([f(x)], [x], create_graph=True)
    diagonal = [ag.grad([g[i]], [x], retain_graph=True)[0].data[i] for i in range(3)]

    def first_derivative(values, i):
        t = leaf(values)
        return ag.grad([f(t)], [t])[0].data[i]

    eps = 1e-6
    for i in range(3):
        step = np.eye(3)[i] * eps
        up, down = first_derivative(x.data + step, i), first_derivative(x.data - step, i)
        np.testing.assert_allclose(diagonal[i], (up - down) / (2 * eps), rtol=1e-6, atol=1e-8)
