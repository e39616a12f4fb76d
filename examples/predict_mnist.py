"""Batched inference on MNIST with saved weights, and the digits it gets wrong (chapter 2.5).

The notes' ``neuralnet_mnist_batch``: load the weights, run the 10,000 test images through
the network 100 at a time, take the argmax of each row of scores (softmax is not needed:
it does not change which score is largest) and count the matches with the labels:

    for i in range(0, len(x), batch_size):
        p = np.argmax(predict(network, x[i:i+batch_size]), axis=1)
        accuracy_count += np.sum(p == t[i:i+batch_size])

The notes unpickle ``sample_weight.pkl``; here the weights are the ``.npz`` archive that
``train_mnist.py --save model.npz`` writes with ``Module.save`` (no pickle: a weights file
holds numbers, never code), and the architecture comes from the JSON file written next to
it (``model.json``: layer sizes, activation, dropout, batch norm, dtype), so the same
``nn.MLP`` is rebuilt before ``Module.load`` fills it. A CNN saved by ``train_mnist.py
--model cnn`` is rebuilt as the book's SimpleConvNet (``simple_conv_net.py``), which takes
the same flattened rows.

``--grid misclassified.png`` draws the first misclassified test digits, each titled with the
predicted and the true label (needs matplotlib: ``pip install "autograd-lite[examples]"``).

Run from the repository root::

    python examples/train_mnist.py --save model.npz
    python examples/predict_mnist.py model.npz --grid misclassified.png
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import nn
from autograd_lite import Tensor, load_mnist, no_grad

try:  # imported as examples.predict_mnist (tests, notebooks) ...
    from examples import cli
    from examples.simple_conv_net import SimpleConvNet
except ImportError:  # ... or run as python examples/predict_mnist.py
    import cli
    from simple_conv_net import SimpleConvNet

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
}
ARCHITECTURE_FORMAT = "autograd_lite.mlp"
ARCHITECTURE_KEYS = ("sizes", "activation", "dropout", "batch_norm", "dtype")
CNN_FORMAT = "autograd_lite.simple_conv_net"  # train_mnist.py --model cnn
CNN_KEYS = ("input_shape", "dtype")


def read_architecture(path: str | Path) -> dict[str, Any]:
    """The architecture JSON written by ``train_mnist.py --save``, checked."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"predict_mnist: no architecture file {path}; train_mnist.py --save writes it next "
            "to the weights (model.npz -> model.json), or pass --config"
        )
    arch = json.loads(path.read_text(encoding="utf-8"))
    if arch.get("format") == CNN_FORMAT:
        missing = [key for key in CNN_KEYS if key not in arch]
        if missing:
            raise ValueError(f"predict_mnist: {path}: a CNN architecture without {missing}")
        return arch
    missing = [key for key in ARCHITECTURE_KEYS if key not in arch]
    if arch.get("format") != ARCHITECTURE_FORMAT or missing:
        raise ValueError(
            f"predict_mnist: {path} is not an architecture file of train_mnist.py "
            f"(format {arch.get('format')!r}, missing keys {missing})"
        )
    if arch["activation"] not in ACTIVATIONS:
        raise ValueError(
            f"predict_mnist: {path}: unknown activation {arch['activation']!r}; "
            f"expected one of {sorted(ACTIVATIONS)}"
        )
    return arch


def load_model(weights: str | Path, config: str | Path | None = None) -> tuple[nn.Module, dict]:
    """Rebuild the network from its JSON architecture and load the ``.npz`` weights into it."""
    arch = read_architecture(config if config is not None else Path(weights).with_suffix(".json"))
    if arch["format"] == CNN_FORMAT:
        model = SimpleConvNet(tuple(arch["input_shape"]), dtype=np.dtype(arch["dtype"]))
        model.load(weights)
        return model.eval(), arch
    model = nn.MLP(
        arch["sizes"],
        activation=ACTIVATIONS[arch["activation"]],
        dropout=arch["dropout"],
        batch_norm=arch["batch_norm"],
        rng=np.random.default_rng(0),  # overwritten by the loaded weights
        dtype=np.dtype(arch["dtype"]),
    )
    model.load(weights)
    return model.eval(), arch


def predict(model: nn.Module, x: np.ndarray, batch_size: int = 100) -> np.ndarray:
    """The predicted class of every row of ``x``, ``batch_size`` rows at a time."""
    model.eval()
    predictions = []
    with no_grad():
        for i in range(0, len(x), batch_size):
            scores = model(Tensor(x[i : i + batch_size])).data
            predictions.append(np.argmax(scores, axis=1))  # axis 1: one argmax per image
    return np.concatenate(predictions) if predictions else np.zeros(0, dtype=np.int64)


def plot_misclassified(
    x: np.ndarray, t: np.ndarray, p: np.ndarray, path: str | Path, count: int = 36
) -> Path:
    """A grid of the first ``count`` misclassified digits titled "predicted (true)" as PNG."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError as error:
        raise ImportError(
            "predict_mnist: --grid needs matplotlib; install the examples' extras with: "
            'pip install "autograd-lite[examples]"'
        ) from error
    matplotlib.use("Agg")
    plt = importlib.import_module("matplotlib.pyplot")
    wrong = np.flatnonzero(p != t)[:count]
    columns = 6
    rows = max(1, -(-len(wrong) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.8 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(x[i].reshape(28, 28), cmap="gray_r", vmin=0.0, vmax=1.0)
        ax.set_title(f"{p[i]} (true {t[i]})", fontsize=9, color="tab:red")
    fig.suptitle(f"misclassified: {int(np.sum(p != t))} of {len(t)}, predicted (true)")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("weights", type=cli.input_file, help="the .npz file written by train_mnist.py --save")
    add("--config", type=cli.input_file, default=None, help="architecture (default: WEIGHTS.json)")
    add("--data-dir", type=cli.data_dir, default=None, help="MNIST folder (default: shipped)")
    add("--batch-size", type=cli.positive_int, default=100, help="images per forward pass")
    add("--grid", type=cli.output_file, default=None, help="write misclassified digits (PNG)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Print and return the test accuracy and the number of misclassified images."""
    args = parse_args(argv)
    model, arch = load_model(args.weights, args.config)
    _, (x_test, t_test) = load_mnist(
        normalize=True, flatten=True, data_dir=args.data_dir, dtype=np.dtype(arch["dtype"])
    )
    p = predict(model, x_test, args.batch_size)
    correct = int(np.sum(p == t_test))
    accuracy = correct / len(t_test)
    if arch["format"] == CNN_FORMAT:
        print(f"SimpleConvNet from {args.weights}")
    else:
        print(f"MLP {'-'.join(map(str, arch['sizes']))} ({arch['activation']}) from {args.weights}")
    print(f"Accuracy: {accuracy} ({correct} of {len(t_test)} test images)")
    result = {"accuracy": accuracy, "misclassified": len(t_test) - correct, "predictions": p}
    if args.grid:
        print(
            f"wrote the misclassified digits to {plot_misclassified(x_test, t_test, p, args.grid)}"
        )
        result["grid"] = args.grid
    return result


if __name__ == "__main__":
    cli.run(main)
