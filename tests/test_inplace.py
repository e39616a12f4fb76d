"""Modifying a tensor in place between forward and backward raises instead of a wrong gradient."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
import optim
from autograd_lite import GraphError, Tensor

from .op_specs import SPECS


@pytest.mark.parametrize("name", sorted(n for n, op in ag.OPS.items() if op.reads_inputs))
@given(data=st.data())
def test_modifying_an_input_that_backward_reads_is_caught(name, data):
    spec = SPECS[name]
    case = data.draw(spec.cases)
    tensors = [
        Tensor(a.copy(), requires_grad=True, name=f"in{i}") for i, a in enumerate(case.arrays)
    ]
    out = spec.fn(*tensors, **case.kwargs)
    assert out._op is ag.OPS[name]
    victim = next(t for t in out.inputs if t.name is not None)
    victim.data += 1.0  # in place, through .data
    with pytest.raises(
        GraphError, match=rf"{ag.OPS[name].op_name}.*'{victim.name}'.*modified in place"
    ):
        out.backward(np.ones(out.shape))


@pytest.mark.parametrize("name", ["exp", "sqrt", "tanh", "sigmoid", "softmax", "log_softmax"])
@given(data=st.data())
def test_modifying_an_output_that_backward_reads_is_caught(name, data):
    spec = SPECS[name]
    case = data.draw(spec.cases)
    x = Tensor(case.arrays[0].copy(), requires_grad=True)
    out = spec.fn(x, **case.kwargs)
    out.data *= 2.0
    with pytest.raises(GraphError, match="output was modified in place"):
        out.backward(np.ones(out.shape))


@pytest.mark.parametrize("name", sorted(n for n, op in ag.OPS.items() if not op.reads_inputs))
@given(data=st.data())
def test_ops_that_read_only_shapes_or_saved_masks_still_give_the_forward_gradient(name, data):
    spec = SPECS[name]
    case = data.draw(spec.cases)
    tensors = [Tensor(a.copy(), requires_grad=True) for a in case.arrays]
    out = spec.fn(*tensors, **case.kwargs)
    grad = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(grad, retain_graph=True)
    expected = [t.grad.data.copy() for t in tensors]
    for t in tensors:
        t.zero_grad()
    for t in tensors:
        t.data += 0.5
    out.backward(grad)
    for t, g in zip(tensors, expected):
        np.testing.assert_array_equal(t.grad.data, g)


def test_an_optimizer_style_update_between_forward_and_backward_is_caught():
    w = Tensor(np.ones((3, 2)), requires_grad=True, name="weight")
    x = Tensor(np.ones((4, 3)))
    loss = (x @ w).tanh().sum()
    w.data -= 0.1 * np.ones((3, 2))  # e.g. optimizer.step() called before loss.backward()
    with pytest.raises(GraphError, match=r"matmul.*'weight' \(shape \(3, 2\)\).*optimizer.step"):
        loss.backward()


def test_replacing_data_after_backward_is_fine_and_the_next_forward_uses_it():
    w = Tensor(np.ones(2), requires_grad=True)
    (w * w).sum().backward()
    w.data = w.data - 0.5
    w.zero_grad()
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [1.0, 1.0])


def test_data_setter_checks_the_dtype():
    w = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ag.DTypeError, match="float"):
        w.data = np.array([1, 2])


def test_a_real_optimizer_step_between_forward_and_backward_is_caught():
    import optim

    w = Tensor(np.ones((3, 2)), requires_grad=True, name="weight")
    x = Tensor(np.ones((4, 3)))
    opt = optim.SGD([w], lr=0.1)
    (x @ w).sum().backward()
    loss = (x @ w).tanh().sum()
    opt.step()  # before loss.backward(): the saved weight has changed
    with pytest.raises(GraphError, match=r"matmul.*'weight'.*modified in place"):
        loss.backward()


# --- through views (issue 12, item 1): a view shares the version counter of its base -------

VIEWS = {
    "reshape": lambda w: w.reshape(3),
    "T": lambda w: w.T,
    "slice": lambda w: w[:],
    "unsqueeze": lambda w: w.unsqueeze(0),
    "astype to its own dtype": lambda w: w.astype(w.dtype),
    "detach": lambda w: w.detach(),
    "Tensor of a tensor": lambda w: Tensor(w),
}


@pytest.mark.parametrize("make_view", VIEWS.values(), ids=VIEWS)
def test_an_update_of_the_base_after_forward_through_a_view_went_undetected(make_view):
    # w.grad was silently [0, 2, 4] where the recorded graph needs [2, 4, 6]
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = make_view(w)
    if not v.requires_grad:  # detach() and Tensor(w): a leaf of its own
        v.requires_grad = True
    y = (v * v).sum()
    w.data -= 1.0
    with pytest.raises(GraphError, match="modified in place"):
        y.backward()


@pytest.mark.parametrize("make_view", VIEWS.values(), ids=VIEWS)
def test_an_update_through_a_view_is_caught_by_nodes_that_saved_the_base(make_view):
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (w * w).sum()
    with ag.no_grad():
        v = make_view(w)
    v.data -= 1.0
    with pytest.raises(GraphError, match="modified in place"):
        y.backward()


def test_an_optimizer_step_before_backward_through_a_transposed_weight_is_caught():
    rng = np.random.default_rng(0)
    w1 = Tensor(rng.standard_normal((4, 3)), requires_grad=True, name="W1")
    x = Tensor(rng.standard_normal((5, 3)))
    loss = ((x @ w1.T).tanh() ** 2).sum()
    w1.grad = Tensor(np.ones((4, 3)))
    optim.SGD([w1], lr=0.1).step()
    with pytest.raises(GraphError, match="modified in place"):
        loss.backward()


def test_assigning_a_new_array_to_the_base_leaves_its_views_valid():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = w.reshape(3)
    y = (v * v).sum()
    w.data = np.zeros(3)  # a new array: v still holds (and the graph recorded) 1, 2, 3
    y.backward()
    np.testing.assert_array_equal(w.grad.data, [2.0, 4.0, 6.0])


def test_an_output_modified_through_a_view_is_caught():
    x = Tensor([0.0, 1.0], requires_grad=True)
    y = x.exp()
    y.reshape(2).data *= 2.0
    with pytest.raises(GraphError, match="output was modified in place"):
        y.backward(np.ones(2))
