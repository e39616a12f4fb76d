"""Tests of ``autograd_lite.data``: ``mnist`` (the MNIST files) and ``DataLoader`` (batches).

The parser and the loader are tested on small synthetic IDX files written to ``tmp_path``
(``mnist_files.py``), with the checksum table ``mnist.SHA256`` patched to their sums; the real
files, shipped with the package, are read once per module. Downloads are tested against a
local server in ``test_mnist_download.py``; here any attempt to fetch fails the test.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite.data.mnist as mnist
from autograd_lite.data import DataLoader
from autograd_lite.data.mnist import (
    FILES,
    MIRRORS,
    SHIPPED_DIR,
    MNISTError,
    load_mnist,
    read_idx,
    resolve_data_dir,
)
from tests.mnist_files import (
    idx_bytes,
    install,
    sha256,
    strip_shipped_data,
    synthetic_arrays,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any download fails the test instead of going online; no test here downloads."""

    def refuse(url: str, timeout: float) -> bytes:
        raise AssertionError(f"test tried to download {url}")

    monkeypatch.setattr(mnist, "_fetch", refuse)


@pytest.fixture
def synthetic_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    install(monkeypatch, tmp_path / "mnist", synthetic_arrays())
    return tmp_path / "mnist"


# --- read_idx ------------------------------------------------------------------------------

LABELS = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
IMAGES = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)


def write_idx(path: Path, data: bytes, compress: bool) -> Path:
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("array", [LABELS, IMAGES], ids=["labels", "images"])
def test_read_idx_parses_valid_file(tmp_path: Path, array: np.ndarray, compress: bool) -> None:
    data = idx_bytes(array)
    result = read_idx(write_idx(tmp_path / "f", data, compress), expected_sha256=sha256(data))
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, array)
    assert result.shape == array.shape
    assert result.flags.writeable


@given(
    array=hnp.arrays(
        np.uint8,
        st.one_of(
            hnp.array_shapes(min_dims=1, max_dims=1, min_side=0, max_side=30),
            hnp.array_shapes(min_dims=3, max_dims=3, min_side=0, max_side=6),
        ),
    ),
    compress=st.booleans(),
)
def test_read_idx_round_trips_any_uint8_array(
    tmp_path_factory: pytest.TempPathFactory, array: np.ndarray, compress: bool
) -> None:
    path = write_idx(tmp_path_factory.mktemp("idx") / "f", idx_bytes(array), compress)
    np.testing.assert_array_equal(read_idx(path), array)
    assert read_idx(path).shape == array.shape


