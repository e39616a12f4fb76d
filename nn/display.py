"""Rich display in Jupyter for a ``Module``: its layers and how many parameters each holds.

``Module`` takes ``module_html`` as its ``_repr_html_``, so a model at the end of a notebook
cell shows as a table: one row per sub-module (dotted name, indented by depth, then the layer
as its plain repr line shows it, e.g. ``Linear(in_features=784, out_features=50,
bias=True)``), with its parameter count, under a title giving the total and the mode (train
or eval). ``repr(model)`` is unchanged. The table comes from
``autograd_lite.display.html_table``, which escapes every name.

This module reads modules only through their public methods and never imports
``module.py`` (which takes ``module_html`` while its class is being defined).
"""

from __future__ import annotations

from typing import Any

from autograd_lite.display import html_table


def parameter_count(module: Any) -> int:
    """The number of trainable numbers in ``module``: the sizes of its parameters, summed.

    >>> from nn import Linear
    >>> parameter_count(Linear(3, 2))  # a 3x2 weight and 2 biases
    8
    """
    return sum(parameter.size for parameter in module.parameters())


def layer_text(module: Any) -> str:
    """One line naming a layer and its settings: ``Linear(in_features=3, ...)``."""
    return f"{type(module).__name__}({module.extra_repr()})"


def module_html(module: Any) -> str:
    """The table Jupyter shows for a Module: each sub-module with its parameter count.

    >>> from nn import MLP
    >>> "layers.0" in module_html(MLP([3, 4, 2]))
    True
    """
    mode = "train" if module.training else "eval"
    title = f"{type(module).__name__}: {parameter_count(module):,} parameters, {mode} mode"
    rows = [
        ("\u00a0\u00a0" * name.count(".") + name, layer_text(sub), f"{parameter_count(sub):,}")
        for name, sub in module.named_modules()
        if name
    ]
    return html_table(title, rows, header=("name", "layer", "parameters"))
