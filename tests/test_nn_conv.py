"""nn's convolution layers: PyTorch's parameter shapes, names, initialization and outputs,
pooling and Dropout2d modules, a small CNN trained a few steps, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_lite import DTypeError, ShapeError, Tensor


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_conv2d_has_pytorchs_parameter_names_and_shapes():
    conv = nn.Conv2d(4, 6, (3, 2), groups=2, rng=rng())
    assert [(name, p.shape) for name, p in conv.named_parameters()] == [
        ("weight", (6, 2, 3, 2)),
        ("bias", (6,)),
    ]
    assert nn.Conv2d(1, 2, 3, bias=False, rng=rng()).bias is None
    assert repr(nn.Conv2d(1, 2, 3, stride=2, padding=1, rng=rng())) == (
        "Conv2d(1, 2, kernel_size=(3, 3), stride=2, padding=1)"
    )


def test_conv2d_initializes_as_pytorch_does_uniform_within_one_over_sqrt_fan_in():
    conv = nn.Conv2d(16, 32, 3, rng=rng())
    bound = 1 / np.sqrt(16 * 9)
    for p in (conv.weight, conv.bias):
        assert p.dtype == np.float32
        assert bound * 0.9 < np.abs(p.data).max() <= bound


def test_conv2d_weights_and_outputs_equal_torch_nn_conv2ds():
    torch = pytest.importorskip("torch")
    ours = nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=1, groups=2, rng=rng())
    theirs = torch.nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)
    assert {k: tuple(v.shape) for k, v in theirs.state_dict().items()} == {
        k: v.shape for k, v in ours.state_dict().items()
    }
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    x = rng(1).standard_normal((2, 4, 7, 7)).astype(np.float32)
    expected = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours(x).data, expected, rtol=1e-5, atol=1e-6)


def test_pooling_modules_call_the_functions():
    x = np.arange(32.0, dtype=np.float32).reshape(1, 2, 4, 4)
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).data[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(nn.AvgPool2d(2)(x).data[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    assert nn.AvgPool2d(3, stride=1, padding=1)(x).shape == (1, 2, 4, 4)
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    x = np.ones((50, 8, 3, 3), dtype=np.float32)
    layer = nn.Dropout2d(0.5, rng=rng())
    y = layer(x).data
    per_channel = y.reshape(50, 8, 9)
    assert set(np.unique(per_channel.min(axis=2) == per_channel.max(axis=2))) == {True}
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.4 < (y == 0).mean() < 0.6
    layer.eval()
    assert layer(x).data is x or np.array_equal(layer(x).data, x)


def test_dropout2d_needs_images():
    with pytest.raises(ShapeError, match=r"dropout2d: expected an input \(N, C, H, W\)"):
        nn.functional.dropout2d(np.ones((2, 3)))


def test_a_small_cnn_learns_to_tell_horizontal_from_vertical_bars():
    images = np.zeros((40, 1, 6, 6), dtype=np.float32)
    labels = np.arange(40) % 2
    for i, label in enumerate(labels):
        line = rng(i).integers(0, 6)
        if label:
            images[i, 0, :, line] = 1.0
        else:
            images[i, 0, line, :] = 1.0
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=rng()),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 9, 2, rng=rng()),
    )
    params = list(model.parameters())
    for _ in range(60):
        loss = nn.functional.cross_entropy(model(images), labels)
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= 0.5 * p.grad.data
    accuracy = (model(images).data.argmax(axis=1) == labels).mean()
    assert accuracy == 1.0


def test_batchnorm2d_after_conv2d_normalizes_each_channel():
    y = nn.BatchNorm2d(3)(nn.Conv2d(2, 3, 3, rng=rng())(rng(1).random((4, 2, 5, 5), np.float32)))
    np.testing.assert_allclose(y.data.mean(axis=(0, 2, 3)), 0, atol=1e-5)


@pytest.mark.parametrize(
    ("build", "x", "error", "message"),
    [
        (lambda: nn.Conv2d(3, 4, 3), np.ones((1, 2, 5, 5), np.float32), ShapeError,
         r"Conv2d\(3, 4, kernel_size=\(3, 3\)\): expected input of shape \(N, 3, H, W\)"),
        (lambda: nn.Conv2d(1, 4, 3), np.ones((1, 1, 5, 5)), DTypeError, r"dtype float64"),
        (lambda: nn.MaxPool2d(2), np.ones((4, 4), np.float32), ShapeError, r"max_pool2d"),
    ],
)  # fmt: skip
def test_layers_name_themselves_in_errors(build, x, error, message):
    with pytest.raises(error, match=message):
        build()(Tensor(x))


@pytest.mark.parametrize("kernel_size", [0, (3, 0), (1, 2, 3)])
def test_conv2d_kernel_size_must_be_positive_ints(kernel_size):
    with pytest.raises(ValueError, match="Conv2d: kernel_size must be"):
        nn.Conv2d(1, 2, kernel_size)


def test_conv2d_channels_must_split_into_groups():
    with pytest.raises(ValueError, match=r"Conv2d: in_channels \(3\) and out_channels \(4\)"):
        nn.Conv2d(3, 4, 3, groups=2)
