"""Checking state dicts and reading and writing them as ``.npz`` archives, safely.

A state dict maps dotted names to arrays. ``check_state_dict`` finds *every* problem before
anything is assigned (missing or unexpected keys, shapes or dtypes that differ), so a load
either succeeds completely or changes nothing.

Files are numpy ``.npz`` archives (a zip of ``.npy`` files, one per key), written and read
without pickle: a checkpoint can hold numbers only, never code. ``save_npz`` writes to a
temporary file in the target's directory and renames it over the target with
``os.replace``, which is atomic, so a crash mid-save leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import os
import uuid
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd_lite import Tensor

from .errors import CheckpointError, StateDictError

# what numpy and zipfile raise on a truncated, corrupt or pickled archive
_READ_ERRORS = (ValueError, EOFError, zipfile.BadZipFile, zlib.error)


def _describe(array: np.ndarray) -> str:
    return f"shape {array.shape}, {array.dtype}"


def check_state_dict(
    targets: Mapping[str, Tensor], state_dict: Mapping[str, Any], strict: bool, where: str
) -> tuple[dict[str, np.ndarray], list[str], list[str]]:
    """Match ``state_dict`` against the model's tensors ``targets``, raising on any problem.

    Returns the arrays to copy (by name), the missing keys and the unexpected keys (both
    empty with ``strict``, where they are errors). ``StateDictError`` lists every problem.
    """
    missing = [name for name in targets if name not in state_dict]
    unexpected = [str(key) for key in state_dict if key not in targets]
    problems = []
    if strict:
        problems += [f"missing key {k!r} ({_describe(targets[k].data)})" for k in missing]
        problems += [f"unexpected key {k!r}" for k in unexpected]
    arrays = {}
    for name, target in targets.items():
        if name not in state_dict:
            continue
        value = state_dict[name]
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if array.shape != target.shape:
            problems.append(
                f"{name!r}: shape {array.shape} in the state dict, {target.shape} in the model"
            )
        elif array.dtype != target.dtype:
            problems.append(
                f"{name!r}: dtype {array.dtype} in the state dict, {target.dtype} in the model; "
                f"convert it with .astype(np.{target.dtype}) or build the model with that dtype"
            )
        arrays[name] = array
    if problems:
        raise StateDictError(
            f"{where}: {len(problems)} problem(s), nothing was loaded:\n  " + "\n  ".join(problems)
        )
    return arrays, missing, unexpected


def save_npz(path: str | os.PathLike[str], arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` as an ``.npz`` archive (no pickle), atomically."""
    path = os.fspath(path)
    directory, base = os.path.split(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"save: cannot write {path}: the directory {directory} does not exist; create it "
            "first (e.g. os.makedirs(directory, exist_ok=True))"
        )
    # a fresh name opened with "x" (not tempfile.mkstemp, whose files are private, mode 0600),
    # so the checkpoint gets the usual permissions
    temporary = os.path.join(directory, f".{base}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "xb") as file:
            # the layout np.savez writes, without its keyword names (a key "file" would clash)
            with zipfile.ZipFile(file, "w") as archive:
                for name, array in arrays.items():
                    with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def read_npz(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path``, read without pickle.

    ``CheckpointError`` names the file (and the key, if one entry is bad) when the file is
    not an ``.npz`` archive, is truncated or corrupt, or holds object (pickled) arrays.
    """
    path = os.fspath(path)
    try:
        loaded = np.load(path, allow_pickle=False)
    except _READ_ERRORS as error:
        raise _unreadable(path, "", error) from error
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise CheckpointError(
            f"{path}: holds a single .npy array, not an .npz archive of named arrays; "
            "checkpoints are written by Module.save"
        )
    arrays = {}
    with loaded:
        for key in loaded.files:
            try:
                arrays[key] = loaded[key]
            except _READ_ERRORS as error:
                raise _unreadable(path, f" (entry {key!r})", error) from error
            if not isinstance(arrays[key], np.ndarray):  # a member that is not an .npy file
                raise CheckpointError(
                    f"{path}: entry {key!r} is not a .npy array; is this a Module.save checkpoint?"
                )
    return arrays


def _unreadable(path: str, entry: str, error: Exception) -> CheckpointError:
    return CheckpointError(
        f"{path}{entry}: cannot be read as an .npz checkpoint ({error}); the file is truncated, "
        "corrupt or holds pickled objects: write checkpoints with Module.save"
    )
