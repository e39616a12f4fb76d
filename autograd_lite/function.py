"""``Function``, the base class of every op, and ``Context``, the graph node an op records.

An op is a small subclass of ``Function`` with two static methods (PyTorch's
``autograd.Function`` contract):

- ``forward(ctx, *arrays, **attrs) -> ndarray`` computes the value on raw numpy arrays, so
  the forward pass costs little more than numpy itself;
- ``backward(ctx, grad) -> Tensor | tuple[Tensor | None, ...]`` maps the gradient of the
  output to a gradient for each input, written with *Tensor* operations. Under
  ``backward(create_graph=True)`` those operations record a graph of their own, which is
  where higher-order gradients come from; otherwise they run in no-grad mode.

A rule written only with what numpy arrays and Tensors share (operators, ``reshape``,
``swapaxes``, ``sum``, ..., the functions of ``ops/_dual.py`` and ``Function.compute``) can
run on either. An op that sets ``backward_on_arrays = True`` (every built-in op does) gets
raw arrays during a plain backward pass: ``grad`` is an array, ``ctx.operands`` are the
input arrays, ``ctx.output()`` is the output array, and no Tensor is made, so the backward
pass costs little more than numpy. Under ``create_graph=True`` the same rule gets Tensors.

``Function.apply(*tensors, **attrs)`` runs ``forward`` and, when grad mode is on and some
input requires grad, records a ``Context``: the op, its input tensors, its attributes (axis,
exponent, ...) and whatever ``forward`` saved. The context never refers to its output tensor;
it keeps the output's value as a raw array, so no reference cycle ever joins a node and its
output: a graph is freed by reference counting alone when its last tensor is dropped.

Gradients a backward rule returns for broadcast inputs are summed back to the input's shape
by the engine (see ``engine.py``), not by each op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .anomaly import AnomalyMode, check_forward, creation_site
from .errors import AutogradError, DTypeError, GraphError, IndexingError, ShapeError
from .grad_mode import GradMode
from .versions import is_view_of, versions_of

# numpy's own exceptions, translated into ours so that a failing op names itself.
# ValueError first: numpy's AxisError is both a ValueError and an IndexError, and an axis
# out of range is a shape problem.
_TRANSLATED_ERRORS = (
    (ValueError, ShapeError),
    (IndexError, IndexingError),
    (TypeError, DTypeError),
    (OverflowError, DTypeError),  # a Python number that does not fit the tensor's dtype
)
_NUMPY_ERRORS = (IndexError, ValueError, TypeError, OverflowError)


class Context:
    """One node of the graph: what an op's ``backward`` needs to know about its call."""

    __slots__ = (
        "op",
        "inputs",
        "attrs",
        "saved",
        "out_data",
        "versions",
        "out_version",
        "released",
        "on_arrays",
        "trace",
        "__weakref__",
    )

    def __init__(self, op: type[Function], inputs: tuple, attrs: dict[str, Any]) -> None:
        self.op = op
        self.inputs = inputs
        self.attrs = attrs
        self.saved: tuple = ()
        self.out_data: np.ndarray | None = None
        # the inputs' versions now, to tell at backward time whether one was modified since
        self.versions = versions_of(inputs) if op.reads_inputs else None
        self.out_version: tuple | None = None  # (the output's counter, its version now)
        self.released = False
        self.on_arrays = False  # set by the engine: this backward runs on raw arrays
        self.trace = None  # where the node was created, recorded under detect_anomaly()

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

        Without ``create_graph`` this is the saved output array (wrapped in a Tensor unless
        the rule runs on arrays; no copy). Under ``create_graph`` the output must itself be
        differentiable, so the op is applied once more to its inputs; keeping the output
        tensor instead would make a reference cycle.
        """
        counter, version = self.out_version
        if counter[0] != version:
            raise GraphError(
                f"{self.describe()}: its output was modified in place after the forward pass, "
                "but backward needs the original values; modify a copy instead "
                "(y = y * 1.0 makes one), or recompute the forward pass"
            )
        if self.on_arrays:
            return self.out_data
        if GradMode.enabled:
            return self.op.apply(*self.inputs, **self.attrs)
        return self.constant(self.out_data)

    def constant(self, value: Any):
        """``value`` as a constant operand (e.g. a zero for ``where``): a Tensor that requires
        no grad, or the array itself when the rule runs on arrays."""
        if self.on_arrays:
            return np.asarray(value)
        return self.inputs[0]._constant(value)

    def release(self) -> None:
        """Drop the buffers saved for backward; the node's structure stays for rendering."""
        self.saved = ()
        self.out_data = None
        self.released = True

    def describe(self) -> str:
        """The op's name with its input shapes, for error messages: ``mul((2, 3), (3,))``."""
        shapes = ", ".join(str(t.shape) for t in self.inputs)
        return f"{self.op.name()}({shapes})"


