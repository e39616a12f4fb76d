"""The exception types autograd_lite raises on bad input or misuse.

Every error message names the op (or function), the shapes or values involved and, where
there is one, the fix. Each type also derives from the built-in exception a numpy user would
expect (``ValueError`` for shapes, ``TypeError`` for dtypes, ...), so existing ``except``
clauses keep working.
"""


class AutogradError(Exception):
    """Base class of every error autograd_lite raises on purpose."""


class ShapeError(AutogradError, ValueError):
    """Shapes that do not broadcast or align, an axis out of range, an impossible reshape."""


class DTypeError(AutogradError, TypeError):
    """An unsupported operand type or dtype, or ``requires_grad`` on a non-float tensor."""


class IndexingError(AutogradError, IndexError):
    """An index out of range or of a kind that cannot index a tensor."""


class GraphError(AutogradError, RuntimeError):
    """Misuse of the backward pass: a freed graph, a missing gradient, an unused input."""


class TraceError(AutogradError, RuntimeError):
    """A compiled function did something its replay could not repeat (``compile``)."""
