"""The MNIST training examples (chapters 2-5 of the notes), run with small settings.

MNIST is read once per module: ``cached_mnist`` replaces ``load_mnist`` inside the example
modules by a function with the same signature that checks it is pointed at ``mnist_dir`` and
returns read-only arrays loaded once (an example that wrote into them would fail). Every
expected value is derived here, from the notes' formulas or from the qualitative results the
notes describe; no network access, no wall-clock assertions.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_lite
import nn
from autograd_lite import Tensor
from examples import (
    batch_norm,
    checkpoint,
    cli,
    hyperparameter_search,
    optimizer_comparison,
    overfitting,
    predict_mnist,
    train_mnist,
    two_layer_net_mnist,
    weight_init,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MNIST_USERS = (
    batch_norm,
    hyperparameter_search,
    overfitting,
    predict_mnist,
    train_mnist,
    two_layer_net_mnist,
    weight_init,
)


@pytest.fixture(scope="module")
def cached_mnist(mnist_dir):
    """Load MNIST once; the example modules' ``load_mnist`` returns read-only cached arrays."""
    real = autograd_lite.load_mnist
    cache = {}

    def load_mnist(
        normalize=True,
        flatten=True,
        one_hot_label=False,
        *,
        data_dir=None,
        download=True,
        dtype=np.float32,
    ):
        assert str(data_dir) == str(mnist_dir), "the examples must use the data_dir they get"
        key = (normalize, flatten, one_hot_label, np.dtype(dtype).str)
        if key not in cache:
            arrays = real(normalize, flatten, one_hot_label, data_dir=data_dir, dtype=dtype)
            for pair in arrays:
                for array in pair:
                    array.flags.writeable = False
            cache[key] = arrays
        return cache[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MPLBACKEND", "Agg")
        for module in MNIST_USERS:
            patch.setattr(module, "load_mnist", load_mnist)
        yield load_mnist(data_dir=mnist_dir)


@pytest.fixture(autouse=True)
def agg_backend(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")


def assert_png(path):
    """A PNG file by its magic bytes, and readable back by matplotlib as a colour image."""
    import matplotlib.image

    assert path.read_bytes()[:8] == PNG_MAGIC
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


# --- train_mnist and predict_mnist ----------------------------------------------------------


@pytest.fixture(scope="module")
def trained(cached_mnist, mnist_dir, tmp_path_factory):
    """One epoch on the first 10,000 training images, saved and plotted."""
    out = tmp_path_factory.mktemp("train_mnist")
    argv = ["--data-dir", str(mnist_dir), "--limit", "10000", "--epochs", "1"]
    # batch norm and lr 3e-3 keep a margin above 92% (seeds 0-5: min 93.2%, mean 93.4%)
    argv += ["--hidden", "256", "--batch-size", "64", "--lr", "3e-3", "--batch-norm"]
    argv += ["--dropout", "0", "--seed", "0", "--no-progress"]
    argv += ["--save", str(out / "model.npz"), "--plot", str(out / "curves.png")]
    return train_mnist.main(argv), out


def test_one_epoch_on_10000_images_reaches_92_percent(trained):
    result, _ = trained
    history = result["history"]
    assert history["epoch"] == [1]
    assert result["test_accuracy"] == history["test_acc"][-1] >= 0.92
    # the accuracy is a count out of the full test set: a multiple of 1 / 10,000
    assert round(result["test_accuracy"] * 10_000) == pytest.approx(
        result["test_accuracy"] * 10_000, abs=1e-6
    )
    assert 0.0 < history["train_loss"][0] < 1.0 and 0.8 < history["train_acc"][0] <= 1.0
    assert history["seconds"][0] > 0 and history["lr"] == [3e-3]
    assert len(history["batch_loss"]) == 157  # ceil(10,000 / 64) mini-batches
    assert history["batch_loss"][-1] < history["batch_loss"][0]


def test_train_prints_one_line_per_epoch(cached_mnist, mnist_dir, capsys):
    argv = ["--data-dir", str(mnist_dir), "--limit", "300", "--epochs", "2", "--hidden", "16"]
    result = train_mnist.main([*argv, "--optimizer", "momentum", "--lr", "0.05"])
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.startswith("epoch")]
    assert len(lines) == 2 and lines[1].startswith("epoch  2/2  train loss")
    assert "img/s" in captured.err  # the tqdm bar counts images, so its rate is samples/s
    assert result["history"]["epoch"] == [1, 2]
    # the cosine schedule over 2 epochs: lr at epoch 1 is the base, at epoch 2 half of it
    assert result["history"]["lr"] == pytest.approx([0.05, 0.025])


def test_saved_weights_reproduce_the_accuracy_in_predict(trained, mnist_dir):
    result, out = trained
    grid = out / "misclassified.png"
    predicted = predict_mnist.main(
        [str(out / "model.npz"), "--data-dir", str(mnist_dir), "--grid", str(grid)]
    )
    assert predicted["accuracy"] == result["test_accuracy"]  # exactly: same weights, same batches
    assert predicted["misclassified"] == 10_000 - round(result["test_accuracy"] * 10_000)
    assert len(predicted["predictions"]) == 10_000
    assert_png(grid)


def test_the_curves_png_is_written(trained):
    _, out = trained
    assert_png(out / "curves.png")


def test_architecture_sidecar_round_trip(trained):
    result, out = trained
    sidecar = out / "model.json"
    assert result["architecture_path"] == str(sidecar)
    saved = json.loads(sidecar.read_text(encoding="utf-8"))
    assert saved["sizes"] == [784, 256, 10]
    assert (saved["activation"], saved["dropout"], saved["batch_norm"]) == ("relu", 0.0, True)
    assert saved["dtype"] == "float32" and saved["test_accuracy"] == result["test_accuracy"]
    assert predict_mnist.read_architecture(sidecar) == saved
    model, arch = predict_mnist.load_model(out / "model.npz")
    assert arch == saved and not model.training
    npz = np.load(out / "model.npz", allow_pickle=False)
    state = model.state_dict()
    assert sorted(state) == sorted(npz.files)
    assert "layers.1.running_mean" in state  # batch norm's buffers are saved too
    for name, array in state.items():
        np.testing.assert_array_equal(array, npz[name])


def test_predict_needs_the_architecture_file(trained, tmp_path):
    _, out = trained
    weights = tmp_path / "alone.npz"
    weights.write_bytes((out / "model.npz").read_bytes())
    with pytest.raises(FileNotFoundError, match="--config"):
        predict_mnist.load_model(weights)
    (tmp_path / "alone.json").write_text('{"sizes": [784, 10]}', encoding="utf-8")
    with pytest.raises(ValueError, match="not an architecture file"):
        predict_mnist.load_model(weights)
    model, _ = predict_mnist.load_model(weights, config=out / "model.json")
    assert isinstance(model, nn.MLP)


def test_a_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes "import tqdm" fail
    with pytest.raises(ImportError, match=r'pip install "autograd-lite\[examples\]"'):
        train_mnist.progress_bar(10, "epoch 1/1", enabled=True)
    assert train_mnist.progress_bar(10, "epoch 1/1", enabled=False) is None


@pytest.mark.parametrize("name", train_mnist.OPTIMIZERS)
def test_every_optimizer_flag_builds_its_optimizer(name):
    w = nn.Parameter(np.ones(3, dtype=np.float32))
    optimizer = train_mnist.make_optimizer(name, [w], lr=0.01, weight_decay=0.0)
    w.grad = Tensor(np.ones(3, dtype=np.float32))
    optimizer.step()
    assert (w.data < 1).all()


# --- optimizer_comparison -------------------------------------------------------------------


def test_optimizer_paths_end_near_the_minimum(tmp_path):
    png = tmp_path / "paths.png"
    paths = optimizer_comparison.main(steps=30, plot=png)
    assert list(paths) == ["SGD", "Momentum", "AdaGrad", "Adam"]
    f_start = 7.0**2 / 20 + 2.0**2
    for points in paths.values():
        assert points.shape == (31, 2)
        np.testing.assert_array_equal(points[0], [-7.0, 2.0])
        x, y = points[-1]
        assert x**2 / 20 + y**2 < 0.02 * f_start  # the notes: all four reach the minimum
        assert np.hypot(x, y) < 1.0
    # first steps by the notes' formulas, with the gradient (x / 10, 2 y) at (-7, 2)
    g = np.array([-0.7, 4.0])
    np.testing.assert_allclose(paths["SGD"][1], [-7.0, 2.0] - 0.95 * g)
    np.testing.assert_allclose(paths["Momentum"][1], [-7.0, 2.0] - 0.1 * g)
    np.testing.assert_allclose(paths["AdaGrad"][1], [-7.0, 2.0] - 1.5 * np.sign(g), rtol=1e-6)
    # SGD zig-zags: y <- y - 0.95 * 2y = -0.9 y flips its sign every step
    y = paths["SGD"][:, 1]
    assert (np.sign(y[1:]) == -np.sign(y[:-1])).all()
    np.testing.assert_allclose(y, 2.0 * (-0.9) ** np.arange(31))
    assert_png(png)


# --- weight_init, overfitting, batch_norm ---------------------------------------------------


def test_weight_init_std_001_does_not_learn_but_he_does(cached_mnist, mnist_dir, tmp_path):
    loss_png, hist_png = tmp_path / "loss.png", tmp_path / "hist.png"
    result = weight_init.main(
        str(mnist_dir),
        iterations=150,
        batch_size=64,
        limit=5000,
        plot=loss_png,
        histograms=hist_png,
    )
    losses, final = result["losses"], result["final_loss"]
    assert list(losses) == ["std=0.01", "Xavier", "He"]
    assert all(len(values) == 150 and np.isfinite(values).all() for values in losses.values())
    assert final["std=0.01"] == pytest.approx(np.log(10), abs=0.02)  # stuck at log 10
    assert final["He"] < 1.5 and final["He"] < final["std=0.01"] - 0.8
    spread = result["activation_std"]
    assert min(spread["std=1"]) > 0.35  # piled up at 0 and 1
    assert max(spread["std=0.01"]) < 0.05  # all near 0.5
    assert all(0.05 < s < 0.3 for s in spread["Xavier"])
    assert_png(loss_png)
    assert_png(hist_png)


def test_init_weights_draws_the_right_scales():
    rng = np.random.default_rng(0)
    model = nn.MLP([400, 100, 10], rng=rng)
    for scheme, std in (("std=0.01", 0.01), ("Xavier", np.sqrt(2 / 500)), ("He", np.sqrt(2 / 400))):
        weight_init.init_weights(model, scheme, rng)
        first = model.layers[0]
        assert first.weight.data.std() == pytest.approx(std, rel=0.03)
        assert (first.bias.data == 0).all()


def test_overfitting_runs_and_weight_decay_pulls_weights_to_zero(cached_mnist, mnist_dir, tmp_path):
    png = tmp_path / "overfit.png"
    results = overfitting.main(str(mnist_dir), epochs=40, eval_every=20, test_limit=2000, plot=png)
    assert list(results) == ["no regularization", "weight decay 0.1", "dropout 0.2"]
    for result in results.values():
        assert result["history"]["epoch"] == [0, 20, 40]
        assert 0.0 <= result["test_acc"] <= 1.0 and 0.0 <= result["train_acc"] <= 1.0
        assert result["gap"] == pytest.approx(result["train_acc"] - result["test_acc"])
    plain = results["no regularization"]
    assert plain["train_acc"] > 0.5 and plain["train_acc"] > plain["test_acc"]
    assert_png(png)


def test_weight_penalty_is_half_lambda_sum_of_squared_weights():
    model = overfitting.build_model(5, 0.0, np.random.default_rng(0))
    penalty = overfitting.weight_penalty(model, 0.1)
    weights = {n: p for n, p in model.named_parameters() if n.endswith("weight")}
    expected = 0.05 * sum(float(np.sum(w.data.astype(np.float64) ** 2)) for w in weights.values())
    assert penalty.item() == pytest.approx(expected, rel=1e-5)
    penalty.backward()
    for name, p in model.named_parameters():
        if name.endswith("weight"):
            np.testing.assert_allclose(p.grad.data, 0.1 * p.data, rtol=1e-6)  # d/dW = lambda W
        else:
            assert p.grad is None  # biases are not decayed


def test_batch_norm_learns_where_plain_training_is_stuck(cached_mnist, mnist_dir, tmp_path):
    png = tmp_path / "bn.png"
    results = batch_norm.main(str(mnist_dir), scales=[0.01], epochs=6, test_limit=2000, plot=png)
    result = results[0.01]
    curves = result["curves"]
    assert all(len(curve) == 7 for curve in curves.values())
    assert result["train_acc"]["no batch norm"] < 0.2  # 5 ReLU layers of std 0.01: vanished
    assert result["train_acc"]["batch norm"] > 0.6
    assert result["test_acc"]["batch norm"] > result["test_acc"]["no batch norm"] + 0.3
    assert_png(png)


# --- hyperparameter_search ------------------------------------------------------------------


@pytest.mark.parametrize("n", [10, 200, 501])
def test_validation_split_is_disjoint_and_covers_the_training_set(n):
    train_index, val_index = hyperparameter_search.validation_split(
        n, 0.2, np.random.default_rng(n)
    )
    assert len(val_index) == int(n * 0.2)
    assert not set(train_index) & set(val_index)
    assert sorted([*train_index, *val_index]) == list(range(n))


def test_random_search_takes_training_arrays_only(cached_mnist):
    (x_train, t_train), _ = cached_mnist
    parameters = inspect.signature(hyperparameter_search.random_search).parameters
    assert not [name for name in parameters if "test" in name]
    search = hyperparameter_search.random_search(
        x_train[:200], t_train[:200], trials=3, epochs=2, seed=1, verbose=False
    )
    trials = search["trials"]
    assert len(trials) == 3
    finals = [trial["val_acc_final"] for trial in trials]
    assert finals == sorted(finals, reverse=True)  # best first
    for trial in trials:
        assert 1e-6 <= trial["lr"] <= 1e-2 and 1e-8 <= trial["weight_decay"] <= 1e-4
        assert len(trial["val_acc"]) == len(trial["train_acc"]) == 2
        assert all(acc in np.arange(41) / 40 for acc in trial["val_acc"])  # out of 40 images
    assert len(search["val_index"]) == 40 and len(search["train_index"]) == 160
    assert not set(search["train_index"]) & set(search["val_index"])


class _Untouchable:
    """Stands in for the test set: any use raises."""

    def __getattr__(self, name):
        raise AssertionError(f"the test set was used ({name})")

    def __len__(self):
        raise AssertionError("the test set was used (len)")

    def __getitem__(self, index):
        raise AssertionError("the test set was used (indexing)")


def test_hyperparameter_search_main_never_reads_the_test_set(
    cached_mnist, mnist_dir, monkeypatch, tmp_path
):
    train = cached_mnist[0]

    def load_train_only(*args, **kwargs):
        return train, (_Untouchable(), _Untouchable())

    monkeypatch.setattr(hyperparameter_search, "load_mnist", load_train_only)
    png = tmp_path / "search.png"
    search = hyperparameter_search.main(
        str(mnist_dir), n_train=100, trials=2, epochs=1, best=2, plot=png
    )
    assert len(search["trials"]) == 2
    assert_png(png)


def test_hyperparameter_search_resumes_from_its_results_file(cached_mnist, mnist_dir, tmp_path):
    path = tmp_path / "search.jsonl"
    settings = {"n_train": 100, "trials": 3, "epochs": 1, "results": str(path)}
    first = hyperparameter_search.main(str(mnist_dir), **settings)
    again = hyperparameter_search.main(str(mnist_dir), **settings, resume=True)
    assert again["trials"] == first["trials"] and len(first["trials"]) == 3
    assert len(path.read_text().splitlines()) == 3  # nothing ran twice
    with pytest.raises(FileExistsError, match="--resume"):
        hyperparameter_search.main(str(mnist_dir), **settings)


def test_hyperparameter_search_on_two_local_workers_gives_the_serial_trials(
    cached_mnist, mnist_dir
):
    settings = {"n_train": 100, "trials": 4, "epochs": 2}
    serial = hyperparameter_search.main(str(mnist_dir), **settings)
    on_workers = hyperparameter_search.main(str(mnist_dir), **settings, workers=2)
    assert on_workers["trials"] == serial["trials"] and len(serial["trials"]) == 4


# --- two_layer_net_mnist --------------------------------------------------------------------


def test_two_layer_net_learns_with_the_notes_hyper_parameters(cached_mnist, mnist_dir, capsys):
    result = two_layer_net_mnist.main(str(mnist_dir), iters=300, limit=6000)
    lines = [line for line in capsys.readouterr().out.splitlines() if "train acc, test acc" in line]
    assert len(lines) == 5  # iterations 0, 60, 120, 180, 240: one epoch is 6000 / 100 = 60
    assert len(result["train_loss"]) == 300 and len(result["test_acc"]) == 5
    assert result["test_acc"][0] < 0.3  # weights of std 0.01: a guess before training
    assert result["final_test_acc"] > 0.8
    assert result["train_loss"][-1] < result["train_loss"][0]


def test_two_layer_net_gradient_is_the_notes_backward():
    rng = np.random.default_rng(0)
    net = two_layer_net_mnist.TwoLayerNet(6, 4, 3, rng, weight_init_std=1.0, dtype=np.float64)
    x = rng.standard_normal((5, 6))
    t = np.eye(3)[[0, 2, 1, 1, 0]]
    net.loss(Tensor(x), Tensor(t)).backward()
    p = {name: tensor.data for name, tensor in net.params.items()}
    # forward by hand, then the notes' layers backwards
    a1 = x @ p["W1"] + p["b1"]
    z1 = np.maximum(a1, 0)
    scores = z1 @ p["W2"] + p["b2"]
    y = np.exp(scores - scores.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    dout = (y - t) / 5  # SoftmaxWithLoss
    expected = {"W2": z1.T @ dout, "b2": dout.sum(axis=0)}  # Affine2
    dz1 = dout @ p["W2"].T
    da1 = dz1 * (a1 > 0)  # Relu
    expected.update(W1=x.T @ da1, b1=da1.sum(axis=0))  # Affine1
    for name, grad in expected.items():
        np.testing.assert_allclose(net.params[name].grad.data, grad, rtol=1e-10, atol=1e-12)


# --- train_mnist: checkpoints, Ctrl-C and --resume -------------------------------------------

RESUMABLE = ["--limit", "600", "--epochs", "3", "--hidden", "24", "--batch-size", "50"]
RESUMABLE += ["--batch-norm", "--dropout", "0.3", "--no-progress"]  # state in every part


def test_an_interrupted_run_resumed_ends_with_the_weights_of_an_uninterrupted_one(
    cached_mnist, mnist_dir, tmp_path, monkeypatch, capsys
):
    argv = ["--data-dir", str(mnist_dir), *RESUMABLE]
    whole = train_mnist.main([*argv, "--save", str(tmp_path / "whole" / "m.npz")])

    real_epoch, calls = train_mnist.train_epoch, []

    def ctrl_c_in_epoch_3(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_epoch(*args)

    monkeypatch.setattr(train_mnist, "train_epoch", ctrl_c_in_epoch_3)
    saved = tmp_path / "cut" / "m.npz"
    with pytest.raises(SystemExit) as exit_:
        cli.run(train_mnist.main, [*argv, "--save", str(saved)])
    assert exit_.value.code == 130
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "in epoch 3; epoch 2 is saved in" in line and "--resume" in line
    monkeypatch.setattr(train_mnist, "train_epoch", real_epoch)

    checkpoint = train_mnist.checkpoint_path(saved)
    resumed = train_mnist.main([*argv, "--save", str(saved), "--resume", str(checkpoint)])
    assert "resuming after epoch 2 of 3" in capsys.readouterr().out
    assert resumed["history"]["epoch"] == [1, 2, 3]
    assert resumed["test_accuracy"] == whole["test_accuracy"]
    expected, got = whole["model"].state_dict(), resumed["model"].state_dict()
    assert sorted(expected) == sorted(got)
    for name in expected:  # bit for bit: weights, batch norm statistics
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


CNN = ["--model", "cnn", "--limit", "300", "--epochs", "2", "--no-progress"]


def test_the_cnn_trains_with_the_same_table_checkpoint_and_resume(
    cached_mnist, mnist_dir, tmp_path, monkeypatch, capsys
):
    argv = ["--data-dir", str(mnist_dir), *CNN]
    whole = train_mnist.main([*argv, "--save", str(tmp_path / "whole.npz")])
    out = capsys.readouterr().out
    assert out.startswith("SimpleConvNet conv 30x5x5") and "shifted by up to 2 px" in out
    epochs = [line[:11] for line in out.splitlines() if line.startswith("epoch")]
    assert epochs == ["epoch  1/2 ", "epoch  2/2 "]
    assert json.loads((tmp_path / "whole.json").read_text())["format"] == train_mnist.CNN_FORMAT
    # predict_mnist.py rebuilds the CNN from its JSON and gets the same accuracy
    predicted = predict_mnist.main([str(tmp_path / "whole.npz"), "--data-dir", str(mnist_dir)])
    assert predicted["accuracy"] == whole["test_accuracy"]
    assert "SimpleConvNet from" in capsys.readouterr().out
    # interrupted in epoch 2 and resumed: the same weights bit for bit (the random shifts'
    # generator is saved with the others)
    real_epoch = train_mnist.train_epoch

    def ctrl_c_in_epoch_2(*args):
        if train_mnist.train_epoch.calls:
            raise KeyboardInterrupt
        train_mnist.train_epoch.calls.append(1)
        return real_epoch(*args)

    ctrl_c_in_epoch_2.calls = []
    monkeypatch.setattr(train_mnist, "train_epoch", ctrl_c_in_epoch_2)
    cut = tmp_path / "cut.npz"
    with pytest.raises(KeyboardInterrupt):
        train_mnist.main([*argv, "--save", str(cut)])
    monkeypatch.setattr(train_mnist, "train_epoch", real_epoch)
    resumed = train_mnist.main(
        [*argv, "--save", str(cut), "--resume", str(cut.with_suffix(".ckpt.npz"))]
    )
    expected, got = whole["model"].state_dict(), resumed["model"].state_dict()
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


@pytest.mark.parametrize("where", ["evaluate", "save"])
def test_ctrl_c_outside_the_training_loop_still_names_the_last_whole_checkpoint(
    where, cached_mnist, mnist_dir, tmp_path, monkeypatch, capsys
):
    """A Ctrl-C while epoch 2 is evaluated or its checkpoint written leaves epoch 1's."""
    target = (train_mnist, "evaluate") if where == "evaluate" else (checkpoint, "save")
    monkeypatch.setattr(*target, _ctrl_c_after(1, getattr(*target)))
    saved = tmp_path / "m.npz"
    argv = ["--data-dir", str(mnist_dir), *RESUMABLE[:6], "--epochs", "2", "--no-progress"]
    with pytest.raises(SystemExit) as exit_:
        cli.run(train_mnist.main, [*argv, "--save", str(saved)])
    assert exit_.value.code == 130
    [line] = capsys.readouterr().err.strip().splitlines()
    ckpt = train_mnist.checkpoint_path(saved)
    assert line.endswith(f"in epoch 2; epoch 1 is saved in {ckpt}: continue with --resume {ckpt}")
    assert checkpoint.load(ckpt)["epoch"] == 1


def test_ctrl_c_in_a_resumed_run_names_the_checkpoint_it_resumed_from(
    cached_mnist, mnist_dir, tmp_path, monkeypatch, capsys
):
    argv = ["--data-dir", str(mnist_dir), *RESUMABLE[:6], "--epochs", "2", "--no-progress"]
    monkeypatch.setattr(train_mnist, "evaluate", _ctrl_c_after(1, train_mnist.evaluate))
    with pytest.raises(SystemExit):
        cli.run(train_mnist.main, [*argv, "--save", str(tmp_path / "first.npz")])
    first = train_mnist.checkpoint_path(tmp_path / "first.npz")
    capsys.readouterr()
    monkeypatch.setattr(train_mnist, "evaluate", _ctrl_c_after(0, train_mnist.evaluate))
    with pytest.raises(SystemExit):  # saving elsewhere, stopped before anything new is saved
        cli.run(
            train_mnist.main,
            [*argv, "--resume", str(first), "--save", str(tmp_path / "second.npz")],
        )
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.endswith(f"in epoch 2; epoch 1 is saved in {first}: continue with --resume {first}")
    assert not (tmp_path / "second.ckpt.npz").exists()


def _ctrl_c_after(calls: int, function):
    """``function``, which raises KeyboardInterrupt instead once it has run ``calls`` times."""
    done = []

    def wrapped(*args):
        if len(done) == calls:
            raise KeyboardInterrupt
        done.append(1)
        return function(*args)

    return wrapped


@pytest.mark.parametrize(
    ("file", "extra", "says"),
    [
        ("m.ckpt.npz", ["--lr", "0.01"], "other settings (--lr 0.001 there, 0.01 here)"),
        ("m.ckpt.npz", [], "its run finished all 1 epochs; nothing is left to run"),
        ("m.npz", [], "not a training checkpoint of the examples"),
        ("cut.ckpt.npz", [], "cannot be read as an .npz checkpoint"),
    ],
)
def test_a_resume_file_that_cannot_continue_this_run_is_a_one_line_usage_error(
    file, extra, says, cached_mnist, mnist_dir, tmp_path, capsys
):
    argv = ["--data-dir", str(mnist_dir), *RESUMABLE[:6], "--epochs", "1", "--no-progress"]
    train_mnist.main([*argv, "--save", str(tmp_path / "m.npz")])
    whole = (tmp_path / "m.ckpt.npz").read_bytes()
    (tmp_path / "cut.ckpt.npz").write_bytes(whole[: len(whole) // 2])  # a copy cut short
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        cli.run(train_mnist.main, [*argv, *extra, "--resume", str(tmp_path / file)])
    assert exit_.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert f"error: argument --resume: {tmp_path / file}: " in line and says in line


def test_save_writes_every_epoch_atomically(cached_mnist, mnist_dir, tmp_path, monkeypatch):
    written = []
    real_save = nn.serialization.save_npz

    def record(path, arrays):
        real_save(path, arrays)
        written.append(Path(path).name)
        assert not [p for p in Path(path).parent.iterdir() if p.name.startswith(".")]

    monkeypatch.setattr(nn.serialization, "save_npz", record)
    argv = ["--data-dir", str(mnist_dir), *RESUMABLE[:6], "--epochs", "2", "--no-progress"]
    train_mnist.main([*argv, "--save", str(tmp_path / "m.npz")])
    assert written == ["m.npz", "m.ckpt.npz"] * 2


@pytest.mark.parametrize(
    "model_argv",
    [
        ["--hidden", "16", "--batch-norm", "--dropout", "0.2", "--limit", "300"],
        ["--model", "cnn", "--limit", "200", "--epochs", "1"],
    ],
)
def test_compile_trains_to_the_same_weights_and_reports_images_per_second(
    cached_mnist, mnist_dir, capsys, model_argv
):
    argv = ["--data-dir", str(mnist_dir), "--epochs", "2", "--no-progress", *model_argv]
    eager = train_mnist.main(argv)
    assert "images/s (eager" in capsys.readouterr().out
    compiled = train_mnist.main([*argv, "--compile"])
    out = capsys.readouterr().out
    assert "images/s (compiled" in out and " img/s" in out.splitlines()[1]
    assert compiled["images_per_second"] > 0
    assert compiled["history"]["batch_loss"] == eager["history"]["batch_loss"]
    expected, got = eager["model"].state_dict(), compiled["model"].state_dict()
    for name in expected:  # bit for bit: weights, batch norm statistics
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
