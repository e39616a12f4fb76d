"""Every Python example in README.md runs as shown, from an empty folder outside the
repository (so a snippet that writes a file must write where the user is)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an empty folder, far from the repository: as a user runs it
    exec(compile(BLOCKS[index], f"README.md block {index}", "exec"), {"__name__": "readme"})
