"""A stateful test of the engine: random graphs, backward calls, and a numpy model of both.

The state machine keeps up to ``MAX_TENSORS`` tensors: leaves (float64, with or without
``requires_grad``), results of differentiable ops (made with grad on, under ``no_grad``, or
under ``enable_grad`` inside ``no_grad``), detached copies and detached copies made leaves.
Beside each tensor it keeps a model:

- its value as a numpy function of its inputs (``local``), so that any tensor can be
  recomputed from the leaf arrays, and what the README promises about it: whether it
  requires grad, which leaves a backward pass from it reaches, which recorded ops it
  depends on (``graph``) and which of its inputs an op that reads its inputs consumed;
- for every leaf, the gradient ``.grad`` should hold: the sum over the backward calls since
  its last ``zero_grad`` of ``numerical_gradient`` of (root function * upstream gradient);
- which recorded ops a backward without ``retain_graph`` has freed, and which read an input
  that was later modified in place (``t.data += ...``).

Rules create leaves, apply ops, detach, zero gradients, call backward (implied, explicit or
through ``.sum()``; with or without ``retain_graph``) and misuse the engine on purpose; each
documented error is checked against its trigger: GraphError mentioning ``retain_graph`` for a
second backward through a freed graph, GraphError for an implied gradient of a non-scalar and
for a tensor without a graph (made under ``no_grad``, detached), GraphError naming the
modification for an input modified in place before backward, and no ``.grad`` changes after
any of them. Invariants compare every leaf's gradient and every tensor's value with the model
after each step.

Values stay in safe domains by preconditions on the inputs of each op (exp of values up to
1.5, log and sqrt of values above 0.2, division by values away from 0) and away from the
points where an op is not differentiable (relu and abs at 0, ties of max and maximum, clip's
bounds) by a margin far wider than the numerical step, so central differences are exact to
rounding and a disagreement is a wrong gradient.
"""

from __future__ import annotations

import contextlib
import inspect
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import autograd_lite as ag
from autograd_lite import GraphError, Tensor

# ops whose backward reads their own output (ctx.output()): once that output is modified in
# place (through a detached copy sharing its version counter), their backward refuses
READS_OUTPUT = frozenset(
    name for name, op in ag.OPS.items() if "ctx.output()" in inspect.getsource(op.backward)
)

MAX_TENSORS = 12
MAX_SIZE = 24  # results with more elements are not made
BOUND = 5.0  # a tensor is an op's input only if its values are finite and within +-BOUND
GAP = 0.05  # distance kept from relu/abs at 0, ties, and clip's bounds
H = 1e-6  # the numerical step (float64: rounding error ~ 1e-10 relative)
MACHINE_SETTINGS = settings(stateful_step_count=30)  # max_examples etc. from the profile


# ------------------------------------------------------------------------------ the model
@dataclass
class Rec:
    """A tensor of the machine and the model's view of it."""

    tensor: Tensor
    kind: str  # "leaf", "const" (detached / made without grad) or "op"
    value: np.ndarray | None = None  # leaves and constants: the model's own copy
    inputs: tuple[int, ...] = ()
    local: Callable | None = None  # ops: numpy on the inputs' values
    requires_grad: bool = False
    leaves: frozenset = frozenset()  # the leaves requiring grad a backward from here reaches
    graph: frozenset = frozenset()  # the recorded ops (Rec indices) a backward walks through
    reads: frozenset = frozenset()  # inputs whose values a recorded op of this Rec reads
    expected_grad: np.ndarray | None = None  # leaves: what .grad should hold
    slack: float = 0.0  # leaves: the accumulated numerical error allowed


@dataclass(frozen=True)
class SafeOp:
    """An op of the public API, its numpy model and where it is safe to apply."""

    arity: int  # 1, 2, or 0 for a sequence (concatenate, stack)
    prims: tuple[str, ...]  # the primitive ops (autograd_lite.OPS) that consume the inputs
    engine: Callable  # (tensors, params) -> Tensor
    numpy: Callable  # (arrays, params) -> array
    params: Callable  # (data, arrays) -> params, or None where the op is not safe
    accepts: Callable = lambda *arrays: True  # a precondition on the inputs' values


def _finite_within(a: np.ndarray, bound: float = BOUND) -> bool:
    return bool(np.isfinite(a).all()) and float(np.abs(a).max(initial=0.0)) <= bound


def _no_params(data: Any, xs: list) -> dict:
    return {}


SAFE_OPS: dict[str, SafeOp] = {}


def safe(
    name: str,
    engine: Callable,
    numpy: Callable,
    *,
    arity: int = 1,
    prims: tuple[str, ...] = (),
    params: Callable = _no_params,
    accepts: Callable = lambda *arrays: True,
) -> None:
    """Register an op; ``prims`` default to the op's own name."""
    SAFE_OPS[name] = SafeOp(arity, prims or (name,), engine, numpy, params, accepts)


