"""Tracing: run a function once, eagerly, and write down every kernel it executes.

While a trace records, ``Function.apply`` reports each op it runs (its forward kernel) to
the recorder (``function.Tracing``), and a few seams of the library are wrapped for the
tracing thread (other threads go straight through to the originals): the engine's
per-node helpers (``_backward_node``, ``_fit_to_input``, ``_sum``, ``_accumulate``,
``_deliver_to_leaves``), ``Tensor.zero_grad`` (recorded as an effect), ``Tensor.__init__``
(to know which tensors the function made) and the Tensor methods that turn a value into
Python (``.data``, ``.item()``, ``bool()``, ...). The wrappers call the original and
append a step (``steps.py``) that repeats the call. Eager code pays one attribute read per
op for this: the seams are plain functions again as soon as the trace ends.

Values are followed by identity: a tensor made by a recorded op, or a gradient array a
recorded step returned, is known, and a later step that uses it reads it from the same
place on replay. Everything the trace does not know is a constant of the trace (a parameter
tensor is read afresh, since its ``_data`` is read at each replay; a lifted Python number is
kept as it was).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import engine
from ..context import _NOT_RECORDED
from ..errors import TraceError
from ..function import Function, Tracing
from ..tensor import Tensor
from . import steps, workspace
from .workspace import Workspace

_LOCK = threading.Lock()  # one trace at a time: the seams are shared by the whole process
_ACTIVE: Recorder | None = None

# Tensor methods that hand a value to Python: a branch or a number computed from them would
# be fixed at the trace's values, so inside a trace they raise instead.
_VALUE_READS = ("__bool__", "__float__", "__int__", "__array__", "item", "tolist", "numpy")


def active() -> Recorder | None:
    """The recorder tracing on this thread, unless it is paused (inside an effect)."""
    recorder = _ACTIVE
    if recorder is None or recorder.thread != threading.get_ident() or recorder.paused:
        return None
    return recorder


class Recorder:
    """The steps of one trace, and what it knows about the values they pass."""

    def __init__(self, name: str, placeholders: list[Tensor]) -> None:
        self.name = name
        self.thread = threading.get_ident()
        self.paused = 0
        self.tape: list[functools.partial] = []
        self.slots: list[Any] = []  # one per gradient array (trace values, kept alive)
        self.slot_of: dict[int, int] = {}  # id(array) -> its slot
        self.exits: list[Any] = []
        self.exit_of: dict[int, int] = {}
        self.placeholders = placeholders
        self.aliases: list[list[Tensor]] = [[] for _ in placeholders]
        self.traced: dict[int, Tensor] = {id(t): t for t in placeholders}  # made in the trace
        self.owner: dict[int, Tensor] = {id(t._data): t for t in placeholders}  # array -> tensor
        self.grad_of: dict[int, Tensor] = {}  # id(a .grad the trace delivered) -> its tensor
        self.created: dict[int, Tensor] = {}  # tensors constructed inside the trace
        # id -> (tensor, shape, dtype, strides): the tensors ops read that the trace did not
        # make (parameters): a replay needs them in the same shapes, dtypes and layouts
        self.constants: dict[int, tuple] = {}
        self.kept: list[Any] = []  # more objects whose ids are keys above, kept alive
        self.workspace = Workspace(self.traced)  # the buffers its replays write into

    # ------------------------------------------------------------------ forward
    def forward(self, op: type[Function], inputs: tuple, attrs: dict, out: Tensor) -> None:
        """Record one op's forward kernel (``Function.apply`` just ran it)."""
        for x in inputs:
            if id(x) not in self.traced:
                self._adopt(x, op)
        self._bind_attrs(op, attrs)
        output = None  # a buffer for the result, unless it is an input's own array (astype)
        if _buffered(op.forward, out._data) and all(out._data is not x._data for x in inputs):
            order = workspace.axis_order(out._data)
            output = self.workspace.output
            if order is not None:  # laid out as numpy laid the value out (workspace.py)
                output = functools.partial(output, order=order)
        ctx = out if out._op is op else _NOT_RECORDED  # the output is the op's graph node
        self.tape.append(functools.partial(steps.forward, op, ctx, inputs, attrs, out, output))
        self.traced[id(out)] = out
        self.owner[id(out._data)] = out

    def _adopt(self, x: Tensor, op: type[Function]) -> None:
        """A tensor the trace did not make: an alias of an argument (``Tensor(x)``, rebound
        at each replay with it), or a constant of the trace (parameters are read afresh)."""
        for i, placeholder in enumerate(self.placeholders):
            if x._data is placeholder._data:
                self.aliases[i].append(x)
                self.traced[id(x)] = x
                return
            if np.may_share_memory(x._data, placeholder._data):
                raise TraceError(
                    f"{self.name}: {op.name()} gets a tensor that views argument {i} but was "
                    "made outside an op (e.g. Tensor(x.data[1:])), so a replay would see the "
                    "first call's values; index the argument itself (x[1:])"
                )
        if id(x) not in self.constants:
            self.constants[id(x)] = (x, x._data.shape, x._data.dtype, x._data.strides)

    def _bind_attrs(self, op: type[Function], attrs: dict) -> None:
        """Record how a replay rebuilds an op attribute that holds a traced tensor's array
        (an index: ``x[i]`` with ``i`` an argument, or ``x[t.argmax(1)]``): from the
        tensor's value at that point of the replay. An array that only shares memory with
        one would keep the first call's values, and a boolean mask would select a number of
        elements that depends on them: both are refused."""
        for key, value in attrs.items():
            items = list(value) if isinstance(value, tuple) else [value]
            sources = {}
            for position, item in enumerate(items):
                if not isinstance(item, np.ndarray):
                    continue
                owner = self.owner.get(id(item))
                if owner is not None and owner._data is item and item.dtype != np.bool_:
                    sources[position] = owner
                elif owner is not None or any(
                    np.may_share_memory(item, t._data) for t in self.traced.values()
                ):
                    raise TraceError(_unbindable(self.name, op, key, item))
            if sources:
                in_tuple = isinstance(value, tuple)
                self.tape.append(
                    functools.partial(steps.bind_attr, attrs, key, items, sources, in_tuple)
                )

    # ------------------------------------------------------------------ backward
    def backward_node(self, node, grad, retain_graph: bool, on_arrays: bool) -> tuple:
        if not on_arrays:
            raise TraceError(
                f"{self.name}: backward(create_graph=True) cannot be compiled; compute "
                "higher-order gradients eagerly"
            )
        with self.pause():
            input_grads = _ORIGINALS["_backward_node"](node, grad, retain_graph, on_arrays)
        if grad is None:
            return input_grads
        source = self.source(grad)
        outs = tuple(None if g is None else self.new_slot(g) for g in input_grads)
        rule = node._op.backward
        specs = tuple(
            ((id(node), i), g.shape, g.dtype, workspace.axis_order(g))
            if g is not grad and _buffered(rule, g)
            else None
            for i, g in enumerate(input_grads)
        )
        buffers = None
        if len(specs) == 1 and specs[0]:  # a one-input op's out is one array, as its gradient
            buffers = functools.partial(self.workspace.keep, *specs[0])
        elif any(specs):
            buffers = functools.partial(self.workspace.gradients, specs)
        step = functools.partial(steps.backward, node, self.slots, source, outs, buffers)
        self.tape.append(step)
        return input_grads

    def fit_to_input(self, grad, x, node, on_arrays: bool):
        with self.pause():
            fitted = _ORIGINALS["_fit_to_input"](grad, x, node, on_arrays)
        if fitted is not grad:
            source = self.source(grad)
            target = self.new_slot(fitted)
            buffer = self._kept((-3, target), fitted) if _summed(grad, fitted) else None
            step = functools.partial(steps.fit, self.slots, source, target, x, node, buffer)
            self.tape.append(step)
        return fitted

    def sum(self, a, b):
        with self.pause():
            total = _ORIGINALS["_sum"](a, b)
        first, second = self.source(a), self.source(b)
        target = self.new_slot(total)
        buffer = self._kept((-2, target), total) if _own(total) else None
        self.tape.append(functools.partial(steps.add, self.slots, first, second, target, buffer))
        return total

    def deliver_to_leaves(self, leaves, grads, wanted, exit_, on_arrays: bool) -> None:
        if wanted is not None:
            raise TraceError(
                f"{self.name}: autograd_lite.grad() cannot be compiled; call backward() "
                "and read the .grad of the leaves"
            )
        _ORIGINALS["_deliver_to_leaves"](leaves, grads, wanted, exit_, on_arrays)

    def accumulate(self, t, grad, exit_, on_arrays: bool) -> None:
        index = self.exit_of.get(id(exit_))
        if index is None:  # the pass's first gradient out: open its exit on replay too
            index = self.exit_of[id(exit_)] = len(self.exits)
            self.exits.append(None)
            self.kept.append(exit_)
            foreign = tuple(self.source(a) for a in exit_._taken.values())
            hand_out = self.workspace.hand_out
            self.tape.append(
                functools.partial(steps.open_exit, self.exits, index, self.slots, foreign, hand_out)
            )
        source = self.source(grad)
        if t.grad is None and (id(t) in self.created or id(t) in self.traced):
            # a tensor made inside the function starts each eager call with no .grad: so
            # does each replay (from its start, so the .grad of the last one is let go of
            # before a backward rule asks for the buffer it was handed out from)
            self.tape.insert(0, functools.partial(steps.clear_grad, t))
        first = t.grad is None
        with self.pause():
            _ORIGINALS["_accumulate"](t, grad, exit_, on_arrays)
        self.grad_of[id(t.grad)] = t
        self.kept.append(t.grad)
        copy = sums = None
        if type(grad) is np.ndarray and _own(t.grad._data):
            if first and t.grad._data is not grad:  # the exit copied it (a view): a replay
                copy = self._kept((id(t), "grad"), t.grad._data)  # copies into a buffer
            layout = t.grad.shape, t.grad.dtype, workspace.axis_order(t.grad._data)
            sums = (  # a replay that finds a .grad sums it into one of two buffers
                functools.partial(self.workspace.alternate, (id(t), "sum"), *layout),
                self.workspace.hand_out,
            )
        step = functools.partial(steps.accumulate, t, self.slots, source, self.exits, index)
        self.tape.append(functools.partial(step, copy, sums))

    # ------------------------------------------------------------------ values
    def _kept(self, key: tuple, value: np.ndarray) -> functools.partial:
        """What gives a replay the buffer ``key``, shaped like the trace's ``value``."""
        order = workspace.axis_order(value)
        return functools.partial(self.workspace.keep, key, value.shape, value.dtype, order)

    def new_slot(self, value: Any) -> int:
        """A slot for an array a step returns; later steps find it by identity."""
        self.slots.append(value)
        self.slot_of[id(value)] = len(self.slots) - 1
        return len(self.slots) - 1

    def source(self, array: Any) -> int:
        """The slot a step reads ``array`` from: a gradient slot; a traced tensor's value,
        loaded into a slot at this point; or a constant of the trace, kept in its slot."""
        found = self.slot_of.get(id(array))
        if found is not None:
            return found
        tensor = self.owner.get(id(array))
        slot = len(self.slots)
        self.slots.append(array)
        if tensor is not None:  # re-read from the tensor each replay
            self.tape.append(functools.partial(steps.load, self.slots, tensor, slot))
        else:
            self.slot_of[id(array)] = slot  # a constant: the trace's own array
        return slot

    def effect(self, fn, args: tuple) -> Any:
        """Run a state update now and on every replay (``compiler.effect``)."""
        with self.pause():
            result = fn(*args)
        self.tape.append(functools.partial(fn, *args))
        return result

    @contextlib.contextmanager
    def pause(self) -> Iterator[None]:
        """Record nothing inside (the engine's helpers and effects record as one step)."""
        self.paused += 1
        try:
            yield
        finally:
            self.paused -= 1

    def check_read(self, what: str) -> None:
        """Refuse to hand a value to Python inside the trace (see ``_VALUE_READS``)."""
        raise TraceError(
            f"{self.name}: {what} reads a tensor's values while the function is traced; a "
            "compiled function replays only its tensor work, so a Python value (a branch, a "
            "number, an array computed outside an op) would keep the first call's value. "
            "Return the tensor and read it outside, or do the work with tensor ops"
        )


