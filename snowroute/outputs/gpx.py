"""GPX tracks: one file per vehicle route, for in-cab navigation devices and GIS."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import gpxpy.gpx
import networkx as nx
import numpy as np
from pyproj import CRS, Transformer

from snowroute.outputs.drive import DrivenRoute, clock_text, edge_line
from snowroute.outputs.sheets import SheetLine, sheet_lines
from snowroute.outputs.text import texts

__all__ = ["route_to_gpx", "save_gpx_tracks", "wgs84"]

Project = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def wgs84(G: nx.MultiDiGraph) -> Project:
    """Return a function mapping x, y arrays in the graph's CRS to lon, lat."""
    crs = CRS.from_user_input(G.graph.get("crs", "EPSG:4326"))
    if crs.equals(CRS.from_epsg(4326)):
        return lambda x, y: (x, y)
    transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return lambda x, y: transformer.transform(x, y)


def _point(
    project: Project, x: float, y: float
) -> tuple[float, float]:  # (lat, lon), rounded to 1 cm
    lon, lat = project(np.array([x]), np.array([y]))
    return round(float(lat[0]), 7), round(float(lon[0]), 7)


def _segments(
    G: nx.MultiDiGraph, route: DrivenRoute, project: Project
) -> list[tuple[bool, list[tuple[float, float]]]]:
    """Split the drive into runs that serve or not: (serving, [(lat, lon), ...]).

    A run starts where the one before it ends, so the runs join end to end.
    """
    runs: list[tuple[bool, list[tuple[float, float]]]] = []
    for leg in route.legs:
        coords = np.asarray(edge_line(G, leg.edge).coords)[:, :2]
        lon, lat = project(coords[:, 0], coords[:, 1])
        points = [
            (round(float(y), 7), round(float(x), 7))
            for x, y in zip(lon, lat, strict=True)
        ]
        if not runs or runs[-1][0] != leg.serving:
            runs.append((leg.serving, runs[-1][1][-1:] if runs else []))
        run = runs[-1][1]
        run.extend(points[1:] if run and run[-1] == points[0] else points)
    return runs


def route_to_gpx(
    G: nx.MultiDiGraph,
    route: DrivenRoute,
    *,
    depot_name: str = "",
    project: Project | None = None,
    lines: Sequence[SheetLine] = (),
    lang: str = "en",
) -> str:
    """Return the GPX 1.1 text of ``route``.

    Two tracks: the working one (type ``plow`` or ``patrol``) and the empty driving
    one (type ``drive``), each a segment per stretch, so a device draws them apart;
    together they run from depot to depot. Waypoints: the depot, then the start of
    every route sheet line in ``lines`` that begins with a turn, named as the sheet
    reads (``→ 右折 県道7号 秋田岩城線``), and every structure inspected. Text from
    input data is escaped as XML.
    """
    project = project or wgs84(G)
    t = texts(lang)
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
    lat, lon = _point(project, float(node["x"]), float(node["y"]))
    gpx.waypoints.append(
        gpxpy.gpx.GPXWaypoint(
            latitude=lat,
            longitude=lon,
            name=route.depot,
            description=depot_name or None,
            symbol="Flag",
            type="depot",
        )
    )
    _turn_waypoints(G, route, lines, t, project, gpx)
    tracks = {}
    for serving in (True, False):
        action = route.activity if serving else "drive"
        track = gpxpy.gpx.GPXTrack(
            name=f"{gpx.name} · {t[action]}", description=description
        )
        track.type = action  # type: ignore[assignment]  # gpxpy types it None
        tracks[serving] = track
    for serving, points in _segments(G, route, project):
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points.extend(
            gpxpy.gpx.GPXTrackPoint(latitude=a, longitude=b) for a, b in points
        )
        tracks[serving].segments.append(segment)
    gpx.tracks.extend(track for track in tracks.values() if track.segments)
    text: str = gpx.to_xml(version="1.1")
    return text


def _turn_waypoints(
    G: nx.MultiDiGraph,
    route: DrivenRoute,
    lines: Sequence[SheetLine],
    t: Mapping[str, str],
    project: Project,
    gpx: gpxpy.gpx.GPX,
) -> None:
    """Add a waypoint where each sheet line starts with a turn, and per inspection.

    An inspection's waypoint sits in the middle of the structure's road, named by
    the sheet (``点検 上町橋 (橋梁 B07, 40 分)``), type ``inspection``.
    """
    position = 0
    for line in lines:
        legs = route.legs[position : position + line.n_edges]
        position += line.n_edges
        if not legs:
            continue
        if line.action == "inspect":
            middle = edge_line(G, legs[0].edge).interpolate(0.5, normalized=True)
            lat, lon = _point(project, middle.x, middle.y)
            name, kind = f"{t['inspect']} {line.street}", "inspection"
        elif line.turn in ("", "depart", "straight"):
            continue
        else:
            node = G.nodes[legs[0].edge[0]]
            lat, lon = _point(project, float(node["x"]), float(node["y"]))
            name, kind = f"{line.step} {t['turn.' + line.turn]} {line.street}", "turn"
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(
                latitude=lat,
                longitude=lon,
                name=name,
                description=f"{t[line.action]} {line.km:.2f} km, {line.start}",
                type=kind,
            )
        )


def save_gpx_tracks(
    G: nx.MultiDiGraph,
    routes: Iterable[DrivenRoute],
    folder: Path,
    *,
    depot_names: dict[str, str] | None = None,
    lang: str = "en",
) -> list[Path]:
    """Write ``folder/<plan>_<vehicle>_<n>.gpx`` for every route (see route_to_gpx)."""
    folder.mkdir(parents=True, exist_ok=True)
    project = wgs84(G)
    names = depot_names or {}
    out = []
    for route in routes:
        path = folder / f"{route.stem}.gpx"
        text = route_to_gpx(
            G,
            route,
            depot_name=names.get(route.depot, ""),
            project=project,
            lines=sheet_lines(G, route, lang=lang),
            lang=lang,
        )
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out
