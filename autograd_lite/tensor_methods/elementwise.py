"""Elementwise methods of ``Tensor`` (the ``Elementwise`` mixin).

Differentiable ones delegate to an op; ``sign``, ``floor``, ``ceil`` and ``round`` pass a
zero gradient (as in PyTorch); ``isnan``, ``isinf``, ``isfinite`` and ``isclose`` give bool
tensors outside the graph, and ``allclose`` a Python bool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import ops
from ..arguments import dtype_arg
from ..errors import DTypeError, ShapeError

if TYPE_CHECKING:
    from ..tensor import Tensor

_REAL = int | float | np.integer | np.floating


class Elementwise:
    __slots__ = ()

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent`` for a number or a Tensor exponent."""
        if isinstance(exponent, _REAL) and not isinstance(exponent, bool):
            value = exponent.item() if isinstance(exponent, np.generic) else exponent
            return ops.PowScalar.apply(self, exponent=value)
        return ops.Pow.apply(self, self._lift(exponent, "pow"))

    def exp(self) -> Tensor:
        """Elementwise e^x."""
        return ops.Exp.apply(self)

    def log(self) -> Tensor:
        """Elementwise natural logarithm."""
        return ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        """Elementwise square root."""
        return ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        """Elementwise absolute value (gradient 0 at 0)."""
        return ops.Abs.apply(self)

    def sin(self) -> Tensor:
        """Elementwise sine."""
        return ops.Sin.apply(self)

    def cos(self) -> Tensor:
        """Elementwise cosine."""
        return ops.Cos.apply(self)

    def tanh(self) -> Tensor:
        """Elementwise hyperbolic tangent."""
        return ops.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        """Elementwise 1 / (1 + e^-x), computed without overflow."""
        return ops.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        """Elementwise max(x, 0) (gradient 0 at 0)."""
        return ops.Relu.apply(self)

    def sign(self) -> Tensor:
        """Elementwise -1, 0 or 1 (gradient 0)."""
        return ops.Sign.apply(self)

    def floor(self) -> Tensor:
        """Elementwise largest integer <= x (gradient 0)."""
        return ops.Floor.apply(self)

    def ceil(self) -> Tensor:
        """Elementwise smallest integer >= x (gradient 0)."""
        return ops.Ceil.apply(self)

    def round(self, decimals: int = 0) -> Tensor:
        """Elementwise rounding to ``decimals`` places, halves to even (gradient 0)."""
        if isinstance(decimals, bool) or not isinstance(decimals, int | np.integer):
            raise DTypeError(f"round: decimals must be an int, got {decimals!r}")
        return ops.Round.apply(self, decimals=int(decimals))

    def maximum(self, other: Any) -> Tensor:
        """Elementwise maximum of two tensors (ties share the gradient)."""
        return ops.Maximum.apply(self, self._lift(other, "maximum"))

    def minimum(self, other: Any) -> Tensor:
        """Elementwise minimum of two tensors (ties share the gradient)."""
        return ops.Minimum.apply(self, self._lift(other, "minimum"))

    def clip(self, low: float | None = None, high: float | None = None) -> Tensor:
        """Limit values to [low, high]; either bound may be None."""
        for bound in (low, high):
            if bound is not None and not isinstance(bound, _REAL):
                raise DTypeError(f"clip: bounds must be real numbers or None, got {bound!r}")
        low, high = (b.item() if isinstance(b, np.generic) else b for b in (low, high))
        return ops.Clip.apply(self, low=low, high=high)

    def masked_fill(self, mask: Any, value: float) -> Tensor:
        """``value`` where the boolean ``mask`` (broadcast to x) holds, else x.

        No gradient reaches x where it was filled.
        """
        if isinstance(mask, list | tuple):
            mask = np.asarray(mask)  # a list of bools stays bool (lists of numbers are float)
        mask = self._lift(mask, "masked_fill")
        if mask.dtype != np.bool_:
            raise DTypeError(f"masked_fill: the mask must be boolean, got {mask.dtype}")
        try:
            fits = np.broadcast_shapes(mask.shape, self.shape) == self.shape
        except ValueError:
            fits = False
        if not fits:
            raise ShapeError(
                f"masked_fill: a mask of shape {mask.shape} does not broadcast to the "
                f"tensor's shape {self.shape}"
            )
        return ops.Where.apply(mask, self._lift(value, "masked_fill"), self)

    def astype(self, dtype: Any) -> Tensor:
        """The values cast to ``dtype`` (the gradient is cast back)."""
        return ops.Astype.apply(self, dtype=dtype_arg("astype", dtype))

    def isnan(self) -> Tensor:
        """Where the values are NaN (a bool tensor, no gradient)."""
        return ops.Predicate.apply(self, fn=np.isnan)

    def isinf(self) -> Tensor:
        """Where the values are +inf or -inf (a bool tensor, no gradient)."""
        return ops.Predicate.apply(self, fn=np.isinf)

    def isfinite(self) -> Tensor:
        """Where the values are neither NaN nor infinite (a bool tensor, no gradient)."""
        return ops.Predicate.apply(self, fn=np.isfinite)

    def isclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        """Where |x - other| <= atol + rtol * |other| (a bool tensor, no gradient)."""
        other = self._lift(other, "isclose")
        try:
            return ops.Predicate.apply(
                self, other, fn=np.isclose, rtol=rtol, atol=atol, equal_nan=equal_nan
            )
        except ShapeError as error:
            raise ShapeError(f"isclose: shapes {self.shape} and {other.shape}: {error}") from None

    def allclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        """Whether ``isclose`` holds everywhere (a Python bool, as in PyTorch)."""
        return bool(self.isclose(other, rtol=rtol, atol=atol, equal_nan=equal_nan).all())
