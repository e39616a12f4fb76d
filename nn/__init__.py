"""nn: layers, losses and initializers on top of autograd_lite (its public API only).

Read in this order: ``module.py`` (``Parameter``, ``Module``: parameter discovery, train/eval,
state dicts), ``layers.py`` (Linear, activations, Dropout), ``activation.py`` (more activations),
``normalization.py`` (BatchNorm1d, BatchNorm2d, LayerNorm), ``conv.py`` (Conv2d, MaxPool2d,
AvgPool2d, Dropout2d), ``container.py``
(Sequential, MLP), ``functional.py`` (the mathematics of layers and losses), ``loss.py``,
``init.py`` (initializers), ``utils.py`` (gradient clipping) and ``serialization.py``
(checking state dicts, ``.npz`` files without pickle).

Errors: wrong input shapes and dtypes raise autograd_lite's ``ShapeError`` and ``DTypeError``
naming the layer; bad saved state raises ``StateDictError`` (keys) or ``CheckpointError``
(files), both ``ValueError``s, and a failed load leaves the model unchanged.

dtype policy: layers create float32 parameters unless given ``dtype=`` (see ``layers.py``).

>>> import numpy as np
>>> import nn
>>> from autograd_lite import Tensor
>>> model = nn.MLP([2, 8, 2], rng=np.random.default_rng(0))
>>> x = Tensor(np.zeros((4, 2), dtype=np.float32))
>>> loss = nn.functional.cross_entropy(model(x), np.array([0, 1, 1, 0]))
>>> loss.backward()
>>> [p.grad.shape for p in model.parameters()]
[(2, 8), (8,), (8, 2), (2,)]
"""

from . import functional, init, utils
from .activation import ELU, GELU, Hardtanh, LogSigmoid, SiLU, Softplus
from .container import MLP, Sequential
from .conv import AvgPool2d, Conv2d, Dropout2d, MaxPool2d
from .errors import CheckpointError, StateDictError
from .layers import (
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import IncompatibleKeys, Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm

__all__ = [
    "AvgPool2d",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "CheckpointError",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout2d",
    "ELU",
    "Flatten",
    "GELU",
    "Hardtanh",
    "Identity",
    "IncompatibleKeys",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "MLP",
    "MSELoss",
    "MaxPool2d",
    "NLLLoss",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "StateDictError",
    "Tanh",
    "functional",
    "init",
    "utils",
]
