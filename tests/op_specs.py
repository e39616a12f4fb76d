"""The spec table: how to test each op of ``autograd_lite.OPS`` (and each derived op).

A spec gives the call under test, the numpy reference, and the input domain: values are
drawn from grids that keep clear of the points to avoid (relu and abs at 0, ties in max,
min, maximum and minimum, clip at its bounds, log and sqrt at 0 and below).
The convolution and pooling ops have theirs in ``conv_specs.py``.
``test_every_op_has_a_spec`` fails when an op of the library is missing here.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite.arguments import index_arg
from autograd_lite.testing import (
    broadcastable_shapes,
    cases,
    floats,
    grid,
    reduction_kwargs,
    shapes,
)

from .conv_specs import CONV_DERIVED_SPECS, CONV_SPECS
from .spec_base import OpSpec

POSITIVE = floats(0.2, 3.0)
AWAY_FROM_ZERO = grid(-2.0, 2.0, exclude=(0.0,))
DISTINCT = grid(-2.0, 2.0)  # with unique=True: any two values differ by >= 0.01


def _one_shape(shape_strategy=None):
    return (shapes() if shape_strategy is None else shape_strategy).map(lambda s: (s,))


def _axis_kwargs(shapes_):
    ndim = len(shapes_[0])
    return st.fixed_dictionaries({"axis": st.integers(-ndim, ndim - 1)})


def _reshape_kwargs(shapes_):
    (shape,) = shapes_
    size = int(np.prod(shape))
    return st.sampled_from([(size,), (-1,), (1, size), tuple(reversed(shape)), (size, 1, 1)]).map(
        lambda s: {"shape": s}
    )


def _transpose_kwargs(shapes_):
    ndim = len(shapes_[0])
    return st.one_of(st.none(), st.permutations(range(ndim)).map(tuple)).map(lambda a: {"axes": a})


@st.composite
def _broadcast_target(draw, shapes_):
    (shape,) = shapes_
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    stretched = [draw(st.integers(1, 3)) if n == 1 else n for n in shape]
    return {"shape": tuple(lead + stretched)}


@st.composite
def _sum_to_target(draw, shapes_):
    (shape,) = shapes_
    drop = draw(st.integers(0, len(shape)))
    return {"shape": tuple(1 if draw(st.booleans()) else n for n in shape[drop:])}


# Indexing with a boolean mask, or with index arrays apart or among slices with bounds,
# makes its result with numpy's advanced indexing, which takes no out=: a replay allocates
# it (docs/compile.md); integer arrays on adjacent axes among full slices replay into a
# buffer (tests/test_compile.py)
_NUMPY_INDEXING = {"allocation_free": False}


def _index_kwargs(shapes_):
    (shape,) = shapes_
    basic = hnp.basic_indices(shape, allow_ellipsis=True, allow_newaxis=True)
    strategies = [basic]
    if shape:
        strategies.append(hnp.integer_array_indices(shape))  # repeated indices included
        strategies.append(hnp.arrays(np.bool_, shape).map(lambda m: (m,)))
    return st.one_of(strategies).map(
        lambda i: {"index": index_arg(i)}  # numpy's normalised index form
    )


@st.composite
def _index_add_case(draw):
    from autograd_lite.testing import Case

    shape = draw(shapes(min_dims=1))
    index = draw(_index_kwargs((shape,)))["index"]
    x_shape = np.zeros(shape)[index].shape
    x = draw(hnp.arrays(np.float64, x_shape, elements=floats()))
    return Case((x,), {"shape": shape, "index": index})


def _index_add_reference(x, shape, index):
    out = np.zeros(shape)
    np.add.at(out, index, x)
    return out


@st.composite
def _concatenate_case(draw):
    base = list(draw(shapes(min_dims=1)))
    axis = draw(st.integers(0, len(base) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    input_shapes = tuple(tuple(base[:axis] + [n] + base[axis + 1 :]) for n in sizes)
    signed_axis = draw(st.sampled_from([axis, axis - len(base)]))
    return draw(
        cases(
            len(sizes),
            input_shapes=st.just(input_shapes),
            kwargs=lambda _: st.just({"axis": signed_axis}),
        )
    )


@st.composite
def _matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    batch = draw(broadcastable_shapes(2, max_dims=2, max_side=3))
    x_shape = (k,) if draw(st.booleans()) else (*batch[0], n, k)
    y_shape = (k,) if draw(st.booleans()) else (*batch[1], k, m)
    return (x_shape, y_shape)


@st.composite
def _linear_shapes(draw, bias: bool):
    """x of shape (..., in) (1-D included), w (in, out) and, with ``bias``, b (out,)."""
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return ((*lead, k), (k, m), (m,)) if bias else ((*lead, k), (k, m))


@st.composite
def _stack_case(draw):
    shape = draw(shapes())
    n = draw(st.integers(1, 3))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return draw(
        cases(n, input_shapes=st.just((shape,) * n), kwargs=lambda _: st.just({"axis": axis}))
    )


def _squeeze_kwargs(shapes_):
    (shape,) = shapes_
    ones = [i for i, n in enumerate(shape) if n == 1]
    return st.one_of(st.none(), st.sampled_from(ones) if ones else st.none()).map(
        lambda a: {"axis": a}
    )


def _unsqueeze_kwargs(shapes_):
    ndim = len(shapes_[0])
    return st.integers(-ndim - 1, ndim).map(lambda a: {"axis": a})


def _scalar_kwargs(_):
    # Python ints and floats, which x + c and c * x keep as an attribute
    return st.sampled_from([-2.5, -1, 0, 0.5, 3, 1e3]).map(lambda c: {"value": c})


def _clip_kwargs(_):
    # bounds sit halfway between grid values, so no input lies on a bound
    bounds = grid(-2.0, 2.0, step=0.01, offset=0.005)
    return st.tuples(bounds | st.none(), bounds | st.none()).map(
        lambda b: {"low": b[0], "high": b[1] if b[0] is None or b[1] is None else max(b)}
    )


def _where_kwargs(shapes_):
    shape = np.broadcast_shapes(*shapes_)
    return hnp.arrays(np.bool_, shape).map(lambda c: {"condition": c})


def _np_reduce(f):
    return lambda x, axis, keepdims: f(x, axis=axis, keepdims=keepdims)


def _np_logsumexp(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _np_sum_to(x, shape):
    x = x.sum(axis=tuple(range(x.ndim - len(shape))))
    return x.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)


def _np_softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _np_softmax_cross_entropy(x, t):
    return -np.sum(t * np.log(_np_softmax(x, 1)), axis=1)


@st.composite
def _label_kwargs(draw, shapes_):
    """Labels for (N, C) logits (C >= 2), the first always counted, and how to reduce."""
    n, classes = shapes_[0]
    rest = draw(hnp.arrays(np.int64, n - 1, elements=st.integers(0, classes - 1)))
    return {
        "labels": np.concatenate([[0], rest]).astype(np.int64),
        "reduction": draw(st.sampled_from(["none", "sum", "mean"])),
        "ignore_index": draw(st.sampled_from([-100, classes - 1])),
    }


def _np_label_cross_entropy(x, labels, reduction, ignore_index):
    kept = labels != ignore_index
    log_p = np.log(_np_softmax(x, 1))
    losses = np.where(kept, -log_p[np.arange(len(labels)), np.where(kept, labels, 0)], 0.0)
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / kept.sum()


def _np_dropout(x, p):
    keep = np.random.default_rng(0).random(x.shape) >= p
    return x * (keep / (1.0 - p) if p < 1.0 else np.zeros(x.shape))


def _np_erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def _np_softplus(x, beta, threshold):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _softplus_kwargs(_):
    # the kink threshold / beta sits halfway between grid values
    return st.sampled_from([(1.0, 20.0), (0.5, 0.5025), (2.0, 1.01), (1.0, -0.505)]).map(
        lambda b: {"beta": b[0], "threshold": b[1]}
    )


def _np_gelu(x, approximate):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + _np_erf(x / np.sqrt(2)))


def _hardtanh_kwargs(_):
    bounds = grid(-2.0, 2.0, step=0.01, offset=0.005)
    return (
        st.tuples(bounds, bounds)
        .filter(lambda b: b[0] != b[1])
        .map(lambda b: {"min_val": min(b), "max_val": max(b)})
    )


def _matrix_pair():
    return shapes(min_dims=2, max_dims=2).map(lambda s: (s, s))


def _one_axis_or_none(shapes_):
    ndim = len(shapes_[0])
    axes = st.none() | st.integers(-ndim, ndim - 1) if ndim else st.none()
    return st.fixed_dictionaries({"axis": axes, "keepdims": st.booleans()})


def _flip_kwargs(shapes_):
    return reduction_kwargs(shapes_[0]).map(lambda k: {"axis": k["axis"]})


def _count(shape, axis):
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis).tolist()
    return int(np.prod([shape[a] for a in axes]))


def _var_kwargs(shapes_, allow_single=True):
    (shape,) = shapes_

    def with_correction(k):
        count = _count(shape, k["axis"])
        return st.sampled_from([0, 1] if count > 1 else [0]).map(lambda c: {**k, "correction": c})

    kwargs = reduction_kwargs(shape)
    if not allow_single:  # std at a variance of 0 has no derivative
        kwargs = kwargs.filter(lambda k: _count(shape, k["axis"]) > 1)
    return kwargs.flatmap(with_correction)


def _np_var(x, axis, keepdims, correction):
    axis = tuple(np.atleast_1d(axis).tolist()) if axis is not None else None
    return np.var(x, axis=axis, ddof=correction, keepdims=keepdims)


@st.composite
def _flatten_kwargs(draw, shapes_):
    ndim = max(len(shapes_[0]), 1)
    start = draw(st.integers(0, ndim - 1))
    end = draw(st.integers(start, ndim - 1))
    return {"start_dim": start - draw(st.sampled_from([0, ndim])), "end_dim": end}


def _np_flatten(x, start_dim, end_dim):
    if x.ndim == 0:
        return x.reshape(1)
    start, end = start_dim % x.ndim, end_dim % x.ndim
    return x.reshape(
        x.shape[:start] + (int(np.prod(x.shape[start : end + 1])),) + x.shape[end + 1 :]
    )


def _reps_kwargs(min_extra):
    def kwargs(shapes_):
        ndim = len(shapes_[0])
        counts = st.integers(1, 3)
        return st.integers(max(ndim + min_extra, 0), ndim + 1).flatmap(
            lambda n: st.tuples(*[counts] * n).map(lambda r: {"reps": r})
        )

    return kwargs


@st.composite
def _gather_case(draw):
    from autograd_lite.testing import Case

    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    index_shape = list(shape)
    index_shape[axis] = draw(st.integers(1, 3))
    index = draw(hnp.arrays(np.int64, tuple(index_shape), elements=st.integers(0, shape[axis] - 1)))
    x = draw(hnp.arrays(np.float64, shape, elements=floats()))
    return Case((x,), {"axis": axis, "index": index})


def _masked_fill_kwargs(shapes_):
    mask = hnp.arrays(np.bool_, shapes_[0])
    return st.tuples(mask, st.sampled_from([-1.5, 0.0, 2.0])).map(
        lambda m: {"mask": m[0], "value": m[1]}
    )


def _two_axes_kwargs(shapes_):
    ndim = len(shapes_[0])
    axis = st.integers(-ndim, ndim - 1)
    return st.tuples(axis, axis).map(lambda a: {"axes": a})


def _round_kwargs(_):
    return st.sampled_from([0, 1, 2]).map(lambda d: {"decimals": d})


# values a quarter of a step off the grid: never an integer, a half or 0, where sign, floor,
# ceil and round (to 0, 1 or 2 decimals) jump
OFF_THE_JUMPS = grid(-3.0, 3.0, offset=0.0025)
WITH_ZEROS = st.one_of(st.just(0.0), floats())  # prod's gradient with one or more zeros


_ONE = cases(1)
_TWO = cases(2)

SPECS: dict[str, OpSpec] = {
    # arithmetic
    "add": OpSpec(lambda x, y: x + y, np.add, _TWO),
    "add_scalar": OpSpec(
        lambda x, value: x + value, lambda x, value: x + value, cases(1, kwargs=_scalar_kwargs)
    ),
    "sub": OpSpec(lambda x, y: x - y, np.subtract, _TWO),
    "mul": OpSpec(lambda x, y: x * y, np.multiply, _TWO),
    "mul_scalar": OpSpec(
        lambda x, value: value * x, lambda x, value: value * x, cases(1, kwargs=_scalar_kwargs)
    ),
    "div": OpSpec(lambda x, y: x / y, np.divide, cases(2, elements=[floats(), POSITIVE])),
    "div_scalar": OpSpec(
        lambda x, value: x / value,
        lambda x, value: x / value,
        cases(
            1, kwargs=lambda _: st.fixed_dictionaries({"value": st.sampled_from([-3, 0.5, 7.0])})
        ),
    ),
    "neg": OpSpec(lambda x: -x, np.negative, _ONE),
    "pow": OpSpec(lambda x, y: x**y, np.power, cases(2, elements=[POSITIVE, floats()])),
    "pow_scalar": OpSpec(
        lambda x, exponent: x**exponent,
        lambda x, exponent: x**exponent,
        cases(
            1,
            elements=POSITIVE,
            kwargs=lambda _: st.sampled_from([-2, -1, 0, 0.5, 1, 2, 3]).map(
                lambda c: {"exponent": c}
            ),
        ),
    ),
    # elementwise
    "exp": OpSpec(lambda x: x.exp(), np.exp, _ONE),
    "log": OpSpec(lambda x: x.log(), np.log, cases(1, elements=POSITIVE)),
    "sqrt": OpSpec(lambda x: x.sqrt(), np.sqrt, cases(1, elements=POSITIVE)),
    "abs": OpSpec(lambda x: x.abs(), np.abs, cases(1, elements=AWAY_FROM_ZERO)),
    "sin": OpSpec(lambda x: x.sin(), np.sin, _ONE),
    "cos": OpSpec(lambda x: x.cos(), np.cos, _ONE),
    "tanh": OpSpec(lambda x: x.tanh(), np.tanh, _ONE),
    "sigmoid": OpSpec(
        lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), cases(1, elements=floats(-6, 6))
    ),
    "relu": OpSpec(
        lambda x: x.relu(), lambda x: np.maximum(x, 0), cases(1, elements=AWAY_FROM_ZERO)
    ),
    # activations
    "erf": OpSpec(ag.erf, _np_erf, cases(1, elements=floats(-4, 4))),
    "softplus": OpSpec(
        ag.softplus, _np_softplus, cases(1, elements=DISTINCT, kwargs=_softplus_kwargs)
    ),
    "gelu": OpSpec(
        ag.gelu,
        _np_gelu,
        cases(
            1, kwargs=lambda _: st.sampled_from(["none", "tanh"]).map(lambda a: {"approximate": a})
        ),
    ),
    "silu": OpSpec(ag.silu, lambda x: x / (1 + np.exp(-x)), cases(1, elements=floats(-6, 6))),
    "elu": OpSpec(
        ag.elu,
        lambda x, alpha: np.where(x > 0, x, alpha * (np.exp(x) - 1)),
        cases(
            1,
            elements=AWAY_FROM_ZERO,
            kwargs=lambda _: st.sampled_from([1.0, 0.5, 2.0]).map(lambda a: {"alpha": a}),
        ),
    ),
    "leaky_relu": OpSpec(
        ag.leaky_relu,
        lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
        cases(
            1,
            elements=AWAY_FROM_ZERO,
            kwargs=lambda _: st.sampled_from([0.01, 0.2, 1.5]).map(lambda s: {"negative_slope": s}),
        ),
    ),
    "log_sigmoid": OpSpec(
        ag.log_sigmoid, lambda x: -np.log1p(np.exp(-x)), cases(1, elements=floats(-6, 6))
    ),
    "hardtanh": OpSpec(
        ag.hardtanh,
        lambda x, min_val, max_val: np.clip(x, min_val, max_val),
        cases(1, elements=DISTINCT, kwargs=_hardtanh_kwargs),
    ),
    # piecewise constant: gradient 0
    "sign": OpSpec(lambda x: x.sign(), np.sign, cases(1, elements=OFF_THE_JUMPS)),
    "floor": OpSpec(lambda x: x.floor(), np.floor, cases(1, elements=OFF_THE_JUMPS)),
    "ceil": OpSpec(lambda x: x.ceil(), np.ceil, cases(1, elements=OFF_THE_JUMPS)),
    "piecewise_constant": OpSpec(
        lambda x: ag.ops.PiecewiseConstant.apply(x, value=np.sign(x.data)),
        np.sign,
        cases(1, elements=OFF_THE_JUMPS),
        # its value is an attribute computed in Python: a compiled trace refuses that read
        {"compiled": False},
    ),
    "round": OpSpec(
        lambda x, decimals: x.round(decimals),
        lambda x, decimals: np.round(x, decimals),
        cases(1, elements=OFF_THE_JUMPS, kwargs=_round_kwargs),
    ),
    # selecting (y's grid is offset by half a step: x and y never tie)
    "maximum": OpSpec(
        ag.maximum, np.maximum, cases(2, elements=[DISTINCT, grid(-2, 2, offset=0.005)])
    ),
    "minimum": OpSpec(
        ag.minimum, np.minimum, cases(2, elements=[DISTINCT, grid(-2, 2, offset=0.005)])
    ),
    "clip": OpSpec(
        lambda x, low, high: x.clip(low, high),
        lambda x, low, high: np.clip(x, low, high) if (low, high) != (None, None) else x,
        cases(1, elements=DISTINCT, kwargs=_clip_kwargs),
    ),
    "where": OpSpec(
        lambda x, y, condition: ag.where(condition, x, y),
        lambda x, y, condition: np.where(condition, x, y),
        cases(2, kwargs=_where_kwargs),
    ),
    # reductions
    "sum": OpSpec(
        lambda x, axis, keepdims: x.sum(axis, keepdims),
        _np_reduce(np.sum),
        cases(1, kwargs=lambda s: reduction_kwargs(s[0])),
    ),
    "prod": OpSpec(
        lambda x, axis, keepdims: x.prod(dim=axis, keepdim=keepdims),
        _np_reduce(np.prod),
        cases(1, elements=WITH_ZEROS, kwargs=_one_axis_or_none),
    ),
    "cumsum": OpSpec(
        lambda x, axis: x.cumsum(dim=axis),
        lambda x, axis: np.cumsum(x, axis=axis),
        cases(1, kwargs=lambda s: _one_axis_or_none(s).map(lambda k: {"axis": k["axis"]})),
    ),
    "max": OpSpec(
        lambda x, axis, keepdims: x.max(axis, keepdims),
        _np_reduce(np.max),
        cases(1, elements=DISTINCT, unique=True, kwargs=lambda s: reduction_kwargs(s[0])),
    ),
    "min": OpSpec(
        lambda x, axis, keepdims: x.min(axis, keepdims),
        _np_reduce(np.min),
        cases(1, elements=DISTINCT, unique=True, kwargs=lambda s: reduction_kwargs(s[0])),
    ),
    # shape
    "reshape": OpSpec(
        lambda x, shape: x.reshape(shape),
        lambda x, shape: np.reshape(x, shape),
        cases(1, kwargs=_reshape_kwargs),
    ),
    "transpose": OpSpec(
        lambda x, axes: x.permute(*(axes or ())),
        lambda x, axes: np.transpose(x, axes),
        cases(1, kwargs=_transpose_kwargs),
    ),
    "flip": OpSpec(
        lambda x, axis: x.flip(dims=axis),
        lambda x, axis: np.flip(x, axis=axis),
        cases(1, kwargs=_flip_kwargs),
    ),
    "clone": OpSpec(lambda x: x.clone(), np.copy, _ONE),
    "broadcast_to": OpSpec(
        lambda x, shape: x.broadcast_to(shape),
        lambda x, shape: np.broadcast_to(x, shape),
        cases(1, kwargs=_broadcast_target),
    ),
    "sum_to": OpSpec(lambda x, shape: x.sum_to(shape), _np_sum_to, cases(1, kwargs=_sum_to_target)),
    "astype": OpSpec(
        lambda x: x.astype(np.float32).astype(np.float64),
        lambda x: x.astype(np.float32).astype(np.float64),
        _ONE,
        {"eps": 1e-2, "atol": 1e-4},
    ),
    # indexing and joining
    "getitem": OpSpec(
        lambda x, index: x[index],
        lambda x, index: x[index],
        cases(1, input_shapes=_one_shape(shapes(min_dims=1)), kwargs=_index_kwargs),
        _NUMPY_INDEXING,
    ),
    "index_add": OpSpec(
        lambda x, shape, index: ag.ops.IndexAdd.apply(x, shape=shape, index=index),
        _index_add_reference,
        _index_add_case(),
        _NUMPY_INDEXING,  # its backward is getitem's forward, with the same indexes
    ),
    "concatenate": OpSpec(
        lambda *xs, axis: ag.concatenate(xs, axis=axis),
        lambda *xs, axis: np.concatenate(xs, axis=axis),
        _concatenate_case(),
    ),
    # linear algebra
    "matmul": OpSpec(lambda x, y: x @ y, np.matmul, cases(2, input_shapes=_matmul_shapes())),
    "linear": OpSpec(
        lambda x, w, *b: ag.linear(x, w, *b),
        lambda x, w, *b: x @ w + (b[0] if b else 0.0),
        cases(2, input_shapes=_linear_shapes(False)) | cases(3, input_shapes=_linear_shapes(True)),
    ),
    # fused, numerically stable
    "softmax": OpSpec(
        lambda x, axis: x.softmax(axis),
        _np_softmax,
        cases(1, input_shapes=_one_shape(shapes(min_dims=1)), kwargs=_axis_kwargs),
    ),
    "log_softmax": OpSpec(
        lambda x, axis: x.log_softmax(axis),
        lambda x, axis: np.log(_np_softmax(x, axis)),
        cases(1, input_shapes=_one_shape(shapes(min_dims=1)), kwargs=_axis_kwargs),
    ),
    "logsumexp": OpSpec(
        lambda x, axis, keepdims: x.logsumexp(axis, keepdims),
        _np_logsumexp,
        cases(1, kwargs=lambda s: reduction_kwargs(s[0])),
    ),
    "softmax_cross_entropy": OpSpec(
        ag.softmax_cross_entropy,
        _np_softmax_cross_entropy,
        cases(2, elements=[floats(), floats(0, 1)], input_shapes=_matrix_pair()),
    ),
    "dropout": OpSpec(
        lambda x, p: ag.dropout(x, p, np.random.default_rng(0)),  # the same mask every call
        _np_dropout,
        cases(1, kwargs=lambda _: st.fixed_dictionaries({"p": st.sampled_from([0, 0.3, 1])})),
        # compiled, the generator made at the trace draws a new mask on each replay (tested
        # in test_compile.py), so the replay cannot equal a call with a new generator
        {"compiled": False},
    ),
    "label_cross_entropy": OpSpec(
        lambda x, labels, reduction, ignore_index: ag.softmax_cross_entropy(
            x, labels, reduction=reduction, ignore_index=ignore_index
        ),
        _np_label_cross_entropy,
        cases(
            1,
            input_shapes=shapes(min_dims=2, max_dims=2, min_side=2).map(lambda s: (s,)),
            kwargs=_label_kwargs,
        ),
    ),
    # convolution and pooling (chapter 7)
    **CONV_SPECS,
}

# Derived ops: compositions of the primitives above, tested the same way.
DERIVED_SPECS: dict[str, OpSpec] = {
    "mean": OpSpec(
        lambda x, axis, keepdims: x.mean(axis, keepdims),
        _np_reduce(np.mean),
        cases(1, kwargs=lambda s: reduction_kwargs(s[0])),
    ),
    "stack": OpSpec(
        lambda *xs, axis: ag.stack(xs, axis=axis),
        lambda *xs, axis: np.stack(xs, axis=axis),
        _stack_case(),
    ),
    "squeeze": OpSpec(
        lambda x, axis: x.squeeze(axis),
        lambda x, axis: np.squeeze(x, axis),
        cases(1, kwargs=_squeeze_kwargs),
    ),
    "unsqueeze": OpSpec(
        lambda x, axis: x.unsqueeze(axis),
        lambda x, axis: np.expand_dims(x, axis),
        cases(1, kwargs=_unsqueeze_kwargs),
    ),
    "swapaxes": OpSpec(
        lambda x: x.swapaxes(0, -1),
        lambda x: np.swapaxes(x, 0, -1),
        cases(1, input_shapes=_one_shape(shapes(min_dims=1))),
    ),
    "T": OpSpec(lambda x: x.T, lambda x: x.T, _ONE),
    "transpose_two_axes": OpSpec(
        lambda x, axes: x.transpose(*axes),
        lambda x, axes: np.swapaxes(x, *axes),
        cases(1, input_shapes=_one_shape(shapes(min_dims=1)), kwargs=_two_axes_kwargs),
    ),
    "var": OpSpec(
        lambda x, axis, keepdims, correction: x.var(
            dim=axis, keepdim=keepdims, correction=correction
        ),
        _np_var,
        cases(1, kwargs=_var_kwargs),
    ),
    "std": OpSpec(
        lambda x, axis, keepdims, correction: x.std(axis, correction, keepdims),
        lambda x, axis, keepdims, correction: np.sqrt(_np_var(x, axis, keepdims, correction)),
        cases(
            1,
            elements=DISTINCT,
            unique=True,
            kwargs=lambda s: _var_kwargs(s, allow_single=False),
        ),
    ),
    "flatten": OpSpec(
        lambda x, start_dim, end_dim: x.flatten(start_dim, end_dim),
        _np_flatten,
        cases(1, kwargs=_flatten_kwargs),
    ),
    "tile": OpSpec(lambda x, reps: x.tile(reps), np.tile, cases(1, kwargs=_reps_kwargs(-3))),
    "repeat": OpSpec(lambda x, reps: x.repeat(*reps), np.tile, cases(1, kwargs=_reps_kwargs(0))),
    "masked_fill": OpSpec(
        lambda x, mask, value: x.masked_fill(mask, value),
        lambda x, mask, value: np.where(mask, value, x),
        cases(1, kwargs=_masked_fill_kwargs),
    ),
    "gather": OpSpec(
        lambda x, axis, index: x.gather(dim=axis, index=index),
        lambda x, axis, index: np.take_along_axis(x, index, axis),
        _gather_case(),
    ),
    **CONV_DERIVED_SPECS,
}
