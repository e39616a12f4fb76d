"""``Predicate``: a bool or integer result computed from tensors (``x > 0``, ``isnan``,
``argmax``, ``any``, ...).

Such results have no gradient, so the op never records a graph node (``Function.apply``
records none for a non-float result), and it has no backward rule and no spec in the op
table. It is an op all the same so that every value computed from a tensor passes through
``Function.apply``: a compiled function (``autograd_lite.compile``) replays it on the new
values instead of keeping the first call's mask or index.
"""

from __future__ import annotations

import numpy as np

from ..function import Function

# the functions of Predicate that take numpy's out= besides ufuncs (np.isclose does not)
_TAKE_OUT = (np.any, np.all, np.argmax, np.argmin)


class Predicate(Function):
    reads_inputs = False

    @staticmethod
    def forward(ctx, *arrays, fn, out=None, **options):
        if out is not None and (isinstance(fn, np.ufunc) or fn in _TAKE_OUT):
            return fn(*arrays, out=out, **options)  # a compiled replay's buffer
        return np.asarray(fn(*arrays, **options))
