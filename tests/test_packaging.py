"""The built wheel: it ships MNIST, ``py.typed`` and the licence, and loads MNIST offline.

The wheel is built the way an offline machine would, with the setuptools already installed
(``--no-build-isolation``; the dev extra brings a recent enough one) and without network,
from a copy of the project in ``tmp_path`` so that no ``build/`` or ``*.egg-info`` is written
into the repository. The wheel is then unpacked (a pure-Python wheel unpacked is an install)
and ``load_mnist()`` runs from it in a fresh interpreter with an empty home directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograd_lite.data.mnist import FILES, SHIPPED_DIR

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd_lite", "nn", "optim")
BUILD = "import sys\nfrom setuptools import build_meta\nbuild_meta.build_wheel(sys.argv[1])\n"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the project; return its path."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO_ROOT / name, source / name)
    for package in PACKAGES:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(REPO_ROOT / package, source / package, ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-c", BUILD, str(out)], cwd=source, capture_output=True, text=True
    )
    assert result.returncode == 0, (
        "building the wheel failed; it needs setuptools>=77, which `pip install -e '.[dev]'` "
        f"installs:\n{result.stderr[-3000:]}"
    )
    # setuptools warns, and would leave the data out, if a data folder is not configured
    assert "absent from the `packages` configuration" not in result.stderr
    (path,) = out.glob("*.whl")
    return path


def test_wheel_contains_mnist_py_typed_and_licence(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in FILES:
            member = f"autograd_lite/data/mnist/{name}.gz"
            assert archive.read(member) == (SHIPPED_DIR / f"{name}.gz").read_bytes()
        metadata = archive.read("autograd_lite-0.1.0.dist-info/METADATA").decode()
    assert {
        "autograd_lite/data/mnist/README.md",
        "autograd_lite/data/mnist.py",
        "autograd_lite/py.typed",
        "nn/py.typed",
        "optim/py.typed",
    } <= names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert not any(name.startswith(("tests/", "examples/", "benchmarks/")) for name in names)
    assert "License-Expression: MIT" in metadata
    for classifier in ("Typing :: Typed", "Operating System :: OS Independent"):
        assert f"Classifier: {classifier}" in metadata


def test_installed_wheel_loads_mnist_offline_from_its_own_data(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRAD_LITE_DATA"}
    env.update(PYTHONPATH=str(site), HOME=str(tmp_path / "empty-home"))
    script = (
        "import autograd_lite\n"
        "from autograd_lite import load_mnist\n"
        "(x, t), (x_test, t_test) = load_mnist()\n"
        "print(autograd_lite.__file__)\n"
        "print(x.shape, x_test.shape, t[:5].tolist())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    module_file, shapes = result.stdout.splitlines()
    assert Path(module_file).is_relative_to(site)
    assert shapes == "(60000, 784) (10000, 784) [5, 0, 4, 1, 9]"
    assert not (tmp_path / "empty-home").exists()  # no cache or config written
