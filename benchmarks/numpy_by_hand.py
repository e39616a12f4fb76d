"""The baseline: the same workloads written by hand in numpy, as the notes write them.

The network is built from the notes' layers (*Deep Learning from Scratch*, chapter 5,
``common/layers.py`` and ``common/functions.py``): ``Affine``, ``Relu`` and ``SoftmaxWithLoss``
with their hand-derived backward, written the way a learner following the book writes them:
each layer returns new arrays (only ``Relu.backward`` masks its incoming gradient in place),
and every layer computes its input gradient, the first one included. This is the issue's
"numpy by hand", the floor its table was measured against.
The optimizers ``SGD`` and ``Adam`` are PyTorch's formulas (the same maths as ``optim``'s),
written as the notes write updates. ``numpy_tuned.py`` holds the same network tuned in place.

``NumpyNet`` and ``NumpyRunner`` name their layer and optimizer classes in class attributes,
so that ``numpy_tuned.py`` reuses them with its own classes.

``gemm_only_epoch`` runs just the matrix products of one epoch: timed, a lower bound for any
engine built on numpy. ``chain_forward`` / ``chain_forward_backward`` are W3/W4 by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .workloads import Dataset, MLPWorkload, Runner


def softmax(x: np.ndarray) -> np.ndarray:
    """The book's softmax of each row; subtracting the row's maximum keeps exp from overflowing."""
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> np.floating:
    """The book's mean cross-entropy of probabilities ``y`` for integer labels ``t``.

    The 1e-7 keeps log away from 0; it changes the loss's value, not the gradient (which
    ``SoftmaxWithLoss`` derives by hand). The book's branches for one-hot and 1-D inputs are
    left out: the workloads use neither.
    """
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class Affine:
    """y = x W + b; backward: dx = dy W^T, dW = x^T dy, db = sum_n dy."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W = W
        self.b = b
        self.x: np.ndarray | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        out = np.dot(x, self.W) + self.b
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx


class Relu:
    """y = max(x, 0); backward: dx = dy where x > 0, else 0 (``dout`` is overwritten)."""

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout[self.mask] = 0
        dx = dout
        return dx


class SoftmaxWithLoss:
    """Mean cross-entropy of softmax(x) against integer labels; backward: (softmax(x) - t) / N.

    As the book's, but ``backward`` takes no ``dout=1``: the loss is always the last layer.
    """

    def __init__(self) -> None:
        self.loss: np.floating | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> np.floating:
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self) -> np.ndarray:
        batch_size = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        dx = dx / batch_size
        return dx


class SGD:
    """p <- p - lr g, as the book's ``SGD`` (parameters in a list rather than its dict)."""

    def __init__(self, params: Sequence[np.ndarray], lr: float) -> None:
        self.params, self.lr = list(params), lr

    def update(self, grads: Sequence[np.ndarray]) -> None:
        for p, g in zip(self.params, grads):
            p -= self.lr * g


class Adam:
    """PyTorch's Adam, written as the notes write updates.

    m <- m + (1 - b1)(g - m) and v <- v + (1 - b2)(g^2 - v) are the book's moving averages,
    algebraically b1 m + (1 - b1) g and b2 v + (1 - b2) g^2; the step
    p <- p - lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps) is PyTorch's, where the book
    folds sqrt(1 - b2^t) into the rate and adds eps (1e-7) to sqrt(v). So this is the same
    update as ``optim.Adam`` (which divides sqrt(v) by sqrt(1 - b2^t)), up to rounding.
    """

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
        self.t = 0

    def update(self, grads: Sequence[np.ndarray]) -> None:
        beta1, beta2 = self.betas
        self.t += 1
        t, lr, eps = self.t, self.lr, self.eps
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m += (1 - beta1) * (g - m)
            v += (1 - beta2) * (g**2 - v)
            p -= lr / (1 - beta1**t) * m / (np.sqrt(v / (1 - beta2**t)) + eps)


class NumpyNet:
    """Affine -> Relu -> ... -> Affine -> SoftmaxWithLoss, from given ``(W, b)`` arrays."""

    affine_type, relu_type, loss_type = Affine, Relu, SoftmaxWithLoss

    def __init__(self, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        self.affines = [self.affine_type(w, b) for w, b in weights]
        self.relus = [self.relu_type() for _ in self.affines[:-1]]
        self.loss_layer = self.loss_type()

    def scores(self, x: np.ndarray) -> np.ndarray:
        for affine, relu in zip(self.affines, self.relus):
            x = relu.forward(affine.forward(x))
        return self.affines[-1].forward(x)

    def loss(self, x: np.ndarray, t: np.ndarray) -> float | np.floating:
        return self.loss_layer.forward(self.scores(x), t)

    def backward(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Backpropagate the last ``loss``; returns ``(dW, db)`` per layer (the layers' own)."""
        dout = self.affines[-1].backward(self.loss_layer.backward())
        for affine, relu in zip(reversed(self.affines[:-1]), reversed(self.relus)):
            dout = affine.backward(relu.backward(dout))
        return [(a.dW, a.db) for a in self.affines]


class NumpyRunner(Runner):
    """Trains a ``net_type`` network with the workload's optimizer from ``optimizer_types``."""

    name = "numpy"
    net_type = NumpyNet
    optimizer_types = {"sgd": SGD, "adam": Adam}

    def __init__(self, workload: MLPWorkload, weights: Sequence[tuple[np.ndarray, np.ndarray]]):
        self.net = self.net_type([(w.copy(), b.copy()) for w, b in weights])
        params = [p for a in self.net.affines for p in (a.W, a.b)]
        self.optimizer = self.optimizer_types[workload.optimizer](params, workload.lr)

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
