"""Shared test configuration: hypothesis profiles and the MNIST files shipped with the package.

``HYPOTHESIS_PROFILE`` picks the profile: ``default`` is quick (for a developer's loop),
``ci`` is thorough and derandomized, so a failure in CI reproduces exactly on any machine.
Neither has a deadline: the machines that run the tests are shared and sometimes slow.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from autograd_lite.data.mnist import FILES, SHIPPED_DIR

settings.register_profile(
    "default",
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder of the MNIST files shipped with the package: no environment, no network."""
    if not all((SHIPPED_DIR / f"{name}.gz").is_file() for name in FILES):
        pytest.fail(
            f"the MNIST files shipped with autograd_lite are missing from {SHIPPED_DIR}; "
            "restore them with `git checkout -- autograd_lite/data/mnist`"
        )
    return SHIPPED_DIR
