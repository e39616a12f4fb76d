"""``autograd_lite.compile``: a replay gives eager execution's results bit for bit, and what
a replay could not repeat is refused at the trace with a TraceError."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import autograd_lite as ag
import nn
import optim
from autograd_lite import Tensor, TraceError


def _mlp(sizes, dtype, seed=0, dropout=None, batch_norm=False):
    rng = np.random.default_rng(seed)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, rng=rng, dtype=dtype))
        if i < len(sizes) - 2:
            if batch_norm:
                layers.append(nn.BatchNorm1d(b, dtype=dtype))
            layers.append(nn.ReLU())
            if dropout is not None:
                layers.append(nn.Dropout(dropout, rng=np.random.default_rng(seed + 1)))
    return nn.Sequential(*layers)


def _step_of(model, optimizer):
    """One training step of ``model``: the function the tests compile."""

    def step(x, t):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), t)
        loss.backward()
        optimizer.step()
        return loss

    return step


def _train(model, optimizer, batches, compiled):
    step = _step_of(model, optimizer)
    run = ag.compile(step) if compiled else step
    losses = [run(x, t).item() for x, t in batches]
    return losses, {name: value.copy() for name, value in model.state_dict().items()}


def _batches(steps, batch, features, classes, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((batch, features)).astype(dtype), rng.integers(0, classes, batch))
        for _ in range(steps)
    ]


def _assert_identical(eager, compiled):
    (eager_losses, eager_state), (compiled_losses, compiled_state) = eager, compiled
    assert compiled_losses == eager_losses
    assert eager_state.keys() == compiled_state.keys()
    for name, value in eager_state.items():
        assert np.array_equal(compiled_state[name], value), name
        assert compiled_state[name].dtype == value.dtype


def test_w1_compiled_training_equals_eager_bit_for_bit_after_200_steps():
    batches = _batches(200, 100, 784, 10, np.float64)
    runs = []
    for compiled in (False, True):
        model = _mlp((784, 50, 10), np.float64)
        runs.append(_train(model, optim.SGD(model.parameters(), lr=0.1), batches, compiled))
    _assert_identical(*runs)


def test_w2_compiled_training_equals_eager_bit_for_bit_after_200_steps():
    batches = _batches(200, 128, 784, 10, np.float32)
    runs = []
    for compiled in (False, True):
        model = _mlp((784, 256, 256, 10), np.float32)
        runs.append(_train(model, optim.Adam(model.parameters(), lr=1e-3), batches, compiled))
    _assert_identical(*runs)
    assert runs[1][1]["0.weight"].dtype == np.float32


def test_dropout_and_batch_norm_compiled_equal_eager_with_fresh_masks_and_running_stats():
    batches = _batches(30, 16, 12, 3, np.float64)
    runs = []
    for compiled in (False, True):
        model = _mlp((12, 8, 8, 3), np.float64, dropout=0.5, batch_norm=True)
        runs.append(_train(model, optim.Adam(model.parameters(), lr=1e-2), batches, compiled))
    _assert_identical(*runs)
    # the running statistics moved on every step, not only at the trace
    model = _mlp((12, 8, 8, 3), np.float64, dropout=0.5, batch_norm=True)
    _train(model, optim.SGD(model.parameters(), lr=0.1), batches[:1], compiled=True)
    after_one = model[1].running_mean.data.copy()
    step = ag.compile(lambda x: model(x))
    outputs = [step(batches[0][0]).data for _ in range(3)]
    assert not np.array_equal(model[1].running_mean.data, after_one)
    # the same input, three different dropout masks: each replay draws afresh
    assert not np.array_equal(outputs[1], outputs[2])


def test_a_new_input_shape_traces_again_and_each_shape_replays_its_own_trace():
    w = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)

    def forward(x):
        return (x @ w).tanh().sum(axis=0)

    step = ag.compile(forward)
    for rows in (4, 1, 4, 1):
        x = np.random.default_rng(rows).standard_normal((rows, 3))
        assert np.array_equal(step(x).data, forward(Tensor(x)).data)
    assert len(step.traces) == 2
    step(np.ones((4, 3), dtype=np.float32))  # a new dtype is a new signature too
    assert len(step.traces) == 3


def test_values_computed_by_ops_follow_the_new_inputs():
    def relu_by_mask(x):
        y = ag.where(x > 0, x, 0.0)
        return y, x.argmax(), x.isfinite().all()

    step = ag.compile(relu_by_mask)
    step(np.array([1.0, -2.0, 3.0]))
    y, index, some = step(np.array([-1.0, 5.0, -3.0]))
    assert y.tolist() == [0.0, 5.0, 0.0]
    assert index.item() == 1 and some.item()


def test_a_tensor_wrapping_an_argument_follows_the_new_values():
    def gradient_of_square(x):
        leaf = Tensor(x, requires_grad=True)  # made inside: a fresh .grad on every call
        (leaf * leaf).sum().backward()
        return leaf.grad

    step = ag.compile(gradient_of_square)
    step(np.array([1.0, 2.0]))
    assert step(np.array([3.0, -1.0])).tolist() == [6.0, -2.0]
    assert step(np.array([3.0, -1.0])).tolist() == [6.0, -2.0]  # not accumulated


def test_gradients_accumulate_across_calls_without_zero_grad_as_in_eager():
    w = Tensor([1.0, 2.0], requires_grad=True)
    step = ag.compile(lambda x: (w * x).sum().backward())
    for x in ([1.0, 1.0], [2.0, 0.5], [1.0, 1.0]):
        step(np.array(x))
    assert w.grad.tolist() == [4.0, 2.5]


@pytest.mark.parametrize(
    ("read", "what"),
    [
        (lambda t: t.item(), "item()"),
        (lambda t: bool(t > 0), "__bool__"),
        (lambda t: float(t), "__float__"),
        (lambda t: t.data * 2, ".data"),
        (lambda t: np.asarray(t), "__array__"),
        (lambda t: t.tolist(), "tolist()"),
    ],
)
def test_reading_a_value_into_python_during_the_trace_is_a_trace_error(read, what):
    def branchy(x):
        loss = (x * x).sum()
        read(loss)
        return loss

    with pytest.raises(TraceError, match=rf"compile\(.*branchy\): {what}"):
        ag.compile(branchy)(np.array([1.0, 2.0]))
    # the seams are restored after the failed trace: eager code reads values again
    assert (Tensor([1.0]) * 2).item() == 2.0


def test_a_view_of_an_argument_made_outside_an_op_is_a_trace_error():
    def sliced(x):
        return Tensor(np.asarray(x.data)[1:]) * 2.0  # .data on an argument is refused
        # (an argument passed as an array and sliced in numpy is caught by the view check)

    with pytest.raises(TraceError, match=r"\.data"):
        ag.compile(sliced)(np.arange(3.0))

    def numpy_slice(x):
        return Tensor(x._data[1:]) * 2.0

    with pytest.raises(TraceError, match="views argument 0"):
        ag.compile(numpy_slice)(np.arange(3.0))


def test_an_index_array_passed_in_or_computed_is_read_on_each_replay_not_kept_from_the_trace():
    # an index is an op attribute, not an input: a replay read the trace's index array
    # (w[i] gave the first call's rows for every later i); it now reads the current one
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((6, 4))
    calls = [(rng.integers(0, 6, 5), rng.standard_normal((5, 4))) for _ in range(4)]
    results = []
    for compiled in (False, True):
        w = Tensor(weights.copy(), requires_grad=True)

        def step(i, x, w=w):
            w.zero_grad()
            rows = w[i]  # an argument as the index
            nearest = Tensor(x).argmax(axis=1)  # an index computed by an op
            loss = (rows * Tensor(x)).sum() + w[nearest, 1:3].sum() + w[Tensor(i)[::2]].sum()
            loss.backward()
            return loss, w.grad

        run = ag.compile(step) if compiled else step
        results.append(
            [(loss.item(), grad.numpy().copy()) for loss, grad in (run(*c) for c in calls)]
        )
    for (eager_loss, eager_grad), (loss, grad) in zip(*results):
        assert loss == eager_loss and np.array_equal(grad, eager_grad)


def test_an_index_out_of_range_on_a_replay_raises_naming_the_op():
    @ag.compile
    def pick(x, i):
        return Tensor(x)[i]

    pick(np.arange(4.0), np.array([0, 3]))
    pick(np.arange(4.0), np.array([1, 2]))
    with pytest.raises(IndexError, match="getitem"):
        pick(np.arange(4.0), np.array([1, 4]))


@pytest.mark.parametrize(
    "index",
    [
        np.array([3, -1, 0, 3, 63, -64]),  # repeated and negative
        np.array([[1, 2], [40, 40]], dtype=np.uint8),
        (slice(None), np.array([47, 0, -3])),  # along axis 1
        (np.array([1, 5]), np.array([2, 3])),  # two arrays: positions along both axes
        (np.array([[0], [-1], [63]]), np.array([1, -48, 47, 3])),  # broadcast, negative
        (np.arange(64), np.arange(64) % 48),  # the book's y[np.arange(N), t]
        (slice(2, 9), np.array([4, 4])),
        np.arange(64 * 48).reshape(64, 48) % 3 == 0,  # a constant mask
    ],
)
def test_indexing_with_an_array_replays_equal_to_eager(index):
    def step_of(w):
        def step(x):
            w.zero_grad()
            loss = (w[index].tanh() * 2.0).sum() + (w * Tensor(x)).sum()
            loss.backward()
            return loss, w.grad

        return step

    inputs = [np.random.default_rng(i).standard_normal((64, 48)) for i in range(3)]
    _assert_replays_as_eager(step_of, inputs)


def _assert_replays_as_eager(step_of, inputs: list) -> None:
    """``step_of(w)`` makes a step of one (64, 48) weight tensor: run eagerly and compiled
    on the same ``inputs``, every result of every call (all held to the end, so a replay
    must not write over them) is equal bit for bit."""
    weights = np.random.default_rng(0).standard_normal((64, 48))
    results = []
    for compiled in (False, True):
        step = step_of(Tensor(weights.copy(), requires_grad=True))
        run = ag.compile(step) if compiled else step
        kept = [run(x) for x in inputs]
        results.append([[t.detach().numpy() for t in out] for out in kept])
    for eager, replayed in zip(*results):
        for a, b in zip(eager, replayed):
            assert np.array_equal(a, b)


def test_an_index_array_out_of_range_on_a_replay_raises_naming_the_op():
    @ag.compile
    def pick(x, i):
        return Tensor(x)[:, i] * 2.0  # large enough for a buffer: np.take along axis 1

    x = np.zeros((64, 16))
    for i in ([0, 15, -16], [1, 2, 3]):
        pick(x, np.array(i))
    for wrong in ([1, 16, 2], [-17, 0, 0]):
        with pytest.raises(IndexError, match=r"getitem\(\(64, 16\)\).*axis 1 with size 16"):
            pick(x, np.array(wrong))


@pytest.mark.parametrize(
    "op",
    [
        lambda a: ag.softmax(a, axis=1),
        lambda a: ag.log_softmax(a, axis=1),
        lambda a: ag.logsumexp(a, axis=1),
        lambda a: ag.softmax_cross_entropy(a, a.detach() * 0.0 + 1.0 / 64),
        lambda a: a.var(axis=1),
        lambda a: ((a * 2.0).exp() * 3.0).sum(axis=1),
    ],
)
def test_ops_on_a_transposed_tensor_replay_bit_for_bit_as_eager_not_in_c_order(op):
    # numpy lays out a result on a transposed (or Fortran-order) operand in that order, and
    # a sum adds in memory order: buffers in C order changed the last bits of a replay
    def step_of(w):
        def step(x):
            w.zero_grad()
            y = op((Tensor(x) * w).T)
            (y * y).sum().backward()
            return y, w.grad

        return step

    inputs = [np.random.default_rng(i).standard_normal((64, 48)) for i in range(4)]
    inputs[2:] = [np.asfortranarray(x) for x in inputs[2:]]  # another layout: a new trace
    _assert_replays_as_eager(step_of, inputs)


def test_a_buffer_replaced_while_held_keeps_its_layout():
    # a buffer in another axis order than C's (a value numpy laid out so in the trace)
    # that is held outside gives way to a new one: laid out the same, not in C order
    from autograd_lite.compiler.workspace import Workspace, axis_order

    workspace = Workspace({})
    for ask in (
        lambda: workspace.keep(("k",), (3, 4, 5), np.float64, (2, 0, 1)),
        lambda: workspace.lend(None, "x", (5, 6), (np.empty((6, 5)).T,)),
    ):
        workspace.begin()
        first = ask()
        held = workspace.hand_out(first)
        workspace.begin()
        second = ask()
        assert second is not first and second.base is None
        assert axis_order(second) == axis_order(first) is not None
        assert held.strides == first.strides


def test_a_boolean_mask_from_a_traced_tensor_is_a_trace_error():
    # the number of elements a mask selects depends on its values: a replay cannot follow
    def positive(x):
        t = Tensor(x)
        return t[t > 0]

    with pytest.raises(TraceError, match=r"getitem's index is a boolean mask.*use where"):
        ag.compile(positive)(np.array([1.0, -1.0, 2.0]))


def test_what_cannot_be_compiled_says_so():
    w = Tensor([1.0, 2.0], requires_grad=True)

    def second_order(x):
        (g,) = ag.grad((w * w * x).sum(), [w], create_graph=True)
        return g

    with pytest.raises(TraceError, match="create_graph"):
        ag.compile(second_order)(np.ones(2))

    def first_order_by_grad(x):
        return ag.grad((w * x).sum(), [w])[0]

    with pytest.raises(TraceError, match=r"grad\(\) cannot be compiled"):
        ag.compile(first_order_by_grad)(np.ones(2))

    with pytest.raises(ag.DTypeError, match="requires grad"):
        ag.compile(lambda p: p * 2.0)(w)
    with pytest.raises(TypeError, match="neither an array nor hashable"):
        ag.compile(lambda x, options: x * 2.0)(np.ones(2), {"scale": 2})
    with pytest.raises(TraceError, match="returned a numpy array"):
        ag.compile(lambda x: np.ones(2))(np.ones(2))

    inner = ag.compile(lambda x: x * 2.0)
    with pytest.raises(TraceError, match="inside another's trace"):
        ag.compile(lambda x: inner(x))(np.ones(2))
    with pytest.raises(TypeError, match="expected a function"):
        ag.compile(3)


def test_bad_values_in_a_replay_raise_the_ops_error():
    scores = Tensor(np.zeros((2, 3)), requires_grad=True)
    step = ag.compile(lambda t: nn.functional.cross_entropy(scores, t))
    step(np.array([0, 2]))
    with pytest.raises(ag.IndexingError, match=r"label_cross_entropy.*labels must be in \[0, 2\]"):
        step(np.array([0, 3]))


def test_effects_run_on_every_replay_and_reset_traces_again():
    calls = []
    step = ag.compile(lambda x: ag.effect(calls.append, 1) or x * 2.0)
    for _ in range(3):
        step(np.ones(1))
    assert calls == [1, 1, 1]
    step.reset()
    step(np.ones(1))
    assert len(step.traces) == 1 and calls == [1, 1, 1, 1]


def test_results_keep_their_structure_and_tensors_are_detached():
    w = Tensor([1.0, 2.0], requires_grad=True)

    def step(x):
        w.zero_grad()
        y = w * x
        y.sum().backward()
        return {"y": y, "pair": (w.grad, 3)}

    compiled = ag.compile(step)
    compiled(np.ones(2))
    out = compiled(np.array([2.0, 3.0]))
    assert out["y"].tolist() == [2.0, 6.0] and not out["y"].requires_grad
    assert out["pair"][0] is w.grad and out["pair"][1] == 3


def test_eager_code_on_another_thread_during_a_trace_is_neither_recorded_nor_refused():
    started, release = threading.Event(), threading.Event()
    results = []

    def other_thread():
        started.wait()
        t = Tensor([3.0], requires_grad=True)
        (t * t).sum().backward()
        results.append((t.grad.item(), (t * 2.0).item()))
        release.set()

    def traced(x):
        started.set()
        release.wait(10)
        return x * 2.0

    worker = threading.Thread(target=other_thread)
    worker.start()
    step = ag.compile(traced)
    step(np.ones(1))
    worker.join()
    assert results == [(6.0, 6.0)]
    assert len(next(iter(step.traces.values())).tape) == 1


def test_a_scheduler_step_inside_a_compiled_function_happens_on_every_replay():
    w = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    schedule = optim.StepLR(opt, step_size=1, gamma=0.5)

    def step(x):
        opt.zero_grad()
        (w * x).sum().backward()
        opt.step()
        schedule.step()

    compiled = ag.compile(step)
    for _ in range(3):
        compiled(np.ones(1))
    assert opt.lr == 0.125 and w.item() == 1.0 - 1.0 - 0.5 - 0.25


def test_keyword_inputs_written_out_of_alphabetical_order_reach_their_own_names():
    # the inputs were bound in sorted-name order but passed on in the caller's order: x got t
    def step(x, t):
        return x * 2.0 - t

    compiled = ag.compile(step)
    x, t = np.array([1.0, 2.0]), np.array([10.0, 20.0])
    assert compiled(x=x, t=t).tolist() == [-8.0, -16.0]
    assert compiled(x=t, t=x).tolist() == [19.0, 38.0]


def test_the_first_calls_result_keeps_its_value_after_a_replay():
    # it was the traced tensor itself, whose value the next replay replaced
    w = Tensor([1.0, -2.0], requires_grad=True)

    @ag.compile
    def step(x):
        w.zero_grad()
        loss = (w * x).sum()
        loss.backward()
        return loss

    first = step(np.array([3.0, 4.0]))
    second = step(np.array([1.0, 1.0]))
    assert (first.item(), second.item()) == (-5.0, -1.0)
    assert not first.requires_grad


def _mlp_step(sizes, dtype, batch, optimizer):
    model = _mlp(sizes, dtype)
    step = ag.compile(_step_of(model, optimizer(list(model.parameters()))))
    ((x, t),) = _batches(1, batch, sizes[0], sizes[-1], dtype)
    return model, step, x, t


@pytest.mark.parametrize(
    "dtype, optimizer",
    [(np.float64, lambda ps: optim.SGD(ps, lr=0.1)), (np.float32, lambda ps: optim.Adam(ps))],
)
def test_a_replayed_mlp_step_allocates_no_array_whatever_the_model_size(dtype, optimizer):
    # linear, relu, label cross-entropy and the optimizers write into preallocated buffers
    # (issue 15); what is left is numpy's own iteration buffer inside a broadcasting ufunc
    # call (at most getbufsize() elements, freed within the call) and Python objects
    for sizes, batch in (((64, 32, 10), 16), ((784, 512, 256, 10), 256)):
        _, step, x, t = _mlp_step(sizes, dtype, batch, optimizer)
        peak = _replay_peak(step, x, t)
        assert peak < _no_array(dtype), f"{sizes}, batch {batch}: a replay allocated {peak} bytes"


def _replay_peak(step, *args, before: tuple | None = None) -> int:
    """The memory peak (tracemalloc) of one replay of ``step``, after a trace and a first
    replay (which makes the buffers), both with the arguments ``before`` (default: ``args``)."""
    import tracemalloc

    for _ in range(2):
        step(*(args if before is None else before))
    tracemalloc.start()
    step(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _no_array(dtype) -> int:
    """A peak that allocates no array: numpy's iteration buffers inside one ufunc call that
    broadcasts, casts or reads strided views (up to getbufsize() elements for each of at
    most four operands: two inputs, the output and a where= mask; freed within the call),
    small arrays from numpy's cache of small blocks, and Python objects."""
    return 4 * np.getbufsize() * np.dtype(dtype).itemsize + 16_384


