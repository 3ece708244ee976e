"""GPX tracks: one file per vehicle route, for in-cab navigation devices and GIS."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import gpxpy.gpx
import networkx as nx
import numpy as np
from pyproj import CRS, Transformer

from snowroute.outputs.drive import DrivenRoute, clock_text
from snowroute.outputs.layers import route_line

__all__ = ["route_to_gpx", "save_gpx_tracks", "wgs84"]

Project = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def wgs84(G: nx.MultiDiGraph) -> Project:
    """Return a function mapping x, y arrays in the graph's CRS to lon, lat."""
    crs = CRS.from_user_input(G.graph.get("crs", "EPSG:4326"))
    if crs.equals(CRS.from_epsg(4326)):
        return lambda x, y: (x, y)
    transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return lambda x, y: transformer.transform(x, y)


def route_to_gpx(
    G: nx.MultiDiGraph,
    route: DrivenRoute,
    *,
    depot_name: str = "",
    project: Project | None = None,
) -> str:
    """Return the GPX 1.1 text of ``route``.

    One track with one segment from depot to depot, and the depot as a waypoint.
    Text from input data is escaped as XML.
    """
    project = project or wgs84(G)
    coords = np.asarray(route_line(G, route).coords)
    lon, lat = project(coords[:, 0], coords[:, 1])
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "snowroute"
    gpx.name = f"{route.plan} {route.label}"
    km = (route.served_m + route.deadhead_m) / 1000.0
    description = str(
        f"{route.activity} {route.served_m / 1000.0:.2f} km, drive "
        f"{route.deadhead_m / 1000.0:.2f} km, total {km:.2f} km; "
        f"{clock_text(route.start_clock, 0.0)}-"
        f"{clock_text(route.start_clock, route.duration_s)}"
    )
    gpx.description = description
    node = G.nodes[route.depot_node]
    dlon, dlat = project(np.array([float(node["x"])]), np.array([float(node["y"])]))
    gpx.waypoints.append(
        gpxpy.gpx.GPXWaypoint(
            latitude=round(float(dlat[0]), 7),
            longitude=round(float(dlon[0]), 7),
            name=route.depot,
            description=depot_name or None,
            symbol="Flag",
        )
    )
    track = gpxpy.gpx.GPXTrack(name=gpx.name, description=description)
    track.type = route.activity  # type: ignore[assignment]  # gpxpy types it None
    segment = gpxpy.gpx.GPXTrackSegment()
    segment.points.extend(
        gpxpy.gpx.GPXTrackPoint(
            latitude=round(float(b), 7), longitude=round(float(a), 7)
        )
        for a, b in zip(lon, lat, strict=True)
    )
    track.segments.append(segment)
    gpx.tracks.append(track)
    text: str = gpx.to_xml(version="1.1")
    return text


def save_gpx_tracks(
    G: nx.MultiDiGraph,
    routes: Iterable[DrivenRoute],
    folder: Path,
    *,
    depot_names: dict[str, str] | None = None,
) -> list[Path]:
    """Write ``folder/<plan>_<vehicle>_<n>.gpx`` for every route."""
    folder.mkdir(parents=True, exist_ok=True)
    project = wgs84(G)
    names = depot_names or {}
    out = []
    for route in routes:
        path = folder / f"{route.stem}.gpx"
        text = route_to_gpx(
            G, route, depot_name=names.get(route.depot, ""), project=project
        )
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out