class Function:
    """Base class of every op; subclass it to define your own (see the README).

    ``op_name`` is the name the op is known by (in ``OPS``, error messages and rendered
    graphs); it defaults to the class name in snake case (``LogSoftmax`` -> ``log_softmax``).
    """

    op_name: str = "function"
    # Whether backward reads the input values (not only their shapes); if it does, modifying
    # an input in place between forward and backward is an error.
    reads_inputs: bool = True
    # Whether backward also runs on raw arrays (see the module's docstring).
    backward_on_arrays: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "op_name" not in cls.__dict__:
            cls.op_name = "".join("_" + c.lower() if c.isupper() else c for c in cls.__name__)
            cls.op_name = cls.op_name.lstrip("_")

    @staticmethod
    def forward(ctx: Context, *arrays: np.ndarray, **attrs: Any) -> np.ndarray:
        """Compute the op's value from raw arrays."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        """Return the gradient (a Tensor, or a tuple with one entry per input; None = no grad)."""
        raise NotImplementedError

    @classmethod
    def name(cls) -> str:
        """The op's name as users write it (``op_name``)."""
        return cls.op_name

    @classmethod
    def apply(cls, *inputs: Any, **attrs: Any):
        """Run the op on Tensors and record a graph node when some input requires grad."""
        ctx = _NOT_RECORDED  # no node, nothing saved: under no_grad and for constants
        if GradMode.enabled:
            for t in inputs:
                if t._requires_grad:
                    ctx = Context(cls, inputs, attrs)
                    break
        try:
            data = cls.forward(ctx, *_arrays(inputs), **attrs)
        except AutogradError:
            raise
        except _NUMPY_ERRORS as error:
            raise _translate(error, Context(cls, inputs, attrs)) from error
        # a view of the first input shares its version counter (versions.py)
        first = inputs[0]
        version = first._version if is_view_of(data, first._data) else None
        if ctx is _NOT_RECORDED or data.dtype.kind != "f":  # int and bool results: no gradient
            out = first._from_op(data, None, version)
        else:
            if AnomalyMode.enabled and AnomalyMode.checking_forward:
                ctx.trace = creation_site()
                check_forward(ctx, data)
            out = first._from_op(data, ctx, version)
            ctx.out_data = out._data
            ctx.out_version = (out._version, out._version[0])
        if Tracing.record is not None:  # autograd_lite.compile is tracing (compiler/)
            Tracing.record(cls, inputs, attrs, out)
        return out

    @classmethod
    def compute(cls, *operands: Any, **attrs: Any):
        """The op on arrays (just ``forward``) or on Tensors (``apply``), as a rule needs it.

        Backward rules call other ops this way (``Where.compute(condition, grad, zero)``),
        so that the same rule runs on raw arrays and, under ``create_graph``, on Tensors.
        """
        if isinstance(operands[0], np.ndarray | np.generic):
            return cls.forward(_NOT_RECORDED, *operands, **attrs)
        return cls.apply(*operands, **attrs)


def _arrays(tensors: tuple) -> tuple:
    """The tensors' arrays. Spelled out for one and two tensors, the usual cases: on Python
    3.11 a comprehension costs about as much as a numpy op on a small array."""
    if len(tensors) == 1:
        return (tensors[0]._data,)
    if len(tensors) == 2:
        return (tensors[0]._data, tensors[1]._data)
    return tuple([t._data for t in tensors])


class Tracing:
    """Where ``autograd_lite.compile`` listens to every op while it traces a function
    (``compiler/recorder.py``); None otherwise, so an op pays one attribute read for it."""

    record = None


class _NotRecorded:
    """Stands in for the context when no node is recorded: saving is a no-op."""

    __slots__ = ()

    def save_for_backward(self, *arrays: Any) -> None:
        pass


_NOT_RECORDED = _NotRecorded()


def _translate(error: Exception, ctx: Context) -> Exception:
    """Turn a numpy exception raised inside ``forward`` into ours, naming the op and shapes."""
    for numpy_error, ours in _TRANSLATED_ERRORS:
        if isinstance(error, numpy_error):
            return ours(f"{ctx.describe()}: {error}")
    return error