def _cnn(dtype, seed=0):
    """Two convolutions (so one input gradient too), padding, max and average pooling,
    channel dropout, tanh: (N, 2, 14, 14) -> 10 classes."""
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, rng=rng, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2d(2, padding=1),
        nn.Conv2d(4, 6, 3, rng=rng, dtype=dtype),
        nn.Tanh(),
        nn.Dropout2d(0.25, rng=np.random.default_rng(seed + 1)),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(54, 10, rng=rng, dtype=dtype),
    )


def _images(steps, batch, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((batch, 2, 14, 14)).astype(dtype), rng.integers(0, 10, batch))
        for _ in range(steps)
    ]


@pytest.mark.parametrize(
    "dtype, optimizer",
    [(np.float64, lambda ps: optim.SGD(ps, lr=0.1)), (np.float32, lambda ps: optim.Adam(ps))],
)
def test_a_replayed_cnn_step_allocates_no_array(dtype, optimizer):
    # the convolutions' column matrices (also inside their backward's compute calls),
    # pooling, padding and dropout write into buffers too
    model = _cnn(dtype)
    step = ag.compile(_step_of(model, optimizer(list(model.parameters()))))
    ((x, t),) = _images(1, 16, dtype)
    peak = _replay_peak(step, x, t)
    assert peak < _no_array(dtype), f"a replay allocated {peak} bytes"


