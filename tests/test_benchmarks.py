"""The benchmark harness computes what it claims to: correctness only, never timings.

Both hand-written numpy baselines (the notes' code and its tuned twin) must do the same
mathematics as autograd_lite (same gradients, same updates), the float32 workload must stay
float32 everywhere, and the harness must run end to end with tiny settings. PyTorch is never
needed here.
"""

from __future__ import annotations

import gc
import importlib
import json
from dataclasses import replace

import numpy as np
import pytest

import nn
import optim
from autograd_lite import Tensor
from benchmarks import run
from benchmarks.engines import (
    AutogradLiteRunner,
    autograd_lite_chain,
    make_chain,
    make_runner,
    unsupported,
)
from benchmarks.numpy_by_hand import (
    SGD,
    Adam,
    Affine,
    NumpyNet,
    NumpyRunner,
    Relu,
    SoftmaxWithLoss,
    chain_forward,
    chain_forward_backward,
    cross_entropy_error,
    softmax,
)
from benchmarks.numpy_tuned import (
    TunedAdam,
    TunedAffine,
    TunedNet,
    TunedRelu,
    TunedRunner,
    TunedSGD,
    TunedSoftmaxWithLoss,
)
from benchmarks.timing import timed
from benchmarks.workloads import (
    W1,
    W2,
    W5,
    Dataset,
    MLPWorkload,
    chain_input,
    chain_ops,
    initial_weights,
    load_data,
    tensor_steps,
)

SMALL = MLPWorkload("small", (20, 16, 12, 5), np.float64, "sgd", 0.1, 8)
SMALL_ADAM = MLPWorkload("small_adam", (20, 16, 12, 5), np.float64, "adam", 0.01, 8)
NOTES_LOSS_RTOL = 1e-6  # the notes' loss is -log(y + 1e-7): its value (not its gradient) moves
LIMIT = 512  # training images for the tests that use MNIST


@pytest.fixture(autouse=True)
def _mnist_location(mnist_dir, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(mnist_dir))


def _random_batch(workload: MLPWorkload, n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, workload.sizes[0])).astype(workload.dtype)
    return x, rng.integers(0, workload.sizes[-1], n)


