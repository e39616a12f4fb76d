"""The baseline: the same workloads written by hand in numpy, as a careful user would.

The network is built from the notes' layers (*Deep Learning from Scratch*, chapter 5):
``Affine``, ``Relu`` and ``SoftmaxWithLoss``, each with its hand-derived backward. It is the
efficient version of that code, so the comparison is with good numpy, not naive numpy:
buffers the layer owns are updated in place (``out=``, ``*=``), the first layer skips the
input gradient nobody uses, and the optimizers (``SGD``, ``Adam``, PyTorch's formulas, the
same as ``optim``'s) update parameters in place with preallocated scratch arrays.

``gemm_only_epoch`` runs just the matrix products of one epoch: timed, a lower bound for any
engine built on numpy. ``chain_forward`` / ``chain_forward_backward`` are W3/W4 by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .workloads import Dataset, MLPWorkload, Runner


class Affine:
    """y = x W + b; backward: dx = dy W^T, dW = x^T dy, db = sum_n dy."""

    def __init__(self, w: np.ndarray, b: np.ndarray, needs_dx: bool = True) -> None:
        self.W, self.b = w, b
        self.dW, self.db = np.zeros_like(w), np.zeros_like(b)
        self.needs_dx = needs_dx
        self.x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        out = x @ self.W
        out += self.b
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        np.matmul(self.x.T, dout, out=self.dW)
        np.sum(dout, axis=0, out=self.db)
        return dout @ self.W.T if self.needs_dx else None


class Relu:
    """y = max(x, 0); backward: dx = dy where x > 0, else 0. Works in place on owned arrays."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x > 0
        return np.multiply(x, self.mask, out=x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.multiply(dout, self.mask, out=dout)


class SoftmaxWithLoss:
    """Mean cross-entropy of softmax(x) against integer labels; backward: (softmax(x) - t) / N."""

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        z = x - x.max(axis=1, keepdims=True)
        e = np.exp(z)
        total = e.sum(axis=1, keepdims=True)
        self.y = np.divide(e, total, out=e)
        self.t = t
        rows = np.arange(len(t))
        return float(np.mean(np.log(total[:, 0]) - z[rows, t]))

    def backward(self) -> np.ndarray:
        dx, n = self.y, len(self.t)
        dx[np.arange(n), self.t] -= 1
        dx /= n
        return dx


class SGD:
    """p <- p - lr g, in place (the gradient buffer is scaled in place: it is rewritten anyway)."""

    def __init__(self, params: Sequence[np.ndarray], lr: float) -> None:
        self.params, self.lr = list(params), lr

    def update(self, grads: Sequence[np.ndarray]) -> None:
        for p, g in zip(self.params, grads):
            g *= self.lr
            p -= g


class Adam:
    """PyTorch's Adam (as ``optim.Adam``): m, v moving averages with bias correction, in place."""

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params, self.lr, self.betas, self.eps = list(params), lr, betas, eps
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]
        self.t = 0

    def update(self, grads: Sequence[np.ndarray]) -> None:
        beta1, beta2 = self.betas
        self.t += 1
        root_correction2 = math.sqrt(1 - beta2**self.t)
        step_size = self.lr / (1 - beta1**self.t)
        for p, g, m, v, s in zip(self.params, grads, self.m, self.v, self.scratch):
            np.multiply(g, 1 - beta1, out=s)
            m *= beta1
            m += s  # m <- b1 m + (1 - b1) g
            np.multiply(g, g, out=s)
            s *= 1 - beta2
            v *= beta2
            v += s  # v <- b2 v + (1 - b2) g^2
            np.sqrt(v, out=s)
            s /= root_correction2
            s += self.eps  # sqrt(v / (1 - b2^t)) + eps
            np.divide(m, s, out=s)
            s *= step_size
            p -= s


