"""Tiny synthetic MNIST files for the tests of ``autograd_lite.data.mnist``.

``install`` writes four small IDX files and patches ``mnist.SHA256`` to their checksums, so
the loader's whole path (find, decompress, verify, check, format) runs in milliseconds.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

import autograd_lite.data.mnist as mnist
from autograd_lite.data.mnist import FILES


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """Encode a uint8 array as IDX: big-endian magic, one uint32 per dimension, the data."""
    magic = {1: 2049, 3: 2051}[array.ndim] if magic is None else magic
    dims = b"".join(d.to_bytes(4, "big") for d in array.shape)
    return magic.to_bytes(4, "big") + dims + array.astype(np.uint8).tobytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def synthetic_arrays() -> dict[str, np.ndarray]:
    """A tiny MNIST look-alike; 3x2 images (not square) so that a swapped H and W shows."""
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, size=(5, 3, 2), dtype=np.uint8)
    train[0, 0, :] = [0, 255]  # both ends of the pixel range
    return {
        mnist.TRAIN_IMAGES: train,
        mnist.TRAIN_LABELS: np.array([5, 0, 4, 1, 9], dtype=np.uint8),
        mnist.TEST_IMAGES: rng.integers(0, 256, size=(3, 3, 2), dtype=np.uint8),
        mnist.TEST_LABELS: np.array([7, 2, 1], dtype=np.uint8),
    }


def expect(monkeypatch: pytest.MonkeyPatch, arrays: dict[str, np.ndarray]) -> None:
    """Make the checksums of ``arrays`` the ones ``load_mnist`` expects."""
    monkeypatch.setattr(mnist, "SHA256", {name: sha256(idx_bytes(arrays[name])) for name in FILES})


def served(arrays: dict[str, np.ndarray]) -> dict[str, bytes]:
    """What a good mirror serves: ``<name>.gz`` -> gzip bytes."""
    return {f"{name}.gz": gzip.compress(idx_bytes(arrays[name])) for name in FILES}


def install(
    monkeypatch: pytest.MonkeyPatch,
    directory: Path,
    arrays: dict[str, np.ndarray],
    compress: tuple[bool, ...] = (True, False, True, False),
) -> None:
    """Write the four files (gzip or raw, per file) and make their sums the expected ones."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, gz in zip(FILES, compress, strict=True):
        data = idx_bytes(arrays[name])
        path = directory / (f"{name}.gz" if gz else name)
        path.write_bytes(gzip.compress(data) if gz else data)
    expect(monkeypatch, arrays)


def strip_shipped_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Play an installation whose packaging left the data out, with no ``$AUTOGRAD_LITE_DATA``:
    the shipped folder becomes ``tmp_path/package/mnist``, which does not exist. Return it."""
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    (tmp_path / "package").mkdir()
    monkeypatch.setattr(mnist, "SHIPPED_DIR", tmp_path / "package" / "mnist")
    return tmp_path / "package" / "mnist"