def _own(value: Any) -> bool:
    """Whether ``value`` is an array of its own (not a view) and not small (``SMALL_BYTES``):
    what a replay can keep a buffer for."""
    return (
        type(value) is np.ndarray and value.base is None and value.nbytes >= workspace.SMALL_BYTES
    )


def _buffered(method: Callable, value: Any) -> bool:
    """Whether a replay gives an op's ``method`` (forward or backward) a buffer for
    ``value`` (its result, or a gradient it made): ``method`` has an ``out`` parameter."""
    return _own(value) and _takes_out(method)


def _summed(grad: Any, fitted: Any) -> bool:
    """Whether the engine fitted ``grad`` to its input by a sum over broadcast axes alone
    (no cast): a replay sums into a buffer."""
    return type(grad) is np.ndarray and _own(fitted) and fitted.dtype == grad.dtype


@functools.cache
def _takes_out(method: Callable) -> bool:
    return "out" in inspect.signature(method).parameters


# ---------------------------------------------------------------------- the seams
_ENGINE_SEAMS = {
    "_backward_node": "backward_node",
    "_fit_to_input": "fit_to_input",
    "_sum": "sum",
    "_deliver_to_leaves": "deliver_to_leaves",
    "_accumulate": "accumulate",
}
_ORIGINALS: dict[str, Any] = {name: getattr(engine, name) for name in _ENGINE_SEAMS}
_ORIGINAL_DATA = Tensor.__dict__["data"]
_ORIGINAL_ZERO_GRAD = Tensor.__dict__["zero_grad"]
_ORIGINAL_INIT = Tensor.__dict__["__init__"]
# the value reads come from Tensor itself or its mixins; the seam shadows them on Tensor
_ORIGINAL_VALUE_READS = {name: getattr(Tensor, name) for name in _VALUE_READS}
_OWN_VALUE_READS = {name for name in _VALUE_READS if name in Tensor.__dict__}


