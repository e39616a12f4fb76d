"""Train a multilayer perceptron or a CNN on MNIST: the notes' training loop as a tool.

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

``--model cnn`` trains the book's SimpleConvNet instead (chapter 7, ``simple_conv_net.py``:
conv 30 5x5 - ReLU - 2x2 max pool - affine 100 - ReLU - affine 10) with its own defaults
(8 epochs, batch 100, training images shifted at random by up to 2 pixels, ``--shift``),
which reach 99.0% or more; ``--hidden``, ``--activation``, ``--dropout`` and ``--batch-norm``
describe the MLP only.

``--save model.npz`` writes the weights with ``Module.save`` (an ``.npz`` archive, never
pickle) and the architecture next to them as JSON (``model.json``: sizes, activation, batch
norm, dropout, dtype), which ``predict_mnist.py`` reads to rebuild the same network.
``--plot curves.png`` draws the loss and accuracy curves. The progress bar (tqdm) and the plot
(matplotlib) are optional extras, imported only when used:
``pip install "autograd-lite[examples]"``.

Run from the repository root::

    python examples/train_mnist.py --data-dir DIR --save model.npz --plot curves.png
    python examples/train_mnist.py --limit 10000 --epochs 1 --hidden 128   # a quick run
    python examples/train_mnist.py --model cnn --save cnn.npz                # the CNN
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import autograd_lite as ag
import nn
import optim
from autograd_lite import DataLoader, Tensor, load_mnist

try:  # imported as examples.train_mnist (tests, notebooks) ...
    from examples import checkpoint, cli, simple_conv_net
except ImportError:  # ... or run as python examples/train_mnist.py
    import checkpoint
    import cli
    import simple_conv_net

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
}
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw")
EVAL_BATCH_SIZE = 100  # the notes' batch for inference; predict_mnist.py uses the same
ARCHITECTURE_FORMAT = "autograd_lite.mlp"  # the "format" key of the JSON sidecar
CNN_FORMAT = "autograd_lite.simple_conv_net"
# the defaults that differ between the models (None on the command line: the model's own)
MODEL_DEFAULTS = {
    "mlp": {"epochs": 15, "batch_size": 128, "shift": 0},
    "cnn": {k: simple_conv_net.DEFAULTS[k] for k in ("epochs", "batch_size", "shift")},
}
MLP_ONLY = {"hidden": [512, 256], "activation": "relu", "dropout": 0.2, "batch_norm": False}
EXTRAS_HINT = 'pip install "autograd-lite[examples]"'


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line; every default is the setting whose accuracy the README reports.
    Every value is checked here, before the data is read (``examples/cli.py``)."""
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--model", choices=sorted(MODEL_DEFAULTS), default="mlp", help="the network")
    add("--hidden", type=cli.positive_int, nargs="+", default=[512, 256], help="hidden sizes")
    add("--activation", choices=sorted(ACTIVATIONS), default="relu", help="hidden activation")
    add("--optimizer", choices=OPTIMIZERS, default="adam", help="the update rule")
    add("--lr", type=cli.positive_float, default=1e-3, help="learning rate (schedule's start)")
    add("--schedule", choices=("cosine", "none"), default="cosine", help="lr schedule")
    add(
        "--epochs",
        type=cli.positive_int,
        help=f"passes over the training set {_by_model('epochs')}",
    )
    add("--batch-size", type=cli.positive_int, help=f"images per update {_by_model('batch_size')}")
    add("--shift", type=cli.non_negative_int, help=f"random shift in pixels {_by_model('shift')}")
    add("--weight-decay", type=cli.non_negative_float, default=0.0, help="L2 (adamw: decoupled)")
    add("--dropout", type=cli.probability, default=0.2, help="dropout after each hidden layer")
    add("--batch-norm", action="store_true", help="BatchNorm1d before each activation")
    add("--dtype", choices=("float32", "float64"), default="float32", help="parameter dtype")
    add("--seed", type=cli.non_negative_int, default=0, help="seeds weights, dropout, order")
    add("--data-dir", type=cli.data_dir, default=None, help="MNIST folder (default: shipped)")
    add("--limit", type=cli.positive_int, default=None, help="train on the first N images only")
    add("--save", type=cli.output_file, default=None, help=SAVE_HELP)
    add("--resume", type=cli.input_file, default=None, help="continue the run of this checkpoint")
    add("--plot", type=cli.output_file, default=None, help="write the curves to this PNG")
    add("--no-progress", action="store_true", help="no progress bar (tqdm)")
    add("--compile", action="store_true", help="trace the training step once, then replay it")
    args = parser.parse_args(argv)
    for name, default in MODEL_DEFAULTS[args.model].items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    changed = [name for name, default in MLP_ONLY.items() if getattr(args, name) != default]
    if args.model != "mlp" and changed:
        flag = "--" + changed[0].replace("_", "-")
        parser.error(f"argument {flag}: describes the MLP; it has no effect with --model cnn")
    if args.optimizer == "adagrad" and args.weight_decay:
        parser.error("argument --weight-decay: adagrad has none; use another --optimizer")
    if args.save is not None and args.save.suffix == ".json":
        parser.error(f"argument --save: {args.save} is the architecture's name; use a .npz name")
    return args


