"""Fuzz the public API against numpy: every call returns what numpy returns, or raises a
documented error that names the op.

A test draws a ``Program``: a few leaf tensors (float64, float32, int64 or bool; 0-d, empty
and zero-size dimensions included; NaN and inf among the values) and a list of ``Step``s, each
one call of the public API on tensors of a growing pool, with arguments that are sometimes
wrong: mismatched shapes, axes out of range, impossible reshapes, indices out of bounds (the
value tests) or strings, None, ragged lists, huge integers, bad dtypes (``test_fuzz_types``).
The interpreter ``run_program`` applies each step to the engine and to numpy on the same raw
arrays, and checks:

- a result is a Tensor of bool, integer or float data, with numpy's shape, dtype and values
  (NaN equal to NaN), under the README's dtype policy: a Python or numpy scalar, or a list,
  next to a Tensor takes the Tensor's float dtype (float32 stays float32), arrays promote as
  in numpy, a Python scalar or list with no Tensor beside it becomes float64;
- an error is an ``AutogradError`` whose message names the op; where numpy raises, the engine
  must raise too. The engine may refuse a call numpy accepts, as long as it says why.

Each program ends with a backward pass from one pool tensor (``out.sum().backward()``, an
implied, explicit or wrongly shaped gradient): it must work when the tensor requires grad
and the gradient is right (every leaf's gradient has the leaf's shape and dtype), and raise
the documented error otherwise (GraphError without a graph or for an implied gradient of a
non-scalar, ShapeError for a gradient of the wrong shape).

The references for ops numpy lacks (relu, sigmoid, softmax, log_softmax, logsumexp) are the
textbook formulas, shifted by the maximum as scipy does. RuntimeWarnings (log(0), inf - inf)
are expected and ignored.

One test per group of ops, so that a failure points at its group of ops; each
such test carries the bug's minimal repro as an explicit ``@example``, so that it fails on
every run (the marker is strict) until the engine is fixed.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite import AutogradError, GraphError, ShapeError, Tensor

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

MAX_POOL_SIZE = 64  # results larger than this (elements) do not join the pool
MAX_POOL_NDIM = 4


# ------------------------------------------------------------------------------ programs
@dataclass(frozen=True)
class Ref:
    """Pool tensor ``i``, passed to the engine as the Tensor."""

    i: int

    def __repr__(self) -> str:
        return f"Ref({self.i})"


@dataclass(frozen=True)
class Raw:
    """Pool tensor ``i``, passed to the engine as its numpy array (``t.data``)."""

    i: int

    def __repr__(self) -> str:
        return f"Raw({self.i})"


@dataclass(frozen=True)
class Step:
    """One call: ``OPS[op]`` applied to ``args`` and ``kwargs`` (which may hold Ref and Raw)."""

    op: str
    args: tuple = ()
    kwargs: tuple = ()  # (name, value) pairs

    def __repr__(self) -> str:
        kw = f", kwargs={self.kwargs!r}" if self.kwargs else ""
        return f"Step({self.op!r}, {self.args!r}{kw})"


@dataclass(frozen=True)
class Program:
    """Leaves ``(array, requires_grad)``, steps, and the final backward ``(pick, mode, grad)``."""

    leaves: tuple
    steps: tuple
    backward: tuple = (0, "sum", None)

    def __repr__(self) -> str:
        leaves = ", ".join(
            f"leaf({a.tolist()!r}, {a.dtype.name!r}{', True' if rg else ''})"
            for a, rg in self.leaves
        )
        return f"Program(leaves=({leaves},), steps={self.steps!r}, backward={self.backward!r})"


def leaf(values: Any, dtype: str, requires_grad: bool = False) -> tuple[np.ndarray, bool]:
    """A leaf for a hand-written Program (the explicit examples)."""
    return np.array(values, dtype=dtype), requires_grad


# ------------------------------------------------------------------- the dtype policy
class TV:
    """A Tensor as the reference sees it: its array, marked as having been a Tensor."""

    __slots__ = ("a",)

    def __init__(self, a: np.ndarray) -> None:
        self.a = a


def _numbers_only(v: Any) -> bool:
    if isinstance(v, list | tuple):
        return all(_numbers_only(x) for x in v)
    return isinstance(v, bool | int | float | np.number | np.bool_) and not isinstance(v, str)


def as_tensor_value(v: Any) -> Any:
    """What the engine makes of a lone operand: Python numbers and lists become float64."""
    if isinstance(v, TV):
        return v.a
    if isinstance(v, np.ndarray | np.generic):
        return np.asarray(v)
    if isinstance(v, bool | int | float | list | tuple) and _numbers_only(v):
        return np.asarray(v, dtype=np.float64)
    return v  # not a number: numpy decides (and usually raises)


def lift(v: Any, anchor: np.dtype) -> Any:
    """An operand next to a Tensor of dtype ``anchor``.

    Python and numpy scalars stay Python scalars, so numpy's weak-scalar promotion applies
    (float32 + 2.0 is float32, int64 + 0.5 is float64); lists of numbers take the Tensor's
    float dtype (float64 beside an integer or bool Tensor); arrays keep their dtype.
    """
    if isinstance(v, TV):
        return v.a
    if isinstance(v, np.generic) and _numbers_only(v):
        return v.item()
    if isinstance(v, list | tuple) and _numbers_only(v):
        return np.asarray(v, dtype=anchor if anchor.kind == "f" else np.float64)
    return v


def ref_binary(fn: Callable, x: Any, y: Any) -> Any:
    """numpy's ``fn(x, y)`` with the operand that is not a Tensor lifted by the policy."""
    if isinstance(x, TV):
        anchor = x.a.dtype
    elif isinstance(y, TV):
        anchor = y.a.dtype
    else:  # a functional form without a Tensor: the first operand becomes one
        x = as_tensor_value(x)
        if not isinstance(x, np.ndarray):
            return fn(x, y)
        anchor, x = x.dtype, TV(x)
    return fn(lift(x, anchor), lift(y, anchor))


def unwrap(v: Any) -> Any:
    """The raw value numpy gets: arrays for Tensors, also inside tuples and lists."""
    if isinstance(v, TV):
        return v.a
    if isinstance(v, tuple):
        return tuple(unwrap(x) for x in v)
    if isinstance(v, list):
        return [unwrap(x) for x in v]
    return v


def scalar_bound(v: Any) -> Any:
    """A clip bound: numpy scalars count as Python scalars (the policy), Tensors as arrays."""
    if isinstance(v, np.generic) and _numbers_only(v):
        return v.item()
    return unwrap(v)


def ref_clip(a: Any, low: Any, high: Any) -> np.ndarray:
    """``np.clip``; without bounds, a copy (numpy 2 calls np.positive, which bool lacks)."""
    if low is None and high is None:
        return np.array(a, copy=True)
    return np.clip(a, scalar_bound(low), scalar_bound(high))


# ------------------------------------------------------ references numpy does not have
def ref_relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, np.zeros((), a.dtype))


def ref_sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


def _max_shift(a: np.ndarray, axis: Any) -> np.ndarray:
    """The maximum over ``axis`` (keepdims), 0 where it is not finite or the slice is empty."""
    if a.size:
        m = np.max(a, axis=axis, keepdims=True)
    else:  # np.max has no identity; the shift does not matter for an empty slice
        m = np.zeros(np.sum(a, axis=axis, keepdims=True).shape, dtype=a.dtype)
    return np.where(np.isfinite(m), m, 0)


