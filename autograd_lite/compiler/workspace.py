"""The arrays a compiled function's replays write into, kept from one replay to the next.

A replay runs the kernels of the trace into memory it keeps (numpy's ``out=``), given in
three ways:

- an op's ``forward`` or ``backward`` with an ``out`` parameter gets it from the replay
  step: the array of its result (``output``) or of the gradients it returns
  (``gradients``), in the shape and dtype they had in the trace; so do the engine's own
  arrays: the sum of two gradients of one tensor, a gradient summed back over broadcast
  axes, and the copy a ``.grad`` gets of a gradient that is a view (``keep``);
- a kernel asks its node for any other array it makes (a mask, a column matrix) with
  ``ctx.buffer(name, shape, *like)`` (``lend``); outside a replay the answer is None and
  numpy allocates, so eager and compiled execution run the same code;
- a kernel run without a node (``compute`` inside another op's rule) asks the same way,
  and gets the buffer of the replay's k-th such request: every replay makes the same
  requests in the same order.

An array under ``SMALL_BYTES`` gets no buffer of its own. The values do not change: the
same kernels compute them, only into memory that already exists, laid out as numpy laid
out the value in the trace (``axis_order``: a result on a transposed operand follows its
layout, and a sum adds in the order of memory).

Memory that leaves the replay must not change under its holder's feet. A replay's results
and the ``.grad`` it delivers are *handed out*: the holder gets an array of its own over the
buffer's memory (``np.frombuffer`` of it, which every view of it refers to), and while
anything outside the workspace refers to that array, the next replay writes into a new
buffer instead. So ``losses.append(step(x, t))`` or keeping ``p.grad`` from one step to the
next sees the values of its own call, as eager execution does; when nothing is held,
nothing is allocated.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import numpy as np


def _count_unheld() -> int:
    """``sys.getrefcount`` of an array held only by a dict, read as ``Workspace._held``
    reads it (from a local name): anything more is a holder outside the replay (measured,
    as it differs by Python version)."""
    probe = {0: np.empty(0)}
    handed = probe.get(0)
    return sys.getrefcount(handed)


_UNHELD = _count_unheld()

# Results under this many bytes get no buffer of their own (``Recorder`` decides at the
# trace): numpy keeps freed data blocks under 1 KiB in a cache and hands them out again
# (``NBUCKETS`` in numpy's ``alloc.c``), so they cost no ``malloc``, and a buffer would cost
# a replay more Python than the kernel on such an array.
SMALL_BYTES = 1024


def axis_order(array: np.ndarray) -> tuple[int, ...] | None:
    """The order in which ``array``'s axes lie in memory, outermost first, when it is not
    C's (a result on a transposed view, or on a Fortran-order array); None for C order
    (broadcast and size-1 axes do not count). numpy gives an elementwise result the layout
    of its operands, and a sum adds in the order of memory, so a buffer for a value takes
    the layout the value had in the trace: a replay then computes eager's bits."""
    if array.flags.c_contiguous:
        return None
    strides = [abs(s) for s, n in zip(array.strides, array.shape) if s and n > 1]
    if all(outer >= inner for outer, inner in zip(strides, strides[1:])):
        return None
    return tuple(sorted(range(array.ndim), key=lambda k: -abs(array.strides[k])))


def _order_of(shape: tuple[int, ...], like: tuple) -> tuple[int, ...] | None:
    """The layout numpy gives a ufunc's result of ``shape`` on the operands ``like``: that of
    the first operand of the same shape (numpy's iterator follows the first operand whose
    strides decide)."""
    for a in like:
        if type(a) is np.ndarray and a.shape == shape:
            return axis_order(a)
    return None