def _engine_seam(name: str, method: str):
    original = _ORIGINALS[name]

    def seam(*args):
        recorder = active()
        if recorder is None:
            return original(*args)
        return getattr(recorder, method)(*args)

    return seam


def _record_op(op, inputs: tuple, attrs: dict, out) -> None:
    recorder = active()
    if recorder is not None:
        recorder.forward(op, inputs, attrs, out)


def _value_read(name: str):
    original = _ORIGINAL_VALUE_READS[name]

    def read(self, *args, **kwargs):
        recorder = active()
        if recorder is not None:
            recorder.check_read(f"{name}()" if not name.startswith("__") else name)
        return original(self, *args, **kwargs)

    return read


def _traced_init(self, *args, **kwargs) -> None:
    _ORIGINAL_INIT(self, *args, **kwargs)
    recorder = active()
    if recorder is not None:
        recorder.created[id(self)] = self


def _traced_zero_grad(self) -> None:
    recorder = active()
    if recorder is None:
        _ORIGINAL_ZERO_GRAD(self)
    else:
        recorder.effect(_ORIGINAL_ZERO_GRAD, (self,))


def _data_read(self):
    recorder = active()
    if recorder is not None:
        recorder.check_read(".data")
    return _ORIGINAL_DATA.fget(self)


