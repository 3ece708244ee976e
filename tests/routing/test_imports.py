import json
import subprocess
import sys

import pytest

GIS = ("geopandas", "osmnx", "shapely")


def _loaded_after(statement: str) -> set[str]:
    code = (
        "import json, sys\n"
        f"{statement}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


def test_importing_routing_loads_no_gis_library() -> None:
    loaded = _loaded_after("import snowroute.routing")
    assert "snowroute" in loaded
    assert loaded.isdisjoint(GIS), sorted(loaded & set(GIS))


def test_network_reexports_every_name_from_its_module() -> None:
    import importlib

    import snowroute.network as network

    for name, module in network._EXPORTS.items():
        source = importlib.import_module(f"snowroute.network.{module}")
        assert getattr(network, name) is getattr(source, name)
        assert name in dir(network)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = network.nothing