GOOD = idx_bytes(IMAGES)
BAD_IDX = {
    "bad magic": (idx_bytes(IMAGES, magic=2050), "bad magic number 2050"),
    "swapped bytes magic": (idx_bytes(IMAGES, magic=0x03080000), "bad magic number"),
    "empty": (b"", "truncated"),
    "truncated header": (GOOD[:10], "truncated: 10 bytes, the header alone needs 16"),
    "truncated data": (GOOD[:-1], "truncated: the header promises 2x3x4 = 24 bytes"),
    "oversized": (GOOD + b"\x00", "oversized: the header promises 2x3x4 = 24 bytes"),
}


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("data, problem", BAD_IDX.values(), ids=BAD_IDX.keys())
def test_read_idx_rejects_malformed_file(
    tmp_path: Path, data: bytes, problem: str, compress: bool
) -> None:
    path = write_idx(tmp_path / "broken-idx3-ubyte", data, compress)
    with pytest.raises(MNISTError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message
    assert problem in message
    assert "load_mnist(download=True) replaces it" in message


def test_read_idx_header_whose_size_overflows_int64_is_an_mnist_error(tmp_path: Path) -> None:
    """2**22 * 2**21 * 2**21 = 2**64 wraps to 0 in int64, which an empty payload matched."""
    dims = (2**22, 2**21, 2**21)
    data = (2051).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    path = write_idx(tmp_path / "huge-idx3-ubyte", data, compress=False)
    with pytest.raises(MNISTError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message
    assert f"4194304x2097152x2097152 = {2**64} bytes of data but the file holds 0" in message


@pytest.mark.parametrize(
    "data",
    [gzip.compress(GOOD)[:-12], b"\x1f\x8b" + b"not really gzip"],
    ids=["gzip cut short", "gzip garbage"],
)
def test_read_idx_rejects_corrupt_gzip(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.gz"
    path.write_bytes(data)
    with pytest.raises(MNISTError, match="corrupt or truncated gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_read_idx_rejects_wrong_checksum(tmp_path: Path, compress: bool) -> None:
    path = write_idx(tmp_path / "labels", idx_bytes(LABELS), compress)
    wrong = sha256(idx_bytes(LABELS[::-1]))
    with pytest.raises(MNISTError) as info:
        read_idx(path, expected_sha256=wrong)
    message = str(info.value)
    assert str(path) in message
    assert f"SHA-256 of the decompressed bytes is {sha256(idx_bytes(LABELS))}" in message
    assert f"expected {wrong}" in message
    assert "load_mnist(download=True) replaces it" in message


# --- load_mnist on synthetic files ---------------------------------------------------------


def test_load_mnist_default_is_flat_float32_in_unit_range(synthetic_dir: Path) -> None:
    arrays = synthetic_arrays()
    (x_train, t_train), (x_test, t_test) = load_mnist(data_dir=synthetic_dir, download=False)
    for x, t, images, labels in [
        (x_train, t_train, arrays[mnist.TRAIN_IMAGES], arrays[mnist.TRAIN_LABELS]),
        (x_test, t_test, arrays[mnist.TEST_IMAGES], arrays[mnist.TEST_LABELS]),
    ]:
        assert x.dtype == np.float32
        assert x.shape == (len(images), 6)
        np.testing.assert_array_equal(x, images.reshape(len(images), 6) / np.float32(255))
        assert t.dtype == np.int64
        np.testing.assert_array_equal(t, labels)
    assert x_train.min() == 0.0
    assert x_train.max() == 1.0


def test_load_mnist_unflattened_raw_pixels(synthetic_dir: Path) -> None:
    images = synthetic_arrays()[mnist.TRAIN_IMAGES]
    (x_train, _), (x_test, _) = load_mnist(
        normalize=False, flatten=False, data_dir=synthetic_dir, download=False
    )
    assert x_train.dtype == np.uint8
    assert x_train.shape == (5, 1, 3, 2)
    assert x_test.shape == (3, 1, 3, 2)
    np.testing.assert_array_equal(x_train[:, 0], images)


def test_load_mnist_one_hot_labels(synthetic_dir: Path) -> None:
    (_, t_train), (_, t_test) = load_mnist(
        one_hot_label=True, data_dir=synthetic_dir, download=False
    )
    assert t_train.dtype == np.float32
    assert t_train.shape == (5, 10)
    assert t_test.shape == (3, 10)
    np.testing.assert_array_equal(t_train, np.eye(10)[[5, 0, 4, 1, 9]])


def test_load_mnist_dtype_keyword(synthetic_dir: Path) -> None:
    (x_train, _), _ = load_mnist(dtype=np.float64, data_dir=synthetic_dir, download=False)
    images = synthetic_arrays()[mnist.TRAIN_IMAGES].reshape(5, 6)
    assert x_train.dtype == np.float64
    np.testing.assert_array_equal(x_train, images / 255.0)


def test_load_mnist_rejects_non_float_dtype(synthetic_dir: Path) -> None:
    with pytest.raises(ValueError, match="dtype must be a float dtype .* got int32"):
        load_mnist(dtype=np.int32, data_dir=synthetic_dir, download=False)


def test_load_mnist_reads_directory_from_environment(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(synthetic_dir))
    (_, t_train), _ = load_mnist(download=False)
    np.testing.assert_array_equal(t_train, [5, 0, 4, 1, 9])


def test_load_mnist_checks_embedded_checksums(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        install(patch, tmp_path, synthetic_arrays())  # restores the real table on exit
    with pytest.raises(MNISTError, match="SHA-256") as info:
        load_mnist(data_dir=tmp_path, download=False)
    assert str(tmp_path / f"{mnist.TRAIN_IMAGES}.gz") in str(info.value)


def with_changes(**changes: np.ndarray) -> dict[str, np.ndarray]:
    arrays = synthetic_arrays()
    arrays.update({getattr(mnist, key): value for key, value in changes.items()})
    return arrays


INCONSISTENT = {
    "label count": (with_changes(TRAIN_LABELS=LABELS[:4]), "holds 5 images but"),
    "label range": (with_changes(TEST_LABELS=np.array([7, 10, 1])), "holds label 10"),
    "swapped files": (with_changes(TRAIN_IMAGES=LABELS), "holds a 1-d array, expected 3-d images"),
}


@pytest.mark.parametrize("arrays, problem", INCONSISTENT.values(), ids=INCONSISTENT.keys())
def test_load_mnist_rejects_inconsistent_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrays: dict, problem: str
) -> None:
    install(monkeypatch, tmp_path, arrays)
    with pytest.raises(MNISTError, match=re.escape(problem)):
        load_mnist(data_dir=tmp_path, download=False)


def test_missing_files_name_files_directory_and_where_else_to_look(tmp_path: Path) -> None:
    (tmp_path / f"{mnist.TRAIN_LABELS}.gz").write_bytes(b"")  # present, so not listed
    with pytest.raises(MNISTError) as info:
        load_mnist(data_dir=tmp_path)
    message = str(info.value)
    missing = [name for name in FILES if name != mnist.TRAIN_LABELS]
    assert f"missing {', '.join(missing)} in {tmp_path}." in message
    for hint in ("data_dir=", "--data-dir", "$AUTOGRAD_LITE_DATA", "download=True", MIRRORS[0]):
        assert hint in message


def test_damaged_file_is_not_replaced_without_download(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        install(patch, tmp_path, synthetic_arrays())  # restores the real table on exit
    before = {path: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(MNISTError, match="SHA-256"):
        load_mnist(data_dir=tmp_path)
    assert {path: path.read_bytes() for path in tmp_path.iterdir()} == before


# --- which folder: data_dir=, $AUTOGRAD_LITE_DATA, the shipped copy ------------------------


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``$AUTOGRAD_LITE_DATA`` unset, and a fake home directory (returned)."""
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    for name in ("HOME", "USERPROFILE"):  # where Path.home() and expanduser look
        monkeypatch.setenv(name, str(tmp_path / "home"))
    return tmp_path / "home"


def test_resolve_data_dir_prefers_argument_then_environment_then_shipped_copy(
    no_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert resolve_data_dir() == SHIPPED_DIR
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_data_dir(str(tmp_path / "arg")) == tmp_path / "arg"
    assert resolve_data_dir() == tmp_path / "env"
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", "")  # empty counts as unset
    assert resolve_data_dir() == SHIPPED_DIR


def test_resolve_data_dir_expands_user(no_env: Path) -> None:
    assert resolve_data_dir("~/digits") == no_env / "digits"


def test_shipped_copy_is_inside_the_package() -> None:
    assert Path(mnist.__file__).resolve().parent / "mnist" == SHIPPED_DIR
    assert sorted(p.name for p in SHIPPED_DIR.glob("*.gz")) == sorted(f"{n}.gz" for n in FILES)


def test_shipped_readme_lists_the_checksums_load_mnist_checks() -> None:
    readme = (SHIPPED_DIR / "README.md").read_text()
    for name in FILES:
        assert f"{mnist.SHA256[name]}  {name}" in readme
    assert "CC BY-SA 3.0" in readme
    assert "Yann LeCun, Corinna Cortes and Christopher J.C. Burges" in readme


@pytest.mark.parametrize("download", [False, True], ids=["read", "download"])
@pytest.mark.parametrize("how", ["data_dir", "environment"])
def test_missing_data_folder_is_named_and_never_created(
    no_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str, download: bool
) -> None:
    folder = tmp_path / "mistyped" / "mnist"
    if how == "environment":
        monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(folder))
    with pytest.raises(MNISTError, match="does not exist, and load_mnist never creates") as info:
        load_mnist(data_dir=folder if how == "data_dir" else None, download=download)
    message = str(info.value)
    assert str(folder) in message
    for hint in ("data_dir=", "--data-dir", "$AUTOGRAD_LITE_DATA"):
        assert hint in message
    assert not (tmp_path / "mistyped").exists()


def test_data_folder_under_a_regular_file_is_not_a_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(MNISTError, match="does not exist") as info:
        load_mnist(data_dir=blocker / "mnist", download=True)
    assert str(blocker / "mnist") in str(info.value)
    with pytest.raises(MNISTError, match=f"{re.escape(str(blocker))} .* is not a folder"):
        load_mnist(data_dir=blocker)


def test_stripped_packaging_says_how_to_get_the_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shipped = strip_shipped_data(monkeypatch, tmp_path)
    with pytest.raises(MNISTError, match="has no MNIST data") as info:
        load_mnist()
    message = str(info.value)
    for hint in (str(shipped), "download=True", "data_dir=", "--data-dir"):
        assert hint in message
    assert not shipped.exists()


def test_unreadable_file_is_an_mnist_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "labels").mkdir()  # reading a folder fails, even as root
    with pytest.raises(MNISTError, match=f"cannot read {re.escape(str(tmp_path / 'labels'))}"):
        read_idx(tmp_path / "labels")


# --- the real MNIST files ------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_mnist() -> tuple:
    """MNIST as a user gets it: no argument, no environment variable, the shipped copy."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AUTOGRAD_LITE_DATA", raising=False)
        return load_mnist()


@pytest.fixture(scope="module")
def real_mnist_raw(mnist_dir: Path) -> tuple:
    return load_mnist(normalize=False, flatten=False, one_hot_label=True, data_dir=mnist_dir)


def test_real_mnist_shapes_and_dtypes(real_mnist: tuple) -> None:
    (x_train, t_train), (x_test, t_test) = real_mnist
    assert x_train.shape == (60000, 784)
    assert x_test.shape == (10000, 784)
    assert x_train.dtype == x_test.dtype == np.float32
    assert x_train.min() == x_test.min() == 0.0
    assert x_train.max() == x_test.max() == 1.0
    assert t_train.shape == (60000,)
    assert t_test.shape == (10000,)
    assert t_train.dtype == t_test.dtype == np.int64


def test_real_mnist_known_labels(real_mnist: tuple) -> None:
    (_, t_train), (_, t_test) = real_mnist
    np.testing.assert_array_equal(t_train[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    np.testing.assert_array_equal(t_test[:10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    np.testing.assert_array_equal(np.bincount(t_train), counts)


def test_real_mnist_raw_unflattened_one_hot(real_mnist: tuple, real_mnist_raw: tuple) -> None:
    for (x, t), (x_raw, t_one_hot) in zip(real_mnist, real_mnist_raw, strict=True):
        assert x_raw.dtype == np.uint8
        assert x_raw.shape == (len(x), 1, 28, 28)
        assert np.array_equal(x, x_raw.reshape(len(x), 784) / np.float32(255))
        assert t_one_hot.dtype == np.float32
        assert t_one_hot.shape == (len(t), 10)
        assert np.array_equal(t_one_hot, np.eye(10, dtype=np.float32)[t])


# --- the package's imports -----------------------------------------------------------------

DATA_ONLY_MODULES = ("urllib.request", "gzip", "hashlib", "http.client", "graphviz")


def test_import_autograd_lite_loads_no_data_or_network_modules() -> None:
    """The engine alone loads no download, compression or hashing code, nor graphviz; the
    re-exported data names import ``autograd_lite.data`` on first use."""
    script = (
        "import sys, autograd_lite\n"
        f"print(sorted(m for m in {DATA_ONLY_MODULES + ('autograd_lite.data',)!r} "
        "if m in sys.modules))\n"
        "from autograd_lite import DataLoader, MNISTError, load_mnist\n"
        "from autograd_lite.data import mnist\n"
        "print(load_mnist is mnist.load_mnist, MNISTError is mnist.MNISTError, "
        "'autograd_lite.data' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert result.stdout.splitlines() == ["[]", "True True True"]


def test_unknown_attribute_of_autograd_lite_is_an_attribute_error() -> None:
    import autograd_lite

    with pytest.raises(AttributeError, match="module 'autograd_lite' has no attribute 'mnist'"):
        autograd_lite.mnist  # noqa: B018 (the old module path is gone, not silently aliased)


# --- DataLoader ----------------------------------------------------------------------------


def epoch(loader: DataLoader) -> list[tuple[np.ndarray, np.ndarray]]:
    return list(loader)


@given(
    n=st.integers(0, 40),
    batch_size=st.integers(1, 15),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_loader_covers_each_sample_once_per_epoch(
    n: int, batch_size: int, shuffle: bool, drop_last: bool, seed: int
) -> None:
    x = np.arange(n)
    loader = DataLoader(x, -x, batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
    full, rest = divmod(n, batch_size)
    expected_sizes = [batch_size] * full + ([rest] if rest and not drop_last else [])
    for _ in range(2):
        batches = epoch(loader)
        assert [len(xb) for xb, _ in batches] == expected_sizes
        assert len(loader) == len(expected_sizes)
        seen = np.concatenate([xb for xb, _ in batches]) if batches else np.array([], int)
        for xb, tb in batches:
            np.testing.assert_array_equal(tb, -xb)  # pairs stay together
        assert len(np.unique(seen)) == len(seen)  # no sample twice
        if not drop_last:
            np.testing.assert_array_equal(np.sort(seen), x)  # every sample once
        if not shuffle:
            np.testing.assert_array_equal(seen, x[: len(seen)])


def test_loader_same_seed_same_batches_and_epochs_differ() -> None:
    x = np.arange(50)
    a, b = (DataLoader(x, x, 8, seed=7) for _ in range(2))
    orders_a = [np.concatenate([xb for xb, _ in epoch(a)]) for _ in range(3)]
    orders_b = [np.concatenate([xb for xb, _ in epoch(b)]) for _ in range(3)]
    for order_a, order_b in zip(orders_a, orders_b, strict=True):
        np.testing.assert_array_equal(order_a, order_b)
    assert not np.array_equal(orders_a[0], orders_a[1])
    assert not np.array_equal(orders_a[0], x)
    other = np.concatenate([xb for xb, _ in epoch(DataLoader(x, x, 8, seed=8))])
    assert not np.array_equal(orders_a[0], other)


def test_loader_drop_last_drops_partial_batch() -> None:
    loader = DataLoader(np.zeros((10, 3)), np.zeros(10), 4, drop_last=True, seed=0)
    assert len(loader) == 2
    assert [len(xb) for xb, _ in loader] == [4, 4]
    assert len(DataLoader(np.zeros(10), np.zeros(10), 4)) == 3


def test_loader_batches_keep_shape_dtype_and_are_copies() -> None:
    x = np.arange(10 * 2 * 3, dtype=np.float32).reshape(10, 1, 2, 3)
    t = np.eye(10, dtype=np.float32)
    (x_batch, t_batch), *_ = epoch(DataLoader(x, t, 4, shuffle=False))
    assert x_batch.shape == (4, 1, 2, 3)
    assert x_batch.dtype == np.float32
    np.testing.assert_array_equal(t_batch, t[:4])
    x_batch[...] = -1
    assert x.min() == 0  # writing into a batch does not touch the dataset


def test_loader_accepts_lists_and_numpy_int_batch_size() -> None:
    loader = DataLoader([[1, 2], [3, 4], [5, 6]], [0, 1, 0], np.int64(2), shuffle=False)
    (x_batch, t_batch), _ = epoch(loader)
    assert isinstance(x_batch, np.ndarray)
    np.testing.assert_array_equal(x_batch, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(t_batch, [0, 1])


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, 2.0, True, "4", None])
def test_loader_rejects_bad_batch_size(batch_size: object) -> None:
    with pytest.raises(ValueError, match="batch_size must be a positive int") as info:
        DataLoader(np.zeros(4), np.zeros(4), batch_size)
    assert repr(batch_size) in str(info.value)


def test_loader_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match=r"x has 5 samples \(shape \(5, 2\)\) but t has 4"):
        DataLoader(np.zeros((5, 2)), np.zeros(4), 2)


def test_loader_rejects_scalars() -> None:
    with pytest.raises(ValueError, match=r"first \(sample\) axis, got shapes \(\) and \(3,\)"):
        DataLoader(np.float64(1.0), np.zeros(3), 1)
