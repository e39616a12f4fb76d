"""Shared test configuration: hypothesis profiles and the location of the MNIST files.

``HYPOTHESIS_PROFILE`` picks the profile: ``default`` is quick (for a developer's loop),
``ci`` is thorough and derandomized, so a failure in CI reproduces exactly on any machine.
Neither has a deadline: the machines that run the tests are shared and sometimes slow.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The directory with the four MNIST files: $AUTOGRAD_LITE_DATA, else ../shared/data/mnist."""
    path = Path(
        os.environ.get("AUTOGRAD_LITE_DATA", REPO_ROOT.parent / "shared" / "data" / "mnist")
    )
    if (
        not (path / "train-images-idx3-ubyte.gz").exists()
        and not (path / "train-images-idx3-ubyte").exists()
    ):
        pytest.fail(
            f"MNIST files not found in {path}; set AUTOGRAD_LITE_DATA to the directory that "
            "holds them (CI sets it to ../shared/data/mnist)"
        )
    return path