@pytest.mark.parametrize(
    ("net_type", "loss_rtol"), [(NumpyNet, NOTES_LOSS_RTOL), (TunedNet, 1e-12)]
)
def test_numpy_by_hand_gradients_equal_autograd_lites(net_type, loss_rtol):
    weights = initial_weights(SMALL, seed=3)
    x, t = _random_batch(SMALL, 8)
    net = net_type([(w.copy(), b.copy()) for w, b in weights])
    loss = net.loss(x, t)
    by_hand = net.backward()
    runner = AutogradLiteRunner(SMALL, weights)
    tensor_loss = runner.loss(x, t)
    tensor_loss.backward()
    np.testing.assert_allclose(loss, tensor_loss.item(), rtol=loss_rtol)
    for (dw, db), layer in zip(by_hand, runner.linears):
        np.testing.assert_allclose(dw, layer.weight.grad.data, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(db, layer.bias.grad.data, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("runner_type", [NumpyRunner, TunedRunner])
@pytest.mark.parametrize(("workload", "tolerance"), [(W1, 1e-12), (W2, 1e-5)])
def test_one_step_gives_the_same_weights_by_hand_and_with_autograd_lite(
    runner_type, workload, tolerance
):
    # float32 Adam's first step is lr * g / (|g| + eps): rounding decides it where g ~ eps
    data = load_data(workload.dtype, LIMIT)
    weights = initial_weights(workload)
    batch = np.arange(workload.batch_size)
    runners = [runner_type(workload, weights), AutogradLiteRunner(workload, weights)]
    for runner in runners:
        runner.train_epoch(data, [batch])
    by_hand, with_tensors = (r.weights() for r in runners)
    for (w0, _), (w1, b1), (w2, b2) in zip(weights, by_hand, with_tensors):
        assert np.max(np.abs(w1 - w0)) > 10 * tolerance  # the step did move the weights
        np.testing.assert_allclose(w2, w1, rtol=0, atol=tolerance)
        np.testing.assert_allclose(b2, b1, rtol=0, atol=tolerance)


@pytest.mark.parametrize("workload", [SMALL, SMALL_ADAM], ids=["sgd", "adam"])
def test_both_numpy_baselines_and_autograd_lite_agree_after_a_few_steps(workload):
    rng = np.random.default_rng(2)
    x, t = rng.standard_normal((64, workload.sizes[0])), rng.integers(0, workload.sizes[-1], 64)
    data = Dataset(x, t, x, t)
    batches = [rng.permutation(64)[:8] for _ in range(10)]
    weights = initial_weights(workload, seed=3)
    runners = [r(workload, weights) for r in (NumpyRunner, TunedRunner, AutogradLiteRunner)]
    for runner in runners:
        runner.train_epoch(data, batches)
    notes, *others = (r.weights() for r in runners)
    for (w0, _), (w, _) in zip(weights, notes):
        assert np.max(np.abs(w - w0)) > 1e-3  # training did move the weights
    for other in others:
        for (w, b), (w_other, b_other) in zip(notes, other):
            np.testing.assert_allclose(w_other, w, rtol=0, atol=1e-12)
            np.testing.assert_allclose(b_other, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("numpy_type", "optim_type"),
    [(SGD, optim.SGD), (TunedSGD, optim.SGD), (Adam, optim.Adam), (TunedAdam, optim.Adam)],
)
def test_the_numpy_optimizers_follow_optims_formulas(numpy_type, optim_type):
    rng = np.random.default_rng(4)
    start = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    arrays = [p.copy() for p in start]
    tensors = [Tensor(p.copy(), requires_grad=True) for p in start]
    by_hand, reference = numpy_type(arrays, lr=0.1), optim_type(tensors, lr=0.1)
    for _ in range(5):
        grads = [rng.standard_normal(p.shape) for p in start]
        by_hand.update([g.copy() for g in grads])  # the tuned SGD scales its gradient in place
        for tensor, g in zip(tensors, grads):
            tensor.grad = Tensor(g)
        reference.step()
    for array, tensor, p0 in zip(arrays, tensors, start):
        assert np.max(np.abs(array - p0)) > 0.1
        np.testing.assert_allclose(array, tensor.data, rtol=0, atol=1e-14)


def test_the_tuned_layers_compute_what_the_notes_layers_compute():
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    y, dy = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    notes, tuned = Affine(w, b), TunedAffine(w, b)
    np.testing.assert_allclose(tuned.forward(x), notes.forward(x), rtol=1e-14)
    np.testing.assert_allclose(tuned.backward(dy), notes.backward(dy), rtol=1e-14)
    np.testing.assert_allclose(tuned.dW, notes.dW, rtol=1e-14)
    np.testing.assert_allclose(tuned.db, notes.db, rtol=1e-14)
    # ReLU's layers overwrite their inputs (the notes' backward too): each gets a copy
    notes, tuned = Relu(), TunedRelu()
    np.testing.assert_array_equal(notes.forward(y), np.maximum(y, 0))
    np.testing.assert_array_equal(tuned.forward(y.copy()), notes.forward(y))
    np.testing.assert_array_equal(notes.backward(dy.copy()), np.where(y > 0, dy, 0))
    np.testing.assert_array_equal(tuned.backward(dy.copy()), notes.backward(dy.copy()))
    t = rng.integers(0, 3, 6)
    notes, tuned = SoftmaxWithLoss(), TunedSoftmaxWithLoss()
    np.testing.assert_allclose(notes.forward(y, t), tuned.forward(y, t), rtol=NOTES_LOSS_RTOL)
    np.testing.assert_allclose(tuned.backward(), notes.backward(), rtol=1e-14, atol=1e-16)


def test_the_books_softmax_and_cross_entropy_match_nns():
    rng = np.random.default_rng(6)
    x, t = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    y = softmax(x)
    np.testing.assert_allclose(y, np.exp(x) / np.exp(x).sum(axis=1, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(softmax(x + 1000.0), y, rtol=1e-12)  # no overflow
    expected = nn.functional.cross_entropy(Tensor(x), t).item()
    np.testing.assert_allclose(cross_entropy_error(y, t), expected, rtol=NOTES_LOSS_RTOL)


def test_make_chain_refuses_the_tuned_baseline():
    with pytest.raises(ValueError, match="numpy_tuned.*W1/W2 only"):
        make_chain("numpy_tuned", chain_ops(3))


def _graph_tensors(root: Tensor) -> list[Tensor]:
    """Every tensor of the graph below ``root``, once each."""
    seen, stack = {id(root): root}, [root]
    while stack:
        t = stack.pop()
        for x in () if t._op is None else t.inputs:
            if id(x) not in seen:
                seen[id(x)] = x
                stack.append(x)
    return list(seen.values())


def _float_dtypes(*arrays) -> set[str]:
    return {a.dtype.name for a in arrays if isinstance(a, np.ndarray) and a.dtype.kind == "f"}


def test_a_float32_w2_step_is_float32_throughout(monkeypatch):
    runner = AutogradLiteRunner(W2, initial_weights(W2))
    x, t = _random_batch(W2, 4)
    loss = runner.loss(x, t)
    tensors = _graph_tensors(loss)
    nodes = [t for t in tensors if t._op is not None]  # a tensor an op made is its node
    forward = _float_dtypes(*(t.data for t in tensors))
    saved = [getattr(node, "saved", ()) for node in nodes]  # the arrays kept for backward
    forward |= _float_dtypes(*(a for arrays in saved for a in arrays))
    assert forward == {"float32"}

    backward: set[str] = set()  # dtypes of the gradients each backward rule receives and returns
    for op in {node._op for node in nodes}:
        monkeypatch.setattr(op, "backward", _recording(op.backward, backward))
    loss.backward()
    assert backward == {"float32"}

    runner.optimizer.step()
    params = list(runner.model.parameters())
    state = [a for entry in runner.optimizer.state.values() for a in entry.values()]
    assert _float_dtypes(*(p.data for p in params), *(p.grad.data for p in params), *state) == {
        "float32"
    }


def _recording(backward, dtypes: set[str]):
    def recorded(ctx, grad):
        grads = backward(ctx, grad)
        returned = grads if isinstance(grads, tuple | list) else (grads,)
        dtypes.update(_float_dtypes(*(_array(g) for g in (grad, *returned))))
        return grads

    return staticmethod(recorded)


def _array(value):
    return value.data if isinstance(value, Tensor) else value


@pytest.mark.parametrize("runner_type", [NumpyRunner, TunedRunner])
def test_the_numpy_baselines_of_w2_are_float32_throughout(runner_type):
    runner = runner_type(W2, initial_weights(W2))
    x, t = _random_batch(W2, 4)
    for _ in range(2):  # the second step uses the optimizer's state
        runner.step(x, t)
    net = runner.net
    holders = [*net.affines, *net.relus, net.loss_layer, runner.optimizer]
    values = [v for holder in holders for v in vars(holder).values()]
    values = [a for v in values for a in (v if isinstance(v, list) else [v])]
    arrays = [np.asarray(v) if isinstance(v, np.generic) else v for v in values]  # the loss too
    assert _float_dtypes(*arrays) == {"float32"}


def test_the_hand_written_chain_backward_matches_central_differences():
    ops, x = chain_ops(50), chain_input(10)
    _, g = chain_forward_backward(x, ops)
    h = 1e-6
    numerical = (chain_forward(x + h, ops) - chain_forward(x - h, ops)) / (2 * h)
    np.testing.assert_allclose(g, numerical, rtol=1e-6)


def test_the_compiled_chain_and_runner_equal_eager_autograd_lite_bit_for_bit():
    ops = chain_ops(50)
    chain = make_chain("compiled", ops)
    for seed in (0, 1):  # the first call traces, the second replays
        x = np.random.default_rng(seed).uniform(0.5, 1.0, 10)
        for compiled, eager in zip(chain(x), autograd_lite_chain(x, tensor_steps(ops))):
            assert np.array_equal(compiled, eager)
    weights = initial_weights(W2)
    runners = [make_runner(e, W2, weights) for e in ("autograd_lite", "compiled")]
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((8, 784)).astype(np.float32)
        t = rng.integers(0, 10, 8)
        for runner in runners:
            runner.step(x, t)
    for (w_eager, b_eager), (w_compiled, b_compiled) in zip(*(r.weights() for r in runners)):
        assert np.array_equal(w_eager, w_compiled) and np.array_equal(b_eager, b_compiled)


def test_the_chain_is_the_same_by_hand_and_with_autograd_lite():
    ops, x = chain_ops(50), chain_input(10)
    for by_hand, with_tensors in zip(
        chain_forward_backward(x, ops), autograd_lite_chain(x, tensor_steps(ops))
    ):
        np.testing.assert_allclose(with_tensors, by_hand, rtol=1e-12)


def test_a_long_chain_keeps_its_gradient_normal():
    # the cycle's derivative is 1 - 3x^2/2 + ...: a polynomial, not exponential, decay, so W4's
    # million ops never reach subnormal numbers (which would slow every engine down)
    _, g = chain_forward_backward(chain_input(1), chain_ops(10_000))
    assert np.all(np.isfinite(g)) and np.all(np.abs(g) > 1e-6)


def test_the_harness_runs_end_to_end_without_torch(tmp_path, capsys):
    out = tmp_path / "results.json"
    engines = ["numpy", "numpy_tuned", "autograd_lite", "compiled"]
    args = ["--engines", *engines, "--limit", str(LIMIT), "--epochs", "1"]
    args += ["--repeats", "1", "--w3-ops", "50", "--w3-runs", "1"]
    args += ["--w4-ops", "1000", "--w4-repeats", "1", "--max-wait", "0", "--json", str(out)]
    results = run.main(args)
    report = capsys.readouterr().out
    rows = ("| W1: 784-50-10", "| W2: 784-256-256-10", "| W3: chain of 50", "| 1,000 |")
    for row in (*rows, "| W5: SimpleConvNet conv 30 5x5"):
        assert row in report
    assert "PyTorch" not in report
    assert "| numpy tuned (x numpy) |" in report and "| W1 | numpy tuned |" in report
    w3_row = next(line for line in report.splitlines() if line.startswith("| W3: chain of 50"))
    assert w3_row.split(" | ")[3] == "-"  # numpy tuned's column: the chain is not tuned
    assert json.loads(out.read_text())["w1"]["accuracy"] == results["w1"]["accuracy"]
    for engine in ("numpy_tuned", "autograd_lite", "compiled"):
        assert results["w1"]["max_weight_difference"][engine] < 1e-12
    assert "| W1 | autograd_lite compiled |" in report
    assert set(results["w3"]["max_relative_difference"]) == {"numpy", "autograd_lite", "compiled"}
    assert results["w3"]["max_relative_difference"]["compiled"] < 1e-12
    memory = {(m["workload"], m["engine"]): m for m in results["memory"]}
    chain_engines, conv_engines = ("numpy", "autograd_lite", "compiled"), ("numpy", "autograd_lite")
    assert set(memory) == (
        {("w2", e) for e in engines}
        | {("w4", e) for e in chain_engines}
        | {("w5", e) for e in conv_engines}
    )
    assert all(m["peak_mib"] >= m["baseline_mib"] > 0 for m in memory.values())
    assert set(results["w5"]["median"]) == {"numpy", "autograd_lite"}  # tuned: MLPs only
    assert results["w5"]["max_weight_difference"]["autograd_lite"] < 1e-5


def _w5_runners(dtype, n_images=12, steps=3):
    """W5's numpy and autograd_lite runners after ``steps`` steps on the same random images."""
    workload = replace(W5, dtype=dtype, batch_size=4)
    weights = initial_weights(workload)
    runners = [make_runner(e, workload, weights) for e in ("numpy", "autograd_lite")]
    rng = np.random.default_rng(0)
    x = rng.random((n_images, 784)).astype(dtype)
    t = rng.integers(0, 10, n_images)
    for runner in runners:
        for step in range(steps):
            batch = slice(4 * step, 4 * step + 4)
            runner.step(x[batch], t[batch])
    return runners, x


def test_w5_by_hand_and_with_autograd_lite_take_the_same_steps():
    (book, ours), x = _w5_runners(np.float64)
    for (w, b), (w_ours, b_ours) in zip(book.weights(), ours.weights()):
        np.testing.assert_allclose(w_ours, w, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b_ours, b, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(book.predict(x), ours.predict(x))


def test_w5_stays_float32_on_both_engines():
    runners, _ = _w5_runners(np.float32)
    for runner in runners:
        assert {a.dtype for pair in runner.weights() for a in pair} == {np.dtype(np.float32)}


def test_w5_refuses_the_tuned_numpy():
    assert "does not run W5" in unsupported("w5", "numpy_tuned")
    with pytest.raises(ValueError, match="W5 runs on numpy, autograd_lite, torch"):
        make_runner("numpy_tuned", W5, initial_weights(W5))


def test_a_timed_sample_freezes_the_objects_that_existed_before_it_and_only_during_it():
    frozen_during = []
    sample = timed(lambda: frozen_during.append(gc.get_freeze_count()))
    assert frozen_during[0] > 0 and gc.get_freeze_count() == 0
    assert sample.seconds >= 0


@pytest.mark.parametrize("module", ["memory", "profiling"])
def test_the_clis_refuse_the_tuned_numpy_on_a_chain_with_a_usage_error(module, capsys):
    cli = importlib.import_module(f"benchmarks.{module}")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["w4", "--engine", "numpy_tuned"])
    assert exit_info.value.code == 2
    assert "engine 'numpy_tuned' runs W1/W2 only; for w4 pick one of" in capsys.readouterr().err
    assert unsupported("w3", "numpy_tuned") and unsupported("w2", "numpy_tuned") is None
