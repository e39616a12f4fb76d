"""Convolution, pooling and padding beyond the spec table (``conv_specs.py``): PyTorch's
results where it is installed, the max-pool tie convention, double backward through a small
CNN, dtypes, and the errors for bad shapes and arguments."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import DTypeError, ShapeError, Tensor


def _torch():
    return pytest.importorskip("torch")


GEOMETRIES = [  # (N, C, H, W), (O, C / groups, kh, kw), stride, padding, dilation, groups
    ((2, 4, 7, 6), (6, 2, 3, 3), 2, 1, 1, 2),
    ((1, 1, 5, 5), (3, 1, 1, 1), 1, 0, 1, 1),
    ((2, 2, 9, 8), (4, 2, 3, 2), (2, 1), (1, 0), (2, 1), 1),
    ((1, 3, 6, 5), (3, 1, 2, 2), 1, "same", 2, 3),
]


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "stride", "padding", "dilation", "groups"), GEOMETRIES
)
def test_conv2d_and_its_first_and_second_derivatives_equal_pytorchs(
    x_shape, w_shape, stride, padding, dilation, groups
):
    torch = _torch()
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(s) for s in (x_shape, w_shape, w_shape[:1]))
    ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = ag.conv2d(*ours, stride, padding, dilation, groups)
    ty = torch.nn.functional.conv2d(*theirs, stride, padding, dilation, groups)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-12)
    v = rng.standard_normal(y.shape)
    # a gradient penalty: |dL/dx|^2 + |dL/dw|^2, differentiated once more
    gx, gw = ag.grad((y * v).sum(), ours[:2], create_graph=True)
    tgx, tgw = torch.autograd.grad((ty * torch.tensor(v)).sum(), theirs[:2], create_graph=True)
    for g, tg in ((gx, tgx), (gw, tgw)):
        np.testing.assert_allclose(g.data, tg.detach().numpy(), atol=1e-12)
    second = ag.grad((gx * gx).sum() + (gw * gw).sum(), ours[:2])
    their_second = torch.autograd.grad((tgx**2).sum() + (tgw**2).sum(), theirs[:2])
    for g, tg in zip(second, their_second):
        np.testing.assert_allclose(g.data, tg.numpy(), atol=1e-10)


@pytest.mark.parametrize(
    ("kernel", "stride", "padding"), [(2, None, 0), (3, 2, 1), ((3, 2), (1, 2), (1, 0))]
)
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_pooling_and_its_gradient_equal_pytorchs(name, kernel, stride, padding):
    torch = _torch()
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 6))
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = getattr(ag, name)(ours, kernel, stride, padding)
    ty = getattr(torch.nn.functional, name)(theirs, kernel, stride, padding)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-12)
    v = np.random.default_rng(2).standard_normal(y.shape)
    y.backward(v)
    ty.backward(torch.tensor(v))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), atol=1e-12)


def test_pad_equals_pytorchs():
    torch = _torch()
    x = np.random.default_rng(3).standard_normal((2, 3, 4))
    expected = torch.nn.functional.pad(torch.tensor(x), (1, 2, 0, 1), value=3.0).numpy()
    np.testing.assert_array_equal(ag.pad(x, (1, 2, 0, 1), value=3.0).data, expected)


def test_max_pool_ties_give_the_whole_gradient_to_the_first_maximum_in_row_major_order():
    x = Tensor(np.array([[[[1.0, 3.0], [3.0, 3.0]]]]), requires_grad=True)
    ag.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[0.0, 1.0], [0.0, 0.0]]]])


def test_max_pool_of_a_constant_window_sends_the_gradient_to_its_top_left_element():
    x = Tensor(np.zeros((1, 1, 4, 4)), requires_grad=True)
    ag.max_pool2d(x, 2).sum().backward()
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1.0
    np.testing.assert_array_equal(x.grad.data[0, 0], expected)


def test_max_pool_padding_never_wins_a_window_of_negative_values():
    x = Tensor(-np.ones((1, 1, 3, 3)), requires_grad=True)
    y = ag.max_pool2d(x, 3, stride=1, padding=1)
    np.testing.assert_array_equal(y.data, -np.ones((1, 1, 3, 3)))
    y.sum().backward()
    assert x.grad.data.sum() == 9.0  # each window's gradient reached the input


def test_avg_pool_counts_padded_zeros_as_pytorchs_default_does():
    y = ag.avg_pool2d(np.ones((1, 1, 2, 2)), 2, stride=1, padding=1)
    np.testing.assert_array_equal(
        y.data[0, 0], np.full((3, 3), [0.25, 0.5, 0.25]) * [[1], [2], [1]]
    )


def test_a_small_cnn_has_a_hessian_vector_product_equal_to_the_numerical_one():
    rng = np.random.default_rng(4)
    x = Tensor(rng.standard_normal((2, 1, 6, 6)))
    w = Tensor(rng.standard_normal((3, 1, 3, 3)), requires_grad=True)
    v = rng.standard_normal(w.shape)

    def gradient(weights: np.ndarray) -> np.ndarray:
        w_ = Tensor(weights, requires_grad=True)
        h = ag.max_pool2d(ag.conv2d(x, w_, padding=1).tanh(), 2)
        (g,) = ag.grad(ag.avg_pool2d(h, 3).sum(), [w_], create_graph=True)
        return g

    w_ = Tensor(w.data, requires_grad=True)
    h = ag.max_pool2d(ag.conv2d(x, w_, padding=1).tanh(), 2)
    (g,) = ag.grad(ag.avg_pool2d(h, 3).sum(), [w_], create_graph=True)
    (hv,) = ag.grad((g * Tensor(v)).sum(), [w_])
    eps = 1e-6
    numerical = (gradient(w.data + eps * v).data - gradient(w.data - eps * v).data) / (2 * eps)
    np.testing.assert_allclose(hv.data, numerical, rtol=1e-5, atol=1e-8)


def test_float32_stays_float32_through_conv_and_pooling():
    x = Tensor(np.ones((1, 2, 5, 5), np.float32), requires_grad=True)
    w = Tensor(np.ones((2, 2, 3, 3), np.float32), requires_grad=True)
    y = ag.avg_pool2d(ag.max_pool2d(ag.conv2d(x, w, np.zeros(2, np.float32), padding=1), 2), 2)
    y.sum().backward()
    assert {y.dtype, x.grad.dtype, w.grad.dtype} == {np.dtype(np.float32)}


def test_the_first_layer_skips_the_input_gradient_when_the_input_needs_none():
    x = Tensor(np.ones((1, 1, 4, 4)))
    w = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    ag.conv2d(x, w).sum().backward()
    assert x.grad is None and w.grad is not None


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: ag.conv2d(np.ones((1, 3, 5)), np.ones((2, 3, 3, 3))),
            ShapeError,
            r"conv2d: expected an input \(N, C, H, W\), got shape \(1, 3, 5\)",
        ),
        (
            lambda: ag.conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 2, 3, 3))),
            ShapeError,
            r"conv2d: input \(1, 3, 5, 5\) and weight \(2, 2, 3, 3\) with groups=1",
        ),
        (
            lambda: ag.conv2d(np.ones((1, 4, 5, 5)), np.ones((3, 2, 3, 3)), groups=2),
            ShapeError,
            r"3 filters must split into 2 groups",
        ),
        (
            lambda: ag.conv2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3))),
            ShapeError,
            r"conv2d: input \(1, 1, 2, 2\) is smaller than the dilated kernel",
        ),
        (
            lambda: ag.conv2d(np.ones((1, 1, 5, 5)), np.ones((2, 1, 3, 3)), np.ones(3)),
            ShapeError,
            r"conv2d: bias must have shape \(2,\), got \(3,\)",
        ),
        (
            lambda: ag.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=0),
            ValueError,
            r"conv2d: stride must be >= 1, got 0",
        ),
        (
            lambda: ag.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=(1, 2, 3)),
            DTypeError,
            r"conv2d: stride must be an int or a pair",
        ),
        (
            lambda: ag.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding="full"),
            ValueError,
            r"conv2d: padding must be an int, a pair, 'valid' or 'same'",
        ),
        (
            lambda: ag.conv2d(
                np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=2, padding="same"
            ),
            ValueError,
            r"padding='same' needs stride 1",
        ),
        (
            lambda: ag.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), groups=0),
            ValueError,
            r"conv2d: groups must be a positive int",
        ),
        (
            lambda: ag.max_pool2d(np.ones((1, 1, 5, 5)), 2, padding=2),
            ValueError,
            r"max_pool2d: padding \(2, 2\) must be at most half the kernel size \(2, 2\)",
        ),
        (
            lambda: ag.max_pool2d(np.ones((1, 1, 1, 5)), 2),
            ShapeError,
            r"max_pool2d: input \(1, 1, 1, 5\) \(padding \(0, 0\)\) is smaller than the kernel",
        ),
        (
            lambda: ag.avg_pool2d(np.ones((5, 5)), 2),
            ShapeError,
            r"avg_pool2d: expected an input \(N, C, H, W\), got shape \(5, 5\)",
        ),
        (
            lambda: ag.pad(np.ones((2, 2)), (1, 1, 1)),
            ValueError,
            r"pad: pad must be a tuple of \(before, after\) pairs",
        ),
        (lambda: ag.pad(np.ones((2, 2)), (1, -1)), ValueError, r"pad: negative padding"),
        (
            lambda: ag.pad(np.ones((2, 2)), (1, 1), mode="reflect"),
            ValueError,
            r"pad: only mode='constant'",
        ),
        (
            lambda: ag.ops.Conv2dGradInput.apply(
                Tensor(np.ones((1, 2, 3, 3))),
                Tensor(np.ones((2, 1, 3, 3))),
                size=(4, 4),
                stride=(1, 1),
                dilation=(1, 1),
                groups=1,
            ),
            ShapeError,
            r"conv2d_grad_input: gradient \(1, 2, 3, 3\) does not match an input of size \(4, 4\)",
        ),
        (
            lambda: ag.ops.Conv2dGradWeight.apply(
                Tensor(np.ones((1, 1, 5, 5))),
                Tensor(np.ones((1, 2, 2, 2))),
                kernel=(3, 3),
                stride=(1, 1),
                dilation=(1, 1),
                groups=1,
            ),
            ShapeError,
            r"conv2d_grad_weight: gradient \(1, 2, 2, 2\) does not match input \(1, 1, 5, 5\)",
        ),
    ],
)
def test_bad_shapes_and_arguments_raise_an_error_naming_the_op_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("input_grad", [False, True])
def test_conv2d_makes_one_column_matrix_per_layer_at_a_time(input_grad):
    # many input channels, few filters: the columns (N * 16 * 16, 4 * 5 * 5) float32, 5.1 MB,
    # dwarf the input (0.3 MB) and the output (0.1 MB)
    rng = np.random.default_rng(5)
    x = Tensor(rng.random((50, 4, 20, 20), np.float32), requires_grad=input_grad)
    w = Tensor(rng.random((2, 4, 5, 5), np.float32), requires_grad=True)
    columns = 50 * 16 * 16 * 4 * 25 * 4
    small = 4 * (x.data.nbytes + 50 * 2 * 16 * 16 * 4)  # room for inputs, outputs, gradients
    tracemalloc.start()
    try:
        y = ag.conv2d(x, w)
        _, forward_peak = tracemalloc.get_traced_memory()
        upstream = np.ones(y.shape, np.float32)
        tracemalloc.reset_peak()
        y.backward(upstream)
        _, backward_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # one column matrix at a time, never two, in the forward and in the backward pass
    assert forward_peak < columns + small
    assert backward_peak < columns + small
