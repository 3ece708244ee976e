"""Files of a plan-against-actual comparison: layers, map, report and ``actual.json``.

The comparison comes as plain data (:class:`ActualData`); nothing here imports the
matcher or a planner. ``actual.gpkg`` holds the layers ``actual_coverage``,
``missed_roads``, ``actual_tracks`` and ``unmatched_points`` in the projected CRS
of :func:`~snowroute.outputs.layers.output_crs`; ``actual_map.html`` shows the
tracks and coverage beside the plan; ``actual_report.html`` is the report section
in English or Japanese.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from shapely import LineString, Point

from snowroute._io import write_json
from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey
from snowroute.outputs.drive import clock_text, edge_data, edge_line, street_name
from snowroute.outputs.gpx import wgs84
from snowroute.outputs.layers import output_crs
from snowroute.outputs.text import template_environment, texts
from snowroute.outputs.webmap import _base_map, _Bind, _latlon, _PolyLine, esc, save_map

__all__ = ["ACTUAL_FILES", "ActualData", "actual_to_gdfs", "save_actual"]

#: Files :func:`save_actual` writes.
ACTUAL_FILES = ("actual.json", "actual.gpkg", "actual_map.html", "actual_report.html")
#: Most track vertices per vehicle drawn on the map (the layer keeps every fix).
_MAP_VERTICES = 1500
#: Most unmatched fixes drawn on the map.
_MAP_UNMATCHED = 2000

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class ActualData:
    """
    A comparison of logs and plan as plain data.

    Parameters
    ----------
    summary
        The ``actual.json`` data (``ActualResult.to_dict()``).
    coverage
        One mapping per edge and direction driven: ``edge`` (``(u, v, key)``),
        ``plowed``, ``empty``, ``first_s``, ``last_s``, ``vehicles``,
        ``served_by``, ``planned``.
    missed
        Planned edges nobody plowed.
    planned
        Edges the plan plows.
    tracks
        ``(vehicle, lon, lat)`` per log (WGS84).
    unmatched
        ``(vehicle, time, lon, lat)`` per unmatched fix (time as ISO text).
    start_clock
        The shift start ``HH:MM`` (times are seconds after it).
    """

    summary: Mapping[str, Any]
    coverage: Sequence[Mapping[str, Any]]
    missed: Sequence[EdgeKey]
    planned: Sequence[EdgeKey]
    tracks: Sequence[tuple[str, FloatArray, FloatArray]]
    unmatched: Sequence[tuple[str, str, float, float]]
    start_clock: str | None = None


def _edge_fields(G: nx.MultiDiGraph, edge: EdgeKey) -> dict[str, Any]:
    data = edge_data(G, edge)
    return {
        "u": str(edge[0]),
        "v": str(edge[1]),
        "key": int(edge[2]),
        "admin_id": str(data.get(A.ADMIN_ID, "")),
        "route_id": str(data.get(A.ROUTE_ID, "")),
        "route_name": str(data.get(A.ROUTE_NAME, "")),
        "street": street_name(data),
        "priority": str(data.get(A.PRIORITY, "")),
        "length_m": float(data.get("length", 0.0)),
    }


_EDGE_COLUMNS = (
    "u", "v", "key", "admin_id", "route_id", "route_name", "street", "priority",
    "length_m",
)  # fmt: skip
_COLUMNS = {
    "actual_coverage": (
        *_EDGE_COLUMNS, "plowed", "empty", "first", "last", "vehicles", "served_by",
        "planned",
    ),
    "missed_roads": _EDGE_COLUMNS,
    "actual_tracks": ("vehicle", "fixes"),
    "unmatched_points": ("vehicle", "time"),
}  # fmt: skip
_GEOMETRY = {
    "actual_coverage": "LineString",
    "missed_roads": "LineString",
    "actual_tracks": "LineString",
    "unmatched_points": "Point",
}


def _frame(
    name: str, rows: list[dict[str, Any]], geoms: list[Any], crs: Any
) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=list(_COLUMNS[name]))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


def actual_to_gdfs(G: nx.MultiDiGraph, data: ActualData) -> dict[str, gpd.GeoDataFrame]:
    """Return the four layers of ``actual.gpkg`` (edges in the network's CRS)."""
    crs = G.graph.get("crs", "EPSG:4326")
    coverage = [
        {
            **_edge_fields(G, row["edge"]),
            "plowed": int(row["plowed"]),
            "empty": int(row["empty"]),
            "first": clock_text(data.start_clock, float(row["first_s"])),
            "last": clock_text(data.start_clock, float(row["last_s"])),
            "vehicles": ", ".join(row["vehicles"]),
            "served_by": ", ".join(row["served_by"]),
            "planned": bool(row["planned"]),
        }
        for row in data.coverage
    ]
    return {
        "actual_coverage": _frame(
            "actual_coverage",
            coverage,
            [edge_line(G, r["edge"]) for r in data.coverage],
            crs,
        ),
        "missed_roads": _frame(
            "missed_roads",
            [_edge_fields(G, e) for e in data.missed],
            [edge_line(G, e) for e in data.missed],
            crs,
        ),
        "actual_tracks": _frame(
            "actual_tracks",
            [{"vehicle": v, "fixes": len(lon)} for v, lon, _ in data.tracks],
            [
                LineString(np.column_stack([lon, lat])) if len(lon) > 1 else None
                for _, lon, lat in data.tracks
            ],
            "EPSG:4326",
        ),
        "unmatched_points": _frame(
            "unmatched_points",
            [{"vehicle": v, "time": t} for v, t, _, _ in data.unmatched],
            [Point(lon, lat) for _, _, lon, lat in data.unmatched],
            "EPSG:4326",
        ),
    }


def _lines_layer(
    G: nx.MultiDiGraph,
    edges: Sequence[EdgeKey],
    name: str,
    style: Mapping[str, Any],
    *,
    show: bool = True,
) -> folium.FeatureGroup:
    project = wgs84(G)
    group = folium.FeatureGroup(name=esc(name), show=show)
    for edge in edges:
        line = _PolyLine(_latlon(project, edge_line(G, edge).coords), **style)
        line.add_child(_Bind(tooltip=esc(street_name(edge_data(G, edge)) or str(edge))))
        group.add_child(line)
    return group


def actual_map(G: nx.MultiDiGraph, data: ActualData, *, lang: str = "en") -> folium.Map:
    """Build the map: plan, plowing, empty driving, missed roads, tracks, stray fix."""
    t = texts(lang, "actual")
    fmap = _base_map(G, wgs84(G), f"{t['title']} · {data.summary.get('plan', '')}")
    plowed = [r["edge"] for r in data.coverage if r["plowed"]]
    empty = [r["edge"] for r in data.coverage if not r["plowed"]]
    for group in (
        _lines_layer(
            G, data.planned, t["plan_layer"],
            {"color": "#0072b2", "weight": 7, "opacity": 0.35},
        ),
        _lines_layer(
            G, plowed, t["coverage_layer"], {"color": "#009e73", "weight": 3}
        ),
        _lines_layer(
            G, empty, t["empty_layer"],
            {"color": "#4d4d4d", "weight": 2, "dash_array": "6 6"}, show=False,
        ),
        _lines_layer(
            G, data.missed, t["missed_layer"],
            {"color": "#d55e00", "weight": 9, "opacity": 0.8},
        ),
    ):  # fmt: skip
        group.add_to(fmap)
    tracks = folium.FeatureGroup(name=esc(t["tracks_layer"]), show=False)
    for vehicle, lon, lat in data.tracks:
        step = max(1, len(lon) // _MAP_VERTICES)
        coords = [
            [round(float(b), 6), round(float(a), 6)]
            for a, b in zip(lon[::step], lat[::step], strict=True)
        ]
        if len(coords) > 1:
            line = _PolyLine(coords, color="#7b3294", weight=1.5, opacity=0.8)
            line.add_child(_Bind(tooltip=esc(vehicle)))
            tracks.add_child(line)
    tracks.add_to(fmap)
    points = folium.FeatureGroup(name=esc(t["unmatched_layer"]), show=True)
    for vehicle, time, x, y in data.unmatched[:_MAP_UNMATCHED]:
        marker: Any = folium.CircleMarker([y, x], radius=3, color="#e7298a", fill=True)
        marker.add_child(_Bind(tooltip=esc(f"{vehicle} {time}")))
        points.add_child(marker)
    points.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _clock(start_clock: str | None) -> Any:
    def clock(seconds: float | None) -> str:
        return "–" if seconds is None else clock_text(start_clock, float(seconds))

    return clock


def save_actual(
    folder: Path, G: nx.MultiDiGraph, data: ActualData, *, lang: str = "en"
) -> list[Path]:
    """Write :data:`ACTUAL_FILES` into ``folder`` (which exists); return their paths."""
    folder = Path(folder)
    paths = [folder / name for name in ACTUAL_FILES]
    write_json(paths[0], dict(data.summary))
    crs = output_crs(G)
    for name, gdf in actual_to_gdfs(G, data).items():
        gdf.to_crs(crs).to_file(
            paths[1], layer=name, driver="GPKG", geometry_type=_GEOMETRY[name]
        )
    save_map(actual_map(G, data, lang=lang), paths[2])
    page = (
        template_environment()
        .get_template("actual.html.j2")
        .render(
            lang=lang,
            t=texts(lang, "actual"),
            d=data.summary,
            clock=_clock(data.start_clock),
            map_file=ACTUAL_FILES[2],
        )
    )
    paths[3].write_text(page, encoding="utf-8")
    return paths
