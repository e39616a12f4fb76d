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
input requires grad, makes its output tensor the graph node: the tensor itself holds the
op, its input tensors, its attributes (axis, exponent, ...), whatever ``forward`` saved and
a sequence number (nodes made later come first in backward, see ``engine.py``); ``ctx`` is
that tensor. One object per op, and no reference cycle: a node refers to its inputs only,
so a graph is freed by reference counting alone when its last tensor is dropped.

Gradients a backward rule returns for broadcast inputs are summed back to the input's shape
by the engine (see ``engine.py``), not by each op.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .anomaly import AnomalyMode, check_forward, creation_site
from .context import _NOT_RECORDED, Context, _arrays, describe
from .errors import AutogradError, DTypeError, IndexingError, ShapeError
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
_SEQUENCE = itertools.count()  # a node's number: it consumes only nodes of lower numbers


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
        """Run the op on Tensors; when grad mode is on and some input requires grad, the
        output tensor is recorded as the graph node (see the module docstring)."""
        first = inputs[0]
        out = object.__new__(first._made_by_ops)  # Tensor, also for a Parameter's ops
        ctx = _NOT_RECORDED  # nothing saved: under no_grad and for constants
        if GradMode.enabled:
            for t in inputs:
                if t._requires_grad:
                    ctx = out
                    out.inputs, out.attrs, out.saved = inputs, attrs, ()
                    out._versions = versions_of(inputs) if cls.reads_inputs else None
                    break
        try:
            data = cls.forward(ctx, *_arrays(inputs), **attrs)
        except AutogradError:
            raise
        except _NUMPY_ERRORS as error:
            raise _translate(error, cls, inputs) from error
        out._data = data if type(data) is np.ndarray else np.asarray(data)
        # a view of the first input shares its version counter (versions.py)
        out._version = first._version if is_view_of(out._data, first._data) else [0]
        out.grad = out.name = None
        out._retains_grad = False
        if ctx is _NOT_RECORDED or out._data.dtype.kind != "f":  # int, bool: no gradient
            out._op, out._requires_grad = None, False
            if ctx is out:  # a leaf after all: it must not keep its inputs alive
                del out.inputs, out.attrs, out.saved, out._versions
        else:
            out._op, out._requires_grad = cls, True
            out._seq, out._out_version = next(_SEQUENCE), out._version[0]
            if AnomalyMode.enabled and AnomalyMode.checking_forward:
                out._trace = creation_site()
                check_forward(out, out._data)
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


class Tracing:
    """Where ``autograd_lite.compile`` listens to every op while it traces a function
    (``compiler/recorder.py``); None otherwise, so an op pays one attribute read for it."""

    record = None


def _translate(error: Exception, op: type[Function], inputs: tuple) -> Exception:
    """Turn a numpy exception raised inside ``forward`` into ours, naming the op and shapes."""
    for numpy_error, ours in _TRANSLATED_ERRORS:
        if isinstance(error, numpy_error):
            return ours(f"{describe(op, inputs)}: {error}")
    return error
