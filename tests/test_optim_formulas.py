"""Each optimizer's trajectory against an independent numpy implementation of its formula.

Random parameters (0-d, size-1, empty and larger shapes) receive a random gradient at each
of STEPS steps, or none (the optimizer must skip that parameter and leave its state alone);
the learning rate is constant or changes every step (as a scheduler would change it). The
references below are plain float64 numpy, written from the published formulas, one
parameter at a time, without in-place tricks.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import Tensor
from optim import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSProp

STEPS = 7


# ---------------------------------------------------------------------- references
def sgd_reference(p, grads, lrs, momentum, dampening, nesterov, weight_decay):
    path, buf = [], None
    for g, lr in zip(grads, lrs):
        if g is not None:
            g = g + weight_decay * p
            if momentum:
                buf = g if buf is None else momentum * buf + (1 - dampening) * g
                g = g + momentum * buf if nesterov else buf
            p = p - lr * g
        path.append(p)
    return path


def momentum_reference(p, grads, lrs, momentum):
    path, v = [], np.zeros_like(p)
    for g, lr in zip(grads, lrs):
        if g is not None:
            v = momentum * v - lr * g
            p = p + v
        path.append(p)
    return path


def book_nesterov_reference(p, grads, lrs, momentum):
    path, v = [], np.zeros_like(p)
    for g, lr in zip(grads, lrs):
        if g is not None:
            v = momentum * v - lr * g
            p = p + momentum**2 * v - (1 + momentum) * lr * g
        path.append(p)
    return path


def adagrad_reference(p, grads, lrs, eps):
    path, h = [], np.zeros_like(p)
    for g, lr in zip(grads, lrs):
        if g is not None:
            h = h + g * g
            p = p - lr * g / (np.sqrt(h) + eps)
        path.append(p)
    return path


def rmsprop_reference(p, grads, lrs, alpha, eps, weight_decay, momentum, centered):
    path = []
    v, grad_avg, buf = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for g, lr in zip(grads, lrs):
        if g is not None:
            g = g + weight_decay * p
            v = alpha * v + (1 - alpha) * g**2
            if centered:
                grad_avg = alpha * grad_avg + (1 - alpha) * g
                denom = np.sqrt(v - grad_avg**2) + eps
            else:
                denom = np.sqrt(v) + eps
            if momentum:
                buf = momentum * buf + g / denom
                p = p - lr * buf
            else:
                p = p - lr * g / denom
        path.append(p)
    return path


def adam_reference(p, grads, lrs, betas, eps, weight_decay, decoupled=False, amsgrad=False):
    path, m, v, v_max, t = [], np.zeros_like(p), np.zeros_like(p), np.zeros_like(p), 0
    beta1, beta2 = betas
    for g, lr in zip(grads, lrs):
        if g is not None:
            t += 1
            if decoupled:
                p = p * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * p
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            v_max = np.maximum(v_max, v)  # PyTorch's amsgrad: the largest v so far
            m_hat, v_hat = m / (1 - beta1**t), (v_max if amsgrad else v) / (1 - beta2**t)
            p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(p)
    return path


# ---------------------------------------------------------------------- the harness
@st.composite
def problems(draw):
    """Initial values, per-step gradients (None = no grad that step) and per-step lrs."""
    shapes = draw(
        st.lists(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), max_size=3)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    initial = [rng.standard_normal(shape) for shape in shapes + [(2, 3)]]
    grads = [
        [rng.standard_normal(x.shape) if rng.random() > 0.2 else None for x in initial]
        for _ in range(STEPS)
    ]
    lr = draw(st.floats(1e-3, 1.0))
    varying = draw(st.booleans())
    lrs = lr * rng.uniform(0.5, 1.5, STEPS) if varying else np.full(STEPS, lr)
    return initial, grads, [float(x) for x in lrs]


def run(make, initial, grads, lrs):
    """The optimizer's path: after each step, a copy of every parameter's values."""
    params = [Tensor(x.copy(), requires_grad=True) for x in initial]
    opt = make(params)
    path = []
    for step_grads, lr in zip(grads, lrs):
        opt.lr = lr
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else Tensor(g)
        opt.step()
        path.append([p.data.copy() for p in params])
    return path


def check_against(reference, make, problem, **hyper):
    initial, grads, lrs = problem
    path = run(make, initial, grads, lrs)
    for i, x in enumerate(initial):
        expected = reference(x, [step[i] for step in grads], lrs, **hyper)
        for step, want in enumerate(expected):
            np.testing.assert_allclose(
                path[step][i], want, rtol=1e-12, atol=1e-12, err_msg=f"param {i}, step {step}"
            )


weight_decays = st.one_of(st.just(0.0), st.floats(1e-4, 0.1))
momenta = st.floats(0.0, 0.99)
epsilons = st.floats(1e-8, 1e-3)


@st.composite
def sgd_hyper(draw):
    nesterov = draw(st.booleans())
    return {
        "momentum": draw(st.floats(0.1, 0.99) if nesterov else st.one_of(st.just(0.0), momenta)),
        "dampening": 0.0 if nesterov else draw(st.one_of(st.just(0.0), st.floats(0.0, 1.0))),
        "nesterov": nesterov,
        "weight_decay": draw(weight_decays),
    }


# ---------------------------------------------------------------------- trajectories
@given(problems(), sgd_hyper())
def test_sgd_follows_pytorchs_formula(problem, hyper):
    check_against(sgd_reference, lambda ps: SGD(ps, 0.1, **hyper), problem, **hyper)


@given(problems(), momenta)
def test_momentum_follows_the_books_formula(problem, momentum):
    make = lambda ps: Momentum(ps, 0.1, momentum)  # noqa: E731
    check_against(momentum_reference, make, problem, momentum=momentum)


@given(problems(), momenta)
def test_nesterov_follows_the_books_formula(problem, momentum):
    make = lambda ps: Nesterov(ps, 0.1, momentum)  # noqa: E731
    check_against(book_nesterov_reference, make, problem, momentum=momentum)


@given(problems(), st.one_of(st.just(1e-7), epsilons))
def test_adagrad_follows_the_books_formula(problem, eps):
    check_against(adagrad_reference, lambda ps: AdaGrad(ps, 0.1, eps), problem, eps=eps)


@given(
    problems(),
    st.fixed_dictionaries(
        {
            # alpha >= 0.5: v - grad_avg^2 cancels badly for alpha near 0, in any implementation
            "alpha": st.floats(0.5, 0.999),
            "eps": epsilons,
            "weight_decay": weight_decays,
            "momentum": st.one_of(st.just(0.0), momenta),
            "centered": st.booleans(),
        }
    ),
)
def test_rmsprop_follows_pytorchs_formula(problem, hyper):
    check_against(rmsprop_reference, lambda ps: RMSProp(ps, 0.1, **hyper), problem, **hyper)


adam_hyper = st.fixed_dictionaries(
    {
        "betas": st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.9999)),
        "eps": epsilons,
        "weight_decay": weight_decays,
    }
)


@given(problems(), adam_hyper)
def test_adam_follows_pytorchs_formula(problem, hyper):
    check_against(adam_reference, lambda ps: Adam(ps, 0.1, **hyper), problem, **hyper)


@given(problems(), adam_hyper)
def test_adamw_decays_the_weights_before_the_adam_step(problem, hyper):
    make = lambda ps: AdamW(ps, 0.1, **hyper)  # noqa: E731
    check_against(adam_reference, make, problem, decoupled=True, **hyper)


@given(problems(), adam_hyper)
def test_adam_amsgrad_follows_pytorchs_formula(problem, hyper):
    make = lambda ps: Adam(ps, 0.1, amsgrad=True, **hyper)  # noqa: E731
    check_against(adam_reference, make, problem, amsgrad=True, **hyper)


@given(problems(), adam_hyper)
def test_adamw_amsgrad_follows_pytorchs_formula(problem, hyper):
    make = lambda ps: AdamW(ps, 0.1, amsgrad=True, **hyper)  # noqa: E731
    check_against(adam_reference, make, problem, decoupled=True, amsgrad=True, **hyper)


def test_amsgrad_differs_from_adam_once_v_shrinks():
    # a large gradient, then small ones: v falls, v_max does not, so amsgrad moves less
    initial, grads, lrs = (
        [np.array([1.0])],
        [[np.array([10.0])]] + [[np.array([0.1])]] * 6,
        [0.1] * 7,
    )
    adam = run(lambda ps: Adam(ps, 0.1), initial, grads, lrs)[-1][0]
    amsgrad = run(lambda ps: Adam(ps, 0.1, amsgrad=True), initial, grads, lrs)[-1][0]
    assert adam[0] < amsgrad[0] < initial[0][0]


def test_adamw_default_weight_decay_is_pytorchs():
    assert AdamW([Tensor([1.0], requires_grad=True)]).defaults["weight_decay"] == 0.01
    assert Adam([Tensor([1.0], requires_grad=True)]).defaults["weight_decay"] == 0.0


# ---------------------------------------------------------------------- relations
def constant_lr_problem(seed, lr):
    rng = np.random.default_rng(seed)
    initial = [rng.standard_normal((3, 2)), rng.standard_normal(())]
    grads = [[rng.standard_normal(x.shape) for x in initial] for _ in range(STEPS)]
    return initial, grads, [lr] * STEPS


@given(st.integers(0, 2**32 - 1), st.floats(1e-3, 1.0), momenta)
def test_momentum_and_sgd_momentum_trace_the_same_path_at_a_constant_lr(seed, lr, momentum):
    # v_t = a v_{t-1} - lr g_t and b_t = a b_{t-1} + g_t give v_t = -lr b_t by induction,
    # so W += v_t and p -= lr b_t are the same move.
    problem = constant_lr_problem(seed, lr)
    books = run(lambda ps: Momentum(ps, lr, momentum), *problem)
    pytorchs = run(lambda ps: SGD(ps, lr, momentum=momentum), *problem)
    for got, want in zip(books, pytorchs):
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_momentum_and_sgd_momentum_part_when_the_lr_changes():
    # Two steps at lr1 then lr2: Momentum moves -lr1 g1 + (a (-lr1 g1) - lr2 g2), SGD moves
    # -lr1 g1 - lr2 (a g1 + g2); the difference is a g1 (lr2 - lr1).
    a, lr1, lr2 = 0.9, 0.1, 0.03
    g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    initial, grads, lrs = [np.array([0.3, 0.7])], [[g1], [g2]], [lr1, lr2]
    books = run(lambda ps: Momentum(ps, lr1, a), initial, grads, lrs)[-1][0]
    pytorchs = run(lambda ps: SGD(ps, lr1, momentum=a), initial, grads, lrs)[-1][0]
    np.testing.assert_allclose(books - pytorchs, a * g1 * (lr2 - lr1), rtol=1e-12)


@given(st.integers(0, 2**32 - 1), st.floats(1e-3, 1.0), st.floats(0.1, 0.99))
def test_books_nesterov_step_is_momentum_times_pytorchs_minus_lr_g(seed, lr, a):
    # The book moves with the updated velocity, a^2 v_t - (1 + a) lr g_t; PyTorch (and
    # arXiv:1212.0901 eq. 7) with the previous one, a v_t - lr g_t. Same gradients, so the
    # book's step is a * PyTorch's step - lr g_t: not the same optimizer.
    initial, grads, lrs = constant_lr_problem(seed, lr)
    books = run(lambda ps: Nesterov(ps, lr, a), initial, grads, lrs)
    pytorchs = run(lambda ps: SGD(ps, lr, momentum=a, nesterov=True), initial, grads, lrs)
    for i, x in enumerate(initial):
        book_before, pytorch_before = x, x
        for t in range(STEPS):
            book_step = books[t][i] - book_before
            pytorch_step = pytorchs[t][i] - pytorch_before
            np.testing.assert_allclose(
                book_step, a * pytorch_step - lr * grads[t][i], rtol=1e-9, atol=1e-12
            )
            book_before, pytorch_before = books[t][i], pytorchs[t][i]
    assert not np.array_equal(books[0][0], pytorchs[0][0])  # a different first step


@pytest.mark.parametrize("decay", [0.0, 0.05])
def test_adam_and_adamw_agree_without_weight_decay_and_differ_with_it(decay):
    problem = constant_lr_problem(0, 0.01)
    adam = run(lambda ps: Adam(ps, 0.01, weight_decay=decay), *problem)[-1][0]
    adamw = run(lambda ps: AdamW(ps, 0.01, weight_decay=decay), *problem)[-1][0]
    assert np.array_equal(adam, adamw) == (decay == 0.0)
