"""Activation functions and a 3-layer forward pass (the notes, chapter 2).

The activation functions turn a neuron's weighted sum into its output:

    step      h(x) = 1 if x > 0 else 0         (the perceptron's; its slope is 0 almost everywhere)
    sigmoid   h(x) = 1 / (1 + e^-x)            (smooth, increasing, between 0 and 1)
    ReLU      h(x) = x if x > 0 else 0
    identity  h(x) = x                         (the output layer of a regression)
    softmax   y_k = e^(a_k) / sum_i e^(a_i)    (the output layer of a classifier)

Softmax is computed as ``exp(a - max(a)) / sum(exp(a - max(a)))``: subtracting a constant does
not change the result, but keeps ``exp`` from overflowing on large inputs.

The network is the notes' ``init_network`` / ``forward``: 2 inputs, hidden layers of 3 and 2
sigmoid units, 2 identity outputs, on x = [1.0, 0.5]. It is computed twice, with numpy
(as in the notes) and with ``autograd_lite`` Tensors, and both print [0.31682708 0.69627909].

Run from the repository root: ``python examples/three_layer_network.py`` (with the package
installed, ``pip install -e .``, or ``PYTHONPATH=.``).
"""

from __future__ import annotations

import numpy as np

import autograd_lite as ag
from autograd_lite import Tensor

try:  # imported as examples.three_layer_network (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/three_layer_network.py
    import cli

# --- activation functions in numpy --------------------------------------------------------


def step_function(x: np.ndarray) -> np.ndarray:
    return (x > 0).astype(int)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(0, x)


def identity_function(x: np.ndarray) -> np.ndarray:
    return x


def softmax(a: np.ndarray) -> np.ndarray:
    """exp(a) / sum(exp(a)), shifted by max(a) so that exp never overflows."""
    exp_a = np.exp(a - np.max(a))
    return exp_a / np.sum(exp_a)


def naive_softmax(a: np.ndarray) -> np.ndarray:
    """exp(a) / sum(exp(a)) as written in the formula: overflows for a around 710 and up."""
    with np.errstate(over="ignore", invalid="ignore"):
        exp_a = np.exp(a)
        return exp_a / np.sum(exp_a)


# --- the 3-layer network ------------------------------------------------------------------


def init_network() -> dict[str, np.ndarray]:
    """The notes' fixed weights (placeholders: a real network learns them)."""
    return {
        "W1": np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]),
        "b1": np.array([0.1, 0.2, 0.3]),
        "W2": np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]),
        "b2": np.array([0.1, 0.2]),
        "W3": np.array([[0.1, 0.3], [0.2, 0.4]]),
        "b3": np.array([0.1, 0.2]),
    }


def forward(network: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The notes' forward pass: two sigmoid layers, then an identity output layer."""
    a1 = np.dot(x, network["W1"]) + network["b1"]
    z1 = sigmoid(a1)
    a2 = np.dot(z1, network["W2"]) + network["b2"]
    z2 = sigmoid(a2)
    a3 = np.dot(z2, network["W3"]) + network["b3"]
    return identity_function(a3)


def forward_tensor(network: dict[str, Tensor], x: Tensor) -> Tensor:
    """The same forward pass with Tensors: ``@`` is np.dot, ``.sigmoid()`` the activation."""
    z1 = (x @ network["W1"] + network["b1"]).sigmoid()
    z2 = (z1 @ network["W2"] + network["b2"]).sigmoid()
    return z2 @ network["W3"] + network["b3"]  # identity output


def activations(x: np.ndarray) -> dict[str, np.ndarray]:
    """Each activation function of chapter 2 applied to ``x``."""
    return {
        "step": step_function(x),
        "sigmoid": sigmoid(x),
        "relu": relu(x),
        "identity": identity_function(x),
        "softmax": softmax(x),
    }


def tensor_activations(x: np.ndarray) -> dict[str, np.ndarray]:
    """The same activations from autograd_lite's ops (step has no op: its slope is 0)."""
    t = Tensor(x)
    return {
        "sigmoid": ag.sigmoid(t).data,
        "relu": ag.relu(t).data,
        "softmax": ag.softmax(t).data,
    }


def main(x: tuple[float, float] = (1.0, 0.5)) -> dict:
    """Print the activations on a small input, then the 3-layer network's output both ways."""
    sample = np.array([-1.0, 0.0, 1.0, 2.0])
    acts = activations(sample)
    print(f"x = {sample}")
    for name, value in acts.items():
        print(f"  {name:>8}(x) = {np.round(value, 8)}")
    print(f"  softmax sums to {np.sum(acts['softmax']):.6f}")
    from_ops = tensor_activations(sample)
    ops_agree = all(np.allclose(from_ops[name], acts[name]) for name in from_ops)
    print(f"  autograd_lite's sigmoid, relu and softmax agree: {ops_agree}")

    large = np.array([1010.0, 1000.0, 990.0])
    print(f"\nsoftmax of {large}:")
    print(f"  naive  exp(a) / sum(exp(a))    = {naive_softmax(large)}  (exp overflows)")
    print(f"  stable exp(a - max) / sum(...) = {softmax(large)}")

    network = init_network()
    y_numpy = forward(network, np.array(x))
    params = {name: Tensor(value) for name, value in network.items()}
    y_tensor = forward_tensor(params, Tensor(np.array(x))).data
    print(f"\n3-layer network on x = {list(x)}")
    print(f"  numpy : {y_numpy}")
    print(f"  Tensor: {y_tensor}")
    print(f"  max |difference| = {np.max(np.abs(y_numpy - y_tensor)):.1e}")
    return {
        "activations": acts,
        "tensor_activations": from_ops,
        "softmax_large": softmax(large),
        "naive_softmax_large": naive_softmax(large),
        "y_numpy": y_numpy,
        "y_tensor": y_tensor,
    }


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    parser.add_argument("--x", type=float, nargs=2, default=(1.0, 0.5), help="the two inputs")
    cli.run(main, x=tuple(parser.parse_args().x))
