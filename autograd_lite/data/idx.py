"""The IDX file format of MNIST: decompress, parse and verify the bytes of one file.

An IDX file is a big-endian header (a magic number whose last byte is the number of
dimensions, then one uint32 per dimension) followed by the values, here unsigned bytes. The
file may be gzip-compressed; the SHA-256 is taken of the decompressed bytes, so a file is
trusted whatever mirror or compression it came from. ``decode_idx`` knows nothing about
files: ``mnist.read_idx`` adds the file's name and the fix to every ``IDXFormatError``.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import struct
import zlib

import numpy as np

# IDX magic number -> number of dimensions. Both are unsigned bytes (type code 0x08),
# big-endian: 0x00000801 for the label vectors, 0x00000803 for the N x rows x cols images.
IDX_MAGIC = {2049: 1, 2051: 3}


class IDXFormatError(ValueError):
    """Bytes that are not a valid (or not the expected) IDX file; says what is wrong."""


def decode_idx(data: bytes, expected_sha256: str | None = None) -> np.ndarray:
    """Decompress (if gzip), parse and verify the bytes of one IDX file."""
    if data[:2] == b"\x1f\x8b":  # the gzip magic; an IDX file starts with two zero bytes
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise IDXFormatError(f"corrupt or truncated gzip data ({error})") from None
    array = _parse(data)
    if expected_sha256 is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected_sha256.lower():
            raise IDXFormatError(
                f"SHA-256 of the decompressed bytes is {actual}, expected {expected_sha256} "
                "(the file is damaged or is not the original MNIST file)"
            )
    return array


def _parse(data: bytes) -> np.ndarray:
    """Parse decompressed IDX bytes: a big-endian magic, one uint32 per dimension, the data."""
    if len(data) < 4:
        raise IDXFormatError(f"truncated: {len(data)} bytes, too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    if magic not in IDX_MAGIC:
        raise IDXFormatError(
            f"bad magic number {magic} (0x{magic:08x}); expected 2049 (labels) or "
            "2051 (images), so this is not an MNIST IDX file"
        )
    header = 4 + 4 * IDX_MAGIC[magic]
    if len(data) < header:
        raise IDXFormatError(f"truncated: {len(data)} bytes, the header alone needs {header}")
    shape = struct.unpack(f">{IDX_MAGIC[magic]}I", data[4:header])
    # Python's integers: numpy's int64 product of three uint32 dimensions can wrap around.
    expected = math.prod(shape)
    actual = len(data) - header
    if actual != expected:
        problem = "truncated" if actual < expected else "oversized"
        raise IDXFormatError(
            f"{problem}: the header promises {'x'.join(map(str, shape))} = {expected} "
            f"bytes of data but the file holds {actual}"
        )
    # Copy so that the caller gets a writable array, not a view of immutable bytes.
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()
