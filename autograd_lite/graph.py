"""Drawing the recorded graph with Graphviz: ``to_dot`` (DOT text) and ``render_svg`` (a file).

The graph is walked from the given tensors towards the leaves by Kahn's algorithm, the same
order as the backward pass (``engine.py``): a tensor is visited once every op that consumes
it has been visited, so no recursion is needed and a chain of any depth can be drawn. Each
tensor becomes a record (name, shape and dtype, values, gradient) coloured by its role, and
each op an ellipse with its name and attributes. Node ids (``t0``, ``op0``, ...) count in
the order the values were computed, so one graph always gives byte-identical DOT text.

How a tensor's record is labelled and coloured lives in ``graph_labels.py``; this file holds
the walk, the options and the call to Graphviz's ``dot`` program, which ``to_dot`` does not
need: only ``render_svg`` does, and without it raises ``GraphvizNotFoundError`` after saving
the DOT text, so nothing is lost. The Python ``graphviz`` package is imported only when a graph
is drawn (``_graphviz``), so that ``import autograd_lite`` neither needs nor loads it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AutogradError, DTypeError
from .graph_labels import KINDS, legend, op_label, tensor_kind, tensor_label
from .tensor import Tensor

if TYPE_CHECKING:
    import graphviz

RANKDIRS = ("TB", "LR", "BT", "RL")  # Graphviz's directions: top-bottom, left-right, ...
_INSTALL_HINT = (
    "install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS) or `conda install graphviz` (conda); `pip install graphviz` installs only the "
    "Python bindings, not `dot`"
)


class GraphOptionError(AutogradError, ValueError):
    """An option of ``to_dot`` or ``render_svg`` out of range: ``rankdir``, ``max_nodes``."""


class GraphvizError(AutogradError, RuntimeError):
    """Graphviz's ``dot`` could not draw the graph; the DOT text is kept on the exception.

    ``dot_source`` is the DOT text and ``dot_path`` the file it was saved to (None when that
    file could not be written), so the graph can be rendered later with ``dot -Tsvg``.
    """

    def __init__(self, message: str, dot_source: str, dot_path: Path | None) -> None:
        super().__init__(message)
        self.dot_source = dot_source
        self.dot_path = dot_path


class GraphvizNotFoundError(GraphvizError):
    """The Graphviz ``dot`` executable is not on PATH; the message says how to install it."""


def to_dot(
    *roots: Tensor,
    params: Mapping[str, Tensor] | None = None,
    rankdir: str = "TB",
    show_values: bool = True,
    show_grads: bool = True,
    max_nodes: int | None = 1000,
) -> graphviz.Digraph:
    """The graph that computed ``roots`` as a ``graphviz.Digraph`` (``.source`` is the DOT).

    ``params`` names tensors (``dict(model.named_parameters())``), ``show_values`` and
    ``show_grads`` add values and gradients to each tensor (gradients also colour NaN/inf and
    all-zero ones), ``max_nodes`` caps the op and tensor nodes drawn (None: no cap), keeping
    those nearest the roots. In Jupyter the returned Digraph displays itself.

    >>> from autograd_lite import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    >>> dot = to_dot((x * x).sum())
    >>> 't0 [label="{x|(2,) float64|[1 2]}"' in dot.source
    True
    """
    _check_options(roots, rankdir, max_nodes)
    names = _names(params)
    drawn = _nodes_to_draw(roots)
    kept = drawn if max_nodes is None else drawn[:max_nodes]
    tensor_ids, op_ids = _number(reversed(kept))
    kinds = {id(t): tensor_kind(t, show_grads) for t, is_op in kept if not is_op}
    present = set(kinds.values())
    dot = _graphviz().Digraph(
        graph_attr={
            "rankdir": rankdir,
            "label": legend([kind for kind in KINDS if kind in present]),
            "fontname": "Helvetica",
            "fontsize": "10",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "10", "style": "filled"},
        edge_attr={"arrowsize": "0.7"},
    )
    root_keys = {id(t) for t in roots}
    for t, is_op in reversed(kept):
        if is_op:
            dot.node(op_ids[id(t)], op_label(t), shape="ellipse", fillcolor="#fff3c4")
            continue
        fields = tensor_label(t, names.get(id(t), t.name), show_values, show_grads)
        fill, description = KINDS[kinds[id(t)]]
        dot.node(
            tensor_ids[id(t)],
            # a record stacks its fields across the rank direction unless braced
            "|".join(fields) if rankdir in ("LR", "RL") else "{" + "|".join(fields) + "}",
            shape="record",
            fillcolor=fill,
            tooltip=description,
            penwidth="2" if id(t) in root_keys else None,
        )
    cut = _draw_edges(dot, kept, tensor_ids, op_ids)
    if len(kept) < len(drawn):
        _draw_note(dot, drawn, kept, cut, max_nodes)
    return dot


def render_svg(*roots: Tensor, path: str | os.PathLike, **options: Any) -> Path:
    """Draw the graph of ``roots`` into the SVG file ``path`` (options as for ``to_dot``).

    Needs Graphviz's ``dot`` program. Without it, raises ``GraphvizNotFoundError`` (saying
    how to install it) and saves the DOT text next to ``path``, as ``graph.dot`` for
    ``graph.svg``, unless a ``graph.dot`` that render_svg did not write is there already: that
    file is left unchanged and the text is only on the exception's ``.dot_source``. The SVG
    is written atomically: a failure leaves no partial file.
    """
    path = Path(path)
    executable = shutil.which("dot")
    source = to_dot(*roots, **options).source
    if executable is None:
        message = f"render_svg: Graphviz's `dot` is not on PATH; {_INSTALL_HINT}"
        raise _keep_source(GraphvizNotFoundError, message, source, path)
    result = subprocess.run([executable, "-Tsvg"], input=source.encode(), capture_output=True)
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace").strip()
        message = f"render_svg: `dot -Tsvg` failed (exit {result.returncode}): {stderr}"
        raise _keep_source(GraphvizError, message, source, path)
    _write_atomically(path, result.stdout)
    return path


def _graphviz():
    """The Python ``graphviz`` package, imported when the first graph is drawn."""
    try:
        import graphviz
    except ImportError as error:
        raise ModuleNotFoundError(
            "to_dot: drawing a graph needs the Python package graphviz, which is not installed "
            "(it comes with autograd_lite's dependencies); install it with `pip install graphviz`",
            name="graphviz",
        ) from error
    return graphviz


def _check_options(roots: tuple, rankdir: str, max_nodes: int | None) -> None:
    if not roots:
        raise GraphOptionError("to_dot: no tensor given; pass the output, e.g. to_dot(loss)")
    for position, root in enumerate(roots):
        if not isinstance(root, Tensor):
            raise DTypeError(
                f"to_dot: argument {position} is a {type(root).__name__}, not a Tensor; pass "
                "tensors as separate arguments, e.g. to_dot(loss, accuracy)"
            )
    if rankdir not in RANKDIRS:
        raise GraphOptionError(
            f"to_dot: rankdir must be one of {', '.join(RANKDIRS)} (TB: top to bottom, LR: left "
            f"to right), got {rankdir!r}"
        )
    if max_nodes is not None and (
        not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1
    ):
        raise GraphOptionError(
            f"to_dot: max_nodes must be a positive int or None (no cap), got {max_nodes!r}"
        )


def _names(params: Mapping[str, Tensor] | None) -> dict[int, str]:
    """Tensor identity -> name; a tensor listed twice keeps its first name."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise DTypeError(
            f"to_dot: params must map names to tensors, got a {type(params).__name__}; "
            "e.g. params=dict(model.named_parameters())"
        )
    names: dict[int, str] = {}
    for name, t in params.items():
        if not isinstance(t, Tensor):
            raise DTypeError(f"to_dot: params[{name!r}] is a {type(t).__name__}, not a Tensor")
        names.setdefault(id(t), str(name))
    return names


