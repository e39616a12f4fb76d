"""Every engine by name, and the workloads on autograd_lite and PyTorch as their users write them.

``make_runner`` / ``make_chain`` build an engine's MLP runner / chain: the numpy baselines
come from ``numpy_by_hand.py`` and ``numpy_tuned.py`` (the tuned one runs W1/W2 only). W5's
runners (the convolutional network) are in ``conv_engines.py``.

autograd_lite: ``nn.Sequential`` of ``nn.Linear`` and ``nn.ReLU``, ``nn.functional
.cross_entropy`` and ``optim.SGD`` / ``optim.Adam``. PyTorch (optional: imported only by
``import_torch``, never required) the same with ``torch.nn`` and ``torch.optim``, with as many
intra-op threads as numpy's BLAS has, so both use the same cores.

Every runner starts from the same numpy weights (W of shape (in, out), as in the notes;
PyTorch's ``Linear`` stores W^T, so its weights are transposed on the way in and out) and
receives the same numpy batches.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import nn
import optim
from autograd_lite import Tensor, compile, no_grad

from .conv_engines import CONV_ENGINES, make_conv_runner
from .numpy_by_hand import NumpyRunner, chain_forward_backward
from .numpy_tuned import TunedRunner
from .workloads import ConvWorkload, MLPWorkload, Runner, tensor_steps

Weights = Sequence[tuple[np.ndarray, np.ndarray]]
Ops = Sequence[tuple[str, float | None]]
ENGINES = ("numpy", "numpy_tuned", "autograd_lite", "compiled", "torch")
# a chain of numpy calls has nothing to tune
CHAIN_ENGINES = ("numpy", "autograd_lite", "compiled", "torch")


def available_engines() -> list[str]:
    """The engines that can run here: all but torch always, torch if installed."""
    return [name for name in ENGINES if name != "torch" or import_torch() is not None]


def make_runner(engine: str, workload: MLPWorkload | ConvWorkload, weights: Weights) -> Runner:
    """A runner of ``engine`` for ``workload``, starting from ``weights`` (copied)."""
    if isinstance(workload, ConvWorkload):
        torch = import_torch() if engine == "torch" else None
        return make_conv_runner(engine, workload, list(weights), torch)
    if engine == "numpy":
        return NumpyRunner(workload, weights)
    if engine == "numpy_tuned":
        return TunedRunner(workload, weights)
    if engine == "autograd_lite":
        return AutogradLiteRunner(workload, weights)
    if engine == "compiled":
        return CompiledRunner(workload, weights)
    return TorchRunner(workload, weights, import_torch())


def unsupported(workload: str, engine: str) -> str | None:
    """Why ``engine`` cannot run ``workload`` (W1-W5), for a CLI's usage error; None if it can."""
    if workload == "w5" and engine not in CONV_ENGINES:
        return f"engine {engine!r} does not run W5; pick one of {', '.join(CONV_ENGINES)}"
    if workload in ("w3", "w4") and engine not in CHAIN_ENGINES:
        return (
            f"engine {engine!r} runs W1/W2 only; for {workload} pick one of "
            f"{', '.join(CHAIN_ENGINES)}"
        )
    return None


def make_chain(engine: str, ops: Ops) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``x -> (y, dy/dx)`` for the chain ``ops`` on ``engine``; dispatch is built here, once."""
    if engine not in CHAIN_ENGINES:
        raise ValueError(
            f"make_chain: engine {engine!r} runs W1/W2 only; pick one of {', '.join(CHAIN_ENGINES)}"
        )
    if engine == "numpy":
        return functools.partial(chain_forward_backward, ops=ops)
    if engine == "autograd_lite":
        return functools.partial(autograd_lite_chain, steps=tensor_steps(ops))
    if engine == "compiled":
        return compiled_chain(tensor_steps(ops))
    return functools.partial(torch_chain, steps=tensor_steps(ops), torch=import_torch())


def blas_threads() -> int | None:
    """The number of threads numpy's BLAS uses (None if threadpoolctl is not installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return counts[0] if counts else None


def import_torch() -> Any | None:
    """PyTorch with as many intra-op threads as numpy's BLAS has, or None if not installed."""
    try:
        import torch
    except ImportError:
        return None
    threads = blas_threads()
    if threads is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return torch


