"""GIS layers of a run: documented schema, GeoDataFrames, GeoPackage and GeoJSON.

:data:`LAYERS` declares every layer and field once; :func:`routes_to_gdfs` builds
frames that follow it exactly (same columns, order and types, empty layers
included), :func:`save_routes_geopackage` writes them in a projected CRS and
:func:`save_geojson` writes WGS84 copies. ``docs/outputs.md`` is rendered from
:data:`LAYERS`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import pandas as pd
import pyogrio
from pyproj import CRS
from shapely.geometry import LineString, MultiLineString, Point
from shapely.ops import linemerge

from snowroute.network import attributes as A
from snowroute.outputs.drive import (
    DrivenRoute,
    clock_text,
    driven_routes,
    edge_data,
    edge_line,
    plans_driven,
    street_name,
)
from snowroute.outputs.model import ExchangedSection, PatrolDay, PlanRoutes
from snowroute.outputs.styles import line_qml, point_qml, run_crs, save_layer_styles

__all__ = [
    "LAYERS",
    "Field",
    "Layer",
    "output_crs",
    "routes_to_gdfs",
    "save_geojson",
    "save_route_styles",
    "save_routes_geopackage",
]

logger = logging.getLogger(__name__)

Kind = Literal["str", "int", "float", "bool"]


@dataclass(frozen=True, slots=True)
class Field:
    """A documented attribute of a layer: name, type and meaning."""

    name: str
    kind: Kind
    description: str


@dataclass(frozen=True, slots=True)
class Layer:
    """A documented layer: name, geometry type, meaning and fields."""

    name: str
    geometry: str
    description: str
    fields: tuple[Field, ...]

    @property
    def columns(self) -> list[str]:
        """Field names in order."""
        return [f.name for f in self.fields]


_PLAN = Field(
    "plan", "str", "Plan name (`baseline`, `optimized`, `patrol-<date>`, ...)."
)
_VEHICLE = Field("vehicle", "str", "Vehicle class id from the scenario.")
_ROUTE_NO = Field(
    "route_no", "int", "Route number within the vehicle class and plan, from 1."
)
_SEQUENCE = Field("sequence", "int", "Position of the edge in the route, from 1.")
_LENGTH = Field("length_m", "float", "Length of the edge in metres.")
_START = Field("start_s", "float", "Seconds after the shift start entering the edge.")
_END = Field("end_s", "float", "Seconds after the shift start leaving the edge.")
_STREET = Field(
    "street", "str", "Street name, else route name, else ref; empty if none."
)
_U = Field("u", "str", "Network node the edge is driven from.")
_V = Field("v", "str", "Network node the edge is driven to.")
_KEY = Field("key", "int", "Key of the edge between `u` and `v` in the network.")

#: Every layer of ``routes.gpkg`` (and ``geojson/<layer>.geojson``).
LAYERS: tuple[Layer, ...] = (
    Layer(
        "served_edges",
        "LineString",
        "Every edge a route serves (plows or patrols), one feature per pass, "
        "drawn in driving direction.",
        (
            _PLAN,
            _VEHICLE,
            _ROUTE_NO,
            _SEQUENCE,
            Field("admin_id", "str", "Road administrator (owner) of the edge."),
            Field("served_by", "str", "Administrator running the vehicle."),
            Field(
                "exchanged", "bool", "True when `served_by` differs from `admin_id`."
            ),
            Field("route_id", "str", "Route (路線) id of the edge."),
            Field("route_name", "str", "Route name (`国道7号`, `県道28号`, ...)."),
            Field("section_id", "str", "Route section, the unit of exchange."),
            Field("road_class", "str", "OSM highway class."),
            _STREET,
            _LENGTH,
            _START,
            _END,
            _U,
            _V,
            _KEY,
        ),
    ),
    Layer(
        "deadhead",
        "LineString",
        "Every edge a route drives without serving (deadheading), in driving "
        "direction.",
        (
            _PLAN,
            _VEHICLE,
            _ROUTE_NO,
            _SEQUENCE,
            Field("admin_id", "str", "Road administrator (owner) of the edge."),
            _STREET,
            _LENGTH,
            _START,
            _END,
            _U,
            _V,
            _KEY,
        ),
    ),
    Layer(
        "depots",
        "Point",
        "Depots used by any plan, at their road node.",
        (
            Field("depot_id", "str", "Depot id from the scenario."),
            Field("name", "str", "Depot display name; empty if none."),
            Field("node", "str", "Network node of the depot."),
            Field("vehicles", "str", "Vehicle classes based here, comma-separated."),
            Field("admins", "str", "Administrators running those vehicles."),
        ),
    ),
    Layer(
        "exchanged_sections",
        "MultiLineString",
        "Route sections plowed by another administrator than their owner.",
        (
            Field(
                "plan", "str", "Plan in which the section is exchanged (empty: all)."
            ),
            Field("route_id", "str", "Route (路線) id."),
            Field("route_name", "str", "Route name."),
            Field("section_id", "str", "Section id (the route id for a whole route)."),
            Field("from_admin", "str", "Administrator that owns the road."),
            Field("to_admin", "str", "Administrator that plows it in this plan."),
            Field("km", "float", "Road kilometres of the section (as given)."),
            Field("n_edges", "int", "Network edges of the section found in the graph."),
        ),
    ),
    Layer(
        "route_outlines",
        "LineString",
        "One line per vehicle route, the whole drive from depot to depot, with totals.",
        (
            _PLAN,
            _VEHICLE,
            _ROUTE_NO,
            Field("served_by", "str", "Administrator running the vehicle."),
            Field("depot", "str", "Depot id where the route starts and ends."),
            Field("activity", "str", "`plow` or `patrol`."),
            Field("served_km", "float", "Kilometres served."),
            Field("deadhead_km", "float", "Kilometres driven without serving."),
            Field("total_km", "float", "Kilometres driven."),
            Field("service_h", "float", "Hours serving."),
            Field("duration_h", "float", "Hours from leaving the depot to returning."),
            Field("start", "str", "Shift start (HH:MM), or 0:00 elapsed."),
            Field("end", "str", "Return to the depot (HH:MM, `+1` the next day)."),
            Field("n_served", "int", "Edges served."),
            Field("n_legs", "int", "Edges driven."),
        ),
    ),
    Layer(
        "patrol_days",
        "LineString",
        "One line per patrol route per day; empty when the run has no patrol.",
        (
            Field("date", "str", "Day of the patrol (ISO date)."),
            _PLAN,
            _VEHICLE,
            _ROUTE_NO,
            Field("patrolled_km", "float", "Kilometres patrolled."),
            Field("deadhead_km", "float", "Kilometres driven without patrolling."),
            Field("duration_h", "float", "Hours from leaving the depot to returning."),
            Field("n_patrolled", "int", "Edges patrolled."),
        ),
    ),
)

_BY_NAME = {layer.name: layer for layer in LAYERS}
_DTYPES = {"str": "object", "int": "int64", "float": "float64", "bool": "bool"}


def output_crs(G: nx.MultiDiGraph, crs: str | None = None) -> CRS:
    """Return the projected CRS of the GeoPackages (:func:`~.styles.run_crs`)."""
    return run_crs(G, crs)


def save_route_styles(path: Path) -> None:
    """Give every layer of ``routes.gpkg`` its QGIS default style (as the map)."""
    save_layer_styles(
        path,
        {
            "served_edges": line_qml("#0072b2", 0.9),
            "deadhead": line_qml("#555555", 0.4, dashed=True),
            "route_outlines": line_qml("#009e73", 0.5),
            "exchanged_sections": line_qml("#ff7f00", 2.0),
            "patrol_days": line_qml("#cc79a7", 0.7),
            "depots": point_qml("#ffffff", "#000000", 3.5),
        },
    )


def _frame(layer: Layer, rows: list[dict[str, Any]], geoms: list[Any], crs: Any) -> Any:
    data = {
        f.name: pd.Series([r[f.name] for r in rows], dtype=_DTYPES[f.kind])
        for f in layer.fields
    }
    return gpd.GeoDataFrame(
        pd.DataFrame(data), geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs
    )


def _attr(data: Any, name: str) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _route_rows(
    G: nx.MultiDiGraph, route: DrivenRoute
) -> tuple[list[dict[str, Any]], list[Any], list[dict[str, Any]], list[Any]]:
    served, served_geom, dead, dead_geom = [], [], [], []
    for leg in route.legs:
        data = edge_data(G, leg.edge)
        u, v, k = leg.edge
        common = {
            "plan": route.plan,
            "vehicle": route.vehicle,
            "route_no": route.route_no,
            "sequence": leg.sequence,
            "admin_id": _attr(data, A.ADMIN_ID),
            "street": street_name(data),
            "length_m": leg.length_m,
            "start_s": leg.start_s,
            "end_s": leg.end_s,
            "u": str(u),
            "v": str(v),
            "key": k,
        }
        if leg.serving:
            common.update(
                served_by=route.admin,
                exchanged=common["admin_id"] != route.admin,
                route_id=_attr(data, A.ROUTE_ID),
                route_name=_attr(data, A.ROUTE_NAME),
                section_id=_attr(data, A.SECTION_ID),
                road_class=_attr(data, A.ROAD_CLASS) or _attr(data, "highway"),
            )
            served.append(common)
            served_geom.append(edge_line(G, leg.edge))
        else:
            dead.append(common)
            dead_geom.append(edge_line(G, leg.edge))
    return served, served_geom, dead, dead_geom


def route_line(G: nx.MultiDiGraph, route: DrivenRoute) -> LineString:
    """Return the whole drive of ``route`` as one line in the graph's CRS."""
    coords: list[tuple[float, float]] = []
    for leg in route.legs:
        for xy in edge_line(G, leg.edge).coords:
            point = (float(xy[0]), float(xy[1]))
            if not coords or coords[-1] != point:
                coords.append(point)
    if len(coords) < 2:
        node = G.nodes[route.depot_node]
        coords = [(float(node["x"]), float(node["y"]))] * 2
    return LineString(coords)