def test_a_cnn_compiled_trains_to_eager_weights_bit_for_bit():
    batches = _images(6, 8, np.float32)
    results = []
    for compiled in (False, True):
        model = _cnn(np.float32)
        results.append(_train(model, optim.Adam(list(model.parameters())), batches, compiled))
    (eager_losses, eager_state), (losses, state) = results
    assert losses == eager_losses
    for name, value in eager_state.items():
        assert np.array_equal(state[name], value), name


def test_a_replayed_step_of_elementwise_ops_batch_norm_and_softmax_allocates_no_array():
    # the notes' hand-written layers (x @ W + b), batch norm (made of elementwise ops),
    # tanh, sigmoid, dropout, softmax, log_softmax and the losses on probabilities
    rng = np.random.default_rng(0)
    w1, w2 = (
        Tensor(rng.standard_normal(s) * 0.1, requires_grad=True) for s in ((64, 48), (48, 10))
    )
    b1, b2 = Tensor(np.zeros(48), requires_grad=True), Tensor(np.zeros(10), requires_grad=True)
    norm, drop = nn.BatchNorm1d(48, dtype=np.float64), nn.Dropout(0.2, rng=rng)
    params = [w1, b1, w2, b2, *norm.parameters()]
    sgd = optim.SGD(params, lr=0.1)

    @ag.compile
    def step(x, target):
        sgd.zero_grad()
        logits = drop(norm(x @ w1 + b1).tanh()) @ w2 + b2
        loss = nn.functional.cross_entropy(logits, target)
        loss = loss + nn.functional.mse_loss(logits.sigmoid(), target)
        loss = loss - (logits.softmax(axis=1) * logits.log_softmax(axis=1)).sum(axis=1).mean()
        loss.backward()
        sgd.step()
        return loss

    x = rng.standard_normal((64, 64))
    target = rng.dirichlet(np.ones(10), 64)
    peak = _replay_peak(step, x, target)
    assert peak < _no_array(np.float64), f"a replay allocated {peak} bytes"