class AutogradLiteRunner(Runner):
    """The workload's network in ``nn``, trained with ``optim``."""

    name = "autograd_lite"

    def __init__(self, workload: MLPWorkload, weights: Weights) -> None:
        layers: list[nn.Module] = []
        for w, b in weights:
            linear = nn.Linear(*w.shape, dtype=workload.dtype)
            linear.weight.data[...] = w
            linear.bias.data[...] = b
            layers += [linear, nn.ReLU()]
        self.linears = layers[::2]
        self.model = nn.Sequential(*layers[:-1])
        params = list(self.model.parameters())
        if workload.optimizer == "sgd":
            self.optimizer = optim.SGD(params, lr=workload.lr)
        else:
            self.optimizer = optim.Adam(params, lr=workload.lr)

    def loss(self, x: np.ndarray, t: np.ndarray) -> Tensor:
        return nn.functional.cross_entropy(self.model(x), t)

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        self.optimizer.zero_grad()
        self.loss(x, t).backward()
        self.optimizer.step()

    def predict(self, x: np.ndarray) -> np.ndarray:
        with no_grad():
            return self.model(x).data.argmax(axis=1)

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(layer.weight.data, layer.bias.data) for layer in self.linears]


class CompiledRunner(AutogradLiteRunner):
    """The same network and step, through ``autograd_lite.compile``: the first step of each
    batch shape traces, every later one replays (the last, smaller batch traces once more)."""

    name = "compiled"

    def __init__(self, workload: MLPWorkload, weights: Weights) -> None:
        super().__init__(workload, weights)
        self.step = compile(super().step)


class TorchRunner(Runner):
    """The workload's network in ``torch.nn``, trained with ``torch.optim``."""

    name = "torch"

    def __init__(self, workload: MLPWorkload, weights: Weights, torch: Any) -> None:
        self.torch = torch
        layers: list[Any] = []
        for w, b in weights:
            linear = torch.nn.Linear(*w.shape, dtype=_torch_dtype(torch, workload.dtype))
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
                linear.bias.copy_(torch.from_numpy(b))
            layers += [linear, torch.nn.ReLU()]
        self.linears = layers[::2]
        self.model = torch.nn.Sequential(*layers[:-1])
        if workload.optimizer == "sgd":
            self.optimizer = torch.optim.SGD(self.model.parameters(), lr=workload.lr)
        else:
            self.optimizer = torch.optim.Adam(self.model.parameters(), lr=workload.lr)

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        torch = self.torch
        self.optimizer.zero_grad()
        scores = self.model(torch.from_numpy(x))
        torch.nn.functional.cross_entropy(scores, torch.from_numpy(t)).backward()
        self.optimizer.step()

    def predict(self, x: np.ndarray) -> np.ndarray:
        with self.torch.no_grad():
            return self.model(self.torch.from_numpy(x)).argmax(dim=1).numpy()

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [
            (layer.weight.detach().numpy().T, layer.bias.detach().numpy()) for layer in self.linears
        ]


def _torch_dtype(torch: Any, dtype: Any) -> Any:
    return {np.float32: torch.float32, np.float64: torch.float64}[np.dtype(dtype).type]


def autograd_lite_chain(
    x: np.ndarray, steps: Sequence[Callable[[Any], Any]]
) -> tuple[np.ndarray, np.ndarray]:
    """The chain's value and dy/dx (upstream gradient ones) with autograd_lite."""
    leaf = Tensor(x, requires_grad=True)
    y = leaf
    for step in steps:
        y = step(y)
    y.backward(np.ones_like(x))
    return y.data, leaf.grad.data


def compiled_chain(
    steps: Sequence[Callable[[Any], Any]],
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``autograd_lite_chain`` through ``autograd_lite.compile`` (traced on its first call)."""

    def chain(x: Tensor) -> tuple[Tensor, Tensor]:
        leaf = Tensor(x, requires_grad=True)
        y = leaf
        for step in steps:
            y = step(y)
        y.backward(np.ones(x.shape, dtype=x.dtype))
        return y, leaf.grad

    compiled = compile(chain)

    def run(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y, grad = compiled(x)
        return y.data, grad.data

    return run


def torch_chain(
    x: np.ndarray, steps: Sequence[Callable[[Any], Any]], torch: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The chain's value and dy/dx (upstream gradient ones) with PyTorch autograd."""
    leaf = torch.tensor(x, requires_grad=True)
    y = leaf
    for step in steps:
        y = step(y)
    y.backward(torch.ones_like(y))
    return y.detach().numpy(), leaf.grad.numpy()
