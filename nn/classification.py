"""Classification losses: cross_entropy (from logits), nll_loss (from log-probabilities) and
binary_cross_entropy_with_logits, with PyTorch's arguments and formulas.

Inputs are (N, C), (N, C, d1, ...) (a class score per pixel, say) or one unbatched sample
(C,); class-index targets have the input's shape without the class axis. Each element i
with label t_i has the loss

    cross_entropy:  -sum_c T_ic log softmax(x_i)_c,
                    T_ic = w_c ((1 - s) [c = t_i] + s / C),   s = label_smoothing
    nll_loss:       -w_(t_i) x_i,t_i

where w are the class weights (all ones without ``weight``), and an element whose label is
``ignore_index`` has loss 0. ``reduction='mean'`` divides the sum by the total weight of the
counted elements, sum_i w_(t_i) over labels that are not ignored (PyTorch's rule: the mean
of a weighted loss is a weighted mean; if every label is ignored that is 0 / 0 = nan, as in
PyTorch). Cross-entropy goes through the engine's fused ``softmax_cross_entropy`` with the
rows T above as its target: one stable graph node whatever the options, whose gradient is
softmax(x) sum_c T_c - T.

Targets may also be probabilities of the input's shape (float): then T = w (t (1 - s) + s/C)
and 'mean' divides by the number of elements, as PyTorch does.

Signatures are PyTorch's without its deprecated ``size_average`` and ``reduce``: ``weight``
may be passed third, every later option by name only (``reduction='sum'``), so a reduction
passed where PyTorch expects the weight is an error that says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite import DTypeError, ShapeError, Tensor, as_tensor, permute, softplus
from autograd_lite import softmax_cross_entropy as fused_cross_entropy

from ._checks import check_choice
from ._targets import REDUCTIONS, as_target, float_target, labels, reduce


def cross_entropy(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy from raw scores, fused and stable (see the module docstring).

    With integer labels and no options the gradient is (softmax(x) - one_hot(t)) / N for
    'mean', the notes' Softmax-with-Loss backward.

    >>> from autograd_lite import Tensor
    >>> round(cross_entropy(Tensor([[0.0, 0.0]]), [1]).item(), 4)  # log 2
    0.6931
    """
    op = "cross_entropy"
    x = as_tensor(input)
    rows, classes, element_shape = _class_rows(x, op)
    w = _class_weights(weight, classes, x.dtype, op)
    smoothing = check_smoothing(label_smoothing, op)
    reduction = check_choice(reduction, REDUCTIONS, "reduction", op)
    target = as_target(target)
    if target.dtype.kind in "iu" and w is None and not smoothing:  # the common case: one op
        return _label_cross_entropy(rows, target, element_shape, ignore_index, reduction, op)
    if target.dtype.kind in "iu":
        flat, kept, total = _label_rows(target, element_shape, classes, ignore_index, w, op)
        dist = np.full((len(flat), classes), smoothing / classes, dtype=x.dtype)
        dist[np.arange(len(flat)), np.where(kept, flat, 0)] += 1 - smoothing
        if w is not None:
            dist *= w
        if total is not None:
            dist[~kept] = 0  # T_ic = w_c ((1 - s) [c = t_i] + s / C), 0 for ignored labels
        loss = fused_cross_entropy(rows, dist)
        return _weighted(loss, reduction, total, element_shape)
    if target.dtype.kind != "f":
        raise DTypeError(
            f"{op}: target must be integer labels or float probabilities, got {target.dtype}"
        )
    probabilities = _to_rows(float_target(target, x, op), classes)
    if smoothing:
        probabilities = probabilities * (1 - smoothing) + smoothing / classes
    if w is not None:
        probabilities = probabilities * w
    loss = fused_cross_entropy(rows, probabilities)
    return _weighted(loss, reduction, None, element_shape)


def nll_loss(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood -w_(t_i) x_(i, t_i) of log-probabilities x (say from
    ``log_softmax``); ``cross_entropy(x, t) == nll_loss(log_softmax(x, axis=1), t)``.

    >>> from autograd_lite import Tensor
    >>> nll_loss(Tensor([[-1.0, -2.0], [-3.0, -0.5]]), [1, 0]).item()  # (2 + 3) / 2
    2.5
    """
    op = "nll_loss"
    x = as_tensor(input)
    rows, classes, element_shape = _class_rows(x, op)
    w = _class_weights(weight, classes, x.dtype, op)
    reduction = check_choice(reduction, REDUCTIONS, "reduction", op)
    target = as_target(target)
    if target.dtype.kind not in "iu":
        raise DTypeError(f"{op}: target must be integer class labels, got {target.dtype}")
    flat, kept, total = _label_rows(target, element_shape, classes, ignore_index, w, op)
    safe = np.where(kept, flat, 0)  # an ignored label picks class 0, with weight 0
    picked = rows[np.arange(len(flat)), safe]
    coefficient = kept.astype(x.dtype) if w is None else w[safe] * kept
    return _weighted(-(picked * coefficient), reduction, total, element_shape)


def binary_cross_entropy_with_logits(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    *,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """-w [p t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))], computed stably from logits x.

    p is ``pos_weight`` (broadcast along the last axis: one per class, to weigh positives
    in an imbalanced multi-label problem) and w is ``weight`` (broadcast to the input). It
    equals w [(1 - t) x + (1 + (p - 1) t) softplus(-x)], and without p, w [softplus(x) - x t]:
    no large positive number is ever exponentiated, and the gradient is sigmoid(x) - t.
    """
    op = "binary_cross_entropy_with_logits"
    x = as_tensor(input)
    t = float_target(target, x, op)
    if pos_weight is None:
        loss = softplus(x) - x * t
    else:
        p = _broadcast_constant(pos_weight, x, "pos_weight", op)
        loss = (1.0 - t) * x + (t * (p - 1.0) + 1.0) * softplus(-x)
    if weight is not None:
        loss = loss * _broadcast_constant(weight, x, "weight", op)
    return reduce(loss, reduction, op)


# ---------------------------------------------------------------------- shared steps
def _label_cross_entropy(
    rows: Tensor,
    target: Tensor,
    shape: tuple[int, ...],
    ignore_index: Any,
    reduction: str,
    op: str,
) -> Tensor:
    """Unweighted, unsmoothed cross-entropy of class labels: the engine's label-indexed op,
    which checks the labels' values itself (so a compiled step checks every batch)."""
    if target.shape != shape:
        raise ShapeError(f"{op}: integer labels must have shape {shape}, got {target.shape}")
    flat = target.reshape(-1) if target.ndim != 1 else target
    loss = fused_cross_entropy(
        rows, flat, reduction=reduction, ignore_index=check_ignore_index(ignore_index, op)
    )
    return loss if loss.shape == shape or reduction != "none" else loss.reshape(shape)


