"""SGD, Momentum, AdaGrad and Adam on f(x, y) = x^2 / 20 + y^2 (the notes, chapter 5.1).

The notes' example of why plain SGD can be slow: f is 20 times steeper along y than along
x, so its gradient (x / 10, 2 y) points mostly across the valley, not along it towards the
minimum at (0, 0). From (-7, 2), 30 steps with the notes' learning rates:

    SGD       lr 0.95   W <- W - lr g                          zig-zags along y
    Momentum  lr 0.1    v <- 0.9 v - lr g;  W <- W + v           rolls like a ball, overshoots
    AdaGrad   lr 1.5    h <- h + g*g;  W <- W - lr g / (sqrt(h) + 1e-7)   damps the y swings
    Adam      lr 0.3    momentum plus AdaGrad-like scaling, with bias correction

Each gradient comes from the engine (``f(x, y).backward()``), each update from ``optim``
(``optim.SGD``, ``optim.Momentum``, ``optim.AdaGrad``, ``optim.Adam``). ``optim.Adam`` is
PyTorch's formula; the book's Adam folds the bias corrections slightly differently, so its
path is close to, not identical with, the book's figure.

``--plot paths.png`` draws the four paths over the contour lines of f, as in the book's
figure (needs matplotlib: ``pip install "autograd-lite[examples]"``).
Run: ``python examples/optimizer_comparison.py --plot paths.png``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

import optim
from autograd_lite import Tensor

try:  # imported as examples.optimizer_comparison (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/optimizer_comparison.py
    import cli

START = (-7.0, 2.0)
# The notes' (and the book's) learning rates.
OPTIMIZERS: dict[str, Callable[[list[Tensor]], optim.Optimizer]] = {
    "SGD": lambda params: optim.SGD(params, lr=0.95),
    "Momentum": lambda params: optim.Momentum(params, lr=0.1, momentum=0.9),
    "AdaGrad": lambda params: optim.AdaGrad(params, lr=1.5),
    "Adam": lambda params: optim.Adam(params, lr=0.3),
}


def f(x, y):
    """x^2 / 20 + y^2, on Tensors or numpy arrays alike."""
    return x * x / 20.0 + y * y


def descend(name: str, steps: int = 30, start: tuple[float, float] = START) -> np.ndarray:
    """The path of optimizer ``name``: an array of ``steps + 1`` points (x, y), start first."""
    x = Tensor(start[0], requires_grad=True)
    y = Tensor(start[1], requires_grad=True)
    optimizer = OPTIMIZERS[name]([x, y])
    path = [(x.item(), y.item())]
    for _ in range(steps):
        optimizer.zero_grad()
        f(x, y).backward()  # x.grad = x / 10, y.grad = 2 y
        optimizer.step()
        path.append((x.item(), y.item()))
    return np.array(path)


def plot_paths(paths: dict[str, np.ndarray], path: str | Path) -> Path:
    """The book's 2x2 figure: each path in red over the contour lines of f."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError as error:
        raise ImportError(
            "optimizer_comparison: --plot needs matplotlib; install the examples' extras "
            'with: pip install "autograd-lite[examples]"'
        ) from error
    matplotlib.use("Agg")
    plt = importlib.import_module("matplotlib.pyplot")
    grid_x, grid_y = np.meshgrid(np.arange(-10, 10, 0.05), np.arange(-5, 5, 0.05))
    z = f(grid_x, grid_y)
    z[z > 7] = 0  # as in the book: no contour lines far from the valley
    fig, axes = plt.subplots(2, 2, figsize=(10, 8))
    for ax, (name, points) in zip(axes.flat, paths.items()):
        ax.contour(grid_x, grid_y, z)
        ax.plot(points[:, 0], points[:, 1], "o-", color="red", markersize=3)
        ax.plot(0, 0, "+", color="black", markersize=12)
        ax.set(xlim=(-10, 10), ylim=(-10, 10), xlabel="x", ylabel="y", title=name)
    fig.suptitle(f"f(x, y) = x^2/20 + y^2 from {START}, {len(points) - 1} steps")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def main(steps: int = 30, plot: str | Path | None = None) -> dict[str, np.ndarray]:
    """Run the four optimizers, print where each ends; return their paths."""
    paths = {name: descend(name, steps) for name in OPTIMIZERS}
    print(f"f(x, y) = x^2/20 + y^2 from {START}, {steps} steps:")
    for name, points in paths.items():
        x, y = points[-1]
        distance = float(np.hypot(x, y))
        print(f"  {name:8s} ends at ({x:+.4f}, {y:+.4f}), {distance:.4f} from the minimum")
    if plot:
        print(f"wrote {plot_paths(paths, plot)}")
    return paths


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--steps", type=cli.positive_int, default=30, help="updates per optimizer")
    add("--plot", type=cli.output_file, default=None, help="write the paths to this PNG")
    args = parser.parse_args()
    cli.run(main, args.steps, args.plot)
