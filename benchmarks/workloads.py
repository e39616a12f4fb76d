"""The workloads W1-W5, and everything the engines must share to be compared fairly.

- W1, W2 (``MLP_WORKLOADS``): an MNIST classifier trained for whole epochs. Every engine gets
  the same data (loaded once, already in the workload's dtype), the same initial weights
  (``initial_weights``, drawn with numpy and copied into each engine) and the same batch
  order (``epoch_batches``: one permutation per epoch from a seeded generator), so after the
  same epochs every engine holds the same weights up to rounding.
- W3, W4: a chain of elementwise ops (``chain_ops``), forward and backward. W3 is 2,000 ops
  on a (10,) array, where the cost per op is interpreter overhead; W4 is 250k to 1M ops on a
  (1,) array, for time and memory that should grow linearly with depth.

- W5 (``CONV_WORKLOADS``): the book's SimpleConvNet (chapter 7) trained for whole epochs on
  the same terms as W1 and W2; its images are the same rows, seen as (N, 1, 28, 28).

The chain repeats ``CHAIN_CYCLE``, whose composition is close to sin(tanh(x)): the values
and gradients stay finite and far from subnormal numbers (which would slow every engine
down) even after a million ops. ``Runner`` is the interface every MLP engine implements.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograd_lite import load_mnist

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED = 0


OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam"}


@dataclass(frozen=True)
class MLPWorkload:
    """A ReLU network ``sizes[0] -> ... -> sizes[-1]`` trained on MNIST with mean cross-entropy."""

    name: str
    sizes: tuple[int, ...]
    dtype: type
    optimizer: str  # "sgd" or "adam"
    lr: float
    batch_size: int

    def describe(self) -> str:
        layers = "-".join(str(n) for n in self.sizes)
        return (
            f"{self.name.upper()}: {layers} ReLU, {OPTIMIZER_NAMES[self.optimizer]} lr {self.lr}, "
            f"batch {self.batch_size}, {np.dtype(self.dtype).name}"
        )


W1 = MLPWorkload("w1", (784, 50, 10), np.float64, "sgd", 0.1, 100)
W2 = MLPWorkload("w2", (784, 256, 256, 10), np.float32, "adam", 1e-3, 128)
MLP_WORKLOADS = {w.name: w for w in (W1, W2)}


@dataclass(frozen=True)
class ConvWorkload:
    """The book's SimpleConvNet: conv ``filters`` 5x5 - ReLU - 2x2 max pool - affine ``hidden``
    - ReLU - affine 10, on 28x28 MNIST images, trained with SGD and mean cross-entropy."""

    name: str
    dtype: type
    lr: float
    batch_size: int
    filters: int = 30
    hidden: int = 100
    optimizer: str = "sgd"
    input_shape: tuple[int, int, int] = (1, 28, 28)

    def describe(self) -> str:
        return (
            f"{self.name.upper()}: SimpleConvNet conv {self.filters} 5x5-ReLU-pool 2-"
            f"{self.hidden}-10, SGD lr {self.lr}, batch {self.batch_size}, "
            f"{np.dtype(self.dtype).name}"
        )


W5 = ConvWorkload("w5", np.float32, 0.1, 100)
CONV_WORKLOADS = {W5.name: W5}
TRAINING_WORKLOADS: dict[str, MLPWorkload | ConvWorkload] = {**MLP_WORKLOADS, **CONV_WORKLOADS}

W3_OPS, W3_SIZE = 2_000, 10
W4_OPS, W4_SIZE = (250_000, 500_000, 1_000_000), 1

# One cycle of the chain: (op, constant). x -> 2x -> e^2x -> 2x -> 2x + 1/4 -> 2x -> x ->
# tanh x -> sin tanh x. Mul/add/exp/log undo each other, so the cycle is sin(tanh(x)), whose
# derivative 1 - 3x^2/2 + ... keeps |x| and the gradient shrinking only polynomially.
CHAIN_CYCLE: tuple[tuple[str, float | None], ...] = (
    ("mul", 2.0),
    ("exp", None),
    ("log", None),
    ("add", 0.25),
    ("add", -0.25),
    ("mul", 0.5),
    ("tanh", None),
    ("sin", None),
)


@dataclass(frozen=True)
class Dataset:
    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray


@functools.lru_cache(maxsize=2)
def load_data(dtype: Any, limit: int | None = None) -> Dataset:
    """MNIST in ``dtype`` (cast once, here), the training set cut to ``limit`` images if given."""
    # load_mnist's lookup: $AUTOGRAD_LITE_DATA if set, else the copy shipped with the package
    (x_train, t_train), (x_test, t_test) = load_mnist(dtype=dtype)
    if limit is not None:
        x_train, t_train = x_train[:limit].copy(), t_train[:limit].copy()
    return Dataset(x_train, t_train, x_test, t_test)


def initial_weights(
    workload: MLPWorkload | ConvWorkload, seed: int = SEED
) -> list[tuple[np.ndarray, np.ndarray]]:
    """One ``(W, b)`` per layer, W of shape (in, out), U(-k, k) with k = 1/sqrt(in) as nn.Linear.

    For W5, the book's initialization: N(0, 0.01^2) weights (the convolution's of shape
    (filters, 1, 5, 5)) and zero biases.
    """
    rng = np.random.default_rng(seed)
    if isinstance(workload, ConvWorkload):
        c, h, w = workload.input_shape
        pooled = workload.filters * ((h - 4) // 2) * ((w - 4) // 2)
        shapes = [((workload.filters, c, 5, 5), workload.filters), ((pooled, workload.hidden),
                  workload.hidden), ((workload.hidden, 10), 10)]  # fmt: skip
        return [
            ((0.01 * rng.standard_normal(w_shape)).astype(workload.dtype),
             np.zeros(b_size, dtype=workload.dtype))
            for w_shape, b_size in shapes
        ]  # fmt: skip
    weights = []
    for n_in, n_out in zip(workload.sizes[:-1], workload.sizes[1:]):
        k = 1.0 / np.sqrt(n_in)
        w = rng.uniform(-k, k, (n_in, n_out)).astype(workload.dtype)
        b = rng.uniform(-k, k, n_out).astype(workload.dtype)
        weights.append((w, b))
    return weights


def epoch_batches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch's index arrays: a fresh permutation cut into batches (the last may be short)."""
    order = rng.permutation(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]