def call(method: str) -> Callable:
    """The engine side ``t.method(**params)``."""
    return lambda ts, p: getattr(ts[0], method)(**p)


def first(fn: Callable) -> Callable:
    """The numpy side ``fn(x, **params)``."""
    return lambda xs, p: fn(xs[0], **p)


def above(low: float) -> Callable:
    return lambda x: float(x.min(initial=np.inf)) >= low


def away_from_zero(margin: float) -> Callable:
    return lambda x: float(np.abs(x).min(initial=np.inf)) >= margin


def nonempty(x: np.ndarray) -> bool:
    return x.size > 0


# --- elementwise
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _clip(x: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    return x if low is None and high is None else np.clip(x, low, high)


def _exponent(data: Any, xs: list) -> dict | None:
    c = data.draw(st.sampled_from([2, 3, 2.0, -1.0, 0.5, 1.5, 0]), label="exponent")
    return {"c": c} if c in (2, 3, 0) or above(0.2)(xs[0]) else None


def _scalar(data: Any, xs: list) -> dict:
    return {"c": data.draw(st.sampled_from([-1.5, 0.5, 2.0, 3]), label="scalar")}


def _clip_bounds(data: Any, xs: list) -> dict | None:
    bound = st.one_of(st.none(), st.floats(-2, 2))
    low, high = data.draw(bound, label="low"), data.draw(bound, label="high")
    for b in (low, high):
        if b is not None and float(np.abs(xs[0] - b).min(initial=np.inf)) < GAP:
            return None
    return {"low": low, "high": high}


for _name, _np in (("tanh", np.tanh), ("sigmoid", _sigmoid), ("sin", np.sin), ("cos", np.cos)):
    safe(_name, call(_name), first(_np))
safe("neg", lambda ts, p: -ts[0], first(np.negative))
safe("exp", call("exp"), first(np.exp), accepts=lambda x: _finite_within(x, 1.5))
safe("log", call("log"), first(np.log), accepts=above(0.2))
safe("sqrt", call("sqrt"), first(np.sqrt), accepts=above(0.2))
safe("abs", call("abs"), first(np.abs), accepts=away_from_zero(GAP))
safe("relu", call("relu"), first(lambda x: np.maximum(x, 0.0)), accepts=away_from_zero(GAP))
safe("clip", call("clip"), first(_clip), params=_clip_bounds)
safe(
    "pow_scalar",
    lambda ts, p: ts[0] ** p["c"],
    lambda xs, p: xs[0] ** float(p["c"]),
    params=_exponent,
)
safe(
    "mul_scalar",
    lambda ts, p: ts[0] * p["c"],
    lambda xs, p: xs[0] * p["c"],
    prims=("mul_scalar",),  # a Python number beside a float tensor: MulScalar
    params=_scalar,
)
safe(
    "rsub_scalar",
    lambda ts, p: p["c"] - ts[0],
    lambda xs, p: p["c"] - xs[0],
    prims=("sub",),
    params=_scalar,
)
safe(
    "rdiv_scalar",
    lambda ts, p: p["c"] / ts[0],
    lambda xs, p: p["c"] / xs[0],
    prims=("div",),
    params=_scalar,
    accepts=away_from_zero(0.3),
)


# --- reductions and the softmax family
def _axes(data: Any, ndim: int) -> Any:
    """A valid axis: None, an int (maybe negative) or a tuple of distinct axes."""
    if not ndim:
        return data.draw(st.sampled_from([None, ()]), label="axis")
    one = st.integers(-ndim, ndim - 1)
    some = st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).flatmap(
        lambda axes: st.permutations([a - ndim if a % 2 else a for a in axes])
    )
    return data.draw(st.one_of(st.none(), one, some.map(tuple)), label="axis")


def _reduction(data: Any, xs: list) -> dict:
    keepdims = data.draw(st.booleans(), label="keepdims")
    return {"axis": _axes(data, xs[0].ndim), "keepdims": keepdims}


def _softmax_axis(data: Any, xs: list) -> dict:
    return {"axis": _axes(data, xs[0].ndim)}


def _reduced_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return tuple(sorted(a % ndim for a in (axis if isinstance(axis, tuple) else (axis,))))


def _extremum_params(largest: bool) -> Callable:
    """Axes for max/min, where the extreme of every slice stands GAP clear of the rest."""

    def params(data: Any, xs: list) -> dict | None:
        p, x = _reduction(data, xs), xs[0]
        axes = _reduced_axes(p["axis"], x.ndim)
        kept = [a for a in range(x.ndim) if a not in axes]
        size = int(np.prod([x.shape[a] for a in axes]))
        rows = np.sort(np.transpose(x, kept + list(axes)).reshape(-1, size), axis=1)
        if rows.shape[1] > 1:
            gaps = rows[:, -1] - rows[:, -2] if largest else rows[:, 1] - rows[:, 0]
            if float(gaps.min(initial=np.inf)) < GAP:
                return None
        return p

    return params


