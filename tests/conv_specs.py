"""Specs of the convolution, pooling and padding ops (chapter 7), merged into ``op_specs.py``.

Each reference is a direct loop over output positions in numpy (no im2col, no sliding
windows), so the ops are checked against the definition, not against their own method.
Geometries are drawn small (the gradient checks differentiate every element numerically)
but cover stride > 1, padding, dilation, groups, odd sizes, 1x1 kernels and batch 1; pairs
and plain ints are both drawn for the public functions' arguments.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite.testing import Case, floats, grid, shapes

from .spec_base import OpSpec

DISTINCT = grid(-2.0, 2.0)  # unique values: no ties in a max-pool window


def _pairs(a: int | tuple[int, int]) -> tuple[int, int]:
    return (a, a) if isinstance(a, int) else a


def _array(draw, shape, elements=None, unique=False):
    elements = floats() if elements is None else elements
    return draw(hnp.arrays(np.float64, shape, elements=elements, unique=unique))


def _int_or_pair(draw, values):
    """An int or a pair (h, w) drawn from ``values``; pairs are how the ops store it."""
    pair = (draw(st.sampled_from(values)), draw(st.sampled_from(values)))
    return pair[0] if pair[0] == pair[1] and draw(st.booleans()) else pair


@st.composite
def _conv_geometry(draw):
    """Batch, groups, channels, kernel, stride, dilation, padding and an input size with at
    least one output position."""
    g = dict(
        n=draw(st.integers(1, 2)),
        groups=draw(st.integers(1, 2)),
        cg=draw(st.integers(1, 2)),
        og=draw(st.integers(1, 2)),
        kernel=_pairs(_int_or_pair(draw, [1, 2, 3])),
        stride=_int_or_pair(draw, [1, 2]),
        dilation=_int_or_pair(draw, [1, 2]),
        padding=_int_or_pair(draw, [0, 1]),
    )
    spans = [d * (k - 1) + 1 for k, d in zip(g["kernel"], _pairs(g["dilation"]))]
    g["size"] = tuple(
        draw(st.integers(max(1, span - 2 * p), span - 2 * p + 2))
        for span, p in zip(spans, _pairs(g["padding"]))
    )
    # the gradient ops take no padding: their input is the padded image
    g["padded"] = tuple(n + 2 * p for n, p in zip(g["size"], _pairs(g["padding"])))
    return g


def _out_size(size, kernel, stride, dilation, padding=(0, 0)):
    return tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, s, d, p in zip(size, kernel, _pairs(stride), _pairs(dilation), _pairs(padding))
    )


def _window(x, i, j, kernel, stride, dilation):
    """x[..., the rows and columns window (i, j) reads]."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, _pairs(stride), _pairs(dilation)
    return x[
        ..., i * sh : i * sh + dh * (kh - 1) + 1 : dh, j * sw : j * sw + dw * (kw - 1) + 1 : dw
    ]


def _np_pad2d(x, padding, value=0.0):
    ph, pw = _pairs(padding)
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)], constant_values=value)


# --- conv2d and its two gradient ops ------------------------------------------------------


@st.composite
def _conv2d_case(draw, bias=False):
    g = draw(_conv_geometry())
    c, o = g["cg"] * g["groups"], g["og"] * g["groups"]
    x = _array(draw, (g["n"], c, *g["size"]))
    w = _array(draw, (o, g["cg"], *g["kernel"]))
    arrays = (x, w, _array(draw, (o,))) if bias else (x, w)
    kwargs = {k: g[k] for k in ("stride", "padding", "dilation", "groups")}
    return Case(arrays, kwargs)


def _np_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """y[n, o, i, j] = sum over the window (i, j) of o's group of x * w[o]: a direct loop."""
    xp = _np_pad2d(x, padding)
    o, cg = w.shape[:2]
    oh, ow = _out_size(xp.shape[2:], w.shape[2:], stride, dilation)
    out = np.zeros((x.shape[0], o, oh, ow))
    for n in range(x.shape[0]):
        for f in range(o):
            group = f // (o // groups)
            channels = xp[n, group * cg : (group + 1) * cg]
            for i in range(oh):
                for j in range(ow):
                    window = _window(channels, i, j, w.shape[2:], stride, dilation)
                    out[n, f, i, j] = np.sum(window * w[f])
    return out if b is None else out + b[:, None, None]


@st.composite
def _conv2d_grad_input_case(draw):
    g = draw(_conv_geometry())
    geometry = {"stride": _pairs(g["stride"]), "dilation": _pairs(g["dilation"])}
    out = _out_size(g["padded"], g["kernel"], **geometry)
    gy = _array(draw, (g["n"], g["og"] * g["groups"], *out))
    w = _array(draw, (g["og"] * g["groups"], g["cg"], *g["kernel"]))
    return Case((gy, w), {"size": g["padded"], "groups": g["groups"], **geometry})


