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
from ..ops._dual import sum_to_array


def forward(op, ctx, inputs: tuple, attrs: dict, out, output=None) -> None:
    """An op's forward, its value into ``out._data``; where the output is a graph node
    (``ctx is out``, else the no-node stand-in) the forward also refreshes its saved values.
    ``output``: for an op whose forward takes ``out=``, the workspace's ``output``, which
    gives the array to write the result into."""
    if output is None:
        data = op.forward(ctx, *_arrays(inputs), **attrs)
    else:
        data = op.forward(ctx, *_arrays(inputs), out=output(out), **attrs)
    out._data = data if type(data) is np.ndarray else np.asarray(data)
    if ctx is out:
        out._out_version = out._version[0]


def bind_attr(attrs: dict, key: str, items: list, sources: dict, in_tuple: bool) -> None:
    """Set ``attrs[key]`` from the current arrays of the tensors ``sources`` maps positions
    of ``items`` to (an index made of a traced tensor's values), before the op's forward
    step reads the same dict (as its node's backward does)."""
    for position, tensor in sources.items():
        items[position] = tensor._data
    attrs[key] = tuple(items) if in_tuple else items[0]


def backward(node, slots: list, grad: int, outs: tuple, buffers=None) -> None:
    """One node's backward rule, from the gradient in ``slots[grad]`` into ``outs``.
    ``buffers``: for an op whose backward takes ``out=``, what gives the arrays to write
    the input gradients into (``Workspace.keep`` or ``gradients``)."""
    g = slots[grad]
    if not node.on_arrays:  # a custom op's rule takes Tensors
        g = node.inputs[0]._constant(g)
    if buffers is None:
        grads = node._op.backward(node, g)
    else:
        grads = node._op.backward(node, g, out=buffers())
    if type(grads) is not tuple:
        grads = tuple(grads) if isinstance(grads, list) else (grads,)
    for slot, value in zip(outs, grads):
        if slot is not None:
            slots[slot] = value


def fit(slots: list, source: int, target: int, x, node, buffer=None) -> None:
    """A gradient summed back to its input's shape and dtype (the engine's own function),
    or, where the trace saw a sum alone, summed into the array ``buffer`` gives."""
    if buffer is None:
        slots[target] = _fit_to_input(slots[source], x, node, True)
    else:
        slots[target] = sum_to_array(slots[source], x._data.shape, out=buffer())


def add(slots: list, a: int, b: int, target: int, buffer=None) -> None:
    """Two gradients of one tensor, added as the engine adds them (into the array
    ``buffer`` gives, ``Workspace.keep``, if the sum is not small)."""
    if buffer is None:
        slots[target] = _sum(slots[a], slots[b])
    else:
        slots[target] = np.add(slots[a], slots[b], out=buffer())


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


def accumulate(t, slots: list, grad: int, exits: list, index: int, copy=None, sums=None) -> None:
    """Add a gradient into ``t.grad`` through the pass's exit (the engine's own function).
    ``copy``: where the exit copied it in the trace (a view), the buffer to copy it into
    first (``Workspace.keep``), which the exit then hands out as it is. ``sums``: where
    ``t.grad`` already holds a gradient (a second backward pass, or a call without
    ``zero_grad``), the sum goes into one of two buffers (``Workspace.alternate``) and is
    handed out, where the engine makes a new array."""
    g = slots[grad]
    if sums is not None and t.grad is not None:
        sum_, hand_out = sums
        t.grad = t._constant(hand_out(np.add(t.grad._data, g, out=sum_())))
        return
    if copy is not None:
        array = copy()
        np.copyto(array, g)
        g = array
    _accumulate(t, g, exits[index], True)