def _lse(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _softmax(x: np.ndarray, axis: Any) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(x: np.ndarray, axis: Any) -> np.ndarray:
    return x - _lse(x, axis, keepdims=True)


safe("sum", call("sum"), first(np.sum), params=_reduction)
safe("mean", call("mean"), first(np.mean), prims=("sum",), params=_reduction)
safe("max", call("max"), first(np.max), params=_extremum_params(True), accepts=nonempty)
safe("min", call("min"), first(np.min), params=_extremum_params(False), accepts=nonempty)
safe("logsumexp", call("logsumexp"), first(_lse), params=_reduction, accepts=nonempty)
safe("softmax", call("softmax"), first(_softmax), params=_softmax_axis, accepts=nonempty)
safe(
    "log_softmax", call("log_softmax"), first(_log_softmax), params=_softmax_axis, accepts=nonempty
)


# --- shape ops and indexing
def _reshape_params(data: Any, xs: list) -> dict:
    shape = list(xs[0].shape)
    dims = [n for n in shape if n != 1] + [1] * data.draw(st.integers(0, 2), label="ones")
    dims = list(data.draw(st.permutations(dims), label="dims"))
    # -1 is ambiguous for an empty array (numpy refuses it too)
    if dims and xs[0].size and data.draw(st.booleans(), label="minus_one"):
        dims[data.draw(st.integers(0, len(dims) - 1), label="where")] = -1
    return {"shape": tuple(dims)}


def _permutation(data: Any, xs: list) -> dict:
    """A permutation of the axes, each spelled positive or negative."""
    ndim = xs[0].ndim
    perm = data.draw(st.permutations(range(ndim)), label="perm")
    spelled = [a - ndim if data.draw(st.booleans(), label="negative") else a for a in perm]
    return {"axes": tuple(spelled)}


def _two_axes(data: Any, xs: list) -> dict | None:
    ndim = xs[0].ndim
    if not ndim:
        return None
    axis = st.integers(-ndim, ndim - 1)
    return {"axis1": data.draw(axis, label="axis1"), "axis2": data.draw(axis, label="axis2")}


def _squeeze_params(data: Any, xs: list) -> dict:
    ones = [a for a, n in enumerate(xs[0].shape) if n == 1]
    axis = data.draw(st.one_of(st.none(), st.sampled_from(ones) if ones else st.none()), "axis")
    return {"axis": axis}


def _unsqueeze_params(data: Any, xs: list) -> dict:
    ndim = xs[0].ndim
    return {"axis": data.draw(st.integers(-ndim - 1, ndim), label="axis")}


def _broadcast_params(data: Any, xs: list) -> dict:
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2), label="lead")
    shape = [data.draw(st.integers(1, 3), label="stretch") if n == 1 else n for n in xs[0].shape]
    return {"shape": tuple(lead + shape)}


def _index_params(data: Any, xs: list) -> dict:
    shape = xs[0].shape
    if not shape:
        return {"index": data.draw(st.sampled_from([(), None, Ellipsis]), label="index")}
    n = shape[0]
    # an empty axis has no integer to pick (a getitem can make one: x[[]])
    kinds = ["int", "slice", "ints", "mask", "tuple"]
    kinds = [k for k in kinds if (n or k not in ("int", "ints")) and (shape[-1] or k != "tuple")]
    kind = data.draw(st.sampled_from(kinds), label="kind")
    if kind == "int":
        index = data.draw(st.integers(-n, n - 1), label="i")
    elif kind == "slice":
        bound = st.one_of(st.none(), st.integers(-n, n))
        step = st.sampled_from([None, 1, 2, -1])
        index = slice(data.draw(bound, "start"), data.draw(bound, "stop"), data.draw(step, "step"))
    elif kind == "ints":  # repeats accumulate in the gradient
        values = data.draw(st.lists(st.integers(-n, n - 1), max_size=5), label="ints")
        index = np.array(values, dtype=np.int64)
    elif kind == "mask":
        index = data.draw(hnp.arrays(np.bool_, shape), label="mask")
    else:
        index = (Ellipsis, data.draw(st.integers(-shape[-1], shape[-1] - 1), label="last"), None)
    return {"index": index}


safe(
    "reshape",
    lambda ts, p: ts[0].reshape(p["shape"]),
    first(np.reshape),
    params=_reshape_params,
)
safe("flatten", call("flatten"), first(np.ravel), prims=("reshape",))


def _torch_transpose(x: np.ndarray, axes: tuple) -> np.ndarray:
    """``Tensor.transpose``: two axes are swapped (PyTorch), more are a permutation (numpy)."""
    return np.swapaxes(x, *axes) if len(axes) == 2 else np.transpose(x, axes)


