"""The backward pass: reverse-mode accumulation over the recorded graph.

``run_backward`` walks the graph from the roots towards the leaves in reverse topological
order with nothing counted first: each node has the sequence number of its creation, higher
than its inputs', so taking the reached node of the highest number next (a heap) handles a
tensor only after all its consumers handed it their gradients, which add up. A chain of a
million ops needs no recursion (the heap holds the frontier). For each node it calls the
op's ``backward`` rule, then fits each returned gradient to its input (``_fit_to_input``):
the one place where broadcasting is undone (``sum_to``) and shape and dtype are checked.

Without ``create_graph`` the gradients flowing through the graph are raw numpy arrays: the
rules of built-in ops run on arrays (``Function.backward_on_arrays``; a custom op's rule gets
Tensors in no-grad mode), no Tensor is made until a gradient reaches a ``.grad``, and each
node's saved buffers are released after use (unless ``retain_graph``). With it, the
gradients are Tensors and the rules record a graph of their own, which is what makes
gradients differentiable.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np

from .anomaly import AnomalyMode, backward_phase, check_backward
from .arguments import to_array
from .errors import GraphError, ShapeError
from .grad_mode import set_grad_enabled
from .gradient_exit import GradientExit
from .ops._dual import sum_to
from .versions import check_inputs_unmodified, versions_of


def root_gradient(output, grad, op: str):
    """The gradient a backward pass starts from: ``grad``, or 1 for a one-element output.

    A Tensor ``grad`` is used as it is (it may itself require grad); anything else is copied
    into a new array of the output's dtype. ``op`` names the caller in errors.
    """
    if grad is None:
        if output.size != 1:
            raise GraphError(
                f"{op}: a gradient can be implied only for a one-element output; this one has "
                f"shape {output.shape}: pass a gradient of that shape"
            )
        return output._constant(np.ones(output.shape, dtype=output.dtype))
    if not hasattr(grad, "_data"):
        grad = output._constant(np.array(to_array(grad, op, output.dtype)))
    elif grad.dtype != output.dtype:
        grad = grad.astype(output.dtype)
    if grad.shape != output.shape:
        raise ShapeError(
            f"{op}: the gradient has shape {grad.shape} but the output has shape {output.shape}"
        )
    return grad


_RAW = (np.ndarray, np.generic, float, int)  # what a custom op's backward may return


def _fit_to_input(grad, x, node, on_arrays: bool):
    """Sum a gradient back to its input's shape and dtype, and check the result.

    ``on_arrays``: the gradient is made an array (numpy returns scalars for 0-d results,
    and a custom op's rule returns Tensors); otherwise a Tensor.
    """
    if on_arrays:
        if type(grad) is not np.ndarray:
            grad = np.asarray(getattr(grad, "_data", grad))
    elif isinstance(grad, _RAW):
        grad = x._constant(grad)
    shape = x._data.shape
    if grad.shape != shape:
        try:
            grad = sum_to(grad, shape)
        except ShapeError:
            raise GraphError(
                f"{node.describe()}: backward returned a gradient of shape {grad.shape} for an "
                f"input of shape {x.shape}; it must have the input's shape or broadcast to it"
            ) from None
    if grad.dtype != x._data.dtype:
        grad = grad.astype(x._data.dtype)
    return grad


def run_backward(
    roots: Sequence,
    root_grads: Sequence,
    *,
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence | None = None,
) -> list | None:
    """Backpropagate ``root_grads`` from ``roots``.

    With ``inputs=None`` the gradients accumulate into the ``.grad`` of the leaves (and of
    tensors that called ``retain_grad()``); otherwise the total gradient of each tensor in
    ``inputs`` is returned (None for one the roots do not depend on) and no ``.grad`` changes.
    """
    on_arrays = not create_graph
    wanted = None if inputs is None else {id(t): None for t in inputs}
    exit_ = GradientExit(foreign=[g._data for g in root_grads])
    grads: dict[int, object] = {}  # arrays on arrays, else Tensors
    leaves: dict[int, object] = {}
    found: set[int] = set()  # the tensors met so far, each queued (or a leaf) once
    queue: list = []  # (-sequence number, node): the node made last comes out first
    for root, grad in zip(roots, root_grads):
        grad = grad._data if on_arrays else grad
        previous = grads.get(id(root))  # the same root twice: one node, both gradients
        grads[id(root)] = grad if previous is None else previous + grad
        _meet(root, found, queue, leaves)
    with set_grad_enabled(create_graph):
        while queue:
            t = heapq.heappop(queue)[1]
            key = id(t)
            grad = grads.pop(key, None)
            if wanted is not None and key in wanted:
                wanted[key] = grad
            elif t._retains_grad and grad is not None:
                _accumulate(t, grad, exit_, on_arrays)
            input_grads = _backward_node(t, grad, retain_graph, on_arrays)
            for x, gx in zip(t.inputs, input_grads):
                if not x._requires_grad:
                    continue
                key = id(x)
                if gx is not None:
                    if type(gx) is not np.ndarray or gx.shape != x.shape or gx.dtype != x.dtype:
                        gx = _fit_to_input(gx, x, t, on_arrays)  # not already an exact fit
                    previous = grads.get(key)
                    grads[key] = gx if previous is None else _sum(previous, gx)
                if key not in found:  # _meet, inlined: a call per edge costs ~2% on W3
                    found.add(key)
                    if x._op is None:
                        leaves[key] = x
                    else:
                        heapq.heappush(queue, (-x._seq, x))
        _deliver_to_leaves(leaves, grads, wanted, exit_, on_arrays)
    if inputs is None:
        return None
    found = [wanted[id(t)] for t in inputs]
    owned = [None if g is None else exit_.own(g) for g in found]
    return [g if g is None or not on_arrays else t._constant(g) for t, g in zip(inputs, owned)]


def _meet(t, found: set, queue: list, leaves: dict) -> None:
    """Queue a tensor the walk reached, once: a node by its sequence number, a leaf aside."""
    if id(t) not in found:
        found.add(id(t))
        if t._op is None:
            leaves[id(t)] = t
        else:
            heapq.heappush(queue, (-t._seq, t))


def _backward_node(node, grad, retain_graph: bool, on_arrays: bool) -> tuple:
    """Apply one node's backward rule (no gradient arrived: None for every input).

    ``on_arrays``: ``grad`` is an array; a rule that cannot run on arrays gets it as a Tensor.
    """
    if node.saved is None:  # released
        raise GraphError(
            f"{node.describe()}: trying to backward through the graph a second time, but its "
            "saved buffers were freed by the first backward(); pass retain_graph=True to the "
            "first backward() (or grad()) if you need to backward twice"
        )
    if grad is None:
        return (None,) * len(node.inputs)
    if node._versions is not None and node._versions != versions_of(node.inputs):
        check_inputs_unmodified(node)  # raises, naming the input that changed
    node.on_arrays = on_arrays and node._op.backward_on_arrays
    if on_arrays and not node.on_arrays:
        grad = node.inputs[0]._constant(grad)
    anomaly = AnomalyMode.enabled
    if anomaly:
        with backward_phase():
            input_grads = node._op.backward(node, grad)
    else:
        input_grads = node._op.backward(node, grad)
    if type(input_grads) is not tuple:
        input_grads = tuple(input_grads) if isinstance(input_grads, list) else (input_grads,)
    if len(input_grads) != len(node.inputs):
        raise GraphError(
            f"{node.describe()}: backward returned {len(input_grads)} gradient(s) for "
            f"{len(node.inputs)} input(s); return one per input (None where there is none)"
        )
    if anomaly:
        check_backward(node, grad, input_grads)
    if not retain_graph:
        node.saved = None  # released (Context.release)
    return input_grads


def _sum(a, b):
    """Two gradients of one tensor, added (a seam of its own, so a compiled trace sees it)."""
    return a + b


def _deliver_to_leaves(
    leaves: dict, grads: dict, wanted: dict | None, exit_: GradientExit, on_arrays: bool
) -> None:
    """Accumulate into leaves' ``.grad``, or collect the gradients ``grad()`` asked for."""
    for key, leaf in leaves.items():
        grad = grads.get(key)
        if grad is None:
            continue
        if wanted is not None:
            if key in wanted:
                wanted[key] = grad
            continue
        _accumulate(leaf, grad, exit_, on_arrays)


def _accumulate(t, grad, exit_: GradientExit, on_arrays: bool) -> None:
    """Add ``grad`` to ``t.grad``: the first gradient through the exit (gradient_exit.py),
    a later one into a new sum, so no ``.grad`` ever shares memory with anything else."""
    if t.grad is None:
        grad = exit_.own(grad)
        t.grad = t._constant(grad) if on_arrays else grad
    else:
        t.grad = t.grad + (t._constant(grad) if on_arrays else grad)
