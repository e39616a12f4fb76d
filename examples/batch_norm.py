"""Batch normalization: training with and without it, across initial weight scales (chapter 5).

Batch norm normalizes each unit over the mini-batch before the activation,

    mu = mean_n x,  var = mean_n (x - mu)^2,  y = gamma (x - mu) / sqrt(var + eps) + beta,

so every layer sees inputs of mean 0 and variance 1 whatever the scale of the weights before
it (``nn.BatchNorm1d``; the gradient flows through mu and var too, and in evaluation mode
running averages replace the batch statistics). The book's experiment: a 6-layer network
(784 -> five hidden layers of 100 units -> 10; Affine -> [BatchNorm] -> ReLU) on the first
1,000 training images, SGD lr 0.01, mini-batches of 100, 20 epochs, with initial weights
W ~ N(0, std^2) for several std.

Without batch norm, learning depends heavily on std: too small and the signal vanishes, too
large and it explodes (the activations overflow to inf and nan; numpy's warnings are silenced,
and the accuracy of about 10% shows it). With batch norm the network learns faster and over
a much wider range of std. It cannot rescue the tiniest weights: with std 1e-4 the batch
variance falls below the ``eps`` = 1e-5 added to it, so normalizing no longer brings the
signal back to scale.

The accuracy printed and plotted is on the 1,000 training images (as in the book), in
``model.eval()``; the test accuracy at the end is printed too.

Run: ``python examples/batch_norm.py --data-dir DIR [--scales 1 0.1 0.01 0.001 0.0001]
[--plot batch_norm.png]``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import nn
import optim
from autograd_lite import Tensor, load_mnist

try:  # imported as examples.batch_norm (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/batch_norm.py
    import cli

HIDDEN = [100] * 5
DEFAULT_SCALES = (1.0, 0.1, 0.01, 0.001, 0.0001)


def build_model(
    n_inputs: int, weight_std: float, batch_norm: bool, rng: np.random.Generator
) -> nn.MLP:
    """784 -> 5 x 100 (Affine -> [BatchNorm1d] -> ReLU) -> 10, W ~ N(0, std^2), biases 0."""
    model = nn.MLP([n_inputs, *HIDDEN, 10], batch_norm=batch_norm, rng=rng)
    for _, layer in model.named_modules():
        if isinstance(layer, nn.Linear):
            layer.weight.data[...] = nn.init.normal(layer.weight.shape, rng, std=weight_std)
            layer.bias.data[...] = 0
    return model


def compare(
    x_train: np.ndarray,
    t_train: np.ndarray,
    weight_std: float,
    epochs: int = 20,
    batch_size: int = 100,
    lr: float = 0.01,
    seed: int = 0,
) -> dict[str, Any]:
    """Train with and without batch norm on the same mini-batches; training accuracy per epoch."""
    rng = np.random.default_rng(seed)
    models = {
        "batch norm": build_model(x_train.shape[1], weight_std, True, rng),
        "no batch norm": build_model(x_train.shape[1], weight_std, False, rng),
    }
    optimizers = {name: optim.SGD(m.parameters(), lr=lr) for name, m in models.items()}
    updates_per_epoch = max(len(x_train) // batch_size, 1)
    curves: dict[str, list[float]] = {name: [] for name in models}
    for epoch in range(epochs + 1):
        for name, model in models.items():
            curves[name].append(nn.utils.accuracy(model, x_train, t_train))
        if epoch == epochs:
            break
        for _ in range(updates_per_epoch):
            batch = rng.choice(len(x_train), batch_size)
            x_batch, t_batch = Tensor(x_train[batch]), t_train[batch]
            for name, model in models.items():
                loss = nn.functional.cross_entropy(model(x_batch), t_batch)
                optimizers[name].zero_grad()
                loss.backward()
                optimizers[name].step()
    return {"curves": curves, "models": models}


def plot_curves(results: dict[float, dict[str, list[float]]], path: str | Path) -> Path:
    """One panel per weight scale: training accuracy per epoch, with and without batch norm."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError as error:
        raise ImportError(
            'batch_norm: --plot needs matplotlib; pip install "autograd-lite[examples]"'
        ) from error
    matplotlib.use("Agg")
    plt = importlib.import_module("matplotlib.pyplot")
    n = len(results)
    columns = min(n, 5)
    rows = -(-n // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(3.2 * columns, 3.2 * rows), squeeze=False, sharey=True
    )
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax, (scale, curves) in zip(axes.flat, results.items()):
        ax.plot(curves["batch norm"], label="batch norm")
        ax.plot(curves["no batch norm"], "--", label="no batch norm")
        ax.set(title=f"W ~ N(0, {scale:g}^2)", xlabel="epochs", ylim=(0, 1.0))
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("training accuracy")
    axes[0, 0].legend(loc="lower right")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def main(
    data_dir: str | None = None,
    scales: Sequence[float] = DEFAULT_SCALES,
    n_train: int = 1000,
    epochs: int = 20,
    test_limit: int | None = None,
    seed: int = 0,
    plot: str | None = None,
) -> dict[float, dict[str, Any]]:
    """For each weight scale: final training and test accuracy with and without batch norm."""
    (x_train, t_train), (x_test, t_test) = load_mnist(data_dir=data_dir)
    x_train, t_train = x_train[:n_train], t_train[:n_train]
    x_test, t_test = x_test[:test_limit], t_test[:test_limit]
    print(
        f"MLP 784-{'-'.join(map(str, HIDDEN))}-10 (ReLU), SGD lr 0.01, batch 100, "
        f"{n_train} training images, {epochs} epochs"
    )
    print("   weight std | train acc: batch norm / none | test acc: batch norm / none")
    results = {}
    for scale in scales:
        with np.errstate(over="ignore", invalid="ignore"):  # exploding signals are expected
            run = compare(x_train, t_train, scale, epochs, seed=seed)
        curves, models = run["curves"], run["models"]
        with np.errstate(over="ignore", invalid="ignore"):
            test = {
                name: nn.utils.accuracy(model, x_test, t_test) for name, model in models.items()
            }
        results[scale] = {
            "curves": curves,
            "train_acc": {name: curve[-1] for name, curve in curves.items()},
            "test_acc": test,
        }
        print(
            f"  {scale:11g} | {100 * curves['batch norm'][-1]:10.2f}% / "
            f"{100 * curves['no batch norm'][-1]:6.2f}%    | "
            f"{100 * test['batch norm']:9.2f}% / {100 * test['no batch norm']:6.2f}%",
            flush=True,
        )
    if plot:
        print(f"wrote {plot_curves({s: r['curves'] for s, r in results.items()}, plot)}")
    return results


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--data-dir", type=cli.data_dir, default=None, help="MNIST folder (default: shipped)")
    add("--scales", type=cli.positive_float, nargs="+", default=list(DEFAULT_SCALES),
        help="standard deviations of the initial weights")  # fmt: skip
    add("--n-train", type=cli.positive_int, default=1000, help="training images used")
    add("--epochs", type=cli.positive_int, default=20, help="passes over the training images")
    add("--test-limit", type=cli.positive_int, default=None, help="evaluate on N test images")
    add("--seed", type=cli.non_negative_int, default=0, help="seed of weights and batches")
    add("--plot", type=cli.output_file, default=None, help="write the accuracy curves (PNG)")
    cli.run(main, **vars(parser.parse_args()))