def ref_logsumexp(a: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    m = _max_shift(a, axis)
    out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def ref_softmax(a: np.ndarray, axis: Any = -1) -> np.ndarray:
    if a.size == 0:  # empty, as log_softmax and PyTorch give (np.max would raise)
        np.sum(a, axis=axis)  # the axis check numpy makes
        return np.exp(a)
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def ref_log_softmax(a: np.ndarray, axis: Any = -1) -> np.ndarray:
    shifted = a - _max_shift(a, axis)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def ref_tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> np.ndarray:
    """``Tensor(data, dtype, requires_grad)``: numpy's conversion, then the engine's rules."""
    if isinstance(data, TV):
        data = data.a
    if isinstance(data, np.ndarray | np.generic) or dtype is not None:
        a = np.asarray(data, dtype=dtype)
    else:
        a = np.asarray(data, dtype=np.float64)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"tensors hold bool, integer or float data, not {a.dtype}")
    if requires_grad and a.dtype.kind != "f":
        raise TypeError("only float tensors can require grad")
    return a


# ------------------------------------------------------------------ drawing arguments
DTYPES = (np.float64, np.float64, np.float32, np.int64, np.bool_)  # float64 twice as often
NAN, INF = float("nan"), float("inf")


def _elements(dtype: Any) -> st.SearchStrategy:
    if dtype in (np.float64, np.float32):
        width = 64 if dtype == np.float64 else 32
        return st.one_of(
            st.floats(-10, 10, width=width),
            st.sampled_from([0.0, -0.0, 1.0, NAN, INF, -INF]),
            st.floats(width=width),
        )
    if dtype == np.int64:
        return st.one_of(st.integers(-10, 10), st.integers(-(2**63), 2**63 - 1))
    return st.booleans()


SHAPES = st.one_of(
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
)


@st.composite
def arrays(draw: Any, shape: Any = None) -> np.ndarray:
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(SHAPES) if shape is None else shape
    return draw(hnp.arrays(dtype, shape, elements=_elements(dtype)))


SCALARS = st.one_of(
    st.floats(-5, 5),
    st.sampled_from([0.0, -1.0, 0.5, 2.0, 3, -2, 0, 1, True, False, NAN, INF, -INF]),
    st.integers(-3, 5),
)
NP_SCALARS = st.one_of(
    st.floats(-5, 5, width=32).map(np.float32),
    st.sampled_from([np.float64(2.0), np.float64(NAN), np.int64(3), np.bool_(True)]),
)

# wrong types for every kind of argument (test_fuzz_types)
BAD_OPERANDS = st.sampled_from(
    [
        "a",
        "1.5",
        None,
        {},
        1j,
        b"x",
        [[1.0], [1.0, 2.0]],
        ["a"],
        [None],
        [1.0, None],
        [[1.0, "a"]],
        2**70,
        -(2**70),
        2**1100,
        np.array(["a"]),
        np.array([1, None], dtype=object),
        np.array([1j]),
        (1.0, "a"),
    ]
)
BAD_AXES = st.sampled_from(
    ["0", 0.5, [0], [[0]], (0.5,), ("a",), {}, 1j, np.float64(0.0), (None,), True, [True], (0, "1")]
    + [(0, 1), (), (-1, 0)]  # tuples where some ops take one int (unsqueeze, softmax)
)
BAD_SHAPES = st.sampled_from(
    ["a", (2.0,), [2.5], None, (None,), [[2]], {}, (1j,), ("2",), 2.0, (True,), ()]
)  # () stands for a missing argument: t.reshape(*()) is t.reshape()
BAD_INDICES = st.sampled_from(
    [
        "a",
        1.5,
        [0.5],
        np.array([0.5]),
        {},
        [[0, 1], [1]],
        [None],
        (0, "a"),
        1j,
        [True, 2],
        np.array(["a"]),
        (slice(None), [0.5]),
        [[0], "a"],
    ]
)
BAD_DTYPES = st.sampled_from(["foo", str, object, complex, 5, "U", "S3", "M8[s]"])
BAD_BOUNDS = st.sampled_from(["a", {}, 1j, [None], [[1.0], [1.0, 2.0]], b"x"])
BAD_SEQUENCES = st.sampled_from([None, 5, "ab", [None], {}, [[1, 2], [3]], ["a", "b"], [], (), 2.5])
BAD_GRADS = st.sampled_from(["a", [[1.0], [1.0, 2.0]], {}, [None], 1j, ["a"], object])


def _broadcasts(s1: tuple, s2: tuple) -> bool:
    try:
        np.broadcast_shapes(s1, s2)
    except ValueError:
        return False
    return True


def _pick(draw: Any, pool: list, where: Callable | None = None) -> int:
    """A pool index, satisfying ``where`` when some entry does."""
    good = [i for i, a in enumerate(pool) if where is None or where(a)]
    return draw(st.sampled_from(good or list(range(len(pool)))))


def _partner(draw: Any, pool: list, shape: tuple) -> int:
    """Usually an entry whose shape broadcasts with ``shape``; sometimes any entry."""
    if draw(st.integers(0, 3)):
        return _pick(draw, pool, lambda a: _broadcasts(a.shape, shape))
    return draw(st.integers(0, len(pool) - 1))


def _operand(draw: Any, pool: list, shape: tuple, kinds: tuple | None = None) -> Any:
    """A second operand: Tensor, array, Python or numpy scalar, list, or a fresh array."""
    kinds = kinds or ("tensor", "tensor", "array", "fresh", "scalar", "npscalar", "list")
    kind = draw(st.sampled_from(kinds))
    if kind == "scalar":
        return draw(SCALARS)
    if kind == "npscalar":
        return draw(NP_SCALARS)
    if kind == "fresh":
        return draw(arrays(draw(hnp.broadcastable_shapes(shape, min_side=0, max_side=3))))
    j = _partner(draw, pool, shape)
    if kind == "tensor":
        return Ref(j)
    if kind == "list" and pool[j].ndim:
        return pool[j].tolist()
    return Raw(j)


def _tensor(draw: Any, pool: list, where: Callable | None = None) -> Ref:
    return Ref(_pick(draw, pool, where))


def _axis(draw: Any, ndim: int, tuples: bool = True, none: bool = True) -> Any:
    """An axis: mostly in range, sometimes just outside, or a tuple (maybe repeated)."""
    one = st.integers(-ndim - 1, ndim)
    options = [one, one]
    if tuples:
        options.append(st.lists(one, max_size=3).map(tuple))
    if none:
        options.append(st.none())
    return draw(st.one_of(*options))


def _factors(n: int) -> list[int]:
    out, p = [], 2
    while n > 1 and p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out + ([n] if n > 1 else [])


def _reshape_target(draw: Any, shape: tuple) -> list[int]:
    size = math.prod(shape)
    kind = draw(st.sampled_from(["valid", "valid", "minus_one", "random"]))
    if kind == "random" or (size == 0 and kind == "minus_one"):
        return draw(st.lists(st.integers(-2, 6), max_size=4))
    dims = _factors(size) if size else [0] + draw(st.lists(st.integers(1, 3), max_size=2))
    dims = list(draw(st.permutations(dims)))
    for _ in range(draw(st.integers(0, 2))):
        dims.insert(draw(st.integers(0, len(dims))), 1)
    if len(dims) > 1 and draw(st.booleans()):  # merge two neighbours
        k = draw(st.integers(0, len(dims) - 2))
        dims[k : k + 2] = [dims[k] * dims[k + 1]]
    if kind == "minus_one" and dims:
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return dims


