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

from .errors import GraphError

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


def versions_of(tensors: tuple) -> tuple:
    """The tensors' versions now, which a node records (spelled out for one and two tensors:
    on Python 3.11 a comprehension costs about as much as a numpy op on a small array)."""
    if len(tensors) == 1:
        return (tensors[0]._version[0],)
    if len(tensors) == 2:
        return (tensors[0]._version[0], tensors[1]._version[0])
    return tuple([t._version[0] for t in tensors])


def check_inputs_unmodified(node) -> None:
    """Raise if an input that ``node``'s backward reads was modified in place (itself or
    through a view) since the forward pass recorded its version."""
    if node._versions == versions_of(node.inputs):
        return
    for i, (t, version) in enumerate(zip(node.inputs, node._versions)):
        if t._version[0] != version:
            name = f"'{t.name}'" if t.name else f"input {i}"
            raise GraphError(
                f"{node.describe()}: {name} (shape {t.shape}) was modified in place (itself "
                f"or through a view) after the forward pass (version {version} -> "
                f"{t._version[0]}), but this op's backward needs its original values; call "
                "backward() before changing it (e.g. before optimizer.step()), or modify a copy"
            )