# The ops docs/compile.md says replay into buffers, each on arrays larger than the bound of
# _no_array: (a, b) of shape (256, 160), w (160, 128), images (16, 3, 64, 64), kernels
# (4, 3, 3, 3); any one array allocated would exceed it.
_BUFFERED = {
    "add": lambda a, b, w, x, k: a + b,
    "add_scalar": lambda a, b, w, x, k: a + 0.5,
    "sub": lambda a, b, w, x, k: a - b,
    "neg": lambda a, b, w, x, k: -a,
    "mul": lambda a, b, w, x, k: a * b,
    "mul_scalar": lambda a, b, w, x, k: a * 3.0,
    "div": lambda a, b, w, x, k: a / (b * b + 1.0),
    "div_scalar": lambda a, b, w, x, k: a / 4.0,
    "exp": lambda a, b, w, x, k: a.exp(),
    "log": lambda a, b, w, x, k: (a * a + 1.0).log(),
    "sqrt": lambda a, b, w, x, k: (a * a + 1.0).sqrt(),
    "sin": lambda a, b, w, x, k: a.sin(),
    "cos": lambda a, b, w, x, k: a.cos(),
    "tanh": lambda a, b, w, x, k: a.tanh(),
    "sigmoid": lambda a, b, w, x, k: a.sigmoid(),
    "relu": lambda a, b, w, x, k: a.relu(),
    "sum": lambda a, b, w, x, k: a.sum(axis=0) * b,
    "concatenate": lambda a, b, w, x, k: ag.concatenate([a, b], axis=1),
    "dropout": lambda a, b, w, x, k: ag.dropout(a, 0.3, np.random.default_rng(0)),
    "matmul": lambda a, b, w, x, k: a @ w,
    "linear": lambda a, b, w, x, k: ag.linear(a, w, w[0]),
    "softmax": lambda a, b, w, x, k: ag.softmax(a, axis=1),
    "log_softmax": lambda a, b, w, x, k: ag.log_softmax(a, axis=1),
    "logsumexp": lambda a, b, w, x, k: ag.logsumexp(a, axis=1),
    "softmax_cross_entropy": lambda a, b, w, x, k: ag.softmax_cross_entropy(a, b.softmax(1)),
    "conv2d": lambda a, b, w, x, k: ag.conv2d(
        ag.conv2d(x, k, padding=1),
        ag.concatenate([k, k[:, :1]], axis=1),  # padded, then 4 in
    ),
    "max_pool2d": lambda a, b, w, x, k: ag.max_pool2d(x, 2, padding=1),
    "max_pool2d (overlapping windows)": lambda a, b, w, x, k: ag.max_pool2d(x, 3, stride=2),
    "avg_pool2d": lambda a, b, w, x, k: ag.avg_pool2d(x, 2),
    "abs": lambda a, b, w, x, k: a.abs(),
    "clip": lambda a, b, w, x, k: ag.clip(a, -0.5, 0.5),
    "maximum": lambda a, b, w, x, k: ag.maximum(a, b),
    "minimum": lambda a, b, w, x, k: ag.minimum(a, b),
    "where": lambda a, b, w, x, k: ag.where(a > 0, a, b),
    "sign, floor, ceil, round": lambda a, b, w, x, k: a.sign() + a.floor() + a.ceil() + a.round(1),
    "clone": lambda a, b, w, x, k: a.clone(),
    "leaky_relu": lambda a, b, w, x, k: ag.leaky_relu(a, 0.1),
    "hardtanh": lambda a, b, w, x, k: ag.hardtanh(a),
    "silu": lambda a, b, w, x, k: ag.silu(a),
    "log_sigmoid": lambda a, b, w, x, k: ag.log_sigmoid(a),
    "elu": lambda a, b, w, x, k: ag.elu(a),
    "softplus": lambda a, b, w, x, k: ag.softplus(a),
    "max": lambda a, b, w, x, k: a.max(axis=1),
    "min": lambda a, b, w, x, k: a.min(axis=0),
    "getitem (index_add backward)": lambda a, b, w, x, k: a[1::2],
    "pow_scalar": lambda a, b, w, x, k: a**3,
    "cumsum": lambda a, b, w, x, k: ag.cumsum(a, axis=1),
    "astype": lambda a, b, w, x, k: (a.astype(np.float32) * 2.0).astype(np.float64),
    "comparisons (a bool result)": lambda a, b, w, x, k: ag.where(a > b, a, b),
    "pow (a tensor exponent)": lambda a, b, w, x, k: (a * a) ** (b * 0.5),
    "prod": lambda a, b, w, x, k: a[:, :6].prod(axis=1) * b[:, 0] + a.prod(axis=0)[:4].sum(),
    "erf": lambda a, b, w, x, k: ag.erf(a * 2.0),
    "gelu": lambda a, b, w, x, k: ag.gelu(a * 2.0),
    "gelu (tanh)": lambda a, b, w, x, k: ag.gelu(a, approximate="tanh"),
    "isclose": lambda a, b, w, x, k: ag.where(ag.isclose(a, a + b * 1e-6), a, b),
    "reshape (a copy: of a transposed tensor)": lambda a, b, w, x, k: a.T.reshape(-1) * 2.0,
    "getitem (an index array)": lambda a, b, w, x, k: (
        a[np.arange(-1, -200, -3)].sum() + b[:, [5, -2]]
    ),
    "getitem (two index arrays), gather": lambda a, b, w, x, k: (
        a[np.arange(256), np.arange(256) % 160].sum() + b.gather(1, _COLUMNS)
    ),
}
_COLUMNS = (np.arange(160)[None] * 7 + np.arange(256)[:, None]) % 160  # (256, 160)


