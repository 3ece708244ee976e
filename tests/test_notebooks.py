"""The notebooks run end to end and are committed with outputs stripped."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import ROOT, load_script

FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))


def _maker() -> ModuleType:
    return load_script(FOLDER / "make_notebooks.py", "make_notebooks")


def test_every_notebook_is_generated_and_stripped() -> None:
    expected = _maker().notebooks()
    assert sorted(p.name for p in NOTEBOOKS) == sorted(expected)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert [c.source for c in nb.cells] == [
            c.source for c in expected[path.name]
        ], f"{path.name} differs from notebooks/make_notebooks.py; run it"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [], path.name
                assert cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(FOLDER)}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors


def test_notebooks_use_only_the_front_door() -> None:
    """Notebooks import ``snowroute`` itself, never one of its modules."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "import snowroute\n" in code, path.name
        assert "from snowroute" not in code, path.name
        assert "import snowroute." not in code, path.name
