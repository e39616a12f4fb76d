"""``Context``: the graph-node side of a tensor an op made, as the op's ``backward`` sees it.

``Function.apply`` (``function.py``) makes an op's output tensor its graph node: the node's
fields are slots of ``Tensor``, which derives from ``Context`` for the methods a backward
rule calls on ``ctx`` (``saved``, ``operands``, ``output()``, ``constant()``, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import GraphError
from .grad_mode import GradMode

if TYPE_CHECKING:
    from .function import Function

# A node's fields, slots of Tensor: Function.apply sets them on the tensor an op made while
# recording; on any other tensor _op is None and the rest are unset.
NODE_SLOTS = ("_op", "inputs", "attrs", "saved", "on_arrays", "_seq", "_versions", "_out_version")
NODE_SLOTS += ("_trace",)  # set only under detect_anomaly()


class Context:
    """The graph-node side of a tensor an op made: what the op's ``backward`` needs to know
    about its call. ``Tensor`` derives from it; the fields are Tensor slots, set by
    ``Function.apply``: ``_op`` (the op class), ``inputs``, ``attrs``, ``saved``,
    ``on_arrays`` (set by the engine: this backward runs on raw arrays), ``_seq``,
    ``_versions`` (the inputs' versions at forward time), ``_out_version`` and ``_trace``
    (where the node was created, set under ``detect_anomaly()`` only)."""

    __slots__ = ()
    _made_by_ops: type  # the class of an op's output: Tensor (set in tensor.py)

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep raw arrays (masks, index arrays, counts) for ``backward`` as constants."""
        self.saved = arrays

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether it wants a gradient (a rule skips the others)."""
        return tuple([t._requires_grad for t in self.inputs])

    @property
    def operands(self) -> tuple:
        """The inputs as the rule computes with them: arrays on arrays, else the Tensors."""
        return _arrays(self.inputs) if self.on_arrays else self.inputs

    def output(self):
        """The op's output, for rules such as d(exp x)/dx = exp x.

        Without ``create_graph`` this is the node's own value (as an array when the rule
        runs on arrays; no copy). Under ``create_graph`` the output must itself be
        differentiable, so the op is applied once more to its inputs.
        """
        if self._version[0] != self._out_version:
            raise GraphError(
                f"{self.describe()}: its output was modified in place after the forward pass, "
                "but backward needs the original values; modify a copy instead "
                "(y = y * 1.0 makes one), or recompute the forward pass"
            )
        if self.on_arrays:
            return self._data
        if GradMode.enabled:
            return self._op.apply(*self.inputs, **self.attrs)
        return self.constant(self._data)

    def buffer(self, name: str, shape: tuple[int, ...], *like: Any) -> np.ndarray | None:
        """An array of ``shape``, of the dtype numpy gives an op on ``like`` (arrays or
        dtypes), for this node to write its result ``name`` into (numpy's ``out=``); or
        None, and numpy allocates, as it always does outside a compiled replay. A replay
        (``compiler/workspace.py``) lends the same array each time, so a kernel that asks
        runs on preallocated memory; the values are the same either way, since the same
        kernel computes them."""
        lend = Lending.lend
        return None if lend is None else lend(self, name, shape, like)

    def constant(self, value: Any):
        """``value`` as a constant operand (e.g. a zero for ``where``): a Tensor that requires
        no grad, or the array itself when the rule runs on arrays."""
        if self.on_arrays:
            return np.asarray(value)
        return self.inputs[0]._constant(value)

    def release(self) -> None:
        """Drop the buffers saved for backward (``saved`` becomes None: released); the
        node's structure stays for rendering."""
        self.saved = None

    def describe(self) -> str:
        """The op's name with its input shapes, for error messages: ``mul((2, 3), (3,))``."""
        return describe(self._op, self.inputs)


class Lending:
    """Where a compiled replay lends arrays to ``Context.buffer`` (its workspace's ``lend``);
    None otherwise, so asking costs an op one attribute read."""

    lend = None


class _NotRecorded:
    """Stands in for the context when no node is recorded (``Function.apply`` under
    ``no_grad``, ``compute`` on arrays): saving is a no-op, and a compiled replay lends
    buffers by the order of the requests (``compiler/workspace.py``)."""

    __slots__ = ()

    def save_for_backward(self, *arrays: Any) -> None:
        pass

    def buffer(self, name: str, shape: tuple[int, ...], *like: Any) -> np.ndarray | None:
        lend = Lending.lend
        return None if lend is None else lend(None, name, shape, like)


_NOT_RECORDED = _NotRecorded()


def describe(op: type[Function], inputs: tuple) -> str:
    """``mul((2, 3), (3,))``: an op's name with its input shapes."""
    return f"{op.name()}({', '.join(str(t.shape) for t in inputs)})"


def _arrays(tensors: tuple) -> tuple:
    """The tensors' arrays. Spelled out for one and two tensors, the usual cases: on Python
    3.11 a comprehension costs about as much as a numpy op on a small array."""
    if len(tensors) == 1:
        return (tensors[0]._data,)
    if len(tensors) == 2:
        return (tensors[0]._data, tensors[1]._data)
    return tuple([t._data for t in tensors])
