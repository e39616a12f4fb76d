"""Fused, numerically stable softmax, log_softmax, logsumexp and softmax cross-entropy.

Each shifts by the maximum before exponentiating, so logits of 1e4 give finite values and
gradients. They are single ops rather than compositions of exp/sum/log because the
composition would overflow.
"""

from __future__ import annotations

import numpy as np

from ._axes import check_keepdims, keepdims_shape, normalize_axes
from ._dual import Op, expand_dims


def _shift_by_max(
    ctx, x: np.ndarray, axes: tuple[int, ...], out=None
) -> tuple[np.ndarray, np.ndarray]:
    """``x - m`` (into ``out`` if given) and ``m``, the max over ``axes`` (keepdims; 0 where
    the max is not finite), ``m`` and its mask in buffers of ``ctx``."""
    kept = keepdims_shape(x.shape, axes)
    if x.size:
        m = np.asarray(x.max(axis=axes, keepdims=True, out=ctx.buffer("max", kept, x)))
        finite = np.isfinite(m, out=ctx.buffer("finite", kept, np.bool_))
        np.copyto(m, 0, where=np.logical_not(finite, out=ctx.buffer("infinite", kept, np.bool_)))
    else:  # an empty axis, or empty rows: np.max would fail
        m = np.zeros(kept, x.dtype)
    return np.subtract(x, m, out=out), m


def _log_sum_exp_shifted(shifted: np.ndarray, axes: tuple[int, ...], ctx) -> np.ndarray:
    """log(sum(exp(shifted))) over ``axes``, keepdims (a slice of all -inf gives -inf); the
    exponentials and the sums go into buffers of ``ctx``."""
    e = np.exp(shifted, out=ctx.buffer("exp", shifted.shape, shifted, 1.0))  # float for ints
    into = ctx.buffer("sum", keepdims_shape(e.shape, axes), e)
    total = np.sum(e, axis=axes, keepdims=True, out=into)
    with np.errstate(divide="ignore"):
        return np.log(total, out=into)


def _sum_kept(ctx, x):
    """The sum of x (an array, or a Tensor under create_graph) over the op's ``axis``,
    keepdims, into a buffer of ``ctx`` during a replay."""
    axis = ctx.attrs["axis"]
    kept = keepdims_shape(x.shape, normalize_axes("sum", axis, x.ndim))
    return np.sum(x, axis=axis, keepdims=True, out=ctx.buffer("sum_kept", kept, x))


