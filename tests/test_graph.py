"""Tests of ``autograd_lite.graph``: the DOT text of ``to_dot`` and the SVG of ``render_svg``.

The DOT text is checked against golden strings; the SVG tests run Graphviz's ``dot`` and are
never skipped: CI installs Graphviz, and without it they fail with the install hint. The
missing-``dot`` path is tested by emptying PATH, a failing ``dot`` by a fake one on PATH.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from autograd_lite import AutogradError, DTypeError, Tensor
from autograd_lite.graph import (
    GraphOptionError,
    GraphvizError,
    GraphvizNotFoundError,
    render_svg,
    to_dot,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"

_GRAPH_HEADER = (
    "digraph {\n"
    '\tgraph [fontname=Helvetica fontsize=10 label=<<table border="0" cellborder="1" '
    'cellspacing="0"><tr><td bgcolor="#e8e8e8">input (no grad)</td><td bgcolor="#cfe2ff">'
    'parameter (leaf, requires grad)</td><td bgcolor="#ffffff">computed by an op</td></tr>'
    "</table>> rankdir=TB]\n"
    "\tnode [fontname=Helvetica fontsize=10 style=filled]\n"
    "\tedge [arrowsize=0.7]\n"
)
GOLDEN_BEFORE_BACKWARD = _GRAPH_HEADER + (
    '\tt0 [label="{w|(2,) float64|[1 -2]}" fillcolor="#cfe2ff" shape=record '
    'tooltip="parameter (leaf, requires grad)"]\n'
    '\tt1 [label="{x|(2,) float64|[3 0.5]}" fillcolor="#e8e8e8" shape=record '
    'tooltip="input (no grad)"]\n'
    '\top0 [label=mul fillcolor="#fff3c4" shape=ellipse]\n'
    '\tt2 [label="{(2,) float64|[3 -1]}" fillcolor="#ffffff" shape=record '
    'tooltip="computed by an op"]\n'
    '\top1 [label="sum\\naxis=0, keepdims=False" fillcolor="#fff3c4" shape=ellipse]\n'
    '\tt3 [label="{() float64|2}" fillcolor="#ffffff" penwidth=2 shape=record '
    'tooltip="computed by an op"]\n'
    "\tt0 -> op0\n"
    "\tt1 -> op0\n"
    "\top0 -> t2\n"
    "\tt2 -> op1\n"
    "\top1 -> t3\n"
    "}\n"
)
GOLDEN_AFTER_BACKWARD = GOLDEN_BEFORE_BACKWARD.replace(
    '"{w|(2,) float64|[1 -2]}"', '"{w|(2,) float64|[1 -2]|grad [3 0.5]}"'
)
NOT_FINITE = 'fillcolor="#ff8a80"'
ALL_ZERO = 'fillcolor="#ffd180"'


def small_graph() -> Tensor:
    """sum(w * x) with a parameter w and an input x, both named."""
    w = Tensor([1.0, -2.0], requires_grad=True, name="w")
    x = Tensor([3.0, 0.5], name="x")
    return (w * x).sum(axis=0)


def apple_graph() -> tuple[Tensor, ...]:
    """The apple purchase of *Deep Learning from Scratch* (price 220), after backward."""
    apple = Tensor(100.0, requires_grad=True, name="apple")
    apple_num = Tensor(2.0, requires_grad=True, name="apple_num")
    tax = Tensor(1.1, requires_grad=True, name="tax")
    price = apple * apple_num * tax
    price.backward()
    return price, apple, apple_num, tax


def chain(length: int) -> Tensor:
    """sin(sin(...sin(x))) with ``length`` ops."""
    y = Tensor(0.5, requires_grad=True, name="x")
    for _ in range(length):
        y = y.sin()
    return y


def node_line(source: str, node_id: str) -> str:
    """The statement that declares ``node_id`` in DOT ``source``."""
    return next(line for line in source.splitlines() if line.startswith(f"\t{node_id} ["))


def node_ids(source: str) -> list[str]:
    """The ids of the nodes DOT ``source`` declares, in order."""
    body = source.splitlines()[4:]  # after the graph, node and edge defaults
    return [line.split()[0] for line in body if " [" in line and " -> " not in line]


def svg_nodes(path: Path) -> dict[str, list[str]]:
    """Parse an SVG written by dot: node title (the DOT id) -> the texts drawn in it."""
    root = ET.parse(path).getroot()
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    return {g.find(f"{SVG}title").text: [t.text for t in g.iter(f"{SVG}text")] for g in groups}


# ------------------------------------------------------------------------------ DOT text
def test_dot_matches_golden_before_backward():
    assert to_dot(small_graph()).source == GOLDEN_BEFORE_BACKWARD


def test_dot_matches_golden_after_backward_with_gradients():
    y = small_graph()
    y.backward()
    assert to_dot(y).source == GOLDEN_AFTER_BACKWARD


def test_same_graph_gives_byte_identical_dot():
    y = small_graph()
    first = to_dot(y).source
    assert to_dot(y).source == first
    assert to_dot(small_graph()).source == first
    assert "0x" not in first and str(id(y)) not in first


def test_rankdir_lr_lays_record_fields_out_top_to_bottom():
    source = to_dot(small_graph(), rankdir="LR").source
    assert "rankdir=LR" in source
    assert 't0 [label="w|(2,) float64|[1 -2]"' in source  # no braces: fields stack in LR


@pytest.mark.parametrize("rankdir", ["XY", "lr", "", None])
def test_bad_rankdir_is_rejected_with_the_valid_values(rankdir):
    with pytest.raises(GraphOptionError, match=r"rankdir must be one of TB, LR, BT, RL"):
        to_dot(small_graph(), rankdir=rankdir)


@pytest.mark.parametrize("max_nodes", [0, -1, 2.5, True, "10"])
def test_bad_max_nodes_is_rejected(max_nodes):
    with pytest.raises(GraphOptionError, match=r"max_nodes must be a positive int or None"):
        to_dot(small_graph(), max_nodes=max_nodes)


def test_roots_and_params_must_be_tensors():
    with pytest.raises(GraphOptionError, match=r"no tensor given"):
        to_dot()
    with pytest.raises(DTypeError, match=r"argument 0 is a list, not a Tensor"):
        to_dot([small_graph()])
    with pytest.raises(DTypeError, match=r"params must map names to tensors"):
        to_dot(small_graph(), params=[("w", Tensor(1.0))])
    with pytest.raises(DTypeError, match=r"params\['w'\] is a ndarray, not a Tensor"):
        to_dot(small_graph(), params={"w": np.ones(2)})


def test_params_name_the_tensors_and_win_over_tensor_names():
    weight = Tensor(np.ones((3, 2)), requires_grad=True, name="W")
    bias = Tensor(np.zeros(2), requires_grad=True)
    y = (Tensor(np.ones((1, 3))) @ weight + bias).sum()
    source = to_dot(y, params={"fc1.weight": weight, "fc1.bias": bias}).source
    assert '"{fc1.weight|(3, 2) float64|' in source
    assert '"{fc1.bias|(2,) float64|[0 0]}"' in source
    assert "{W|" not in source


def test_tensor_used_twice_is_drawn_once_with_two_edges():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    h = x * 2.0
    y = (h + h).sum() + h.sum()  # a node used twice, and a diamond
    source = to_dot(y).source
    assert source.count("{x|") == 1
    h_id = next(line.split()[0] for line in source.splitlines() if "[2 4]" in line)
    assert source.count(f"\t{h_id} -> ") == 3


def test_several_roots_share_their_common_part():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    h = x.exp()
    source = to_dot(h.sum(), h.mean(), h).source
    assert source.count("{x|") == 1
    assert source.count("penwidth=2") == 3
    assert source.count("label=exp") == 1


def test_large_tensor_shows_a_summary_and_small_one_its_values():
    x = Tensor(np.arange(10.0), requires_grad=True, name="x")
    y = (x * x).sum()
    y.backward()
    source = to_dot(y).source
    assert '"{x|(10,) float64|min 0 mean 4.5 max 9|grad norm 33.76}"' in source
    assert "|285}" in source  # a one-element tensor shows its value
    hidden = to_dot(y, show_values=False, show_grads=False).source
    assert '"{x|(10,) float64}"' in hidden and "|grad" not in hidden


def test_op_attributes_are_shown_and_long_index_arrays_abbreviated():
    x = Tensor(np.ones((4, 10)), requires_grad=True)
    picked = x[np.array([0, 1, 2, 3]), np.arange(4)]  # short index arrays: values
    gathered = x[:, np.arange(10)]  # long index array: dtype and shape
    sliced = x[1:, ::2]
    y = picked.sum() + gathered.sum(axis=1, keepdims=True).sum() + (sliced**2.0).sum()
    source = to_dot(y).source
    assert "getitem\\nindex=([0 1 2 3], [0 1 2 3])" in source
    assert "getitem\\nindex=(:, int64(10,))" in source
    assert "getitem\\nindex=(1:, ::2)" in source
    assert "sum\\naxis=1, keepdims=True" in source
    assert "pow_scalar\\nexponent=2.0" in source


def test_special_characters_in_names_are_escaped():
    x = Tensor([1.0], requires_grad=True, name='a{b}|<c> "d" \\e')
    source = to_dot(x.exp().sum()).source
    assert '"{a\\{b\\}\\|\\<c\\> \\"d\\" \\\\e|(1,) float64|[1]}"' in source


def test_ten_thousand_op_chain_converts_without_recursion():
    y = chain(10_000)
    source = to_dot(y, max_nodes=None).source
    assert "\top9999 [" in source and "\tt10000 [" in source
    assert source.count(" -> ") == 20_000


def test_max_nodes_leaves_a_note_saying_what_was_left_out():
    source = to_dot(chain(10), max_nodes=5).source  # 11 tensors and 10 ops in all
    assert node_ids(source) == ["t0", "op0", "t1", "op1", "t2", "omitted"]
    assert "8 op nodes and 8 tensor nodes not shown (max_nodes=5)" in source
    assert "\tomitted -> t0 [style=dashed]" in source  # t0's op was left out


# ------------------------------------------------------------------------------ highlighting
@pytest.mark.parametrize(
    "make_loss",
    [
        pytest.param(lambda x: x.sqrt().sum(), id="inf: d sqrt(x)/dx at 0"),
        pytest.param(lambda x: (x.sqrt() * 0.0).sum(), id="nan: 0 * inf"),
        pytest.param(lambda x: x.log().sum(), id="inf: d log(x)/dx at 0"),
    ],
)
def test_nan_or_inf_gradient_is_highlighted(make_loss):
    x = Tensor([0.0, 1.0], requires_grad=True, name="x")
    with np.errstate(all="ignore"):
        loss = make_loss(x)
        loss.backward()
    source = to_dot(loss).source
    line = node_line(source, "t0")
    assert NOT_FINITE in line and 'tooltip="gradient has NaN or inf"' in line
    assert ">gradient has NaN or inf</td>" in source  # in the legend
    assert NOT_FINITE not in to_dot(loss, show_grads=False).source


def test_all_zero_gradient_is_highlighted():
    w = Tensor([-1.0, -2.0], requires_grad=True, name="w")
    b = Tensor([1.0, 2.0], requires_grad=True, name="b")
    loss = (w.relu() + b).sum()
    loss.backward()
    source = to_dot(loss).source
    w_line, b_line = node_line(source, "t0"), node_line(source, "t2")
    assert "{w|" in w_line and ALL_ZERO in w_line and "grad [0 0]" in w_line
    assert "{b|" in b_line and ALL_ZERO not in b_line
    assert ">gradient is zero everywhere</td>" in source


def test_retained_intermediate_gradient_is_shown():
    x = Tensor([-1.0, 2.0], requires_grad=True, name="x")
    h = x.relu().retain_grad()
    h.name = "h"
    h.sum().backward()
    assert '"{h|(2,) float64|[0 2]|grad [1 1]}"' in to_dot(h.sum()).source


# ------------------------------------------------------------------------------ SVG
def test_svg_parses_with_one_node_group_per_op_and_tensor(tmp_path):
    price, *_ = apple_graph()
    path = render_svg(price, path=tmp_path / "apple.svg", rankdir="LR")
    assert path == tmp_path / "apple.svg"
    nodes = svg_nodes(path)
    assert sorted(nodes) == ["op0", "op1", "t0", "t1", "t2", "t3", "t4"]
    assert nodes["op0"] == ["mul"]
    assert nodes["t0"] == ["apple", "() float64", "100", "grad 2.2"]
    assert nodes["t1"] == ["apple_num", "() float64", "2", "grad 110"]
    assert nodes["t3"] == ["tax", "() float64", "1.1", "grad 200"]
    assert nodes["t4"] == ["() float64", "220"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["apple.svg"]  # no temporary left


def test_svg_draws_the_note_and_escaped_names(tmp_path):
    x = Tensor([1.0], requires_grad=True, name='a{b}|<c> "d"')
    y = x.exp().exp().exp()
    nodes = svg_nodes(render_svg(y, path=tmp_path / "g.svg", max_nodes=3))
    assert sorted(nodes) == ["omitted", "op0", "t0", "t1"]
    assert nodes["omitted"][0] == "2 op nodes and 2 tensor nodes not shown (max_nodes=3);"
    x_name = svg_nodes(render_svg(y, path=tmp_path / "all.svg"))["t0"][0]
    assert x_name == 'a{b}|<c> "d"'


def test_mlp_training_step_renders_to_svg(tmp_path):
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(32, 784)).astype(np.float32), name="x")
    labels = rng.integers(0, 10, size=32)
    params = {
        "W1": Tensor(rng.normal(scale=0.05, size=(784, 100)).astype(np.float32), True),
        "b1": Tensor(np.zeros(100, np.float32), requires_grad=True),
        "W2": Tensor(rng.normal(scale=0.1, size=(100, 10)).astype(np.float32), True),
        "b2": Tensor(np.zeros(10, np.float32), requires_grad=True),
    }
    hidden = (x @ params["W1"] + params["b1"]).relu()
    logits = hidden @ params["W2"] + params["b2"]
    loss = -logits.log_softmax()[np.arange(32), labels].mean()
    loss.backward()
    start = time.perf_counter()
    nodes = svg_nodes(render_svg(loss, path=tmp_path / "mlp.svg", params=params))
    print(f"MLP training step rendered to SVG in {time.perf_counter() - start:.3f} s")
    texts = {text for node_texts in nodes.values() for text in node_texts}
    assert len(nodes) == 25  # 12 ops; x, 4 params and 10 computed tensors
    assert {"W1", "b1", "W2", "b2", "x", "matmul", "relu", "log_softmax", "axis=-1"} <= texts
    assert "value=32" in texts  # the mean's count: div_scalar's attribute, not a tensor
    assert "(784, 100) float32" in texts


# ------------------------------------------------------------------------------ no dot
def test_missing_dot_raises_with_install_hint_and_keeps_the_dot_source(tmp_path, monkeypatch):
    y = small_graph()
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot anywhere
    with pytest.raises(GraphvizNotFoundError) as info:
        render_svg(y, path=tmp_path / "graph.svg")
    message = str(info.value)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz"):
        assert hint in message
    assert f"written to {tmp_path / 'graph.dot'}" in message
    assert isinstance(info.value, AutogradError) and isinstance(info.value, RuntimeError)
    assert info.value.dot_path == tmp_path / "graph.dot"
    assert info.value.dot_source == to_dot(y).source
    saved = (tmp_path / "graph.dot").read_text()
    assert saved.startswith("// ") and saved.endswith(to_dot(y).source)
    assert not (tmp_path / "graph.svg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.dot"]


def test_missing_dot_does_not_overwrite_a_hand_written_graph_dot(tmp_path, monkeypatch):
    y = small_graph()
    monkeypatch.setenv("PATH", str(tmp_path))
    mine = tmp_path / "graph.dot"
    mine.write_text("digraph mine { a -> b }\n")
    with pytest.raises(GraphvizNotFoundError, match=r"graph\.dot exists .* left unchanged") as info:
        render_svg(y, path=tmp_path / "graph.svg")
    assert mine.read_text() == "digraph mine { a -> b }\n"
    assert info.value.dot_path is None and info.value.dot_source == to_dot(y).source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.dot"]


def test_missing_dot_twice_replaces_its_own_saved_dot_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    for y in (small_graph(), chain(3)):
        with pytest.raises(GraphvizNotFoundError, match="written to"):
            render_svg(y, path=tmp_path / "graph.svg")
    assert (tmp_path / "graph.dot").read_text().endswith(to_dot(chain(3)).source)


def test_missing_dot_with_unwritable_folder_keeps_the_source_on_the_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizNotFoundError, match=r"could not be saved .* on \.dot_source"):
        render_svg(small_graph(), path=tmp_path / "no such folder" / "graph.svg")
    assert list(tmp_path.iterdir()) == []


def test_render_svg_into_a_missing_folder_names_the_folder_not_a_hidden_temporary_file(
    tmp_path,
):
    missing = tmp_path / "no such folder"
    with pytest.raises(FileNotFoundError, match="create it first") as info:
        render_svg(small_graph(), path=missing / "graph.svg")
    assert f"the folder {missing} does not exist" in str(info.value)
    assert ".tmp" not in str(info.value) and list(tmp_path.iterdir()) == []


def test_failing_dot_raises_with_its_stderr(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    with pytest.raises(GraphvizError, match=r"failed \(exit 1\): Error: syntax error") as info:
        render_svg(small_graph(), path=tmp_path / "graph.svg")
    assert not isinstance(info.value, GraphvizNotFoundError)
    assert (tmp_path / "graph.dot").exists() and not (tmp_path / "graph.svg").exists()


def test_to_dot_works_without_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert to_dot(small_graph()).source == GOLDEN_BEFORE_BACKWARD


# ------------------------------------------------------------------------ no graphviz package
@pytest.mark.parametrize("draw", ["to_dot", "render_svg"])
def test_missing_graphviz_package_says_pip_install_graphviz(tmp_path, monkeypatch, draw):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    y = small_graph()
    with pytest.raises(ModuleNotFoundError, match=r"`pip install graphviz`") as info:
        to_dot(y) if draw == "to_dot" else render_svg(y, path=tmp_path / "graph.svg")
    assert info.value.name == "graphviz"
    assert "to_dot" in str(info.value)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ example
def test_example_writes_four_svgs(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "render_graph", REPO_ROOT / "examples" / "render_graph.py"
    )
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    paths = example.main(out_dir=tmp_path)
    names = ["apple.svg", "neuron.svg", "two_layer_net.svg", "simple_conv_net.svg"]
    assert [p.name for p in paths] == names
    apple = svg_nodes(paths[0])
    assert ["apple", "() float64", "100", "grad 2.2"] in apple.values()
    assert ["tax", "() float64", "1.1", "grad 200"] in apple.values()
    net_texts = {text for texts in svg_nodes(paths[2]).values() for text in texts}
    assert {"W1", "b1", "W2", "b2", "loss"} <= net_texts
    cnn_texts = {text for texts in svg_nodes(paths[3]).values() for text in texts}
    assert {"conv.weight", "fc1.weight", "fc2.bias", "loss"} <= cnn_texts
    assert {"conv2d", "max_pool2d"} <= {t.split("\n")[0] for t in cnn_texts}
    assert all(os.path.getsize(p) > 0 for p in paths)


def test_render_svg_with_a_long_valid_name_works(tmp_path):
    # the temporary file's name was the target's plus 20 characters: too long near 255 bytes
    path = render_svg(small_graph(), path=tmp_path / ("g" * 240 + ".svg"))
    assert path.name == "g" * 240 + ".svg" and path.read_text().lstrip().startswith("<")
