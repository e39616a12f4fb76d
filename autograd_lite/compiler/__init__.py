"""``compile``: trace a training step once, then replay its numpy kernels with no graph.

>>> import numpy as np
>>> from autograd_lite import Tensor, compile
>>> w = Tensor([1.0, -2.0], requires_grad=True)
>>> @compile
... def step(x):
...     w.zero_grad()
...     loss = (w * x).sum()
...     loss.backward()
...     return loss
>>> step(np.array([3.0, 4.0]))  # the first call runs eagerly and records
Tensor(-5.)
>>> step(np.array([1.0, 1.0])), w.grad  # later calls replay it, detached from any graph
(Tensor(-1.), Tensor([1. 1.]))

The first call with given argument shapes and dtypes runs the function eagerly and records
the flat sequence of kernels its forward pass, backward pass and state updates executed
(``recorder.py``); later calls bind the new arguments and replay that sequence
(``steps.py``): the same kernels in the same order, so the results are bit for bit those
of eager execution, without the graph bookkeeping. This is the contract of tinygrad's
``TinyJit`` and of CUDA graphs:

- The function's *tensor work* must not depend on tensor values. Reading a value into
  Python inside the trace (``bool(t)``, ``t.item()``, ``float(t)``, ``t.data``,
  ``np.asarray(t)``, ``t.numpy()``, ``t.tolist()``) raises ``TraceError``, so a Python
  branch on a value is caught; so are an op attribute or a tensor that views an argument
  but was computed outside an op. An index array (``w[i]`` with ``i`` an argument, or
  ``w[t.argmax(1)]``) is read afresh on every replay; a boolean mask computed from the
  function's tensors selects a value-dependent number of elements and raises
  ``TraceError`` (use ``where``). Not caught: Python state outside tensors (a flag, a
  counter, ``model.train()``/``eval()``, a value read before the call): it is fixed at the
  trace. Python side effects (``print``, appending to a list) happen on the first call only.
- Arguments that are numpy arrays or Tensors (not requiring grad) are the inputs: a new
  shape, dtype or memory layout (C order, Fortran order, other strides: numpy's results
  follow it, and a sum adds in memory order) traces again (each signature keeps its own
  trace, up to ``max_traces``, the least recently used dropped first); any other argument
  is part of the signature by value (it must be hashable). Parameters and buffers reached
  through closures (a model, an optimizer) are read afresh on every replay.
- State changes happen on every replay when they go through ``effect``: ``optimizer.step()``
  and ``zero_grad()``, ``model.zero_grad()``, ``t.zero_grad()``, a scheduler's ``step()``,
  BatchNorm's running statistics. Dropout draws
  a new mask from its generator on every replay (its draw is part of its op). Setting
  ``p.grad = None`` by hand inside the function is not replayed; use ``zero_grad()``.
- Results are returned as the function returned them, with each tensor computed inside
  the function detached (a replay builds no graph; the first call's too); a ``.grad``
  returned is the tensor's current ``.grad``.
- Buffers: a replay writes the results and gradients of ops into arrays it keeps
  (``workspace.py``): ops whose ``forward``/``backward`` take ``out=`` or whose kernels ask
  ``ctx.buffer(...)``. Every built-in op does but indexing with a boolean mask or with
  index arrays on axes apart (``docs/compile.md``), so a training step made of them, with
  ``optim``'s optimizers, allocates no array of 1 KiB or more once traced (smaller ones
  come from numpy's cache of small blocks). Buffers take the layout their values had in the trace.
  A result or ``.grad`` you keep is never overwritten: while it lives, the next replay
  writes into a new buffer. A parameter whose shape, dtype or memory layout changed since
  the trace makes the function trace again.
- Not compiled: ``backward(create_graph=True)``, ``autograd_lite.grad()``, nesting a
  compiled function in another's trace (each raises ``TraceError``),
  ``nn.utils.clip_grad_norm_`` (it reads the gradients' norm into Python: a ``TraceError``;
  clip outside the compiled function) and ``detect_anomaly`` (whose checks run at the
  trace only). A compiled function runs one call at a time (a lock guards it).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from ..context import Lending
from ..errors import AutogradError, DTypeError, TraceError
from ..function import _NUMPY_ERRORS, _translate
from ..grad_mode import GradMode, no_grad
from ..tensor import Tensor
from . import steps
from .recorder import Recorder, active, recording
from .workspace import Workspace

__all__ = ["Compiled", "compile", "effect"]


def effect(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` now and, inside a compiled function, again on every replay.

    For state updates that are not ops: an optimizer step, clearing gradients, a running
    average. ``fn`` must read its tensors' values when called (``t.data``), not capture
    arrays from before.
    """
    recorder = active()
    return fn(*args) if recorder is None else recorder.effect(fn, args)


