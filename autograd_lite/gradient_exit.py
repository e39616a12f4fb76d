"""The one exit of every gradient the engine hands out: a writable array owned by one tensor.

Inside the backward pass gradients are shared freely: ``add`` passes the same array to both
inputs, ``reshape`` and ``+ 1.0`` pass a view or the array itself, ``sum`` returns a
read-only broadcast view, and the pass starts from the caller's own ``grad``. Once a
gradient leaves the engine (a leaf's ``.grad``, a retained ``.grad``, a result of
``grad()``) it belongs to the user, who may scale it in place (``p.grad.data *= 0.5``, as
gradient clipping does). So each one passes through ``GradientExit.own``, which copies
exactly the arrays that something else could also see:

- a view (``base`` set) or a read-only array,
- an array this exit has already handed out in the same pass,
- an array the engine did not make (the caller's ``grad``, registered as ``foreign``).

Everything else was made for this one gradient by a backward rule, and is handed out
without a copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class GradientExit:
    """Tracks, for one backward pass, the arrays already handed out or owned by others."""

    __slots__ = ("_taken", "_hand_out")

    def __init__(self, foreign: list[np.ndarray], hand_out: Any = None) -> None:
        # the arrays themselves are kept (not only their ids) so no id is reused meanwhile
        self._taken: dict[int, np.ndarray] = {id(a): a for a in foreign}
        # a compiled replay's: how an array it keeps between replays leaves it
        self._hand_out = hand_out

    def own(self, grad: Any) -> Any:
        """``grad`` (an array, or a Tensor under create_graph) safe to give to one tensor."""
        if isinstance(grad, np.generic):  # numpy's 0-d results: made into a new array
            grad = np.array(grad)
            self._taken[id(grad)] = grad
            return grad
        array = grad if isinstance(grad, np.ndarray) else grad._data
        if array.base is not None or not array.flags.writeable or id(array) in self._taken:
            grad = array.copy() if grad is array else grad.clone()
            array = grad if grad.__class__ is np.ndarray else grad._data
        self._taken[id(array)] = array
        return grad if self._hand_out is None else self._hand_out(grad)
