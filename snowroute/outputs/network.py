"""Files of a tagged network (``snowroute network tag``)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
from shapely import LineString

from snowroute._io import write_json
from snowroute.network import NetworkReport, routes_frame, save_network
from snowroute.network import attributes as A

__all__ = ["left_out_roads", "save_left_out", "save_tagged_network"]


def save_tagged_network(
    G: nx.MultiDiGraph, report: NetworkReport, folder: Path
) -> list[str]:
    """Write the tagged network, its routes table and its report into ``folder``.

    Files: ``network.graphml`` (reloadable, tags kept), ``network.gpkg`` (layers
    ``nodes``, ``edges``, ``routes``), ``routes.csv``, ``report.txt``,
    ``report.json`` and, when roads were left out (unknown administrator, cut off
    from the network), ``left_out.gpkg`` (:func:`left_out_roads`). Returns their
    names.
    """
    save_network(G, folder / "network.graphml")
    save_network(G, folder / "network.gpkg")
    routes_frame(G).to_csv(folder / "routes.csv", index=False)
    (folder / "report.txt").write_text(str(report) + "\n", encoding="utf-8")
    write_json(folder / "report.json", report.to_dict())
    names = ["network.graphml", "network.gpkg", "routes.csv", "report.txt"]
    names.append("report.json")
    if save_left_out(G, folder) is not None:
        names.append("left_out.gpkg")
    return names


def save_left_out(G: nx.MultiDiGraph, folder: Path) -> Path | None:
    """Write ``left_out.gpkg`` (:func:`left_out_roads`) when any road was left out."""
    left_out = left_out_roads(G)
    if not len(left_out):
        return None
    path = folder / "left_out.gpkg"
    left_out.to_file(path, layer="left_out", driver="GPKG")
    return path


def left_out_roads(G: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    """Return the roads with no known administrator and those cut off (WGS84).

    Columns ``reason`` (``unknown administrator`` or ``cut off``), ``id`` (the
    edge's source id), ``km`` (a two-way road's two directions are two rows of
    half its km each) and the line.
    """
    rows = []
    for u, v, d in G.edges(data=True):
        if d.get(A.ADMIN_ID) == A.UNKNOWN:
            ends = [(G.nodes[n]["x"], G.nodes[n]["y"]) for n in (u, v)]
            geom = d.get("geometry") or LineString(ends)
            rows.append(
                _row("unknown administrator", d.get("osmid"), A.road_km(d), geom)
            )
    for line in json.loads(str(G.graph.get("dropped_lines", "[]"))):
        geom = LineString(line["coords"])
        rows.append(_row("cut off", line["id"], line["km"], geom))
    frame = gpd.GeoDataFrame(
        rows,
        columns=["reason", "id", "km", "geometry"],
        geometry="geometry",
        crs=G.graph.get("crs", "epsg:4326"),
    )
    return frame.to_crs("epsg:4326")


def _row(
    reason: str, edge_id: object, km: float, geom: LineString
) -> dict[str, object]:
    return {"reason": reason, "id": str(edge_id), "km": round(km, 4), "geometry": geom}
