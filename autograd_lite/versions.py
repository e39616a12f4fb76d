"""Version counters: how an in-place change is noticed, also when it is made through a view.

A backward rule that reads an input's values must see the values of the forward pass. So
every tensor has a version counter, bumped by each in-place change (``t.data -= lr * g``, as
optimizers do; ``zero_()``), and a node remembers its inputs' versions when it is recorded:
a different version at backward time is an error, not a wrong gradient.

A view and the tensor it looks into share one array's memory, so they share one counter
(as in PyTorch): an op whose result is a view of its input (``reshape``, ``.T``, ``x[:]``,
``unsqueeze``, an ``astype`` to the same dtype) and ``detach()`` hand the input's counter
to the result. The counter is a one-element list, so sharing it is sharing the list.

Assigning a *new* array (``t.data = other``) leaves views of the old array alone: the tensor
gets a fresh counter, one ahead, so its own saved values still count as changed.
"""

from __future__ import annotations

import numpy as np

Counter = list  # [version]: one element, shared by a tensor and its views


def new_counter() -> Counter:
    return [0]


def is_view_of(data: np.ndarray, source: np.ndarray) -> bool:
    """Whether ``data`` is ``source`` or a numpy view into the same memory (numpy sets
    ``base`` to the array that owns the memory, for views of views too)."""
    base = data.base
    if base is None:
        return data is source
    return base is source or base is source.base


def bump(counter: Counter) -> None:
    """Count one in-place change of the memory the counter's tensors share."""
    counter[0] += 1
