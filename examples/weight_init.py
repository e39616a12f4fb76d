"""Initial weights: std 0.01 against Xavier against He on MNIST (chapter 5, weight init).

The same 5-layer network (784 -> 100 -> 100 -> 100 -> 100 -> 10, ReLU) is trained three
times with plain SGD (lr 0.01, batches of 128, the same batches for all three), changing only
how the weights start (biases start at 0):

    std=0.01  W ~ N(0, 0.01^2)                      the notes' TwoLayerNet default
    Xavier    W ~ N(0, 2 / (fan_in + fan_out))      ``nn.init.xavier_normal`` (Glorot)
    He        W ~ N(0, 2 / fan_in)                  ``nn.init.kaiming_normal``, for ReLU

(The book simplifies Xavier to std 1/sqrt(fan_in); between the 100-unit layers both are
0.1.) With std 0.01 the signal shrinks by about 100 * 0.01^2 / 2 in variance per ReLU layer,
so the scores reaching the loss are all nearly 0: the gradients vanish and the loss stays at
log 10 = 2.30. Xavier keeps the scale for symmetric activations, He makes up for ReLU zeroing
half its inputs; both learn, He fastest.

The activation histograms of the book (``--histograms``) show the same thing in one forward
pass: 1000 random inputs through 5 sigmoid layers of 100 units; with std 1 the outputs pile
up at 0 and 1 (where sigmoid's gradient vanishes), with std 0.01 they all sit near 0.5
(every unit says the same thing), with Xavier they stay spread out.

Run: ``python examples/weight_init.py --data-dir DIR [--iterations 2000] [--plot loss.png]
[--histograms activations.png]`` (plots need matplotlib).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np

import nn
import optim
from autograd_lite import Tensor, load_mnist, no_grad

try:  # imported as examples.weight_init (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/weight_init.py
    import cli

HIDDEN = [100, 100, 100, 100]
SCHEMES = ("std=0.01", "Xavier", "He")


def init_weights(model: nn.Module, scheme: str, rng: np.random.Generator) -> None:
    """Re-initialize every Linear layer of ``model`` in place: weights by ``scheme``, biases 0."""
    for _, layer in model.named_modules():
        if isinstance(layer, nn.Linear):
            shape, dtype = layer.weight.shape, layer.weight.dtype
            if scheme == "std=0.01":
                weight = nn.init.normal(shape, rng, std=0.01, dtype=dtype)
            elif scheme == "Xavier":
                weight = nn.init.xavier_normal(shape, rng, dtype=dtype)
            elif scheme == "He":
                weight = nn.init.kaiming_normal(shape, rng, dtype=dtype)
            else:
                raise ValueError(f"weight_init: unknown scheme {scheme!r}; use one of {SCHEMES}")
            layer.weight.data[...] = weight
            if layer.bias is not None:
                layer.bias.data[...] = 0


def compare(
    x_train: np.ndarray,
    t_train: np.ndarray,
    iterations: int = 2000,
    batch_size: int = 128,
    lr: float = 0.01,
    seed: int = 0,
    log_every: int = 100,
) -> dict[str, list[float]]:
    """Train one network per scheme on the same mini-batches; the loss of every iteration."""
    rng = np.random.default_rng(seed)
    models, optimizers = {}, {}
    for scheme in SCHEMES:
        models[scheme] = nn.MLP([x_train.shape[1], *HIDDEN, 10], rng=rng)
        init_weights(models[scheme], scheme, rng)
        optimizers[scheme] = optim.SGD(models[scheme].parameters(), lr=lr)
    losses: dict[str, list[float]] = {scheme: [] for scheme in SCHEMES}
    for i in range(iterations):
        batch = rng.choice(len(x_train), batch_size)  # the notes' random mini-batch
        x_batch, t_batch = Tensor(x_train[batch]), t_train[batch]
        for scheme in SCHEMES:
            loss = nn.functional.cross_entropy(models[scheme](x_batch), t_batch)
            optimizers[scheme].zero_grad()
            loss.backward()
            optimizers[scheme].step()
            losses[scheme].append(loss.item())
        if log_every and (i % log_every == 0 or i == iterations - 1):
            line = "  ".join(f"{s} {losses[s][-1]:.4f}" for s in SCHEMES)
            print(f"iteration {i:5d}  loss  {line}", flush=True)
    return losses


def activation_histograms(
    weight_std: dict[str, Any] | None = None, n: int = 1000, layers: int = 5, seed: int = 0
) -> dict[str, list[np.ndarray]]:
    """The book's experiment: each sigmoid layer's outputs for ``n`` random inputs."""
    if weight_std is None:
        weight_std = {"std=1": 1.0, "std=0.01": 0.01, "Xavier": "xavier"}
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal((n, 100))
    result = {}
    for name, std in weight_std.items():
        x, outputs = Tensor(x0), []
        with no_grad():
            for _ in range(layers):
                scale = np.sqrt(1.0 / 100) if std == "xavier" else std
                w = Tensor(rng.standard_normal((100, 100)) * scale)
                x = (x @ w).sigmoid()
                outputs.append(x.data)
        result[name] = outputs
    return result


def _pyplot() -> Any:
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError as error:
        raise ImportError(
            'weight_init: plots need matplotlib; pip install "autograd-lite[examples]"'
        ) from error
    matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def smooth(values: list[float], window: int = 11) -> np.ndarray:
    """A moving average (the book's ``smooth_curve`` idea), the same length as ``values``."""
    values = np.asarray(values, dtype=float)
    window = max(1, min(window, len(values)))
    padded = np.pad(values, (window // 2, window - 1 - window // 2), mode="edge")
    return np.convolve(padded, np.ones(window) / window, mode="valid")


def plot_losses(losses: dict[str, list[float]], path: str | Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (scheme, values), marker in zip(losses.items(), "o^s"):
        ax.plot(smooth(values), marker=marker, markevery=max(1, len(values) // 20), label=scheme)
    ax.set(xlabel="iterations", ylabel="loss", ylim=(0, 2.5), title="weight initialization")
    ax.legend()
    return _save(fig, plt, path)


def plot_histograms(activations: dict[str, list[np.ndarray]], path: str | Path) -> Path:
    plt = _pyplot()
    rows, columns = len(activations), len(next(iter(activations.values())))
    fig, axes = plt.subplots(rows, columns, figsize=(2.4 * columns, 2.2 * rows), squeeze=False)
    for row, (name, outputs) in zip(axes, activations.items()):
        for i, (ax, a) in enumerate(zip(row, outputs)):
            ax.hist(a.ravel(), bins=30, range=(0, 1))
            ax.set_title(f"{name}: layer {i + 1}", fontsize=9)
            ax.set_yticks([])
    return _save(fig, plt, path)


def _save(fig: Any, plt: Any, path: str | Path) -> Path:
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def main(
    data_dir: str | None = None,
    iterations: int = 2000,
    batch_size: int = 128,
    limit: int | None = None,
    seed: int = 0,
    plot: str | None = None,
    histograms: str | None = None,
) -> dict[str, Any]:
    """Compare the three schemes; print the losses and the activation spread; return both."""
    (x_train, t_train), _ = load_mnist(normalize=True, flatten=True, data_dir=data_dir)
    if limit is not None:
        x_train, t_train = x_train[:limit], t_train[:limit]
    sizes = "-".join(map(str, [x_train.shape[1], *HIDDEN, 10]))
    print(f"MLP {sizes} (ReLU), SGD lr 0.01, batch {batch_size}, {iterations} iterations")
    losses = compare(x_train, t_train, iterations, batch_size, seed=seed)
    tail = max(1, iterations // 10)
    final = {scheme: float(np.mean(values[-tail:])) for scheme, values in losses.items()}
    print(
        "mean loss over the last 10% of iterations: "
        + ", ".join(f"{scheme} {value:.4f}" for scheme, value in final.items())
    )
    activations = activation_histograms(seed=seed)
    print("std of the sigmoid activations, layers 1-5:")
    spread = {name: [float(a.std()) for a in outs] for name, outs in activations.items()}
    for name, stds in spread.items():
        print(f"  {name:8s} " + " ".join(f"{s:.3f}" for s in stds))
    if plot:
        print(f"wrote {plot_losses(losses, plot)}")
    if histograms:
        print(f"wrote {plot_histograms(activations, histograms)}")
    return {"losses": losses, "final_loss": final, "activation_std": spread}


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--data-dir", type=cli.data_dir, default=None, help="MNIST folder (default: shipped)")
    add("--iterations", type=cli.positive_int, default=2000, help="SGD iterations per init")
    add("--batch-size", type=cli.positive_int, default=128, help="images per iteration")
    add("--limit", type=cli.positive_int, default=None, help="use the first N images only")
    add("--seed", type=cli.non_negative_int, default=0, help="seed of weights and batches")
    add("--plot", type=cli.output_file, default=None, help="write the loss curves (PNG)")
    add("--histograms", type=cli.output_file, default=None, help="write activation histograms")
    cli.run(main, **vars(parser.parse_args()))
