"""Road networks: ingestion, administrator tagging, routes and reports (no solvers).

The names below are loaded on first use (PEP 562), so importing
:mod:`snowroute.network.attributes` (as the routing core does) loads no GIS
library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from snowroute.network.boundaries import Boundaries as Boundaries
    from snowroute.network.boundaries import load_boundaries as load_boundaries
    from snowroute.network.centerline import CenterlineColumns as CenterlineColumns
    from snowroute.network.centerline import (
        graph_from_centerline as graph_from_centerline,
    )
    from snowroute.network.ingest import graph_from_file as graph_from_file
    from snowroute.network.ingest import graph_from_osm_xml as graph_from_osm_xml
    from snowroute.network.ingest import largest_component as largest_component
    from snowroute.network.ingest import load_graphml as load_graphml
    from snowroute.network.io import network_to_gdfs as network_to_gdfs
    from snowroute.network.io import save_network as save_network
    from snowroute.network.overrides import Override as Override
    from snowroute.network.overrides import load_overrides as load_overrides
    from snowroute.network.ownership import administrators as administrators
    from snowroute.network.ownership import tag_network as tag_network
    from snowroute.network.ownership import (
        tagged_graph_from_file as tagged_graph_from_file,
    )
    from snowroute.network.report import NetworkReport as NetworkReport
    from snowroute.network.report import network_report as network_report
    from snowroute.network.routes import routes_frame as routes_frame
    from snowroute.network.routes import sections_frame as sections_frame
    from snowroute.network.rules import RuleSet as RuleSet
    from snowroute.network.rules import load_rules as load_rules
    from snowroute.network.validate import validate_network as validate_network

#: Module of every name re-exported here (loaded when the name is first used).
_EXPORTS: dict[str, str] = {
    "Boundaries": "boundaries",
    "load_boundaries": "boundaries",
    "CenterlineColumns": "centerline",
    "graph_from_centerline": "centerline",
    "graph_from_file": "ingest",
    "graph_from_osm_xml": "ingest",
    "largest_component": "ingest",
    "load_graphml": "ingest",
    "network_to_gdfs": "io",
    "save_network": "io",
    "Override": "overrides",
    "load_overrides": "overrides",
    "administrators": "ownership",
    "tag_network": "ownership",
    "tagged_graph_from_file": "ownership",
    "NetworkReport": "report",
    "network_report": "report",
    "routes_frame": "routes",
    "sections_frame": "routes",
    "RuleSet": "rules",
    "load_rules": "rules",
    "validate_network": "validate",
}


def __getattr__(name: str) -> Any:
    """Load a re-exported name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the module's names, the lazily loaded ones included."""
    return sorted({*globals(), *_EXPORTS})