def _np_conv2d_grad_input(gy, w, size, stride, dilation, groups):
    """Each output position adds gy[n, o, i, j] * w[o] onto the window it read."""
    o, cg = w.shape[:2]
    gx = np.zeros((gy.shape[0], cg * groups, *size))
    for n in range(gy.shape[0]):
        for f in range(o):
            group = f // (o // groups)
            channels = gx[n, group * cg : (group + 1) * cg]
            for i in range(gy.shape[2]):
                for j in range(gy.shape[3]):
                    _window(channels, i, j, w.shape[2:], stride, dilation)[...] += (
                        gy[n, f, i, j] * w[f]
                    )
    return gx


@st.composite
def _conv2d_grad_weight_case(draw):
    g = draw(_conv_geometry())
    geometry = {"stride": _pairs(g["stride"]), "dilation": _pairs(g["dilation"])}
    out = _out_size(g["padded"], g["kernel"], **geometry)
    x = _array(draw, (g["n"], g["cg"] * g["groups"], *g["padded"]))
    gy = _array(draw, (g["n"], g["og"] * g["groups"], *out))
    return Case((x, gy), {"kernel": g["kernel"], "groups": g["groups"], **geometry})


def _np_conv2d_grad_weight(x, gy, kernel, stride, dilation, groups):
    """gw[o] = sum over n, i, j of gy[n, o, i, j] * the window (i, j) of o's group."""
    o, cg = gy.shape[1], x.shape[1] // groups
    gw = np.zeros((o, cg, *kernel))
    for n in range(x.shape[0]):
        for f in range(o):
            group = f // (o // groups)
            channels = x[n, group * cg : (group + 1) * cg]
            for i in range(gy.shape[2]):
                for j in range(gy.shape[3]):
                    gw[f] += gy[n, f, i, j] * _window(channels, i, j, kernel, stride, dilation)
    return gw


# --- pooling --------------------------------------------------------------------------------


@st.composite
def _pool_geometry(draw):
    kernel = _pairs(_int_or_pair(draw, [1, 2, 3]))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    stride = draw(st.none() | st.sampled_from([1, 2, 3, (1, 2), (2, 1)]))
    lead = draw(st.sampled_from([(1, 1), (2, 1), (1, 2), (2,)]))  # (N, C) or (C,)
    size = tuple(
        draw(st.integers(max(1, k - 2 * p), k - 2 * p + 3)) for k, p in zip(kernel, padding)
    )
    return {"kernel": kernel, "stride": stride, "padding": padding, "shape": (*lead, *size)}


def _pool_kwargs(g):
    """The public functions' keywords; a pair that is one number goes in as an int."""
    kernel, padding = g["kernel"], g["padding"]
    return {
        "kernel_size": kernel[0] if kernel[0] == kernel[1] else kernel,
        "stride": g["stride"],
        "padding": padding[0] if padding[0] == padding[1] else padding,
    }


@st.composite
def _pool_case(draw, elements=None, unique=False):
    g = draw(_pool_geometry())
    if len(g["shape"]) == 3:  # the public functions take (N, C, H, W)
        g["shape"] = (1, *g["shape"])
    return Case((_array(draw, g["shape"], elements, unique),), _pool_kwargs(g))


def _np_pool(reduce, fill):
    def reference(x, kernel_size, stride=None, padding=0):
        kernel = _pairs(kernel_size)
        stride = kernel if stride is None else _pairs(stride)
        xp = _np_pad2d(x, padding, fill)
        oh, ow = _out_size(xp.shape[-2:], kernel, stride, (1, 1))
        out = np.zeros(x.shape[:-2] + (oh, ow))
        for i in range(oh):
            for j in range(ow):
                out[..., i, j] = reduce(_window(xp, i, j, kernel, stride, (1, 1)), axis=(-2, -1))
        return out

    return reference


def _op_geometry(g):
    """The pool ops' own attributes: every argument a pair, the stride filled in."""
    stride = g["kernel"] if g["stride"] is None else _pairs(g["stride"])
    return {"kernel": g["kernel"], "stride": stride, "padding": g["padding"]}


@st.composite
def _max_pool2d_index_case(draw, scatter):
    """An input of ``max_pool2d_grad`` (a pooled gradient) or ``max_pool2d_select`` (an
    image), with an index of kernel offsets drawn at random, repeats and padding included."""
    g = draw(_pool_geometry())
    geometry = _op_geometry(g)
    padded = [n + 2 * p for n, p in zip(g["shape"][-2:], g["padding"])]
    out = _out_size(padded, g["kernel"], geometry["stride"], (1, 1))
    lead = g["shape"][:-2]
    offsets = st.integers(0, g["kernel"][0] * g["kernel"][1] - 1)
    index = draw(hnp.arrays(np.uint8, (*lead, *out), elements=offsets))
    x = _array(draw, (*lead, *out) if scatter else g["shape"])
    size = {"size": g["shape"][-2:]} if scatter else {}
    return Case((x,), {"index": index, **size, **geometry})


