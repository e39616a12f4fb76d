"""``detect_anomaly()``: find the op that first produced NaN or inf, forward or backward.

Inside the block every recorded node remembers the line of user code that created it
(recording a traceback is costly, so it happens only in this mode), every op's output is
checked after forward, and every gradient after the op's backward rule. The first op that
turns finite values into NaN or inf raises ``AnomalyError`` naming the op, its input shapes,
the pass (forward or backward) and that line. Outside the block none of this runs.
"""

from __future__ import annotations

import contextlib
import os
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .errors import AutogradError

# Frames inside these package folders are library code; the creation site is the first frame
# outside. The separator at the end keeps a user's nn_helpers.py or optim_test.py outside.
_LIBRARY_DIRS = tuple(
    str(Path(__file__).resolve().parent.parent / package) + os.sep
    for package in ("autograd_lite", "nn", "optim")
)


class AnomalyError(AutogradError, FloatingPointError):
    """An op produced NaN or inf from finite values under ``detect_anomaly()``."""


class _AnomalyMode(threading.local):
    """The calling thread's flags of anomaly detection (``detect_anomaly()`` in one thread
    does not check another's ops); ``checking_forward`` is off while backward runs."""

    enabled: bool = False  # class defaults: what a thread sees until it sets its own
    checking_forward: bool = True


AnomalyMode = _AnomalyMode()


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``AnomalyError`` at the first op that makes NaN or inf (also ``@detect_anomaly()``).

    >>> import numpy as np
    >>> from autograd_lite import Tensor, detect_anomaly
    >>> x = Tensor(np.array([1.0, 0.0]), requires_grad=True)
    >>> with detect_anomaly():
    ...     y = x.log()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    autograd_lite.anomaly.AnomalyError: forward of log((2,)) produced inf ...
    """
    previous = AnomalyMode.enabled
    AnomalyMode.enabled = True
    try:
        yield
    finally:
        AnomalyMode.enabled = previous


@contextlib.contextmanager
def backward_phase() -> Iterator[None]:
    """While backward rules run, their own ops are not checked as forward steps."""
    previous = AnomalyMode.checking_forward
    AnomalyMode.checking_forward = False
    try:
        yield
    finally:
        AnomalyMode.checking_forward = previous


def creation_site() -> traceback.FrameSummary | None:
    """The innermost frame of the current stack outside autograd_lite, nn and optim."""
    for frame in reversed(traceback.extract_stack()):
        if not frame.filename.startswith(_LIBRARY_DIRS):
            return frame
    return None


def _nonfinite(array: np.ndarray) -> str | None:
    """'NaN', 'inf' or 'NaN and inf' when ``array`` has such values, else None."""
    if array.dtype.kind != "f" or np.isfinite(array).all():
        return None
    kinds = [
        name
        for name, found in (("NaN", np.isnan(array).any()), ("inf", np.isinf(array).any()))
        if found
    ]
    return " and ".join(kinds)


def _where(ctx: Any) -> str:
    site = getattr(ctx, "_trace", None)  # set only for nodes made under detect_anomaly()
    if site is None:
        return "the node was created before detect_anomaly() was entered"
    return f'the node was created at {site.filename}:{site.lineno}: "{site.line}"'


def check_forward(ctx: Any, data: np.ndarray) -> None:
    """Raise if an op's output has NaN or inf although all its inputs were finite."""
    found = _nonfinite(data)
    if found and not any(_nonfinite(t._data) for t in ctx.inputs):
        raise AnomalyError(
            f"forward of {ctx.describe()} produced {found} from finite inputs; {_where(ctx)}"
        )


def check_backward(ctx: Any, grad: Any, input_grads: tuple) -> None:
    """Raise if an op's backward turned a finite gradient into NaN or inf."""
    if _nonfinite(np.asarray(getattr(grad, "_data", grad))):
        return
    for i, gx in enumerate(input_grads):
        found = None if gx is None else _nonfinite(np.asarray(getattr(gx, "_data", gx)))
        if found:
            raise AnomalyError(
                f"backward of {ctx.describe()} produced {found} in the gradient of input {i} "
                f"(shape {ctx.inputs[i].shape}) from a finite gradient; {_where(ctx)}"
            )
