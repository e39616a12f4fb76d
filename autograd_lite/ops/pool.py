"""Pooling on the last two axes of ``(N, C, H, W)`` (or ``(C, H, W)``): max and average.

Both take ``kernel``, ``stride`` and (max only; ``functions_conv.avg_pool2d`` pads with the
``pad`` op) ``padding`` as pairs, and visit the windows one kernel offset at a time
(``_windows.taps``): for a 2x2 pool that is four strided views and an elementwise maximum,
much cheaper than the book's ``np.max`` over a column matrix.

Max-pool ties: the gradient goes to one element per window, the *first* maximum in row-major
order within the window (PyTorch's CPU kernel does the same). ``max_pool2d`` saves, for each
window, the kernel offset of its maximum (``index``); ``max_pool2d_grad`` adds the gradient
onto those elements and ``max_pool2d_select`` reads them, each the other's backward, so a
max-pooled network can be differentiated twice. Padding is -inf: it never wins a window.

``avg_pool2d`` divides every window's sum by kh * kw (padded zeros count, PyTorch's default
``count_include_pad=True``); ``avg_pool2d_grad`` spreads each gradient evenly over its window,
and the two are each other's backward.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ._dual import Op, copy, scratch
from ._windows import out_size, taps
from .pad import fill_padded, padded_shape
from .rounding import piecewise_constant


def _check(op: str, x_shape: tuple, kernel, stride, padding=(0, 0)) -> tuple[int, int]:
    """The output size of pooling an input of ``x_shape``, else a ShapeError."""
    if len(x_shape) not in (3, 4):
        raise ShapeError(f"{op}: expected an input (N, C, H, W) or (C, H, W), got {x_shape}")
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ShapeError(
            f"{op}: padding {padding} must be at most half the kernel {kernel} (as in PyTorch)"
        )
    padded = tuple(n + 2 * p for n, p in zip(x_shape[-2:], padding))
    oh, ow = out_size(padded, kernel, stride)
    if oh < 1 or ow < 1:
        raise ShapeError(
            f"{op}: input {x_shape} (padding {padding}) is smaller than the kernel {kernel}"
        )
    return oh, ow


def _pad(ctx, x: np.ndarray, padding, value: float) -> np.ndarray:
    """``x`` with ``value`` around its last two axes (a buffer of ``ctx``), or ``x`` itself."""
    if padding == (0, 0):
        return x
    widths = [(0, 0)] * (x.ndim - 2) + [(p, p) for p in padding]
    return fill_padded(scratch(ctx, "padded", padded_shape(x.shape, widths), x), x, widths, value)


def _crop(x: np.ndarray, padding) -> np.ndarray:
    (ph, pw), (h, w) = padding, x.shape[-2:]
    return x[..., ph : h - ph, pw : w - pw]


class MaxPool2d(Op):
    reads_inputs = False  # backward uses the index saved by forward

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out=None):
        oh, ow = _check("max_pool2d", x.shape, kernel, stride, padding)
        views = taps(_pad(ctx, x, padding, -np.inf), kernel, stride, (oh, ow))
        out = copy(next(views), out)  # the first view, to accumulate into
        kind = np.uint8 if kernel[0] * kernel[1] <= 256 else np.int32
        index = scratch(ctx, "index", out.shape, kind)
        index.fill(0)
        larger = scratch(ctx, "larger", out.shape, np.bool_)
        for k, view in enumerate(views, start=1):
            # strictly larger: ties keep the first
            np.copyto(index, k, where=np.greater(view, out, out=larger))
            np.maximum(out, view, out=out)  # NaN propagates, as in np.max
        ctx.save_for_backward(index)
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        size = ctx.inputs[0].shape[-2:]
        if not ctx.on_arrays:  # which element wins a window is a piecewise-constant
            grad = grad * piecewise_constant(ctx, 1.0)  # function of x: keep x in the graph
        return MaxPool2dGrad.compute(grad, index=index, size=size, **ctx.attrs)


class MaxPool2dGrad(Op):
    """dL/dx of ``max_pool2d``: each window's gradient added onto its maximum (``index``, the
    kernel offset in row-major order), on an input of height and width ``size``."""

    reads_inputs = False  # linear: backward needs only the attributes

    @staticmethod
    def forward(ctx, grad, index, size, kernel, stride, padding):
        if grad.shape != index.shape:
            raise ShapeError(f"max_pool2d_grad: gradient {grad.shape} != index {index.shape}")
        padded = tuple(n + 2 * p for n, p in zip(size, padding))
        gx = scratch(ctx, "grad_x", grad.shape[:-2] + padded, grad)
        gx.fill(0)
        chosen = scratch(ctx, "chosen", index.shape, np.bool_)
        apart = all(s >= k for s, k in zip(stride, kernel))  # each element in one window at most
        picked = None if apart else scratch(ctx, "picked", grad.shape, grad)
        for k, tap in enumerate(taps(gx, kernel, stride, grad.shape[-2:])):
            np.equal(index, k, out=chosen)  # the windows whose maximum is at offset k
            if apart:
                np.copyto(tap, grad, where=chosen)
            else:  # windows overlap: add (np.copyto then +=, much faster than add's where=)
                picked.fill(0)
                np.copyto(picked, grad, where=chosen)
                tap += picked
        return _crop(gx, padding)

    @staticmethod
    def backward(ctx, grad):
        # the adjoint of adding onto the maxima is reading them
        attrs = {k: ctx.attrs[k] for k in ("index", "kernel", "stride", "padding")}
        return MaxPool2dSelect.compute(grad, **attrs)


class MaxPool2dSelect(Op):
    """For each window, the element ``index`` points to: max pooling with a fixed choice."""

    reads_inputs = False  # linear: backward needs only the attributes

    @staticmethod
    def forward(ctx, x, index, kernel, stride, padding, out=None):
        out_hw = _check("max_pool2d_select", x.shape, kernel, stride, padding)
        if index.shape != x.shape[:-2] + out_hw:
            raise ShapeError(
                f"max_pool2d_select: index {index.shape} does not match input {x.shape} "
                f"pooled to {out_hw}"
            )
        if out is None:  # also when max_pool2d_grad's rule computes it
            out = scratch(ctx, "selected", index.shape, x)
        out.fill(0)
        chosen = scratch(ctx, "chosen", index.shape, np.bool_)
        for k, view in enumerate(taps(_pad(ctx, x, padding, 0.0), kernel, stride, out_hw)):
            np.copyto(out, view, where=np.equal(index, k, out=chosen))
        return out

    @staticmethod
    def backward(ctx, grad):
        size = ctx.inputs[0].shape[-2:]
        return MaxPool2dGrad.compute(grad, size=size, **ctx.attrs)


class AvgPool2d(Op):
    reads_inputs = False  # linear: backward needs only the input's shape

    @staticmethod
    def forward(ctx, x, kernel, stride, out=None):
        out_hw = _check("avg_pool2d", x.shape, kernel, stride)
        views = taps(x, kernel, stride, out_hw)
        total = copy(next(views), ctx.buffer("total", x.shape[:-2] + out_hw, x))
        for view in views:
            total += view
        count = np.asarray(kernel[0] * kernel[1], dtype=x.dtype)
        return np.divide(total, count, out=total if out is None else out)

    @staticmethod
    def backward(ctx, grad):
        size = ctx.inputs[0].shape[-2:]
        return AvgPool2dGrad.compute(grad, size=size, **ctx.attrs)


class AvgPool2dGrad(Op):
    """dL/dx of ``avg_pool2d``: each window's gradient / (kh kw) added onto its elements."""

    reads_inputs = False  # linear: backward needs only the attributes

    @staticmethod
    def forward(ctx, grad, size, kernel, stride):
        if grad.ndim not in (3, 4) or grad.shape[-2:] != out_size(size, kernel, stride):
            raise ShapeError(
                f"avg_pool2d_grad: gradient {grad.shape} does not match an input of size "
                f"{size} with kernel {kernel} and stride {stride}"
            )
        gx = scratch(ctx, "grad_x", grad.shape[:-2] + tuple(size), grad)
        gx.fill(0)
        count = np.asarray(kernel[0] * kernel[1], dtype=grad.dtype)
        share = np.divide(grad, count, out=ctx.buffer("share", grad.shape, grad, count))
        for tap in taps(gx, kernel, stride, grad.shape[-2:]):
            tap += share
        return gx

    @staticmethod
    def backward(ctx, grad):
        # spreading evenly and averaging are each other's adjoint
        return AvgPool2d.compute(grad, kernel=ctx.attrs["kernel"], stride=ctx.attrs["stride"])
