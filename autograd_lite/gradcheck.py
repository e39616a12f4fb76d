"""``gradcheck`` and ``gradgradcheck``: backward against central differences, in float64.

Both contract the function's outputs with a random upstream gradient ``v`` (not all ones:
ones hide mistakes in transposes and indexing) and compare, for every input element,
d(sum(v * f(x)))/dx from backward with the central difference of the same scalar.
``gradgradcheck`` runs ``gradcheck`` on the gradient itself, computed with
``create_graph=True``, which checks every op's backward rule is differentiable in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import grad
from .errors import AutogradError
from .numerical import numerical_gradient
from .tensor import Tensor


class GradcheckError(AutogradError, AssertionError):
    """Backward disagrees with numerical differentiation; the message has the details."""


def _prepare(inputs: tuple[Any, ...]) -> list[Tensor]:
    """float64 copies of the inputs; float ndarrays and tensors requiring grad are varied."""
    prepared = []
    for x in inputs:
        varied = x.requires_grad if isinstance(x, Tensor) else np.asarray(x).dtype.kind == "f"
        data = np.asarray(x.data if isinstance(x, Tensor) else x)
        data = np.array(data, dtype=np.float64) if varied else data
        prepared.append(Tensor(data, requires_grad=varied))
    if not any(t.requires_grad for t in prepared):
        raise GradcheckError("gradcheck: no input requires grad, so there is nothing to check")
    return prepared


def _as_outputs(result: Any) -> list[Tensor]:
    return list(result) if isinstance(result, tuple | list) else [result]


def _contracted(fn: Callable, inputs: list[Tensor], vs: list[np.ndarray]) -> float:
    """sum(v * f(inputs)) over all outputs: the scalar whose gradient is checked."""
    outs = _as_outputs(fn(*inputs))
    return float(sum(np.sum(np.asarray(o.data, dtype=np.float64) * v) for o, v in zip(outs, vs)))


def _upstream(outputs: list[Tensor], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(o.shape) for o in outputs]


def _analytic(outputs: list[Tensor], varied: list[Tensor], vs: list[np.ndarray], **kw) -> list:
    """Backward's gradient for each varied input (zeros where an output has no graph)."""
    live = [(o, v) for o, v in zip(outputs, vs) if o.requires_grad]
    if not live:
        return [Tensor(np.zeros(x.shape)) for x in varied]
    grads = grad(
        [o for o, _ in live],
        varied,
        grad_outputs=[Tensor(v.astype(o.dtype)) for o, v in live],
        allow_unused=True,
        **kw,
    )
    return [Tensor(np.zeros(x.shape)) if g is None else g for g, x in zip(grads, varied)]


def gradcheck(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check ``fn``'s backward against central differences; True, or raise GradcheckError.

    ``fn`` takes the inputs as Tensors and returns a Tensor or a tuple of Tensors. Inputs
    that are Tensors requiring grad, or float arrays, are varied; the rest stay constant.

    >>> from autograd_lite import Tensor, gradcheck
    >>> gradcheck(lambda x: (x * x).sum(), Tensor([1.0, 2.0], requires_grad=True))
    True
    """
    tensors = _prepare(inputs)
    varied = [t for t in tensors if t.requires_grad]
    outputs = _as_outputs(fn(*tensors))
    vs = _upstream(outputs, seed)
    analytic = _analytic(outputs, varied, vs)
    for position, (x, g) in enumerate(zip(varied, analytic)):
        if g.shape != x.shape or g.dtype != x.dtype:
            raise GradcheckError(
                f"gradcheck: varied input {position} has shape {x.shape} and dtype {x.dtype}, "
                f"but its gradient has shape {g.shape} and dtype {g.dtype}"
            )
        numeric = numerical_gradient(lambda _: _contracted(fn, tensors, vs), x.data, h=eps)
        _compare(position, x, np.asarray(g.data, dtype=np.float64), numeric, atol, rtol)
    return True


def _compare(position: int, x: Tensor, analytic, numeric, atol: float, rtol: float) -> None:
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    bad = ~(excess <= 0)  # NaN counts as a mismatch
    if bad.any():
        worst = np.unravel_index(
            np.argmax(np.where(bad, np.nan_to_num(excess, nan=np.inf), -1)), x.shape
        )
        raise GradcheckError(
            f"gradcheck: varied input {position} (shape {x.shape}): {int(bad.sum())} of "
            f"{x.size} elements disagree; worst at index {tuple(int(i) for i in worst)}: "
            f"analytic {analytic[worst]!r}, numerical {numeric[worst]!r} "
            f"(tolerance atol={atol} + rtol={rtol} * |numerical|)"
        )


def gradgradcheck(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the gradient taken with create_graph=True."""

    def first_derivatives(*xs: Tensor) -> tuple[Tensor, ...]:
        outputs = _as_outputs(fn(*xs))
        varied = [x for x in xs if x.requires_grad]
        return tuple(_analytic(outputs, varied, _upstream(outputs, seed), create_graph=True))

    return gradcheck(
        first_derivatives, *_prepare(inputs), eps=eps, atol=atol, rtol=rtol, seed=seed + 1
    )
