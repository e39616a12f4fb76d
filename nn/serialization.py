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
import math
import os
import struct
import uuid
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd_lite import Tensor

from .errors import CheckpointError, StateDictError


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
    # at most 40 characters of the target's name, so that a name near the file system's
    # limit (255 bytes) still leaves room for the temporary one
    temporary = os.path.join(directory, f".{base[:40]}.{uuid.uuid4().hex}.tmp")
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
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.filename == temporary:  # name the target
            raise type(error)(
                error.errno, f"save: cannot write {path}: {error.strerror}"
            ) from error
        raise


def read_npz(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path``, read without pickle.

    ``CheckpointError`` names the file (and the key, if one entry is bad) when the file is
    not an ``.npz`` archive, is truncated or corrupt, or holds object (pickled) arrays. The
    bytes are untrusted: each entry's ``.npy`` header (dtype, shape) is checked against the
    entry's size before anything is allocated, so a damaged header cannot ask for terabytes,
    and whatever zipfile, zlib or numpy raise on damaged bytes becomes a ``CheckpointError``.
    """
    path = os.fspath(path)
    with open(path, "rb") as file:  # a missing file stays FileNotFoundError
        if file.read(len(_NPY_MAGIC)) == _NPY_MAGIC:
            raise CheckpointError(
                f"{path}: holds a single .npy array, not an .npz archive of named arrays; "
                "checkpoints are written by Module.save"
            )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_every_entry_is_listed(path, members, archive.start_dir)
            return {_key(path, m): _read_member(path, archive, m) for m in members}
    except CheckpointError:
        raise
    except Exception as error:  # damaged bytes: BadZipFile, zlib.error, EOFError, ...
        raise _unreadable(path, "", error) from error


_NPY_MAGIC = b"\x93NUMPY"
# deflate expands at most about 1032 to 1: an entry claiming more is damaged
_MAX_EXPANSION = 1100


def _check_every_entry_is_listed(path: str, members: list, directory_start: int) -> None:
    """Walk the entries as they lie in the file, each local header followed by its data: they
    must be exactly the listed ones and end where the directory starts. A damaged directory
    (a flipped length field) otherwise lists fewer entries and a key goes silently missing.
    Entries followed by a data descriptor (written to an unseekable stream) are not walked."""
    if any(m.flag_bits & 0x08 for m in members):
        return
    listed = {m.header_offset: m for m in members}
    position = 0
    with open(path, "rb") as file:
        while position < directory_start:
            file.seek(position)
            header = file.read(30)
            member = listed.pop(position, None)
            if member is None or header[:4] != b"PK\x03\x04":
                raise ValueError(f"an entry at byte {position} is not listed in the directory")
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            position += 30 + name_length + extra_length + member.compress_size
    if listed or position != directory_start:
        raise ValueError("the directory lists entries that are not where it says")


def _key(path: str, member: zipfile.ZipInfo) -> str:
    if not member.filename.endswith(".npy"):
        raise CheckpointError(
            f"{path}: entry {member.filename!r} is not a .npy array; "
            "is this a Module.save checkpoint?"
        )
    return member.filename[: -len(".npy")]


def _read_member(path: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> np.ndarray:
    """One entry's array, after its header and sizes were found consistent."""
    entry = f" (entry {member.filename[: -len('.npy')]!r})"
    try:
        if (
            member.compress_size > os.path.getsize(path)
            or member.file_size > max(member.compress_size, 1) * _MAX_EXPANSION
        ):
            raise ValueError(
                f"the archive claims {member.file_size} bytes stored in {member.compress_size}"
            )
        with archive.open(member) as file:
            header_start = file.tell()
            version = np.lib.format.read_magic(file)
            read_header = {
                (1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0,
            }.get(version)
            if read_header is None:
                raise ValueError(f".npy format version {version} is not supported")
            shape, _, dtype = read_header(file)
            if dtype.hasobject:
                raise ValueError("object arrays (pickled objects) are refused")
            needed = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
            available = member.file_size - (file.tell() - header_start)
            if needed != available:
                raise ValueError(
                    f"the header claims shape {shape} of {dtype} ({needed} bytes), but the "
                    f"entry holds {available} bytes"
                )
        with archive.open(member) as file:
            return np.lib.format.read_array(file, allow_pickle=False)
    except Exception as error:
        raise _unreadable(path, entry, error) from error


def _unreadable(path: str, entry: str, error: Exception) -> CheckpointError:
    return CheckpointError(
        f"{path}{entry}: cannot be read as an .npz checkpoint ({error}); the file is truncated, "
        "corrupt or holds pickled objects: write checkpoints with Module.save"
    )
