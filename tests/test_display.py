"""Rich display: the HTML tables Jupyter shows for a Tensor and a Module, parsed back.

The HTML is read with the standard library's parser, so the tests see what a browser would
show (text after unescaping) rather than matching markup; plain ``repr`` must not change.
"""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pytest

import nn
from autograd_lite import Tensor
from autograd_lite.display import EDGE_ITEMS, MAX_FULL, array_text, html_table, summary_text


class TableReader(HTMLParser):
    """The bold title and the rows of cell texts of one ``html_table``; tags inside cells
    other than the table's own are recorded, so injected markup is caught."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.title, self.rows, self.foreign_tags = "", [], []
        self._in_title, self._cell = False, None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        if tag == "b":
            self._in_title = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = ""
        elif tag not in ("div", "table", "pre"):
            self.foreign_tags.append(tag)

    def handle_endtag(self, tag):
        if tag == "b":
            self._in_title = False
        elif tag in ("th", "td"):
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif self._cell is not None:
            self._cell += data

    def fields(self) -> dict[str, str]:
        return {row[0]: row[1] for row in self.rows}


def test_tensor_html_shows_shape_dtype_requires_grad_op_values_and_grad():
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32), requires_grad=True)
    (x * x).sum().backward()
    table = TableReader(x._repr_html_())
    assert table.title == "Tensor"
    assert table.fields() == {
        "shape": "(2, 2)",
        "dtype": "float32",
        "requires_grad": "True",
        "op": "none (a leaf)",
        "values": "[[1. 2.]\n [3. 4.]]",
        "grad": "[[2. 4.]\n [6. 8.]]",
    }


def test_tensor_html_titles_a_subclass_by_its_own_name():
    weight = nn.Linear(2, 1).weight
    assert TableReader(weight._repr_html_()).title == "Parameter"


def test_tensor_html_names_the_op_of_a_computed_tensor_and_a_missing_grad():
    y = Tensor([1.0, -2.0], requires_grad=True).relu()
    fields = TableReader(y._repr_html_()).fields()
    assert fields["op"] == y.op == "relu"
    assert fields["grad"] == "None"


def test_tensor_html_escapes_the_name_and_plain_repr_is_unchanged():
    x = Tensor([1.0], name="<script>alert('x')</script>")
    table = TableReader(x._repr_html_())
    assert table.title == "Tensor \"<script>alert('x')</script>\""
    assert table.foreign_tags == []  # the name arrived as text, not as markup
    assert repr(x) == "Tensor([1.], name=\"<script>alert('x')</script>\")"


def test_tensor_html_truncates_a_big_tensor_and_summarizes_it():
    x = Tensor(np.arange(10_000, dtype=np.float64).reshape(100, 100), requires_grad=True)
    x.sum().backward()
    markup = x._repr_html_()
    fields = TableReader(markup).fields()
    assert len(markup) < 3000
    values = fields["values"]  # 3 rows, a "..." row, 3 rows; 3 values, "...", 3 values each
    assert values.endswith("9.997e+03 9.998e+03 9.999e+03]]")
    assert values.count("\n") == 2 * EDGE_ITEMS and values.count("...") == 2 * EDGE_ITEMS + 1
    assert fields["summary"] == "min 0, mean 4999.5, max 9999"
    assert fields["grad summary"] == "min 1, mean 1, max 1"


def test_tensor_html_shows_every_value_up_to_the_limit():
    fields = TableReader(Tensor(np.arange(MAX_FULL, dtype=np.int64))._repr_html_()).fields()
    assert "..." not in fields["values"] and "summary" not in fields
    assert fields["values"].split()[-1] == f"{MAX_FULL - 1}]"


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.array([1.0, np.nan]), "min nan, mean nan, max nan"),
        (np.array([True, False, True, True]), "min 0, mean 0.75, max 1"),
        (np.zeros((0, 3)), "(no values)"),
        (np.array(["a"]), "(not numeric)"),
    ],
)
def test_summary_text_handles_nan_bool_empty_and_non_numeric(array, expected):
    assert summary_text(array) == expected


def test_array_text_of_a_0d_tensor_is_its_number():
    assert array_text(np.array(2.5)) == "2.5"


def test_html_table_escapes_every_cell_and_the_header():
    table = TableReader(html_table("a&b", [("<k>", "<v>", "x")], header=("<h>", "i", "j")))
    assert table.title == "a&b"
    assert table.rows == [["<h>", "i", "j"], ["<k>", "<v>", "x"]]
    assert table.foreign_tags == []


class Tiny(nn.Module):
    """A model with a nested container, a shared layer and a bare parameter."""

    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(0)
        self.encoder = nn.Sequential(nn.Linear(4, 3, rng=rng), nn.ReLU())
        self.head = nn.Linear(3, 2, rng=rng)
        self.scale = nn.Parameter(np.ones(2, dtype=np.float32))

    def forward(self, x):
        return self.head(self.encoder(x)) * self.scale


def test_module_html_lists_layers_with_parameter_counts_and_total():
    model = Tiny()
    table = TableReader(model._repr_html_())
    assert table.title == "Tiny: 25 parameters, train mode"  # 4*3+3 + 3*2+2 + 2
    assert table.rows == [
        ["name", "layer", "parameters"],
        ["encoder", "Sequential()", "15"],
        ["\xa0\xa0encoder.0", "Linear(in_features=4, out_features=3, bias=True)", "15"],
        ["\xa0\xa0encoder.1", "ReLU()", "0"],
        ["head", "Linear(in_features=3, out_features=2, bias=True)", "8"],
    ]
    assert table.foreign_tags == []


def test_module_html_shows_eval_mode_and_keeps_plain_repr():
    model = nn.MLP([784, 50, 10], rng=np.random.default_rng(0))
    before = repr(model)
    title = TableReader(model.eval()._repr_html_()).title
    assert title == "MLP: 39,760 parameters, eval mode"  # 784*50+50 + 50*10+10
    assert repr(model) == before and "<" not in before


def test_module_html_escapes_layer_settings():
    class Tagged(nn.Module):
        def extra_repr(self) -> str:
            return "tag=<i>"

    class Holder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = Tagged()

    table = TableReader(Holder()._repr_html_())
    assert table.rows[1] == ["inner", "Tagged(tag=<i>)", "0"]
    assert table.foreign_tags == []


def test_parameter_count_counts_a_shared_parameter_once():
    layer = nn.Linear(3, 3)
    assert nn.display.parameter_count(nn.Sequential(layer, layer)) == 12


def test_layer_text_is_the_name_and_settings_of_one_layer():
    assert (
        nn.display.layer_text(nn.Linear(3, 2)) == "Linear(in_features=3, out_features=2, bias=True)"
    )
    assert nn.display.layer_text(nn.MLP([2, 2])) == "MLP()"  # a container: its layers are rows
