"""MNIST: find the four IDX files, read and verify them, fetch them again only when asked.

``load_mnist`` follows *Deep Learning from Scratch* (signature and return value), so the
book's examples run unchanged. The files ship with the package (``autograd_lite/data/mnist/``,
whose README gives their source, licence and checksums), so it works offline with no set-up.
``resolve_data_dir`` picks the folder, in this order: ``data_dir=`` (the examples'
``--data-dir``), ``$AUTOGRAD_LITE_DATA``, the shipped copy. A folder the user names must
exist: it is never created, so a mistyped path is an error rather than a new empty folder.
Each file may be gzip-compressed (``.gz``) or raw; ``read_idx`` checks its format and the
SHA-256 of its decompressed bytes (``idx.py``).

Nothing is downloaded unless ``download=True``: then a file that is missing or fails its
checksum is fetched from ``MIRRORS`` with ``urllib`` (one retry per mirror) into a temporary
file beside it, renamed into place only once verified; a failure removes the temporary file
(and the shipped folder, if this call created it empty). That serves a packaging that strips
the data and the repair of a damaged copy. There is no per-user cache: with the data shipped
it would only duplicate 11 MB. Tests replace ``_fetch`` (the only function that touches the
network) to allow nothing but a local server.

Every failure raises ``MNISTError`` (an ``OSError``) naming the file or folder, what is wrong
and what to do. Only numpy and the standard library are used; nothing is pickled or cached.
"""

from __future__ import annotations

import http.client
import logging
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from ..errors import AutogradError
from .idx import IDXFormatError, decode_idx

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

SHIPPED_DIR = Path(__file__).resolve().with_name("mnist")  # the copy inside the package
# Each mirror serves ``<mirror><name>.gz``; they are tried in order.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
ENV_VAR = "AUTOGRAD_LITE_DATA"
TIMEOUT = 30.0  # seconds without data before a download attempt gives up
NUM_CLASSES = 10

# Where else the files can come from; ends every message about a missing or unusable folder.
_ELSEWHERE = (
    f"pass data_dir= (the examples' --data-dir) or set ${ENV_VAR} to a folder that holds them"
)
_REFRESH_HINT = "load_mnist(download=True) replaces it with a verified copy"
_log = logging.getLogger(__name__)


class MNISTError(AutogradError, OSError):
    """An MNIST file or folder is missing, corrupt, inconsistent or unwritable, or a download
    failed."""


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = False,
    dtype: npt.DTypeLike = np.float32,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return MNIST as ``((x_train, t_train), (x_test, t_test))``.

    Images are ``dtype`` in [0, 1] (``normalize=True``) or uint8 in 0..255, shaped (N, 784)
    (``flatten=True``) or (N, 1, 28, 28). Labels are int64 (N,), or float32 (N, 10) one-hot.
    The files come from ``data_dir``, else ``$AUTOGRAD_LITE_DATA``, else the shipped copy;
    ``download=True`` fetches any that is missing or damaged.

    >>> (x_train, t_train), (x_test, t_test) = load_mnist()
    >>> x_train.shape, x_train.dtype, t_train[:3]
    ((60000, 784), dtype('float32'), array([5, 0, 4]))
    """
    float_dtype = _float_dtype(dtype)
    directory = resolve_data_dir(data_dir)
    created = _check_folder(directory, data_dir, download)
    try:
        files = _read_all(directory, download)
    finally:
        if created and not any(directory.iterdir()):
            directory.rmdir()  # a failed first download leaves no empty folder behind
    result = []
    for images_name, labels_name in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        x, t = _check_pair(files[images_name], files[labels_name])
        x = _format_images(x, normalize, flatten, float_dtype)
        t = np.eye(NUM_CLASSES, dtype=np.float32)[t] if one_hot_label else t.astype(np.int64)
        result.append((x, t))
    return result[0], result[1]


def read_idx(path: str | os.PathLike[str], expected_sha256: str | None = None) -> np.ndarray:
    """Return the uint8 array stored in an MNIST IDX file (raw or gzip), checking it fully."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MNISTError(f"MNIST: cannot read {path} ({error})") from None
    try:
        return decode_idx(data, expected_sha256)
    except IDXFormatError as error:
        raise MNISTError(
            f"{path}: {error}; {_REFRESH_HINT}, or replace it with a good copy"
        ) from None


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The MNIST folder: ``data_dir``, else ``$AUTOGRAD_LITE_DATA``, else the shipped copy."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    if os.environ.get(ENV_VAR):  # empty counts as unset
        return Path(os.environ[ENV_VAR]).expanduser()
    return SHIPPED_DIR


# --- the folder and its files --------------------------------------------------------------


