"""Matrix multiplication with numpy's semantics: 1-D, 2-D and batched N-D with broadcast
batch dimensions."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ._dual import Op, expand_dims, matmul, sum_rows


def _check_matmul_shapes(x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim == 0 or y.ndim == 0:
        raise ShapeError(
            f"matmul: shapes {x.shape} and {y.shape}: matmul needs at least 1-D operands; "
            "use * to multiply by a scalar"
        )
    inner_x, inner_y = x.shape[-1], y.shape[-2 if y.ndim > 1 else -1]
    if inner_x != inner_y:
        raise ShapeError(
            f"matmul: shapes {x.shape} and {y.shape} do not align ({inner_x} != {inner_y})"
        )


def _swap_last(t):
    """The matrix transpose of each matrix in a (batched) array or Tensor."""
    return t.swapaxes(-1, -2)


class MatMul(Op):
    op_name = "matmul"

    @staticmethod
    def forward(ctx, x, y, out=None):
        _check_matmul_shapes(x, y)
        return np.matmul(x, y, out=out)

    @staticmethod
    def backward(ctx, grad, out=(None, None)):
        # for Z = X Y: dX = dZ Y^T and dY = X^T dZ (the notes' Affine layer). A 1-D operand is
        # treated as a row (x) or column (y) matrix, and its gradient squeezed back; batch
        # dimensions that were broadcast are summed away by the engine.
        x, y = ctx.operands
        g = grad
        if x.ndim == 1 and y.ndim == 1:
            g = g.reshape(1, 1)
        elif x.ndim == 1:
            g = expand_dims(g, -2)
        elif y.ndim == 1:
            g = expand_dims(g, -1)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            y2 = _swap_last(expand_dims(y, -1) if y.ndim == 1 else y)
            into = out[0] if x.ndim > 1 else _product_buffer(ctx, "grad_x", g, y2)
            gx = np.matmul(g, y2, out=into)
            gx = gx.squeeze(-2) if x.ndim == 1 else gx
        if ctx.needs_input_grad[1]:
            x2 = _swap_last(expand_dims(x, 0) if x.ndim == 1 else x)
            into = out[1] if y.ndim > 1 else _product_buffer(ctx, "grad_y", x2, g)
            gy = np.matmul(x2, g, out=into)
            gy = gy.squeeze(-1) if y.ndim == 1 else gy
        return gx, gy


def _product_buffer(ctx, name: str, a, b):
    """A buffer of ``ctx`` for ``a @ b`` (both at least 2-D), for a gradient of a 1-D
    operand, which is squeezed out of it (a view, so the replay gives it no ``out``)."""
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    return ctx.buffer(name, shape, a, b)


class Linear(Op):
    """x W + b as one node: the notes' Affine layer, W of shape (in, out), b of shape (out,).

    Forward adds b into the product in place, so the layer makes one array; backward is the
    layer's three products, dx = dy W^T (only when x needs it), dW = x^T dy and db = the sum
    of dy over every leading axis, one reduction, with x's leading axes taken as rows.
    ``linear(x, w)`` (no bias) has two inputs.
    """

    @staticmethod
    def forward(ctx, x, w, *bias):
        if x.ndim == 0 or w.ndim != 2 or x.shape[-1] != w.shape[0]:
            raise ShapeError(
                f"linear: input {x.shape} and weight {w.shape}: the weight must be a matrix "
                "(in_features, out_features) and the input's last axis in_features long"
            )
        if bias and bias[0].shape != w.shape[1:]:
            raise ShapeError(f"linear: bias {bias[0].shape} must have shape {w.shape[1:]}")
        out = np.matmul(x, w, out=ctx.buffer("out", x.shape[:-1] + w.shape[1:], x, w))
        if bias:
            b = bias[0]
            if np.result_type(out, b) == out.dtype:
                out += b  # the product is ours: no second array
            else:
                out = out + b  # a wider bias promotes, as x @ w + b does
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.operands[:2]
        needs = ctx.needs_input_grad
        rows = grad.reshape(-1, grad.shape[-1])
        gx = gw = gb = None
        if needs[0]:
            gx = matmul(grad, w.swapaxes(0, 1), ctx.buffer("grad_x", x.shape, grad, w))
        if needs[1]:
            columns = x.reshape(-1, x.shape[-1]).swapaxes(0, 1)
            gw = matmul(columns, rows, ctx.buffer("grad_w", w.shape, x, grad))
        if len(needs) == 2:
            return gx, gw
        if needs[2]:
            gb = sum_rows(rows, ctx.buffer("grad_b", rows.shape[1:], rows))
        return gx, gw, gb
