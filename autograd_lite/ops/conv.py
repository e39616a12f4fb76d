"""2-D convolution on ``(N, C, H, W)``: ``conv2d`` and the two ops its gradient is made of.

Forward is the book's im2col: every window of the input, a view (``_windows.windows``), is
copied once into the column matrix, ``(C * kh * kw, N * OH * OW)``, and multiplied with the
filters in one matrix product. Each matrix a kernel makes is asked of ``ctx.buffer``
(``_dual.scratch``), so a compiled replay convolves in preallocated memory. With
y = conv2d(x, w) and gy its gradient:

- ``conv2d_grad_input(gy, w)`` = dL/dx, the transposed convolution: the columns gy . w are
  added back onto the input positions they were read from, one kernel offset at a time (the
  book's col2im);
- ``conv2d_grad_weight(x, gy)`` = dL/dw, the columns of x contracted with gy over the batch
  and the output positions.

All three are linear in each input, and each one's gradient is made of the other two, so
their backward rules call each other through ``compute``: under ``create_graph=True`` they
record nodes, and a gradient penalty or a Hessian-vector product on a CNN works. Padding is
not an attribute here: ``functions_conv.conv2d`` pads first with the ``pad`` op.

Attributes: ``stride`` and ``dilation`` as pairs, ``groups`` (input channels and filters
split into that many independent groups; the weight is ``(O, C / groups, kh, kw)``).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ShapeError
from ._dual import Op, scratch
from ._windows import out_size, taps, windows


def _check(op: str, x_shape: tuple, w_shape: tuple, groups: int) -> None:
    """Shapes of an input (N, C, H, W) and a weight (O, C / groups, kh, kw) that fit."""
    if len(x_shape) != 4 or len(w_shape) != 4:
        raise ShapeError(
            f"{op}: input {x_shape} and weight {w_shape}: expected a 4-D input (N, C, H, W) "
            "and a 4-D weight (out_channels, in_channels / groups, kh, kw)"
        )
    channels, filters = x_shape[1], w_shape[0]
    if channels % groups or filters % groups or w_shape[1] * groups != channels:
        raise ShapeError(
            f"{op}: input {x_shape} and weight {w_shape} with groups={groups}: the input's "
            f"{channels} channels and the weight's {filters} filters must split into {groups} "
            f"groups, and the weight's axis 1 must be {channels} / {groups}"
        )


def _groups(groups: int, channels: int, filters: int):
    """For each group, the slices of its input channels and of its filters."""
    cg, og = channels // groups, filters // groups
    return [(slice(g * cg, (g + 1) * cg), slice(g * og, (g + 1) * og)) for g in range(groups)]


def _geometry(ctx) -> dict:
    """The attributes the three ops share: stride, dilation and groups."""
    return {k: ctx.attrs[k] for k in ("stride", "dilation", "groups")}


def _copy(ctx, name: str, view: np.ndarray) -> np.ndarray:
    """``view`` copied into a C-ordered array (a buffer of ``ctx``), to be reshaped freely."""
    array = scratch(ctx, name, view.shape, view)
    np.copyto(array, view)
    return array


def _matmul(a: np.ndarray, b: np.ndarray, axes: int, out: np.ndarray) -> None:
    """``out`` = a b, contracting a's last ``axes`` axes with b's first ``axes`` axes, each
    side flattened to a matrix (as ``np.tensordot`` does); ``out`` must be C-contiguous."""
    m, k, n = (math.prod(shape) for shape in (a.shape[:-axes], b.shape[:axes], b.shape[axes:]))
    np.dot(a.reshape(m, k), b.reshape(k, n), out=out.reshape(m, n))


class Conv2d(Op):
    @staticmethod
    def forward(ctx, x, w, stride, dilation, groups):
        _check("conv2d", x.shape, w.shape, groups)
        oh, ow = out_size(x.shape[2:], w.shape[2:], stride, dilation)
        if oh < 1 or ow < 1:
            raise ShapeError(
                f"conv2d: input {x.shape} is smaller than the dilated kernel of weight "
                f"{w.shape} (dilation {dilation}); pad the input or use a smaller kernel"
            )
        cols = windows(x, w.shape[2:], stride, dilation)  # (N, C, OH, OW, kh, kw), a view
        product = scratch(ctx, "product", (w.shape[0], x.shape[0], oh, ow), x, w)
        for c, f in _groups(groups, x.shape[1], w.shape[0]):
            # y[n, o, i, j] = sum_{c, p, q} x[n, c, i s + p d, j s + q d] w[o, c, p, q]: the
            # filters (O/g, C/g kh kw) times the columns (C/g kh kw, N OH OW)
            columns = _copy(ctx, "columns", cols[:, c].transpose(1, 4, 5, 0, 2, 3))
            _matmul(w[f], columns, 3, product[f])
        return product.transpose(1, 0, 2, 3)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.operands
        gx = gw = None
        if ctx.needs_input_grad[0]:
            gx = Conv2dGradInput.compute(grad, w, size=x.shape[2:], **_geometry(ctx))
        if ctx.needs_input_grad[1]:
            gw = Conv2dGradWeight.compute(x, grad, kernel=w.shape[2:], **_geometry(ctx))
        return gx, gw


class Conv2dGradInput(Op):
    """dL/dx of ``conv2d`` from gy and w: the transposed convolution onto an input of
    height and width ``size``."""

    @staticmethod
    def forward(ctx, gy, w, size, stride, dilation, groups):
        if gy.ndim != 4 or w.ndim != 4 or gy.shape[1] != w.shape[0]:
            raise ShapeError(
                f"conv2d_grad_input: gradient {gy.shape} and weight {w.shape}: expected a "
                f"4-D weight (O, C / groups, kh, kw) and a gradient (N, O, OH, OW)"
            )
        n, filters, oh, ow = gy.shape
        _check("conv2d_grad_input", (n, w.shape[1] * groups, *size), w.shape, groups)
        if (oh, ow) != out_size(size, w.shape[2:], stride, dilation):
            raise ShapeError(
                f"conv2d_grad_input: gradient {gy.shape} does not match an input of size "
                f"{size} with weight {w.shape}, stride {stride}, dilation {dilation}"
            )
        gx = scratch(ctx, "grad_x", (n, w.shape[1] * groups, *size), gy, w)
        gx.fill(0)
        for c, f in _groups(groups, gx.shape[1], filters):
            # cols[n, i, j, c, p, q] = sum_o gy[n, o, i, j] w[o, c, p, q], added back onto
            # x[n, c, i s + p d, j s + q d] (col2im, one kernel offset (p, q) at a time)
            rows = _copy(ctx, "rows", gy[:, f].transpose(0, 2, 3, 1))  # (N, OH, OW, O/g)
            cols = scratch(ctx, "columns", (n, oh, ow, *w.shape[1:]), gy, w)
            _matmul(rows, w[f], 1, cols)
            cols = cols.transpose(0, 3, 4, 5, 1, 2)
            offsets = (cols[:, :, p, q] for p in range(w.shape[2]) for q in range(w.shape[3]))
            for tap, col in zip(taps(gx[:, c], w.shape[2:], stride, (oh, ow), dilation), offsets):
                tap += col
        return gx

    @staticmethod
    def backward(ctx, grad):
        gy, w = ctx.operands
        ggy = gw = None
        if ctx.needs_input_grad[0]:  # linear in gy: its adjoint is the convolution itself
            ggy = Conv2d.compute(grad, w, **_geometry(ctx))
        if ctx.needs_input_grad[1]:
            gw = Conv2dGradWeight.compute(grad, gy, kernel=w.shape[2:], **_geometry(ctx))
        return ggy, gw


class Conv2dGradWeight(Op):
    """dL/dw of ``conv2d`` from x and gy, for a kernel of height and width ``kernel``."""

    @staticmethod
    def forward(ctx, x, gy, kernel, stride, dilation, groups):
        if x.ndim != 4 or gy.ndim != 4 or x.shape[0] != gy.shape[0] or gy.shape[1] % groups:
            raise ShapeError(
                f"conv2d_grad_weight: input {x.shape} and gradient {gy.shape}: expected "
                f"(N, C, H, W) and (N, O, OH, OW) with the same N and O divisible by {groups}"
            )
        _check("conv2d_grad_weight", x.shape, (gy.shape[1], x.shape[1] // groups, *kernel), groups)
        if gy.shape[2:] != out_size(x.shape[2:], kernel, stride, dilation):
            raise ShapeError(
                f"conv2d_grad_weight: gradient {gy.shape} does not match input {x.shape} with "
                f"kernel {kernel}, stride {stride}, dilation {dilation}"
            )
        cols = windows(x, kernel, stride, dilation)  # (N, C, OH, OW, kh, kw), a view
        gw = scratch(ctx, "grad_w", (gy.shape[1], x.shape[1] // groups, *kernel), x, gy)
        for c, f in _groups(groups, x.shape[1], gy.shape[1]):
            # gw[o, c, p, q] = sum_{n, i, j} gy[n, o, i, j] x[n, c, i s + p d, j s + q d]: the
            # gradient (O/g, N OH OW) times the columns (N OH OW, C/g kh kw)
            rows = _copy(ctx, "rows", gy[:, f].transpose(1, 0, 2, 3))
            columns = _copy(ctx, "columns", cols[:, c].transpose(0, 2, 3, 1, 4, 5))
            _matmul(rows, columns, 3, gw[f])
        return gw

    @staticmethod
    def backward(ctx, grad):
        x, gy = ctx.operands
        gx = ggy = None
        if ctx.needs_input_grad[0]:
            gx = Conv2dGradInput.compute(gy, grad, size=x.shape[2:], **_geometry(ctx))
        if ctx.needs_input_grad[1]:
            ggy = Conv2d.compute(x, grad, **_geometry(ctx))
        return gx, ggy
