"""MNIST: read the four IDX files, verify them, download them if missing.

``load_mnist`` follows *Deep Learning from Scratch* (signature and return value), so the
book's examples run unchanged. It looks for the files in ``data_dir``, else in
``$AUTOGRAD_LITE_DATA``, else in a per-user cache directory (``resolve_data_dir``). Each file
may be gzip-compressed (``.gz``) or raw. ``read_idx`` parses one file: it checks the IDX
magic number, the header and the payload size, and the SHA-256 of the decompressed bytes, so
a file is trusted whatever mirror or compression it came from.

Missing files are downloaded from ``MIRRORS`` with ``urllib`` (one retry per mirror), into a
temporary file in the target directory that is renamed into place only after its checksum
matches; on any failure the temporary file is removed. Tests replace ``_fetch`` (the only
function that touches the network) and ``SHA256`` (the table of expected checksums).

Every failure raises ``MNISTError`` (an ``OSError``) naming the file, what is wrong and what
to do. Only numpy and the standard library are used; nothing is pickled or cached.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import logging
import math
import os
import struct
import sys
import urllib.request
import uuid
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import AutogradError

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

# SHA-256 of each file's *decompressed* bytes (``gzip -dc FILE | sha256sum``).
SHA256 = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# Each mirror serves ``<mirror><name>.gz``; they are tried in order.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
ENV_VAR = "AUTOGRAD_LITE_DATA"
TIMEOUT = 30.0  # seconds without data before a download attempt gives up
NUM_CLASSES = 10

# IDX magic number -> number of dimensions. Both are unsigned bytes (type code 0x08),
# big-endian: 0x00000801 for the label vectors, 0x00000803 for the N x rows x cols images.
_IDX_MAGIC = {2049: 1, 2051: 3}
_DELETE_HINT = "delete it so that load_mnist downloads it again, or replace it with a good copy"
_IS_WINDOWS = sys.platform == "win32"
_log = logging.getLogger(__name__)


class MNISTError(AutogradError, OSError):
    """An MNIST file is missing, corrupt or inconsistent, or could not be downloaded."""


class _BadData(Exception):
    """Internal: bytes that are not a valid IDX file; the caller adds the file and the fix."""


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    dtype: npt.DTypeLike = np.float32,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return MNIST as ``((x_train, t_train), (x_test, t_test))``, downloading it if needed.

    Images are ``dtype`` in [0, 1] (``normalize=True``) or uint8 in 0..255, shaped (N, 784)
    (``flatten=True``) or (N, 1, 28, 28). Labels are int64 (N,), or float32 (N, 10) one-hot.

    >>> (x_train, t_train), (x_test, t_test) = load_mnist()  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, t_train[:3]  # doctest: +SKIP
    ((60000, 784), dtype('float32'), array([5, 0, 4]))
    """
    float_dtype = _float_dtype(dtype)
    directory = resolve_data_dir(data_dir)
    paths = _ensure_files(directory, download)
    result = []
    for images_name, labels_name in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        x, t = _read_pair(paths[images_name], paths[labels_name])
        x = _format_images(x, normalize, flatten, float_dtype)
        t = np.eye(NUM_CLASSES, dtype=np.float32)[t] if one_hot_label else t.astype(np.int64)
        result.append((x, t))
    return result[0], result[1]


def read_idx(path: str | os.PathLike[str], expected_sha256: str | None = None) -> np.ndarray:
    """Return the uint8 array stored in an MNIST IDX file (raw or gzip), checking it fully."""
    path = Path(path)
    data = path.read_bytes()
    try:
        return _decode(data, expected_sha256)
    except _BadData as error:
        raise MNISTError(f"{path}: {error}; {_DELETE_HINT}") from None


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the MNIST directory: ``data_dir``, else ``$AUTOGRAD_LITE_DATA``, else a cache."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return _cache_root() / "autograd_lite" / "mnist"


def _cache_root() -> Path:
    """The per-user cache directory: %LOCALAPPDATA% on Windows, else XDG_CACHE_HOME."""
    if _IS_WINDOWS:
        root = os.environ.get("LOCALAPPDATA")
        return Path(root) if root else Path.home() / "AppData" / "Local"
    root = os.environ.get("XDG_CACHE_HOME")
    return Path(root) if root else Path.home() / ".cache"


# --- parsing -------------------------------------------------------------------------------


def _decode(data: bytes, expected_sha256: str | None) -> np.ndarray:
    """Decompress (if gzip), parse and verify the bytes of one IDX file."""
    if data[:2] == b"\x1f\x8b":  # the gzip magic; an IDX file starts with two zero bytes
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise _BadData(f"corrupt or truncated gzip data ({error})") from None
    array = _parse_idx(data)
    if expected_sha256 is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected_sha256.lower():
            raise _BadData(
                f"SHA-256 of the decompressed bytes is {actual}, expected {expected_sha256} "
                "(the file is damaged or is not the original MNIST file)"
            )
    return array


