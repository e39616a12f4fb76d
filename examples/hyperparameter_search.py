"""Random search of the learning rate and weight decay on validation data (chapter 5).

Hyper-parameters (the learning rate, the weight decay lambda, layer sizes, ...) are set by
people, not learned, so they are chosen by trying values and comparing the results. Never by
the test accuracy: a value picked because it scores well on the test set has been fitted to
the test set, which then no longer measures how the network does on unseen data. The notes'
recipe instead holds out *validation data* from the training set:

1. shuffle the training set and hold out 20% of it as validation data;
2. draw each hyper-parameter at random on a log scale, lr = 10^uniform(-6, -2) and
   lambda = 10^uniform(-8, -4) (random search finds good values faster than a grid, and a
   log scale because only the order of magnitude matters at first);
3. train briefly with each draw on the remaining 80%, score it on the validation data;
4. narrow the ranges around the best draws and repeat; only the final choice ever meets the
   test set, once.

Setting, as in the book: the first 500 training images (400 to train, 100 to validate), a
7-layer network (784 -> six hidden layers of 100 ReLU units -> 10, He initial weights), SGD
on mini-batches of 100, weight decay as the penalty 1/2 lambda sum ||W||^2 on the loss, 50
epochs per trial. ``random_search`` takes the training arrays only, so it cannot see the
test set; ``main`` discards the test half of ``load_mnist``'s result unread. The search
itself is ``tune.random_search`` with the ``tune.TrainMLP`` objective: serially, or on a Dask
cluster with ``--workers N`` (a local one) or ``--scheduler tcp://host:8786`` (an existing
one), each trial seeded from ``--seed`` alone, so all three give the same trials.

Run: ``python examples/hyperparameter_search.py --data-dir DIR [--trials 20] [--epochs 50]
[--plot search.png] [--workers N | --scheduler ADDRESS] [--results FILE [--resume]]``.
Expect the best validation accuracies around 0.7-0.8 with these tiny settings: the point is
the procedure, and which (lr, lambda) region wins.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np

import tune
from autograd_lite import load_mnist

try:  # imported as examples.hyperparameter_search (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/hyperparameter_search.py
    import cli

LR_RANGE = (-6.0, -2.0)  # log10 of the learning rate
WEIGHT_DECAY_RANGE = (-8.0, -4.0)  # log10 of lambda


def validation_split(
    n: int, rate: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle 0..n-1 and cut it: (training indices, validation indices = the first rate * n)."""
    if not 0.0 < rate < 1.0:
        raise ValueError(f"validation_split: rate must be in (0, 1), got {rate}")
    order = rng.permutation(n)
    n_val = int(n * rate)
    return order[n_val:], order[:n_val]


