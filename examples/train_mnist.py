"""Train a multilayer perceptron on MNIST: the notes' training loop as a tool (chapters 3-5).

The loop is the notes' four steps, repeated over mini-batches (chapter 3.6 and 4.7):

1. a mini-batch of training images (``DataLoader``: a fresh random order every epoch);
2. the gradient of the loss by backpropagation (``loss.backward()``);
3. an update of the parameters (an ``optim`` optimizer, chapter 5: SGD to Adam);
4. repeat; after each epoch, measure the accuracy on the 10,000 test images.

The network is ``nn.MLP``: 784 -> hidden sizes -> 10, each hidden layer Affine (``Linear``)
-> [BatchNorm1d] -> activation -> [Dropout], and softmax cross-entropy on the logits (the
notes' Softmax-with-Loss). The learning rate follows a cosine schedule over the epochs
(``optim.CosineAnnealingLR``, ``--schedule none`` keeps it constant). Evaluation runs under
``no_grad()`` with ``model.eval()`` (dropout off, batch norm on its running statistics), in
batches of 100 as in the notes.

The defaults (784-512-256-10, ReLU, dropout 0.2, Adam lr 1e-3 with a cosine schedule,
batch 128, 15 epochs, float32) reach about 98.5% test accuracy; the README gives the measured
accuracy and time.

``--save model.npz`` writes the weights with ``Module.save`` (an ``.npz`` archive, never
pickle) and the architecture next to them as JSON (``model.json``: sizes, activation, batch
norm, dropout, dtype), which ``predict_mnist.py`` reads to rebuild the same network.
``--plot curves.png`` draws the loss and accuracy curves. The progress bar (tqdm) and the plot
(matplotlib) are optional extras, imported only when used:
``pip install "autograd-lite[examples]"``.

Run from the repository root::

    python examples/train_mnist.py --data-dir DIR --save model.npz --plot curves.png
    python examples/train_mnist.py --limit 10000 --epochs 1 --hidden 128   # a quick run
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import nn
import optim
from autograd_lite import DataLoader, Tensor, load_mnist

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
}
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw")
EVAL_BATCH_SIZE = 100  # the notes' batch for inference; predict_mnist.py uses the same
ARCHITECTURE_FORMAT = "autograd_lite.mlp"  # the "format" key of the JSON sidecar
EXTRAS_HINT = 'pip install "autograd-lite[examples]"'


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line; every default is the setting whose accuracy the README reports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--hidden", type=int, nargs="+", default=[512, 256], help="hidden layer sizes")
    add("--activation", choices=sorted(ACTIVATIONS), default="relu")
    add("--optimizer", choices=OPTIMIZERS, default="adam")
    add("--lr", type=float, default=1e-3, help="learning rate (the start of the schedule)")
    add("--schedule", choices=("cosine", "none"), default="cosine", help="lr schedule")
    add("--epochs", type=_positive_int, default=15)
    add("--batch-size", type=_positive_int, default=128)
    add("--weight-decay", type=float, default=0.0, help="L2 penalty (decoupled for adamw)")
    add("--dropout", type=float, default=0.2, help="dropout probability after each hidden layer")
    add("--batch-norm", action="store_true", help="BatchNorm1d before each activation")
    add("--dtype", choices=("float32", "float64"), default="float32")
    add("--seed", type=int, default=0, help="seed of the weights, dropout and batch order")
    add("--data-dir", default=None, help="MNIST directory (default: load_mnist's lookup)")
    add("--limit", type=_positive_int, default=None, help="train on the first N images only")
    add("--save", default=None, help="write the weights (.npz) and the architecture (.json)")
    add("--plot", default=None, help="write the loss and accuracy curves to this PNG")
    add("--no-progress", action="store_true", help="no progress bar (tqdm)")
    return parser.parse_args(argv)


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


# --- the model and its architecture file ---------------------------------------------------


def architecture(args: argparse.Namespace, n_inputs: int = 784, n_classes: int = 10) -> dict:
    """Everything needed to rebuild the network, as plain JSON-able values."""
    return {
        "format": ARCHITECTURE_FORMAT,
        "sizes": [n_inputs, *args.hidden, n_classes],
        "activation": args.activation,
        "dropout": args.dropout,
        "batch_norm": args.batch_norm,
        "dtype": args.dtype,
    }


def build_model(arch: dict, rng: np.random.Generator) -> nn.MLP:
    """``nn.MLP`` from an architecture dict (see ``architecture``)."""
    return nn.MLP(
        arch["sizes"],
        activation=ACTIVATIONS[arch["activation"]],
        dropout=arch["dropout"],
        batch_norm=arch["batch_norm"],
        rng=rng,
        dtype=np.dtype(arch["dtype"]),
    )


def architecture_path(weights_path: str | Path) -> Path:
    """The JSON sidecar of a weights file: ``model.npz`` -> ``model.json``."""
    return Path(weights_path).with_suffix(".json")


def save_model(model: nn.Module, arch: dict, path: str | Path, extra: dict) -> Path:
    """Write the weights to ``path`` (.npz, no pickle) and the architecture beside them."""
    path = Path(path)
    if path.suffix == ".json":
        raise ValueError(f"train_mnist: --save {path}: the weights file must not end in .json")
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    sidecar = architecture_path(path)
    sidecar.write_text(json.dumps({**arch, **extra}, indent=2) + "\n", encoding="utf-8")
    return sidecar


def make_optimizer(
    name: str, params: Iterable[nn.Parameter], lr: float, weight_decay: float
) -> optim.Optimizer:
    """One of OPTIMIZERS. momentum is PyTorch's SGD(momentum=0.9): the notes' Momentum path
    at a constant lr (see optim/sgd.py), and it has a weight_decay."""
    params = list(params)
    if name == "adagrad":
        if weight_decay:
            raise ValueError(
                "train_mnist: optim.AdaGrad has no weight decay; use --weight-decay with sgd, "
                "momentum, rmsprop, adam or adamw"
            )
        return optim.AdaGrad(params, lr=lr)
    if name == "sgd":
        return optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSProp(params, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    return optim.AdamW(params, lr=lr, weight_decay=weight_decay)


# --- training and evaluation ---------------------------------------------------------------


def evaluate(model: nn.Module, x: np.ndarray, t: np.ndarray) -> tuple[float, int]:
    """Accuracy and number correct, in batches of 100, under no_grad() and model.eval()."""
    accuracy = nn.utils.accuracy(model, x, t, batch_size=EVAL_BATCH_SIZE)
    return accuracy, round(accuracy * len(x))


def train_epoch(
    model: nn.Module, optimizer: optim.Optimizer, loader: DataLoader, bar: Any
) -> tuple[float, float, list[float]]:
    """One pass over ``loader``: mean loss and accuracy over the mini-batches, and each loss.

    The training numbers are measured on each mini-batch before its update, in training mode
    (dropout on), so they lag the end-of-epoch model a little (as Keras reports them).
    """
    model.train()
    losses, total_loss, correct, seen = [], 0.0, 0, 0
    for x_batch, t_batch in loader:
        logits = model(Tensor(x_batch))
        loss = nn.functional.cross_entropy(logits, t_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        n = len(t_batch)
        losses.append(loss.item())
        total_loss += losses[-1] * n
        correct += int(np.sum(np.argmax(logits.data, axis=1) == t_batch))
        seen += n
        if bar is not None:
            bar.update(n)
            if len(losses) % 10 == 0:
                bar.set_postfix(loss=f"{total_loss / seen:.4f}", refresh=False)
    return total_loss / seen, correct / seen, losses


def progress_bar(total: int, description: str, enabled: bool) -> Any:
    """A tqdm bar counting images (so its rate is samples/s), or None when disabled."""
    if not enabled:
        return None
    tqdm = require("tqdm", "the progress bar (or pass --no-progress)").tqdm
    return tqdm(total=total, desc=description, unit="img", unit_scale=True, leave=False)


def require(module: str, purpose: str) -> Any:
    """Import an optional extra, or fail with the command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"train_mnist: {purpose} needs {module.split('.')[0]}, which is not installed; "
            f"install the examples' extras with: {EXTRAS_HINT}"
        ) from error