def _parse_idx(data: bytes) -> np.ndarray:
    """Parse decompressed IDX bytes: a big-endian magic, one uint32 per dimension, the data."""
    if len(data) < 4:
        raise _BadData(f"truncated: {len(data)} bytes, too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    if magic not in _IDX_MAGIC:
        raise _BadData(
            f"bad magic number {magic} (0x{magic:08x}); expected 2049 (labels) or "
            "2051 (images), so this is not an MNIST IDX file"
        )
    header = 4 + 4 * _IDX_MAGIC[magic]
    if len(data) < header:
        raise _BadData(f"truncated: {len(data)} bytes, the header alone needs {header}")
    shape = struct.unpack(f">{_IDX_MAGIC[magic]}I", data[4:header])
    # Python's integers: numpy's int64 product of three uint32 dimensions can wrap around.
    expected = math.prod(shape)
    actual = len(data) - header
    if actual != expected:
        problem = "truncated" if actual < expected else "oversized"
        raise _BadData(
            f"{problem}: the header promises {'x'.join(map(str, shape))} = {expected} "
            f"bytes of data but the file holds {actual}"
        )
    # Copy so that the caller gets a writable array, not a view of immutable bytes.
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read an images file and its labels file, and check that they belong together."""
    x = read_idx(images_path, SHA256[_base_name(images_path)])
    t = read_idx(labels_path, SHA256[_base_name(labels_path)])
    fix = "check that each file holds what its name says, or delete both to download them again"
    for path, array, ndim, kind in ((images_path, x, 3, "images"), (labels_path, t, 1, "labels")):
        if array.ndim != ndim:
            raise MNISTError(
                f"{path} holds a {array.ndim}-d array, expected {ndim}-d {kind}; {fix}"
            )
    if len(x) != len(t):
        raise MNISTError(
            f"{images_path} holds {len(x)} images but {labels_path} holds {len(t)} labels; {fix}"
        )
    if t.size and t.max() >= NUM_CLASSES:
        raise MNISTError(
            f"{labels_path} holds label {t.max()}, expected 0..{NUM_CLASSES - 1}; {fix}"
        )
    return x, t


def _format_images(x: np.ndarray, normalize: bool, flatten: bool, dtype: np.dtype) -> np.ndarray:
    """Reshape to (N, H*W) or (N, 1, H, W), and scale to [0, 1] if asked."""
    x = x.reshape(len(x), -1) if flatten else x[:, np.newaxis]
    if not normalize:
        return x
    x = x.astype(dtype)
    x /= 255
    return x


def _float_dtype(dtype: npt.DTypeLike) -> np.dtype:
    """Check that the dtype asked for normalized images is a float dtype."""
    result = np.dtype(dtype)
    if result.kind != "f":
        raise ValueError(
            f"load_mnist: dtype must be a float dtype such as np.float32, got {result}; "
            "use normalize=False for the raw uint8 pixels"
        )
    return result


def _base_name(path: Path) -> str:
    """``train-images-idx3-ubyte.gz`` -> ``train-images-idx3-ubyte``."""
    return path.name.removesuffix(".gz")


# --- finding and downloading ---------------------------------------------------------------


def _ensure_files(directory: Path, download: bool) -> dict[str, Path]:
    """Return the path of each of the four files, downloading the missing ones if allowed."""
    missing = [name for name in FILES if _find(directory, name) is None]
    if missing and not download:
        raise MNISTError(
            f"MNIST: missing {', '.join(missing)} (download=False). {_how_to_fix(directory)}"
        )
    for name in missing:
        _download(directory, name)
    return {name: _find(directory, name) for name in FILES}


def _find(directory: Path, name: str) -> Path | None:
    """The raw file if present (faster to read), else the gzip file, else None."""
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _download(directory: Path, name: str) -> None:
    """Fetch ``name.gz`` from the first mirror that serves verified bytes, retrying once."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MNISTError(
            f"MNIST: cannot create {directory} ({error}). {_how_to_fix(directory)}"
        ) from None
    failures = []
    for url in (f"{mirror}{name}.gz" for mirror in MIRRORS):
        for _attempt in range(2):
            _log.info("downloading %s", url)
            try:
                data = _fetch(url, TIMEOUT)
                _decode(data, SHA256[name])
            except (OSError, http.client.HTTPException, _BadData) as error:
                failures.append(f"  {url}: {error}")
                continue
            _write_atomically(directory / f"{name}.gz", data)
            return
    raise MNISTError(
        f"MNIST: could not download {name}.gz:\n"
        + "\n".join(failures)
        + f"\n{_how_to_fix(directory)}"
    )


def _fetch(url: str, timeout: float) -> bytes:
    """Return the body at ``url``; the only network access (tests replace this function)."""
    request = urllib.request.Request(url, headers={"User-Agent": "autograd_lite"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside ``target``, then rename it; never leave a partial file."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open(temporary, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _how_to_fix(directory: Path) -> str:
    """The shared second half of every missing-file message: what is needed and where."""
    files = ", ".join(FILES)
    mirrors = " or ".join(MIRRORS)
    return (
        f"load_mnist needs the four MNIST files {files} (each raw or .gz) in {directory}. "
        f"Put them there, or set ${ENV_VAR} or pass data_dir= to point at a folder that holds "
        f"them; they can be downloaded by hand from {mirrors}"
    )