class NumpyNet:
    """Affine -> Relu -> ... -> Affine -> SoftmaxWithLoss, from given ``(W, b)`` arrays."""

    def __init__(self, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        self.affines = [Affine(w, b, needs_dx=i > 0) for i, (w, b) in enumerate(weights)]
        self.relus = [Relu() for _ in self.affines[:-1]]
        self.loss_layer = SoftmaxWithLoss()

    def scores(self, x: np.ndarray) -> np.ndarray:
        for affine, relu in zip(self.affines, self.relus):
            x = relu.forward(affine.forward(x))
        return self.affines[-1].forward(x)

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.loss_layer.forward(self.scores(x), t)

    def backward(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Backpropagate the last ``loss``; returns ``(dW, db)`` per layer (the layers' buffers)."""
        dout = self.affines[-1].backward(self.loss_layer.backward())
        for affine, relu in zip(reversed(self.affines[:-1]), reversed(self.relus)):
            dout = affine.backward(relu.backward(dout))
        return [(a.dW, a.db) for a in self.affines]


class NumpyRunner(Runner):
    """Trains a ``NumpyNet`` with the workload's optimizer."""

    name = "numpy"

    def __init__(self, workload: MLPWorkload, weights: Sequence[tuple[np.ndarray, np.ndarray]]):
        self.net = NumpyNet([(w.copy(), b.copy()) for w, b in weights])
        params = [p for a in self.net.affines for p in (a.W, a.b)]
        if workload.optimizer == "sgd":
            self.optimizer = SGD(params, workload.lr)
        else:
            self.optimizer = Adam(params, workload.lr)

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        self.net.loss(x, t)
        grads = self.net.backward()
        self.optimizer.update([g for pair in grads for g in pair])

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.net.scores(x).argmax(axis=1)

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(a.W, a.b) for a in self.net.affines]


def gemm_only_epoch(
    workload: MLPWorkload, data: Dataset, weights: Sequence[tuple[np.ndarray, np.ndarray]]
) -> None:
    """Only the matmuls of one epoch: x W forward, x^T dy and dy W^T backward (time it).

    Batches are contiguous slices (no gather) and outputs go to preallocated buffers, so
    nothing but the GEMMs runs (plus one Python call each).
    """
    rng = np.random.default_rng(1)
    n, size = len(data.x_train), workload.batch_size
    dtype = workload.dtype
    outs = [np.empty((size, w.shape[1]), dtype) for w, _ in weights]
    dins = [np.empty((size, w.shape[0]), dtype) for w, _ in weights]
    dws = [np.empty_like(w) for w, _ in weights]
    dout_last = (0.01 * rng.standard_normal(outs[-1].shape)).astype(dtype)
    for start in range(0, n, size):
        x = data.x_train[start : start + size]
        rows = len(x)
        inputs = [x]
        for (w, _), out in zip(weights, outs):
            inputs.append(np.matmul(inputs[-1], w, out=out[:rows]))
        dout = dout_last[:rows]
        for i in reversed(range(len(weights))):
            np.matmul(inputs[i].T, dout, out=dws[i])
            if i > 0:
                dout = np.matmul(dout, weights[i][0].T, out=dins[i][:rows])


def chain_forward(x: np.ndarray, ops: Sequence[tuple[str, float | None]]) -> np.ndarray:
    """The chain's value alone (the forward half of ``chain_forward_backward``)."""
    for name, c in ops:
        if name == "mul":
            x = x * c
        elif name == "add":
            x = x + c
        elif name == "exp":
            x = np.exp(x)
        elif name == "log":
            x = np.log(x)
        elif name == "tanh":
            x = np.tanh(x)
        else:
            x = np.sin(x)
    return x


def chain_forward_backward(
    x: np.ndarray, ops: Sequence[tuple[str, float | None]]
) -> tuple[np.ndarray, np.ndarray]:
    """The chain's value y and dy/dx (summed over elements: the upstream gradient is ones).

    Forward keeps what each local derivative needs: the output of exp and tanh, the input of
    log and sin.
    """
    saved = []
    for name, c in ops:
        if name == "mul":
            x = x * c
        elif name == "add":
            x = x + c
        elif name == "exp":
            x = np.exp(x)
        elif name == "log":
            saved.append(x)
            x = np.log(x)
        elif name == "tanh":
            x = np.tanh(x)
        else:
            saved.append(x)
            x = np.sin(x)
        if name in ("exp", "tanh"):
            saved.append(x)
    g = np.ones_like(x)
    for name, c in reversed(ops):
        if name == "mul":
            g = g * c  # d(cx)/dx = c
        elif name == "add":
            continue  # d(x + c)/dx = 1
        elif name == "exp":
            g = g * saved.pop()  # d(e^x)/dx = e^x
        elif name == "log":
            g = g / saved.pop()  # d(log x)/dx = 1/x
        elif name == "tanh":
            y = saved.pop()
            g = g * (1.0 - y * y)  # d(tanh x)/dx = 1 - tanh^2 x
        else:
            g = g * np.cos(saved.pop())  # d(sin x)/dx = cos x
    return x, g
