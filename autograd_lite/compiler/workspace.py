"""The arrays a compiled function's replays write into, kept from one replay to the next.

An op's kernel asks its node for an output array with ``ctx.buffer(name, shape, *like)``
and passes it as numpy's ``out=``. Outside a replay the answer is None and numpy allocates;
during a replay the trace's ``Workspace`` lends an array of its own, the same one every
time, so a step whose ops all ask runs on preallocated memory and allocates nothing. The
values do not change: the same kernel computes them, only into memory that already exists.

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


class Workspace:
    """One trace's buffers, keyed by the node that writes them and the result's name."""

    def __init__(self, nodes: dict[int, Any]) -> None:
        self.nodes = nodes  # id -> the trace's tensors: only they are lent buffers
        self.arrays: dict[tuple[int, str], np.ndarray] = {}
        self.key_of: dict[int, tuple[int, str]] = {}  # id(buffer) -> its key
        self.handed: dict[tuple[int, str], np.ndarray] = {}  # key -> the array handed out

    def lend(self, node: Any, name: str, shape: tuple[int, ...], like: tuple) -> np.ndarray | None:
        """``node``'s buffer ``name`` (``Context.buffer`` during a replay); None for a node
        the trace did not make (an eager op on another thread meanwhile)."""
        key = (id(node), name)
        array = self.arrays.get(key)
        if array is None and id(node) not in self.nodes:
            return None
        dtype = np.result_type(*like)
        if array is not None:
            if array.shape == shape and array.dtype == dtype and not self._held(key):
                return array
            del self.key_of[id(array)]
            self.handed.pop(key, None)
        array = self.arrays[key] = np.empty(shape, dtype)
        self.key_of[id(array)] = key
        return array

    def hand_out(self, array: Any) -> Any:
        """``array`` as it may leave the replay: unchanged unless it is a buffer, which is
        handed out as an array of its own over the same memory (see the module docstring)."""
        key = self.key_of.get(id(array))
        if key is None:
            return array
        handed = self.handed.get(key)
        if handed is None:  # every view of ``handed`` refers to it, whatever its shape
            handed = self.handed[key] = np.frombuffer(memoryview(array), array.dtype)
        return handed.reshape(array.shape)

    def _held(self, key: tuple[int, str]) -> bool:
        """Whether the array handed out for ``key`` is referred to outside the workspace."""
        handed = self.handed.get(key)
        return handed is not None and sys.getrefcount(handed) > _UNHELD