def _class_rows(x: Tensor, op: str) -> tuple[Tensor, int, tuple[int, ...]]:
    """The input as (M, C) rows of class scores, C, and the shape of one loss per element."""
    if x.ndim == 0:
        raise ShapeError(
            f"{op}: input must have shape (C,), (N, C) or (N, C, d1, ...), got shape ()"
        )
    if x.ndim == 1:
        return x.reshape(1, x.shape[0]), x.shape[0], ()
    classes = x.shape[1]
    return _to_rows(x, classes), classes, (x.shape[0], *x.shape[2:])


def _to_rows(x: Tensor, classes: int) -> Tensor:
    """(N, C, d1, ...) -> (N d1 ..., C): the class axis moved last, every other one flattened."""
    if x.ndim == 2:
        return x
    x = permute(x, (0, *range(2, x.ndim), 1))
    return x.reshape(math.prod(x.shape) // classes if classes else 0, classes)


def _label_rows(
    target: Tensor,
    shape: tuple[int, ...],
    classes: int,
    ignore_index: Any,
    w: np.ndarray | None,
    op: str,
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """The labels flattened to (M,), the mask of those not ignored, and the total weight
    that 'mean' divides by: None when it is simply M (no weights, nothing ignored)."""
    flat = labels(target, shape, classes, op, check_ignore_index(ignore_index, op)).reshape(-1)
    kept = flat != ignore_index
    if w is not None:
        return flat, kept, float(w[flat[kept]].sum())
    return flat, kept, None if kept.all() else float(kept.sum())


def _weighted(loss: Tensor, reduction: str, total: Any, shape: tuple[int, ...]) -> Tensor:
    """Reduce per-element losses: 'mean' divides the sum by ``total`` (the counted weight;
    None: the number of elements)."""
    if reduction == "none":
        return loss if loss.shape == shape else loss.reshape(shape)
    if reduction == "sum":
        return loss.sum()
    if total is None:
        return loss.mean()
    with np.errstate(invalid="ignore", divide="ignore"):  # every label ignored: nan
        return loss.sum() / total


def weight_array(weight: Any, op: str) -> np.ndarray | None:
    """Class weights as a 1-d array of numbers (None stays None), else a clear error."""
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(
            f"{op}: weight must be one number per class, got {weight!r}; "
            f"the reduction goes by name: reduction={weight!r}"
        )
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if w.ndim != 1 or w.dtype.kind not in "iuf":
        raise ShapeError(
            f"{op}: weight must be a 1-d array of numbers, one per class, got shape "
            f"{w.shape} and dtype {w.dtype}"
        )
    return w


def _class_weights(weight: Any, classes: int, dtype: np.dtype, op: str) -> np.ndarray | None:
    """``weight`` as an array of shape (C,) and the input's dtype (None stays None)."""
    w = weight_array(weight, op)
    if w is None:
        return None
    if w.shape != (classes,):
        raise ShapeError(
            f"{op}: weight has {w.shape[0]} entries but the input has {classes} classes "
            "(axis 1); give one weight per class"
        )
    return w.astype(dtype)


def check_ignore_index(value: Any, op: str) -> int:
    """``ignore_index`` as an int, else a clear error."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise DTypeError(f"{op}: ignore_index must be an int, got {value!r}")
    return int(value)


def check_smoothing(value: Any, op: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {value!r}")
    return float(value)


def _broadcast_constant(value: Any, x: Tensor, name: str, op: str) -> np.ndarray:
    """``weight`` or ``pos_weight`` as an array of x's dtype that broadcasts to x's shape."""
    array = np.asarray(value.data if isinstance(value, Tensor) else value)
    if array.dtype.kind not in "iuf":
        raise DTypeError(f"{op}: {name} must be numbers, got dtype {array.dtype}")
    try:
        fits = np.broadcast_shapes(array.shape, x.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"{op}: {name} of shape {array.shape} does not broadcast to the input's shape {x.shape}"
        )
    return array.astype(x.dtype)