def compile(fn: Callable[..., Any] | None = None, *, max_traces: int = 8) -> Any:  # noqa: A001
    """Compile ``fn`` (see the module docstring); usable as a decorator, also as
    ``@compile(max_traces=...)``.

    ``max_traces`` bounds the traces kept, one per argument signature: past it the least
    recently used one is dropped (with its buffers) and traces again if called again, so
    calls with ever new shapes do not grow memory without end.
    """
    if isinstance(max_traces, bool) or not isinstance(max_traces, int) or max_traces < 1:
        raise ValueError(f"compile: max_traces must be a positive int, got {max_traces!r}")
    if fn is None:
        return functools.partial(compile, max_traces=max_traces)
    if not callable(fn):
        raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
    return Compiled(fn, max_traces)


class Compiled:
    """A function that traces itself once per argument signature and then replays."""

    def __init__(self, fn: Callable[..., Any], max_traces: int = 8) -> None:
        self.fn = fn
        self.name = f"compile({getattr(fn, '__qualname__', type(fn).__name__)})"
        self.max_traces = max_traces
        self.traces: OrderedDict[tuple, _Trace] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if active() is not None:
            raise TraceError(f"{self.name}: a compiled function cannot run inside another's trace")
        key, inputs = _signature(self.name, args, kwargs)
        with self._lock:
            trace = self.traces.get(key)
            if trace is not None and not trace.fits():
                del self.traces[key]  # a parameter changed shape or dtype: trace again
                trace = None
            if trace is None:
                result, self.traces[key] = _Trace.record(self.name, self.fn, args, kwargs, inputs)
                if len(self.traces) > self.max_traces:
                    self.traces.popitem(last=False)
                return result
            self.traces.move_to_end(key)
            return trace.replay(inputs)

    def reset(self) -> None:
        """Forget every trace; the next call traces again (after changing Python state
        that decides the tensor work, such as ``model.eval()``)."""
        with self._lock:
            self.traces.clear()