def _np_max_pool2d_grad(grad, index, size, kernel, stride, padding):
    gx = _np_pad2d(np.zeros(grad.shape[:-2] + tuple(size)), padding)
    for pos in np.ndindex(grad.shape):
        *lead, i, j = pos
        p, q = divmod(int(index[pos]), kernel[1])
        gx[(*lead, i * stride[0] + p, j * stride[1] + q)] += grad[pos]
    (ph, pw), (h, w) = padding, size
    return gx[..., ph : ph + h, pw : pw + w]


def _np_max_pool2d_select(x, index, kernel, stride, padding):
    xp = _np_pad2d(x, padding)
    out = np.zeros(index.shape)
    for pos in np.ndindex(index.shape):
        *lead, i, j = pos
        p, q = divmod(int(index[pos]), kernel[1])
        out[pos] = xp[(*lead, i * stride[0] + p, j * stride[1] + q)]
    return out


@st.composite
def _avg_pool2d_grad_case(draw):
    g = draw(_pool_geometry())
    geometry = _op_geometry(g)
    out = _out_size(g["shape"][-2:], g["kernel"], geometry["stride"], (1, 1))
    if min(out) < 1:  # the op's input is already padded: the image must hold a window
        g["shape"] = g["shape"][:-2] + g["kernel"]
        out = _out_size(g["shape"][-2:], g["kernel"], geometry["stride"], (1, 1))
    grad = _array(draw, (*g["shape"][:-2], *out))
    return Case(
        (grad,), {"size": g["shape"][-2:], "kernel": g["kernel"], "stride": geometry["stride"]}
    )


def _np_avg_pool2d_grad(grad, size, kernel, stride):
    gx = np.zeros(grad.shape[:-2] + tuple(size))
    for i in range(grad.shape[-2]):
        for j in range(grad.shape[-1]):
            window = _window(gx, i, j, kernel, stride, (1, 1))
            window += grad[..., i, j, None, None] / (kernel[0] * kernel[1])
    return gx


# --- pad --------------------------------------------------------------------------------------


@st.composite
def _pad_case(draw):
    shape = draw(shapes(min_dims=1))
    pairs = draw(st.integers(1, len(shape)))
    widths = tuple(draw(st.integers(0, 2)) for _ in range(2 * pairs))
    value = draw(st.sampled_from([0.0, -1.5, 2.0]))
    return Case((_array(draw, shape),), {"pad": widths, "value": value})


def _np_pad(x, pad, value):
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)][::-1]
    return np.pad(x, [(0, 0)] * (x.ndim - len(pairs)) + pairs, constant_values=value)


CONV_SPECS: dict[str, OpSpec] = {
    "pad": OpSpec(lambda x, pad, value: ag.pad(x, pad, value=value), _np_pad, _pad_case()),
    "conv2d": OpSpec(ag.conv2d, _np_conv2d, _conv2d_case()),
    "conv2d_grad_input": OpSpec(
        ag.ops.Conv2dGradInput.apply, _np_conv2d_grad_input, _conv2d_grad_input_case()
    ),
    "conv2d_grad_weight": OpSpec(
        ag.ops.Conv2dGradWeight.apply, _np_conv2d_grad_weight, _conv2d_grad_weight_case()
    ),
    "max_pool2d": OpSpec(
        ag.max_pool2d, _np_pool(np.max, -np.inf), _pool_case(DISTINCT, unique=True)
    ),
    "max_pool2d_grad": OpSpec(
        ag.ops.MaxPool2dGrad.apply, _np_max_pool2d_grad, _max_pool2d_index_case(scatter=True)
    ),
    "max_pool2d_select": OpSpec(
        ag.ops.MaxPool2dSelect.apply, _np_max_pool2d_select, _max_pool2d_index_case(scatter=False)
    ),
    "avg_pool2d": OpSpec(ag.avg_pool2d, _np_pool(np.mean, 0.0), _pool_case()),
    "avg_pool2d_grad": OpSpec(
        ag.ops.AvgPool2dGrad.apply, _np_avg_pool2d_grad, _avg_pool2d_grad_case()
    ),
}

CONV_DERIVED_SPECS: dict[str, OpSpec] = {
    "conv2d_with_bias": OpSpec(ag.conv2d, _np_conv2d, _conv2d_case(bias=True)),
}
