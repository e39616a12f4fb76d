"""The functions backward rules call besides operators: each works on arrays and on Tensors.

A built-in op's ``backward`` is written once and runs in two ways (see ``function.py``):
on raw numpy arrays during a plain ``backward()``, where a rule costs what numpy costs, and
on Tensors under ``create_graph=True``, where every call records a node, which is where
higher-order gradients come from. Operators (``+ - * / ** @``, indexing) and the methods
``reshape``, ``swapaxes``, ``squeeze``, ``sum`` and ``astype`` already mean the same on
both (``transpose`` too, except with exactly two axes, which a Tensor swaps as PyTorch
does: use ``swapaxes`` there), and so do numpy's ufuncs that ``Tensor.__array_ufunc__``
knows (``np.multiply(grad, y, out=out)``, with ``out`` None on Tensors: see ``Op``); this
module supplies the rest under numpy's names.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function


def is_array(x) -> bool:
    """True for a numpy array or scalar (what numpy returns for 0-d results), not a Tensor."""
    return isinstance(x, np.ndarray | np.generic)


def exp(x):
    """e^x, elementwise."""
    return np.exp(x) if is_array(x) else x.exp()


def log(x):
    """The natural logarithm, elementwise."""
    return np.log(x) if is_array(x) else x.log()


def matmul(x, y, out=None):
    """x @ y; on arrays into ``out`` if given (a compiled replay's buffer, ``ctx.buffer``).
    (Elementwise ops need no such function: numpy's ufuncs take Tensors, see ``Op``.)"""
    return np.matmul(x, y, out=out) if is_array(x) else x @ y


def sum_rows(x, out=None):
    """The sum over axis 0; on arrays into ``out`` if given (see ``multiply``)."""
    return x.sum(axis=0, out=out) if is_array(x) else x.sum(axis=0)


def scratch(ctx, name: str, shape: tuple[int, ...], *like) -> np.ndarray:
    """``ctx.buffer(name, shape, *like)``, or a new array where it gives none (outside a
    compiled replay): for a kernel that fills its destination itself (``np.copyto``, ``+=``)."""
    dtype = np.result_type(*like)  # a dtype, not the arrays: np.empty's C order, whatever
    array = ctx.buffer(name, shape, dtype)  # their layout (workspace._order_of)
    return np.empty(shape, dtype) if array is None else array


def copy(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A copy of the array ``x``: into ``out`` if given (cast to its dtype as ``astype``
    casts), else a new array."""
    if out is None:
        return x.copy()
    np.copyto(out, x, casting="unsafe")
    return out


def expand_dims(x, axis: int):
    """Insert a size-1 axis at ``axis`` (Tensor's ``unsqueeze``)."""
    return np.expand_dims(x, axis) if is_array(x) else x.unsqueeze(axis)


def broadcast_to(x, shape: tuple[int, ...]):
    """Broadcast to ``shape`` (on arrays a read-only view, as numpy gives)."""
    return np.broadcast_to(x, shape) if is_array(x) else x.broadcast_to(shape)


def sum_to(x, shape: tuple[int, ...], out=None):
    """Sum over the axes broadcasting added or stretched, down to ``shape`` (on arrays into
    ``out`` if given)."""
    return sum_to_array(np.asarray(x), shape, out) if is_array(x) else x.sum_to(shape)


def sum_to_array(x: np.ndarray, shape: tuple[int, ...], out=None) -> np.ndarray:
    """``sum_to`` on an array: the inverse of ``np.broadcast_to(., x.shape)`` for gradients.

    The sum is an array of its own (not a view of one with more axes), written into ``out``
    (of ``shape``) if given: a compiled replay's buffer."""
    lead = x.ndim - len(shape)
    if lead < 0 or any(n not in (1, x.shape[lead + i]) for i, n in enumerate(shape)):
        raise ShapeError(
            f"sum_to: a tensor of shape {x.shape} cannot be summed to shape {shape}: "
            f"{shape} does not broadcast to {x.shape}"
        )
    stretched = [i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1]
    if not lead and not stretched:
        return x
    if out is None:  # of np.sum's dtype: x's, or the platform's integer for bools and ints
        out = np.empty(shape, x.dtype if x.dtype.kind in "fc" else np.sum(x.flat[:0]).dtype)
    kept = [n for i, n in enumerate(shape) if i not in stretched]  # the axes np.sum keeps
    axes = (*range(lead), *(lead + i for i in stretched))
    np.sum(x, axis=axes, out=out.reshape(kept))
    return out


class Op(Function):
    """The base of the built-in ops: a ``Function`` whose backward also runs on raw arrays.

    A ``forward`` or ``backward`` with an ``out`` parameter (default None) takes memory to
    write its result into, as numpy's ``out=``: for forward an array of the result's shape
    and dtype; for backward what the rule returns, one array for a one-input op, else a
    tuple with an array or None per input. A compiled replay passes arrays it keeps from one
    replay to the next (``compiler/workspace.py``); eager calls pass none. A rule written
    with numpy's ufuncs (``np.multiply(grad, y, out=out)``) runs on Tensors too (under
    ``create_graph``, through ``Tensor.__array_ufunc__``), where ``out`` is None.
    """

    backward_on_arrays = True
