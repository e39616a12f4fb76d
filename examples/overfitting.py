"""Overfitting, and two remedies: weight decay and dropout (chapter 5, regularization).

The notes' recipe for overfitting on purpose: a big model and little data. A 7-layer network
(784 -> six hidden layers of 100 ReLU units -> 10, He initial weights) is trained on only the
first 300 training images with SGD (lr 0.01, random mini-batches of 100, so an epoch is 3
updates). Without help it learns the 300 images perfectly while the test accuracy stalls far
below: the gap between the two curves is the overfitting. Three runs, same seed:

- no regularization;
- weight decay: the loss gets 1/2 lambda sum ||W||^2 over every weight matrix (not the
  biases), lambda = 0.1, so each update also pulls W towards 0 by lr lambda W; large weights
  cost something now;
- dropout 0.2: in training each hidden unit is dropped with probability 0.2, so the network
  cannot lean on any single unit. ``nn.Dropout`` is inverted dropout (it scales the kept
  units by 1 / 0.8 in training); the book instead multiplies by 0.8 at test time. The two
  agree in expectation.

Accuracies are measured in ``model.eval()`` under ``no_grad()`` on the 300 training images
and the 10,000 test images, every ``--eval-every`` epochs (the book every epoch; this only
changes how finely the curve is drawn). Both remedies shrink the gap between training and
test accuracy.

Run: ``python examples/overfitting.py --data-dir DIR [--epochs 200] [--plot overfit.png]``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np

import nn
import optim
from autograd_lite import Tensor, load_mnist

try:  # imported as examples.overfitting (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/overfitting.py
    import cli

HIDDEN = [100] * 6
SETTINGS = {  # name -> (weight decay lambda, dropout probability)
    "no regularization": (0.0, 0.0),
    "weight decay 0.1": (0.1, 0.0),
    "dropout 0.2": (0.0, 0.2),
}


def build_model(n_inputs: int, dropout: float, rng: np.random.Generator) -> nn.MLP:
    """784 -> 6 x 100 ReLU (-> Dropout) -> 10, He-initialized weights and zero biases."""
    model = nn.MLP([n_inputs, *HIDDEN, 10], dropout=dropout, rng=rng)
    for _, layer in model.named_modules():
        if isinstance(layer, nn.Linear):
            layer.weight.data[...] = nn.init.kaiming_normal(layer.weight.shape, rng)
            layer.bias.data[...] = 0
    return model


def weight_penalty(model: nn.Module, weight_decay: float) -> Any:
    """1/2 lambda sum ||W||^2 over the weight matrices; its gradient is lambda W."""
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    return sum((w * w).sum() for w in weights) * (0.5 * weight_decay)


def train(
    data: tuple[np.ndarray, ...],
    weight_decay: float = 0.0,
    dropout: float = 0.0,
    epochs: int = 200,
    batch_size: int = 100,
    lr: float = 0.01,
    eval_every: int = 10,
    seed: int = 0,
) -> dict[str, list]:
    """Train one network; its train and test accuracy every ``eval_every`` epochs and at the end."""
    x_train, t_train, x_test, t_test = data
    rng = np.random.default_rng(seed)
    model = build_model(x_train.shape[1], dropout, rng)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    updates_per_epoch = max(len(x_train) // batch_size, 1)
    history: dict[str, list] = {"epoch": [], "train_acc": [], "test_acc": []}
    for epoch in range(epochs + 1):
        if epoch % eval_every == 0 or epoch == epochs:
            history["epoch"].append(epoch)
            history["train_acc"].append(nn.utils.accuracy(model, x_train, t_train))
            history["test_acc"].append(nn.utils.accuracy(model, x_test, t_test))
        if epoch == epochs:
            break
        for _ in range(updates_per_epoch):
            batch = rng.choice(len(x_train), batch_size)  # the notes' random mini-batch
            loss = nn.functional.cross_entropy(model(Tensor(x_train[batch])), t_train[batch])
            if weight_decay:
                loss = loss + weight_penalty(model, weight_decay)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return history


def plot_histories(histories: dict[str, dict[str, list]], path: str | Path) -> Path:
    """One panel per setting: train and test accuracy against epochs, as in the book."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError as error:
        raise ImportError(
            'overfitting: --plot needs matplotlib; pip install "autograd-lite[examples]"'
        ) from error
    matplotlib.use("Agg")
    plt = importlib.import_module("matplotlib.pyplot")
    fig, axes = plt.subplots(1, len(histories), figsize=(4.5 * len(histories), 4), sharey=True)
    for ax, (name, history) in zip(np.atleast_1d(axes), histories.items()):
        ax.plot(history["epoch"], history["train_acc"], "o-", markersize=3, label="train")
        ax.plot(history["epoch"], history["test_acc"], "s-", markersize=3, label="test")
        ax.set(title=name, xlabel="epochs", ylim=(0, 1.0))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    np.atleast_1d(axes)[0].set_ylabel("accuracy")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def main(
    data_dir: str | None = None,
    n_train: int = 300,
    epochs: int = 200,
    eval_every: int = 10,
    test_limit: int | None = None,
    seed: int = 0,
    plot: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Run the three settings; print and return their final train/test accuracy and gap."""
    (x_train, t_train), (x_test, t_test) = load_mnist(data_dir=data_dir)
    data = (x_train[:n_train], t_train[:n_train], x_test[:test_limit], t_test[:test_limit])
    print(
        f"MLP 784-{'-'.join(map(str, HIDDEN))}-10 (ReLU, He), SGD lr 0.01, batch 100, "
        f"{n_train} training images, {epochs} epochs"
    )
    results = {}
    for name, (weight_decay, dropout) in SETTINGS.items():
        history = train(data, weight_decay, dropout, epochs, eval_every=eval_every, seed=seed)
        train_acc, test_acc = history["train_acc"][-1], history["test_acc"][-1]
        results[name] = {
            "history": history,
            "train_acc": train_acc,
            "test_acc": test_acc,
            "gap": train_acc - test_acc,
        }
        print(
            f"  {name:18s} train acc {100 * train_acc:6.2f}%  test acc {100 * test_acc:6.2f}%  "
            f"gap {100 * (train_acc - test_acc):5.2f} points",
            flush=True,
        )
    if plot:
        print(f"wrote {plot_histories({k: v['history'] for k, v in results.items()}, plot)}")
    return results


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--data-dir", type=cli.data_dir, default=None, help="MNIST folder (default: shipped)")
    add("--n-train", type=cli.positive_int, default=300, help="training images used")
    add("--epochs", type=cli.positive_int, default=200, help="passes over the training images")
    add("--eval-every", type=cli.positive_int, default=10, help="epochs between evaluations")
    add("--test-limit", type=cli.positive_int, default=None, help="evaluate on N test images")
    add("--seed", type=cli.non_negative_int, default=0, help="seed of weights and batches")
    add("--plot", type=cli.output_file, default=None, help="write the accuracy curves (PNG)")
    cli.run(main, **vars(parser.parse_args()))
