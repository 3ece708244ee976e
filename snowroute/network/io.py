"""Saving tagged networks: GraphML (round trip) and GeoPackage (for GIS staff)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import osmnx as ox

from snowroute._errors import InputFileError
from snowroute._io import atomic_file
from snowroute.network import attributes as A

__all__ = ["network_to_gdfs", "save_network"]

logger = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        return ";".join(str(v) for v in value)
    return value


def network_to_gdfs(
    G: nx.MultiDiGraph,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return ``(nodes, edges)`` GeoDataFrames with list values joined by ``;``.

    Edges keep ``u``, ``v``, ``key`` as columns (not an index) and a ``road_km``
    column (length counted once per two-way road).
    """
    nodes, edges = ox.graph_to_gdfs(G)
    nodes = nodes.reset_index()
    edges = edges.reset_index()
    for frame in (nodes, edges):
        for column in frame.columns:
            if column != "geometry" and frame[column].dtype == object:
                frame[column] = frame[column].map(_plain)
    if G.graph.get(A.TAGGED):
        edges["road_km"] = [A.road_km(row) for row in edges.to_dict("records")]
    return nodes, edges


def save_network(
    G: nx.MultiDiGraph, path: str | Path, *, force: bool = True, crs: Any = None
) -> Path:
    """Write ``G`` to ``path``: ``.graphml`` (reloadable) or ``.gpkg`` (layers).

    The GeoPackage holds layers ``nodes``, ``edges`` and, for a tagged network,
    ``routes`` (one multi-line per route with administrator, kind, name and km),
    in ``crs`` (default: the graph's own). Written to a temporary file first, so a
    failure leaves nothing behind.

    Raises
    ------
    InputFileError
        When the suffix is neither ``.graphml`` nor ``.gpkg``, or ``path`` exists and
        ``force`` is false.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".graphml", ".gpkg"}:
        msg = f"Cannot write `{path}`: use a .graphml or .gpkg file name."
        raise InputFileError(msg)
    with atomic_file(path, force=force) as tmp:
        if suffix == ".graphml":
            ox.save_graphml(G, tmp)
        else:
            nodes, edges = network_to_gdfs(G)
            if crs is not None:
                nodes, edges = nodes.to_crs(crs), edges.to_crs(crs)
            nodes.to_file(tmp, layer="nodes", driver="GPKG")
            edges.to_file(tmp, layer="edges", driver="GPKG")
            if G.graph.get(A.TAGGED):
                keep = [
                    A.ROUTE_ID,
                    A.ADMIN_ID,
                    A.ADMIN_CLASS,
                    A.ROUTE_KIND,
                    A.ROUTE_REF,
                    A.ROUTE_NAME,
                ]
                routes = edges[[*keep, "road_km", "geometry"]].dissolve(
                    by=A.ROUTE_ID,
                    aggfunc={k: "first" for k in keep[1:]} | {"road_km": "sum"},
                )
                routes.reset_index().to_file(tmp, layer="routes", driver="GPKG")
    logger.debug("Wrote %s", path)
    return path