def _outline_row(route: DrivenRoute) -> dict[str, Any]:
    return {
        "plan": route.plan,
        "vehicle": route.vehicle,
        "route_no": route.route_no,
        "served_by": route.admin,
        "depot": route.depot,
        "activity": route.activity,
        "served_km": route.served_m / 1000.0,
        "deadhead_km": route.deadhead_m / 1000.0,
        "total_km": (route.served_m + route.deadhead_m) / 1000.0,
        "service_h": route.service_s / 3600.0,
        "duration_h": route.duration_s / 3600.0,
        "start": clock_text(route.start_clock, 0.0),
        "end": clock_text(route.start_clock, route.duration_s),
        "n_served": sum(1 for leg in route.legs if leg.serving),
        "n_legs": len(route.legs),
    }


def section_line(
    G: nx.MultiDiGraph, section: ExchangedSection
) -> tuple[MultiLineString, int]:
    """Return the geometry of an exchanged section and its number of edges.

    Each road is drawn once (one of the two directed edges of a two-way road).
    """
    lines = []
    seen: set[frozenset[Hashable]] = set()
    count = 0
    whole_route = section.section == section.route_id
    for u, v, k, data in G.edges(keys=True, data=True):
        if whole_route:
            hit = _attr(data, A.ROUTE_ID) == section.route_id
        else:
            hit = _attr(data, A.SECTION_ID) == section.section
        if not hit:
            continue
        count += 1
        pair = frozenset((u, v))
        if pair in seen:
            continue
        seen.add(pair)
        lines.append(edge_line(G, (u, v, k)))
    merged = linemerge(lines) if lines else MultiLineString()
    if isinstance(merged, LineString):
        merged = MultiLineString([merged])
    return merged, count


