"""The steps a compiled function replays: each one kernel call of the eager run, in order.

A tape is a flat list of ``functools.partial`` objects over the functions below. They pass
values the way the eager run did: a forward step writes its result into the traced output
tensor's ``_data`` (so the next op, a backward rule or an effect reads it from there), and
the gradients of the backward pass live in a list of slots, one per gradient array the
trace saw. Every step calls the function the eager run called (the op's ``forward``, its
``backward`` rule, the engine's ``_fit_to_input``, ``_sum`` and ``_accumulate``), so a
replay runs the same numpy kernels on the same kinds of operands in the same order, and its
results are bit for bit those of eager execution. What the replay leaves out is the
bookkeeping around them: no Tensor or Context is made, nothing is counted or sorted, no
version is checked.
"""

from __future__ import annotations

import numpy as np

from ..engine import _accumulate, _fit_to_input, _sum
from ..function import _arrays
from ..gradient_exit import GradientExit


def forward_recorded(op, ctx, inputs: tuple, attrs: dict, out) -> None:
    """An op whose output is a graph node (``ctx is out``): refresh its saved values."""
    data = op.forward(ctx, *_arrays(inputs), **attrs)
    out._data = data if type(data) is np.ndarray else np.asarray(data)
    out._out_version = out._version[0]


def forward_unrecorded(op, ctx, inputs: tuple, attrs: dict, out) -> None:
    """An op without a node (no grad needed, or an int/bool result): just its value."""
    data = op.forward(ctx, *_arrays(inputs), **attrs)
    out._data = data if type(data) is np.ndarray else np.asarray(data)


def backward(node, slots: list, grad: int, outs: tuple) -> None:
    """One node's backward rule, from the gradient in ``slots[grad]`` into ``outs``."""
    g = slots[grad]
    if not node.on_arrays:  # a custom op's rule takes Tensors
        g = node.inputs[0]._constant(g)
    grads = node._op.backward(node, g)
    if type(grads) is not tuple:
        grads = tuple(grads) if isinstance(grads, list) else (grads,)
    for slot, value in zip(outs, grads):
        if slot is not None:
            slots[slot] = value


def fit(slots: list, source: int, target: int, x, node) -> None:
    """A gradient summed back to its input's shape and dtype (the engine's own function)."""
    slots[target] = _fit_to_input(slots[source], x, node, True)


def add(slots: list, a: int, b: int, target: int) -> None:
    """Two gradients of one tensor, added as the engine adds them."""
    slots[target] = _sum(slots[a], slots[b])


def load(slots: list, tensor, target: int) -> None:
    """A tensor's current value as a gradient (say ``y.backward(g)`` with a traced ``g``)."""
    slots[target] = tensor._data


def open_exit(exits: list, index: int, slots: list, foreign: tuple, hand_out) -> None:
    """A new gradient exit for one backward pass, as ``run_backward`` makes one; a
    gradient in a buffer of the replay's leaves through ``hand_out`` (workspace.py)."""
    exits[index] = GradientExit(foreign=[slots[k] for k in foreign], hand_out=hand_out)


def clear_grad(t) -> None:
    """Forget ``t.grad``: a tensor made inside the function starts each call without one."""
    t.grad = None


def accumulate(t, slots: list, grad: int, exits: list, index: int) -> None:
    """Add a gradient into ``t.grad`` through the pass's exit (the engine's own function)."""
    _accumulate(t, slots[grad], exits[index], True)


FORWARD_STEPS = (forward_recorded, forward_unrecorded)  # the steps that run an op's forward