def _nodes_to_draw(roots: tuple[Tensor, ...]) -> list[tuple[Tensor, bool]]:
    """``(tensor, False)`` for each tensor below ``roots`` and ``(tensor, True)`` for the op
    that made it, each after every op that consumes it (Kahn's algorithm)."""
    unique = list({id(t): t for t in roots}.values())
    consumers: dict[int, int] = {}
    stack = list(unique)
    seen = {id(t) for t in stack}
    while stack:
        t = stack.pop()
        for x in () if t._op is None else t.inputs:
            consumers[id(x)] = consumers.get(id(x), 0) + 1
            if id(x) not in seen:
                seen.add(id(x))
                stack.append(x)
    ready = [t for t in reversed(unique) if id(t) not in consumers]
    drawn = []
    while ready:
        t = ready.pop()
        drawn.append((t, False))
        if t._op is None:
            continue
        drawn.append((t, True))
        for x in t.inputs:
            consumers[id(x)] -= 1
            if consumers[id(x)] == 0:
                ready.append(x)
    return drawn


def _number(items) -> tuple[dict[int, str], dict[int, str]]:
    """Ids in computation order: ``t0, t1, ...`` for tensors, ``op0, ...`` for ops.

    An op is keyed by its output tensor, which it is drawn next to.
    """
    tensor_ids: dict[int, str] = {}
    op_ids: dict[int, str] = {}
    for t, is_op in items:
        ids = op_ids if is_op else tensor_ids
        ids[id(t)] = f"{'op' if is_op else 't'}{len(ids)}"
    return tensor_ids, op_ids


