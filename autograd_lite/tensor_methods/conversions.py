"""Conversions (``numpy``, ``item``, ``tolist``, casts), copies and in-place helpers of
``Tensor`` (the ``Conversions`` mixin).

Also the two helpers behind ``float(t)``, ``int(t)``, ``f"{t:.3f}"`` and the hints for the
PyTorch names that do not exist here (``t.view`` -> "use reshape()"); the dunders
themselves are in ``tensor.py``, one line each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import ops
from ..errors import DTypeError, GraphError, ShapeError

if TYPE_CHECKING:
    from ..tensor import Tensor

# PyTorch names users reach for that autograd_lite does not have, with what to use instead.
MISSING_NAMES = {
    "view": "use reshape()",
    "view_as": "use reshape(other.shape)",
    "expand": "use broadcast_to()",
    "expand_as": "use broadcast_to(other.shape)",
    "contiguous": "tensors are always contiguous numpy arrays here; drop the call",
    "to": "use astype(dtype) for a dtype; there is no device: every tensor lives in memory",
    "cuda": "there is no GPU support: every tensor lives in main memory; drop the call",
    "cpu": "every tensor already lives in main memory; drop the call",
    "device": "there is no device: every tensor lives in main memory",
    "numel": "use .size (a property, as in numpy)",
    "dim": "use .ndim (a property, as in numpy)",
    "type": "use .dtype to read it and astype() to change it",
    "long": "use astype(np.int64)",
    "int": "use astype(np.int32)",
    "bool": "use astype(bool)",
    "half": "use astype(np.float16)",
    "unsqueeze_": "use t = t.unsqueeze(...): shape changes are not done in place",
    "squeeze_": "use t = t.squeeze(...): shape changes are not done in place",
    "add_": "use t.data += ... (no gradient) or t = t + ...: in-place math is not provided",
    "mul_": "use t.data *= ... (no gradient) or t = t * ...: in-place math is not provided",
    "fill_": "use t.data[...] = value (no gradient); zero_() exists",
    "masked_fill_": "use t = t.masked_fill(mask, value)",
    "clamp": "use clip(low, high)",
    "clamp_": "use t = t.clip(low, high)",
    "norm": "use (t * t).sum().sqrt() or for p-norms (t.abs() ** p).sum() ** (1 / p)",
    "data_ptr": "tensors hold numpy arrays: compare t.data with np.shares_memory()",
}


def missing_attribute(t: Tensor, name: str) -> AttributeError:
    """The AttributeError for an attribute ``t`` lacks, with a hint for PyTorch's names."""
    hint = MISSING_NAMES.get(name)
    message = f"'{type(t).__name__}' object has no attribute '{name}'"
    return AttributeError(f"{message}; {hint}" if hint else message)


def scalar_value(t: Tensor, op: str) -> Any:
    """The Python number held by a one-element tensor, for ``float()``, ``int()``, formats."""
    if t._data.size != 1:
        raise ShapeError(
            f"{op}: only a one-element tensor converts to a number; shape is {t.shape} "
            f"({t._data.size} elements): reduce it first (e.g. .sum(), .mean()) or use .tolist()"
        )
    return t._data.item()


def format_tensor(t: Tensor, spec: str) -> str:
    """``format(t, spec)``: a one-element tensor formats as its number; others only as str."""
    if not spec:
        return str(t)
    if t._data.size != 1:
        raise DTypeError(
            f"format: the spec {spec!r} formats one number, but the tensor has shape "
            f"{t.shape}; format t.item() of a one-element tensor, or np.array2string(t.data)"
        )
    return format(t._data.item(), spec)


class Conversions:
    __slots__ = ()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied). Refused while the tensor requires grad,
        as in PyTorch: a write into it would change what backward computes, unseen."""
        if self._requires_grad:
            raise GraphError(
                f"numpy: this tensor (shape {self.shape}) requires grad, and writing into its "
                "array would silently change what backward computes; call .detach().numpy() "
                "for its values"
            )
        return self._data

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number."""
        if self.size != 1:
            raise ShapeError(f"item: only a one-element tensor has an item; shape is {self.shape}")
        return self._data.item()

    def tolist(self) -> Any:
        """The values as nested Python lists."""
        return self._data.tolist()

    def float(self) -> Tensor:
        """The values as float32 (PyTorch's default float; the gradient is cast back)."""
        return self.astype(np.float32)

    def double(self) -> Tensor:
        """The values as float64 (the gradient is cast back)."""
        return self.astype(np.float64)

    def clone(self) -> Tensor:
        """A copy with its own memory, still in the graph (gradients flow through it)."""
        return ops.Clone.apply(self)

    def zero_(self) -> Tensor:
        """Set every element to 0 in place and return the tensor: ``x.grad.zero_()``.

        Counts as a modification: a pending backward that saved the old values raises.
        """
        if not self._data.flags.writeable:
            raise DTypeError(
                f"zero_: this tensor of shape {self.shape} shares a read-only array (a "
                "broadcast view); zero a copy instead: t = t.clone().zero_()"
            )
        self._data[...] = 0
        self.data = self._data  # through the setter, which records the modification
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` and return the tensor (for chaining, as in PyTorch)."""
        self.requires_grad = requires_grad
        return self
