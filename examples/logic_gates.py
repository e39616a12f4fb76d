"""Perceptrons as logic gates, and a network that learns XOR (the notes, chapter 1).

A perceptron outputs 1 when ``w1*x1 + w2*x2 + b > 0`` and 0 otherwise. The three gates have
the same structure and differ only in their parameters, chosen by hand in the notes:

    AND   w = (0.5, 0.5)    b = -0.7
    NAND  w = (-0.5, -0.5)  b = 0.7
    OR    w = (0.5, 0.5)    b = -0.3

XOR cannot be one perceptron: its 1s and 0s cannot be split by one straight line. Stacking
two layers can: ``XOR(x1, x2) = AND(NAND(x1, x2), OR(x1, x2))``.

The second half lets the computer find the parameters ("learning"): a small network of
``autograd_lite`` Tensors (2 inputs, a tanh hidden layer, a sigmoid output) trained by plain
gradient descent reaches 100% on the four XOR points, while a single layer (logistic
regression, trained the same way) cannot; a search over a grid of single-layer weights finds
none that gets more than 3 of the 4 points right.

Learning is not guaranteed: with some seeds (``--seed 0``) the 2-4-1 network gets stuck on a
plateau with loss about 0.35 and two outputs near 0.5. Gradient descent follows the local
slope, and the notes warn that it can stop at a point that is not the minimum.

Run from the repository root: ``python examples/logic_gates.py [--hidden 4] [--steps 1000]``
(with the package installed, ``pip install -e .``, or ``PYTHONPATH=.``).
"""

from __future__ import annotations

import numpy as np

from autograd_lite import Tensor, no_grad

try:  # imported as examples.logic_gates (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/logic_gates.py
    import cli

# (w1, w2), b for each single-perceptron gate, as in the notes.
GATES = {
    "AND": ((0.5, 0.5), -0.7),
    "NAND": ((-0.5, -0.5), 0.7),
    "OR": ((0.5, 0.5), -0.3),
}
INPUTS = ((0, 0), (1, 0), (0, 1), (1, 1))
XOR_TARGETS = (0, 1, 1, 0)


def perceptron(x1: float, x2: float, w: tuple[float, float], b: float) -> int:
    """1 if w1*x1 + w2*x2 + b > 0, else 0: the notes' perceptron with bias b = -theta."""
    total = np.sum(np.array(w) * np.array([x1, x2])) + b
    return 1 if total > 0 else 0


def and_gate(x1: float, x2: float) -> int:
    return perceptron(x1, x2, *GATES["AND"])


def nand_gate(x1: float, x2: float) -> int:
    return perceptron(x1, x2, *GATES["NAND"])


def or_gate(x1: float, x2: float) -> int:
    return perceptron(x1, x2, *GATES["OR"])


def xor_gate(x1: float, x2: float) -> int:
    """A 2-layer perceptron: NAND and OR in the first layer, AND of their outputs second."""
    return and_gate(nand_gate(x1, x2), or_gate(x1, x2))


def truth_table(gate) -> dict[tuple[int, int], int]:
    """The gate's output for each of the four inputs."""
    return {(x1, x2): gate(x1, x2) for x1, x2 in INPUTS}


def print_truth_table(name: str, table: dict[tuple[int, int], int]) -> None:
    print(f"{name:>4}: x1 x2 | y")
    for (x1, x2), y in table.items():
        print(f"       {x1}  {x2} | {y}")


# --- learning XOR with autograd_lite -------------------------------------------------------


def xor_data() -> tuple[Tensor, Tensor]:
    """The four XOR points as a (4, 2) input batch and (4, 1) targets."""
    return Tensor(np.array(INPUTS, dtype=np.float64)), Tensor(
        np.array(XOR_TARGETS, dtype=np.float64).reshape(4, 1)
    )


def binary_cross_entropy(y: Tensor, t: Tensor) -> Tensor:
    """The notes' cross-entropy for one yes/no output, with their 1e-7 guard inside the log."""
    return -(t * (y + 1e-7).log() + (1.0 - t) * (1.0 - y + 1e-7).log()).mean()


def init_mlp(hidden: int, rng: np.random.Generator) -> dict[str, Tensor]:
    """Weights of a 2-hidden-1 network, drawn from N(0, 1); biases start at zero."""
    return {
        "W1": Tensor(rng.standard_normal((2, hidden)), requires_grad=True),
        "b1": Tensor(np.zeros(hidden), requires_grad=True),
        "W2": Tensor(rng.standard_normal((hidden, 1)), requires_grad=True),
        "b2": Tensor(np.zeros(1), requires_grad=True),
    }


def mlp_forward(params: dict[str, Tensor], x: Tensor) -> Tensor:
    """sigmoid(tanh(x W1 + b1) W2 + b2): the probability that XOR is 1."""
    hidden = (x @ params["W1"] + params["b1"]).tanh()
    return (hidden @ params["W2"] + params["b2"]).sigmoid()