def _draw_edges(dot: graphviz.Digraph, kept: list, tensor_ids: dict, op_ids: dict) -> list[str]:
    """Draw input -> op -> output edges; return the drawn nodes that lost an input to the cap."""
    cut: dict[str, None] = {}  # an ordered set
    for t, is_op in reversed(kept):
        if not is_op:
            if t._op is not None and id(t) not in op_ids:
                cut[tensor_ids[id(t)]] = None
            continue
        op = op_ids[id(t)]
        for x in t.inputs:
            if id(x) in tensor_ids:
                dot.edge(tensor_ids[id(x)], op)
            else:
                cut[op] = None
        dot.edge(op, tensor_ids[id(t)])
    return list(cut)


def _draw_note(dot: graphviz.Digraph, drawn: list, kept: list, cut: list, cap: int) -> None:
    """Say how many nodes ``max_nodes`` left out, with dashed edges to where the graph is cut."""
    ops = sum(is_op for _, is_op in drawn[len(kept) :])
    tensors = len(drawn) - len(kept) - ops
    dot.node(
        "omitted",
        f"{ops} op nodes and {tensors} tensor nodes not shown (max_nodes={cap});\\n"
        "raise max_nodes, or pass max_nodes=None to draw all",
        shape="note",
        fillcolor="#eeeeee",
    )
    for target in cut:
        dot.edge("omitted", target, style="dashed")


# the first line of a DOT file render_svg saves: a later call may replace such a file, never
# another (a .dot the user wrote by hand, or one from another tool)
_SAVED_MARK = "// DOT source saved by autograd_lite.render_svg"


def _keep_source(error: type[GraphvizError], message: str, source: str, path: Path):
    """Save the DOT text next to ``path`` and build ``error`` saying where it is.

    The file is ``path`` with the suffix ``.dot``; an existing file there is replaced only if
    render_svg wrote it (its first line is ``_SAVED_MARK``), otherwise it is left unchanged.
    """
    dot_path = path.with_suffix(".dot")
    if dot_path.exists() and not _saved_by_us(dot_path):
        where = (
            f"was not saved: {dot_path} exists and was not written by render_svg, so it is "
            "left unchanged; the source is on the exception's .dot_source (or pass another "
            "path)"
        )
        return error(f"{message}. No SVG was written; the DOT source {where}", source, None)
    try:
        header = f"{_SAVED_MARK} (Graphviz's dot was missing or failed)\n"
        _write_atomically(dot_path, (header + source).encode())
    except OSError as write_error:
        where = f"could not be saved to {dot_path} ({write_error}); it is on .dot_source"
        dot_path = None
    else:
        where = f"was written to {dot_path} (later: `dot -Tsvg {dot_path} -o {path}`)"
    return error(f"{message}. No SVG was written; the DOT source {where}", source, dot_path)


def _saved_by_us(dot_path: Path) -> bool:
    try:
        with open(dot_path, encoding="utf-8", errors="replace") as file:
            return file.readline().startswith(_SAVED_MARK)
    except OSError:  # a folder, unreadable...: not ours to replace
        return False


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a new file in the same folder, then rename it over ``path``.

    ``open(..., "xb")`` rather than ``tempfile.mkstemp`` so that the file gets the usual
    permissions (mkstemp's are owner-only).
    """
    if not path.parent.is_dir():  # else open() would name the hidden temporary file
        raise FileNotFoundError(
            f"render_svg: cannot write {path}: the folder {path.parent.absolute()} does not "
            "exist; create it first (os.makedirs(folder, exist_ok=True))"
        )
    # at most 40 characters of the name: a name near the 255-byte limit still leaves room
    temporary = path.with_name(f".{path.name[:40]}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    file = open(temporary, "xb")  # noqa: SIM115 (closed below, before the rename)
    try:
        with file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
