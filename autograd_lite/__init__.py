"""autograd_lite: a small reverse-mode automatic differentiation engine on numpy.

Read the code in this order: ``tensor.py`` (the Tensor and its operators), ``function.py``
(the op contract and the graph node), ``ops/`` (one small class per op, each with its
backward rule), ``engine.py`` (the backward walk), ``autograd.py`` (``grad``), then
``numerical.py`` and ``gradcheck.py`` (checking gradients against numerical differences).

>>> from autograd_lite import Tensor
>>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> loss = (w @ Tensor([1.0, -1.0])).relu().sum()
>>> loss.backward()
>>> w.grad
Tensor([[0. 0.]
        [0. 0.]])
"""

from . import ops
from .anomaly import AnomalyError, detect_anomaly
from .autograd import grad
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
from .dataloader import DataLoader
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
    exp,
    expand_dims,
    log,
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
    sin,
    softmax,
    softmax_cross_entropy,
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
from .mnist import MNISTError, load_mnist
from .numerical import numerical_diff, numerical_gradient
from .ops import OPS
from .tensor import Tensor

__version__ = "0.1.0"

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
    "arange",
    "as_tensor",
    "broadcast_to",
    "cat",
    "clip",
    "concatenate",
    "cos",
    "detect_anomaly",
    "div",
    "enable_grad",
    "exp",
    "expand_dims",
    "eye",
    "full",
    "full_like",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "linspace",
    "load_mnist",
    "log",
    "log_softmax",
    "logsumexp",
    "manual_seed",
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
    "one_hot",
    "ones",
    "ones_like",
    "ops",
    "permute",
    "pow",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "relu",
    "render_svg",
    "reshape",
    "set_grad_enabled",
    "sigmoid",
    "sin",
    "softmax",
    "softmax_cross_entropy",
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
    "zeros",
    "zeros_like",
]
