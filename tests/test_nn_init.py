"""Tests of ``nn.init``: each initializer's distribution against its formula (large samples,
fixed seeds), determinism, dtypes, and the errors for a missing generator or a bad shape."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_lite import DTypeError, ShapeError
from nn import init

SHAPE = (400, 600)  # fan_in = 400, fan_out = 600: 240,000 samples
FAN_IN, FAN_OUT = SHAPE


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_zeros_and_ones():
    assert np.array_equal(init.zeros((2, 3)), np.zeros((2, 3)))
    assert np.array_equal(init.ones(4), np.ones(4))
    assert init.zeros(2).dtype == np.float32 and init.ones(2, dtype=np.float64).dtype == np.float64


def test_normal_has_the_requested_mean_and_std():
    x = init.normal(SHAPE, rng(), mean=2.0, std=0.5)
    assert abs(x.mean() - 2.0) < 0.01 and abs(x.std() - 0.5) < 0.01 * 0.5


def test_notes_style_small_normal():
    x = init.normal((784, 50), rng(), std=0.01)
    assert x.shape == (784, 50) and abs(x.std() - 0.01) < 0.0005


def test_uniform_stays_within_its_bounds_and_fills_them():
    x = init.uniform(SHAPE, rng(), low=-0.3, high=0.7)
    assert x.min() >= -0.3 and x.max() <= 0.7
    assert x.min() < -0.299 and x.max() > 0.699
    assert abs(x.mean() - 0.2) < 0.005


def test_xavier_normal_std():
    expected = math.sqrt(2.0 / (FAN_IN + FAN_OUT))
    assert abs(init.xavier_normal(SHAPE, rng()).std() - expected) < 0.01 * expected
    scaled = init.xavier_normal(SHAPE, rng(), gain=3.0).std()
    assert abs(scaled - 3.0 * expected) < 0.03 * expected


def test_xavier_uniform_bound_and_std():
    bound = math.sqrt(6.0 / (FAN_IN + FAN_OUT))
    x = init.xavier_uniform(SHAPE, rng())
    assert np.abs(x).max() <= bound and np.abs(x).max() > 0.999 * bound
    # U(-a, a) has std a / sqrt(3), the same as xavier_normal's
    assert abs(x.std() - math.sqrt(2.0 / (FAN_IN + FAN_OUT))) < 0.01 * bound


@pytest.mark.parametrize(
    ("mode", "slope", "fan"),
    [("fan_in", 0.0, FAN_IN), ("fan_out", 0.0, FAN_OUT), ("fan_in", 0.5, FAN_IN)],
)
def test_kaiming_normal_std(mode, slope, fan):
    expected = math.sqrt(2.0 / ((1 + slope**2) * fan))
    x = init.kaiming_normal(SHAPE, rng(), negative_slope=slope, mode=mode)
    assert abs(x.std() - expected) < 0.01 * expected and abs(x.mean()) < 0.01 * expected


def test_kaiming_uniform_bound():
    bound = math.sqrt(6.0 / FAN_IN)  # sqrt(3) * sqrt(2 / fan_in)
    x = init.kaiming_uniform(SHAPE, rng())
    assert np.abs(x).max() <= bound and np.abs(x).max() > 0.999 * bound
    x = init.kaiming_uniform(SHAPE, rng(), mode="fan_out")
    assert np.abs(x).max() <= math.sqrt(6.0 / FAN_OUT)


RANDOM = [
    init.normal,
    init.uniform,
    init.xavier_normal,
    init.xavier_uniform,
    init.kaiming_normal,
    init.kaiming_uniform,
]


@pytest.mark.parametrize("initializer", RANDOM)
def test_same_seed_same_values_and_dtypes_round_the_same_draw(initializer):
    a = initializer((3, 4), rng(1))
    assert a.dtype == np.float32 and a.shape == (3, 4)
    assert np.array_equal(a, initializer((3, 4), rng(1)))
    assert not np.array_equal(a, initializer((3, 4), rng(2)))
    b = initializer((3, 4), rng(1), dtype=np.float64)
    assert b.dtype == np.float64 and np.array_equal(b.astype(np.float32), a)


@pytest.mark.parametrize("initializer", RANDOM)
@pytest.mark.parametrize("bad", [None, 0, np.random.RandomState(0)])
def test_random_initializers_need_an_explicit_generator(initializer, bad):
    with pytest.raises(TypeError, match=r"nn\.init\.\w+: rng must be a numpy.random.Generator"):
        initializer((2, 2), bad)


@pytest.mark.parametrize("initializer", [init.zeros, init.ones])
def test_initializers_need_a_float_dtype(initializer):
    with pytest.raises(DTypeError, match="dtype must be a float dtype"):
        initializer(2, dtype=np.int64)
    with pytest.raises(DTypeError, match=r"nn\.init\.normal: dtype"):
        init.normal(2, rng(), dtype=bool)


def test_fans_of_an_in_out_weight():
    assert init.fans((3, 5)) == (3, 5)
    for shape in [(3,), 7]:
        with pytest.raises(ShapeError, match="2-D weight shape"):
            init.fans(shape)
    with pytest.raises(ShapeError):
        init.xavier_uniform(5, rng())


def test_fans_of_a_conv_weight_count_every_kernel_position_as_pytorch_does():
    # (out_channels, in_channels / groups, kh, kw), PyTorch's layout
    assert init.fans((30, 1, 5, 5)) == (25, 750)
    assert init.fans((8, 3, 3, 2)) == (18, 48)
    assert init.fans((4, 2, 3)) == (6, 12)  # a 1-D convolution's weight


def test_he_init_of_a_conv_weight_has_std_sqrt_2_over_fan_in():
    w = init.kaiming_normal((64, 16, 3, 3), rng())
    assert abs(w.std() - np.sqrt(2 / (16 * 9))) < 0.01 * np.sqrt(2 / (16 * 9)) * 3
    bound = np.sqrt(6 / (16 * 9 + 64 * 9))
    x = init.xavier_uniform((64, 16, 3, 3), rng())
    assert bound * 0.99 < np.abs(x).max() <= bound


def test_kaiming_mode_must_be_fan_in_or_fan_out():
    with pytest.raises(ValueError, match="mode must be one of"):
        init.kaiming_normal((2, 2), rng(), mode="fan_avg")
