"""The benchmark harness computes what it claims to: correctness only, never timings.

The hand-written numpy baseline must do the same mathematics as autograd_lite (same gradients,
same updates), the float32 workload must stay float32 everywhere, and the harness must run end
to end with tiny settings. PyTorch is never needed here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from autograd_lite import Tensor
from benchmarks import run
from benchmarks.engines import AutogradLiteRunner, autograd_lite_chain
from benchmarks.numpy_by_hand import (
    NumpyNet,
    NumpyRunner,
    chain_forward,
    chain_forward_backward,
)
from benchmarks.workloads import (
    W1,
    W2,
    MLPWorkload,
    chain_input,
    chain_ops,
    initial_weights,
    load_data,
    tensor_steps,
)

SMALL = MLPWorkload("small", (20, 16, 12, 5), np.float64, "sgd", 0.1, 8)
LIMIT = 512  # training images for the tests that use MNIST


@pytest.fixture(autouse=True)
def _mnist_location(mnist_dir, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(mnist_dir))


def _random_batch(workload: MLPWorkload, n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, workload.sizes[0])).astype(workload.dtype)
    return x, rng.integers(0, workload.sizes[-1], n)


def test_numpy_by_hand_gradients_equal_autograd_lites():
    weights = initial_weights(SMALL, seed=3)
    x, t = _random_batch(SMALL, 8)
    net = NumpyNet([(w.copy(), b.copy()) for w, b in weights])
    loss = net.loss(x, t)
    by_hand = net.backward()
    runner = AutogradLiteRunner(SMALL, weights)
    tensor_loss = runner.loss(x, t)
    tensor_loss.backward()
    np.testing.assert_allclose(loss, tensor_loss.item(), rtol=1e-12)
    for (dw, db), layer in zip(by_hand, runner.linears):
        np.testing.assert_allclose(dw, layer.weight.grad.data, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(db, layer.bias.grad.data, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("workload", "tolerance"), [(W1, 1e-12), (W2, 1e-5)])
def test_one_step_gives_the_same_weights_by_hand_and_with_autograd_lite(workload, tolerance):
    # float32 Adam's first step is lr * g / (|g| + eps): rounding decides it where g ~ eps
    data = load_data(workload.dtype, LIMIT)
    weights = initial_weights(workload)
    batch = np.arange(workload.batch_size)
    runners = [NumpyRunner(workload, weights), AutogradLiteRunner(workload, weights)]
    for runner in runners:
        runner.train_epoch(data, [batch])
    by_hand, with_tensors = (r.weights() for r in runners)
    for (w0, _), (w1, b1), (w2, b2) in zip(weights, by_hand, with_tensors):
        assert np.max(np.abs(w1 - w0)) > 10 * tolerance  # the step did move the weights
        np.testing.assert_allclose(w2, w1, rtol=0, atol=tolerance)
        np.testing.assert_allclose(b2, b1, rtol=0, atol=tolerance)


def _graph_tensors(root: Tensor) -> list[Tensor]:
    """Every tensor of the graph below ``root``, once each."""
    seen, stack = {id(root): root}, [root]
    while stack:
        node = stack.pop()._node
        for x in () if node is None else node.inputs:
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
    nodes = [t._node for t in tensors if t._node is not None]
    forward = _float_dtypes(*(t.data for t in tensors))
    saved = [getattr(node, "saved", ()) for node in nodes]  # the arrays kept for backward
    forward |= _float_dtypes(*(a for arrays in saved for a in arrays))
    assert forward == {"float32"}

    backward: set[str] = set()  # dtypes of the gradients each backward rule receives and returns
    for op in {node.op for node in nodes}:
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


def test_the_numpy_baseline_of_w2_is_float32_throughout():
    runner = NumpyRunner(W2, initial_weights(W2))
    x, t = _random_batch(W2, 4)
    runner.step(x, t)
    layers = [*runner.net.affines, *runner.net.relus, runner.net.loss_layer]
    arrays = [a for layer in layers for a in vars(layer).values()]
    optimizer = runner.optimizer
    arrays += [*optimizer.params, *optimizer.m, *optimizer.v, *optimizer.scratch]
    assert _float_dtypes(*arrays) == {"float32"}


def test_the_hand_written_chain_backward_matches_central_differences():
    ops, x = chain_ops(50), chain_input(10)
    _, g = chain_forward_backward(x, ops)
    h = 1e-6
    numerical = (chain_forward(x + h, ops) - chain_forward(x - h, ops)) / (2 * h)
    np.testing.assert_allclose(g, numerical, rtol=1e-6)


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
    args = ["--engines", "numpy", "autograd_lite", "--limit", str(LIMIT), "--epochs", "1"]
    args += ["--repeats", "1", "--w3-ops", "50", "--w3-runs", "1"]
    args += ["--w4-ops", "1000", "--w4-repeats", "1", "--max-wait", "0", "--json", str(out)]
    results = run.main(args)
    report = capsys.readouterr().out
    for row in ("| W1: 784-50-10", "| W2: 784-256-256-10", "| W3: chain of 50", "| 1,000 |"):
        assert row in report
    assert "PyTorch" not in report
    assert json.loads(out.read_text())["w1"]["accuracy"] == results["w1"]["accuracy"]
    assert results["w1"]["max_weight_difference"]["autograd_lite"] < 1e-12
    assert results["w3"]["max_relative_difference"]["autograd_lite"] < 1e-12
    memory = {(m["workload"], m["engine"]): m for m in results["memory"]}
    assert set(memory) == {(w, e) for w in ("w2", "w4") for e in ("numpy", "autograd_lite")}
    assert all(m["peak_mib"] >= m["baseline_mib"] > 0 for m in memory.values())
