"""The book's hand-written layers, next to the same computations in autograd_lite (chapter 4).

Backpropagation is the chain rule applied node by node: each layer's ``backward`` multiplies
the gradient arriving from above (``dout``) by its own local derivative and passes the
result down. The layers here do that by hand on numpy arrays, as in the notes:

    MulLayer          z = x y        dx = dout * y,  dy = dout * x  (the inputs swapped)
    AddLayer          z = x + y      dx = dy = dout
    Relu              y = max(0, x)  dx = dout where x > 0, else 0
    Sigmoid           y = 1/(1+e^-x) dx = dout * y * (1 - y)  (only the output is needed)
    Affine            Y = X W + b    dX = dY W^T,  dW = X^T dY,  db = sum of dY over the batch
    SoftmaxWithLoss   L = cross-entropy(softmax(x), t)   dx = (y - t) / N

``autograd_lite`` has the same local rules inside its ops and applies them by walking the
graph that the forward pass recorded. So a network built from the layers and the same network
built from Tensor ops give the same gradients, to rounding (about 1e-16 in float64): that is
what ``two_layer_gradients`` returns for a test to check.

Two demonstrations: the shopping example (2 apples at 100 and 3 oranges at 150 with a tax of
1.1 cost 715; the backward pass says how much the price moves per unit of each input), and
the notes' layered ``TwoLayerNet`` (Affine, Relu, Affine, SoftmaxWithLoss) on random data.

Run from the repository root: ``python examples/book_layers.py`` (with the package
installed, ``pip install -e .``, or ``PYTHONPATH=.``).
"""

from __future__ import annotations

import numpy as np

from autograd_lite import Tensor

try:  # imported as examples.book_layers (tests, notebooks) ...
    from examples import cli
except ImportError:  # ... or run as python examples/book_layers.py
    import cli

PARAM_NAMES = ("W1", "b1", "W2", "b2")

# --- the layers, on numpy -----------------------------------------------------------------


class MulLayer:
    def __init__(self) -> None:
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        # d(xy)/dx = y, d(xy)/dy = x
        return dout * self.y, dout * self.x


class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        # d(x+y)/dx = d(x+y)/dy = 1
        return dout * 1, dout * 1


class Relu:
    def __init__(self) -> None:
        self.mask = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        # relu'(x) = 1 for x > 0, else 0. (The notes zero dout in place; a copy is safer.)
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    def __init__(self) -> None:
        self.out = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        # dy/dx = e^-x / (1 + e^-x)^2 = y (1 - y)
        return dout * (1.0 - self.out) * self.out


class Affine:
    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = np.dot(dout, self.W.T)  # (N, out) @ (out, in): the shape of x
        self.dW = np.dot(self.x.T, dout)  # (in, N) @ (N, out): the shape of W
        self.db = np.sum(dout, axis=0)  # b was added to every row of the batch
        return dx


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, shifted by the maximum so exp cannot overflow."""
    exp_x = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return exp_x / np.sum(exp_x, axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """-sum(t log(y + 1e-7)) / N for one-hot t; the 1e-7 keeps log away from log(0)."""
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    return float(-np.sum(t * np.log(y + 1e-7)) / y.shape[0])


class SoftmaxWithLoss:
    def __init__(self) -> None:
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, t)
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        # d(mean cross-entropy of softmax)/dx = (y - t) / N. This is the derivative without
        # the 1e-7 guard, which only keeps the forward value finite.
        batch_size = self.t.shape[0]
        return dout * (self.y - self.t) / batch_size


# --- the two-layer network, both ways -----------------------------------------------------


def init_params(
    input_size: int,
    hidden_size: int,
    output_size: int,
    rng: np.random.Generator,
    weight_init_std: float = 0.01,
) -> dict[str, np.ndarray]:
    """The notes' initialization: small Gaussian weights, zero biases."""
    return {
        "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
        "b1": np.zeros(hidden_size),
        "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
        "b2": np.zeros(output_size),
    }


class TwoLayerNet:
    """The notes' layered network: Affine, Relu, Affine, then SoftmaxWithLoss."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = {name: params[name].copy() for name in PARAM_NAMES}
        self.layers = {
            "Affine1": Affine(self.params["W1"], self.params["b1"]),
            "Relu1": Relu(),
            "Affine2": Affine(self.params["W2"], self.params["b2"]),
        }
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Forward, then each layer's backward in reverse order: the chain rule by hand."""
        self.loss(x, t)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        return {
            "W1": self.layers["Affine1"].dW,
            "b1": self.layers["Affine1"].db,
            "W2": self.layers["Affine2"].dW,
            "b2": self.layers["Affine2"].db,
        }


class TensorTwoLayerNet:
    """The same network from autograd_lite ops; ``backward()`` does the layers' work."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = {
            name: Tensor(params[name].copy(), requires_grad=True) for name in PARAM_NAMES
        }

    def loss(self, x: np.ndarray, t: np.ndarray) -> Tensor:
        """Mean cross-entropy, with log(softmax) computed stably as log_softmax."""
        p = self.params
        hidden = (Tensor(x) @ p["W1"] + p["b1"]).relu()
        scores = hidden @ p["W2"] + p["b2"]
        return -(Tensor(t) * scores.log_softmax(axis=-1)).sum() / x.shape[0]

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        for p in self.params.values():
            p.zero_grad()
        self.loss(x, t).backward()
        return {name: p.grad.data for name, p in self.params.items()}


def two_layer_gradients(
    params: dict[str, np.ndarray], x: np.ndarray, t: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The gradients of the layered network and of the Tensor network, for the same inputs."""
    return TwoLayerNet(params).gradient(x, t), TensorTwoLayerNet(params).gradient(x, t)


