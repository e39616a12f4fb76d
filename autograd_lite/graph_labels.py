"""The text and colour of each node ``to_dot`` draws (the walk itself is in ``graph.py``).

A tensor is a Graphviz record whose fields are its name, shape and dtype, its values and its
gradient. A tensor of at most ``SMALL`` elements shows them all; a larger one shows min, mean
and max, and the norm of its gradient. Its fill colour says what it is: data (a leaf that
requires no grad), a parameter (a leaf that requires grad), or a computed tensor; a gradient
with NaN or inf, or zero everywhere, overrides that colour, so broken and vanishing
gradients stand out. An op is an ellipse with its name and its attributes (axis, exponent,
shape, ...); an index array longer than ``SMALL`` shows as its dtype and shape.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

SMALL = 6  # tensors and index arrays with at most this many elements show their values
_LONG = 30  # attribute texts longer than this are cut

# kind -> (fill colour, description for the legend and the tooltip)
KINDS: dict[str, tuple[str, str]] = {
    "input": ("#e8e8e8", "input (no grad)"),
    "parameter": ("#cfe2ff", "parameter (leaf, requires grad)"),
    "computed": ("#ffffff", "computed by an op"),
    "grad_not_finite": ("#ff8a80", "gradient has NaN or inf"),
    "grad_zero": ("#ffd180", "gradient is zero everywhere"),
}


def tensor_kind(t: Any, show_grads: bool) -> str:
    """The key of ``KINDS`` that colours ``t``: its gradient's health first, then its role."""
    if show_grads and t.grad is not None:
        grad = t.grad.data
        if not np.isfinite(grad).all():
            return "grad_not_finite"
        if grad.size and not grad.any():
            return "grad_zero"
    if t._op is not None:
        return "computed"
    return "parameter" if t.requires_grad else "input"


def tensor_label(t: Any, name: str | None, show_values: bool, show_grads: bool) -> list[str]:
    """The record fields of a tensor, escaped for Graphviz."""
    fields = [] if name is None else [name]
    fields.append(f"{t.shape} {t.dtype}")
    if show_values:
        fields.append(_values(t.data))
    if show_grads and t.grad is not None:
        grad = t.grad.data
        fields.append("grad " + (_array(grad) if grad.size <= SMALL else f"norm {_norm(grad)}"))
    return [_escape_record(field) for field in fields]


def op_label(node: Any) -> str:
    """The op's name, then its attributes on a second line: ``sum\\naxis=1, keepdims=True``."""
    attrs = ", ".join(f"{key}={_short(value)}" for key, value in node.attrs.items())
    name = node._op.name()
    return _escape(name if not attrs else f"{name}\n{attrs}").replace("\n", "\\n")


def legend(kinds: list[str]) -> str:
    """An HTML-like graph label with one coloured cell per tensor kind in ``kinds``."""
    cells = "".join(
        f'<td bgcolor="{KINDS[kind][0]}">{html.escape(KINDS[kind][1])}</td>' for kind in kinds
    )
    return f'<<table border="0" cellborder="1" cellspacing="0"><tr>{cells}</tr></table>>'


def _values(data: np.ndarray) -> str:
    if data.size <= SMALL:
        return _array(data)
    low, mean, high = (float(f(data)) for f in (np.min, np.mean, np.max))
    return f"min {low:.4g} mean {mean:.4g} max {high:.4g}"


def _norm(grad: np.ndarray) -> str:
    """The Euclidean norm of a gradient, as four significant digits."""
    return f"{float(np.linalg.norm(grad.ravel())):.4g}"


def _array(data: np.ndarray) -> str:
    """Values in numpy's layout on one line, four significant digits: ``[[1 2] [3 0.5]]``."""
    text = np.array2string(data, separator=" ", formatter={"float_kind": lambda v: f"{v:.4g}"})
    return " ".join(text.split())


def _short(value: Any) -> str:
    """A short text for an op attribute; long arrays show as ``int64(32,)``."""
    if isinstance(value, np.ndarray):
        return _array(value) if value.size <= SMALL else f"{value.dtype}{value.shape}"
    if isinstance(value, tuple):
        inner = ", ".join(_short(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, slice):
        start, stop, step = (
            "" if p is None else _short(p) for p in (value.start, value.stop, value.step)
        )
        return f"{start}:{stop}" + (f":{step}" if step else "")
    if value is Ellipsis:
        return "..."
    if isinstance(value, np.generic):
        value = value.item()
    text = str(value) if isinstance(value, np.dtype) else repr(value)
    return text if len(text) <= _LONG else text[: _LONG - 3] + "..."


def _escape(text: str) -> str:
    """Escape backslashes for a DOT string (graphviz escapes the quotes)."""
    return text.replace("\\", "\\\\")


def _escape_record(text: str) -> str:
    """Escape the characters a record label gives a meaning to: ``{ } | < >``."""
    escaped = _escape(text).replace("\n", " ")
    for char in "{}|<>":
        escaped = escaped.replace(char, "\\" + char)
    return escaped