def _check_folder(directory: Path, data_dir: str | os.PathLike[str] | None, download: bool) -> bool:
    """Refuse a missing folder; only the shipped one is created, for a download. Return
    whether this call created it."""
    if directory.is_dir():
        return False
    if directory != SHIPPED_DIR or data_dir is not None:
        named_by = "data_dir= or --data-dir" if data_dir is not None else f"${ENV_VAR}"
        state = "is not a folder" if directory.exists() else "does not exist"
        raise MNISTError(
            f"MNIST: the data folder {directory} (given by {named_by}) {state}, and load_mnist "
            f"never creates one; correct data_dir= (the examples' --data-dir) or ${ENV_VAR}, "
            "or unset both to use the copy shipped with autograd_lite"
        )
    if not download:
        raise MNISTError(
            f"MNIST: this installation of autograd_lite has no MNIST data ({directory} is "
            "missing: a packaging may have left it out); load_mnist(download=True) fetches "
            f"it there, or {_ELSEWHERE}"
        )
    try:
        directory.mkdir()
    except OSError as error:
        raise MNISTError(f"MNIST: cannot create {directory} ({error}); {_ELSEWHERE}") from None
    return True


def _read_all(directory: Path, download: bool) -> dict[str, tuple[Path, np.ndarray]]:
    """Read and verify the four files; with ``download``, fetch the missing or damaged ones."""
    missing = [name for name in FILES if _find(directory, name) is None]
    if missing and not download:
        raise MNISTError(
            f"MNIST: missing {', '.join(missing)} in {directory}. load_mnist needs the four "
            f"files {', '.join(FILES)} (each raw or .gz); {_ELSEWHERE}, or unset both to use "
            "the copy shipped with autograd_lite. load_mnist(download=True) fetches the "
            f"missing files from {' or '.join(MIRRORS)}"
        )
    return {name: _read_or_fetch(directory, name, download) for name in FILES}


def _read_or_fetch(directory: Path, name: str, download: bool) -> tuple[Path, np.ndarray]:
    """Read ``name`` from ``directory``; if allowed, fetch it when missing or damaged."""
    path = _find(directory, name)
    if path is not None:
        try:
            return path, read_idx(path, SHA256[name])
        except MNISTError:
            if not download:
                raise
            _log.warning("%s is damaged; downloading it again", path)
    target = directory / f"{name}.gz"
    with _atomic_file(target) as file:  # fails before the download if it cannot be written
        file.write(_fetch_verified(name, directory))
    if path is not None and path != target:
        path.unlink()  # the damaged raw file, which _find would prefer to the new .gz
    return target, read_idx(target, SHA256[name])


def _find(directory: Path, name: str) -> Path | None:
    """The raw file if present (faster to read), else the gzip file, else None."""
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


# --- checking and formatting ---------------------------------------------------------------


def _check_pair(
    images: tuple[Path, np.ndarray], labels: tuple[Path, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Check that an images file and its labels file belong together; return their arrays."""
    (images_path, x), (labels_path, t) = images, labels
    fix = f"check that each file holds what its name says; {_REFRESH_HINT}"
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


# --- downloading ---------------------------------------------------------------------------


def _fetch_verified(name: str, directory: Path) -> bytes:
    """The bytes of ``name.gz`` from the first mirror that serves verified ones, retrying once."""
    failures = []
    for url in (f"{mirror}{name}.gz" for mirror in MIRRORS):
        for _attempt in range(2):
            _log.info("downloading %s", url)
            try:
                data = _fetch(url, TIMEOUT)
                decode_idx(data, SHA256[name])
            except (OSError, http.client.HTTPException, IDXFormatError) as error:
                failures.append(f"  {url}: {error}")
                continue
            return data
    raise MNISTError(
        f"MNIST: could not download {name}.gz into {directory}:\n"
        + "\n".join(failures)
        + f"\nCheck the network, or {_ELSEWHERE}"
    )


def _fetch(url: str, timeout: float) -> bytes:
    """Return the body at ``url``; the only network access (tests allow only 127.0.0.1)."""
    request = urllib.request.Request(url, headers={"User-Agent": "autograd_lite"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


@contextmanager
def _atomic_file(target: Path) -> Iterator[BinaryIO]:
    """A new file beside ``target``, renamed onto it on success and removed on any failure,
    so that ``target`` is never left half-written. A folder that cannot be written fails on
    entry, before any work is done."""
    temporary = target.with_name(f".{target.name}.{os.urandom(4).hex()}.part")
    try:
        file = open(temporary, "xb")  # noqa: SIM115 (closed below, before the rename)
    except OSError as error:
        raise MNISTError(f"MNIST: cannot write {target} ({error}); {_ELSEWHERE}") from None
    try:
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and not isinstance(error, MNISTError):
            raise MNISTError(f"MNIST: could not write {target} ({error})") from error
        raise
