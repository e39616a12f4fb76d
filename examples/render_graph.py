"""Draw four computation graphs as SVG files with ``autograd_lite.graph.render_svg``.

1. ``apple.svg``: buying apples, from chapter 5 of *Deep Learning from Scratch*: 2 apples at
   100 each, with a tax of 1.1, cost 220. After backward, the gradients say how much the
   price moves per unit of each input: 2.2 per unit of apple price, 110 per apple, 200 per
   unit of tax.
2. ``neuron.svg``: one sigmoid neuron, ``sigmoid(w * x + b)``, after backward.
3. ``two_layer_net.svg``: the cross-entropy loss of a small two-layer network on a batch of
   four, after backward, with the parameters named ``W1``, ``b1``, ``W2``, ``b2``.
4. ``simple_conv_net.svg``: the loss of the book's SimpleConvNet (chapter 7: conv2d,
   relu, max_pool2d, two affine layers) on two images, after backward, with its parameters
   named as the model names them (``conv.weight``, ``fc1.weight``, ...).

Needs Graphviz's ``dot`` program (``apt-get install graphviz``, ``brew install graphviz`` or
``conda install graphviz``). Run ``python examples/render_graph.py [--out-dir DIR]``: the
files go into the current folder by default (``--out-dir docs/images`` remakes the README's
pictures).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from autograd_lite import Tensor
from autograd_lite.graph import render_svg

try:  # imported as examples.render_graph (tests, notebooks) ...
    from examples import cli
    from examples.simple_conv_net import SimpleConvNet
except ImportError:  # ... or run as python examples/render_graph.py
    import cli
    from simple_conv_net import SimpleConvNet

import nn


def apple_graph() -> Tensor:
    """price = apple * apple_num * tax, after backward."""
    apple = Tensor(100.0, requires_grad=True, name="apple")
    apple_num = Tensor(2.0, requires_grad=True, name="apple_num")
    tax = Tensor(1.1, requires_grad=True, name="tax")
    apple_price = (apple * apple_num).retain_grad()
    apple_price.name = "apple_price"
    price = apple_price * tax
    price.name = "price"
    price.backward()
    return price


def neuron_graph() -> Tensor:
    """y = sigmoid(w * x + b) for one input x, after backward."""
    x = Tensor(2.0, name="x")
    w = Tensor(0.5, requires_grad=True, name="w")
    b = Tensor(-0.5, requires_grad=True, name="b")
    y = (w * x + b).sigmoid()
    y.name = "y"
    y.backward()
    return y


def two_layer_net(seed: int = 0) -> tuple[Tensor, dict[str, Tensor]]:
    """The mean cross-entropy of a 3-5-3 network on 4 samples, after backward, and its params."""
    rng = np.random.default_rng(seed)
    x = Tensor(rng.normal(size=(4, 3)), name="x")
    labels = np.array([0, 2, 1, 2])
    params = {
        "W1": Tensor(rng.normal(scale=0.5, size=(3, 5)), requires_grad=True),
        "b1": Tensor(np.zeros(5), requires_grad=True),
        "W2": Tensor(rng.normal(scale=0.5, size=(5, 3)), requires_grad=True),
        "b2": Tensor(np.zeros(3), requires_grad=True),
    }
    hidden = (x @ params["W1"] + params["b1"]).relu()
    logits = hidden @ params["W2"] + params["b2"]
    loss = -logits.log_softmax()[np.arange(len(labels)), labels].mean()
    loss.name = "loss"
    loss.backward()
    return loss, params


def simple_conv_net(seed: int = 0) -> tuple[Tensor, dict[str, Tensor]]:
    """The mean cross-entropy of the book's SimpleConvNet on 2 MNIST-sized images, after
    backward, and its parameters by name."""
    rng = np.random.default_rng(seed)
    model = SimpleConvNet(rng=rng)
    x = Tensor(rng.random((2, 1, 28, 28), dtype=np.float32), name="images")
    loss = nn.functional.cross_entropy(model(x), np.array([3, 7]))
    loss.name = "loss"
    loss.backward()
    return loss, dict(model.named_parameters())


def main(out_dir: str | Path = ".") -> list[Path]:
    """Write the four SVG files into ``out_dir`` and return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    loss, params = two_layer_net()
    cnn_loss, cnn_params = simple_conv_net()
    return [
        render_svg(apple_graph(), path=out_dir / "apple.svg", rankdir="LR"),
        render_svg(neuron_graph(), path=out_dir / "neuron.svg", rankdir="LR"),
        render_svg(loss, path=out_dir / "two_layer_net.svg", params=params),
        render_svg(cnn_loss, path=out_dir / "simple_conv_net.svg", params=cnn_params),
    ]


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    parser.add_argument(
        "--out-dir", type=cli.output_dir, default=Path("."), help="folder for the SVG files"
    )
    for written in cli.run(main, parser.parse_args().out_dir):
        print(f"wrote {written}")