@contextlib.contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Install the seams for ``recorder`` (one trace in the process at a time)."""
    global _ACTIVE
    if active() is not None:
        raise TraceError(f"{recorder.name}: a compiled function cannot run inside another's trace")
    with _LOCK:
        _ACTIVE = recorder
        for name, method in _ENGINE_SEAMS.items():
            setattr(engine, name, _engine_seam(name, method))
        Tracing.record = _record_op
        Tensor.zero_grad = _traced_zero_grad
        Tensor.__init__ = _traced_init
        for name in _VALUE_READS:
            setattr(Tensor, name, _value_read(name))
        Tensor.data = property(_data_read, _ORIGINAL_DATA.fset, doc=_ORIGINAL_DATA.__doc__)
        try:
            yield recorder
        finally:
            for name in _ENGINE_SEAMS:
                setattr(engine, name, _ORIGINALS[name])
            Tracing.record = None
            Tensor.zero_grad = _ORIGINAL_ZERO_GRAD
            Tensor.__init__ = _ORIGINAL_INIT
            for name in _VALUE_READS:
                if name in _OWN_VALUE_READS:
                    setattr(Tensor, name, _ORIGINAL_VALUE_READS[name])
                else:
                    delattr(Tensor, name)
            Tensor.data = _ORIGINAL_DATA
            _ACTIVE = None


def _unbindable(name: str, op: type[Function], key: str, item: np.ndarray) -> str:
    """Why an op attribute computed from the traced function's tensors cannot be replayed."""
    if item.dtype == np.bool_:
        return (
            f"{name}: {op.name()}'s {key} is a boolean mask from a tensor of the traced "
            "function: the number of elements it selects depends on the values, which a "
            "replay cannot follow; use where(mask, x, 0), or index with integer arrays"
        )
    return (
        f"{name}: {op.name()}'s {key} is an array computed from a tensor of the traced "
        "function outside an op (a numpy view or copy), so a replay would keep the first "
        "call's values; pass the tensor itself, or compute it with tensor ops"
    )