def chain_ops(n_ops: int) -> list[tuple[str, float | None]]:
    """The first ``n_ops`` ops of the repeated ``CHAIN_CYCLE``."""
    return [CHAIN_CYCLE[i % len(CHAIN_CYCLE)] for i in range(n_ops)]


def chain_input(size: int, seed: int = SEED) -> np.ndarray:
    """The chain's float64 input, in [0.5, 1]."""
    return np.random.default_rng(seed).uniform(0.5, 1.0, size)


def tensor_steps(ops: Sequence[tuple[str, float | None]]) -> list[Callable[[Any], Any]]:
    """The chain as callables for any tensor type with ``*``, ``+`` and ``.exp()``-style methods.

    Built once, outside the timed region, so the timing measures the engine, not this dispatch.
    """
    steps: list[Callable[[Any], Any]] = []
    for name, c in ops:
        if name == "mul":
            steps.append(_times(c))
        elif name == "add":
            steps.append(_plus(c))
        else:
            steps.append(operator.methodcaller(name))
    return steps


def _times(c: float) -> Callable[[Any], Any]:
    return lambda y: y * c


def _plus(c: float) -> Callable[[Any], Any]:
    return lambda y: y + c


class Runner:
    """An engine training an MLP workload; subclasses define ``step``, ``predict``, ``weights``."""

    name = "runner"

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        """One training step (forward, backward, update) on a batch of images and labels."""
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The predicted class of each row of ``x``, as a numpy array."""
        raise NotImplementedError

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The current ``(W, b)`` of each layer as numpy arrays, W of shape (in, out)."""
        raise NotImplementedError

    def train_epoch(self, data: Dataset, batches: Sequence[np.ndarray]) -> None:
        """Train on each batch in order; gathering the batch is part of the timed work."""
        x, t = data.x_train, data.t_train
        for index in batches:
            self.step(x[index], t[index])

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        return float(np.mean(self.predict(x) == t))
