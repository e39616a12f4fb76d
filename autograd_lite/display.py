"""Rich display in Jupyter: the small HTML tables a notebook shows for a Tensor.

Jupyter shows an object by calling its ``_repr_html_`` method when it has one; ``Tensor``
takes ``tensor_html`` as that method, so a tensor at the end of a cell appears as a table of
its shape, dtype, ``requires_grad``, the op that made it, its values and its gradient. Plain
``repr`` (the console, ``print``) is unchanged. Big arrays are summarized as numpy prints
them (the first and last ``EDGE_ITEMS`` of each axis, ``...`` between) with their min, mean
and max, so displaying a million-element tensor stays quick and short.

``html_table`` is the one table builder: ``nn``'s module display uses it too. Every name and
value goes through ``html.escape``, so a tensor named ``"<b>"`` shows those three characters.

This module reads tensors only through their public attributes and never imports
``tensor.py`` (which takes ``tensor_html`` while its class is being defined).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

MAX_FULL = 100  # tensors with up to this many elements show every value
EDGE_ITEMS = 3  # otherwise: this many values at each end of every axis


def html_table(
    title: str, rows: Iterable[Sequence[str]], header: Sequence[str] | None = None
) -> str:
    """An HTML table under a bold title: each row's first cell is its heading, then values.

    Every text is escaped here, so callers pass plain strings.

    >>> html_table("x<1>", [("shape", "(2,)")]).startswith("<div><b>x&lt;1&gt;</b><table>")
    True
    """
    head = "" if header is None else "<tr>" + "".join(_cell("th", h) for h in header) + "</tr>"
    body = "".join(
        "<tr>" + _cell("th", row[0]) + "".join(_cell("td", v) for v in row[1:]) + "</tr>"
        for row in rows
    )
    return f"<div><b>{html.escape(title)}</b><table>{head}{body}</table></div>"


def _cell(tag: str, text: str) -> str:
    """One left-aligned cell; values keep their line breaks and spacing (numpy's layout)."""
    inner = html.escape(text) if tag == "th" else f'<pre style="margin:0">{html.escape(text)}</pre>'
    return f'<{tag} style="text-align:left">{inner}</{tag}>'


def array_text(array: np.ndarray) -> str:
    """The values as numpy prints them, summarized with ``...`` past ``MAX_FULL`` elements.

    >>> print(array_text(np.arange(1000.0)))
    [  0.   1.   2. ... 997. 998. 999.]
    """
    return np.array2string(array, threshold=MAX_FULL, edgeitems=EDGE_ITEMS, separator=" ")


def summary_text(array: np.ndarray) -> str:
    """``min / mean / max`` of a numeric array (NaN shows as nan), e.g. for a big tensor.

    >>> summary_text(np.array([1.0, 2.0, 6.0]))
    'min 1, mean 3, max 6'
    """
    if array.size == 0 or array.dtype.kind not in "biuf":
        return "(no values)" if array.size == 0 else "(not numeric)"
    values = array.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        low, mean, high = values.min(), values.mean(), values.max()
    return f"min {low:.6g}, mean {mean:.6g}, max {high:.6g}"


def tensor_html(tensor: Any) -> str:
    """The table Jupyter shows for a Tensor: shape, dtype, requires_grad, op, values, grad.

    >>> from autograd_lite import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    >>> "<th" in tensor_html(x) and "requires_grad" in tensor_html(x)
    True
    """
    data = tensor.data
    kind = type(tensor).__name__  # Tensor, or a subclass such as nn.Parameter
    title = kind if tensor.name is None else f"{kind} {tensor.name!r}"
    rows = [
        ("shape", str(tuple(data.shape))),
        ("dtype", str(data.dtype)),
        ("requires_grad", str(tensor.requires_grad)),
        ("op", tensor.op if tensor.op is not None else "none (a leaf)"),
        ("values", array_text(data)),
    ]
    if data.size > MAX_FULL:
        rows.append(("summary", summary_text(data)))
    grad = tensor.grad
    rows.append(("grad", "None" if grad is None else array_text(grad.data)))
    if grad is not None and grad.data.size > MAX_FULL:
        rows.append(("grad summary", summary_text(grad.data)))
    return html_table(title, rows)
