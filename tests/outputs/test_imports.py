"""outputs imports no planner: what every module of snowroute/outputs imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import snowroute.outputs

FOLDER = Path(snowroute.outputs.__file__).parent
#: What outputs may import of snowroute besides itself: the road network, the
#: routing core and the base modules (``snowroute._io``, ``_clock``, ``_errors``).
ALLOWED = ("snowroute.outputs", "snowroute.network", "snowroute.routing")


def _module_name(path: Path) -> str:
    parts = path.relative_to(FOLDER.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, package: bool = False) -> set[str]:
    """Every module ``source`` imports anywhere (functions, TYPE_CHECKING too).

    Relative imports are resolved against ``module``; ``importlib.import_module``
    and ``__import__`` calls with a literal name count as imports.
    """
    base = module.split(".") if package else module.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            stem = base[: len(base) - node.level + 1] if node.level else []
            name = ".".join([*stem, *([node.module] if node.module else [])])
            if name != "snowroute":  # ``from snowroute import x`` imports x
                out.add(name)
            out.update(f"{name}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and ast.unparse(node.func)
            in {"importlib.import_module", "import_module", "__import__"}
        ):
            out.add(node.args[0].value)
    return out


def _allowed(name: str) -> bool:
    if not name.startswith("snowroute.") and name != "snowroute":
        return True
    parts = name.split(".")
    if len(parts) > 1 and parts[1].startswith("_"):
        return True
    return any(name == a or name.startswith(f"{a}.") for a in ALLOWED)


@pytest.mark.parametrize(
    "path", sorted(FOLDER.rglob("*.py")), ids=lambda p: p.relative_to(FOLDER).as_posix()
)
def test_outputs_import_only_network_routing_and_base_modules(path: Path) -> None:
    names = imported_modules(
        path.read_text(encoding="utf-8"),
        _module_name(path),
        package=path.name == "__init__.py",
    )
    assert sorted(n for n in names if not _allowed(n)) == []


@pytest.mark.parametrize(
    ("source", "module", "bad"),
    [
        ("import snowroute.patrol.findings", "snowroute.outputs.x", True),
        ("from snowroute.exchange import ExchangeResult", "snowroute.outputs.x", True),
        ("from ..patrol import PatrolPlan", "snowroute.outputs.x", True),
        ("from ...snowroute import pipeline", "snowroute.outputs.x", True),
        ("from snowroute import exchange", "snowroute.outputs.x", True),
        (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from snowroute.patrol import PatrolPlan",
            "snowroute.outputs.x",
            True,
        ),
        (
            "def f():\n    return importlib.import_module('snowroute.exchange')",
            "snowroute.outputs.x",
            True,
        ),
        ("from .model import PlanRoutes", "snowroute.outputs.x", False),
        ("from snowroute._io import write_json", "snowroute.outputs.x", False),
        ("from snowroute.network import attributes as A", "snowroute.outputs.x", False),
        ("from snowroute.routing import Solution", "snowroute.outputs.x", False),
        ("from snowroute import _clock", "snowroute.outputs.x", False),
        ("import snowroute", "snowroute.outputs.x", True),
    ],
)
def test_the_import_check_sees_every_kind_of_import(
    source: str, module: str, bad: bool
) -> None:
    names = imported_modules(source, module)
    assert any(not _allowed(n) for n in names) == bad