def _broadcast_target(draw: Any, shape: tuple) -> list[int]:
    if draw(st.integers(0, 3)) == 0:
        return draw(st.lists(st.integers(-1, 4), max_size=4))
    lead = draw(st.lists(st.integers(0, 3), max_size=2))
    return lead + [draw(st.integers(0, 3)) if n == 1 else n for n in shape]


def _permutation(draw: Any, ndim: int) -> list[int]:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.lists(st.integers(-ndim - 1, ndim), max_size=ndim + 1))
    perm = draw(st.permutations(range(ndim)))
    return [a - ndim if draw(st.booleans()) else a for a in perm]  # negative spellings too


def _shape_call(draw: Any, target: list[int]) -> tuple:
    """How to pass a shape: ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``.

    Not ``f()`` for an empty shape: numpy requires the argument (that is a test of types).
    """
    form = draw(st.sampled_from(["varargs", "tuple", "list"] if target else ["tuple", "list"]))
    return (
        tuple(target) if form == "varargs" else ((tuple(target),) if form == "tuple" else (target,))
    )


def _index(draw: Any, pool: list, shape: tuple) -> Any:
    """An index: ints, slices, None, Ellipsis, integer and boolean arrays, in or out of range."""
    parts, dim = [], 0
    for _ in range(draw(st.integers(0, len(shape) + 1))):
        n = shape[dim] if dim < len(shape) else 1
        kind = draw(
            st.sampled_from(
                ["int", "int", "slice", "slice", "none", "ellipsis", "ints", "mask", "tensor"]
            )
        )
        if kind == "int":
            parts.append(draw(st.integers(-n - 1, n)))
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-n - 2, n + 2))
            step = st.sampled_from([None, 1, 2, -1, -2, 0])
            parts.append(slice(draw(bound), draw(bound), draw(step)))
        elif kind == "none":
            parts.append(None)
            continue
        elif kind == "ellipsis":
            parts.append(Ellipsis)
        elif kind == "ints":
            values = draw(st.lists(st.integers(-n - 1, n), max_size=4))
            parts.append(values if draw(st.booleans()) else np.array(values, dtype=np.int64))
        elif kind == "mask":
            mask_shape = shape[dim : dim + draw(st.integers(0, 2))]
            if draw(st.integers(0, 4)) == 0:
                mask_shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
            parts.append(draw(hnp.arrays(np.bool_, mask_shape)))
            dim += max(len(mask_shape) - 1, 0)
        else:
            parts.append(_tensor(draw, pool, lambda a: a.dtype.kind in "bi" and a.ndim <= 2))
        dim += 1
    if len(parts) == 1 and draw(st.booleans()):
        return parts[0]
    return tuple(parts)


# -------------------------------------------------------------------------- op table
@dataclass(frozen=True)
class Op:
    """One public call: engine form, numpy reference, how to draw its arguments."""

    engine: Callable
    ref: Callable
    draw: Callable  # (draw, pool arrays, bad) -> (args, kwargs dict)
    names: tuple[str, ...]  # an error message must name one of these
    code: Callable  # (args, kwargs) -> Python source, for reports


def _render(v: Any) -> str:
    if isinstance(v, Ref):
        return f"t{v.i}"
    if isinstance(v, Raw):
        return f"t{v.i}.data"
    if isinstance(v, np.ndarray):
        return f"np.array({v.tolist()!r}, dtype={v.dtype.str!r})"
    if isinstance(v, np.generic):
        return f"np.{type(v).__name__}({v.item()!r})"
    if isinstance(v, float) and not math.isfinite(v):
        return f"float('{v}')"
    if isinstance(v, type):
        return f"np.{v.__name__}" if v.__module__ == "numpy" else v.__name__
    if isinstance(v, tuple):
        return "(" + ", ".join(map(_render, v)) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(map(_render, v)) + "]"
    if isinstance(v, slice):
        return f"slice({_render(v.start)}, {_render(v.stop)}, {_render(v.step)})"
    if v is Ellipsis:
        return "..."
    return repr(v)


def _call_args(args: tuple, kwargs: dict) -> str:
    return ", ".join([*map(_render, args), *(f"{k}={_render(v)}" for k, v in kwargs.items())])


def infix(symbol: str) -> Callable:
    return lambda args, kwargs: f"{_render(args[0])} {symbol} {_render(args[1])}"


def method(name: str) -> Callable:
    return lambda args, kwargs: f"{_render(args[0])}.{name}({_call_args(args[1:], kwargs)})"


def function(name: str) -> Callable:
    return lambda args, kwargs: f"{name}({_call_args(args, kwargs)})"


OPS: dict[str, Op] = {}
GROUPS: dict[str, list[str]] = {}


def register(group: str, name: str, op: Op) -> None:
    OPS[name] = op
    GROUPS.setdefault(group, []).append(name)


def method_op(group: str, name: str, ref: Callable, draw: Callable, aka: tuple = ()) -> None:
    """``t.name(*args, **kwargs)``; an error may name the method or the op it calls (aka)."""
    engine = lambda t, *a, **kw: getattr(t, name)(*a, **kw)  # noqa: E731
    register(group, f"m:{name}", Op(engine, ref, draw, (name, *aka), method(name)))


def function_op(group: str, name: str, ref: Callable, draw: Callable, aka: tuple = ()) -> None:
    """``ag.name(*args, **kwargs)``."""
    op = Op(getattr(ag, name), ref, draw, (name, *aka), function(f"ag.{name}"))
    register(group, f"ag:{name}", op)


# --- binary operators, tensors on either side
def draw_binary(draw: Any, pool: list, bad: bool) -> tuple:
    i = draw(st.integers(0, len(pool) - 1))
    other = draw(BAD_OPERANDS) if bad else _operand(draw, pool, pool[i].shape)
    if isinstance(other, Ref) or draw(st.booleans()):
        return (Ref(i), other), {}
    return (other, Ref(i)), {}


def draw_matmul(draw: Any, pool: list, bad: bool) -> tuple:
    if bad:
        return draw_binary(draw, pool, bad)
    i = draw(st.integers(0, len(pool) - 1))
    x = pool[i]

    def aligned(a: np.ndarray) -> bool:
        return x.ndim >= 1 and a.ndim >= 1 and x.shape[-1] == a.shape[-2 if a.ndim > 1 else -1]

    kind = draw(st.sampled_from(["aligned", "fresh", "fresh", "other"]))
    if kind == "aligned":
        other = _tensor(draw, pool, aligned)
    elif kind == "fresh" and x.ndim >= 1:
        tail = draw(st.sampled_from([(), (draw(st.integers(0, 3)),)]))
        lead = draw(st.lists(st.integers(1, 2), max_size=2))
        other = draw(arrays(tuple(lead) + (x.shape[-1],) + tail))
    else:
        other = _operand(draw, pool, x.shape)
    return ((Ref(i), other) if draw(st.booleans()) else (other, Ref(i))), {}


