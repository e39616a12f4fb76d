"""Grad mode: the switch that decides whether ops record graph nodes, one per thread.

``no_grad()`` turns recording off (for evaluation and for optimizer updates);
``enable_grad()`` turns it back on inside a ``no_grad`` block. Both are context managers
and decorators, and restore the previous mode in ``finally``, so an exception never leaves
the engine in the wrong mode. The backward pass itself runs under ``no_grad`` unless
``create_graph=True`` asks it to record a graph of its own (for higher-order gradients).

The mode belongs to the thread that sets it (as in PyTorch): ``no_grad()`` in one thread,
or a backward pass running there, never stops another thread from recording, and every new
thread starts with recording on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


class _GradMode(threading.local):
    """Holds the flag of the calling thread; read it with ``is_grad_enabled()``."""

    enabled: bool = True  # a class default: what a thread sees until it sets its own


GradMode = _GradMode()


def is_grad_enabled() -> bool:
    """Return True when ops record graph nodes for tensors that require grad."""
    return GradMode.enabled


@contextlib.contextmanager
def set_grad_enabled(mode: bool) -> Iterator[None]:
    """Set grad mode to ``mode`` inside the block and restore the previous mode after it."""
    previous = GradMode.enabled
    GradMode.enabled = bool(mode)
    try:
        yield
    finally:
        GradMode.enabled = previous


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Record nothing inside the block (also usable as ``@no_grad()``).

    >>> from autograd_lite import Tensor, no_grad
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """
    return set_grad_enabled(False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Record graph nodes inside the block, even within ``no_grad`` (also a decorator)."""
    return set_grad_enabled(True)
