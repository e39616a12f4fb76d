"""The op table: every primitive op of autograd_lite, by the name users know it under.

Each entry is a ``Function`` subclass with a local backward rule. ``tests/op_specs.py``
keeps a matching table of specs (numpy reference, input domain, points to avoid), and a test
fails when an op here has no spec, so no op exists without its gradient test. Derived ops
(``mean``, ``var``, ``stack``, ``squeeze``, ``gather``, ...) are compositions of these and
have specs too.
"""

from __future__ import annotations

from ..function import Function
from .activation import Elu, Erf, Gelu, Hardtanh, LeakyRelu, LogSigmoid, Silu, Softplus
from .arithmetic import (
    Add,
    AddScalar,
    Div,
    DivScalar,
    Mul,
    MulScalar,
    Neg,
    Pow,
    PowScalar,
    Sub,
)
from .compare import Clip, Maximum, Minimum, Where
from .conv import Conv2d, Conv2dGradInput, Conv2dGradWeight
from .dropout import Dropout
from .elementwise import Abs, Cos, Exp, Log, Relu, Sigmoid, Sin, Sqrt, Tanh
from .index import Concatenate, GetItem, IndexAdd
from .label_loss import LabelCrossEntropy
from .linalg import Linear, MatMul
from .pad import Pad
from .pool import AvgPool2d, AvgPool2dGrad, MaxPool2d, MaxPool2dGrad, MaxPool2dSelect
from .predicate import Predicate
from .reduce import Cumsum, Max, Min, Prod, Sum
from .rounding import Ceil, Floor, PiecewiseConstant, Round, Sign
from .shape import Astype, BroadcastTo, Clone, Flip, Reshape, SumTo, Transpose
from .softmax import LogSoftmax, LogSumExp, Softmax, SoftmaxCrossEntropy

OPS: dict[str, type[Function]] = {
    op.name(): op
    for op in (
        # arithmetic
        Add, AddScalar, Sub, Mul, MulScalar, Div, DivScalar, Neg, Pow, PowScalar,
        # elementwise
        Exp, Log, Sqrt, Abs, Sin, Cos, Tanh, Sigmoid, Relu,
        # activations
        Erf, Softplus, Gelu, Silu, Elu, LeakyRelu, LogSigmoid, Hardtanh, Dropout,
        # piecewise constant (gradient 0)
        Sign, Floor, Ceil, Round, PiecewiseConstant,
        # selecting
        Maximum, Minimum, Clip, Where,
        # reductions
        Sum, Prod, Max, Min, Cumsum,
        # shape
        Reshape, Transpose, Flip, BroadcastTo, SumTo, Astype, Clone,
        # indexing and joining
        GetItem, IndexAdd, Concatenate,
        # linear algebra
        MatMul, Linear,
        # convolution and pooling (chapter 7), each with the ops its gradient is made of
        Pad, Conv2d, Conv2dGradInput, Conv2dGradWeight,
        MaxPool2d, MaxPool2dGrad, MaxPool2dSelect, AvgPool2d, AvgPool2dGrad,
        # fused, numerically stable
        Softmax, LogSoftmax, LogSumExp, SoftmaxCrossEntropy, LabelCrossEntropy,
    )
}  # fmt: skip

__all__ = ["OPS", "Predicate", *(op.__name__ for op in OPS.values())]