def routes_to_gdfs(
    G: nx.MultiDiGraph,
    plans: Sequence[PlanRoutes],
    *,
    exchanged: Iterable[ExchangedSection] = (),
    patrol_days: Iterable[PatrolDay] = (),
) -> dict[str, Any]:
    """Build every layer of :data:`LAYERS` as a GeoDataFrame in the graph's CRS.

    Patrol days appear in ``patrol_days`` only; ``served_edges``, ``deadhead`` and
    ``route_outlines`` hold the plans.

    Raises
    ------
    OutputError
        When a plan drives an edge that is not in ``G``.
    """
    days = list(patrol_days)
    depot_names: dict[str, str] = {}
    for plan in [*plans, *(day.routes for day in days)]:
        depot_names.update(plan.depot_names)
    out = _LayerRows(G, depot_names)
    for route in plans_driven(plans):
        out.add_plan_route(route)
    for day in days:
        for route in driven_routes(day.routes):
            out.add_patrol_route(day, route)
    out.add_depots()
    for section in exchanged:
        out.add_section(section)
    crs = G.graph.get("crs", "EPSG:4326")
    return {
        layer.name: _frame(layer, out.rows[layer.name], out.geoms[layer.name], crs)
        for layer in LAYERS
    }


class _LayerRows:
    """The rows and geometries of every layer, filled route by route."""

    def __init__(self, G: nx.MultiDiGraph, depot_names: Mapping[str, str]) -> None:
        self.G = G
        self.depot_names = depot_names
        self.rows: dict[str, list[dict[str, Any]]] = {x.name: [] for x in LAYERS}
        self.geoms: dict[str, list[Any]] = {x.name: [] for x in LAYERS}
        self.depots: dict[str, dict[str, Any]] = {}

    def add(self, layer: str, row: dict[str, Any], geom: Any) -> None:
        self.rows[layer].append(row)
        self.geoms[layer].append(geom)

    def add_plan_route(self, route: DrivenRoute) -> None:
        served, served_geom, dead, dead_geom = _route_rows(self.G, route)
        self.rows["served_edges"] += served
        self.geoms["served_edges"] += served_geom
        self.rows["deadhead"] += dead
        self.geoms["deadhead"] += dead_geom
        self.add("route_outlines", _outline_row(route), route_line(self.G, route))
        self._note_depot(route)

    def add_patrol_route(self, day: PatrolDay, route: DrivenRoute) -> None:
        row = {
            "date": day.date.isoformat(),
            "plan": route.plan,
            "vehicle": route.vehicle,
            "route_no": route.route_no,
            "patrolled_km": route.served_m / 1000.0,
            "deadhead_km": route.deadhead_m / 1000.0,
            "duration_h": route.duration_s / 3600.0,
            "n_patrolled": sum(1 for leg in route.legs if leg.serving),
        }
        self.add("patrol_days", row, route_line(self.G, route))
        self._note_depot(route)

    def _note_depot(self, route: DrivenRoute) -> None:
        row = self.depots.setdefault(
            route.depot,
            {
                "depot_id": route.depot,
                "name": self.depot_names.get(route.depot, ""),
                "node": str(route.depot_node),
                "vehicles": [],
                "admins": [],
                "_node": route.depot_node,
            },
        )
        for key, value in (("vehicles", route.vehicle), ("admins", route.admin)):
            if value not in row[key]:
                row[key].append(value)

    def add_depots(self) -> None:
        for depot_id in sorted(self.depots):
            row = dict(self.depots[depot_id])
            node = self.G.nodes[row.pop("_node")]
            row["vehicles"] = ",".join(row["vehicles"])
            row["admins"] = ",".join(row["admins"])
            self.add("depots", row, Point(float(node["x"]), float(node["y"])))

    def add_section(self, section: ExchangedSection) -> None:
        line, count = section_line(self.G, section)
        if count == 0:
            logger.warning(
                "Exchanged section %r has no edge in the network.", section.section
            )
        route_name = next(
            (
                _attr(d, A.ROUTE_NAME)
                for _, _, d in self.G.edges(data=True)
                if _attr(d, A.ROUTE_ID) == section.route_id
            ),
            "",
        )
        row = {
            "plan": section.plan,
            "route_id": section.route_id,
            "route_name": route_name,
            "section_id": section.section,
            "from_admin": section.from_admin,
            "to_admin": section.to_admin,
            "km": section.km,
            "n_edges": count,
        }
        self.add("exchanged_sections", row, line)


