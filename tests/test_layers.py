"""The import rules between snowroute's layers (ARCHITECTURE.md), read from source."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import snowroute

PACKAGE = Path(snowroute.__file__).parent

#: What each layer may import from snowroute (besides itself); base modules
#: (``snowroute._*``) are open to every layer, and so is the road attribute schema
#: ``snowroute.network.attributes`` (names only, no GIS library).
ALLOWED = {
    "scenario": set(),
    "network": set(),
    "routing": set(),
    "datasets": {"network"},
    "prepare": {"scenario", "network", "routing"},
    "exchange": {"scenario", "network", "routing", "prepare"},
    "patrol": {"scenario", "network", "routing", "prepare"},
    "actual": {"scenario", "network", "routing", "prepare", "exchange"},
    "outputs": {"network", "routing"},
    "bench": {"routing"},
    "sweep": {"scenario", "prepare", "pipeline", "outputs"},
}


def _snowroute_imports(path: Path) -> set[str]:
    """Top-level snowroute subpackages or modules ``path`` imports."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if name == "snowroute.network.attributes":
                continue
            if parts[0] == "snowroute" and len(parts) > 1:
                out.add(parts[1])
    return out


def _files(layer: str) -> list[Path]:
    folder = PACKAGE / layer
    return (
        sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{layer}.py"]
    )


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_lies_below(layer: str) -> None:
    wrong = {}
    for path in _files(layer):
        bad = {
            name
            for name in _snowroute_imports(path)
            if name != layer and not name.startswith("_") and name not in ALLOWED[layer]
        }
        if bad:
            wrong[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert wrong == {}


def test_the_routing_core_loads_no_gis_library() -> None:
    code = (
        "import sys, snowroute.routing; "
        "print(sorted(m for m in ('geopandas', 'osmnx', 'shapely', 'pyogrio') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_the_front_door_names_resolve() -> None:
    for name in snowroute.__all__:
        assert getattr(snowroute, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        snowroute.nothing  # noqa: B018