def plot_curves(history: dict[str, list], path: str | Path) -> Path:
    """Loss (per mini-batch and per epoch) and accuracy (train and test) per epoch, as PNG."""
    matplotlib = require("matplotlib", "--plot")
    matplotlib.use("Agg")  # files only, no window: works on a server without a display
    plt = require("matplotlib.pyplot", "--plot")
    epochs = history["epoch"]
    batch_losses = history["batch_loss"]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    # batch i ends at epoch position (i + 1) / batches_per_epoch
    positions = np.arange(1, len(batch_losses) + 1) * len(epochs) / max(len(batch_losses), 1)
    ax_loss.plot(positions, batch_losses, color="tab:blue", alpha=0.25, lw=0.7, label="batch")
    ax_loss.plot(epochs, history["train_loss"], "o-", color="tab:blue", label="epoch mean")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="training loss")
    ax_loss.legend()
    ax_acc.plot(epochs, 100 * np.array(history["train_acc"]), "o-", label="train")
    ax_acc.plot(epochs, 100 * np.array(history["test_acc"]), "s-", label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    ax_acc.grid(alpha=0.3)
    ax_acc.legend()
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def load_data(args: argparse.Namespace) -> tuple[np.ndarray, ...]:
    """MNIST as flat images in [0, 1] of ``--dtype`` with integer labels; ``--limit`` applied."""
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=True, flatten=True, data_dir=args.data_dir, dtype=np.dtype(args.dtype)
    )
    if args.limit is not None:
        x_train, t_train = x_train[: args.limit], t_train[: args.limit]
    return x_train, t_train, x_test, t_test


