"""autograd_lite: a small reverse-mode automatic differentiation engine on numpy.

Read the code in this order: ``tensor.py`` (the Tensor and its operators), ``function.py``
(the op contract and the graph node), ``ops/`` (one small class per op, each with its
backward rule), ``engine.py`` (the backward walk), ``autograd.py`` (``grad``), then
``numerical.py`` and ``gradcheck.py`` (checking gradients against numerical differences).

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
from .errors import AutogradError, DTypeError, GraphError, IndexingError, ShapeError
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
    elu,
    erf,
    exp,
    expand_dims,
    gelu,
    hardtanh,
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
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import GraphOptionError, GraphvizError, GraphvizNotFoundError, render_svg, to_dot
from .numerical import numerical_diff, numerical_gradient
from .ops import OPS
from .tensor import Tensor

__version__ = "0.1.0"

_DATA_NAMES = frozenset({"DataLoader", "MNISTError", "load_mnist"})

__all__ = [
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
    "IndexingError",
    "OPS",
    "ShapeError",
    "Tensor",
    "abs",
    "add",
    "as_tensor",
    "broadcast_to",
    "cat",
    "clip",
    "concatenate",
    "cos",
    "detect_anomaly",
    "div",
    "elu",
    "enable_grad",
    "erf",
    "exp",
    "expand_dims",
    "gelu",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hardtanh",
    "load_mnist",
    "is_grad_enabled",
    "log",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "no_grad",
    "numerical_diff",
    "numerical_gradient",
    "ops",
    "permute",
    "pow",
    "relu",
    "render_svg",
    "reshape",
    "set_grad_enabled",
    "sigmoid",
    "silu",
    "sin",
    "softmax",
    "softmax_cross_entropy",
    "softplus",
    "sqrt",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "tanh",
    "to_dot",
    "transpose",
    "unsqueeze",
    "where",
]


def __getattr__(name: str) -> Any:
    """Import ``autograd_lite.data`` when one of its names is first asked for (PEP 562)."""
    if name in _DATA_NAMES:
        return getattr(importlib.import_module(".data", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
