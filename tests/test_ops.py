"""Every op against its numpy reference and numerical differentiation (see op_specs.py)."""

from __future__ import annotations

import pytest

import autograd_lite as ag
from autograd_lite.testing import check_op

from .op_specs import DERIVED_SPECS, SPECS


def test_every_op_has_a_spec():
    assert set(ag.OPS) - set(SPECS) == set(), "ops without a spec in tests/op_specs.py"
    assert set(SPECS) - set(ag.OPS) == set(), "specs for ops the library does not have"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_op(name):
    spec = SPECS[name]
    # built-in ops replay into buffers (docs/compile.md), unless their spec says otherwise
    check_op(spec.fn, spec.reference, spec.cases, **{"allocation_free": True, **spec.options})


@pytest.mark.parametrize("name", sorted(DERIVED_SPECS))
def test_derived_op(name):
    spec = DERIVED_SPECS[name]
    check_op(spec.fn, spec.reference, spec.cases, **{"allocation_free": True, **spec.options})
