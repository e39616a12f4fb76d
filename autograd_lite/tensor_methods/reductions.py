"""Reductions and softmax-like methods of ``Tensor`` (the ``Reductions`` mixin).

``axis`` is None (all axes), an int or a tuple of ints, as in numpy; ``dim=`` and
``keepdim=`` are PyTorch's names for ``axis`` and ``keepdims`` and are accepted everywhere.
``argmax``, ``argmin``, ``any`` and ``all`` give integer or bool tensors outside the graph.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import ops
from ..arguments import keyword_aliases
from ..errors import DTypeError, ShapeError
from ..ops._axes import check_keepdims, normalize_axes, single_axis

if TYPE_CHECKING:
    from ..tensor import Tensor

Axis = int | tuple[int, ...] | None


class Reductions:
    __slots__ = ()

    @keyword_aliases
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (None: all axes)."""
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    @keyword_aliases
    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis`` (None: all axes)."""
        check_keepdims("mean", keepdims)
        count = math.prod(self.shape[a] for a in normalize_axes("mean", axis, self.ndim))
        values = self if self.dtype.kind == "f" else self.astype(np.float64)  # as numpy does
        return values.sum(axis=axis, keepdims=keepdims) / count

    @keyword_aliases
    def var(self, axis: Axis = None, correction: int = 1, keepdims: bool = False) -> Tensor:
        """Variance over ``axis``: sum((x - mean)^2) / (N - correction).

        ``correction=1`` (the default, as in PyTorch) is the unbiased estimate; numpy's
        ``np.var`` divides by N, which is ``correction=0`` (``ddof=0`` is accepted too).
        """
        return self._variance("var", axis, correction, keepdims)

    @keyword_aliases
    def std(self, axis: Axis = None, correction: int = 1, keepdims: bool = False) -> Tensor:
        """Standard deviation over ``axis``, the square root of ``var`` (same ``correction``)."""
        return self._variance("std", axis, correction, keepdims).sqrt()

    def _variance(self, op: str, axis: Axis, correction: int, keepdims: bool) -> Tensor:
        count = math.prod(self.shape[a] for a in normalize_axes(op, axis, self.ndim))
        if isinstance(correction, bool) or not isinstance(correction, int | np.integer):
            raise DTypeError(f"{op}: correction must be an int (0 or 1), got {correction!r}")
        if count - correction <= 0:
            raise ShapeError(
                f"{op}: {count} element(s) per result leave no degrees of freedom with "
                f"correction={correction}; use correction=0 or reduce over more elements"
            )
        check_keepdims(op, keepdims)
        deviation = self - self.mean(axis=axis, keepdims=True)
        return (deviation * deviation).sum(axis=axis, keepdims=keepdims) / (count - correction)

    @keyword_aliases
    def prod(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Product over one axis (None: all); the gradient is exact also where x has zeros."""
        axis = None if axis is None else single_axis("prod", axis, self.ndim)
        return ops.Prod.apply(self, axis=axis, keepdims=keepdims)

    @keyword_aliases
    def cumsum(self, axis: int | None = None) -> Tensor:
        """Running sums along ``axis`` (None: over the flattened values, as numpy does)."""
        if axis is None:
            return ops.Cumsum.apply(self.reshape(-1), axis=0)
        return ops.Cumsum.apply(self, axis=single_axis("cumsum", axis, self.ndim))

    @keyword_aliases
    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Maximum over ``axis``; tied maxima share the gradient evenly."""
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    @keyword_aliases
    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Minimum over ``axis``; tied minima share the gradient evenly."""
        return ops.Min.apply(self, axis=axis, keepdims=keepdims)

    @keyword_aliases
    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """The index of the maximum along ``axis`` (None: in the flattened values); int64."""
        return self._index_of(np.argmax, "argmax", axis, keepdims)

    @keyword_aliases
    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """The index of the minimum along ``axis`` (None: in the flattened values); int64."""
        return self._index_of(np.argmin, "argmin", axis, keepdims)

    def _index_of(self, find, op: str, axis: int | None, keepdims: bool) -> Tensor:
        if self.size == 0:
            raise ShapeError(f"{op}: the tensor is empty (shape {self.shape}); there is no index")
        axis = None if axis is None else single_axis(op, axis, self.ndim)
        keepdims = check_keepdims(op, keepdims)
        return ops.Predicate.apply(self, fn=find, axis=axis, keepdims=keepdims)  # int64 (intp)

    @keyword_aliases
    def any(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Whether some element along ``axis`` is nonzero (a bool tensor, no gradient)."""
        axes = normalize_axes("any", axis, self.ndim)
        keepdims = check_keepdims("any", keepdims)
        return ops.Predicate.apply(self, fn=np.any, axis=axes, keepdims=keepdims)

    @keyword_aliases
    def all(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Whether every element along ``axis`` is nonzero (a bool tensor, no gradient)."""
        axes = normalize_axes("all", axis, self.ndim)
        keepdims = check_keepdims("all", keepdims)
        return ops.Predicate.apply(self, fn=np.all, axis=axes, keepdims=keepdims)

    @keyword_aliases
    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """log(sum(exp(x))) over ``axis``, stable for large values."""
        return ops.LogSumExp.apply(self, axis=axis, keepdims=keepdims)

    @keyword_aliases
    def softmax(self, axis: int = -1) -> Tensor:
        """Softmax along ``axis``, stable for large values."""
        return ops.Softmax.apply(self, axis=axis)

    @keyword_aliases
    def log_softmax(self, axis: int = -1) -> Tensor:
        """log(softmax(x)) along ``axis``, computed in one stable step."""
        return ops.LogSoftmax.apply(self, axis=axis)
