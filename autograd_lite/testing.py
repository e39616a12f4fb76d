"""Property tests for ops: the hypothesis-based check autograd_lite runs on its own ops.

Use it for a custom op (a ``Function`` subclass) exactly as the project's op table does::

    from autograd_lite.testing import cases, check_op
    check_op(lambda x: MySquare.apply(x), lambda a: a**2, cases(1))

For every generated case, ``check_case`` verifies in float64 that the forward pass equals
the numpy reference, that the inputs are not mutated, that each gradient has its input's
shape and dtype, that the plain backward (rules on arrays) and ``create_graph=True`` (rules
on Tensors) give the same gradient, that ``gradcheck`` passes and, where the second
derivative exists, ``gradgradcheck`` too. Non-differentiable points (relu at 0, ties in
max) are avoided by drawing values from a grid that keeps away from them (see ``grid``).

Needs hypothesis (``pip install "autograd-lite[dev]"``).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

try:
    from hypothesis import given
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        'autograd_lite.testing needs hypothesis: pip install "autograd-lite[dev]"'
    ) from error

from .autograd import grad
from .compiler import compile as compile_function
from .compiler import workspace
from .gradcheck import gradcheck, gradgradcheck
from .tensor import Tensor

Elements = st.SearchStrategy
KwargsFor = Callable[[tuple[tuple[int, ...], ...]], st.SearchStrategy]


@dataclass(frozen=True)
class Case:
    """One generated call of an op: its float64 input arrays and keyword arguments."""

    arrays: tuple[np.ndarray, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


def floats(low: float = -2.0, high: float = 2.0) -> Elements:
    """Finite floats in [low, high]."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def grid(
    low: float, high: float, step: float = 0.01, offset: float = 0.0, exclude: Sequence[float] = ()
) -> Elements:
    """Values ``offset + k * step`` in [low, high], without ``exclude``.

    Two grid values differ by at least ``step``, so drawing from a grid keeps clear of kinks
    (exclude 0 for relu and abs) and ties (``unique=True`` arrays for max; two grids offset by
    step/2 for ``maximum``), where numerical differentiation would straddle the kink.
    """
    first, last = int(np.ceil((low - offset) / step)), int(np.floor((high - offset) / step))
    values = (round(offset + k * step, 12) for k in range(first, last + 1))
    return st.sampled_from([v for v in values if v not in exclude])


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4):
    """Array shapes, 0-d and size-1 axes included."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_shapes(n: int, max_dims: int = 3, max_side: int = 4):
    """Tuples of ``n`` shapes that broadcast together (numpy's rules)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda s: s.input_shapes)


def reduction_kwargs(shape: tuple[int, ...]) -> st.SearchStrategy:
    """``axis`` (None, an int or a tuple, negative included) and ``keepdims`` for a shape."""
    ndim = len(shape)
    axes = st.none()
    if ndim:
        axes |= st.integers(-ndim, ndim - 1)
        axes |= st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(tuple)
    return st.fixed_dictionaries({"axis": axes, "keepdims": st.booleans()})


@st.composite
def _cases(draw, n_inputs, elements, shape_strategy, kwargs_for, unique) -> Case:
    input_shapes = draw(shape_strategy)
    arrays = tuple(
        draw(hnp.arrays(np.float64, shape, elements=elements[i], unique=unique))
        for i, shape in enumerate(input_shapes)
    )
    kwargs = draw(kwargs_for(input_shapes)) if kwargs_for else {}
    return Case(arrays, kwargs)


def cases(
    n_inputs: int = 1,
    *,
    elements: Elements | Sequence[Elements] | None = None,
    input_shapes: st.SearchStrategy | None = None,
    kwargs: KwargsFor | None = None,
    unique: bool = False,
) -> st.SearchStrategy:
    """Cases for an op of ``n_inputs`` float inputs.

    ``elements`` is one value strategy or one per input (default ``floats(-2, 2)``);
    ``input_shapes`` draws a tuple of shapes (default: broadcastable shapes, or one shape
    for a single input); ``kwargs`` maps the drawn shapes to a strategy of keyword arguments.
    """
    if elements is None or isinstance(elements, st.SearchStrategy):
        elements = [floats() if elements is None else elements] * n_inputs
    if input_shapes is None:
        input_shapes = (
            shapes().map(lambda s: (s,)) if n_inputs == 1 else (broadcastable_shapes(n_inputs))
        )
    return _cases(n_inputs, list(elements), input_shapes, kwargs, unique)


def _assert_same(a: np.ndarray, b: np.ndarray, what: str) -> None:
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    np.testing.assert_array_equal(a, b, err_msg=what)


def check_case(
    fn: Callable[..., Tensor],
    reference: Callable[..., np.ndarray],
    case: Case,
    *,
    second_order: bool = True,
    forward_rtol: float = 1e-10,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    compiled: bool = True,
    allocation_free: bool = False,
) -> None:
    """Check one case of an op: forward, no mutation, gradient shapes, first and second
    order, and (``compiled``) the same value and gradients bit for bit when compiled; with
    ``allocation_free``, also that a replay leaves no new numpy array behind (its results,
    gradients and saved values go into the replay's buffers: ``out=`` or ``ctx.buffer``,
    docs/compile.md)."""
    originals = [a.copy() for a in case.arrays]
    tensors = [Tensor(a.copy(), requires_grad=True) for a in case.arrays]
    out = fn(*tensors, **case.kwargs)
    expected = np.asarray(reference(*originals, **case.kwargs))
    assert out.shape == expected.shape, f"forward shape {out.shape} != numpy's {expected.shape}"
    assert out.dtype == np.float64, f"forward dtype {out.dtype}, expected float64"
    np.testing.assert_allclose(out.data, expected, rtol=forward_rtol, atol=1e-12)
    for t, original in zip(tensors, originals):
        _assert_same(t.data, original, "the forward pass mutated an input")
    upstream = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(upstream)
    for i, t in enumerate(tensors):
        _assert_same(t.data, originals[i], "the backward pass mutated an input")
        assert t.grad is not None, f"input {i} received no gradient"
        assert t.grad.shape == t.shape, f"grad of input {i}: shape {t.grad.shape} != {t.shape}"
        assert t.grad.dtype == t.dtype, f"grad of input {i}: dtype {t.grad.dtype} != {t.dtype}"
    # A built-in rule runs on arrays in that backward and on Tensors under create_graph; the
    # two must give the same gradient (gradgradcheck differentiates the second one).
    on_tensors = grad(fn(*tensors, **case.kwargs), tensors, upstream, create_graph=True)
    for i, (t, g) in enumerate(zip(tensors, on_tensors)):
        np.testing.assert_allclose(
            g.data, t.grad.data, rtol=1e-12, atol=1e-14,
            err_msg=f"grad of input {i}: backward() and create_graph=True disagree",
        )  # fmt: skip

    if compiled:
        grads = [t.grad.data for t in tensors]
        _check_compiled(fn, case, upstream, out.data, grads, allocation_free)

    def call(*xs: Tensor) -> Tensor:
        return fn(*xs, **case.kwargs)

    gradcheck(call, *tensors, eps=eps, atol=atol, rtol=rtol)
    if second_order:
        gradgradcheck(call, *tensors, eps=eps, atol=atol, rtol=rtol)


def _check_compiled(fn, case: Case, upstream, value, grads, allocation_free: bool) -> None:
    """The op through ``autograd_lite.compile``: traced on other values (each input's
    elements reversed), then replayed twice on the case's own, it must give eager's results.
    Every result, however small, gets a buffer here (``workspace.SMALL_BYTES``), and the
    second replay writes into the buffers of the first: with ``allocation_free`` it must
    leave no new numpy array behind but 0-d ones (a 0-d result of numpy is a scalar,
    which no buffer holds)."""

    def step(*arrays):
        xs = [Tensor(a, requires_grad=True) for a in arrays]
        out = fn(*xs, **case.kwargs)
        out.backward(upstream)
        return out, [x.grad for x in xs]

    small, workspace.SMALL_BYTES = workspace.SMALL_BYTES, 0
    try:
        compiled = compile_function(step)
        compiled(*[a.ravel()[::-1].reshape(a.shape).copy() for a in case.arrays])
        for replay in ("first", "second"):
            arrays = [a.copy() for a in case.arrays]
            if replay == "second" and allocation_free:
                made = _numpy_arrays_made(compiled, arrays)
                assert not made, f"a replay made new numpy arrays of {made} bytes"
            out, replayed = compiled(*arrays)
            where = f" ({replay} replay)"
            _assert_same(out.data, value, "compiled forward differs from eager" + where)
            for i, expected in enumerate(grads):
                message = f"compiled grad of input {i} differs from eager{where}"
                _assert_same(replayed[i].data, expected, message)
            del out, replayed  # nothing held: the second replay reuses the buffers
    finally:
        workspace.SMALL_BYTES = small


def _numpy_arrays_made(compiled: Callable, arrays: list) -> list[int]:
    """The sizes of the numpy arrays one call of ``compiled`` made that are still alive
    when it returns (results, gradients, values saved for backward), found with
    tracemalloc in numpy's own domain; 0-d values (8 bytes) are left out. Temporaries
    freed within the call are not seen (the memory peak of a replay bounds those:
    tests/test_compile.py)."""
    tracemalloc.start()
    try:
        compiled(*arrays)
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    numpy_domain = tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)
    return [t.size for t in snapshot.filter_traces([numpy_domain]).traces if t.size > 8]


def check_op(
    fn: Callable[..., Tensor],
    reference: Callable[..., np.ndarray],
    strategy: st.SearchStrategy,
    **options: Any,
) -> None:
    """Run ``check_case`` on cases drawn by hypothesis (settings from the active profile)."""

    @given(strategy)
    def property_holds(case: Case) -> None:
        check_case(fn, reference, case, **options)

    property_holds()