@pytest.mark.parametrize("name", sorted(_BUFFERED))
def test_each_op_the_docs_list_replays_forward_and_backward_into_buffers(name):
    rng = np.random.default_rng(0)
    shapes = ((256, 160), (256, 160), (160, 128), (16, 3, 64, 64), (4, 3, 3, 3))
    arrays = [rng.standard_normal(shape) for shape in shapes]

    @ag.compile
    def step(*arrays):
        tensors = [Tensor(array, requires_grad=True) for array in arrays]
        loss = _BUFFERED[name](*tensors).sum()
        loss.backward()
        return loss

    peak = _replay_peak(step, *arrays)
    assert peak < _no_array(np.float64), f"{name}: a replay allocated {peak} bytes"


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_replays_into_buffers_and_equals_eager_however_its_values_split(approximate):
    # erf (exact gelu) runs a series on the elements under 2 and a continued fraction on the
    # others, partitioned in arrays of the input's size: a replay whose values split
    # otherwise than the last one's allocates nothing and gives eager's values
    def step(x):
        t = Tensor(x, requires_grad=True)
        y = ag.gelu(t, approximate=approximate)
        y.sum().backward()
        return y, t.grad

    compiled = ag.compile(step)
    rng = np.random.default_rng(0)
    for scale in (0.5, 4.0, 0.5, 20.0):
        x = rng.standard_normal((256, 160)) * scale
        x[0, :3] = (np.nan, np.inf, -np.inf)
        with np.errstate(invalid="ignore"):  # inf - inf in the tanh form's gradient: nan
            results = compiled(x), step(x)
        for got, expected in zip(*results):
            assert np.array_equal(got.detach().numpy(), expected.detach().numpy(), equal_nan=True)
    calm, wild = (rng.standard_normal((256, 160)) * scale for scale in (0.5, 20.0))
    peak = _replay_peak(compiled, wild, before=(calm,))
    assert peak < _no_array(np.float64), f"a replay allocated {peak} bytes"


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_label_cross_entropy_with_ignored_labels_replays_into_buffers_equal_to_eager(reduction):
    # the per-row arrays of ignored labels (which count, their weights, the labels read)
    # were made anew on every replay; with 40,000 rows each is over the bound
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((40_000, 3))
    labels = [rng.integers(-1, 3, 40_000) for _ in range(3)]  # -1: ignored

    def step(x, t):
        x = Tensor(x, requires_grad=True)
        loss = nn.functional.cross_entropy(x, Tensor(t), ignore_index=-1, reduction=reduction)
        (loss * loss).sum().backward()
        return loss, x.grad

    compiled = ag.compile(step)
    for t in labels:
        for got, expected in zip(compiled(logits, t), step(logits, t)):
            assert np.array_equal(got.detach().numpy(), expected.detach().numpy())
    peak = _replay_peak(compiled, logits, labels[1], before=(logits, labels[0]))
    assert peak < _no_array(np.float64), f"a replay allocated {peak} bytes"


