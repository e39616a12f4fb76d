"""The exceptions ``nn`` adds to autograd_lite's (``ShapeError``, ``DTypeError``, ...).

Both derive from ``autograd_lite.AutogradError``, so one ``except AutogradError`` catches
everything the library raises on purpose, and from ``ValueError``, the built-in a numpy user
expects for bad values. A layer given the wrong input raises the engine's ``ShapeError`` or
``DTypeError``; these two are about saved state.
"""

from __future__ import annotations

from autograd_lite import AutogradError


class StateDictError(AutogradError, ValueError):
    """A state dict with missing, unexpected, mis-shaped or wrong-dtype entries.

    The message lists every problem, each naming its key, and the model is left unchanged.
    """


class CheckpointError(AutogradError, ValueError):
    """A checkpoint file that cannot be read safely: not an ``.npz`` archive, truncated or
    corrupt, or holding pickled (object) arrays. The message names the file."""
