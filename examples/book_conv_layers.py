"""The book's hand-written convolution and pooling layers (chapter 7), next to autograd_lite.

The book turns a convolution into one matrix product. ``im2col`` copies every window of the
input into a row of a column matrix: (N, C, H, W) -> (N * OH * OW, C * FH * FW); the filters
become a matrix (C * FH * FW, FN), and their product, reshaped, is the output (N, FN, OH, OW).
Backward reads the same picture backwards: the gradients of W and of the columns are matrix
products (the Affine layer's rules, dW = col^T dY and dcol = dY W^T), and ``col2im`` adds each
row of dcol back onto the input positions it was copied from (a position shared by several
windows collects several contributions). Pooling uses the same columns: the maximum of each
window, and its gradient goes back to the position of that maximum (``argmax``: the first one
when several tie, the convention autograd_lite's ``max_pool2d`` follows).

``autograd_lite.conv2d`` and ``max_pool2d`` compute the same thing with ops (a sliding-window
view instead of the copying loop, and backward rules that can be differentiated again), so the
book's ``SimpleConvNet`` built from these layers and the same network built from ``nn`` give the
same loss and gradients to rounding, about 1e-15 in float64: ``conv_net_gradients`` returns
both for a test to compare. The other layers (Relu, Affine, SoftmaxWithLoss) are chapter 5's,
from ``book_layers.py``.

(The book pads pooling inputs with zeros; autograd_lite pads them with -inf, as PyTorch does.
The two differ only for padded pooling of negative values; SimpleConvNet pools without
padding.)

Run from the repository root: ``python examples/book_conv_layers.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

try:  # imported as examples.book_conv_layers (tests, notebooks, benchmarks) ...
    from examples import cli
    from examples.book_layers import Affine, Relu, SoftmaxWithLoss, TwoLayerNet
    from examples.simple_conv_net import SimpleConvNet as TensorConvNet
except ImportError:  # ... or run as python examples/book_conv_layers.py
    import cli
    from book_layers import Affine, Relu, SoftmaxWithLoss, TwoLayerNet
    from simple_conv_net import SimpleConvNet as TensorConvNet

import nn
from autograd_lite import Tensor

PARAM_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
# the book's parameter names -> those of examples/simple_conv_net.py's SimpleConvNet
MODULE_NAMES = dict(zip(PARAM_NAMES, ("conv.weight", "conv.bias", "fc1.weight", "fc1.bias",
                                      "fc2.weight", "fc2.bias")))  # fmt: skip


def out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    """(H + 2 pad - FH) / stride + 1: how many window positions fit along one axis."""
    return (size + 2 * pad - kernel) // stride + 1


def im2col(x: np.ndarray, fh: int, fw: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Every FH x FW window of (N, C, H, W) as a row: (N * OH * OW, C * FH * FW).

    The loop runs over the FH * FW filter offsets, not over the windows: at offset (y, x) the
    windows read a strided slice of the padded image, copied in one numpy assignment.
    """
    n, c, h, w = x.shape
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, fh, fw, oh, ow), dtype=x.dtype)
    for y in range(fh):
        for x_ in range(fw):
            col[:, :, y, x_] = img[
                :, :, y : y + stride * oh : stride, x_ : x_ + stride * ow : stride
            ]
    # rows ordered (n, i, j), columns (c, y, x): the layout of the filters' W.reshape(FN, -1)
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(
    col: np.ndarray, shape: Sequence[int], fh: int, fw: int, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """The adjoint of ``im2col``: each row's entries added back onto the positions of the
    (N, C, H, W) input they were copied from; the padding's share is cut off."""
    n, c, h, w = shape
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(fh):
        for x_ in range(fw):
            img[:, :, y : y + stride * oh : stride, x_ : x_ + stride * ow : stride] += col[
                :, :, y, x_
            ]
    return img[:, :, pad : h + pad, pad : w + pad]


class Convolution:
    """The book's Convolution layer: im2col, then one matrix product with the filters."""

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0) -> None:
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.x = self.col = self.col_W = None
        self.dW = self.db = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh, ow = out_size(h, fh, self.stride, self.pad), out_size(w, fw, self.stride, self.pad)
        self.x, self.col = x, im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T  # (C * FH * FW, FN)
        out = self.col @ self.col_W + self.b  # (N * OH * OW, FN): an Affine layer on windows
        return out.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)  # rows back in im2col's order
        # the Affine rules on the columns: db = sum of dY, dW = col^T dY, dcol = dY W^T
        self.db = np.sum(dout, axis=0)
        self.dW = (self.col.T @ dout).T.reshape(fn, c, fh, fw)
        dcol = dout @ self.col_W.T
        return col2im(dcol, self.x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    """The book's max Pooling layer: the maximum of each window of the im2col columns."""

    def __init__(self, pool_h: int, pool_w: int, stride: int = 2, pad: int = 0) -> None:
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad
        self.x = self.arg_max = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        n, c, h, w = x.shape
        oh = out_size(h, self.pool_h, self.stride, self.pad)
        ow = out_size(w, self.pool_w, self.stride, self.pad)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # one window of one channel a row
        self.x, self.arg_max = x, np.argmax(col, axis=1)  # the first maximum when tied
        out = np.max(col, axis=1)
        return out.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        # the maximum passes the gradient to the element it came from; the others get 0
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size), dtype=dout.dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.reshape(-1)
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


