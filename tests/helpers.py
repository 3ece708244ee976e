"""Cached loaders of the tiny test fixtures."""

from __future__ import annotations

import importlib.util
import math
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from xml.etree.ElementTree import parse

import networkx as nx

from snowroute.network import load_boundaries, tag_network
from snowroute.network.ingest import graph_from_osm_xml

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
JAPAN_OSM = DATA / "japan_roads.osm"
JAPAN_BOUNDARIES = DATA / "japan_boundaries.geojson"


def load_script(path: Path, name: str) -> ModuleType:
    """Import the script at ``path`` (a benchmark's, the notebooks' maker) as ``name``.

    Its folder is on ``sys.path`` while it loads, for the modules beside it that
    it imports; those are taken out of ``sys.modules`` again (names such as
    ``instances`` that another folder may use), the script itself stays (its
    dataclasses look their module up).
    """
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    folder = str(path.parent)
    before = set(sys.modules)
    sys.modules[name] = module
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(folder)
        for extra in set(sys.modules) - before - {name}:
            where = getattr(sys.modules[extra], "__file__", None)
            if where is not None and Path(where).parent == path.parent:
                del sys.modules[extra]
    return module


@lru_cache
def expected_japan() -> dict[int, tuple[str, str, str]]:
    """Way id → (admin_id, route_kind, route_ref) from the test:expect tags."""
    out = {}
    for way in parse(JAPAN_OSM).getroot().iter("way"):
        for tag in way.iter("tag"):
            if tag.get("k") == "test:expect":
                admin, kind, ref = tag.get("v", "").split("|")
                out[int(way.get("id", "0"))] = (admin, kind, ref)
    return out


def japan_network() -> nx.MultiDiGraph:
    """The Japanese fixture, tagged with its two-municipality boundary layer."""
    G = graph_from_osm_xml(JAPAN_OSM)
    return tag_network(G, "japan", boundaries=load_boundaries(JAPAN_BOUNDARIES))


def add_two_way_road(
    G: nx.MultiDiGraph,
    u: int,
    v: int,
    *,
    length_m: float,
    admin: str,
    admin_class: str,
    route: str,
    section: str,
    road_class: str,
    osmid: int,
) -> None:
    """Add a tagged two-way collector road ``u``-``v`` (both directed edges)."""
    from snowroute.network import attributes as A

    for a, b in ((u, v), (v, u)):
        G.add_edge(
            a,
            b,
            osmid=osmid,
            length=length_m,
            oneway=False,
            speed_kph=40.0,
            n_lanes=2,
            width_m=math.nan,
            winter_closed=False,
            priority="collector",
            road_class=road_class,
            **{
                A.ADMIN_ID: admin,
                A.ADMIN_CLASS: admin_class,
                A.ROUTE_ID: route,
                A.ROUTE_NAME: route.rsplit("/", 1)[1],
                A.SECTION_ID: route + section,
            },
        )