def init_single_layer(rng: np.random.Generator) -> dict[str, Tensor]:
    """Logistic regression: one layer, no hidden units."""
    return {
        "W": Tensor(rng.standard_normal((2, 1)), requires_grad=True),
        "b": Tensor(np.zeros(1), requires_grad=True),
    }


def single_layer_forward(params: dict[str, Tensor], x: Tensor) -> Tensor:
    """sigmoid(x W + b): one straight decision line, x W + b = 0."""
    return (x @ params["W"] + params["b"]).sigmoid()


def train(forward, params: dict[str, Tensor], steps: int, lr: float) -> list[float]:
    """Plain gradient descent on the four XOR points; returns the loss at every step."""
    x, t = xor_data()
    losses = []
    for _ in range(steps):
        loss = binary_cross_entropy(forward(params, x), t)
        for p in params.values():
            p.zero_grad()
        loss.backward()
        with no_grad():  # the update is not part of the model: record no graph for it
            for p in params.values():
                p.data -= lr * p.grad.data
        losses.append(loss.item())
    return losses


def accuracy(forward, params: dict[str, Tensor]) -> tuple[float, np.ndarray]:
    """The fraction of the four points classified right, and the outputs.

    An output above 0.5 means 1, below means 0; one within 0.01 of 0.5 is undecided and
    counts as wrong (rounding noise would otherwise decide it).
    """
    x, t = xor_data()
    with no_grad():
        y = forward(params, x).data.ravel()
    decided = np.abs(y - 0.5) > 0.01
    correct = decided & ((y > 0.5) == (t.data.ravel() == 1))
    return float(np.mean(correct)), y


def best_single_perceptron_on_xor(steps: int = 21) -> float:
    """The best accuracy on XOR of any perceptron with w1, w2, b on a grid over [-1, 1]."""
    grid = np.linspace(-1.0, 1.0, steps)
    w1, w2, b = (a.reshape(-1, 1) for a in np.meshgrid(grid, grid, grid))
    x = np.array(INPUTS, dtype=np.float64)
    outputs = (w1 * x[:, 0] + w2 * x[:, 1] + b > 0).astype(int)  # (settings, 4 points)
    return float(np.max(np.mean(outputs == np.array(XOR_TARGETS), axis=1)))


def main(hidden: int = 4, steps: int = 1000, lr: float = 0.5, seed: int = 1) -> dict:
    """Print the gate truth tables, then train XOR with a hidden layer and without one."""
    tables = {
        "AND": truth_table(and_gate),
        "NAND": truth_table(nand_gate),
        "OR": truth_table(or_gate),
        "XOR": truth_table(xor_gate),
    }
    for name, table in tables.items():
        print_truth_table(name, table)
    print("XOR = AND(NAND(x1, x2), OR(x1, x2)): two layers of perceptrons\n")

    rng = np.random.default_rng(seed)
    mlp = init_mlp(hidden, rng)
    mlp_losses = train(mlp_forward, mlp, steps, lr)
    mlp_accuracy, mlp_outputs = accuracy(mlp_forward, mlp)
    print(f"2-{hidden}-1 network after {steps} steps: loss {mlp_losses[-1]:.4f}")
    print(f"  outputs {np.round(mlp_outputs, 3)}  accuracy {mlp_accuracy:.0%}")

    single = init_single_layer(rng)
    single_losses = train(single_layer_forward, single, steps, lr)
    single_accuracy, single_outputs = accuracy(single_layer_forward, single)
    print(f"single layer after {steps} steps: loss {single_losses[-1]:.4f}")
    print(f"  outputs {np.round(single_outputs, 3)}  accuracy {single_accuracy:.0%}")
    print(f"  (a loss of log 2 = {np.log(2):.4f} means output 0.5 everywhere: undecided)")
    best_grid = best_single_perceptron_on_xor()
    print(f"best single perceptron on a weight grid: {best_grid:.0%} (one line cannot split XOR)")
    return {
        "truth_tables": tables,
        "mlp_accuracy": mlp_accuracy,
        "mlp_outputs": mlp_outputs,
        "mlp_losses": mlp_losses,
        "single_layer_accuracy": single_accuracy,
        "single_layer_outputs": single_outputs,
        "single_layer_losses": single_losses,
        "best_grid_single_perceptron_accuracy": best_grid,
    }


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--hidden", type=cli.positive_int, default=4, help="hidden units of the network")
    add("--steps", type=cli.positive_int, default=1000, help="gradient descent steps")
    add("--lr", type=cli.positive_float, default=0.5, help="learning rate")
    add("--seed", type=cli.non_negative_int, default=1, help="seed of the initial weights")
    cli.run(main, **vars(parser.parse_args()))