def _by_model(name: str) -> str:
    """``(default: 15 for mlp, 8 for cnn)``: a default that depends on ``--model``."""
    values = ", ".join(f"{d[name]} for {model}" for model, d in MODEL_DEFAULTS.items())
    return f"(default: {values})"


SAVE_HELP = (
    "after every epoch, write the weights (.npz), the architecture (.json) and a checkpoint "
    "for --resume (.ckpt.npz) beside it"
)
# the settings that define a run: a resumed run must have the same ones
RUN_SETTINGS = (
    "model", "shift", "hidden", "activation", "optimizer", "lr", "schedule", "epochs", "batch_size",
    "weight_decay", "dropout", "batch_norm", "dtype", "seed", "limit",
)  # fmt: skip


# --- the model and its architecture file ---------------------------------------------------


def architecture(args: argparse.Namespace, n_inputs: int = 784, n_classes: int = 10) -> dict:
    """Everything needed to rebuild the network, as plain JSON-able values."""
    if args.model == "cnn":
        side = math.isqrt(n_inputs)  # square single-channel images, as MNIST's
        return {"format": CNN_FORMAT, "input_shape": [1, side, side], "dtype": args.dtype}
    return {
        "format": ARCHITECTURE_FORMAT,
        "sizes": [n_inputs, *args.hidden, n_classes],
        "activation": args.activation,
        "dropout": args.dropout,
        "batch_norm": args.batch_norm,
        "dtype": args.dtype,
    }


