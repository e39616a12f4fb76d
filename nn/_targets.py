"""What every loss shares: the reductions, and targets turned into Tensors and checked labels.

A float target is cast to the input's dtype (float32 logits give a float32 loss); integer
targets are class labels, checked against the number of classes, with one value
(``ignore_index``) that may stand outside that range to mark elements without a loss.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import IndexingError, ShapeError, Tensor

from ._checks import check_choice

REDUCTIONS = ("mean", "sum", "none")


def reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    """The mean, the sum, or (``'none'``) the losses themselves."""
    reduction = check_choice(reduction, REDUCTIONS, "reduction", op)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def as_target(target: Any) -> Tensor:
    """A target as a Tensor; lists keep numpy's dtype, so ``[1, 0]`` stays integer labels."""
    return target if isinstance(target, Tensor) else Tensor(np.asarray(target))


def float_target(target: Any, x: Tensor, op: str) -> Tensor:
    """``target`` as a Tensor of ``x``'s shape and dtype (cast, so float32 stays float32)."""
    target = as_target(target)
    if target.shape != x.shape:
        raise ShapeError(
            f"{op}: input has shape {x.shape} but target has shape {target.shape}; "
            "they must be equal (no broadcasting)"
        )
    return target if target.dtype == x.dtype else target.astype(x.dtype)


def labels(
    target: Tensor, shape: tuple[int, ...], classes: int, op: str, ignore_index: int | None = None
) -> np.ndarray:
    """Integer class labels of ``shape``, each in [0, classes) or equal to ``ignore_index``."""
    if target.shape != shape:
        raise ShapeError(f"{op}: integer labels must have shape {shape}, got {target.shape}")
    values = target.data
    counted = values[values != ignore_index] if ignore_index is not None else values.ravel()
    if counted.size and (counted.min() < 0 or counted.max() >= classes):
        ignored = "" if ignore_index is None else f" (or ignore_index={ignore_index})"
        raise IndexingError(
            f"{op}: labels must be in [0, {classes - 1}] for {classes} classes{ignored}, "
            f"got values from {counted.min()} to {counted.max()}"
        )
    return values
