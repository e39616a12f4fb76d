"""The notebooks: one per chapter of the notes, each run top to bottom by the tests.

Each notebook asserts the numbers the notes print, so executing it checks them. They run as
Jupyter runs them (a ``python3`` kernel from ipykernel, the working directory ``notebooks/``),
with this checkout first on the kernel's path, and must not write any file into the
repository. They are stored without outputs, so that diffs show only what people wrote.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .extras import require

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CHAPTERS = ("01", "02", "03", "04", "05", "06", "07")


def repository_files() -> set[str]:
    """Every file and folder of the checkout (git's own folder aside), relative to the root."""
    found = set()
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name != ".git"]
        relative = Path(folder).relative_to(ROOT)
        found.update(str(relative / name) for name in subfolders + files)
    return found


def test_there_is_a_notebook_for_each_chapter():
    assert [path.name[:2] for path in NOTEBOOKS] == list(CHAPTERS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_stored_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    code_cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code_cells, f"{path.name} has no code"
    for number, cell in enumerate(code_cells, start=1):
        where = f"{path.name}, code cell {number}: clear the outputs before committing"
        assert cell["outputs"] == [], where
        assert cell["execution_count"] is None, where


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_without_error(path, monkeypatch):
    nbformat = require("nbformat", "notebooks")
    nbclient = require("nbclient", "notebooks")
    require("ipykernel", "notebooks")
    require("matplotlib", "notebooks")
    # The kernel inherits the environment: this checkout comes first on its path (as pytest's
    # pythonpath puts it first here), and imports leave no __pycache__ behind.
    inherited = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), *inherited]))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    before = repository_files()
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []
    assert repository_files() - before == set(), "the notebook wrote files into the repository"


def test_a_missing_extra_fails_the_test_naming_the_install_command():
    with pytest.raises(pytest.fail.Exception, match=r'pip install -e "\.\[notebooks\]"'):
        require("no_such_module_for_autograd_lite", "notebooks")