def build_model(arch: dict, rng: np.random.Generator) -> nn.Module:
    """``nn.MLP`` or ``SimpleConvNet`` from an architecture dict (see ``architecture``)."""
    if arch["format"] == CNN_FORMAT:
        shape = tuple(arch["input_shape"])
        return simple_conv_net.SimpleConvNet(shape, rng=rng, dtype=np.dtype(arch["dtype"]))
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
    """Write the weights to ``path`` (.npz, no pickle) and the architecture beside them, each
    to a temporary name first and then renamed over the old file (a crash leaves no half)."""
    path = Path(path)
    if path.suffix == ".json":
        raise ValueError(f"train_mnist: --save {path}: the weights file must not end in .json")
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    sidecar = architecture_path(path)
    partial = sidecar.with_name(f".{sidecar.name}.partial")
    partial.write_text(json.dumps({**arch, **extra}, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, sidecar)
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


def training_step(model: nn.Module, optimizer: optim.Optimizer, compiled: bool) -> Callable:
    """``step(x, t) -> (loss, logits)``: forward, backward and update on one mini-batch.

    ``compiled``: through ``autograd_lite.compile``, so the first mini-batch of each shape
    runs eagerly and is recorded, and every later one replays the recorded numpy kernels
    (the same numbers, bit for bit, without building a graph).
    """

    def step(x: Any, t: Any) -> tuple[Tensor, Tensor]:
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss, logits

    return ag.compile(step) if compiled else step


def train_epoch(
    model: nn.Module,
    step: Callable,
    loader: DataLoader,
    bar: Any,
    augment: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[float, float, list[float]]:
    """One pass over ``loader`` with ``step`` (``training_step``): mean loss and accuracy
    over the mini-batches, and each loss.

    ``augment`` (if given) changes each mini-batch of images before the model sees it. The
    training numbers are measured on each mini-batch before its update, in training mode
    (dropout on), so they lag the end-of-epoch model a little (as Keras reports them).
    """
    model.train()
    losses, total_loss, correct, seen = [], 0.0, 0, 0
    for x_batch, t_batch in loader:
        loss, logits = step(x_batch if augment is None else augment(x_batch), t_batch)
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


class Run:
    """One training run: model, optimizer, schedule, loader and history, which a checkpoint
    saves and restores whole (``examples/checkpoint.py``)."""

    KEYS = ("epoch", "train_loss", "train_acc", "test_acc", "seconds", "lr")

    def __init__(self, args: argparse.Namespace, x_train: np.ndarray, t_train: np.ndarray):
        self.args = args
        self.arch = architecture(args, x_train.shape[1])
        self.model = build_model(self.arch, np.random.default_rng(args.seed))
        params = self.model.parameters()
        self.optimizer = make_optimizer(args.optimizer, params, args.lr, args.weight_decay)
        self.step = training_step(self.model, self.optimizer, args.compile)
        self.images_per_second: list[float] = []  # training throughput, printed per epoch
        self.scheduler = (
            optim.CosineAnnealingLR(self.optimizer, args.epochs)
            if args.schedule == "cosine"
            else None
        )
        self.loader = DataLoader(x_train, t_train, args.batch_size, shuffle=True, seed=args.seed)
        self.shift_rng = np.random.default_rng([args.seed, 1])  # apart from the loader's
        generators = {"loader": self.loader.rng}
        generators |= {"shift": self.shift_rng} if args.shift else {}
        self.generators = checkpoint.generators_of(self.model, **generators)
        self.history: dict[str, list] = {key: [] for key in (*self.KEYS, "batch_loss")}
        self.epochs_done = 0
        self.saved: tuple[int, Path] | None = None  # the last checkpoint: (epoch, path)

    def augment(self, rows: np.ndarray) -> np.ndarray:
        """Flattened square images, each shifted at random by up to ``--shift`` pixels."""
        side = math.isqrt(rows.shape[1])
        images = rows.reshape(len(rows), 1, side, side)
        shifted = simple_conv_net.random_shift(images, self.args.shift, self.shift_rng)
        return shifted.reshape(rows.shape)

    def settings(self) -> dict[str, Any]:
        return {name: getattr(self.args, name) for name in RUN_SETTINGS}

    def save(self, path: Path) -> Path:
        """The weights and architecture (for predict_mnist.py) and the checkpoint, each
        written atomically; returns the checkpoint's path."""
        extra = {"test_accuracy": self.history["test_acc"][-1], "epochs": self.epochs_done}
        save_model(self.model, self.arch, path, {**extra, "optimizer": self.args.optimizer})
        target = checkpoint_path(path)
        parts = (self.model, self.optimizer, self.scheduler, self.generators)
        meta = {"settings": self.settings(), "images": len(self.loader.x)}
        checkpoint.save(target, *parts, self.epochs_done, self.history, meta)
        return target

    def resume(self, path: Path) -> None:
        """Continue the run saved in the checkpoint ``path``; its settings must be these."""
        record = checkpoint.load(path)
        saved, here = record["meta"]["settings"], self.settings()
        differ = [
            f"--{name.replace('_', '-')} {saved[name]} there, {here[name]} here"
            for name in RUN_SETTINGS
            if _jsonable(saved.get(name)) != _jsonable(here[name])
        ]
        if differ:
            raise UsageError(
                f"{path}: the checkpoint's run had other settings ({'; '.join(differ)}); "
                "repeat its command with --resume"
            )
        parts = (self.model, self.optimizer, self.scheduler, self.generators)
        checkpoint.restore(record, *parts)
        self.history = {key: list(values) for key, values in record["history"].items()}
        self.epochs_done = record["epoch"]
        self.saved = (self.epochs_done, Path(path))
        if self.epochs_done >= self.args.epochs:
            raise UsageError(
                f"{path}: its run finished all {self.args.epochs} epochs; nothing is left to run"
            )


class UsageError(Exception):
    """A command line that cannot work, found after parsing (exit status 2)."""


def checkpoint_path(weights_path: str | Path) -> Path:
    """The training checkpoint beside a weights file: ``model.npz`` -> ``model.ckpt.npz``."""
    return Path(weights_path).with_suffix(".ckpt.npz")


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple | list) else value


def fit(run: Run, test_set: tuple[np.ndarray, np.ndarray]) -> dict[str, list]:
    """Train from the run's next epoch to ``--epochs``: one printed line and one history
    entry per epoch, and with ``--save`` a checkpoint after each. Ctrl-C, wherever it falls
    (training, evaluation, saving), stops with a message that says what is saved."""
    for epoch in range(run.epochs_done + 1, run.args.epochs + 1):
        try:
            train_one_epoch(run, epoch, test_set)
        except KeyboardInterrupt:
            raise KeyboardInterrupt(_interrupted(run, epoch)) from None
    return run.history


def train_one_epoch(run: Run, epoch: int, test_set: tuple[np.ndarray, np.ndarray]) -> None:
    """Train, step the schedule, evaluate, record, save (with ``--save``) and print."""
    args, history = run.args, run.history
    epoch_start, lr = time.perf_counter(), run.optimizer.lr
    bar = progress_bar(len(run.loader.x), f"epoch {epoch}/{args.epochs}", not args.no_progress)
    try:
        augment = run.augment if args.shift else None
        train_loss, train_acc, batch_losses = train_epoch(
            run.model, run.step, run.loader, bar, augment
        )
    finally:
        if bar is not None:
            bar.close()
    run.images_per_second.append(len(run.loader.x) / (time.perf_counter() - epoch_start))
    if run.scheduler is not None:
        run.scheduler.step()
    if not math.isfinite(train_loss):
        raise FloatingPointError(
            f"train_mnist: the training loss became {train_loss} in epoch {epoch}; "
            f"lower --lr (now {args.lr})"
        )
    test_acc, _ = evaluate(run.model, *test_set)
    seconds = time.perf_counter() - epoch_start
    for key, value in zip(Run.KEYS, (epoch, train_loss, train_acc, test_acc, seconds, lr)):
        history[key].append(value)
    history["batch_loss"].extend(batch_losses)
    run.epochs_done = epoch
    if args.save:
        run.saved = (epoch, run.save(args.save))
    print(
        f"epoch {epoch:2d}/{args.epochs}  train loss {train_loss:.4f}  "
        f"train acc {100 * train_acc:6.2f}%  test acc {100 * test_acc:6.2f}%  "
        f"{seconds:5.1f} s  {run.images_per_second[-1]:6.0f} img/s",
        flush=True,
    )


def _interrupted(run: Run, epoch: int) -> str:
    """What a Ctrl-C in ``epoch`` leaves: the last checkpoint written whole, if any."""
    if run.saved is None:
        return f"in epoch {epoch}; nothing was saved (--save FILE saves after every epoch)"
    saved_epoch, path = run.saved
    return (
        f"in epoch {epoch}; epoch {saved_epoch} is saved in {path}: continue with --resume {path}"
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Train, print one line per epoch, save and plot if asked; return the history."""
    args = parse_args(argv)
    x_train, t_train, x_test, t_test = load_data(args)
    run = Run(args, x_train, t_train)
    if args.resume:
        try:
            run.resume(args.resume)
        except (UsageError, nn.CheckpointError) as error:  # a bad --resume file: exit 2
            cli.usage_error(f"argument --resume: {error}")
        print(f"resuming after epoch {run.epochs_done} of {args.epochs} from {args.resume}")
    print(
        f"{describe(run.arch, args)}, {args.optimizer} lr {args.lr} ({args.schedule}), "
        f"batch {args.batch_size}, {args.epochs} epochs, {len(x_train)} training images"
        f"{f' shifted by up to {args.shift} px' if args.shift else ''}, {args.dtype}"
    )
    start = time.perf_counter()
    history = fit(run, (x_test, t_test))
    total_seconds = time.perf_counter() - start
    final = history["test_acc"][-1]
    print(f"final test accuracy {100 * final:.2f}% in {total_seconds:.1f} s")
    rate = float(np.median(run.images_per_second)) if run.images_per_second else None
    if rate is not None:
        mode = "compiled" if args.compile else "eager"
        print(f"training: {rate:.0f} images/s ({mode}; the median epoch of this run)")
    result: dict[str, Any] = {
        "history": history,
        "test_accuracy": final,
        "seconds": total_seconds,
        "images_per_second": rate,
        "architecture": run.arch,
        "model": run.model,
    }
    if args.save:
        print(
            f"saved the weights to {args.save}, the architecture to "
            f"{architecture_path(args.save)} and the checkpoint to {checkpoint_path(args.save)}"
        )
        result["architecture_path"] = str(architecture_path(args.save))
    if args.plot:
        print(f"wrote the curves to {plot_curves(history, args.plot)}")
    return result


def describe(arch: dict, args: argparse.Namespace) -> str:
    """The network in one phrase, for the first line of output."""
    if arch["format"] == CNN_FORMAT:
        return "SimpleConvNet conv 30x5x5 - relu - max pool 2 - affine 100 - relu - affine 10"
    return (
        f"MLP {'-'.join(map(str, arch['sizes']))} ({args.activation}, dropout {args.dropout}, "
        f"batch norm {args.batch_norm})"
    )


if __name__ == "__main__":
    cli.run(main)
