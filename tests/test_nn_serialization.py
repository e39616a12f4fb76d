"""Tests of ``Module.save`` / ``Module.load`` and ``nn.serialization``: exact round trips,
every kind of bad file (which must raise, naming the file or key, and change nothing), and a
failure in the middle of a save (which must leave the previous file loadable)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd_lite import no_grad
from nn import serialization


def make_model(seed: int, sizes=(3, 4, 2), dtype=np.float32) -> nn.MLP:
    return nn.MLP(list(sizes), batch_norm=True, rng=np.random.default_rng(seed), dtype=dtype)


def trained_model(seed: int = 0) -> nn.MLP:
    """A model whose parameters and BatchNorm running statistics have all moved."""
    model = make_model(seed)
    x = np.random.default_rng(seed).standard_normal((8, 3)).astype(np.float32)
    for _ in range(3):
        model.zero_grad()
        model(x).sum().backward()
        with no_grad():
            for p in model.parameters():
                p.data -= 0.1 * p.grad.data
    return model


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    named = [*model.named_parameters(), *model.named_buffers()]
    return {name: t.data.copy() for name, t in named}


def assert_state_equal(model: nn.Module, expected: dict[str, np.ndarray]) -> None:
    got = snapshot(model)
    assert list(got) == list(expected)
    for name in expected:
        assert got[name].dtype == expected[name].dtype, name
        assert np.array_equal(got[name], expected[name]), name


X = np.random.default_rng(42).standard_normal((5, 3)).astype(np.float32)


# --- round trip ---------------------------------------------------------------------------------


def test_save_then_load_reproduces_outputs_exactly(tmp_path):
    source = trained_model()
    path = tmp_path / "model.npz"
    source.save(path)
    target = make_model(seed=1)
    assert target.load(path) == nn.IncompatibleKeys([], [])
    assert_state_equal(target, snapshot(source))
    for training in (False, True):
        source.train(training)
        target.train(training)
        assert np.array_equal(target(X).data, source(X).data)


def test_the_file_is_a_plain_npz_archive_without_pickle(tmp_path):
    model = trained_model()
    path = tmp_path / "model.npz"
    model.save(str(path))
    with np.load(path, allow_pickle=False) as archive:
        assert list(archive.files) == list(model.state_dict())
        np.testing.assert_array_equal(
            archive["layers.1.running_mean"], model.layers[1].running_mean.data
        )


def test_the_path_is_used_as_given_and_an_old_file_is_replaced(tmp_path):
    path = tmp_path / "checkpoint.bin"  # np.savez would have appended ".npz"
    make_model(0).save(path)
    newer = trained_model(5)
    newer.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.bin"]
    loaded = make_model(1)
    loaded.load(path)
    assert_state_equal(loaded, snapshot(newer))


def test_a_saved_file_gets_the_same_permissions_as_any_new_file(tmp_path):
    reference = tmp_path / "reference"
    reference.write_bytes(b"")
    make_model(0).save(tmp_path / "model.npz")
    assert (tmp_path / "model.npz").stat().st_mode == reference.stat().st_mode


def test_save_npz_and_read_npz_round_trip_any_keys(tmp_path):
    # "file" and "allow_pickle" are np.savez's own keyword names
    arrays = {"file": np.arange(3), "allow_pickle": np.ones((2, 2)), "a.b/c": np.float32(1.5)}
    serialization.save_npz(tmp_path / "x.npz", arrays)
    back = serialization.read_npz(tmp_path / "x.npz")
    assert list(back) == list(arrays)
    for key, array in arrays.items():
        assert back[key].dtype == np.asarray(array).dtype
        np.testing.assert_array_equal(back[key], array)


def test_save_refuses_object_arrays(tmp_path):
    with pytest.raises(ValueError, match="pickle"):
        serialization.save_npz(tmp_path / "x.npz", {"w": np.array([object()])})
    assert list(tmp_path.iterdir()) == []


# --- bad files ----------------------------------------------------------------------------------


def write_good(path: Path) -> None:
    make_model(3).save(path)


def truncate_half(path: Path) -> None:
    write_good(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def corrupt_middle(path: Path) -> None:
    write_good(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))


def flip_data_bits(path: Path) -> None:
    """Change the running variance stored in the file (ones, after BatchNorm's gamma, also
    ones) to twos: a valid array, so only the CRC can tell."""
    write_good(path)
    data = path.read_bytes()
    ones = np.ones(4, dtype=np.float32).tobytes()
    at = data.rindex(ones)
    path.write_bytes(data[:at] + np.full(4, 2, dtype=np.float32).tobytes() + data[at + 16 :])


def object_array(path: Path) -> None:
    state = make_model(3).state_dict()
    state["layers.0.weight"] = np.array([{"evil": "pickle"}], dtype=object)
    np.savez(path, **state)  # np.savez pickles object arrays


def single_npy(path: Path) -> None:
    with open(path, "wb") as file:
        np.save(file, np.zeros(3))


def pickled_dict(path: Path) -> None:
    import pickle

    path.write_bytes(pickle.dumps(make_model(3).state_dict()))


BAD_FILES = {
    "empty": (lambda p: p.write_bytes(b""), nn.CheckpointError, r"cannot be read"),
    "garbage": (lambda p: p.write_bytes(b"hello world" * 10), nn.CheckpointError, r"pickle"),
    "truncated": (truncate_half, nn.CheckpointError, r"cannot be read"),
    "corrupted": (corrupt_middle, nn.CheckpointError, r"cannot be read"),
    "bit flip": (flip_data_bits, nn.CheckpointError, r"entry 'layers\.1\.running_var'.*CRC"),
    "object array": (object_array, nn.CheckpointError, r"entry 'layers\.0\.weight'.*[Oo]bject"),
    "pickled dict": (pickled_dict, nn.CheckpointError, r"pickle"),
    "single npy": (single_npy, nn.CheckpointError, r"single \.npy array"),
    "wrong dtype": (
        lambda p: make_model(3, dtype=np.float64).save(p),
        nn.StateDictError,
        r"'layers\.0\.weight': dtype float64 in the state dict, float32 in the model",
    ),
    "wrong shapes": (
        lambda p: make_model(3, sizes=(3, 5, 2)).save(p),
        nn.StateDictError,
        r"'layers\.0\.weight': shape \(3, 5\) in the state dict, \(3, 4\)",
    ),
    "missing key": (
        lambda p: np.savez(
            p, **{k: v for k, v in make_model(3).state_dict().items() if "layers.3" not in k}
        ),
        nn.StateDictError,
        r"missing key 'layers\.3\.weight'",
    ),
    "unexpected key": (
        lambda p: np.savez(p, extra=np.zeros(1), **make_model(3).state_dict()),
        nn.StateDictError,
        r"unexpected key 'extra'",
    ),
    "strings": (
        lambda p: np.savez(
            p, **{**make_model(3).state_dict(), "layers.0.bias": np.array(["a"] * 4)}
        ),
        nn.StateDictError,
        r"'layers\.0\.bias': dtype <U1",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_raises_naming_it_and_leaves_the_model_unchanged(case, tmp_path):
    write, error_type, message = BAD_FILES[case]
    path = tmp_path / "bad.npz"
    write(path)
    model = trained_model()
    before = snapshot(model)
    with pytest.raises(error_type, match=message) as error:
        model.load(path)
    assert str(path) in str(error.value)
    assert isinstance(error.value, ValueError)
    assert_state_equal(model, before)


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        make_model(0).load(tmp_path / "nowhere.npz")


# --- a failure while saving -----------------------------------------------------------------------


def test_a_failure_halfway_through_a_save_keeps_the_old_file_loadable(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    old = trained_model(1)
    old.save(path)
    real_write_array = np.lib.format.write_array
    calls = []

    def write_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # two arrays written, the third fails
            raise OSError("disk full")
        return real_write_array(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        trained_model(2).save(path)
    monkeypatch.undo()
    assert len(calls) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left
    restored = make_model(7)
    restored.load(path)
    assert_state_equal(restored, snapshot(old))


def test_an_interrupted_replace_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    old = trained_model(1)
    old.save(path)

    def fail(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization.os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        trained_model(2).save(path)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    restored = make_model(7)
    restored.load(path)
    assert_state_equal(restored, snapshot(old))


def test_load_state_dict_error_from_a_file_names_the_file(tmp_path):
    path = tmp_path / "small.npz"
    nn.Linear(2, 2).save(path)
    with pytest.raises(nn.StateDictError, match=rf"^{path}: load_state_dict into Linear"):
        nn.Linear(3, 2).load(path)


def test_non_strict_load_from_a_file(tmp_path):
    path = tmp_path / "partial.npz"
    serialization.save_npz(path, {"weight": np.ones((2, 3), dtype=np.float32), "x": np.zeros(1)})
    layer = nn.Linear(2, 3)
    bias = layer.bias.data.copy()
    result = layer.load(path, strict=False)
    assert result == nn.IncompatibleKeys(["bias"], ["x"])
    assert np.array_equal(layer.weight.data, np.ones((2, 3))) and np.array_equal(
        layer.bias.data, bias
    )


def test_a_zip_without_npy_members_is_not_silently_accepted(tmp_path):
    path = tmp_path / "other.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    model = make_model(0)
    before = snapshot(model)
    with pytest.raises(nn.CheckpointError, match=r"entry 'notes\.txt' is not a \.npy array"):
        model.load(path)
    assert_state_equal(model, before)


def test_save_into_a_missing_directory_names_the_directory(tmp_path):
    missing = tmp_path / "no_such_dir"
    with pytest.raises(FileNotFoundError, match=r"directory .*no_such_dir does not exist"):
        nn.Linear(2, 2).save(missing / "model.npz")
    assert not missing.exists()


# --- damaged bytes (issue 12, item 9) --------------------------------------------------------


def test_any_flipped_byte_of_a_checkpoint_loads_unchanged_or_raises_checkpoint_error(tmp_path):
    # a flipped byte escaped as NotImplementedError ("zip file version"), RuntimeError ("is
    # encrypted") or OSError; every byte of a small checkpoint is flipped in turn
    path = tmp_path / "small.npz"
    nn.Linear(2, 3).save(path)
    good = path.read_bytes()
    expected = serialization.read_npz(path)
    damaged = tmp_path / "damaged.npz"
    for position in range(len(good)):
        flipped = bytearray(good)
        flipped[position] ^= 0xFF
        damaged.write_bytes(bytes(flipped))
        try:
            arrays = serialization.read_npz(damaged)
        except nn.CheckpointError as error:
            assert str(damaged) in str(error), position
            continue
        assert arrays.keys() == expected.keys(), position  # only unchecked metadata changed
        for key in expected:
            np.testing.assert_array_equal(arrays[key], expected[key], err_msg=f"byte {position}")


def test_a_header_claiming_a_huge_shape_raises_before_allocating(tmp_path):
    # a 246-byte .npz whose header claims shape (10**12,) raised MemoryError after trying
    # to allocate 7 TiB
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, header)
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weight.npy", member.getvalue() + b"\0" * 8)
    with pytest.raises(nn.CheckpointError, match=r"entry 'weight'.*shape \(1000000000000,\)"):
        serialization.read_npz(path)


def test_an_entry_whose_sizes_claim_more_than_the_file_holds_is_refused(tmp_path):
    path = tmp_path / "small.npz"
    nn.Linear(2, 3).save(path)
    data = bytearray(path.read_bytes())
    # the central directory's uncompressed size of the first entry, made enormous
    directory = data.rindex(b"PK\x01\x02")
    data[directory + 24 : directory + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(nn.CheckpointError, match=str(path)):
        serialization.read_npz(path)


def test_save_with_a_long_valid_name_works_and_errors_name_the_target(tmp_path):
    # a valid 244-byte name failed with "File name too long" because the temporary name was
    # longer, and the error named the temporary file
    layer = nn.Linear(2, 3)
    path = tmp_path / ("m" * 240 + ".npz")
    layer.save(path)
    restored = nn.Linear(2, 3)
    restored.load(path)
    np.testing.assert_array_equal(restored.weight.data, layer.weight.data)
    too_long = tmp_path / ("m" * 252 + ".npz")
    with pytest.raises(OSError, match=r"save: cannot write .*m{252}\.npz") as error:
        layer.save(too_long)
    assert ".tmp" not in str(error.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
