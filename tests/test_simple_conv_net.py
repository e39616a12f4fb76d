"""The book's SimpleConvNet (examples/simple_conv_net.py) and its random-shift augmentation."""

from __future__ import annotations

import numpy as np
import pytest

from examples import train_mnist
from examples.simple_conv_net import DEFAULTS, SimpleConvNet, random_shift


def test_simple_conv_net_has_the_books_layers_and_shapes():
    model = SimpleConvNet(rng=np.random.default_rng(0))
    assert {name: p.shape for name, p in model.named_parameters()} == {
        "conv.weight": (30, 1, 5, 5),
        "conv.bias": (30,),
        "fc1.weight": (30 * 12 * 12, 100),
        "fc1.bias": (100,),
        "fc2.weight": (100, 10),
        "fc2.bias": (10,),
    }


def test_flattened_rows_give_the_same_logits_as_images():
    model = SimpleConvNet(rng=np.random.default_rng(0))
    images = np.random.default_rng(1).random((3, 1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(model(images).data, model(images.reshape(3, 784)).data)


def test_images_too_small_for_the_kernel_and_pool_are_refused():
    with pytest.raises(ValueError, match=r"SimpleConvNet: images \(1, 5, 5\) are too small"):
        SimpleConvNet((1, 5, 5))


def test_random_shift_moves_each_image_by_at_most_max_shift_and_fills_with_zeros():
    rng = np.random.default_rng(0)
    images = np.zeros((200, 1, 9, 9), dtype=np.float32)
    images[:, 0, 4, 4] = 1.0  # one bright pixel in the middle of each image
    shifted = random_shift(images, 2, rng)
    assert shifted.shape == images.shape and shifted.dtype == np.float32
    positions = np.argwhere(shifted[:, 0] == 1.0)  # (image, row, col) of each bright pixel
    assert len(positions) == 200
    offsets = positions[:, 1:] - 4
    assert np.abs(offsets).max() == 2
    assert len({tuple(o) for o in offsets}) == 25  # every shift in [-2, 2]^2 occurs
    assert shifted.sum() == 200.0  # nothing else lit up
    assert random_shift(images, 0, rng) is images


def test_a_shift_that_pushes_content_off_the_image_drops_it():
    images = np.ones((50, 1, 4, 4))
    shifted = random_shift(images, 1, np.random.default_rng(0))
    assert set(np.unique(shifted)) <= {0.0, 1.0} and shifted.sum() < images.sum()


def test_the_defaults_are_train_mnists_cnn_defaults():
    args = train_mnist.parse_args(["--model", "cnn"])
    assert {name: getattr(args, name) for name in DEFAULTS} == DEFAULTS
    mlp = train_mnist.parse_args([])
    assert (mlp.epochs, mlp.batch_size, mlp.shift) == (15, 128, 0)
