"""Gradient check: backpropagation against numerical gradients on MNIST (the notes, chapter 4).

Backprop is fast but easy to get subtly wrong; numerical differentiation is slow but simple.
So the notes check one against the other: a ``TwoLayerNet`` (784 inputs, 50 hidden ReLU units,
10 outputs, softmax with cross-entropy) on the first 3 training images, with

- ``numerical_gradient`` (central differences, h = 1e-4): two evaluations of the loss for
  each of the network's 39,760 parameters;
- ``backward()``: one forward and one backward pass for all of them at once.

For each parameter the script prints the mean absolute difference. The notes report about
1e-10 to 1e-13; in float64 (used here) the differences are of that order, the truncation
error of the central difference, far below the size of the gradients themselves.

Both sides differentiate the same function: the loss of the Tensor network, evaluated in
float64 under ``no_grad`` for the numerical side. The loss uses ``log_softmax``, so it needs
no 1e-7 guard inside the log (a guard would itself shift the gradient by about 1e-7).

Uses the MNIST copy shipped with autograd_lite (``--data-dir DIR`` or
``$AUTOGRAD_LITE_DATA`` point elsewhere): ``python examples/gradient_check.py``.
``--hidden-size 10`` makes it faster.
"""

from __future__ import annotations

import time

import numpy as np

from autograd_lite import Tensor, load_mnist, no_grad, numerical_gradient

try:  # imported as examples.gradient_check (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/gradient_check.py
    import cli

PARAM_NAMES = ("W1", "b1", "W2", "b2")


class TwoLayerNet:
    """Affine, ReLU, Affine, then softmax with cross-entropy, with Tensor parameters."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        rng: np.random.Generator,
        weight_init_std: float = 0.01,
    ) -> None:
        self.params = {
            "W1": Tensor(weight_init_std * rng.standard_normal((input_size, hidden_size))),
            "b1": Tensor(np.zeros(hidden_size)),
            "W2": Tensor(weight_init_std * rng.standard_normal((hidden_size, output_size))),
            "b2": Tensor(np.zeros(output_size)),
        }
        for p in self.params.values():
            p.requires_grad = True

    def predict(self, x: Tensor) -> Tensor:
        p = self.params
        hidden = (x @ p["W1"] + p["b1"]).relu()
        return hidden @ p["W2"] + p["b2"]

    def loss(self, x: Tensor, t: Tensor) -> Tensor:
        """Mean cross-entropy -sum(t log softmax(scores)) / N for one-hot labels t."""
        log_y = self.predict(x).log_softmax(axis=1)
        return -(t * log_y).sum() / x.shape[0]

    def numerical_gradient(self, x: Tensor, t: Tensor) -> dict[str, np.ndarray]:
        """Each parameter's gradient by central differences of the loss (nudged in place)."""

        def loss_value(_array: np.ndarray) -> float:
            with no_grad():
                return self.loss(x, t).item()

        return {name: numerical_gradient(loss_value, p.data) for name, p in self.params.items()}

    def gradient(self, x: Tensor, t: Tensor) -> dict[str, np.ndarray]:
        """Each parameter's gradient by backpropagation."""
        for p in self.params.values():
            p.zero_grad()
        self.loss(x, t).backward()
        return {name: p.grad.data for name, p in self.params.items()}


def main(
    data_dir: str | None = None, n_images: int = 3, hidden_size: int = 50, seed: int = 0
) -> dict[str, float]:
    """Print and return the mean |backprop - numerical| for each parameter."""
    (x_train, t_train), _ = load_mnist(
        normalize=True, one_hot_label=True, data_dir=data_dir, dtype=np.float64
    )
    x = Tensor(x_train[:n_images])
    t = Tensor(t_train[:n_images].astype(np.float64))
    network = TwoLayerNet(x.shape[1], hidden_size, t.shape[1], np.random.default_rng(seed))
    sizes = "-".join(str(n) for n in (x.shape[1], hidden_size, t.shape[1]))
    count = sum(p.size for p in network.params.values())
    print(f"TwoLayerNet {sizes} ({count} parameters) on {n_images} MNIST images")

    start = time.perf_counter()
    grad_numerical = network.numerical_gradient(x, t)
    numerical_seconds = time.perf_counter() - start
    start = time.perf_counter()
    grad_backprop = network.gradient(x, t)
    backprop_seconds = time.perf_counter() - start
    print(f"numerical: {numerical_seconds:.2f} s, backprop: {backprop_seconds:.4f} s")

    differences = {}
    for name in PARAM_NAMES:
        differences[name] = float(np.mean(np.abs(grad_backprop[name] - grad_numerical[name])))
        scale = float(np.mean(np.abs(grad_backprop[name])))
        print(f"  {name}: mean |difference| {differences[name]:.1e}  (mean |gradient| {scale:.1e})")
    return differences


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--data-dir", type=cli.data_dir, default=None, help="MNIST folder (default: shipped)")
    add("--n-images", type=cli.positive_int, default=3, help="images in the batch")
    add("--hidden-size", type=cli.positive_int, default=50, help="hidden ReLU units")
    add("--seed", type=cli.non_negative_int, default=0, help="seed of the initial weights")
    args = parser.parse_args()
    cli.run(main, args.data_dir, args.n_images, args.hidden_size, args.seed)