def random_search(
    x_train: np.ndarray,
    t_train: np.ndarray,
    trials: int = 20,
    epochs: int = 50,
    batch_size: int = 100,
    validation_rate: float = 0.2,
    seed: int = 0,
    verbose: bool = True,
    executor: tune.Executor | None = None,
    results: str | Path | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """Random search on a validation split of the *training* arrays; trials best first.

    Only training data comes in: the validation images are held out of them (disjoint from
    the images trained on), and the test set is not an argument, so it cannot be used to
    choose. ``executor``, ``results`` and ``resume`` go to ``tune.random_search``; trials
    that failed (a diverging learning rate) are listed apart under ``"failed"``.
    """
    rng = np.random.default_rng(seed)
    train_index, val_index = validation_split(len(x_train), validation_rate, rng)
    split = (x_train[train_index], t_train[train_index], x_train[val_index], t_train[val_index])
    space = {
        "lr": tune.LogUniform(10 ** LR_RANGE[0], 10 ** LR_RANGE[1]),
        "weight_decay": tune.LogUniform(10 ** WEIGHT_DECAY_RANGE[0], 10 ** WEIGHT_DECAY_RANGE[1]),
    }
    objective = tune.TrainMLP(epochs=epochs, batch_size=batch_size)
    done = tune.random_search(
        objective, space, trials, seed, data=split, executor=executor, results=results,
        resume=resume, progress=verbose,
    )  # fmt: skip
    ok = [{**r.params, **r.metrics, "val_acc_final": r.score} for r in done if r.status == "ok"]
    failed = [{**r.params, "error": r.error} for r in done if r.status != "ok"]
    return {"trials": ok, "failed": failed, "train_index": train_index, "val_index": val_index}


def plot_best(trials: list[dict[str, Any]], path: str | Path, count: int = 20) -> Path:
    """The book's grid: validation (solid) and training (dashed) accuracy of the best trials."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError as error:
        raise ImportError(
            'hyperparameter_search: --plot needs matplotlib; pip install "autograd-lite[examples]"'
        ) from error
    matplotlib.use("Agg")
    plt = importlib.import_module("matplotlib.pyplot")
    best = trials[:count]
    columns = min(5, len(best))
    rows = -(-len(best) // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(2.8 * columns, 2.4 * rows), squeeze=False, sharey=True
    )
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, trial) in enumerate(zip(axes.flat, best)):
        ax.axis("on")
        ax.plot(trial["val_acc"])
        ax.plot(trial["train_acc"], "--")
        ax.set_ylim(0, 1.0)
        ax.set_title(
            f"Best-{i + 1}: lr {trial['lr']:.1e}\nwd {trial['weight_decay']:.1e}", fontsize=8
        )
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def main(
    data_dir: str | None = None,
    n_train: int = 500,
    trials: int = 20,
    epochs: int = 50,
    best: int = 5,
    seed: int = 0,
    plot: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    results: str | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """Search on the first ``n_train`` training images; print and return the trials, best first."""
    (x_train, t_train), _test_set_never_used = load_mnist(data_dir=data_dir)
    x_train, t_train = x_train[:n_train], t_train[:n_train]
    n_val = int(len(x_train) * 0.2)
    print(
        f"random search: {trials} trials of {epochs} epochs, {len(x_train) - n_val} training "
        f"and {n_val} validation images (the test set is not used)"
    )
    with tune.open_executor(workers, scheduler) as executor:
        search = random_search(
            x_train, t_train, trials, epochs, seed=seed, executor=executor, results=results,
            resume=resume,
        )  # fmt: skip
    print("=========== best hyper-parameters (by validation accuracy) ===========")
    for i, trial in enumerate(search["trials"][:best]):
        print(
            f"Best-{i + 1}  val acc {trial['val_acc_final']:.3f}  lr {trial['lr']:.3e}  "
            f"weight decay {trial['weight_decay']:.3e}"
        )
    for trial in search["failed"]:
        print(f"failed: lr {trial['lr']:.3e}  weight decay {trial['weight_decay']:.3e}")
        print(f"  {trial['error']}")
    if plot:
        print(f"wrote {plot_best(search['trials'], plot)}")
    return search


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--data-dir", type=cli.data_dir, default=None, help="MNIST folder (default: shipped)")
    add("--n-train", type=cli.positive_int, default=500, help="training images (20%% validate)")
    add("--trials", type=cli.positive_int, default=20, help="random draws of (lr, lambda)")
    add("--epochs", type=cli.positive_int, default=50, help="epochs per trial")
    add("--best", type=cli.positive_int, default=5, help="how many of the best to print")
    add("--seed", type=cli.non_negative_int, default=0, help="seed of the draws and trials")
    add("--plot", type=cli.output_file, default=None, help="write the best trials' curves (PNG)")
    add("--workers", type=cli.positive_int, default=None, help="run on a local Dask cluster")
    add("--scheduler", default=None, help="run on this Dask scheduler's cluster (tcp://...)")
    add("--results", type=cli.output_file, default=None, help="JSON lines, one per trial")
    add("--resume", action="store_true", help="skip the trials --results holds")
    args = parser.parse_args()
    if args.workers and args.scheduler:
        parser.error("argument --workers: not with --scheduler (give one of them)")
    if args.resume and not args.results:
        parser.error("argument --resume: needs --results FILE (the trials to skip)")
    cli.run(main, **vars(args))
