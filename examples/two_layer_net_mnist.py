"""The notes' TwoLayerNet trained on MNIST with their hyper-parameters (chapters 3.6 and 4.7).

The layered TwoLayerNet of chapter 4.7: Affine -> ReLU -> Affine -> Softmax-with-Loss, with
784 inputs, 50 hidden units and 10 outputs, weights drawn as 0.01 * randn and biases 0. The
training loop is the notes' four steps with their hyper-parameters:

    iters_num = 10000, batch_size = 100, learning_rate = 0.1
    iter_per_epoch = train_size / batch_size = 600

1. mini-batch: 100 random training images (``rng.choice``, with replacement as in the notes);
2. gradient: ``loss.backward()`` instead of the hand-written ``gradient()`` (the same numbers,
   see ``examples/gradient_check.py``);
3. update: W <- W - lr dL/dW for W1, b1, W2, b2 (``optim.SGD``, the notes' SGD class);
4. repeat; once per epoch (every 600 iterations, starting at iteration 0) print the accuracy
   on the whole training set and the whole test set.

The loss is the notes' batch-averaged cross-entropy E = -1/N sum_n sum_k t_nk log y_nk with
y = softmax(scores) and one-hot t, computed as log_softmax (the stable form of log(softmax),
which needs no 1e-7 guard); its gradient with respect to the scores is (y - t) / N, the
Softmax-with-Loss backward. The two accuracies climb together (to about 97%), so the network
is not overfitting.

Run: ``python examples/two_layer_net_mnist.py --data-dir DIR [--iters 10000]``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import optim
from autograd_lite import Tensor, load_mnist, no_grad

try:  # imported as examples.two_layer_net_mnist (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/two_layer_net_mnist.py
    import cli

PARAM_NAMES = ("W1", "b1", "W2", "b2")


class TwoLayerNet:
    """Affine -> ReLU -> Affine, with Softmax-with-Loss; the parameters are Tensors."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        rng: np.random.Generator,
        weight_init_std: float = 0.01,
        dtype: type = np.float32,
    ) -> None:
        def tensor(array: np.ndarray) -> Tensor:
            return Tensor(array.astype(dtype), requires_grad=True)

        self.params = {
            "W1": tensor(weight_init_std * rng.standard_normal((input_size, hidden_size))),
            "b1": tensor(np.zeros(hidden_size)),
            "W2": tensor(weight_init_std * rng.standard_normal((hidden_size, output_size))),
            "b2": tensor(np.zeros(output_size)),
        }

    def predict(self, x: Tensor) -> Tensor:
        """The scores: Affine1 -> Relu1 -> Affine2 (no softmax: argmax does not need it)."""
        p = self.params
        return (x @ p["W1"] + p["b1"]).relu() @ p["W2"] + p["b2"]

    def loss(self, x: Tensor, t: Tensor) -> Tensor:
        """Softmax-with-Loss: -sum(t log softmax(scores)) / N for one-hot t."""
        log_y = self.predict(x).log_softmax(axis=1)
        return -(t * log_y).sum() / x.shape[0]

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        """The fraction of rows whose largest score is the label (t one-hot or integer)."""
        with no_grad():
            y = np.argmax(self.predict(Tensor(x)).data, axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.sum(y == t) / x.shape[0])


def main(
    data_dir: str | None = None,
    iters: int = 10000,
    batch_size: int = 100,
    learning_rate: float = 0.1,
    hidden_size: int = 50,
    limit: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Train as in the notes; print the accuracies once per epoch and return the curves."""
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=True, one_hot_label=True, data_dir=data_dir
    )
    if limit is not None:
        x_train, t_train = x_train[:limit], t_train[:limit]
    rng = np.random.default_rng(seed)
    network = TwoLayerNet(x_train.shape[1], hidden_size, t_train.shape[1], rng)
    optimizer = optim.SGD(network.params.values(), lr=learning_rate)

    train_size = x_train.shape[0]
    iter_per_epoch = max(train_size // batch_size, 1)
    print(
        f"TwoLayerNet 784-{hidden_size}-10, {iters} iterations, batch {batch_size}, "
        f"lr {learning_rate}, {train_size} training images ({iter_per_epoch} iterations/epoch)"
    )
    history: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "test_acc": []}
    start = time.perf_counter()
    for i in range(iters):
        batch_mask = rng.choice(train_size, batch_size)
        x_batch, t_batch = Tensor(x_train[batch_mask]), Tensor(t_train[batch_mask])

        loss = network.loss(x_batch, t_batch)
        optimizer.zero_grad()
        loss.backward()  # the gradients of W1, b1, W2, b2 by backpropagation
        optimizer.step()  # params[key] -= learning_rate * grad[key]
        history["train_loss"].append(loss.item())

        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            test_acc = network.accuracy(x_test, t_test)
            history["train_acc"].append(train_acc)
            history["test_acc"].append(test_acc)
            print(f"train acc, test acc | {train_acc:.4f}, {test_acc:.4f}", flush=True)

    final_train, final_test = network.accuracy(x_train, t_train), network.accuracy(x_test, t_test)
    print(
        f"after {iters} iterations ({time.perf_counter() - start:.1f} s): train acc "
        f"{final_train:.4f}, test acc {final_test:.4f}"
    )
    return {**history, "final_train_acc": final_train, "final_test_acc": final_test}


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--data-dir", type=cli.data_dir, default=None, help="MNIST folder (default: shipped)")
    add("--iters", type=cli.positive_int, default=10000, help="iterations (the notes: 10000)")
    add("--batch-size", type=cli.positive_int, default=100, help="images per iteration")
    add("--learning-rate", type=cli.positive_float, default=0.1, help="SGD step size")
    add("--hidden-size", type=cli.positive_int, default=50, help="hidden units")
    add("--limit", type=cli.positive_int, default=None, help="use the first N training images")
    add("--seed", type=cli.non_negative_int, default=0, help="seed of weights and batches")
    cli.run(main, **vars(parser.parse_args()))
