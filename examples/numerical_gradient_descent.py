"""Numerical differentiation, gradients and gradient descent (the notes, chapter 3).

``numerical_diff`` approximates a derivative with the central difference
``(f(x + h) - f(x - h)) / 2h`` and the notes' h = 1e-4 (smaller h loses digits to rounding).
For f(x) = 0.01 x^2 + 0.1 x the true derivative is 0.02 x + 0.1: 0.2 at 5 and 0.3 at 10.

A partial derivative holds all variables but one fixed; the gradient collects all partial
derivatives of f(x0, x1) = x0^2 + x1^2 into the vector (2 x0, 2 x1). ``numerical_gradient``
computes it one element at a time.

Gradient descent repeats ``x <- x - lr * grad f(x)``. From (-3, 4) with lr = 0.1, 100 steps
reach (0, 0), the minimum. The learning rate matters: 1e-10 barely moves, and 10.0 jumps
further every step and diverges. (It stops near 1e13 only because there x + 1e-4 == x in
float64, so the numerical gradient is 0; with backprop gradients it goes on to 1e128.)

Finally the same gradient by backpropagation: ``autograd_lite`` records ``x0^2 + x1^2`` as a
graph of Tensor ops and ``backward()`` applies the chain rule, exactly and in one pass
instead of two function evaluations per variable.

Run from the repository root: ``python examples/numerical_gradient_descent.py`` (with the
package installed, ``pip install -e .``, or ``PYTHONPATH=.``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd_lite import Tensor, no_grad, numerical_diff, numerical_gradient

try:  # imported as examples.numerical_gradient_descent (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/numerical_gradient_descent.py
    import cli

POINTS = ((3.0, 4.0), (0.0, 2.0), (3.0, 0.0))
LEARNING_RATES = (0.1, 10.0, 1e-10)
VERDICTS = {
    0.1: "reaches the minimum (0, 0)",
    10.0: "too large: diverges, until x + h == x",
    1e-10: "too small: barely moves",
}


def function_1(x: float) -> float:
    """0.01 x^2 + 0.1 x, whose derivative is 0.02 x + 0.1."""
    return 0.01 * x**2 + 0.1 * x


def function_2(x: np.ndarray) -> float:
    """f(x0, x1) = x0^2 + x1^2, written for an array so it works for any number of variables."""
    return np.sum(x**2)


def function_2_tensor(x: Tensor) -> Tensor:
    """The same function built from Tensor ops, so that backward() can differentiate it."""
    return (x**2).sum()


def gradient_descent(
    f: Callable[[np.ndarray], float], init_x: np.ndarray, lr: float = 0.01, step_num: int = 100
) -> np.ndarray:
    """x <- x - lr * numerical_gradient(f, x), ``step_num`` times, starting from ``init_x``."""
    x = init_x.copy()  # the notes update init_x itself; a copy leaves the caller's array alone
    for _ in range(step_num):
        x -= lr * numerical_gradient(f, x)
    return x


def backprop_gradient(point: tuple[float, ...]) -> np.ndarray:
    """The gradient of function_2 at ``point`` by backpropagation."""
    x = Tensor(np.array(point), requires_grad=True)
    function_2_tensor(x).backward()
    return x.grad.data


def backprop_gradient_descent(init_x: np.ndarray, lr: float, step_num: int) -> np.ndarray:
    """Gradient descent with backprop gradients; the updates run under no_grad."""
    x = Tensor(init_x.copy(), requires_grad=True)
    for _ in range(step_num):
        x.zero_grad()
        function_2_tensor(x).backward()
        with no_grad():
            x.data -= lr * x.grad.data
    return x.data


def main(step_num: int = 100, start: tuple[float, float] = (-3.0, 4.0)) -> dict:
    """Print derivatives, gradients and descents, numerically and by backprop; return them."""
    derivatives = {x: numerical_diff(function_1, x) for x in (5.0, 10.0)}
    print("numerical_diff of 0.01x^2 + 0.1x (true derivative 0.02x + 0.1):")
    for x, d in derivatives.items():
        print(f"  at x = {x:g}: {d!r}  (true {0.02 * x + 0.1:g})")

    # Partial derivatives at (x0, x1) = (3, 4): fix one variable, differentiate in the other.
    partials = (
        numerical_diff(lambda x0: x0 * x0 + 4.0**2, 3.0),
        numerical_diff(lambda x1: 3.0**2 + x1 * x1, 4.0),
    )
    print(f"\npartial derivatives of x0^2 + x1^2 at (3, 4): {partials[0]!r}, {partials[1]!r}")

    numerical = {p: numerical_gradient(function_2, np.array(p)) for p in POINTS}
    backprop = {p: backprop_gradient(p) for p in POINTS}
    gradient_diffs = {p: float(np.max(np.abs(numerical[p] - backprop[p]))) for p in POINTS}
    print("\ngradient of x0^2 + x1^2: numerical | backprop | max |difference|")
    for p in POINTS:
        print(f"  at {p}: {numerical[p]} | {backprop[p]} | {gradient_diffs[p]:.1e}")

    init_x = np.array(start)
    descents = {
        lr: gradient_descent(function_2, init_x, lr=lr, step_num=step_num) for lr in LEARNING_RATES
    }
    print(f"\ngradient descent from {start}, {step_num} steps:")
    for lr, x in descents.items():
        print(f"  lr = {lr:g}: {x}  ({VERDICTS[lr]})")
    backprop_descent = backprop_gradient_descent(init_x, lr=0.1, step_num=step_num)
    print(f"  lr = 0.1 with backprop gradients: {backprop_descent}")
    return {
        "derivatives": derivatives,
        "partials": partials,
        "numerical_gradients": numerical,
        "backprop_gradients": backprop,
        "gradient_diffs": gradient_diffs,
        "descents": descents,
        "backprop_descent": backprop_descent,
    }


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--steps", type=cli.positive_int, default=100, help="gradient descent steps")
    add("--start", type=float, nargs=2, default=(-3.0, 4.0), help="the start point x0 x1")
    args = parser.parse_args()
    cli.run(main, step_num=args.steps, start=tuple(args.start))
