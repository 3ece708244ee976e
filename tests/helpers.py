"""Cached loaders of the tiny test fixtures."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import parse

import networkx as nx

from snowroute.network import load_boundaries, tag_network
from snowroute.network.ingest import graph_from_osm_xml

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
JAPAN_OSM = DATA / "japan_roads.osm"
JAPAN_BOUNDARIES = DATA / "japan_boundaries.geojson"


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
