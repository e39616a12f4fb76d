"""The API reference: ``mkdocs build --strict`` passes (a broken cross-reference or any other
warning fails it), every public name is documented, and the doctest fences are right."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import autograd_lite
import nn
import optim
import tune

from .extras import require

ROOT = Path(__file__).resolve().parents[1]


def build(config_file: Path, site_dir: Path) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``config_file`` into ``site_dir`` (never into the repo)."""
    command = ["build", "--strict", "--config-file", str(config_file), "--site-dir", str(site_dir)]
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The reference built once, in strict mode, into a temporary directory."""
    require("mkdocs", "docs")
    require("mkdocstrings_handlers.python", "docs")
    out = tmp_path_factory.mktemp("site")
    result = build(ROOT / "mkdocs.yml", out)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{log}"
    assert "WARNING" not in log, log
    return out


def test_reference_builds_in_strict_mode_with_every_page(site):
    pages = sorted(p.parent.name for p in site.glob("*/index.html"))
    sources = sorted(p.stem for p in (ROOT / "docs").glob("*.md") if p.stem != "index")
    assert pages == sources


@pytest.mark.parametrize("package", [autograd_lite, nn, optim, tune], ids=lambda p: p.__name__)
def test_every_public_name_is_documented(site, package):
    anchors = set()
    for page in site.glob("*/index.html"):
        anchors |= set(re.findall(r'id="([\w.]+)"', page.read_text(encoding="utf-8")))

    # Documented under the package (autograd_lite.Tensor) or one of its modules
    # (autograd_lite.functions.exp, nn.layers.Linear); a method of the same name does not count.
    def documented(name: str) -> bool:
        pattern = re.compile(rf"{package.__name__}(\.[a-z_][a-z0-9_]*)?\.{re.escape(name)}")
        return any(pattern.fullmatch(anchor) for anchor in anchors)

    missing = [name for name in package.__all__ if not documented(name)]
    assert missing == [], f"add these to a page under docs/ (mkdocstrings `:::`): {missing}"


@pytest.mark.parametrize(
    ("reference", "fails"), [("autograd_lite.Tensor", False), ("autograd_lite.NoSuchThing", True)]
)
def test_a_broken_cross_reference_fails_the_strict_build(tmp_path, reference, fails):
    """The project's configuration on a one-page site that links to ``reference``."""
    yaml = require("yaml", "docs")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    (tmp_path / "docs").mkdir()
    page = f"# Page\n\nSee [the object][{reference}].\n\n::: autograd_lite.Tensor\n"
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    python = next(p for p in config["plugins"] if isinstance(p, dict))["mkdocstrings"]
    python = python["handlers"]["python"]
    python["paths"] = [str(ROOT)]
    python["options"]["extensions"] = [f"{ROOT / 'docs' / 'doctest_fences.py'}:DoctestFences"]
    config.update(docs_dir=str(tmp_path / "docs"), nav=[{"Home": "index.md"}])
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    log = result.stdout + result.stderr
    assert (result.returncode != 0) == fails, log
    assert (reference in log) == fails, log


def _fence_doctests():
    require("griffe", "docs")
    spec = importlib.util.spec_from_file_location("doctest_fences", ROOT / "docs/doctest_fences.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fence_doctests


def test_fence_doctests_wraps_each_example_up_to_the_blank_line():
    text = "Square it.\n>>> x = 2\n>>> x * x\n4\n\nThen [more] text.\n\n    >>> y\n    ... z"
    assert _fence_doctests()(text) == (
        "Square it.\n\n```pycon\n>>> x = 2\n>>> x * x\n4\n```\n\nThen [more] text.\n\n"
        "    ```pycon\n    >>> y\n    ... z\n    ```"
    )


def test_fence_doctests_leaves_text_without_examples_alone():
    text = "No examples, a [link] and\n\n    an indented block\n"
    assert _fence_doctests()(text) == text
