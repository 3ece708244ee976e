"""Files of a tagged network (``snowroute network tag``)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely import LineString

from snowroute._io import write_json
from snowroute.network import (
    NetworkReport,
    administrators,
    routes_frame,
    save_network,
)
from snowroute.network import attributes as A
from snowroute.outputs.styles import line_qml, point_qml, run_crs, save_layer_styles
from snowroute.outputs.webmap import ADMIN_PALETTE

__all__ = [
    "excel_text",
    "left_out_roads",
    "save_excel_csv",
    "save_left_out",
    "save_tagged_network",
]


def save_tagged_network(
    G: nx.MultiDiGraph,
    report: NetworkReport,
    folder: Path,
    *,
    crs: str | None = None,
) -> list[str]:
    """Write the tagged network, its routes table and its report into ``folder``.

    Files: ``network.graphml`` (reloadable, tags kept), ``network.gpkg`` (layers
    ``nodes``, ``edges``, ``routes`` in the run's CRS, :func:`run_crs` of ``crs``,
    each with its QGIS style: roads coloured by administrator), ``routes.csv``
    (Excel-safe: :func:`save_excel_csv`), ``report.txt``, ``report.json`` and, when
    roads were left out (unknown administrator, cut off from the network),
    ``left_out.gpkg`` (:func:`left_out_roads`). Returns their names.
    """
    projected = run_crs(G, crs)
    save_network(G, folder / "network.graphml")
    save_network(G, folder / "network.gpkg", crs=projected)
    _save_network_styles(G, folder / "network.gpkg")
    save_excel_csv(routes_frame(G), folder / "routes.csv")
    (folder / "report.txt").write_text(str(report) + "\n", encoding="utf-8")
    write_json(folder / "report.json", report.to_dict())
    names = ["network.graphml", "network.gpkg", "routes.csv", "report.txt"]
    names.append("report.json")
    if save_left_out(G, folder, crs=crs) is not None:
        names.append("left_out.gpkg")
    return names


def _save_network_styles(G: nx.MultiDiGraph, path: Path) -> None:
    """Roads and routes coloured by administrator, as the web map draws them."""
    names = {a: info.get("name") or a for a, info in administrators(G).items()}
    categories = [
        (admin, names[admin], ADMIN_PALETTE[i % len(ADMIN_PALETTE)])
        for i, admin in enumerate(sorted(names))
    ]
    save_layer_styles(
        path,
        {
            "edges": line_qml("", 0.5, categories=categories, field=A.ADMIN_ID),
            "routes": line_qml("", 0.8, categories=categories, field=A.ADMIN_ID),
            "nodes": point_qml("#9a9a9a", "#9a9a9a", 0.8),
        },
    )


#: Columns of administrator and other codes whose leading zeros matter (``05``).
CODE_COLUMNS = frozenset({A.ADMIN_ID, "admin", "code", "road_admin"})


def excel_text(value: object) -> object:
    """Write a code Excel would read as a number (``05`` → 5) as text for it.

    >>> excel_text("05"), excel_text("05201"), excel_text("mlit"), excel_text(7)
    ('="05"', '="05201"', 'mlit', 7)
    """
    if isinstance(value, str) and value.isdigit():
        return f'="{value}"'
    return value


def save_excel_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as a CSV that Excel opens right, in Japan too.

    UTF-8 with a byte-order mark (Excel then reads UTF-8, not Shift_JIS), and codes
    in :data:`CODE_COLUMNS` made of digits written as ``="05"``, so Excel keeps
    them as text with their leading zeros.
    """
    out = frame.copy()
    for column in out.columns:
        if column in CODE_COLUMNS:
            out[column] = out[column].map(excel_text)
    out.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def save_left_out(
    G: nx.MultiDiGraph, folder: Path, *, crs: str | None = None
) -> Path | None:
    """Write ``left_out.gpkg`` (:func:`left_out_roads`) when any road was left out.

    In the run's CRS (:func:`run_crs` of ``crs``).
    """
    left_out = left_out_roads(G)
    if not len(left_out):
        return None
    path = folder / "left_out.gpkg"
    left_out.to_crs(run_crs(G, crs)).to_file(path, layer="left_out", driver="GPKG")
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