def fit(
    model: nn.Module,
    optimizer: optim.Optimizer,
    loader: DataLoader,
    test_set: tuple[np.ndarray, np.ndarray],
    args: argparse.Namespace,
) -> dict[str, list]:
    """The training loop: ``args.epochs`` epochs, one printed line and one history entry each."""
    scheduler = (
        optim.CosineAnnealingLR(optimizer, args.epochs) if args.schedule == "cosine" else None
    )
    keys = ("epoch", "train_loss", "train_acc", "test_acc", "seconds", "lr")
    history: dict[str, list] = {key: [] for key in (*keys, "batch_loss")}
    for epoch in range(1, args.epochs + 1):
        epoch_start, lr = time.perf_counter(), optimizer.lr
        bar = progress_bar(len(loader.x), f"epoch {epoch}/{args.epochs}", not args.no_progress)
        try:
            train_loss, train_acc, batch_losses = train_epoch(model, optimizer, loader, bar)
        finally:
            if bar is not None:
                bar.close()
        if scheduler is not None:
            scheduler.step()
        if not math.isfinite(train_loss):
            raise FloatingPointError(
                f"train_mnist: the training loss became {train_loss} in epoch {epoch}; "
                f"lower --lr (now {args.lr})"
            )
        test_acc, _ = evaluate(model, *test_set)
        seconds = time.perf_counter() - epoch_start
        for key, value in zip(keys, (epoch, train_loss, train_acc, test_acc, seconds, lr)):
            history[key].append(value)
        history["batch_loss"].extend(batch_losses)
        print(
            f"epoch {epoch:2d}/{args.epochs}  train loss {train_loss:.4f}  "
            f"train acc {100 * train_acc:6.2f}%  test acc {100 * test_acc:6.2f}%  "
            f"{seconds:5.1f} s",
            flush=True,
        )
    return history


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Train, print one line per epoch, save and plot if asked; return the history."""
    args = parse_args(argv)
    x_train, t_train, x_test, t_test = load_data(args)
    arch = architecture(args, x_train.shape[1])
    model = build_model(arch, np.random.default_rng(args.seed))
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr, args.weight_decay)
    loader = DataLoader(x_train, t_train, args.batch_size, shuffle=True, seed=args.seed)
    print(
        f"MLP {'-'.join(map(str, arch['sizes']))} ({args.activation}, dropout {args.dropout}, "
        f"batch norm {args.batch_norm}), {args.optimizer} lr {args.lr} ({args.schedule}), "
        f"batch {args.batch_size}, {args.epochs} epochs, {len(x_train)} training images, "
        f"{args.dtype}"
    )
    start = time.perf_counter()
    history = fit(model, optimizer, loader, (x_test, t_test), args)
    total_seconds = time.perf_counter() - start
    final = history["test_acc"][-1]
    print(f"final test accuracy {100 * final:.2f}% in {total_seconds:.1f} s")
    result: dict[str, Any] = {
        "history": history,
        "test_accuracy": final,
        "seconds": total_seconds,
        "architecture": arch,
    }
    if args.save:
        extra = {"test_accuracy": final, "epochs": args.epochs, "optimizer": args.optimizer}
        sidecar = save_model(model, arch, args.save, extra)
        print(f"saved the weights to {args.save} and the architecture to {sidecar}")
        result["architecture_path"] = str(sidecar)
    if args.plot:
        print(f"wrote the curves to {plot_curves(history, args.plot)}")
    return result


if __name__ == "__main__":
    main()
