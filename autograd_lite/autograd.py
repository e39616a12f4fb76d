"""``grad()``: gradients of outputs with respect to chosen inputs, returned, not accumulated.

With ``create_graph=True`` the returned gradients are themselves differentiable, which gives
grad-of-grad and Hessian-vector products.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .engine import root_gradient, run_backward
from .errors import GraphError
from .tensor import Tensor


def _as_list(x: Tensor | Sequence[Tensor], what: str) -> list[Tensor]:
    items = [x] if isinstance(x, Tensor) else list(x)
    if not all(isinstance(t, Tensor) for t in items):
        raise GraphError(f"grad: {what} must be Tensors, got {[type(t).__name__ for t in items]}")
    return items


def _output_grads(outputs: list[Tensor], grad_outputs: Any) -> list[Tensor]:
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor | np.ndarray):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise GraphError(
            f"grad: {len(outputs)} output(s) but {len(grad_outputs)} grad_outputs; give one each"
        )
    return [root_gradient(out, g, "grad") for out, g in zip(outputs, grad_outputs)]


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> list[Tensor | None]:
    """Return d(outputs)/d(input) for each input, leaving every ``.grad`` untouched.

    >>> from autograd_lite import Tensor, grad
    >>> x = Tensor(3.0, requires_grad=True)
    >>> (dx,) = grad(x**3, x, create_graph=True)  # 3 x^2 = 27
    >>> (ddx,) = grad(dx, x)  # 6 x = 18
    >>> float(dx.data), float(ddx.data)
    (27.0, 18.0)
    """
    outputs = _as_list(outputs, "outputs")
    inputs = _as_list(inputs, "inputs")
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise GraphError(f"grad: output {i} does not require grad, so it has no graph")
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise GraphError(f"grad: input {i} (shape {x.shape}) does not require grad")
    retain = create_graph if retain_graph is None else retain_graph
    result = run_backward(
        outputs,
        _output_grads(outputs, grad_outputs),
        retain_graph=retain,
        create_graph=create_graph,
        inputs=inputs,
    )
    if not allow_unused:
        unused = [i for i, g in enumerate(result) if g is None]
        if unused:
            raise GraphError(
                f"grad: input(s) {unused} were not used to compute the outputs; "
                "pass allow_unused=True to get None for them"
            )
    return result
