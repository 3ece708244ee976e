"""Road centerline layers (a road ledger in GeoPackage, Shapefile, GeoJSON) as networks.

GIS staff keep their roads as a line layer with an administrator column. This module
reads any line layer pyogrio reads, maps its columns onto the snowroute attribute
schema (:class:`CenterlineColumns`), repairs the topology and returns the same tagged
network model as OSM input: an OSMnx-compatible ``MultiDiGraph`` in EPSG:4326 with
node ``x``/``y``, edge ``length``/``geometry`` and every attribute of
:mod:`snowroute.network.attributes`, marked tagged so no rule set runs on it.

The topology step (:func:`centerline_topology`), in a metric CRS:

1. **Snap** line ends within ``snap_m`` of each other to one point, then a line end
   still alone within ``snap_m`` of another line onto that line (an undershoot at a
   T junction), inserting a vertex there.
2. **Junctions** are line ends and vertices shared by two lines. With
   ``crossings="vertex"`` (default) lines that merely cross without a shared vertex
   do not meet (a bridge or an underpass); ``"level"`` also joins crossings of lines
   with equal values in the ``level`` column (and keeps shared vertices of lines on
   different levels apart); ``"all"`` joins every crossing.
3. **Split** lines at junctions; report *dangles* (ends touching nothing) and *tiny
   pieces* (shorter than ``min_piece_m``), which are kept but usually mark
   digitising slips.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from snowroute._errors import InputFileError
from snowroute.network import attributes as A
from snowroute.network.copies import Copies, Directed, find_copies
from snowroute.network.layers import has_geometry, read_layer
from snowroute.network.routes import add_edge_routes, add_edge_sections
from snowroute.network.validate import validate_network

__all__ = [
    "CenterlineColumns",
    "CenterlineTopology",
    "centerline_topology",
    "columns_from_text",
    "graph_from_centerline",
]

logger = logging.getLogger(__name__)

Crossings = Literal["vertex", "level", "all"]

#: Route kind of a road whose layer has no route-kind column, by administrator class.
_KIND_OF_CLASS = {
    "mlit": "national",
    "prefecture": "prefectural",
    "municipality": "municipal",
    "state": "state_highway",
    "county": "county_highway",
    "city": "local",
    "expressway": "expressway",
}
#: Priority of a road whose layer has no priority column, by service grade.
_PRIORITY_OF_GRADE = {1: "arterial", 2: "collector", 3: "local", 0: "local"}
_KEY_MM = 1000.0  # coordinates are compared to the millimetre
_MAX_FIDS = 100  # fids of unknown or dropped features kept in the graph attributes
_COLUMN_FIELDS = (
    "admin_id",
    "admin_class",
    "admin_name",
    "route_id",
    "route_name",
    "route_ref",
    "route_kind",
    "road_class",
    "lanes",
    "oneway",
    "speed",
    "width",
    "grade",
    "priority",
    "winter_closed",
    "level",
    "feature_id",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CenterlineColumns:
    """
    Which column of a centerline layer holds which road attribute.

    Every field but ``admin_id`` is optional; a missing column takes the default
    named in the parameter. Column names are matched exactly.

    Parameters
    ----------
    admin_id
        Administrator id (``"05201"``, ``"middleton"``). Required.
    admin_class
        Administrator class (``municipality``, ``prefecture``, ``city`` ...);
        default ``default_admin_class``.
    admin_name
        Administrator display name; default the id.
    route_id, route_name, route_ref, route_kind
        Route identifier, name, number and legal kind. Without ``route_id`` routes
        are formed from ref or name as for OSM input; without ``route_kind`` the
        kind follows the administrator class.
    road_class
        Road class (used by vehicle compatibility); default ``default_road_class``.
    lanes
        Total number of lanes (both directions); default 2 (1 on one-way roads).
    oneway
        Direction of travel; its values are read with ``oneway_forward`` (drive
        along the digitised direction), ``oneway_backward`` (against it) and
        ``oneway_both``. Empty values mean two-way.
    speed
        Travel speed in ``speed_unit``; default ``default_speed_kph``.
    width
        Carriageway width in ``width_unit`` (``"m"`` or ``"ft"``).
    directed
        Whether the layer is a directed export (each two-way street once per
        direction, see :mod:`snowroute.network.copies`): ``"auto"``, ``"yes"``,
        ``"no"``.
    priority_values, road_class_values, admin_class_values
        Tables from a column's values (as written in the layer, ``""`` for empty
        cells) to priority classes, road classes and administrator classes; with a
        table, a value it does not map is an error.
    grade
        Snow-clearing service grade 1-3 (第1種..第3種).
    priority
        Priority class (``emergency``, ``arterial``, ``collector``, ``local``);
        default from the grade (1 arterial, 2 collector, else local).
    winter_closed
        True for roads closed in winter.
    level
        Vertical level (bridge or layer number) used by ``crossings="level"``.
    feature_id
        Stable feature id kept as the edge's ``osmid``; default the row number.

    Raises
    ------
    ValueError
        When ``admin_id`` is empty, a direction value is listed twice or
        ``speed_unit`` is unknown.
    """

    admin_id: str
    admin_class: str | None = None
    admin_name: str | None = None
    route_id: str | None = None
    route_name: str | None = None
    route_ref: str | None = None
    route_kind: str | None = None
    road_class: str | None = None
    lanes: str | None = None
    oneway: str | None = None
    speed: str | None = None
    width: str | None = None
    grade: str | None = None
    priority: str | None = None
    winter_closed: str | None = None
    level: str | None = None
    feature_id: str | None = None
    oneway_forward: tuple[str, ...] = ("forward", "f", "ft", "yes", "true", "1")
    oneway_backward: tuple[str, ...] = ("backward", "tf", "reverse", "-1")
    oneway_both: tuple[str, ...] = ("both", "b", "no", "false", "0", "none")
    speed_unit: Literal["kph", "mph"] = "kph"
    width_unit: Literal["m", "ft"] = "m"
    directed: Directed = "auto"
    priority_values: Mapping[str, str] = field(default_factory=dict)
    road_class_values: Mapping[str, str] = field(default_factory=dict)
    admin_class_values: Mapping[str, str] = field(default_factory=dict)
    default_admin_class: str = "municipality"
    default_road_class: str = "unclassified"
    default_speed_kph: float = 40.0

    def __post_init__(self) -> None:
        if not self.admin_id:
            msg = "`admin_id` must name the administrator column."
            raise ValueError(msg)
        values = [
            _norm(v)
            for v in (*self.oneway_forward, *self.oneway_backward, *self.oneway_both)
        ]
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            msg = f"Oneway value {repeated[0]!r} is listed for two directions."
            raise ValueError(msg)
        if self.speed_unit not in ("kph", "mph"):
            msg = f"`speed_unit` must be kph or mph, got {self.speed_unit!r}."
            raise ValueError(msg)
        if self.width_unit not in ("m", "ft"):
            msg = f"`width_unit` must be m or ft, got {self.width_unit!r}."
            raise ValueError(msg)
        if self.directed not in ("auto", "yes", "no"):
            msg = f"`directed` must be auto, yes or no, got {self.directed!r}."
            raise ValueError(msg)
        bad = sorted(set(self.priority_values.values()) - set(A.PRIORITY_CLASSES))
        if bad:
            msg = (
                f"`priority_values` maps to {bad[0]!r}, not one of "
                f"{', '.join(A.PRIORITY_CLASSES)}."
            )
            raise ValueError(msg)
        if not self.default_speed_kph > 0:
            msg = f"`default_speed_kph` must be positive, got {self.default_speed_kph}."
            raise ValueError(msg)

    def used(self) -> dict[str, str]:
        """Attribute name to column name, for the columns that are set."""
        return {
            name: getattr(self, name)
            for name in _COLUMN_FIELDS
            if getattr(self, name) is not None
        }


_LIST_FIELDS = ("oneway_forward", "oneway_backward", "oneway_both")
_TABLE_FIELDS = ("priority_values", "road_class_values", "admin_class_values")


def columns_from_text(fields: Mapping[str, str]) -> CenterlineColumns:
    """
    Return the column mapping given as text (``--columns KEY=VALUE`` pairs).

    Column names and settings are taken as written; the direction value lists
    are comma-separated (``oneway_both=both,None``), the value tables are
    comma-separated ``VALUE:TO`` pairs (``priority_values=Minor Arterial:arterial,
    None:local,:local``, an empty VALUE for empty cells) and
    ``default_speed_kph`` is a number.

    Raises
    ------
    ValueError
        When a table entry has no ``:``, the speed is not a number, or the
        mapping itself is invalid (see :class:`CenterlineColumns`).
    """
    values: dict[str, Any] = dict(fields)
    for name in _LIST_FIELDS:
        if name in values:
            values[name] = tuple(v.strip() for v in fields[name].split(","))
    for name in _TABLE_FIELDS:
        if name in values:
            values[name] = _table_from_text(name, fields[name])
    if "default_speed_kph" in values:
        try:
            values["default_speed_kph"] = float(fields["default_speed_kph"])
        except ValueError:
            msg = (
                f"`default_speed_kph` must be a number, got "
                f"{fields['default_speed_kph']!r}."
            )
            raise ValueError(msg) from None
    return CenterlineColumns(**values)


def _table_from_text(name: str, text: str) -> dict[str, str]:
    table = {}
    for entry in text.split(","):
        key, sep, value = entry.rpartition(":")
        if not sep or not value.strip():
            msg = f"`{name}` entry {entry.strip()!r} must look like VALUE:TO."
            raise ValueError(msg)
        table[key.strip()] = value.strip()
    return table


@dataclass(frozen=True, slots=True, eq=False)
class CenterlineTopology:
    """
    The repaired topology of a centerline layer, in the layer's metric CRS.

    Attributes
    ----------
    pieces
        One row per road piece between junctions: ``row`` (source row), ``u``/``v``
        (junction ids) and the piece geometry.
    nodes
        ``(num_nodes, 2)`` junction coordinates; node ``i`` is row ``i``.
    crs
        The metric CRS of ``pieces`` and ``nodes``.
    snapped
        Line ends moved by the snapping step.
    crossings_split
        Crossings without a shared vertex that became junctions.
    dangles
        Nodes touched by a single piece end (dead ends or undershoots).
    tiny
        Indices into ``pieces`` of pieces shorter than the ``min_piece_m`` used.
    dropped
        Source rows with no usable line (empty, null or zero length).
    """

    pieces: gpd.GeoDataFrame
    nodes: np.ndarray
    crs: Any
    snapped: int
    crossings_split: int
    dangles: tuple[int, ...]
    tiny: tuple[int, ...]
    dropped: tuple[int, ...] = field(default=())

    def summary(self) -> str:
        """One line: pieces, nodes, snapped ends, split crossings, dangles, tiny."""
        return (
            f"{len(self.pieces)} pieces, {len(self.nodes)} junctions, "
            f"{self.snapped} ends snapped, {self.crossings_split} crossings split, "
            f"{len(self.dangles)} dangles, {len(self.tiny)} tiny pieces, "
            f"{len(self.dropped)} rows without a line"
        )


def _norm(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


def _key(x: float, y: float) -> tuple[int, int]:
    return (round(x * _KEY_MM), round(y * _KEY_MM))


def _dedupe(coords: np.ndarray) -> np.ndarray:
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(coords, axis=0)) > 1.0 / _KEY_MM, axis=1)
    return coords[keep]


def _insert_point(coords: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Insert ``point`` into the polyline ``coords`` on its nearest segment."""
    a, b = coords[:-1], coords[1:]
    ab = b - a
    denom = np.maximum((ab**2).sum(axis=1), 1e-12)
    t = np.clip(((point - a) * ab).sum(axis=1) / denom, 0.0, 1.0)
    proj = a + t[:, None] * ab
    seg = int(np.argmin(((proj - point) ** 2).sum(axis=1)))
    return np.vstack([coords[: seg + 1], point[None, :], coords[seg + 1 :]])