@pytest.mark.parametrize("passes", [1, 2])
def test_a_grad_summed_over_calls_or_passes_equals_eager_and_allocates_no_array(passes):
    # without zero_grad each call adds to w.grad, and a second backward pass adds in the
    # same call: eagerly a new sum each time, on a replay one of two buffers in turn
    rng = np.random.default_rng(0)
    x, weights = rng.standard_normal((8, 512)), rng.standard_normal((512, 256)) / 16
    grads = []
    for compiled in (False, True):
        w = Tensor(weights.copy(), requires_grad=True)

        def step(x, w=w):
            for _ in range(passes):
                (Tensor(x) @ w).tanh().sum().backward()
            return w.grad

        run = ag.compile(step) if compiled else step
        kept = [run(x) for _ in range(4)]  # the .grad of each call, held: never written again
        grads.append([g.numpy().copy() if not compiled else g for g in kept])
        if compiled:
            peak = _replay_peak(run, x)
            assert peak < _no_array(np.float64), f"a replay allocated {peak} bytes"
    for eager, replayed in zip(*grads):
        assert np.array_equal(eager, replayed.numpy())


def test_a_parameter_whose_shape_or_dtype_changed_traces_again_instead_of_broadcasting():
    # a replay writes an op's result into a buffer of the trace's shape and dtype; a
    # parameter of another shape would broadcast into it (a silent wrong shape), one of
    # another dtype would be cast: the compiled function traces again instead
    w = Tensor(np.ones((2, 300)), requires_grad=True)

    @ag.compile
    def double(x):
        return w * 2.0 + x

    x = np.zeros(300)
    for _ in range(3):
        assert double(x).shape == (2, 300)
    w.data = np.full(300, 3.0)
    result = double(x)
    assert result.shape == (300,) and np.array_equal(result.numpy(), np.full(300, 6.0))
    w.data = np.full(300, 0.5, dtype=np.float32)
    result = double(x.astype(np.float32))
    assert result.dtype == np.float32 and np.array_equal(result.numpy(), np.ones(300))
    assert double(x).dtype == np.float64  # a float64 x with float32 w: numpy promotes


