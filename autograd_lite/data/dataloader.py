"""``DataLoader``: iterate over a dataset in mini-batches, reshuffled every epoch.

This is the book's random mini-batch (*Deep Learning from Scratch*, section 4.2.3) written
as an iterator: each pass over the loader is one epoch, and with ``shuffle=True`` each epoch
visits every sample exactly once in a fresh random order. The order comes from a
``np.random.Generator`` the loader owns, so a seed makes the whole sequence of batches
reproducible while successive epochs still differ.

Batches are plain numpy arrays (copies, not views), so the loader does not depend on the
engine; wrap them in ``Tensor`` inside the training loop.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt


class DataLoader:
    """Yield ``(x_batch, t_batch)`` pairs of numpy arrays, one epoch per iteration.

    >>> import numpy as np
    >>> loader = DataLoader(np.arange(10), np.arange(10) * 2, batch_size=4, seed=0)
    >>> len(loader)
    3
    >>> [len(x_batch) for x_batch, t_batch in loader]
    [4, 4, 2]
    >>> all((t_batch == 2 * x_batch).all() for x_batch, t_batch in loader)
    True
    """

    def __init__(
        self,
        x: npt.ArrayLike,
        t: npt.ArrayLike,
        batch_size: int,
        shuffle: bool = True,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        self.x, self.t = _check_data(np.asarray(x), np.asarray(t))
        self.batch_size = _check_batch_size(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n = len(self.x)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """One epoch: a fresh permutation (if shuffling) cut into consecutive batches."""
        n = len(self.x)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for i in range(len(self)):
            index = order[i * self.batch_size : (i + 1) * self.batch_size]
            yield self.x[index], self.t[index]


def _check_data(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets must be arrays with one row per sample, the same number of rows."""
    if x.ndim == 0 or t.ndim == 0:
        raise ValueError(
            f"DataLoader: x and t need a first (sample) axis, got shapes {x.shape} and "
            f"{t.shape}; wrap a single sample as x[None]"
        )
    if len(x) != len(t):
        raise ValueError(
            f"DataLoader: x has {len(x)} samples (shape {x.shape}) but t has {len(t)} "
            f"(shape {t.shape}); pass one target per input"
        )
    return x, t


def _check_batch_size(batch_size: int) -> int:
    """A batch size is a positive int (``True`` and ``2.0`` are refused, not rounded)."""
    is_int = isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
    if not is_int or batch_size <= 0:
        raise ValueError(
            f"DataLoader: batch_size must be a positive int, got {batch_size!r}; "
            "use e.g. batch_size=100"
        )
    return int(batch_size)
