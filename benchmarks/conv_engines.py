"""W5 on every engine: the book's SimpleConvNet trained with SGD (chapter 7).

- numpy: the book's layers by hand (``examples/book_conv_layers.py``: im2col by its loop
  over filter offsets, col2im, max pooling by ``np.max`` / ``np.argmax`` over the columns,
  chapter 5's Relu, Affine and SoftmaxWithLoss), updated in place;
- autograd_lite: ``examples/simple_conv_net.py``'s ``SimpleConvNet`` (``nn.Conv2d``,
  ``nn.MaxPool2d``, ``nn.Linear``), ``nn.functional.cross_entropy`` and ``optim.SGD``, as a
  user writes it;
- torch: the same network in ``torch.nn`` and ``torch.optim``.

Each receives the same initial weights (``workloads.initial_weights``) and the same batches
of image rows, reshaped to (N, 1, 28, 28) inside the timed step (a view, no copy).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nn
import optim
from autograd_lite import no_grad
from examples import book_conv_layers

from .workloads import ConvWorkload, Runner

Weights = list[tuple[np.ndarray, np.ndarray]]
CONV_ENGINES = ("numpy", "autograd_lite", "torch")


def _params(weights: Weights) -> dict[str, np.ndarray]:
    """The book's parameter dict (W1 ... b3) from ``(W, b)`` pairs, copied."""
    return {
        name: array.copy()
        for i, pair in enumerate(weights, start=1)
        for name, array in zip((f"W{i}", f"b{i}"), pair)
    }


def _images(workload: ConvWorkload, x: np.ndarray) -> np.ndarray:
    return x.reshape(len(x), *workload.input_shape)


class BookConvRunner(Runner):
    """The book's SimpleConvNet from hand-written layers, SGD in place."""

    name = "numpy"

    def __init__(self, workload: ConvWorkload, weights: Weights) -> None:
        self.workload = workload
        self.net = book_conv_layers.SimpleConvNet(_params(weights))
        self.one_hot = np.eye(10, dtype=workload.dtype)

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        grads = self.net.gradient(_images(self.workload, x), self.one_hot[t])
        for name, grad in grads.items():
            self.net.params[name] -= self.workload.lr * grad  # the layers hold these arrays

    def predict(self, x: np.ndarray) -> np.ndarray:
        return _batched_argmax(lambda batch: self.net.predict(_images(self.workload, batch)), x)

    def weights(self) -> Weights:
        p = self.net.params
        return [(p[f"W{i}"], p[f"b{i}"]) for i in (1, 2, 3)]


class AutogradLiteConvRunner(Runner):
    """examples/simple_conv_net.py's SimpleConvNet, trained with ``optim.SGD``."""

    name = "autograd_lite"

    def __init__(self, workload: ConvWorkload, weights: Weights) -> None:
        self.workload = workload
        self.model = book_conv_layers.tensor_conv_net(_params(weights), workload.input_shape)
        self.optimizer = optim.SGD(self.model.parameters(), lr=workload.lr)

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        self.optimizer.zero_grad()
        nn.functional.cross_entropy(self.model(_images(self.workload, x)), t).backward()
        self.optimizer.step()

    def predict(self, x: np.ndarray) -> np.ndarray:
        with no_grad():
            return _batched_argmax(lambda batch: self.model(_images(self.workload, batch)).data, x)

    def weights(self) -> Weights:
        m = self.model
        return [(layer.weight.data, layer.bias.data) for layer in (m.conv, m.fc1, m.fc2)]


class TorchConvRunner(Runner):
    """The same network in ``torch.nn``, trained with ``torch.optim.SGD``."""

    name = "torch"

    def __init__(self, workload: ConvWorkload, weights: Weights, torch: Any) -> None:
        self.torch, self.workload = torch, workload
        (w1, b1), (w2, b2), (w3, b3) = weights
        dtype = {np.float32: torch.float32, np.float64: torch.float64}[
            np.dtype(workload.dtype).type
        ]
        self.conv = torch.nn.Conv2d(w1.shape[1], w1.shape[0], w1.shape[2], dtype=dtype)
        self.fc1 = torch.nn.Linear(*w2.shape, dtype=dtype)
        self.fc2 = torch.nn.Linear(*w3.shape, dtype=dtype)
        with torch.no_grad():
            for layer, w, b in ((self.conv, w1, b1), (self.fc1, w2.T, b2), (self.fc2, w3.T, b3)):
                layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
                layer.bias.copy_(torch.from_numpy(b))
        self.model = torch.nn.Sequential(
            self.conv, torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
            self.fc1, torch.nn.ReLU(), self.fc2,
        )  # fmt: skip
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=workload.lr)

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        torch = self.torch
        self.optimizer.zero_grad()
        scores = self.model(torch.from_numpy(_images(self.workload, x)))
        torch.nn.functional.cross_entropy(scores, torch.from_numpy(t)).backward()
        self.optimizer.step()

    def predict(self, x: np.ndarray) -> np.ndarray:
        torch = self.torch
        with torch.no_grad():
            return _batched_argmax(
                lambda batch: self.model(torch.from_numpy(_images(self.workload, batch))).numpy(),
                x,
            )

    def weights(self) -> Weights:
        conv, fc1, fc2 = (
            (layer.weight.detach().numpy(), layer.bias.detach().numpy())
            for layer in (self.conv, self.fc1, self.fc2)
        )
        return [conv, (fc1[0].T, fc1[1]), (fc2[0].T, fc2[1])]


def _batched_argmax(scores, x: np.ndarray, batch: int = 1000) -> np.ndarray:
    """The predicted classes of ``x``, ``batch`` images at a time (bounded memory)."""
    return np.concatenate(
        [scores(x[i : i + batch]).argmax(axis=1) for i in range(0, len(x), batch)]
    )


def make_conv_runner(engine: str, workload: ConvWorkload, weights: Weights, torch: Any) -> Runner:
    """A W5 runner of ``engine`` (one of ``CONV_ENGINES``)."""
    if engine == "numpy":
        return BookConvRunner(workload, weights)
    if engine == "autograd_lite":
        return AutogradLiteConvRunner(workload, weights)
    if engine == "torch":
        return TorchConvRunner(workload, weights, torch)
    raise ValueError(f"W5 runs on {', '.join(CONV_ENGINES)}, not on {engine!r}")
