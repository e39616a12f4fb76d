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

# ufunc -> the Tensor method that computes it, and for binary ufuncs the method to call on
# the second operand when only that one is a Tensor (what Python's operators do: 2 - t is
# t.__rsub__(2), 2 < t is t.__gt__(2))
UFUNC_METHODS: dict[np.ufunc, tuple[str, str | None]] = {
    np.add: ("__add__", "__radd__"),
    np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"),
    np.true_divide: ("__truediv__", "__rtruediv__"),
    np.matmul: ("__matmul__", "__rmatmul__"),
    np.power: ("__pow__", "__rpow__"),
    np.less: ("__lt__", "__gt__"),
    np.less_equal: ("__le__", "__ge__"),
    np.greater: ("__gt__", "__lt__"),
    np.greater_equal: ("__ge__", "__le__"),
    np.equal: ("__eq__", "__eq__"),
    np.not_equal: ("__ne__", "__ne__"),
    np.maximum: ("maximum", "maximum"),
    np.minimum: ("minimum", "minimum"),
    np.negative: ("__neg__", None),
    np.positive: ("__pos__", None),
    np.exp: ("exp", None),
    np.log: ("log", None),
    np.sqrt: ("sqrt", None),
    np.absolute: ("abs", None),
    np.sin: ("sin", None),
    np.cos: ("cos", None),
    np.tanh: ("tanh", None),
    np.sign: ("sign", None),
    np.floor: ("floor", None),
    np.ceil: ("ceil", None),
    np.rint: ("round", None),
    np.isnan: ("isnan", None),
    np.isinf: ("isinf", None),
    np.isfinite: ("isfinite", None),
}


def array_ufunc(t: Tensor, ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Run ``ufunc(*inputs)`` as the Tensor method listed in ``UFUNC_METHODS``."""
    names = UFUNC_METHODS.get(ufunc)
    if names is None or method != "__call__" or kwargs:
        call = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        extra = f" with {', '.join(kwargs)}=" if kwargs and method == "__call__" else ""
        fix = f"t.{names[0]}()" if names else "a Tensor method, or t.data for a plain array"
        raise TypeError(
            f"{call}{extra} on a Tensor: not supported, as it would lose the gradient; use "
            f"{fix} (t.data gives the array without gradient)"
        )
    first, *rest = inputs
    if first is t:
        return getattr(t, names[0])(*rest)
    return getattr(t, names[1])(first)  # only the second operand is a Tensor
