"""autograd_lite: a small reverse-mode automatic differentiation engine on numpy.

Read the code in this order: ``tensor.py`` (the Tensor and its operators; its named methods
in groups in ``tensor_methods/``; ``creation.py`` for ``zeros``, ``randn``, ...), ``function.py``
(the op contract) and ``context.py`` (the graph node: an op's output tensor), ``ops/`` (one
small class per op, each with its backward rule), ``engine.py`` (the backward walk),
``autograd.py`` (``grad``), then ``numerical.py`` and ``gradcheck.py`` (checking gradients
against numerical differences); ``compiler/`` traces and replays a training step.

The datasets live apart, in ``autograd_lite.data`` (MNIST and ``DataLoader``). Its names
``load_mnist``, ``MNISTError`` and ``DataLoader`` are offered here too, but imported on first
use (``__getattr__`` below), so that ``import autograd_lite`` does not load what only the data
code needs (gzip, hashlib, urllib, http.client).

>>> from autograd_lite import Tensor
>>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> loss = (w @ Tensor([1.0, -1.0])).relu().sum()
>>> loss.backward()
>>> w.grad
Tensor([[0. 0.]
        [0. 0.]])
"""

import importlib
from typing import Any

from . import ops
from .anomaly import AnomalyError, detect_anomaly
from .autograd import grad
from .compiler import compile, effect
from .creation import (
    arange,
    eye,
    full,
    full_like,
    linspace,
    manual_seed,
    one_hot,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    zeros,
    zeros_like,
)
from .errors import (
    AutogradError,
    DTypeError,
    GraphError,
    IndexingError,
    ShapeError,
    TraceError,
)
from .function import Context, Function
from .functions import (
    abs,
    add,
    as_tensor,
    broadcast_to,
    cat,
    clip,
    concatenate,
    cos,
    div,
    dropout,
    elu,
    erf,
    exp,
    expand_dims,
    gelu,
    hardtanh,
    leaky_relu,
    linear,
    log,
    log_sigmoid,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    silu,
    sin,
    softmax,
    softmax_cross_entropy,
    softplus,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
    where,
)
from .functions_conv import avg_pool2d, conv2d, max_pool2d, pad
from .functions_torch import (
    allclose,
    argmax,
    argmin,
    ceil,
    clone,
    cumsum,
    flatten,
    flip,
    floor,
    gather,
    isclose,
    isfinite,
    isinf,
    isnan,
    masked_fill,
    prod,
    round,
    sign,
    std,
    var,
)
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import GraphOptionError, GraphvizError, GraphvizNotFoundError, render_svg, to_dot
from .numerical import numerical_diff, numerical_gradient
from .ops import OPS
from .tensor import Tensor

__version__ = "0.1.0"

_DATA_NAMES = frozenset({"DataLoader", "MNISTError", "load_mnist"})

__all__ = [
    "compile",
    "effect",
    "AnomalyError",
    "AutogradError",
    "Context",
    "DataLoader",
    "MNISTError",
    "DTypeError",
    "Function",
    "GradcheckError",
    "GraphOptionError",
    "GraphvizError",
    "GraphvizNotFoundError",
    "GraphError",
    "TraceError",
    "IndexingError",
    "OPS",
    "ShapeError",
    "Tensor",
    "abs",
    "add",
    "allclose",
    "arange",
    "argmax",
    "argmin",
    "as_tensor",
    "avg_pool2d",
    "broadcast_to",
    "cat",
    "ceil",
    "clip",
    "clone",
    "concatenate",
    "conv2d",
    "cos",
    "cumsum",
    "detect_anomaly",
    "div",
    "dropout",
    "elu",
    "enable_grad",
    "erf",
    "exp",
    "expand_dims",
    "eye",
    "flatten",
    "flip",
    "floor",
    "full",
    "full_like",
    "gather",
    "gelu",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hardtanh",
    "leaky_relu",
    "linear",
    "is_grad_enabled",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "linspace",
    "load_mnist",
    "log",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "manual_seed",
    "masked_fill",
    "matmul",
    "max",
    "max_pool2d",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "no_grad",
    "numerical_diff",
    "numerical_gradient",
    "one_hot",
    "ones",
    "ones_like",
    "ops",
    "pad",
    "permute",
    "pow",
    "prod",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "relu",
    "render_svg",
    "reshape",
    "round",
    "set_grad_enabled",
    "sigmoid",
    "sign",
    "silu",
    "sin",
    "softmax",
    "softmax_cross_entropy",
    "softplus",
    "sqrt",
    "squeeze",
    "stack",
    "std",
    "sub",
    "sum",
    "tanh",
    "to_dot",
    "transpose",
    "unsqueeze",
    "var",
    "where",
    "zeros",
    "zeros_like",
]


def __getattr__(name: str) -> Any:
    """Import ``autograd_lite.data`` when one of its names is first asked for (PEP 562)."""
    if name in _DATA_NAMES:
        return getattr(importlib.import_module(".data", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
