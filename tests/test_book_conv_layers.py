"""The book's hand-written im2col, col2im, Convolution and Pooling (examples/book_conv_layers.py)
against autograd_lite's ops: the same values and gradients to 1e-12."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor
from examples import book_conv_layers as book


@pytest.mark.parametrize(("batch_size", "side", "seed"), [(3, 12, 0), (1, 13, 1), (4, 9, 2)])
def test_the_books_simple_conv_net_has_autograd_lites_gradients_to_1e_12(batch_size, side, seed):
    params, x, t = book.random_problem(batch_size, side, seed)
    (layered_loss, layered), (tensor_loss, tensor) = book.conv_net_gradients(params, x, t)
    # the book's loss adds 1e-7 inside the log; its gradient is the exact (y - t) / N
    assert layered_loss == pytest.approx(tensor_loss, abs=1e-5)
    for name in book.PARAM_NAMES:
        assert layered[name].shape == tensor[name].shape == params[name].shape
        np.testing.assert_allclose(layered[name], tensor[name], rtol=0, atol=1e-12, err_msg=name)


def test_main_prints_the_differences():
    result = book.main(batch_size=2, side=10, seed=3)
    assert max(result["max_abs_diff"].values()) < 1e-12


@pytest.mark.parametrize(("stride", "pad"), [(1, 0), (2, 1), (3, 2)])
def test_col2im_is_the_adjoint_of_im2col(stride, pad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 8))
    col = book.im2col(x, 3, 2, stride, pad)
    c = rng.standard_normal(col.shape)
    # <im2col(x), c> = <x, col2im(c)>: what makes col2im the backward of im2col
    assert np.sum(col * c) == pytest.approx(np.sum(x * book.col2im(c, x.shape, 3, 2, stride, pad)))


@pytest.mark.parametrize(("stride", "pad"), [(1, 0), (2, 1)])
def test_the_convolution_layer_equals_conv2d_forward_and_backward(stride, pad):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 3, 8, 7)), rng.standard_normal((4, 3, 3, 3)), rng.random(4)
    layer = book.Convolution(w, b, stride, pad)
    out = layer.forward(x)
    xt, wt, bt = (Tensor(a, requires_grad=True) for a in (x, w, b))
    y = ag.conv2d(xt, wt, bt, stride=stride, padding=pad)
    np.testing.assert_allclose(out, y.data, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    y.backward(dout)
    for mine, theirs in ((dx, xt), (layer.dW, wt), (layer.db, bt)):
        np.testing.assert_allclose(mine, theirs.grad.data, atol=1e-12)


def test_the_pooling_layer_equals_max_pool2d_ties_included():
    # small integers tie often: both give the gradient to the first maximum of a window
    x = np.random.default_rng(2).integers(0, 3, (2, 3, 6, 6)).astype(np.float64)
    layer = book.Pooling(2, 2, stride=2)
    out = layer.forward(x)
    xt = Tensor(x, requires_grad=True)
    y = ag.max_pool2d(xt, 2)
    np.testing.assert_array_equal(out, y.data)
    dout = np.random.default_rng(3).standard_normal(out.shape)
    y.backward(dout)
    np.testing.assert_array_equal(layer.backward(dout), xt.grad.data)