def save_routes_geopackage(
    layers: dict[str, Any], path: Path, *, crs: CRS | str
) -> Path:
    """Write ``layers`` (from :func:`routes_to_gdfs`) to a GeoPackage in ``crs``.

    Every layer of :data:`LAYERS` is written, empty ones with their fields. The
    file is GeoPackage 1.2, which every GDAL and QGIS in use reads without a
    warning (the newest GDAL writes 1.4 by default, which GDAL 3.6 warns about).
    """
    for index, (name, gdf) in enumerate(layers.items()):
        pyogrio.write_dataframe(
            gdf.to_crs(crs),
            path,
            layer=name,
            driver="GPKG",
            dataset_options={"VERSION": "1.2"} if index == 0 else None,
            geometry_type=_BY_NAME[name].geometry if name in _BY_NAME else None,
            promote_to_multi=_BY_NAME[name].geometry.startswith("Multi")
            if name in _BY_NAME
            else None,
        )
    return path


def save_geojson(layers: dict[str, Any], folder: Path) -> list[Path]:
    """Write each layer as ``folder/<layer>.geojson`` in WGS84 (RFC 7946)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, gdf in layers.items():
        path = folder / f"{name}.geojson"
        pyogrio.write_dataframe(
            gdf.to_crs("EPSG:4326"),
            path,
            driver="GeoJSON",
            layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 7},
            geometry_type=_BY_NAME[name].geometry if name in _BY_NAME else None,
        )
        out.append(path)
    return out