def test_a_parameter_whose_memory_layout_changed_traces_again():
    # buffers take the layout values had in the trace; a parameter now in Fortran order
    # (loaded from a file written so, say) gives eager results laid out otherwise, and a
    # sum over them adds in another order: the compiled function traces again
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((64, 48)), requires_grad=True)

    def step(x):
        w.zero_grad()
        y = ag.logsumexp(w * 2.0, axis=1) * Tensor(x).sum(axis=1)
        y.sum().backward()
        return y, w.grad

    compiled = ag.compile(step)
    x = rng.standard_normal((64, 48))
    for _ in range(3):
        compiled(x)
    w.data = np.asfortranarray(w.data)
    for got, expected in zip(compiled(x), [t.detach().numpy().copy() for t in step(x)]):
        assert np.array_equal(got.numpy(), expected)


def test_a_result_or_grad_kept_from_one_replay_keeps_its_value_after_the_next():
    # replays write into buffers: one that a caller still holds (or a view of it) must not
    # be written again; the next replay takes a new one
    model, step, x, t = _mlp_step((6, 5, 3), np.float64, 4, lambda ps: optim.SGD(ps, lr=0.5))
    weight = model[0].weight
    for _ in range(2):
        step(x, t)
    losses, grads, rows = [], [], []
    for _ in range(3):
        losses.append(step(x, t))
        grads.append(weight.grad)
        rows.append(weight.grad.numpy()[1:3])  # a view of the .grad alone
    values = [loss.item() for loss in losses]
    assert len(set(values)) == 3  # SGD moves the weights: every step's loss differs
    eager_model = _mlp((6, 5, 3), np.float64)
    eager_step = _step_of(eager_model, optim.SGD(list(eager_model.parameters()), lr=0.5))
    expected_losses, expected_grads = [], []
    for _ in range(5):
        expected_losses.append(eager_step(x, t).item())
        expected_grads.append(eager_model[0].weight.grad.numpy().copy())
    assert values == expected_losses[2:]
    for grad, row, expected in zip(grads, rows, expected_grads[2:]):
        assert np.array_equal(grad.numpy(), expected)
        assert np.array_equal(row, expected[1:3])
    del losses, grads, rows
    step(x, t)
    address = weight.grad.numpy().ctypes.data  # a number: it holds nothing
    step(x, t)
    assert weight.grad.numpy().ctypes.data == address  # nothing held: the same buffer again