def init_params(
    input_shape: tuple[int, int, int] = (1, 28, 28),
    filters: int = 30,
    filter_size: int = 5,
    hidden: int = 100,
    classes: int = 10,
    rng: np.random.Generator | None = None,
    weight_init_std: float = 0.01,
    dtype: type = np.float64,
) -> dict[str, np.ndarray]:
    """The book's SimpleConvNet parameters: small Gaussian weights, zero biases."""
    rng = np.random.default_rng(0) if rng is None else rng
    c, h, w = input_shape
    pooled = filters * ((h - filter_size + 1) // 2) * ((w - filter_size + 1) // 2)
    shapes = {
        "W1": (filters, c, filter_size, filter_size), "b1": (filters,),
        "W2": (pooled, hidden), "b2": (hidden,),
        "W3": (hidden, classes), "b3": (classes,),
    }  # fmt: skip
    return {
        name: (
            weight_init_std * rng.standard_normal(shape) if name[0] == "W" else np.zeros(shape)
        ).astype(dtype)
        for name, shape in shapes.items()
    }


class Flatten:
    """(N, C, H, W) -> (N, C * H * W) for an Affine layer, and the gradient back (the book
    does this inside its Affine layer)."""

    def __init__(self) -> None:
        self.shape: tuple[int, ...] = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout.reshape(self.shape)


class SimpleConvNet(TwoLayerNet):
    """The book's network from layers: Convolution - Relu - Pooling - Affine - Relu - Affine,
    then SoftmaxWithLoss. ``predict``, ``loss`` and the backward walk are chapter 5's
    (``book_layers.TwoLayerNet``); only the layers differ."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = {name: params[name].copy() for name in PARAM_NAMES}
        p = self.params
        self.layers = {
            "Conv1": Convolution(p["W1"], p["b1"]),
            "Relu1": Relu(),
            "Pool1": Pooling(2, 2, stride=2),
            "Flatten": Flatten(),
            "Affine1": Affine(p["W2"], p["b2"]),
            "Relu2": Relu(),
            "Affine2": Affine(p["W3"], p["b3"]),
        }
        self.last_layer = SoftmaxWithLoss()

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        super().gradient(x, t)  # forward, then every layer's backward in reverse order
        layers = self.layers
        return {
            "W1": layers["Conv1"].dW, "b1": layers["Conv1"].db,
            "W2": layers["Affine1"].dW, "b2": layers["Affine1"].db,
            "W3": layers["Affine2"].dW, "b3": layers["Affine2"].db,
        }  # fmt: skip


def tensor_conv_net(
    params: dict[str, np.ndarray], input_shape: tuple[int, int, int] = (1, 28, 28)
) -> TensorConvNet:
    """examples/simple_conv_net.py's SimpleConvNet (nn modules) holding these parameters."""
    filters, _, kernel, _ = params["W1"].shape
    hidden, classes = params["W3"].shape
    model = TensorConvNet(
        input_shape, filters, kernel, 2, hidden, classes, dtype=params["W1"].dtype
    )
    model.load_state_dict({MODULE_NAMES[name]: params[name] for name in PARAM_NAMES})
    return model


def conv_net_gradients(
    params: dict[str, np.ndarray], x: np.ndarray, t: np.ndarray
) -> tuple[tuple[float, dict], tuple[float, dict]]:
    """(loss, gradients) of the book's layered SimpleConvNet and of the nn one, for the same
    parameters, images (N, C, H, W) and one-hot labels; the gradients by the book's names."""
    layered = SimpleConvNet(params)
    layered_grads = layered.gradient(x, t)
    model = tensor_conv_net(params, x.shape[1:])
    loss = nn.functional.cross_entropy(model(Tensor(x)), t.argmax(axis=1))
    loss.backward()
    named = dict(model.named_parameters())
    tensor_grads = {name: named[MODULE_NAMES[name]].grad.data for name in PARAM_NAMES}
    return (layered.last_layer.loss, layered_grads), (loss.item(), tensor_grads)


def random_problem(
    batch_size: int = 3, side: int = 12, seed: int = 0
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters (std 0.1 and nonzero biases, so every layer matters), images and one-hot
    labels for a SimpleConvNet with 4 filters on side x side images."""
    rng = np.random.default_rng(seed)
    params = init_params((1, side, side), 4, 5, 8, 10, rng, weight_init_std=0.1)
    for name in ("b1", "b2", "b3"):
        params[name] = 0.1 * rng.standard_normal(params[name].shape)
    x = rng.standard_normal((batch_size, 1, side, side))
    t = np.eye(10)[rng.integers(0, 10, batch_size)]
    return params, x, t


def main(batch_size: int = 3, side: int = 12, seed: int = 0) -> dict:
    """Compare the book's layered SimpleConvNet with the nn one: loss and every gradient."""
    params, x, t = random_problem(batch_size, side, seed)
    (layered_loss, layered), (tensor_loss, tensor) = conv_net_gradients(params, x, t)
    differences = {name: float(np.max(np.abs(layered[name] - tensor[name]))) for name in layered}
    print(
        f"SimpleConvNet (4 filters 5x5) on {batch_size} random {side}x{side} images: "
        f"loss {layered_loss:.6f} by the book's layers, {tensor_loss:.6f} by autograd_lite"
    )
    print("max |layers - autograd_lite| per parameter:")
    for name, difference in differences.items():
        print(f"  {name} {params[name].shape}: {difference:.1e}")
    return {"losses": (layered_loss, tensor_loss), "max_abs_diff": differences}


if __name__ == "__main__":
    parser = cli.parser(__doc__)
    add = parser.add_argument
    add("--batch-size", type=cli.positive_int, default=3, help="images in the batch")
    add("--side", type=cli.positive_int, default=12, help="image height and width (>= 6)")
    add("--seed", type=cli.non_negative_int, default=0, help="seed of the random problem")
    args = parser.parse_args()
    cli.run(main, args.batch_size, args.side, args.seed)
