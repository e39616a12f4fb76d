"""Shape methods of ``Tensor`` (the ``Shape`` mixin): reshape, transpose, flatten, flip, ...

All are views or rearrangements of the values; ``reshape``, ``transpose``, ``flip`` and
``broadcast_to`` are ops, the others are built from them (``tile`` is a reshape, a
broadcast and a reshape; ``gather`` is an index).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import ops
from ..arguments import keyword_aliases, shape_arg
from ..errors import DTypeError, IndexingError, ShapeError
from ..ops._axes import (
    normalize_axes,
    permutation,
    single_axis,
    squeezed_shape,
    unsqueezed_shape,
)

if TYPE_CHECKING:
    from ..tensor import Tensor


class Shape:
    __slots__ = ()

    def reshape(self, *shape: int) -> Tensor:
        """The same values in a new shape (one dimension may be -1)."""
        return ops.Reshape.apply(self, shape=shape_arg("reshape", shape))

    def transpose(self, *axes: int) -> Tensor:
        """Reorder the axes: none reverses them, all of them permute as ``numpy.transpose``,
        and exactly two swap those two, as PyTorch's ``transpose(dim0, dim1)``.

        On a 2-d tensor ``transpose(0, 1)`` is therefore the matrix transpose (PyTorch's
        meaning), not numpy's identity permutation; ``permute`` always permutes.
        """
        given = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], tuple | list) else axes
        if len(given) == 2:
            return self._swap(*given, op="transpose")
        return self.permute(*axes)

    def permute(self, *axes: int) -> Tensor:
        """Reorder the axes by a full permutation (none reverses them), as numpy's transpose."""
        if not axes:
            return ops.Transpose.apply(self, axes=None)
        if len(axes) == 1 and isinstance(axes[0], tuple | list):
            axes = tuple(axes[0])
        return ops.Transpose.apply(self, axes=permutation("transpose", axes, self.ndim))

    @property
    def T(self) -> Tensor:  # noqa: N802 (numpy's name)
        """The transpose (axes reversed), as numpy's ``.T``."""
        return ops.Transpose.apply(self, axes=None)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes."""
        return self._swap(axis1, axis2, op="swapaxes")

    def _swap(self, axis1: int, axis2: int, op: str) -> Tensor:
        first, second = (single_axis(op, a, self.ndim) for a in (axis1, axis2))
        axes = list(range(self.ndim))
        axes[first], axes[second] = second, first
        return ops.Transpose.apply(self, axes=tuple(axes))

    def broadcast_to(self, *shape: int) -> Tensor:
        """Broadcast to ``shape`` as numpy does."""
        return ops.BroadcastTo.apply(self, shape=shape_arg("broadcast_to", shape))

    def sum_to(self, *shape: int) -> Tensor:
        """Sum over broadcast axes down to ``shape`` (the inverse of ``broadcast_to``)."""
        return ops.SumTo.apply(self, shape=shape_arg("sum_to", shape))

    @keyword_aliases
    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """Drop size-1 axes (all of them, or the given ones, which must have size 1)."""
        return self.reshape(squeezed_shape(self.shape, axis))

    @keyword_aliases
    def unsqueeze(self, axis: int | tuple[int, ...]) -> Tensor:
        """Insert size-1 axes at ``axis``, an int or a tuple (``numpy.expand_dims``)."""
        return self.reshape(unsqueezed_shape(self.shape, axis))

    @keyword_aliases
    def expand_dims(self, axis: int) -> Tensor:
        """Insert a size-1 axis (numpy's name for ``unsqueeze``)."""
        return self.unsqueeze(axis)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge the axes ``start_dim`` to ``end_dim`` (default: all) into one (PyTorch's)."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = (single_axis("flatten", a, self.ndim) for a in (start_dim, end_dim))
        if start > end:
            raise ShapeError(
                f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for a tensor "
                f"of shape {self.shape}"
            )
        return self.reshape(self.shape[:start] + (-1,) + self.shape[end + 1 :])

    @keyword_aliases
    def flip(self, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """Reverse the order of the elements along ``axis`` (None: along every axis)."""
        return ops.Flip.apply(self, axis=normalize_axes("flip", axis, self.ndim))

    def tile(self, *reps: int) -> Tensor:
        """Repeat the whole tensor ``reps`` times along each axis (``numpy.tile``).

        Fewer reps than axes repeat the last axes; more add leading axes.
        """
        reps = shape_arg("tile", reps)
        if any(r < 0 for r in reps):
            raise ShapeError(f"tile: repetitions must be >= 0, got {reps}")
        ndim = max(len(reps), self.ndim)
        reps = (1,) * (ndim - len(reps)) + reps
        shape = (1,) * (ndim - self.ndim) + self.shape
        # (a, b) tiled (r, s) times: view as (1, a, 1, b), broadcast to (r, a, s, b), merge
        interleaved = tuple(n for size in shape for n in (1, size))
        stretched = tuple(n for r, size in zip(reps, shape) for n in (r, size))
        merged = tuple(r * size for r, size in zip(reps, shape))
        return self.reshape(interleaved).broadcast_to(stretched).reshape(merged)

    def repeat(self, *sizes: int) -> Tensor:
        """Repeat the whole tensor ``sizes`` times along each axis (PyTorch's ``repeat``).

        As ``tile``, but ``sizes`` must cover every axis (extra leading ones add axes);
        numpy's ``repeat``, which repeats each element, is not this.
        """
        sizes = shape_arg("repeat", sizes)
        if len(sizes) < self.ndim:
            raise ShapeError(
                f"repeat: {len(sizes)} repetition count(s) for a tensor of {self.ndim} "
                f"dimensions; give one per dimension, e.g. repeat({', '.join(['1'] * self.ndim)})"
            )
        return self.tile(sizes)

    @keyword_aliases
    def gather(self, axis: int, index: Any) -> Tensor:
        """``out[i][j] = x[index[i][j]][j]`` for ``axis=0`` (PyTorch's ``gather``).

        ``index`` is an integer tensor with as many axes as ``x``, no larger than ``x`` on
        the other axes; the gradient scatters back, adding where an index repeats.
        """
        axis = single_axis("gather", axis, self.ndim)
        index = np.asarray(getattr(index, "_data", index))
        if index.dtype.kind not in "iu":
            raise DTypeError(f"gather: index must hold integers, got {index.dtype}")
        if index.ndim != self.ndim or any(
            i != axis and n > m for i, (n, m) in enumerate(zip(index.shape, self.shape))
        ):
            raise IndexingError(
                f"gather: index of shape {index.shape} does not fit a tensor of shape "
                f"{self.shape} along axis {axis}; it needs {self.ndim} axes, none larger than "
                "the tensor's except the gathered one"
            )
        size = self.shape[axis]
        if index.size and (index.min() < -size or index.max() >= size):
            raise IndexingError(
                f"gather: index values from {index.min()} to {index.max()} do not fit axis "
                f"{axis} of size {size} (shape {self.shape}); use values in [0, {size - 1}]"
            )
        # every position of the index, with the gathered axis replaced by the index's values
        positions = list(np.indices(index.shape, sparse=True))
        positions[axis] = index
        return self[tuple(positions)]

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with numpy's semantics (``@``)."""
        return ops.MatMul.apply(self, self._lift(other, "matmul"))