def draw_matmul_method(draw: Any, pool: list, bad: bool) -> tuple:
    args, _ = draw_matmul(draw, pool, bad)
    return (args if isinstance(args[0], Ref) else args[::-1]), {}


BINARY = {
    "add": (operator.add, "+", ("add", "add_scalar")),
    "sub": (operator.sub, "-", ("sub",)),
    "mul": (operator.mul, "*", ("mul", "mul_scalar")),
    "truediv": (operator.truediv, "/", ("div", "div_scalar")),
    "pow": (operator.pow, "**", ("pow", "pow_scalar")),
    "matmul": (operator.matmul, "@", ("matmul",)),
    "lt": (operator.lt, "<", ("lt", "gt")),  # 2 < t calls t > 2
    "le": (operator.le, "<=", ("le", "ge")),
    "gt": (operator.gt, ">", ("gt", "lt")),
    "ge": (operator.ge, ">=", ("ge", "le")),
}
for _name, (_fn, _sym, _names) in BINARY.items():
    _group = {"pow": "power", "matmul": "matmul", "lt": "compare", "le": "compare"}.get(_name)
    _group = _group or ("compare" if _name in ("gt", "ge") else "arith")
    _ref = lambda x, y, _fn=_fn: ref_binary(_fn, x, y)  # noqa: E731
    _draw = draw_matmul if _name == "matmul" else draw_binary
    register(_group, f"op:{_name}", Op(_fn, _ref, _draw, _names, infix(_sym)))


def draw_method_binary(draw: Any, pool: list, bad: bool) -> tuple:
    i = draw(st.integers(0, len(pool) - 1))
    other = draw(BAD_OPERANDS) if bad else _operand(draw, pool, pool[i].shape)
    return (Ref(i), other), {}


method_op(
    "power", "pow", lambda t, e: ref_binary(operator.pow, t, e), draw_method_binary, ("pow_scalar",)
)
method_op("matmul", "matmul", lambda t, y: ref_binary(operator.matmul, t, y), draw_matmul_method)
for _name, _np in (("maximum", np.maximum), ("minimum", np.minimum)):
    method_op("select", _name, lambda t, y, _np=_np: ref_binary(_np, t, y), draw_method_binary)


# --- unary ops
def draw_receiver(draw: Any, pool: list, bad: bool) -> tuple:
    return (_tensor(draw, pool),), {}


UNARY = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sigmoid": ref_sigmoid,
    "relu": ref_relu,
}
for _name, _np in UNARY.items():
    method_op("unary", _name, lambda t, _np=_np: _np(t.a), draw_receiver)
_negate = lambda a, k: f"-{_render(a[0])}"  # noqa: E731
register("unary", "op:neg", Op(operator.neg, lambda t: -t.a, draw_receiver, ("neg",), _negate))


# --- reductions and the softmax family
def draw_reduction(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool)
    kwargs = {}
    if bad:
        key = draw(st.sampled_from(["axis", "keepdims"]))
        kwargs[key] = draw(BAD_AXES if key == "axis" else st.sampled_from(["yes", None, 2, [1]]))
    else:
        if draw(st.integers(0, 4)):
            kwargs["axis"] = _axis(draw, pool[t.i].ndim)
        if draw(st.booleans()):
            kwargs["keepdims"] = draw(st.booleans())
    return (t,), kwargs


def draw_softmax(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool)
    if bad:
        return (t,), {"axis": draw(BAD_AXES)}
    if draw(st.integers(0, 3)) == 0:
        return (t,), {}
    return (t,), {"axis": _axis(draw, pool[t.i].ndim)}


REDUCTIONS = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}
for _name, _np in REDUCTIONS.items():
    method_op("reduce", _name, lambda t, _np=_np, **kw: _np(t.a, **kw), draw_reduction)
method_op("softmax", "logsumexp", lambda t, **kw: ref_logsumexp(t.a, **kw), draw_reduction)
method_op("softmax", "softmax", lambda t, **kw: ref_softmax(t.a, **kw), draw_softmax)
method_op("softmax", "log_softmax", lambda t, **kw: ref_log_softmax(t.a, **kw), draw_softmax)


# --- the names PyTorch users reach for (issue 13)
for _name in ("sign", "floor", "ceil", "isnan", "isinf", "isfinite", "round"):
    method_op("torch", _name, lambda t, _name=_name: getattr(np, _name)(t.a), draw_receiver)
for _name in ("argmax", "argmin", "any", "all", "prod", "var", "std"):
    _ddof = {"ddof": 1} if _name in ("var", "std") else {}  # unbiased, as in PyTorch
    _ref = lambda t, _name=_name, _ddof=_ddof, **kw: getattr(np, _name)(t.a, **_ddof, **kw)  # noqa: E731
    method_op("torch", _name, _ref, draw_reduction, ("mean",))
method_op("torch", "cumsum", lambda t, **kw: np.cumsum(t.a, **kw), draw_softmax)
method_op("torch", "flip", lambda t, **kw: np.flip(t.a, **kw), draw_softmax)


# --- shape ops
def draw_reshape(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool)
    if bad:
        shape = draw(BAD_SHAPES)
        return ((t,) if shape == () else (t, shape)), {}
    return (t, *_shape_call(draw, _reshape_target(draw, pool[t.i].shape))), {}


def draw_broadcast(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool)
    if bad:
        return (t, draw(BAD_SHAPES)), {}
    return (t, *_shape_call(draw, _broadcast_target(draw, pool[t.i].shape))), {}


def draw_squeeze(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool, lambda a: 1 in a.shape)
    if bad:
        return (t, draw(BAD_AXES)), {}
    return ((t,) if draw(st.integers(0, 3)) == 0 else (t, _axis(draw, pool[t.i].ndim))), {}


def draw_unsqueeze(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool)
    if bad:
        return (t, draw(BAD_AXES)), {}
    ndim = pool[t.i].ndim
    return (t, draw(st.integers(-ndim - 2, ndim + 1))), {}


def draw_transpose(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool)
    if bad:
        return (t, draw(BAD_AXES)), {}
    perm = _permutation(draw, pool[t.i].ndim)
    form = draw(st.sampled_from(["varargs", "varargs", "tuple", "none"]))
    if form == "none":
        return (t,), {}
    return ((t, *perm) if form == "varargs" else (t, tuple(perm))), {}


def draw_swapaxes(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool)
    ndim = pool[t.i].ndim
    axis = st.integers(-ndim - 1, ndim)
    if bad:
        return (t, draw(BAD_AXES), draw(axis)), {}
    return (t, draw(axis), draw(axis)), {}


method_op("shape", "reshape", lambda t, *s: t.a.reshape(*unwrap(s)), draw_reshape)
method_op("shape", "flatten", lambda t: t.a.flatten(), draw_receiver, ("reshape",))
method_op("shape", "squeeze", lambda t, *a: np.squeeze(t.a, *a), draw_squeeze)
method_op("shape", "unsqueeze", lambda t, a: np.expand_dims(t.a, a), draw_unsqueeze)
method_op(
    "shape", "expand_dims", lambda t, a: np.expand_dims(t.a, a), draw_unsqueeze, ("unsqueeze",)
)
method_op(
    "shape",
    "broadcast_to",
    lambda t, *s: np.broadcast_to(t.a, s[0] if len(s) == 1 else s),
    draw_broadcast,
)