safe(
    "transpose",
    lambda ts, p: ts[0].transpose(*p["axes"]),
    first(_torch_transpose),
    params=_permutation,
)
safe(
    "permute",
    lambda ts, p: ts[0].permute(*p["axes"]),
    first(np.transpose),
    prims=("transpose",),
    params=_permutation,
)
safe("T", lambda ts, p: ts[0].T, first(np.transpose), prims=("transpose",))
safe("swapaxes", call("swapaxes"), first(np.swapaxes), prims=("transpose",), params=_two_axes)
safe("squeeze", call("squeeze"), first(np.squeeze), prims=("reshape",), params=_squeeze_params)
safe(
    "unsqueeze",
    call("unsqueeze"),
    first(np.expand_dims),
    prims=("reshape",),
    params=_unsqueeze_params,
)
safe(
    "broadcast_to",
    lambda ts, p: ts[0].broadcast_to(p["shape"]),
    first(np.broadcast_to),
    params=_broadcast_params,
)
safe(
    "getitem",
    lambda ts, p: ts[0][p["index"]],
    lambda xs, p: xs[0][p["index"]],
    params=_index_params,
)


# --- binary ops
def _apart(data: Any, xs: list) -> dict | None:
    """No params; None where the two inputs come within GAP of each other (a tie)."""
    return {} if float(np.abs(xs[0] - xs[1]).min(initial=np.inf)) >= GAP else None


def _where_params(data: Any, xs: list) -> dict:
    """A fixed condition, from the first input's values: no gradient flows through it."""
    return {"condition": xs[0] > data.draw(st.sampled_from([0.0, 0.5]), label="threshold")}


def _aligned(x: np.ndarray, y: np.ndarray) -> bool:
    return x.ndim >= 1 and y.ndim >= 1 and x.shape[-1] == y.shape[-2 if y.ndim > 1 else -1]


for _name, _fn in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul)):
    safe(_name, lambda ts, p, _f=_fn: _f(*ts), lambda xs, p, _f=_fn: _f(*xs), arity=2)
safe(
    "div",
    lambda ts, p: ts[0] / ts[1],
    lambda xs, p: xs[0] / xs[1],
    arity=2,
    accepts=lambda x, y: away_from_zero(0.3)(y),
)
safe(
    "pow",
    lambda ts, p: ts[0] ** ts[1],
    lambda xs, p: xs[0] ** xs[1],
    arity=2,
    accepts=lambda x, y: above(0.2)(x) and _finite_within(y, 2.0),
)
safe(
    "maximum",
    lambda ts, p: ts[0].maximum(ts[1]),
    lambda xs, p: np.maximum(*xs),
    arity=2,
    params=_apart,
)
safe(
    "minimum",
    lambda ts, p: ts[0].minimum(ts[1]),
    lambda xs, p: np.minimum(*xs),
    arity=2,
    params=_apart,
)
safe("matmul", lambda ts, p: ts[0] @ ts[1], lambda xs, p: xs[0] @ xs[1], arity=2, accepts=_aligned)
safe(
    "where",
    lambda ts, p: ag.where(Tensor(p["condition"]), ts[0], ts[1]),
    lambda xs, p: np.where(p["condition"], xs[0], xs[1]),
    arity=2,
    params=_where_params,
)


# --- joining
def _join_axis(stack: bool) -> Callable:
    def params(data: Any, xs: list) -> dict | None:
        ndim = xs[0].ndim + (1 if stack else 0)
        if not ndim:
            return None
        return {"axis": data.draw(st.integers(-ndim, ndim - 1), label="axis")}

    return params


safe(
    "concatenate",
    lambda ts, p: ag.concatenate(ts, **p),
    lambda xs, p: np.concatenate(xs, **p),
    arity=0,
    params=_join_axis(stack=False),
)
safe(
    "stack",
    lambda ts, p: ag.stack(ts, **p),
    lambda xs, p: np.stack(xs, **p),
    arity=0,
    prims=("reshape",),
    params=_join_axis(stack=True),
)

ELEMENTWISE = [
    "tanh",
    "sigmoid",
    "sin",
    "cos",
    "neg",
    "exp",
    "log",
    "sqrt",
    "abs",
    "relu",
    "pow_scalar",
    "mul_scalar",
    "rsub_scalar",
    "rdiv_scalar",
    "clip",
]
REDUCTIONS = ["sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax"]
SHAPE_OPS = [
    "reshape",
    "flatten",
    "squeeze",
    "unsqueeze",
    "broadcast_to",
    "getitem",
    "concatenate",
    "stack",
]
PERMUTATIONS = ["transpose", "permute", "T", "swapaxes"]
BINARY = sorted(n for n, op in SAFE_OPS.items() if op.arity == 2)
GRAD_MODES = ("grad", "grad", "grad", "no_grad", "no_grad_decorator", "enable_grad_in_no_grad")


@contextlib.contextmanager
def grad_mode(mode: str) -> Iterator[None]:
    if mode == "no_grad":
        with ag.no_grad():
            yield
    elif mode == "enable_grad_in_no_grad":
        with ag.no_grad(), ag.enable_grad():
            yield
    else:
        yield


