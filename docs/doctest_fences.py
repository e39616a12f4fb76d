"""A griffe extension for the API reference: ``>>>`` examples become fenced code blocks.

The docstrings here are plain text with doctest examples (``tests/test_doctests.py`` runs
them). Markdown would read ``>>> [p.grad.shape ...]`` as a quotation holding a link, so
before mkdocstrings renders a docstring, this extension wraps each doctest block (a ``>>>``
line and the lines up to the next blank line: continuations and expected output) in a
```` ```pycon ```` fence. The docstrings themselves stay as they are. ``mkdocs.yml`` loads it.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """Wrap every doctest block of ``text`` in a ```` ```pycon ```` fence, keeping its indent.

    A block starts at a line whose first non-blank characters are ``>>>`` and ends before the
    next blank line (or at the end of the text); a blank line is put before the fence if the
    block follows text directly. Every other line is kept as it is.
    """
    out: list[str] = []
    indent: str | None = None  # the indentation of the open block's ``>>>``, or None
    for line in text.split("\n"):
        if indent is None and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            if out and out[-1].strip():
                out.append("")  # a fence must not continue the paragraph above it
            out.append(f"{indent}```pycon")
        elif indent is not None and not line.strip():
            out.append(f"{indent}```")
            indent = None
        out.append(line)
    if indent is not None:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctest examples of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
