"""A second baseline: the notes' network tuned by hand: in place, preallocated.

The same layers as ``numpy_by_hand.py`` (``Affine``, ``Relu``, ``SoftmaxWithLoss`` from *Deep
Learning from Scratch*, chapter 5) and the same optimizers (PyTorch's SGD and Adam formulas,
as ``optim``'s), written the way a careful numpy user tunes them: buffers the layer owns are
updated in place (``out=``, ``*=``), the first layer skips the input gradient nobody uses, and
the optimizers update parameters in place with preallocated scratch arrays.

It is the best that numpy code written by hand reasonably gets, a harder floor than the
notes' code; the harness runs it on W1 and W2 only (a chain of elementwise ops has nothing to
tune). The network, its runner and the optimizers' state are ``numpy_by_hand``'s: these
classes plug into them, so only what is tuned is written twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .numpy_by_hand import SGD, Adam, NumpyNet, NumpyRunner


class TunedAffine:
    """y = x W + b; backward: dx = dy W^T (unless ``needs_dx`` is off), dW = x^T dy, db = sum dy."""

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


class TunedRelu:
    """y = max(x, 0); backward: dx = dy where x > 0, else 0. Works in place on owned arrays."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x > 0
        return np.multiply(x, self.mask, out=x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.multiply(dout, self.mask, out=dout)


class TunedSoftmaxWithLoss:
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


class TunedSGD(SGD):
    """p <- p - lr g, in place (the gradient buffer is scaled in place: it is rewritten anyway)."""

    def update(self, grads: Sequence[np.ndarray]) -> None:
        for p, g in zip(self.params, grads):
            g *= self.lr
            p -= g


class TunedAdam(Adam):
    """PyTorch's Adam (as ``optim.Adam``): m, v moving averages with bias correction, in place."""

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr, betas, eps)
        self.scratch = [np.empty_like(p) for p in self.params]

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


class TunedNet(NumpyNet):
    """``NumpyNet`` of the tuned layers, whose first layer skips the input gradient."""

    affine_type, relu_type, loss_type = TunedAffine, TunedRelu, TunedSoftmaxWithLoss

    def __init__(self, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        super().__init__(weights)
        self.affines[0].needs_dx = False  # the images' gradient is never used


class TunedRunner(NumpyRunner):
    """Trains a ``TunedNet`` with the workload's optimizer, tuned."""

    name = "numpy_tuned"
    net_type = TunedNet
    optimizer_types = {"sgd": TunedSGD, "adam": TunedAdam}