def _records(mode: str) -> bool:
    return mode in ("grad", "enable_grad_in_no_grad")


def _broadcasts(s1: tuple, s2: tuple) -> bool:
    try:
        np.broadcast_shapes(s1, s2)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------- the state machine
class EngineMachine(RuleBasedStateMachine):
    """Random graphs and backward calls, checked against the numpy model."""

    def __init__(self) -> None:
        super().__init__()
        self.recs: list[Rec] = []
        self.released: set[int] = set()  # recorded ops freed by a backward without retain
        # recorded ops that read an input, or their own output, modified since
        self.poisoned: set[int] = set()

    # ------------------------------------------------------------------ model helpers
    def _usable(self) -> list[int]:
        return [
            i
            for i, r in enumerate(self.recs)
            if _finite_within(r.tensor.data) and r.tensor.size <= MAX_SIZE
        ]

    def _ancestors(self, i: int) -> list[int]:
        seen, stack = {i}, [i]
        while stack:
            for j in self.recs[stack.pop()].inputs:
                if j not in seen:
                    seen.add(j)
                    stack.append(j)
        return sorted(seen)  # Recs are made after their inputs: index order is topological

    def _evaluate(self, indices: list[int], override: dict[int, np.ndarray]) -> dict:
        values: dict[int, np.ndarray] = {}
        for j in indices:
            r = self.recs[j]
            if r.kind == "op":
                values[j] = np.asarray(r.local([values[k] for k in r.inputs]))
            else:
                values[j] = override.get(j, r.value)
        return values

    def _add(self, rec: Rec) -> int:
        self.recs.append(rec)
        return len(self.recs) - 1

    def _leaf_rec(self, tensor: Tensor) -> Rec:
        index = len(self.recs)
        return Rec(
            tensor,
            "leaf",
            value=tensor.data.copy(),
            requires_grad=tensor.requires_grad,
            leaves=frozenset([index]) if tensor.requires_grad else frozenset(),
        )

    def _expected_contributions(self, root: int, upstream: np.ndarray) -> tuple[dict, float]:
        """d sum(root * upstream) / d leaf for every leaf a backward from root reaches."""
        order = self._ancestors(root)
        out_value = self._evaluate(order, {})[root]
        scale = float(np.sum(np.abs(out_value * upstream)))
        contributions = {}
        for leaf in self.recs[root].leaves:

            def f(a: np.ndarray, leaf: int = leaf) -> float:
                return float(np.sum(self._evaluate(order, {leaf: a})[root] * upstream))

            contributions[leaf] = ag.numerical_gradient(f, self.recs[leaf].value.copy(), h=H)
        # rounding of central differences: ~ eps * |f| / h per element, with a wide margin
        return contributions, 1e-8 + 1e-8 * scale

    def _grads_snapshot(self) -> list:
        return [None if r.tensor.grad is None else r.tensor.grad.data.copy() for r in self.recs]

    def _assert_grads_unchanged(self, before: list) -> None:
        for i, (r, g) in enumerate(zip(self.recs, before)):
            now = r.tensor.grad
            assert (now is None) == (g is None), f"t{i}.grad changed by a failed backward"
            if g is not None:
                np.testing.assert_array_equal(now.data, g, err_msg=f"t{i}.grad changed")

    # ------------------------------------------------------------------------ rules
    @precondition(lambda self: len(self.recs) < MAX_TENSORS)
    @rule(
        values=hnp.arrays(
            np.float64,
            hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4),
            elements=st.floats(-2, 2, allow_subnormal=False),
        ),
        requires_grad=st.sampled_from([True, True, True, False]),
    )
    def new_leaf(self, values: np.ndarray, requires_grad: bool) -> None:
        t = Tensor(values.copy(), requires_grad=requires_grad)
        assert t.is_leaf and t.grad is None and t.requires_grad == requires_grad
        self._add(self._leaf_rec(t))

    def _choose_inputs(self, name: str, data: Any) -> list[int] | None:
        """Inputs for ``name`` among the usable tensors, in its safe domain (None: none)."""
        op, usable = SAFE_OPS[name], self._usable()
        tensor = [self.recs[j].tensor for j in range(len(self.recs))]
        if op.arity == 2:
            pairs = [
                (j, k)
                for j in usable
                for k in usable
                if _broadcasts(tensor[j].shape, tensor[k].shape)
                and op.accepts(tensor[j].data, tensor[k].data)
            ]
            return list(data.draw(st.sampled_from(pairs), label="inputs")) if pairs else None
        fits = [j for j in usable if op.accepts(tensor[j].data)]
        if not fits:
            return None
        first = data.draw(st.sampled_from(fits), label="input")
        if op.arity == 0:  # a sequence of tensors of one shape
            same = [j for j in usable if tensor[j].shape == tensor[first].shape]
            return [first, *data.draw(st.lists(st.sampled_from(same), max_size=2), label="more")]
        return [first]

    def _apply(self, name: str, mode: str, data: Any) -> None:
        """Apply op ``name`` under grad mode ``mode``; check it against numpy; add it."""
        op = SAFE_OPS[name]
        inputs = self._choose_inputs(name, data)
        if inputs is None:
            return
        tensors = [self.recs[j].tensor for j in inputs]
        arrays = [t.data for t in tensors]
        params = op.params(data, arrays)
        if params is None:
            return
        expected = np.asarray(op.numpy(arrays, params))
        if expected.size > MAX_SIZE:
            return
        if mode == "no_grad_decorator":
            out = ag.no_grad()(op.engine)(tensors, params)
        else:
            with grad_mode(mode):
                out = op.engine(tensors, params)
        assert ag.is_grad_enabled(), f"grad mode not restored after {mode}"
        np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12, err_msg=name)
        assert out.dtype == np.float64, f"{name}: dtype {out.dtype}"
        recorded = _records(mode) and any(t.requires_grad for t in tensors)
        assert out.requires_grad == recorded, f"{name} under {mode}: requires_grad wrong"
        assert out.is_leaf == (not recorded), f"{name} under {mode}: is_leaf wrong"
        if recorded:
            self._record(out, op, inputs, params)
        else:  # made without a graph: a constant for every later op
            self._add(Rec(out, "const", value=out.data.copy()))

    def _record(self, out: Tensor, op: SafeOp, inputs: list[int], params: dict) -> None:
        """Add the result of a recorded op, with what a backward through it must do."""
        index = len(self.recs)
        grad_inputs = [j for j in inputs if self.recs[j].requires_grad]
        reads = any(ag.OPS[p].reads_inputs for p in op.prims)
        self._add(
            Rec(
                out,
                "op",
                inputs=tuple(inputs),
                local=lambda xs: op.numpy(xs, params),
                requires_grad=True,
                leaves=frozenset().union(*(self.recs[j].leaves for j in grad_inputs)),
                graph=frozenset([index]).union(*(self.recs[j].graph for j in grad_inputs)),
                reads=frozenset(inputs) if reads else frozenset(),
            )
        )

    @precondition(lambda self: len(self.recs) < MAX_TENSORS and self._usable())
    @rule(name=st.sampled_from(ELEMENTWISE), mode=st.sampled_from(GRAD_MODES), data=st.data())
    def apply_elementwise(self, name: str, mode: str, data: Any) -> None:
        self._apply(name, mode, data)

    @precondition(lambda self: len(self.recs) < MAX_TENSORS and self._usable())
    @rule(name=st.sampled_from(REDUCTIONS), mode=st.sampled_from(GRAD_MODES), data=st.data())
    def apply_reduction(self, name: str, mode: str, data: Any) -> None:
        self._apply(name, mode, data)

    @precondition(lambda self: len(self.recs) < MAX_TENSORS and self._usable())
    @rule(name=st.sampled_from(SHAPE_OPS), mode=st.sampled_from(GRAD_MODES), data=st.data())
    def apply_shape_op(self, name: str, mode: str, data: Any) -> None:
        self._apply(name, mode, data)

    @precondition(lambda self: len(self.recs) < MAX_TENSORS and self._usable())
    @rule(name=st.sampled_from(PERMUTATIONS), mode=st.sampled_from(GRAD_MODES), data=st.data())
    def apply_permutation(self, name: str, mode: str, data: Any) -> None:
        self._apply(name, mode, data)

    @precondition(lambda self: len(self.recs) < MAX_TENSORS and self._usable())
    @rule(name=st.sampled_from(BINARY), mode=st.sampled_from(GRAD_MODES), data=st.data())
    def apply_binary(self, name: str, mode: str, data: Any) -> None:
        self._apply(name, mode, data)

    @precondition(lambda self: len(self.recs) < MAX_TENSORS and self.recs)
    @rule(data=st.data(), as_leaf=st.booleans())
    def detach(self, data: Any, as_leaf: bool) -> None:
        i = data.draw(st.sampled_from(range(len(self.recs))), label="tensor")
        t = self.recs[i].tensor
        d = t.detach()
        assert not d.requires_grad and d.is_leaf and d.grad is None
        assert np.shares_memory(d.data, t.data) or t.size == 0, "detach copied the data"
        if as_leaf:  # a new leaf on the same values
            d.requires_grad = True
            self._add(self._leaf_rec(d))
        else:
            self._add(Rec(d, "const", value=d.data.copy()))

    @precondition(lambda self: any(r.kind == "leaf" for r in self.recs))
    @rule(data=st.data())
    def zero_grad(self, data: Any) -> None:
        i = data.draw(st.sampled_from([j for j, r in enumerate(self.recs) if r.kind == "leaf"]))
        self.recs[i].tensor.zero_grad()
        self.recs[i].expected_grad, self.recs[i].slack = None, 0.0

    @precondition(lambda self: any(r.requires_grad for r in self.recs))
    @rule(
        data=st.data(), form=st.sampled_from(["explicit", "implicit", "sum"]), retain=st.booleans()
    )
    def backward(self, data: Any, form: str, retain: bool) -> None:
        roots = [j for j, r in enumerate(self.recs) if r.requires_grad]
        i = data.draw(st.sampled_from(roots), label="root")
        rec, t = self.recs[i], self.recs[i].tensor
        if form == "implicit" and t.size != 1:
            form = "sum"
        if form == "explicit":
            upstream = data.draw(
                hnp.arrays(np.float64, t.shape, elements=st.floats(-1, 1)), label="grad"
            )
        else:
            upstream = np.ones(t.shape)

        def call(retain_graph: bool) -> None:
            if form == "explicit":
                t.backward(upstream, retain_graph=retain_graph)
            elif form == "implicit":
                t.backward(retain_graph=retain_graph)
            else:
                t.sum().backward(retain_graph=retain_graph)

        freed, modified = rec.graph & self.released, rec.graph & self.poisoned
        if freed or modified:
            before = self._grads_snapshot()
            # retain_graph=True: a backward that fails half-way frees nothing more
            with pytest.raises(GraphError) as info:
                call(retain_graph=True)
            message = str(info.value)
            if not modified:
                assert "retain_graph" in message, message
            elif not freed:
                assert "modified in place" in message, message
            self._assert_grads_unchanged(before)
            return
        contributions, tolerance = self._expected_contributions(i, upstream)
        call(retain)
        for leaf, c in contributions.items():
            r = self.recs[leaf]
            r.expected_grad = c if r.expected_grad is None else r.expected_grad + c
            r.slack += tolerance
        if not retain:
            self.released |= rec.graph

    @precondition(
        lambda self: any(
            r.requires_grad
            and r.kind == "op"
            and not r.graph & self.released
            and not r.graph & self.poisoned
            for r in self.recs
        )
    )
    @rule(data=st.data())
    def backward_twice_without_retain_graph(self, data: Any) -> None:
        roots = [
            j
            for j, r in enumerate(self.recs)
            if r.requires_grad
            and r.kind == "op"
            and not r.graph & self.released
            and not r.graph & self.poisoned
        ]
        i = data.draw(st.sampled_from(roots), label="root")
        rec, t = self.recs[i], self.recs[i].tensor
        upstream = np.full(t.shape, 0.5)
        contributions, tolerance = self._expected_contributions(i, upstream)
        t.backward(upstream)
        for leaf, c in contributions.items():
            r = self.recs[leaf]
            r.expected_grad = c if r.expected_grad is None else r.expected_grad + c
            r.slack += tolerance
        self.released |= rec.graph
        before = self._grads_snapshot()
        with pytest.raises(GraphError, match="retain_graph"):
            t.backward(upstream)
        self._assert_grads_unchanged(before)

    @precondition(lambda self: any(r.requires_grad and r.tensor.size != 1 for r in self.recs))
    @rule(data=st.data())
    def implied_gradient_of_a_non_scalar(self, data: Any) -> None:
        roots = [j for j, r in enumerate(self.recs) if r.requires_grad and r.tensor.size != 1]
        t = self.recs[data.draw(st.sampled_from(roots), label="root")].tensor
        before = self._grads_snapshot()
        with pytest.raises(GraphError, match="backward"):
            t.backward()
        self._assert_grads_unchanged(before)

    @precondition(lambda self: any(not r.requires_grad for r in self.recs))
    @rule(data=st.data(), explicit=st.booleans())
    def backward_without_a_graph(self, data: Any, explicit: bool) -> None:
        """Made under no_grad, detached, or a leaf without requires_grad: nothing to walk."""
        plain = [j for j, r in enumerate(self.recs) if not r.requires_grad]
        t = self.recs[data.draw(st.sampled_from(plain), label="tensor")].tensor
        assert not t.requires_grad and t.is_leaf
        before = self._grads_snapshot()
        with pytest.raises(GraphError, match="does not require grad"):
            t.backward(np.ones(t.shape)) if explicit else t.sum().backward()
        self._assert_grads_unchanged(before)

    @precondition(lambda self: len(self.recs) < MAX_TENSORS and self._modifiable())
    @rule(data=st.data(), reader=st.sampled_from(["mul", "tanh", "sin", "sigmoid", "div"]))
    def modify_an_input_in_place(self, data: Any, reader: str) -> None:
        """``x.data += 1`` between forward and backward: an op that reads x refuses.

        The values are put back afterwards (in the same array, so x keeps its new version):
        every op that read x before stays unable to backward, the others are unaffected.
        """
        i = data.draw(st.sampled_from(self._modifiable()), label="input")
        x = self.recs[i].tensor
        if reader in ("mul", "div") or not x.requires_grad:  # x and a partner
            partners = [
                j
                for j in self._usable()
                if _broadcasts(x.shape, self.recs[j].tensor.shape)
                and (x.requires_grad or self.recs[j].requires_grad)
                and (reader != "div" or SAFE_OPS["div"].accepts(x.data, self.recs[j].tensor.data))
            ]
            if not partners:
                return
            inputs = (i, data.draw(st.sampled_from(partners), label="partner"))
            op = SAFE_OPS["div" if reader == "div" else "mul"]
        else:
            inputs, op = (i,), SAFE_OPS[reader]
        tensors = [self.recs[j].tensor for j in inputs]
        if np.prod(np.broadcast_shapes(*(t.shape for t in tensors))) > MAX_SIZE:
            return
        y = op.engine(tensors, {})
        self._record(y, op, list(inputs), {})
        assert self.recs[-1].reads, f"{op.prims} no longer reads its inputs: pick another op"
        original = x.data.copy()
        before = self._grads_snapshot()
        x.data += 1.0  # in place, through .data: a new version of x
        try:
            with pytest.raises(GraphError, match="modified in place"):
                y.backward(np.ones(y.shape), retain_graph=True)
        finally:
            x.data[...] = original  # the old values back, in the same array (no new version)
        self._assert_grads_unchanged(before)
        # every tensor sharing x's version counter (x itself, its views, detached copies)
        # changed with it: the ops that read any of them can no longer backward, nor can
        # an op whose rule reads its own output when that output is among them
        changed = {j for j, r in enumerate(self.recs) if r.tensor._version is x._version}
        self.poisoned |= {j for j, r in enumerate(self.recs) if r.reads & changed}
        self.poisoned |= {
            j for j in changed if getattr(self.recs[j].tensor._op, "op_name", None) in READS_OUTPUT
        }

    def _modifiable(self) -> list[int]:
        """Leaves whose array can be written in place (not a read-only broadcast view)."""
        return [
            j
            for j, r in enumerate(self.recs)
            if r.kind == "leaf" and r.tensor.data.flags.writeable and _finite_within(r.value)
        ]

    # ------------------------------------------------------------------- invariants
    @invariant()
    def grad_mode_is_on(self) -> None:
        assert ag.is_grad_enabled()

    @invariant()
    def values_match_the_model(self) -> None:
        values = self._evaluate(list(range(len(self.recs))), {})
        for i, r in enumerate(self.recs):
            np.testing.assert_allclose(
                r.tensor.data, values[i], rtol=1e-9, atol=1e-12, err_msg=f"value of t{i}"
            )

    @invariant()
    def gradients_match_the_model(self) -> None:
        for i, r in enumerate(self.recs):
            g = r.tensor.grad
            if r.kind != "leaf" or r.expected_grad is None:
                assert g is None, f"t{i} ({r.kind}) has a gradient the model does not expect"
                continue
            assert g is not None, f"t{i} has no gradient; expected {r.expected_grad}"
            assert (g.shape, g.dtype) == (r.tensor.shape, r.tensor.dtype), f"t{i}.grad shape"
            np.testing.assert_allclose(
                g.data, r.expected_grad, rtol=1e-5, atol=r.slack, err_msg=f"gradient of t{i}"
            )


