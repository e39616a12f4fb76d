"""``Tensor``: a numpy array that remembers how it was computed.

A tensor made by an op while grad mode is on, from an input that requires grad, is itself
that op's graph node (``Context``, its base class); ``backward()`` walks the nodes in reverse.
Every operator below is one line that delegates to an op of ``ops/``; the named methods
(``exp``, ``sum``, ``reshape``, ...) come in groups from the mixins of ``tensor_methods/``.

dtype policy: a float tensor keeps its dtype through every op, also when combined with
Python or numpy scalars (float32 stays float32; no silent upcast); two arrays of different
float dtypes promote as in numpy. Python scalars and lists become float64 unless ``dtype=``
says otherwise; numpy arrays keep their dtype. Integer and bool tensors exist (labels,
masks), but only float tensors can require grad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .arguments import check_dtype, dtype_arg, index_arg, operand_array, to_array
from .context import NODE_SLOTS, Context
from .engine import root_gradient, run_backward
from .errors import DTypeError, GraphError, ShapeError
from .tensor_methods.conversions import (
    Conversions,
    format_tensor,
    missing_attribute,
    scalar_value,
)
from .tensor_methods.elementwise import Elementwise
from .tensor_methods.numpy_interop import array_ufunc
from .tensor_methods.reductions import Reductions
from .tensor_methods.shape import Shape
from .versions import bump, new_counter


class Tensor(Context, Elementwise, Reductions, Shape, Conversions):
    """A numpy array with an optional gradient and the graph that produced it.

    >>> from autograd_lite import Tensor
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    Tensor([2. 4. 6.])
    """

    __slots__ = ("_data", "_version", "grad", "name", "_requires_grad", "_retains_grad")
    __slots__ += ("__weakref__", *NODE_SLOTS)  # and the graph node's fields (context.py)
    from .display import tensor_html as _repr_html_  # Jupyter shows a table (display.py)

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None
    ) -> None:
        source = data
        if isinstance(data, Tensor):
            data = data._data
        if dtype is None and not isinstance(data, np.ndarray | np.generic):
            dtype = np.float64  # Python scalars and lists become float64
        self._data = to_array(data, "Tensor", None if dtype is None else dtype_arg("Tensor", dtype))
        # a Tensor of a Tensor shares its values, so also its version counter (versions.py)
        shares = isinstance(source, Tensor) and self._data is data
        self._version = source._version if shares else new_counter()
        self.grad: Tensor | None = None
        self.name = name
        self._op = None
        self._retains_grad = False
        self._requires_grad = False
        self.requires_grad = requires_grad

    @staticmethod
    def _leaf(data: Any, version: list | None = None) -> Tensor:
        """Wrap an array (no copy) as a tensor that requires no grad. ``version``: the
        counter of the tensor whose memory ``data`` views (versions.py)."""
        t = object.__new__(Tensor)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t._version = [0] if version is None else version
        t.grad = t.name = t._op = None
        t._requires_grad = t._retains_grad = False
        return t

    def _constant(self, value: Any) -> Tensor:
        """A Tensor that requires no grad, from an array or number (no dtype coercion)."""
        return Tensor._leaf(np.asarray(value))

    def _lift(self, other: Any, op: str) -> Tensor:
        """Make the other operand of a binary op a Tensor; scalars take this tensor's dtype."""
        if isinstance(other, Tensor):
            return other
        return Tensor._leaf(operand_array(other, self._data.dtype, op))

    # ----------------------------------------------------------------- attributes
    @property
    def data(self) -> np.ndarray:
        """The values, a numpy array (shared, not copied).

        Assigning to it, also in place (``t.data -= lr * g``, as optimizers do), counts as a
        modification of this tensor and of every view of it (versions.py): if the old values
        were saved for a backward pass that has not run yet, that backward raises instead of
        returning a wrong gradient. As with PyTorch's ``.data``, writing into the array
        through another name (``t.data[0] = 1``, ``np.copyto``) is not tracked.
        """
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        array = check_dtype(np.asarray(value), "data")
        if self._requires_grad and array.dtype.kind != "f":
            raise DTypeError(
                f"data: a tensor that requires grad needs float data, got {array.dtype}"
            )
        if array is self._data:  # changed in place: so are the views that share the counter
            bump(self._version)
        else:  # a new array: views of the old one keep their values
            self._version = [self._version[0] + 1]
        self._data = array

    @property
    def requires_grad(self) -> bool:
        """Whether gradients are computed for this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._data.dtype.kind != "f":
            raise DTypeError(
                f"requires_grad: only float tensors can require grad, this one is "
                f"{self._data.dtype}; convert it first, e.g. Tensor(x, dtype=np.float64)"
            )
        if self._op is not None and not value:
            raise GraphError(
                "requires_grad: a tensor computed by an op cannot stop requiring "
                "grad; use .detach() to get one that does not"
            )
        self._requires_grad = bool(value)

    shape = property(lambda self: self._data.shape, doc="The shape, as in numpy.")
    ndim = property(lambda self: self._data.ndim, doc="The number of dimensions.")
    size = property(lambda self: self._data.size, doc="The number of elements.")
    dtype = property(lambda self: self._data.dtype, doc="The numpy dtype.")
    is_leaf = property(lambda self: self._op is None, doc="True unless an op recorded it.")
    op = property(
        lambda self: None if self._op is None else self._op.name(),
        doc="The name of the op that made this tensor (None for a leaf).",
    )

    def __len__(self) -> int:
        if self.ndim == 0:
            raise DTypeError("len: a 0-d tensor has no length; use .item() for its value")
        return len(self._data)

    def __repr__(self) -> str:
        extras = [] if self.dtype in (np.float64, np.int64, np.bool_) else [f"dtype={self.dtype}"]
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        if self._op is not None:
            extras.append(f"op={self.op}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        values = np.array2string(self._data, separator=" ", prefix="Tensor(")
        return f"Tensor({', '.join([values, *extras])})"

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ShapeError(
                f"bool: the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use t.any() or t.all() (e.g. (t > 0).all())"
            )
        return bool(self._data)

    # fmt: off
    def __float__(self): return float(scalar_value(self, "float"))
    def __int__(self): return int(scalar_value(self, "int"))
    def __format__(self, spec): return format_tensor(self, spec)
    def __getattr__(self, name): raise missing_attribute(self, name)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs): return array_ufunc(self, ufunc, method, inputs, kwargs)  # noqa: E501
    # fmt: on

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    # ----------------------------------------------------------------- gradients
    def backward(
        self, grad: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad.

        A non-scalar tensor needs ``grad``, the gradient of some scalar with respect to it.
        ``retain_graph`` (default: ``create_graph``) keeps the saved buffers for a second
        backward; ``create_graph`` makes the gradients differentiable.
        """
        if not self._requires_grad:
            raise GraphError(
                "backward: this tensor does not require grad, so there is no graph to walk; "
                "was it computed under no_grad(), or does no leaf have requires_grad=True?"
            )
        grad = root_gradient(self, grad, "backward")
        retain = create_graph if retain_graph is None else retain_graph
        run_backward([self], [grad], retain_graph=retain, create_graph=create_graph)

    def retain_grad(self) -> Tensor:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (for inspection)."""
        self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """The same values (shared memory, and so the same version counter), cut off from
        the graph."""
        return Tensor._leaf(self._data, self._version)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    # ----------------------------------------------------------------- operators
    # fmt: off
    def __add__(self, other): return self._arith(ops.Add, ops.AddScalar, other, "add")
    def __radd__(self, other): return self._arith(ops.Add, ops.AddScalar, other, "add")
    def __sub__(self, other): return ops.Sub.apply(self, self._lift(other, "sub"))
    def __rsub__(self, other): return ops.Sub.apply(self._lift(other, "sub"), self)
    def __mul__(self, other): return self._arith(ops.Mul, ops.MulScalar, other, "mul")
    def __rmul__(self, other): return self._arith(ops.Mul, ops.MulScalar, other, "mul")
    def __truediv__(self, other): return self._arith(ops.Div, ops.DivScalar, other, "div")
    def __rtruediv__(self, other): return ops.Div.apply(self._lift(other, "div"), self)
    def __matmul__(self, other): return ops.MatMul.apply(self, self._lift(other, "matmul"))
    def __rmatmul__(self, other): return ops.MatMul.apply(self._lift(other, "matmul"), self)
    def __pow__(self, other): return self.pow(other)
    def __rpow__(self, other): return self._lift(other, "pow").pow(self)
    def __neg__(self): return ops.Neg.apply(self)
    def __pos__(self): return self
    def __getitem__(self, index): return ops.GetItem.apply(self, index=index_arg(index))
    def __lt__(self, other): return self._compare(np.less, other, "lt")
    def __le__(self, other): return self._compare(np.less_equal, other, "le")
    def __gt__(self, other): return self._compare(np.greater, other, "gt")
    def __ge__(self, other): return self._compare(np.greater_equal, other, "ge")
    def __eq__(self, other): return self._equality(np.equal, other, "eq")  # type: ignore[override]
    def __ne__(self, other): return self._equality(np.not_equal, other, "ne")  # type: ignore[override]
    # fmt: on
    # == and != are elementwise (as in numpy and PyTorch); hashing stays by identity, so
    # tensors still work as dict keys and set members.
    __hash__ = object.__hash__

    def _arith(self, op: type, scalar_op: type, other: Any, name: str) -> Tensor:
        """``op(self, other)``; a Python number next to a float tensor is kept as
        ``scalar_op``'s attribute rather than lifted into a constant Tensor."""
        if (type(other) is float or type(other) is int) and self._data.dtype.kind == "f":
            return scalar_op.apply(self, value=other)
        return op.apply(self, self._lift(other, name))

    def _equality(self, ufunc: np.ufunc, other: Any, op: str) -> Any:
        """``==`` / ``!=``: elementwise against anything a comparison takes; against other
        objects (None, strings) Python's identity answer, as in PyTorch (``t == None`` is
        False)."""
        if other is None or isinstance(other, str | bytes | dict | set):
            return NotImplemented
        return self._compare(ufunc, other, op)

    def _compare(self, ufunc: np.ufunc, other: Any, op: str) -> Tensor:
        """An elementwise comparison: a boolean tensor, outside the graph (no gradient)."""
        other = self._lift(other, op)
        try:
            return ops.Predicate.apply(self, other, fn=ufunc)
        except ShapeError as error:
            raise ShapeError(f"{op}: shapes {self.shape} and {other.shape}: {error}") from None


Tensor._made_by_ops = Tensor  # what an op returns, whatever subclass its inputs are