def _np_transpose(t: Any, *axes: Any) -> np.ndarray:
    """numpy's transpose, except that exactly two axes swap them (PyTorch's two-axis form)."""
    given = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], tuple | list) else axes
    return t.a.swapaxes(*given) if len(given) == 2 else t.a.transpose(*axes)


method_op("transpose", "transpose", _np_transpose, draw_transpose)
method_op("transpose", "permute", lambda t, *a: t.a.transpose(*a), draw_transpose, ("transpose",))
method_op(
    "transpose", "swapaxes", lambda t, a, b: t.a.swapaxes(a, b), draw_swapaxes, ("transpose",)
)
_dot_t = lambda a, k: f"{_render(a[0])}.T"  # noqa: E731
register(
    "transpose",
    "m:T",
    Op(lambda t: t.T, lambda t: t.a.T, draw_receiver, ("T", "transpose"), _dot_t),
)


# --- indexing
def draw_getitem(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool)
    return (t, draw(BAD_INDICES) if bad else _index(draw, pool, pool[t.i].shape)), {}


def ref_getitem(t: TV, index: Any) -> np.ndarray:
    """numpy's ``a[index]``, with the engine's rule that an empty float array selects nothing
    (as ``[]`` does in numpy, and an empty tensor in PyTorch)."""
    items = unwrap(index)
    items = items if isinstance(items, tuple) else (items,)
    empty = lambda i: isinstance(i, np.ndarray) and i.size == 0 and i.dtype.kind == "f"  # noqa: E731
    return t.a[tuple(i.astype(np.intp) if empty(i) else i for i in items)]


_brackets = lambda a, k: f"{_render(a[0])}[{_render(a[1])}]"  # noqa: E731
register(
    "index",
    "getitem",
    Op(operator.getitem, ref_getitem, draw_getitem, ("getitem",), _brackets),
)


# --- joining
def draw_join(draw: Any, pool: list, bad: bool) -> tuple:
    if bad:
        return (draw(BAD_SEQUENCES),), {}
    first = draw(st.integers(0, len(pool) - 1))
    shape = pool[first].shape
    axis = _axis(draw, len(shape) + 1, tuples=False)

    def joinable(a: np.ndarray) -> bool:  # same shape but (maybe) along the axis
        if a.ndim != len(shape):
            return False
        k = axis % a.ndim if isinstance(axis, int) and a.ndim and -a.ndim <= axis < a.ndim else -1
        return all(n == m for d, (n, m) in enumerate(zip(a.shape, shape)) if d != k)

    items = [Ref(first)]
    for _ in range(draw(st.integers(0, 2))):
        j = _pick(draw, pool, joinable)
        kind = draw(st.sampled_from(["tensor", "tensor", "array", "list", "scalar"]))
        if kind == "list" and pool[j].ndim:
            items.append(pool[j].tolist())
        elif kind == "scalar":
            items.append(draw(SCALARS))
        else:
            items.append(Ref(j) if kind != "array" else Raw(j))
    items = list(draw(st.permutations(items)))
    return (items,), ({} if draw(st.integers(0, 4)) == 0 else {"axis": axis})


def ref_join(np_fn: Callable) -> Callable:
    def ref(tensors: Any, **kwargs: Any) -> np.ndarray:
        if not isinstance(tensors, list | tuple):
            return np_fn(tensors, **kwargs)
        return np_fn([as_tensor_value(t) for t in tensors], **kwargs)

    return ref


function_op("join", "concatenate", ref_join(np.concatenate), draw_join)
function_op("join", "cat", ref_join(np.concatenate), draw_join, ("concatenate",))
function_op("join", "stack", ref_join(np.stack), draw_join)


# --- selecting
def draw_where(draw: Any, pool: list, bad: bool) -> tuple:
    kind = draw(st.sampled_from(["bool_tensor", "bool_tensor", "bool_array", "any_tensor"]))
    if kind == "any_tensor":
        c = _tensor(draw, pool)
    else:
        j = _pick(draw, pool, lambda a: a.dtype == np.bool_)
        c = Ref(j) if kind == "bool_tensor" else Raw(j)
    shape = pool[c.i].shape
    x = draw(BAD_OPERANDS) if bad else _operand(draw, pool, shape)
    y = _operand(draw, pool, shape)
    return ((c, x, y) if draw(st.booleans()) else (c, y, x)), {}


def ref_where(c: Any, x: Any, y: Any) -> np.ndarray:
    if isinstance(x, TV):
        anchor = x.a.dtype
    elif isinstance(y, TV):
        anchor = y.a.dtype
    else:
        x = as_tensor_value(x)
        if not isinstance(x, np.ndarray):
            return np.where(unwrap(c), x, y)
        anchor, x = x.dtype, TV(x)
    return np.where(as_tensor_value(c), lift(x, anchor), lift(y, anchor))


function_op("select", "where", ref_where, draw_where)

BOUNDS = st.one_of(
    st.none(),
    st.floats(-3, 3),
    st.sampled_from([0, 1, -1, NAN, INF, -INF]),
    NP_SCALARS,
)


def draw_clip(draw: Any, pool: list, bad: bool) -> tuple:
    t = _tensor(draw, pool)
    low, high = draw(BOUNDS), draw(BOUNDS)
    if bad:
        low = draw(BAD_BOUNDS)
    elif draw(st.integers(0, 5)) == 0:  # an array bound
        low = Raw(_partner(draw, pool, pool[t.i].shape))
    return (t, low, high), {}


method_op("clip", "clip", lambda t, low, high: ref_clip(t.a, low, high), draw_clip)


# --- astype
ASTYPE_DTYPES = st.sampled_from(
    [np.float64, np.float32, np.int64, np.bool_, "float32", "int64", "bool", np.int8, np.float16]
)


def draw_astype(draw: Any, pool: list, bad: bool) -> tuple:
    return (_tensor(draw, pool), draw(BAD_DTYPES if bad else ASTYPE_DTYPES)), {}


method_op("astype", "astype", lambda t, d: t.a.astype(d), draw_astype)


# --- the functional forms, which take arrays, numbers and lists as well as Tensors
def draw_lone(draw: Any, pool: list, bad: bool) -> Any:
    """The first argument of a functional form: anything a Tensor can be made from."""
    if bad:
        return draw(BAD_OPERANDS)
    i = draw(st.integers(0, len(pool) - 1))
    kind = draw(st.sampled_from(["tensor", "tensor", "array", "list", "scalar", "npscalar"]))
    if kind == "scalar":
        return draw(SCALARS)
    if kind == "npscalar":
        return draw(NP_SCALARS)
    if kind == "list" and pool[i].ndim:
        return pool[i].tolist()
    return Ref(i) if kind == "tensor" else Raw(i)


def draw_functional_binary(draw: Any, pool: list, bad: bool) -> tuple:
    x = draw_lone(draw, pool, False)
    shape = pool[x.i].shape if isinstance(x, Ref | Raw) else np.shape(x)
    y = draw(BAD_OPERANDS) if bad else _operand(draw, pool, shape)
    return ((x, y) if draw(st.booleans()) else (y, x)), {}


