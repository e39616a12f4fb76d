"""What numpy's ufuncs do with a Tensor: ``np.exp(t)`` is ``t.exp()``, graph included.

numpy hands a call such as ``np.exp(t)`` or ``ndarray * t`` to ``Tensor.__array_ufunc__``,
which runs the Tensor method of the same meaning, so the result is a Tensor that records
the graph (HIPS autograd's wrapped numpy gives the same). A ufunc without an op here, or a
ufunc method such as ``np.add.reduce`` or ``out=``, raises a TypeError that names what to
use instead: numpy never silently turns a Tensor into an array and drops its gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..tensor import Tensor

# ufunc -> the Tensor method that computes it (called on the first operand, made a Tensor)
UFUNC_METHODS: dict[np.ufunc, str] = {
    np.add: "__add__",
    np.subtract: "__sub__",
    np.multiply: "__mul__",
    np.true_divide: "__truediv__",
    np.matmul: "__matmul__",
    np.power: "pow",
    np.negative: "__neg__",
    np.positive: "__pos__",
    np.less: "__lt__",
    np.less_equal: "__le__",
    np.greater: "__gt__",
    np.greater_equal: "__ge__",
    np.exp: "exp",
    np.log: "log",
    np.sqrt: "sqrt",
    np.absolute: "abs",
    np.sin: "sin",
    np.cos: "cos",
    np.tanh: "tanh",
    np.maximum: "maximum",
    np.minimum: "minimum",
    np.sign: "sign",
    np.floor: "floor",
    np.ceil: "ceil",
    np.rint: "round",
    np.isnan: "isnan",
    np.isinf: "isinf",
    np.isfinite: "isfinite",
}


def array_ufunc(t: Tensor, ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Run ``ufunc(*inputs)`` as the Tensor method listed in ``UFUNC_METHODS``."""
    name = UFUNC_METHODS.get(ufunc)
    if name is None or method != "__call__" or kwargs:
        call = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        extra = f" with {', '.join(kwargs)}=" if kwargs and method == "__call__" else ""
        fix = f"t.{name}()" if name else "a Tensor method, or t.data for a plain array"
        raise TypeError(
            f"{call}{extra} on a Tensor: not supported, as it would lose the gradient; use "
            f"{fix} (t.data gives the array without gradient)"
        )
    first, *rest = (t._lift(x, ufunc.__name__) for x in inputs)
    return getattr(first, name)(*rest)