class _Trace:
    """One signature's tape, with where its inputs go and how its result is rebuilt."""

    def __init__(self, recorder: Recorder, result: Any) -> None:
        self.name = recorder.name
        self.tape = recorder.tape
        self.targets = [
            (placeholder, *aliases)
            for placeholder, aliases in zip(recorder.placeholders, recorder.aliases)
        ]
        self.workspace = recorder.workspace
        self.rebuild = _rebuilder(recorder, result)
        self.constants = list(recorder.constants.values())

    @classmethod
    def record(cls, name, fn, args, kwargs, inputs) -> tuple[Any, _Trace]:
        placeholders = [Tensor._leaf(array) for array in inputs]
        it = iter(placeholders)
        args = [next(it) if _is_input(a) else a for a in args]
        # in _signature's order (sorted by name), whatever order the caller wrote them in
        kwargs = {k: next(it) if _is_input(v) else v for k, v in sorted(kwargs.items())}
        recorder = Recorder(name, placeholders)
        with recording(recorder):
            result = fn(*args, **kwargs)
        trace = cls(recorder, result)
        # detached like a replay's: the traced tensors themselves change at every replay
        return trace.rebuild(), trace

    def fits(self) -> bool:
        """Whether the tensors the trace did not make (parameters) still have the shapes,
        dtypes and memory layouts (strides) it saw: its kernels, and the buffers they
        write into, laid out as the values were, assume them."""
        return all(
            t._data.shape == shape and t._data.dtype == dtype and t._data.strides == strides
            for t, shape, dtype, strides in self.constants
        )

    def replay(self, inputs: list[np.ndarray]) -> Any:
        for targets, array in zip(self.targets, inputs):
            for t in targets:
                t._data = array
        run = None
        self.workspace.begin()
        Lending.lend = self.workspace.lend
        try:
            with no_grad():
                for run in self.tape:
                    run()
        except _NUMPY_ERRORS as error:
            if isinstance(error, AutogradError) or run.func is not steps.forward:
                raise
            op, inputs = run.args[0], run.args[2]  # an op's forward rejected the new values
            raise _translate(error, op, inputs) from error
        finally:  # None, not what was there: another thread's replay may have ended since
            Lending.lend = None
        return self.rebuild()


def _is_input(value: Any) -> bool:
    return isinstance(value, np.ndarray | Tensor)


def _signature(name: str, args: tuple, kwargs: dict) -> tuple[tuple, list[np.ndarray]]:
    """The cache key of a call (input shapes, dtypes and layouts, other arguments by value,
    grad mode) and the input arrays in order."""
    parts: list[Any] = [GradMode.enabled]
    inputs: list[np.ndarray] = []
    for where, value in [*enumerate(args), *sorted(kwargs.items())]:
        if isinstance(value, Tensor):
            if value.requires_grad:
                raise DTypeError(
                    f"{name}: argument {where!r} requires grad; a compiled function takes its "
                    "inputs as data: reach parameters through the function's closure (a model)"
                )
            value = value._data
        if isinstance(value, np.ndarray):
            inputs.append(value)
            parts.append((where, "input", value.shape, value.dtype.str, _layout(value)))
            continue
        try:
            hash(value)
        except TypeError:
            raise TypeError(
                f"{name}: argument {where!r} ({type(value).__name__}) is neither an array nor "
                "hashable; pass arrays and tensors as inputs and other arguments as hashable "
                "values (they select the trace)"
            ) from None
        parts.append((where, "value", value))
    return tuple(parts), inputs


def _layout(array: np.ndarray) -> Any:
    """How ``array`` lies in memory, as numpy's results on it follow it ("K" order): a
    reduction adds in the order of memory, so a replay with the trace's layout gives eager's
    bits, and another layout traces again."""
    if array.flags.c_contiguous:
        return "C"
    return "F" if array.flags.f_contiguous else array.strides


def _rebuilder(recorder: Recorder, result: Any) -> Callable[[], Any]:
    """A function that rebuilds ``result``'s structure from the replayed values."""
    if isinstance(result, Tensor):
        if id(result) in recorder.traced:
            return functools.partial(_detached, result, recorder.workspace)
        owner = recorder.grad_of.get(id(result))
        if owner is not None:
            return functools.partial(getattr, owner, "grad")
        return lambda: result  # a tensor from outside the trace: the same object
    if isinstance(result, tuple | list):
        parts = [_rebuilder(recorder, r) for r in result]
        kind = type(result)
        return lambda: kind(part() for part in parts)
    if isinstance(result, dict):
        entries = {k: _rebuilder(recorder, v) for k, v in result.items()}
        return lambda: {k: part() for k, part in entries.items()}
    if isinstance(result, np.ndarray):
        raise TraceError(
            f"{recorder.name}: the function returned a numpy array; return tensors (a replay "
            "recomputes tensors, not arrays computed in Python)"
        )
    return lambda: result


def _detached(t: Tensor, workspace: Workspace) -> Tensor:
    return Tensor._leaf(workspace.hand_out(t._data))
