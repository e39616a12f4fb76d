"""``OpSpec``, one row of the spec tables (``op_specs.py``, ``conv_specs.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

import autograd_lite as ag


@dataclass(frozen=True)
class OpSpec:
    fn: Callable[..., ag.Tensor]
    reference: Callable[..., np.ndarray]
    cases: st.SearchStrategy
    options: dict[str, Any] = field(default_factory=dict)  # passed on to check_case
