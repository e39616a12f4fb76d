"""Optional extras that some tests need: fail with the install command instead of skipping.

CI installs every extra (``.ci/run``), so a missing one there is a broken setup, not a
reason to skip; a developer without it is told what to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or fail the test naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        pytest.fail(
            f"{module} is not installed ({error}); these tests need the [{extra}] extra: "
            f'pip install -e ".[{extra}]"',
            pytrace=False,
        )
