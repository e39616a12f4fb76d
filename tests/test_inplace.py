"""Modifying a tensor in place between forward and backward raises instead of a wrong gradient."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
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
    assert out._node.op is ag.OPS[name]
    victim = next(t for t in out._node.inputs if t.name is not None)
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