# --------------------------------------------------- fixed engine bugs: replayed steps
class Script:
    """Stands in for ``st.data()``: returns the given values, in order, for the draws."""

    def __init__(self, *values: Any) -> None:
        self.values = list(values)

    def draw(self, strategy: Any, label: str | None = None) -> Any:
        return self.values.pop(0)


def replay(steps: list[tuple[str, tuple]]) -> None:
    """Run rules of a fresh machine in order, checking the invariants after each."""
    machine = EngineMachine()
    for name, args in steps:
        getattr(machine, name)(*args)
        machine.grad_mode_is_on()
        machine.values_match_the_model()
        machine.gradients_match_the_model()


FIXED_BUGS = [
    # (fixed) transpose(-1, 0) of a 2x2 leaf: backward transposed the gradient back with argsort of
    # the axes as given, (0, 1), instead of the inverse permutation: the leaf's gradient is
    # the upstream gradient, untransposed (a silently wrong gradient; non-square: GraphError).
    # Two axes now swap, as in PyTorch; the step still checks the gradient is transposed back.
    [
        ("new_leaf", (np.array([[0.1, 0.7], [-1.3, 0.4]]), True)),
        ("apply_permutation", ("transpose", "grad", Script(0, (1, 0), True, False))),
        ("backward", (Script(1, np.array([[1.0, 2.0], [3.0, 4.0]])), "explicit", True)),
    ],
]


class TestEngineStateMachine(EngineMachine.TestCase):
    """The machine, after replaying the steps of fixed bugs (its explicit regressions)."""

    settings = MACHINE_SETTINGS

    def runTest(self) -> None:  # noqa: N802 (unittest's name)
        for steps in FIXED_BUGS:
            replay(steps)
        super().runTest()