def _snap_ends(lines: list[np.ndarray], snap_m: float) -> int:
    """Move line ends within ``snap_m`` of each other onto their mean; in place."""
    ends = np.array([[c[0], c[-1]] for c in lines]).reshape(-1, 2)
    if snap_m <= 0 or len(ends) < 2:
        return 0
    pairs = cKDTree(ends).query_pairs(snap_m, output_type="ndarray")
    if len(pairs) == 0:
        return 0
    uf = nx.utils.UnionFind(range(len(ends)))
    for i, j in pairs:
        uf.union(int(i), int(j))
    moved = 0
    for group in uf.to_sets():
        if len(group) < 2:
            continue
        idx = sorted(group)
        target = ends[idx].mean(axis=0)
        for e in idx:
            if np.any(np.abs(ends[e] - target) > 1.0 / _KEY_MM):
                moved += 1
            line = lines[e // 2]
            line[0 if e % 2 == 0 else -1] = target
    return moved


def _snap_to_lines(lines: list[np.ndarray], snap_m: float) -> int:
    """Move lone line ends within ``snap_m`` of another line onto it; in place."""
    if snap_m <= 0:
        return 0
    count: defaultdict[tuple[int, int], int] = defaultdict(int)
    for c in lines:
        for x, y in c:
            count[_key(x, y)] += 1
    geoms = [shapely.LineString(c) for c in lines]
    tree = shapely.STRtree(geoms)
    moved = 0
    for i, c in enumerate(lines):
        for end in (0, -1):
            x, y = c[end]
            if count[_key(x, y)] > 1:
                continue
            point = shapely.Point(x, y)
            near = [
                int(j)
                for j in tree.query(point, predicate="dwithin", distance=snap_m)
                if int(j) != i
            ]
            if not near:
                continue
            j = min(near, key=lambda k: (geoms[k].distance(point), k))
            target_line = lines[j]
            d2 = ((target_line - c[end]) ** 2).sum(axis=1)
            nearest_vertex = int(np.argmin(d2))
            if d2[nearest_vertex] <= snap_m**2:
                target = target_line[nearest_vertex].copy()
            else:
                proj = geoms[j].interpolate(geoms[j].project(point))
                target = np.array([proj.x, proj.y])
                lines[j] = _insert_point(target_line, target)
                geoms[j] = shapely.LineString(lines[j])
            c[end] = target
            count[_key(*target)] += 2
            moved += 1
    return moved


def _split_crossings(
    lines: list[np.ndarray], levels: list[str] | None, mode: Crossings
) -> int:
    """Insert a shared vertex at every crossing that is a junction; in place."""
    if mode == "vertex":
        return 0
    geoms = [shapely.LineString(c) for c in lines]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    added = 0
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j or (
            mode == "level" and levels is not None and levels[i] != levels[j]
        ):
            continue
        points = shapely.get_coordinates(shapely.intersection(geoms[i], geoms[j]))
        for point in points:
            key = _key(*point)
            for k in (i, j):
                if not any(_key(x, y) == key for x, y in lines[k]):
                    lines[k] = _insert_point(lines[k], point)
                    added += 1
    return added // 2


def centerline_topology(
    lines: gpd.GeoDataFrame,
    *,
    snap_m: float = 1.0,
    crossings: Crossings = "vertex",
    level: str | None = None,
    min_piece_m: float = 2.0,
) -> CenterlineTopology:
    """
    Snap, split and check the lines of a centerline layer (see the module notes).

    Parameters
    ----------
    lines
        Line (or multi-line) features with a CRS; rows keep their index as
        ``row`` in the result.
    snap_m
        Line ends closer than this (metres) are joined.
    crossings
        Which crossings without a shared vertex are junctions: ``"vertex"``
        (none), ``"level"`` (equal ``level`` values) or ``"all"``.
    level
        Column with the vertical level, needed by ``crossings="level"``.
    min_piece_m
        Pieces shorter than this are reported as tiny.

    Returns
    -------
    CenterlineTopology
        Pieces, junctions and the report.

    Raises
    ------
    InputFileError
        When the layer has no CRS, holds no line, or ``crossings`` is unknown or
        ``"level"`` without a ``level`` column.
    """
    _check_topology_args(lines, crossings, level)
    metric = lines.crs if lines.crs.is_projected else lines.estimate_utm_crs()
    rows, coords, level_values = _line_coords(lines.to_crs(metric), level)
    dropped = tuple(sorted(set(lines.index) - set(rows), key=str))
    snapped = _snap_ends(coords, snap_m)
    snapped += _snap_to_lines(coords, snap_m)
    coords = [_dedupe(c) for c in coords]
    levels = level_values if level is not None else None
    split = _split_crossings(coords, levels, crossings)
    cut_levels = levels if crossings == "level" and levels is not None else None
    pieces, node_xy = _cut_pieces(coords, rows, cut_levels, metric)
    degree = np.bincount(
        np.concatenate([pieces["u"].to_numpy(), pieces["v"].to_numpy()]),
        minlength=len(node_xy),
    )
    topo = CenterlineTopology(
        pieces=pieces,
        nodes=np.array(node_xy, dtype=np.float64).reshape(-1, 2),
        crs=metric,
        snapped=snapped,
        crossings_split=split,
        dangles=tuple(int(n) for n in np.flatnonzero(degree == 1)),
        tiny=tuple(int(i) for i in np.flatnonzero(pieces.length < min_piece_m)),
        dropped=dropped,
    )
    logger.info("Centerline topology: %s", topo.summary())
    return topo


def _check_topology_args(
    lines: gpd.GeoDataFrame, crossings: Crossings, level: str | None
) -> None:
    if crossings not in ("vertex", "level", "all"):
        msg = f"`crossings` must be vertex, level or all, got {crossings!r}."
        raise InputFileError(msg)
    if crossings == "level" and (level is None or level not in lines.columns):
        msg = "`crossings = level` needs a `level` column in the layer."
        raise InputFileError(msg)
    if lines.crs is None:
        msg = "The centerline layer has no coordinate reference system."
        raise InputFileError(msg)


def _line_coords(
    frame: gpd.GeoDataFrame, level: str | None
) -> tuple[list[Any], list[np.ndarray], list[str]]:
    """Row, metric vertices and level of every usable single line of ``frame``."""
    frame = frame.assign(_row=frame.index).explode(index_parts=False)
    ok = has_geometry(frame) & (frame.geometry.geom_type == "LineString").to_numpy()
    rows: list[Any] = []
    coords: list[np.ndarray] = []
    level_values: list[str] = []
    for row, geom, lev in zip(
        frame["_row"][ok],
        frame.geometry[ok],
        frame[level][ok] if level is not None and level in frame else [None] * ok.sum(),
        strict=True,
    ):
        c = _dedupe(shapely.get_coordinates(geom).astype(np.float64))
        if len(c) >= 2:
            rows.append(row)
            coords.append(c)
            level_values.append(_norm(lev) or "0")
    if not coords:
        msg = "The centerline layer holds no line with a usable geometry."
        raise InputFileError(msg)
    return rows, coords, level_values


def _junctions(
    coords: list[np.ndarray], levels: list[str] | None
) -> tuple[set[tuple[int, int]], set[tuple[int, int, str]]]:
    """Every line end, and interior vertices shared by two lines (on one level)."""
    end_keys = {_key(*c[0]) for c in coords} | {_key(*c[-1]) for c in coords}
    seen: defaultdict[tuple[int, int, str], set[int]] = defaultdict(set)
    for i, c in enumerate(coords):
        lev = levels[i] if levels is not None else ""
        for x, y in c[1:-1]:
            seen[(*_key(x, y), lev)].add(i)
    return end_keys, {k for k, owners in seen.items() if len(owners) > 1}


def _cut_pieces(
    coords: list[np.ndarray], rows: list[Any], levels: list[str] | None, crs: Any
) -> tuple[gpd.GeoDataFrame, list[tuple[float, float]]]:
    """Cut every line at its junctions; the pieces and the junction coordinates."""
    end_keys, shared = _junctions(coords, levels)
    node_of: dict[tuple[int, int], int] = {}
    node_xy: list[tuple[float, float]] = []

    def node(x: float, y: float) -> int:
        key = _key(x, y)
        if key not in node_of:
            node_of[key] = len(node_xy)
            node_xy.append((x, y))
        return node_of[key]

    piece_rows: list[dict[str, Any]] = []
    for i, c in enumerate(coords):
        lev = levels[i] if levels is not None else ""
        cuts = [0]
        for j in range(1, len(c) - 1):
            key = _key(*c[j])
            if key in end_keys or (*key, lev) in shared:
                cuts.append(j)
        cuts.append(len(c) - 1)
        for a, b in itertools.pairwise(cuts):
            part = c[a : b + 1]
            geom = shapely.LineString(part)
            if geom.length > 0:
                row = {"row": rows[i], "u": node(*part[0]), "v": node(*part[-1])}
                piece_rows.append(row | {"geometry": geom})
    pieces = gpd.GeoDataFrame(piece_rows, geometry="geometry", crs=crs)
    return pieces, node_xy


def _value(row: pd.Series, column: str | None) -> Any:
    if column is None:
        return None
    value = row[column]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _number(row: pd.Series, column: str | None, what: str, where: str) -> float | None:
    value = _value(row, column)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        msg = f"{where} has {what} {value!r} in column `{column}`, not a number."
        raise InputFileError(msg) from None


def _direction(row: pd.Series, columns: CenterlineColumns, where: str) -> int:
    """+1 along the digitised direction only, -1 against it, 0 both ways."""
    value = _norm(_value(row, columns.oneway))
    if value == "" or value in {_norm(v) for v in columns.oneway_both}:
        return 0
    if value in {_norm(v) for v in columns.oneway_forward}:
        return 1
    if value in {_norm(v) for v in columns.oneway_backward}:
        return -1
    msg = (
        f"{where} has oneway value {value!r} in column `{columns.oneway}`, which is "
        "none of the forward, backward or both values of the mapping."
    )
    raise InputFileError(msg)


def _mapped(
    row: pd.Series,
    column: str | None,
    table: Mapping[str, str],
    what: str,
    where: str,
) -> str | None:
    """Return the cell's value through the table (the raw value without one)."""
    value = _value(row, column)
    if not table:
        return None if value is None else str(value)
    key = "" if value is None else str(value).strip()
    if key in table:
        return table[key]
    folded = {k.lower(): v for k, v in table.items()}
    if key.lower() in folded:
        return folded[key.lower()]
    if value is None:
        return None
    msg = (
        f"{where} has {what} {key!r} in column `{column}`, which "
        f"`{what}_values` does not map."
    )
    raise InputFileError(msg)


def _attributes(
    row: pd.Series, columns: CenterlineColumns, where: str
) -> dict[str, Any]:
    c = columns
    admin = _value(row, c.admin_id)
    admin_id = A.UNKNOWN if admin is None else str(admin).strip()
    admin_class = str(
        _mapped(row, c.admin_class, c.admin_class_values, "admin_class", where)
        or c.default_admin_class
    )
    if admin_id == A.UNKNOWN:
        admin_class = A.UNKNOWN
    direction = _direction(row, c, where)
    lanes = _number(row, c.lanes, "lanes", where)
    speed = _number(row, c.speed, "speed", where)
    if speed is not None and c.speed_unit == "mph":
        speed *= 1.609344
    priority = _priority(row, c, where)
    width = _number(row, c.width, "width", where)
    if width is not None and c.width_unit == "ft":
        width *= 0.3048
    closed = _value(row, c.winter_closed)
    try:
        winter_closed = False if closed is None else A.parse_bool(closed)
    except ValueError:
        msg = f"{where} has winter_closed {closed!r}, not a boolean."
        raise InputFileError(msg) from None
    name = _value(row, c.route_name)
    ref = _value(row, c.route_ref)
    kind = _value(row, c.route_kind)
    road_class = str(
        _mapped(row, c.road_class, c.road_class_values, "road_class", where)
        or c.default_road_class
    )
    out: dict[str, Any] = {
        A.ADMIN_ID: admin_id,
        A.ADMIN_CLASS: admin_class,
        A.ADMIN_RULE: f"centerline:{c.admin_id}",
        A.ROUTE_KIND: str(kind or _KIND_OF_CLASS.get(admin_class, A.UNKNOWN)),
        A.ROUTE_REF: "" if ref is None else str(ref),
        A.ROUTE_NAME: "" if name is None else str(name),
        A.ROAD_CLASS: road_class,
        "highway": road_class,
        A.N_LANES: max(1, round(lanes)) if lanes else (1 if direction else 2),
        A.ONEWAY: direction != 0,
        A.WIDTH_M: math.nan if width is None else width,
        A.SPEED_KPH: c.default_speed_kph if not speed or speed <= 0 else speed,
        A.SERVICE_GRADE: _grade(row, c, where),
        A.PRIORITY: priority,
        A.WINTER_CLOSED: winter_closed,
        "_direction": direction,
        "_lanes_given": bool(lanes),
    }
    _add_names(out, row, c, where, admin_id)
    return out


def _grade(row: pd.Series, c: CenterlineColumns, where: str) -> int:
    value = _number(row, c.grade, "grade", where)
    grade = 0 if value is None else int(value)
    if grade not in (0, 1, 2, 3):
        msg = f"{where} has grade {grade} in column `{c.grade}`, not 1, 2 or 3."
        raise InputFileError(msg)
    return grade


def _priority(row: pd.Series, c: CenterlineColumns, where: str) -> str:
    mapped = _mapped(row, c.priority, c.priority_values, "priority", where)
    priority = str(mapped or _PRIORITY_OF_GRADE[_grade(row, c, where)]).lower()
    if priority not in A.PRIORITY_CLASSES:
        msg = (
            f"{where} has priority {priority!r} in column `{c.priority}`, not one of "
            f"{', '.join(A.PRIORITY_CLASSES)} (map the layer's values with "
            "`priority_values`)."
        )
        raise InputFileError(msg)
    return priority


def _add_names(
    out: dict[str, Any],
    row: pd.Series,
    c: CenterlineColumns,
    where: str,
    admin_id: str,
) -> None:
    """Route name, ref and id, and the administrator's display name."""
    if out[A.ROUTE_NAME]:
        out["name"] = out[A.ROUTE_NAME]
    if out[A.ROUTE_REF]:
        out["ref"] = out[A.ROUTE_REF]
    if c.route_id is not None:
        route_id = _value(row, c.route_id)
        label = out[A.ROUTE_NAME] or out[A.ROUTE_REF] or f"#{where.split()[-1]}"
        out[A.ROUTE_ID] = (
            f"{admin_id}/{out[A.ROUTE_KIND]}/{label}"
            if route_id is None
            else str(route_id)
        )
    admin_name = _value(row, c.admin_name)
    out["_admin_name"] = admin_id if admin_name is None else str(admin_name)


def graph_from_centerline(
    path: str | Path,
    *,
    columns: CenterlineColumns,
    layer: str | None = None,
    snap_m: float = 1.0,
    crossings: Crossings = "vertex",
    min_piece_m: float = 2.0,
) -> nx.MultiDiGraph:
    """
    Read a centerline layer into a tagged snowroute network.

    Parameters
    ----------
    path
        GeoPackage, Shapefile, GeoJSON or any line layer pyogrio reads.
    columns
        Which column holds which attribute.
    layer
        Layer name in a multi-layer file (GeoPackage); default the first.
    snap_m, crossings, min_piece_m
        Topology options (see :func:`centerline_topology`).

    Returns
    -------
    nx.MultiDiGraph
        Tagged network (graph attribute ``snowroute_tagged``), two directed edges
        per two-way road and one per one-way road, in EPSG:4326. Graph attributes
        ``centerline_dangles``, ``centerline_tiny`` and ``centerline_snapped`` count
        the topology findings; ``centerline_directed``, ``centerline_twins``,
        ``centerline_duplicates`` and ``centerline_disagreeing_copies`` (fids) what
        was merged; ``centerline_unknown_features``, ``centerline_unknown_km`` and
        ``centerline_unknown_fids`` the features without an administrator value;
        ``centerline_dropped_features`` and ``centerline_dropped_fids`` those left
        out for want of a line geometry.

    Raises
    ------
    InputFileError
        When the file cannot be read, lacks a mapped column, or a value cannot be
        read (the message names the feature and the column).
    """
    path = Path(path)
    frame = _read_layer(path, layer, columns)
    topo = centerline_topology(
        frame,
        snap_m=snap_m,
        crossings=crossings,
        level=columns.level,
        min_piece_m=min_piece_m,
    )
    dropped = _warn_topology(path, topo)

    copies = _copies(frame, topo, columns, snap_m)
    logger.info("`%s`: %s", path.name, copies.summary())
    G = _build(frame, topo, columns, str(path), copies)
    G.graph.update(
        centerline_dangles=len(topo.dangles),
        centerline_tiny=len(topo.tiny),
        centerline_snapped=topo.snapped,
        centerline_crossings_split=topo.crossings_split,
        centerline_directed=copies.directed,
        centerline_twins=copies.twins,
        centerline_duplicates=copies.duplicates,
        centerline_dropped_features=len(dropped),
        centerline_dropped_fids=",".join(dropped[:_MAX_FIDS]),
        **_unknown_features(G),
    )
    validate_network(G, strict=True)
    return G


def _warn_topology(path: Path, topo: CenterlineTopology) -> list[str]:
    """Warn of dangles, tiny pieces and features left out; return the latter's fids."""
    for what, items in (("dangles", topo.dangles), ("tiny pieces", topo.tiny)):
        if items:
            logger.warning("`%s`: %d %s", path.name, len(items), what)
    dropped = [str(fid) for fid in topo.dropped]
    if dropped:
        logger.warning(
            "`%s`: %d features without a usable line (no geometry, empty, not a "
            "line, or a single point) are left out (fids %s)",
            path.name,
            len(dropped),
            ", ".join(dropped[:5]),
        )
    return dropped


def _unknown_features(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Count the layer's features left without an administrator (empty values)."""
    km = 0.0
    fids: dict[str, None] = {}
    for _, _, data in G.edges(data=True):
        if data[A.ADMIN_ID] == A.UNKNOWN:
            km += A.road_km(data)
            fids[str(data["osmid"]).rsplit("/", 1)[0]] = None
    if fids:
        logger.warning(
            "%d features (%.2f km) have no administrator value (fids %s)",
            len(fids),
            km,
            ", ".join(list(fids)[:5]),
        )
    return {
        "centerline_unknown_features": len(fids),
        "centerline_unknown_km": round(km, 3),
        "centerline_unknown_fids": ",".join(list(fids)[:_MAX_FIDS]),
    }


def _read_layer(
    path: Path, layer: str | None, columns: CenterlineColumns
) -> gpd.GeoDataFrame:
    """Read the layer, its own feature ids (fid) as index, and check its columns."""
    if not path.exists():
        msg = f"Centerline file `{path}` does not exist."
        raise InputFileError(msg)
    try:  # the layer's own feature ids (fid) become the index, for messages
        frame = read_layer(path, layer=layer, fid_as_index=True)
    except Exception as exc:  # pyogrio raises many types on unreadable files
        reason = str(exc).rstrip(".") or type(exc).__name__
        msg = f"`{path}` is not a readable line layer ({reason})."
        raise InputFileError(msg) from exc
    missing = [col for col in columns.used().values() if col not in frame.columns]
    if missing:
        msg = (
            f"`{path}` has no column `{missing[0]}` named in the column mapping "
            f"(columns: {', '.join(map(str, frame.columns[:12]))})."
        )
        raise InputFileError(msg)
    _warn_numeric_ids(path, frame, columns.admin_id)
    return frame


def _warn_numeric_ids(path: Path, frame: gpd.GeoDataFrame, column: str) -> None:
    """Warn when administrator ids are numbers: codes lose their leading zeros."""
    if not pd.api.types.is_numeric_dtype(frame[column]):
        return
    examples = list(dict.fromkeys(_norm(v) for v in frame[column] if _norm(v)))
    logger.warning(
        "`%s`: column `%s` holds numbers, so administrator ids read as %s: a code "
        "written with leading zeros (05201) in a scenario or overrides file names "
        "no road; store the column as text to keep them",
        path.name,
        column,
        ", ".join(examples[:3]) or "numbers",
    )


def _copies(
    frame: gpd.GeoDataFrame,
    topo: CenterlineTopology,
    columns: CenterlineColumns,
    snap_m: float,
) -> Copies:
    """Find the copies of one road (see :mod:`snowroute.network.copies`)."""
    oneway_given = columns.oneway is not None and bool(
        frame[columns.oneway].dropna().astype(str).str.strip().ne("").any()
    )
    return find_copies(
        topo.pieces,
        tolerance_m=max(snap_m, 1.0),
        directed=columns.directed,
        oneway_given=oneway_given,
    )


def _build(
    frame: gpd.GeoDataFrame,
    topo: CenterlineTopology,
    columns: CenterlineColumns,
    source: str,
    copies: Copies | None = None,
) -> nx.MultiDiGraph:
    copies = copies or Copies(directed=False)
    G = nx.MultiDiGraph(crs="epsg:4326", snowroute_source=source)
    lonlat = gpd.GeoSeries(
        gpd.points_from_xy(topo.nodes[:, 0], topo.nodes[:, 1]), crs=topo.crs
    ).to_crs("epsg:4326")
    for n, point in enumerate(lonlat):
        G.add_node(n, x=float(point.x), y=float(point.y))
    geoms = topo.pieces.geometry.to_crs("epsg:4326")
    lengths = topo.pieces.length.to_numpy()
    rows = _RowAttributes(frame, columns)
    for i, (row, u, v) in enumerate(
        zip(topo.pieces["row"], topo.pieces["u"], topo.pieces["v"], strict=True)
    ):
        if i in copies.kept_of:
            rows.compare(row, topo.pieces["row"].iloc[copies.kept_of[i]])
            continue
        attrs = rows.of(row)
        direction = copies.direction.get(i, attrs.pop("_direction"))
        if not attrs.pop("_lanes_given"):  # default lanes follow the direction
            attrs[A.N_LANES] = 1 if direction else 2
        attrs[A.ONEWAY] = direction != 0
        attrs["osmid"] = f"{attrs['osmid']}/{i}"
        edge = {"length": float(lengths[i]), **attrs}
        if direction >= 0:
            G.add_edge(int(u), int(v), geometry=geoms.iloc[i], reversed=False, **edge)
        if direction <= 0:
            geom = geoms.iloc[i].reverse()
            G.add_edge(int(v), int(u), geometry=geom, reversed=True, **edge)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    if columns.route_id is not None:
        add_edge_sections(G)
    else:
        add_edge_routes(G)
    G.graph.update(rows.graph_attributes())
    counts = ox.stats.count_streets_per_node(G)
    nx.set_node_attributes(G, counts, name="street_count")
    return G


def _same(a: Any, b: Any) -> bool:
    """Whether two attribute values are equal (two missing numbers are)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


class _RowAttributes:
    """The snowroute attributes of each source row, read once per row."""

    def __init__(self, frame: gpd.GeoDataFrame, columns: CenterlineColumns) -> None:
        self.frame = frame
        self.columns = columns
        self.by_row: dict[Any, dict[str, Any]] = {}
        self.admins: dict[str, dict[str, str]] = {}
        self.disagree: list[str] = []

    def of(self, row: Any) -> dict[str, Any]:
        """Return a copy of ``row``'s attributes (``_direction`` included)."""
        if row not in self.by_row:
            series = self.frame.loc[row]
            fid = _value(series, self.columns.feature_id)
            label = row if fid is None else fid
            attrs = _attributes(series, self.columns, f"Feature fid {label}")
            attrs["osmid"] = str(label)
            admin_name = attrs.pop("_admin_name")
            if attrs[A.ADMIN_ID] != A.UNKNOWN:
                self.admins.setdefault(
                    attrs[A.ADMIN_ID],
                    {"class": attrs[A.ADMIN_CLASS], "name": admin_name},
                )
            self.by_row[row] = attrs
        return dict(self.by_row[row])

    def compare(self, row: Any, kept_row: Any) -> None:
        """Note a copy whose attributes differ from the kept piece's row."""
        ignore = {"osmid", "_direction", "_lanes_given", A.ONEWAY, A.N_LANES}
        mine, kept = self.of(row), self.of(kept_row)
        if any(not _same(mine.get(k), kept.get(k)) for k in mine if k not in ignore):
            self.disagree.append(mine["osmid"])

    def graph_attributes(self) -> dict[str, Any]:
        if self.disagree:
            logger.warning(
                "%d copies of a road differ from the copy kept (fids %s)",
                len(self.disagree),
                ", ".join(self.disagree[:5]),
            )
        return {
            "snowroute_admins": json.dumps(
                dict(sorted(self.admins.items())), ensure_ascii=False
            ),
            "snowroute_rules": "centerline",
            A.TAGGED: True,
            "centerline_disagreeing_copies": ",".join(self.disagree),
        }