class Workspace:
    """One trace's buffers, by key: ``(id(node), name)`` for what a node's kernel asks,
    ``(id(node), None)`` its result, ``(id(node), i)`` its gradient for input i and
    ``(id(t), "grad")`` the copy ``t.grad`` gets and ``(id(t), "sum", 0 or 1)`` the sums it
    becomes; ``(-1, k, name)`` the k-th request without a node, ``(-2, slot)`` and
    ``(-3, slot)`` the engine's sums and fitted gradients (by the slot they fill)."""

    def __init__(self, nodes: dict[int, Any]) -> None:
        self.nodes = nodes  # id -> the trace's tensors: only they are lent buffers
        self.arrays: dict[tuple, np.ndarray] = {}
        self.key_of: dict[int, tuple] = {}  # id(buffer) -> its key
        self.handed: dict[tuple, np.ndarray] = {}  # key -> the array handed out
        self.thread: int | None = None  # the replaying thread, which alone gets buffers
        self.unnamed = 0  # requests without a node so far in this replay
        self.parity: dict[tuple, int] = {}  # key -> which of its two arrays ``alternate`` gave

    def begin(self) -> None:
        """Start a replay on this thread."""
        self.thread, self.unnamed = threading.get_ident(), 0

    def lend(self, node: Any, name: str, shape: tuple[int, ...], like: tuple) -> np.ndarray | None:
        """The buffer ``name`` of ``node`` (``Context.buffer`` during a replay), or, for a
        kernel run without a node (``compute`` inside a rule, ``node`` None), the buffer of
        the replay's k-th such request: a replay makes the same requests in the same order.
        None for another thread's request (an eager op meanwhile) or a node the trace did
        not make. A new buffer takes the layout numpy would give the kernel's result
        (``_order_of``)."""
        if node is None:
            if threading.get_ident() != self.thread:
                return None
            key = (-1, self.unnamed, name)  # -1: no id of a node
            self.unnamed += 1
        else:
            key = (id(node), name)
            if key not in self.arrays and id(node) not in self.nodes:
                return None
        array, dtype = self.arrays.get(key), np.result_type(*like)
        if array is None:
            return self._new(key, shape, dtype, _order_of(shape, like))
        if array.shape != shape or array.dtype != dtype:
            self._drop(key)  # asked for another shape or dtype than last time
            return self._new(key, shape, dtype, _order_of(shape, like))
        return self.keep(key, shape, dtype)

    def output(self, node: Any, order: tuple[int, ...] | None = None) -> np.ndarray:
        """The buffer of ``node``'s result, for an op whose forward takes ``out=``: the
        shape and dtype of its value in the trace (a replay first checks that the arrays
        the trace did not make still have theirs, so the op's result has them too), laid
        out in ``order`` (``axis_order`` of that value)."""
        return self.keep((id(node), None), node._data.shape, node._data.dtype, order)

    def gradients(self, specs: tuple) -> tuple:
        """The buffers a node's backward writes its input gradients into (``out=`` of an
        op that takes it): one per input, from ``specs`` (key, shape, dtype, order), or
        None."""
        return tuple(None if spec is None else self.keep(*spec) for spec in specs)

    def alternate(self, key: tuple, shape: tuple[int, ...], dtype: np.dtype, order=None):
        """One of two arrays kept under ``key``, the other one than last time: for a sum
        that reads the array it replaces (a ``.grad`` a second gradient is added to)."""
        self.parity[key] = parity = 1 - self.parity.get(key, 1)
        return self.keep((*key, parity), shape, dtype, order)

    def keep(self, key: tuple, shape: tuple[int, ...], dtype: np.dtype, order=None):
        """The array kept under ``key``, new if there is none or it is held outside (in
        C order, or with its axes in memory in ``order``, outermost first)."""
        array = self.arrays.get(key)
        if array is not None:
            if not self._held(key):
                return array
            self._drop(key)
            order = axis_order(array)  # the new one is laid out as the one it replaces
        return self._new(key, shape, dtype, order)

    def hand_out(self, array: Any) -> Any:
        """``array`` as it may leave the replay: unchanged unless it is a buffer, which is
        handed out as an array of its own over the same memory (see the module docstring)."""
        key = self.key_of.get(id(array))
        if key is None:
            return array
        order = None if array.flags.c_contiguous else axis_order(array)
        memory = array if order is None else array.transpose(order)  # in C order
        handed = self.handed.get(key)
        if handed is None:  # every view of ``handed`` refers to it, whatever its shape
            handed = self.handed[key] = np.frombuffer(memoryview(memory), array.dtype)
        handed_out = handed.reshape(memory.shape)
        return handed_out if order is None else handed_out.transpose(np.argsort(order))

    def _new(self, key: tuple, shape: tuple[int, ...], dtype: np.dtype, order=None):
        if order is None:
            array = np.empty(shape, dtype)
        else:  # an array of its own (not a view: see gradient_exit.py), axes in ``order``
            layout = np.empty([shape[k] for k in order], dtype).transpose(np.argsort(order))
            array = np.empty_like(layout)
        self.arrays[key] = array
        self.key_of[id(array)] = key
        return array

    def _drop(self, key: tuple) -> None:
        del self.key_of[id(self.arrays.pop(key))]
        self.handed.pop(key, None)

    def _held(self, key: tuple) -> bool:
        """Whether the array handed out for ``key`` is referred to outside the workspace."""
        handed = self.handed.get(key)
        return handed is not None and sys.getrefcount(handed) > _UNHELD