def random_problem(
    batch_size: int, input_size: int, hidden_size: int, output_size: int, seed: int
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters (with weight_init_std=1 and nonzero biases), inputs and one-hot labels."""
    rng = np.random.default_rng(seed)
    params = init_params(input_size, hidden_size, output_size, rng, weight_init_std=1.0)
    params["b1"] = rng.standard_normal(hidden_size)
    params["b2"] = rng.standard_normal(output_size)
    x = rng.standard_normal((batch_size, input_size))
    t = np.eye(output_size)[rng.integers(0, output_size, batch_size)]
    return params, x, t


def layer_by_layer_differences(seed: int = 0) -> dict[str, float]:
    """Each layer's backward against the Tensor op's, for a random input and upstream gradient.

    A random ``dout`` (not all ones) is what would catch a missing transpose or a sum over
    the wrong axis.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 3))
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
    differences = {}
    for name, layer, op in (
        ("Relu", Relu(), lambda t: t.relu()),
        ("Sigmoid", Sigmoid(), lambda t: t.sigmoid()),
    ):
        dout = rng.standard_normal(x.shape)
        layer.forward(x)
        dx = layer.backward(dout)
        xt = Tensor(x, requires_grad=True)
        op(xt).backward(dout)
        differences[name] = float(np.max(np.abs(dx - xt.grad.data)))
    affine = Affine(W, b)
    dout = rng.standard_normal((4, 2))
    affine.forward(x)
    dx = affine.backward(dout)
    xt, Wt, bt = (Tensor(a, requires_grad=True) for a in (x, W, b))
    (xt @ Wt + bt).backward(dout)
    differences["Affine"] = max(
        float(np.max(np.abs(mine - theirs.grad.data)))
        for mine, theirs in ((dx, xt), (affine.dW, Wt), (affine.db, bt))
    )
    return differences


# --- the shopping example -----------------------------------------------------------------


def shopping_with_layers(apple=100.0, apple_num=2.0, orange=150.0, orange_num=3.0, tax=1.1):
    """The notes' apples and oranges through MulLayer and AddLayer; the price and gradients."""
    mul_apple, mul_orange, add_fruit, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    apple_price = mul_apple.forward(apple, apple_num)
    orange_price = mul_orange.forward(orange, orange_num)
    all_price = add_fruit.forward(apple_price, orange_price)
    price = mul_tax.forward(all_price, tax)

    dall_price, dtax = mul_tax.backward(1.0)
    dapple_price, dorange_price = add_fruit.backward(dall_price)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    grads = {
        "apple": dapple,
        "apple_num": dapple_num,
        "orange": dorange,
        "orange_num": dorange_num,
        "tax": dtax,
    }
    return price, grads


def shopping_with_tensors(apple=100.0, apple_num=2.0, orange=150.0, orange_num=3.0, tax=1.1):
    """The same purchase as one Tensor expression; backward() fills each input's grad."""
    inputs = {
        "apple": Tensor(apple, requires_grad=True),
        "apple_num": Tensor(apple_num, requires_grad=True),
        "orange": Tensor(orange, requires_grad=True),
        "orange_num": Tensor(orange_num, requires_grad=True),
        "tax": Tensor(tax, requires_grad=True),
    }
    v = inputs
    price = (v["apple"] * v["apple_num"] + v["orange"] * v["orange_num"]) * v["tax"]
    price.backward()
    return price.item(), {name: t.grad.item() for name, t in inputs.items()}


def main(
    batch_size: int = 5,
    input_size: int = 4,
    hidden_size: int = 6,
    output_size: int = 3,
    seed: int = 0,
) -> dict:
    """Run the shopping example both ways, then compare the two-layer networks' gradients."""
    price, grads = shopping_with_layers()
    tensor_price, tensor_grads = shopping_with_tensors()
    print("apple 100 x 2, orange 150 x 3, tax 1.1")
    print(f"  layers : price {price:.1f}  " + "  ".join(f"d{k} {v:g}" for k, v in grads.items()))
    print(
        f"  Tensors: price {tensor_price:.1f}  "
        + "  ".join(f"d{k} {v:g}" for k, v in tensor_grads.items())
    )

    layer_differences = layer_by_layer_differences(seed)
    print("\none layer at a time, max |layer backward - Tensor backward|:")
    print("  " + "  ".join(f"{name} {d:.1e}" for name, d in layer_differences.items()))

    params, x, t = random_problem(batch_size, input_size, hidden_size, output_size, seed)
    layered, tensor = two_layer_gradients(params, x, t)
    differences = {name: float(np.max(np.abs(layered[name] - tensor[name]))) for name in layered}
    print(
        f"\nTwoLayerNet {input_size}-{hidden_size}-{output_size} on a batch of {batch_size}: "
        "max |layers - Tensors| per parameter"
    )
    for name, difference in differences.items():
        print(f"  {name}: {difference:.1e}")
    return {
        "price": price,
        "grads": grads,
        "tensor_price": tensor_price,
        "tensor_grads": tensor_grads,
        "layered_gradients": layered,
        "tensor_gradients": tensor,
        "layer_differences": layer_differences,
        "max_abs_diff": differences,
    }


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--batch-size", type=cli.positive_int, default=5, help="samples in the batch")
    add("--sizes", type=cli.positive_int, nargs=3, default=(4, 6, 3), help="input hidden output")
    add("--seed", type=cli.non_negative_int, default=0, help="seed of the random problem")
    args = parser.parse_args()
    cli.run(main, args.batch_size, *args.sizes, seed=args.seed)