for _name, _fn in (
    ("add", operator.add),
    ("sub", operator.sub),
    ("mul", operator.mul),
    ("div", operator.truediv),
    ("pow", operator.pow),
    ("matmul", operator.matmul),
    ("maximum", np.maximum),
    ("minimum", np.minimum),
):
    function_op(
        "functional",
        _name,
        lambda x, y, _fn=_fn: ref_binary(_fn, x, y),
        draw_functional_binary,
        # a Python number beside a float tensor is the scalar op's attribute (tensor.py)
        (f"{_name}_scalar",) if _name in ("add", "mul", "div", "pow") else (),
    )


def draw_functional_unary(draw: Any, pool: list, bad: bool) -> tuple:
    return (draw_lone(draw, pool, bad),), {}


for _name, _np in {**UNARY, "neg": np.negative}.items():
    function_op(
        "functional", _name, lambda x, _np=_np: _np(as_tensor_value(x)), draw_functional_unary
    )


def draw_functional_with(inner: Callable) -> Callable:
    """Arguments of a method's draw, with a lone value instead of the receiver."""

    def draw_args(draw: Any, pool: list, bad: bool) -> tuple:
        args, kwargs = inner(draw, pool, bad)
        if draw(st.integers(0, 2)) == 0:
            args = (draw_lone(draw, pool, False), *args[1:])
        return args, kwargs

    return draw_args


def draw_functional_shape(draw: Any, pool: list, bad: bool) -> tuple:
    """``ag.reshape(x, shape)``: the shape as numpy takes it, a tuple, list or int."""
    x = _tensor(draw, pool)
    if bad:
        return (x, draw(BAD_SHAPES)), {}
    shape = pool[x.i].shape
    target = draw(
        st.sampled_from(
            [_reshape_target(draw, shape), _broadcast_target(draw, shape), [math.prod(shape)]]
        )
    )
    form = draw(st.sampled_from(["tuple", "list", "int"]))
    if form == "int" and len(target) == 1:
        return (x, target[0]), {}
    return (x, tuple(target) if form == "tuple" else target), {}


def draw_functional_axes(draw: Any, pool: list, bad: bool) -> tuple:
    x = _tensor(draw, pool)
    if bad:
        return (x, draw(BAD_AXES)), {}
    ndim = pool[x.i].ndim
    axes = draw(st.one_of(st.none(), st.integers(-ndim - 1, ndim), st.just(())))
    if draw(st.booleans()):
        axes = _permutation(draw, ndim)
    return (x, axes), {}


for _name, _np, _draw in (
    ("sum", np.sum, draw_reduction),
    ("mean", np.mean, draw_reduction),
    ("max", np.max, draw_reduction),
    ("min", np.min, draw_reduction),
    ("logsumexp", ref_logsumexp, draw_reduction),
    ("softmax", ref_softmax, draw_softmax),
    ("log_softmax", ref_log_softmax, draw_softmax),
    ("squeeze", np.squeeze, draw_squeeze),
    ("unsqueeze", np.expand_dims, draw_unsqueeze),
    ("expand_dims", np.expand_dims, draw_unsqueeze),
):
    _ref = lambda x, *a, _np=_np, **kw: _np(as_tensor_value(x), *unwrap(a), **kw)  # noqa: E731
    _aka = ("unsqueeze",) if _name == "expand_dims" else ()
    function_op("functional", _name, _ref, draw_functional_with(_draw), _aka)
function_op(
    "functional",
    "clip",
    lambda x, low, high: ref_clip(as_tensor_value(x), low, high),
    draw_functional_with(draw_clip),
)
for _name, _np, _draw in (
    ("reshape", np.reshape, draw_functional_shape),
    ("broadcast_to", np.broadcast_to, draw_functional_shape),
    ("transpose", np.transpose, draw_functional_axes),
    ("permute", np.transpose, draw_functional_axes),
):
    _ref = lambda x, a, _np=_np: _np(as_tensor_value(x), unwrap(a))  # noqa: E731
    _aka = ("transpose",) if _name == "permute" else ()
    function_op("functional", _name, _ref, draw_functional_with(_draw), _aka)


# --- the Tensor itself: construction and the Python protocol
def draw_constructor(draw: Any, pool: list, bad: bool) -> tuple:
    data = draw(st.one_of(BAD_OPERANDS, st.just(None))) if bad else draw_lone(draw, pool, False)
    kwargs = {}
    if draw(st.booleans()):
        kwargs["dtype"] = draw(BAD_DTYPES if bad else st.one_of(st.none(), ASTYPE_DTYPES))
    if draw(st.booleans()):
        kwargs["requires_grad"] = True
    return (data,), kwargs


register(
    "misc",
    "Tensor",
    Op(Tensor, ref_tensor, draw_constructor, ("Tensor", "requires_grad"), function("Tensor")),
)
for _name, _engine, _ref in (
    ("len", len, lambda t: len(t.a)),
    ("bool", bool, lambda t: bool(t.a)),
    ("item", lambda t: t.item(), lambda t: t.a.item()),
    ("tolist", lambda t: t.tolist(), lambda t: t.a.tolist()),
    ("numpy", lambda t: t.numpy(), lambda t: t.a),  # refused (GraphError) if it requires grad
    (
        "shape",
        lambda t: (t.shape, t.ndim, t.size, t.dtype),
        lambda t: (t.a.shape, t.a.ndim, t.a.size, t.a.dtype),
    ),
):
    register("misc", f"py:{_name}", Op(_engine, _ref, draw_receiver, (_name,), function(_name)))


def _value_groups() -> list[str]:
    return [g for g in GROUPS if g not in ("misc",)]


# ---------------------------------------------------------------------------- running
def _resolve(value: Any, pool: list, engine: bool) -> Any:
    """Ref and Raw made concrete: from the engine's Tensors, or from the reference's arrays."""
    if isinstance(value, Ref):
        return pool[value.i] if engine else TV(pool[value.i])
    if isinstance(value, Raw):
        return pool[value.i].data if engine else pool[value.i]
    if isinstance(value, tuple):
        return tuple(_resolve(v, pool, engine) for v in value)
    if isinstance(value, list):
        return [_resolve(v, pool, engine) for v in value]
    return value


def _input_arrays(value: Any, pool: list[Tensor]) -> tuple[np.ndarray, ...]:
    """The arrays among a step's arguments (pool tensors and literal arrays)."""
    if isinstance(value, Ref | Raw):
        return (pool[value.i].data,)
    if isinstance(value, np.ndarray):
        return (value,)
    if isinstance(value, tuple | list):
        return tuple(a for v in value for a in _input_arrays(v, pool))
    return ()