def test_eager_ops_on_another_thread_during_a_replay_get_none_of_its_buffers():
    # ops ask a process-wide lender for buffers while a replay runs: another thread's ops
    # must get none (numpy allocates), or the next replay would write into their results
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    armed, inside, resume = threading.Event(), threading.Event(), threading.Event()

    def pause():
        if armed.is_set():
            inside.set()
            resume.wait(10)

    @ag.compile
    def step(x):
        w.zero_grad()
        y = ag.linear(x, w).relu()
        ag.effect(pause)  # the other thread runs here, with this replay's lender installed
        y.sum().backward()
        return y

    x = rng.standard_normal((2, 3))
    step(x)
    step(x)  # the first replay makes the buffers
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    image, kernel = rng.standard_normal((1, 1, 5, 5)), rng.standard_normal((2, 1, 3, 3))
    eager = []

    def other_thread():
        inside.wait(10)
        h = ag.linear(Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)).relu()
        h.sum().backward()
        with ag.no_grad():  # an op with no node asks for buffers in order: none either
            eager.append(ag.conv2d(image, kernel))
        eager.append(h)
        resume.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    armed.set()
    step(x)
    worker.join()
    armed.clear()
    step(x)  # a replay after: it must not write into the other thread's result
    convolved, h = eager
    values = h.detach().numpy()
    np.testing.assert_array_equal(values, np.maximum(a @ b, 0))
    np.testing.assert_array_equal(convolved.numpy(), ag.conv2d(image, kernel).numpy())
    buffers = next(iter(step.traces.values())).workspace.arrays.values()
    for result in (values, convolved.numpy()):
        assert not any(np.shares_memory(result, buffer) for buffer in buffers)


def test_a_custom_op_asking_ctx_buffer_writes_into_the_same_array_at_every_replay():
    class Exp(ag.Function):
        backward_on_arrays = True

        @staticmethod
        def forward(ctx, x):
            return np.exp(x, out=ctx.buffer("out", x.shape, x))

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.output()

    w = Tensor([0.5, -1.0], requires_grad=True)
    assert Exp.apply(w)._data is not Exp.apply(w)._data  # eagerly: None, numpy allocates

    @ag.compile
    def step(x):
        w.zero_grad()
        y = Exp.apply(w * x)
        y.sum().backward()
        return y.sum()

    addresses = set()
    for x in (1.0, 2.0, 3.0, 4.0):
        loss = step(np.array([x, x]))
        node = next(
            t for t in next(iter(step.traces.values())).workspace.nodes.values() if t._op is Exp
        )
        addresses.add(node._data.ctypes.data)
        assert loss.item() == np.exp(0.5 * x) + np.exp(-x)
        np.testing.assert_array_equal(w.grad.numpy(), [x * np.exp(0.5 * x), x * np.exp(-x)])
    assert len(addresses) == 2  # the trace's own array, then one buffer for every replay


def test_traces_beyond_max_traces_drop_the_least_recently_used():
    # each new input shape keeps a trace (and its buffers): without a bound, calls with
    # ever new shapes would grow memory without end
    traced = []

    @ag.compile(max_traces=2)
    def double(x):
        traced.append(x.shape)  # Python runs at a trace only
        return x * 2.0

    for n in (1, 2, 1, 3, 1, 2):
        np.testing.assert_array_equal(double(np.ones(n)).numpy(), np.full(n, 2.0))
    # 1 and 2 traced; 1 replayed (most recent); 3 traced and dropped 2; 1 replayed; 2 again
    assert traced == [(1,), (2,), (3,), (2,)]
    assert len(double.traces) == 2
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="compile: max_traces must be a positive int"):
            ag.compile(lambda x: x, max_traces=bad)
