"""The notes' ``simpleNet``: the gradient of a loss with respect to a weight matrix (chapter 3).

The network is one 2x3 weight matrix W: scores ``p = x W`` for three classes, probabilities
``y = softmax(p)``, and the cross-entropy loss ``L = -sum_k t_k log(y_k + 1e-7)`` against the
one-hot label t, averaged over the batch. The gradient dL/dW has W's shape: entry (i, j) says
how fast the loss changes when W[i, j] moves a little.

It is computed twice:

- numerically, as in the notes: ``numerical_gradient`` nudges each of the six weights by
  +-1e-4 and evaluates a numpy loss twice per weight;
- by backpropagation: the same loss built from ``autograd_lite`` Tensor ops, then
  ``backward()``.

Both differentiate the same function, so they agree to about 1e-10. (``log_softmax`` is the
stable way to write log(softmax(p)); it has no 1e-7 guard, so its gradient differs from the
guarded one by about 1e-7, which the script also prints.) For one sample the exact answer is
``dL/dW = outer(x, y - t)`` (up to that guard).

The default W is the random draw printed in the book, so the numbers can be checked against
it: dW = [[0.219 0.144 -0.363] [0.329 0.215 -0.544]]. ``--seed`` draws a new W instead.

Run from the repository root: ``python examples/simple_net.py [--seed 0]`` (with the package
installed, ``pip install -e .``, or ``PYTHONPATH=.``).
"""

from __future__ import annotations

import numpy as np

from autograd_lite import Tensor, numerical_gradient

try:  # imported as examples.simple_net (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/simple_net.py
    import cli

# The book's printed draw of np.random.randn(2, 3), kept so the output can be compared with it.
BOOK_W = np.array([[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]])
X = np.array([0.6, 0.9])
T = np.array([0.0, 0.0, 1.0])

# --- the numpy side, as in the notes ------------------------------------------------------


def softmax(a: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, shifted by the maximum so exp cannot overflow."""
    exp_a = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return exp_a / np.sum(exp_a, axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """-sum(t log(y + 1e-7)) / N: the 1e-7 keeps log away from log(0) = -inf."""
    if y.ndim == 1:  # one sample: make it a batch of one
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    return float(-np.sum(t * np.log(y + 1e-7)) / y.shape[0])


class SimpleNet:
    """One 2x3 weight matrix, scored with softmax and cross-entropy (the notes' simpleNet)."""

    def __init__(self, W: np.ndarray) -> None:
        self.W = W

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.dot(x, self.W)

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        return cross_entropy_error(softmax(self.predict(x)), t)

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """dL/dW by central differences; W is nudged in place, so the loss sees each nudge."""
        return numerical_gradient(lambda _w: self.loss(x, t), self.W)


# --- the Tensor side ----------------------------------------------------------------------


def tensor_loss(W: Tensor, x: Tensor, t: Tensor) -> Tensor:
    """The same loss with Tensor ops: softmax, then log(y + 1e-7), batch-averaged."""
    y = (x @ W).softmax(axis=-1)
    return -(t * (y + 1e-7).log()).sum() / (x.shape[0] if x.ndim == 2 else 1)


def tensor_loss_log_softmax(W: Tensor, x: Tensor, t: Tensor) -> Tensor:
    """The stable fused form: log(softmax(p)) computed as log_softmax(p), with no guard."""
    log_y = (x @ W).log_softmax(axis=-1)
    return -(t * log_y).sum() / (x.shape[0] if x.ndim == 2 else 1)


def backprop_gradient(W: np.ndarray, x: np.ndarray, t: np.ndarray, loss_fn=tensor_loss):
    """dL/dW by backpropagation through ``loss_fn``, and the loss value."""
    w = Tensor(W.copy(), requires_grad=True)
    loss = loss_fn(w, Tensor(x), Tensor(t))
    loss.backward()
    return w.grad.data, loss.item()


def main(seed: int | None = None) -> dict:
    """Print W, the scores, the loss and dW both ways; return them and their difference."""
    W = BOOK_W.copy() if seed is None else np.random.default_rng(seed).standard_normal((2, 3))
    net = SimpleNet(W)
    p = net.predict(X)
    loss = net.loss(X, T)
    print(f"W =\n{net.W}")
    print(f"x = {X}, t = {T}")
    print(f"p = x W = {p}  (argmax {np.argmax(p)})")
    print(f"loss = {loss}")

    dW_numerical = net.numerical_gradient(X, T)
    dW_backprop, loss_tensor = backprop_gradient(W, X, T)
    dW_log_softmax, _ = backprop_gradient(W, X, T, tensor_loss_log_softmax)
    difference = float(np.max(np.abs(dW_numerical - dW_backprop)))
    guard_effect = float(np.max(np.abs(dW_log_softmax - dW_backprop)))
    print(f"\ndW (numerical) =\n{dW_numerical}")
    print(f"dW (backprop)  =\n{dW_backprop}")
    print(f"max |numerical - backprop| = {difference:.1e}")
    print(f"with log_softmax (no 1e-7 guard) the gradient moves by {guard_effect:.1e}")
    return {
        "W": W,
        "p": p,
        "loss": loss,
        "loss_tensor": loss_tensor,
        "dW_numerical": dW_numerical,
        "dW_backprop": dW_backprop,
        "dW_log_softmax": dW_log_softmax,
        "max_abs_diff": difference,
    }


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    parser.add_argument(
        "--seed", type=cli.non_negative_int, default=None,
        help="draw W at random with this seed (default: the book's W)",
    )  # fmt: skip
    cli.run(main, seed=parser.parse_args().seed)