def _names_op(error: Exception, names: tuple[str, ...]) -> bool:
    message = str(error)
    return any(re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", message) for n in names)


def reference(op: Op, args: tuple, kwargs: dict, arrays: list) -> tuple[Any, Exception | None]:
    """numpy's verdict: (result, None) or (None, the exception numpy raised)."""
    try:
        return op.ref(*_resolve(args, arrays, False), **_resolve(kwargs, arrays, False)), None
    except Exception as error:  # numpy (or the policy) refuses the call
        return None, error


def _tolerance(dtype: np.dtype) -> float:
    return {2: 1e-3, 4: 1e-5}.get(dtype.itemsize, 1e-9)


def _magnitude(values: Any) -> float:
    """The largest finite magnitude among the arrays in ``values`` (0 if none)."""
    arrays = [
        np.asarray(v, dtype=float)
        for v in values
        if isinstance(v, np.ndarray) and v.dtype.kind in "biuf"
    ]
    finite = [np.abs(a[np.isfinite(a)]) for a in arrays if a.size]
    return max((float(f.max()) for f in finite if f.size), default=0.0)


def assert_like_numpy(out: Any, expected: Any, where: str, inputs: tuple = ()) -> None:
    """``out`` (a Tensor) has the shape, dtype and values (NaN equal to NaN) of ``expected``.

    Values agree up to rounding relative to the largest input or output: sigmoid, mean and
    the softmax family are computed by other (equally valid) formulas than the references.
    """
    assert isinstance(out, Tensor), f"returned {type(out).__name__}, not a Tensor\n{where}"
    assert out.dtype.kind in "biuf", f"returned a Tensor of dtype {out.dtype}\n{where}"
    expected = np.asarray(expected)
    assert (out.shape, out.dtype) == (expected.shape, expected.dtype), (
        f"shape and dtype {out.shape} {out.dtype}; numpy gives {expected.shape} "
        f"{expected.dtype}\n{where}"
    )
    if expected.dtype.kind == "f":
        tol = _tolerance(expected.dtype)
        scale = _magnitude((expected, *inputs))
        np.testing.assert_allclose(
            out.data, expected, rtol=tol, atol=tol * scale + 1e-30, equal_nan=True, err_msg=where
        )
    else:
        np.testing.assert_array_equal(out.data, expected, err_msg=where)


def _same_python_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_python_value(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a is b  # numpy() shares the array
    return type(a) is type(b) and a == b


def _is_pooled(value: Any) -> bool:
    return (
        isinstance(value, np.ndarray)
        and value.dtype.kind in "biuf"
        and value.size <= MAX_POOL_SIZE
        and value.ndim <= MAX_POOL_NDIM
    )


def run_step(step: Step, pool: list[Tensor], transcript: list[str]) -> Tensor | None:
    """Apply one step to the engine and to numpy, check, and return what joins the pool.

    numpy decides what joins (so that the pool matches the one the strategy drew against):
    its result, when small enough, is replaced by the engine's, or stands in for it where the
    engine refused the call with a documented error.
    """
    op = OPS[step.op]
    kwargs = dict(step.kwargs)
    code = op.code(step.args, kwargs)
    transcript.append(f"t{len(pool)} = {code}")
    where = "\n".join(transcript)
    expected, numpy_error = reference(op, step.args, kwargs, [t.data for t in pool])
    try:
        out = op.engine(*_resolve(step.args, pool, True), **_resolve(kwargs, pool, True))
    except AutogradError as error:
        assert _names_op(error, op.names), (
            f"the message does not name the op (one of {op.names}): {error}\n{where}"
        )
        transcript[-1] += f"  # raises {type(error).__name__}"
        pooled = numpy_error is None and _is_pooled(np.asarray(expected))
        return Tensor(np.asarray(expected)) if pooled and not step.op.startswith("py:") else None
    except Exception as error:
        raise AssertionError(
            f"undocumented exception {type(error).__module__}.{type(error).__name__}: {error}"
            f"\n(numpy: {numpy_error!r})\n{where}"
        ) from error
    assert numpy_error is None, (
        f"the engine returned {out!r} where numpy raises {numpy_error!r}\n{where}"
    )
    if step.op.startswith("py:"):
        assert _same_python_value(out, expected), f"{out!r} != numpy's {expected!r}\n{where}"
        return None
    assert_like_numpy(out, expected, where, _input_arrays((step.args, step.kwargs), pool))
    return out if _is_pooled(np.asarray(expected)) else None


def run_backward(program: Program, pool: list[Tensor], transcript: list[str]) -> None:
    """The final backward: works when it should, raises the documented error otherwise."""
    pick, mode, grad = program.backward
    name = f"t{pick % len(pool)}"
    out = pool[pick % len(pool)]
    if mode == "sum":
        call, code = (lambda: out.sum().backward()), f"{name}.sum().backward()"
        expected_error = None if out.requires_grad else GraphError
    elif mode == "implicit":
        call, code = out.backward, f"{name}.backward()"
        expected_error = None if out.requires_grad and out.size == 1 else GraphError
    else:  # an explicit gradient: right, wrongly shaped, or of a wrong type
        if mode == "explicit":
            grad = np.linspace(-1.0, 1.0, out.size).reshape(out.shape)
        elif mode == "wrong_shape":
            grad = np.ones(out.shape + (2,))

        def call() -> None:
            out.backward(grad)

        code = f"{name}.backward({_render(grad)})"
        try:
            if np.asarray(grad).dtype.kind not in "biuf":  # None, strings: no numbers
                raise TypeError("not numeric")
            shape = np.array(grad, dtype=out.dtype).shape
        except Exception:  # numpy cannot make a gradient of it: any documented error
            expected_error = AutogradError
        else:
            expected_error = None if shape == out.shape else ShapeError
        if not out.requires_grad:
            expected_error = GraphError
    transcript.append(code)
    where = "\n".join(transcript)
    try:
        call()
    except AutogradError as error:
        assert expected_error is not None, f"backward raised {error!r}\n{where}"
        assert isinstance(error, expected_error), f"expected {expected_error}: {error!r}\n{where}"
        assert _names_op(error, ("backward",)), f"message does not name backward\n{where}"
        return
    except Exception as error:
        raise AssertionError(
            f"undocumented exception {type(error).__name__} in backward: {error}\n{where}"
        ) from error
    assert expected_error is None, f"backward did not raise {expected_error.__name__}\n{where}"
    for i, t in enumerate(pool):
        if t.grad is None:
            continue
        assert t.is_leaf and t.requires_grad, f"t{i} got a gradient but is no leaf\n{where}"
        assert isinstance(t.grad, Tensor), f"t{i}.grad is a {type(t.grad).__name__}\n{where}"
        assert (t.grad.shape, t.grad.dtype) == (t.shape, t.dtype), (
            f"t{i}.grad has shape {t.grad.shape} and dtype {t.grad.dtype}; the leaf has "
            f"{t.shape} and {t.dtype}\n{where}"
        )


def run_program(program: Program) -> None:
    pool = [Tensor(a.copy(), requires_grad=rg) for a, rg in program.leaves]
    transcript = [
        f"t{i} = Tensor({_render(a)}{', requires_grad=True' if rg else ''})"
        for i, (a, rg) in enumerate(program.leaves)
    ]
    for step in program.steps:
        out = run_step(step, pool, transcript)
        if out is not None:
            pool.append(out)
    run_backward(program, pool, transcript)


# --------------------------------------------------------------------------- strategy
@st.composite
def programs(draw: Any, ops: list[str], bad_types: bool = False, max_steps: int = 8) -> Program:
    """Leaves, then steps drawn against the pool's shapes (numpy says which results join)."""
    leaves = []
    for _ in range(draw(st.integers(1, 3))):
        a = draw(arrays())
        leaves.append((a, a.dtype.kind == "f" and draw(st.integers(0, 3)) > 0))
    pool = [a for a, _ in leaves]
    steps = []
    for _ in range(draw(st.integers(1, max_steps))):
        name = draw(st.sampled_from(ops))
        bad = bad_types and draw(st.booleans())
        args, kwargs = OPS[name].draw(draw, pool, bad)
        step = Step(name, args, tuple(kwargs.items()))
        steps.append(step)
        result, error = reference(OPS[name], args, kwargs, pool)
        if error is None and not name.startswith("py:") and _is_pooled(np.asarray(result)):
            pool.append(np.asarray(result))
    modes = ["sum", "sum", "implicit", "explicit", "wrong_shape"]
    mode = draw(st.sampled_from(modes + (["bad"] if bad_types else [])))
    grad = draw(BAD_GRADS) if mode == "bad" else None
    pick = draw(st.one_of(st.just(-1), st.integers(0, len(pool) - 1)))  # -1: the last result
    return Program(tuple(leaves), tuple(steps), (pick, mode, grad))


def fuzz_test(
    name: str, group_ops: list[str], bad_types: bool = False, examples: tuple = ()
) -> Callable:
    """A test that runs programs over ``group_ops``, plus the given explicit examples."""

    def test(program: Program) -> None:
        run_program(program)

    # a name of its own, so that hypothesis keeps each test's examples apart
    test.__name__ = test.__qualname__ = name
    test = given(program=programs(group_ops, bad_types))(test)
    for program in examples:
        test = example(program=program)(test)
    if examples:  # a regression: its first failing repro is the failure pytest reports
        test = settings(report_multiple_bugs=False)(test)
    return test


# ------------------------------------------------- fixed engine bugs: minimal repros
# Engine bugs this fuzz test found, each kept as an explicit example of the tests below so
# that it can never come back unnoticed.
def _program(leaves: tuple, *steps: Step, backward: tuple = (-1, "sum", None)) -> Program:
    return Program(leaves, steps, backward)


F64 = (leaf([1.0, 2.0], "float64"),)
F64_GRAD = (leaf([1.0, 2.0], "float64", True),)
F32 = (leaf([1.0, -2.0], "float32"),)
FIXED_BUGS = {
    "power": (
        _program((leaf([1, 2], "int64"),), Step("op:pow", (Ref(0), 2))),  # int64 ** 2 is float64
        _program((leaf([1, 2], "int64"),), Step("op:pow", (Ref(0), -1))),  # numpy raises
    ),
    "reduce": (  # the mean of int64 values sums in int64 (overflows); numpy sums in float64
        _program((leaf([2**62, 2**62], "int64"),), Step("m:mean", (Ref(0),))),
    ),
    "compare": (
        _program(F64 + (leaf([1.0, 2.0, 3.0], "float64"),), Step("op:lt", (Ref(0), Ref(1)))),
    ),
    "transpose": (
        _program(  # backward of transpose(-1, 0) transposes back with the wrong permutation
            (leaf([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], "float64", True),),
            Step("m:transpose", (Ref(0), -1, 0)),
        ),
        _program(F64, Step("m:swapaxes", (Ref(0), 0, 5))),  # IndexError
        _program(F64, Step("m:transpose", (Ref(0), ()))),  # numpy: axes don't match array
    ),
    "join": (
        _program(F64_GRAD, Step("ag:concatenate", ([Ref(0), Ref(0)],), (("axis", None),))),
        _program(F64, Step("ag:stack", ([Ref(0), Ref(0)],), (("axis", 5),))),  # "unsqueeze:"
        _program(F64, Step("ag:stack", ([Ref(0), Ref(0)],), (("axis", None),))),  # returns
    ),
    "clip": (_program(F32, Step("m:clip", (Ref(0), np.float64(0.0), None))),),  # float64
    "functional": (
        _program(F32, Step("ag:maximum", (0.0, Ref(0)))),  # float64
        _program(F64, Step("ag:reshape", (Ref(0), 2))),  # TypeError: 'int' is not iterable
        _program(F64, Step("ag:permute", (Ref(0), None))),  # TypeError
        _program((leaf([[1.0, 2.0]], "float64"),), Step("ag:transpose", (Ref(0), 0))),
    ),
    "misc": (
        _program((leaf(1.0, "float64"),), Step("py:len", (Ref(0),))),  # TypeError
        _program(F64, Step("py:bool", (Ref(0),))),  # ValueError
        _program(F64, Step("Tensor", (INF,), (("dtype", np.int64),))),  # OverflowError
    ),
    "types": (
        _program(F64, Step("op:add", (Ref(0), [None, None]))),  # NaN, numpy raises
        _program(F64, Step("op:add", (Ref(0), [[1.0], [1.0, 2.0]]))),  # ValueError
        _program((leaf([1, 2], "int64"),), Step("op:add", (Ref(0), 2**70))),  # OverflowError
        _program(F64, Step("ag:exp", (None,))),  # NaN, numpy raises
        _program(F64, Step("ag:exp", ("a",))),  # the message names Tensor, not exp
        _program(F64, Step("m:astype", (Ref(0), "foo"))),  # TypeError
        _program(F64, Step("m:astype", (Ref(0), str))),  # a Tensor of strings
        _program(F64, Step("m:sum", (Ref(0),), (("axis", [0]),))),  # numpy raises
        _program(F64, Step("m:swapaxes", (Ref(0), "a", 0))),  # TypeError
        _program(F64, Step("m:unsqueeze", (Ref(0), (0, 1)))),  # (1, 2); numpy: (1, 1, 2)
        _program(F64, Step("m:unsqueeze", (Ref(0), ()))),  # IndexError
        _program(F64, Step("getitem", (Ref(0), [[0, 1], [1]]))),  # ValueError
        _program(F64, Step("ag:cat", (None,))),  # TypeError
        _program(F64, Step("m:max", (Ref(0),), (("keepdims", "yes"),))),  # numpy raises
        _program(F64_GRAD, Step("op:mul", (Ref(0), 2.0)), backward=(-1, "bad", "a")),
    ),
}


def _fixed(*groups: str) -> tuple[Program, ...]:
    return tuple(p for g in groups for p in FIXED_BUGS[g])


def _group_test(group: str) -> Callable:
    return fuzz_test(f"test_fuzz_{group}", GROUPS[group], examples=FIXED_BUGS.get(group, ()))


test_fuzz_arith = _group_test("arith")
test_fuzz_power = _group_test("power")
test_fuzz_compare = _group_test("compare")
test_fuzz_matmul = _group_test("matmul")
test_fuzz_unary = _group_test("unary")
test_fuzz_reduce = _group_test("reduce")
test_fuzz_softmax = _group_test("softmax")
test_fuzz_shape = _group_test("shape")
test_fuzz_transpose = _group_test("transpose")
test_fuzz_index = _group_test("index")
test_fuzz_join = _group_test("join")
test_fuzz_select = _group_test("select")
test_fuzz_clip = _group_test("clip")
test_fuzz_astype = _group_test("astype")
test_fuzz_functional = _group_test("functional")
test_fuzz_misc = _group_test("misc")
test_fuzz_torch = _group_test("torch")
test_fuzz_types = fuzz_test(
    "test_fuzz_types", sorted(OPS), bad_types=True, examples=_fixed("types")
)
test_fuzz_all_ops = fuzz_test(
    "test_fuzz_all_ops",
    sorted(n for g in _value_groups() for n in GROUPS[g]),
    examples=_fixed("power", "reduce", "compare", "transpose", "join", "clip", "functional"),
)