class Softmax(Op):
    @staticmethod
    def forward(ctx, x, axis, out=None):
        axes = normalize_axes("softmax", axis, x.ndim)
        if x.size == 0:  # an empty axis, or empty rows: nothing to normalize (np.max would fail)
            return np.exp(x)  # empty, in the result's dtype (float for int input)
        kept = keepdims_shape(x.shape, axes)
        m = np.max(x, axis=axes, keepdims=True, out=ctx.buffer("max", kept, x))
        e = np.exp(np.subtract(x, m, out=out), out=out)
        total = np.sum(e, axis=axes, keepdims=True, out=ctx.buffer("sum", kept, e))
        return np.divide(e, total, out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # dx = y * (g - sum(g * y)) over the softmax axis
        y = ctx.output()
        total = _sum_kept(ctx, np.multiply(grad, y, out=out))
        return np.multiply(y, np.subtract(grad, total, out=out), out=out)


class LogSoftmax(Op):
    @staticmethod
    def forward(ctx, x, axis, out=None):
        # (x - m) - log(sum(exp(x - m))): subtracting the small log-sum last keeps float32
        # exact for large logits, where x - (m + log(...)) would round m + log(...) first
        axes = normalize_axes("log_softmax", axis, x.ndim)
        shifted, _ = _shift_by_max(ctx, x, axes, out)
        return np.subtract(shifted, _log_sum_exp_shifted(shifted, axes, ctx), out=out)

    @staticmethod
    def backward(ctx, grad, out=None):
        # dx = g - softmax(x) * sum(g) over the axis, with softmax(x) = exp(log_softmax(x))
        total = _sum_kept(ctx, grad)
        p = np.exp(ctx.output(), out=out)
        return np.subtract(grad, np.multiply(p, total, out=out), out=out)


class LogSumExp(Op):
    op_name = "logsumexp"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        axes = normalize_axes("logsumexp", axis, x.ndim)
        check_keepdims("logsumexp", keepdims)
        shifted, m = _shift_by_max(ctx, x, axes, ctx.buffer("shifted", x.shape, x))
        log_sum = _log_sum_exp_shifted(shifted, axes, ctx)
        out = np.add(log_sum, m, out=ctx.buffer("logsumexp", m.shape, log_sum, m))
        return out if keepdims else np.squeeze(out, axis=axes)

    @staticmethod
    def backward(ctx, grad, out=None):
        # d logsumexp(x)/dx = softmax(x) = exp(x - logsumexp(x))
        (x,) = ctx.operands
        axis, keepdims = ctx.attrs["axis"], ctx.attrs["keepdims"]
        kept = keepdims_shape(x.shape, normalize_axes("logsumexp", axis, x.ndim))
        y = ctx.output()
        if not keepdims:
            y, grad = y.reshape(kept), grad.reshape(kept)
        return np.multiply(grad, np.exp(np.subtract(x, y, out=out), out=out), out=out)


class SoftmaxCrossEntropy(Op):
    """Per-row cross-entropy of softmax(x) against a target distribution t, fused.

    loss_n = -sum_c t_nc log softmax(x)_nc for x and t of shape (N, C). One node instead of
    log_softmax, a product and a sum: the forward pass stays stable for huge logits and the
    backward pass is the notes' Softmax-with-Loss rule, (softmax(x) - t) per row when the
    rows of t sum to 1.
    """

    @staticmethod
    def forward(ctx, x, t):
        if x.ndim != 2 or t.shape != x.shape:
            raise ValueError(
                f"logits must have shape (N, C) and the target the same shape; got logits "
                f"{x.shape} and target {t.shape}"
            )
        shifted, _ = _shift_by_max(ctx, x, (1,), ctx.buffer("shifted", x.shape, x))
        e = np.exp(shifted, out=ctx.buffer("p", x.shape, shifted, 1.0))  # float for ints too
        total = e.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore"):  # a row of all -inf gives -inf
            into = ctx.buffer("log_p", x.shape, shifted, 1.0)
            log_p = np.subtract(shifted, np.log(total), out=into)
        p = np.divide(e, total, out=e)
        ctx.save_for_backward(p, log_p)  # softmax(x) and its log, for backward
        t_log_p = np.multiply(t, log_p, out=ctx.buffer("t_log_p", x.shape, t, log_p))
        losses = t_log_p.sum(axis=1, out=ctx.buffer("losses", x.shape[:1], t_log_p))
        return np.negative(losses, out=losses)

    @staticmethod
    def backward(ctx, grad, out=(None, None)):
        # d loss_n / dx_nk = softmax(x)_nk sum_c t_nc - t_nk;  d loss_n / dt_nk = -log softmax_nk
        # On arrays softmax(x) and its log come from forward; under create_graph they are
        # recomputed from x, as they must then be differentiable.
        x, t = ctx.operands
        g = expand_dims(grad, 1)
        gx = gt = None
        if ctx.needs_input_grad[0]:
            p = ctx.saved[0] if ctx.on_arrays else Softmax.compute(x, axis=1)
            gx = np.multiply(p, t.sum(axis=1, keepdims=True), out=out[0])
            gx = np.multiply(g, np.subtract(gx, t, out=out[0]), out=out[0])
        if ctx.needs_input_grad[1]:
            log_p = ctx.saved[1] if ctx.on_arrays else LogSoftmax.compute(x, axis=1)
            gt = np.negative(np.multiply(g, log_p, out=out[1]), out=out[1])
        return gx, gt
