"""The node, edge and graph attribute schema of a snowroute road network.

A snowroute network is an OSMnx-compatible :class:`networkx.MultiDiGraph`: nodes carry
``x``/``y`` (in the graph's ``crs``), edges carry ``length`` (metres) and, where the
road is not straight, ``geometry`` (a shapely ``LineString`` from ``u`` to ``v``).
This module declares, once, every attribute snowroute adds on top, with its type, its
meaning and how it is written to and read from text formats (GraphML, GeoPackage).

Edge attributes added by snowroute
----------------------------------
``admin_class``
    Kind of road administrator (道路管理者), one of :class:`AdminClass` or any class a
    rule table declares.
``admin_id``
    Identifier of the administrator: ``"mlit"``, ``"nexco"``, a 2-digit prefecture
    code (``"05"`` Akita), a 5-digit municipal code (``"05201"`` Akita city) or any id a
    rule table produces (``"WI"``, ``"dane"``, ``"middleton"``). ``"unknown"`` when no
    rule matched.
``admin_rule``
    The rule or override row that decided the administrator (for auditing).
``route_kind``
    Legal kind of route: ``expressway``, ``national``, ``prefectural_major``
    (主要地方道), ``prefectural``, ``municipal`` or a kind a rule table declares.
``route_ref``
    The route number or reference (``"13"``, ``"CTH M"``), empty when none.
``route_id``
    Stable identifier of the route (路線) the edge belongs to; edges of one
    administrator sharing a ref or a name form one route.
``section_id``
    The route section (a run of the route between junctions with other routes),
    ``<route id>@<n>``; the unit handed over in an exchange.
``route_name``
    Human-readable route name (``"国道13号"``, ``"県道28号"``, ``"新屋線"``).
``road_class``
    The OSM ``highway`` value (first one where OSMnx merged several).
``n_lanes``
    Total number of lanes (both directions), at least 1.
``oneway``
    True when the edge may only be driven from ``u`` to ``v``.
``width_m``
    Carriageway width in metres, ``nan`` where unknown.
``speed_kph``
    Free-flow travel speed (posted speed where tagged, else by road class).
``service_grade``
    Snow-clearing service grade 1, 2 or 3 (第1種..第3種), 0 where not set.
``priority``
    Snow-clearing priority class, one of :data:`PRIORITY_CLASSES`.
``winter_closed``
    True for sections closed every winter (冬期閉鎖); plans exclude them.

Graph attributes
----------------
``crs`` (from OSMnx), ``snowroute_tagged`` (True once administrators are tagged),
``snowroute_rules`` (name of the rule set used), ``snowroute_source`` (input path),
``turn_restrictions`` (OSM turn restrictions as a JSON list of ``[restriction,
from_way, via_node, to_way]``, when the input has any).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from enum import StrEnum
from typing import Any, Final

__all__ = [
    "ADMIN_CLASS",
    "ADMIN_ID",
    "ADMIN_RULE",
    "EDGE_SCHEMA",
    "N_LANES",
    "ONEWAY",
    "PRIORITY",
    "PRIORITY_CLASSES",
    "ROAD_CLASS",
    "ROUTE_ID",
    "ROUTE_KIND",
    "ROUTE_NAME",
    "ROUTE_REF",
    "SECTION_ID",
    "SERVICE_GRADE",
    "SPEED_KPH",
    "TAGGED",
    "UNKNOWN",
    "WIDTH_M",
    "WINTER_CLOSED",
    "AdminClass",
    "AttributeSpec",
    "EdgeKey",
    "RouteKind",
    "parse_bool",
    "road_km",
]

#: One edge of a road network: ``(u, v, key)`` of its ``MultiDiGraph``.
EdgeKey = tuple[Hashable, Hashable, int]

# -- attribute names -------------------------------------------------------------
ADMIN_CLASS: Final = "admin_class"
ADMIN_ID: Final = "admin_id"
ADMIN_RULE: Final = "admin_rule"
ROUTE_KIND: Final = "route_kind"
ROUTE_REF: Final = "route_ref"
ROUTE_ID: Final = "route_id"
ROUTE_NAME: Final = "route_name"
SECTION_ID: Final = "section_id"
ROAD_CLASS: Final = "road_class"
N_LANES: Final = "n_lanes"
ONEWAY: Final = "oneway"
WIDTH_M: Final = "width_m"
SPEED_KPH: Final = "speed_kph"
SERVICE_GRADE: Final = "service_grade"
PRIORITY: Final = "priority"
WINTER_CLOSED: Final = "winter_closed"

#: Graph attribute set once administrators are tagged.
TAGGED: Final = "snowroute_tagged"

#: Administrator id and class of edges no rule could place.
UNKNOWN: Final = "unknown"


class AdminClass(StrEnum):
    """Kinds of road administrator known out of the box.

    Rule tables may declare others; these are the ones the Japanese and Wisconsin
    rule sets use.
    """

    EXPRESSWAY = "expressway"  # NEXCO / MLIT expressways, outside any exchange
    MLIT = "mlit"  # national routes in MLIT-designated sections (指定区間)
    PREFECTURE = "prefecture"  # other national routes and all prefectural roads
    MUNICIPALITY = "municipality"  # 市町村道
    STATE = "state"  # e.g. WisDOT: US and state highways
    COUNTY = "county"  # e.g. county trunk highways (CTH)
    CITY = "city"  # city streets
    UNKNOWN = "unknown"


class RouteKind(StrEnum):
    """Legal kinds of route known out of the box."""

    EXPRESSWAY = "expressway"
    NATIONAL = "national"
    PREFECTURAL_MAJOR = "prefectural_major"  # 主要地方道 (ref <= 99)
    PREFECTURAL = "prefectural"  # 一般県道
    MUNICIPAL = "municipal"
    INTERSTATE = "interstate"
    US_HIGHWAY = "us_highway"
    STATE_HIGHWAY = "state_highway"
    COUNTY_HIGHWAY = "county_highway"
    LOCAL = "local"
    UNKNOWN = "unknown"


#: Snow-clearing priority classes, most urgent first (Akita City: 緊急路線 > 主要幹線 >
#: 生活幹線 > 一般生活道路).
PRIORITY_CLASSES: Final = ("emergency", "arterial", "collector", "local")


def parse_bool(value: Any) -> bool:
    """Read a boolean written by GraphML, CSV or OSM (``"True"``, ``"yes"``, ``1``).

    Raises
    ------
    ValueError
        When ``value`` is not a recognisable boolean.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"true", "yes", "1", "-1", "reversible"}:
        return True
    if text in {"false", "no", "0", ""}:
        return False
    msg = f"Expected a boolean, got {value!r}."
    raise ValueError(msg)


def _parse_float(value: Any) -> float:
    if value is None or value == "":
        return math.nan
    return float(value)


class AttributeSpec:
    """Type and text conversion of one snowroute edge attribute.

    Parameters
    ----------
    name
        Attribute key on the edge.
    kind
        Python type of a valid value.
    parse
        Converts a value read from a text format (GraphML, CSV) back to ``kind``.
    required
        Whether every tagged edge must carry the attribute.
    """

    __slots__ = ("kind", "name", "parse", "required")

    def __init__(
        self,
        name: str,
        kind: type,
        parse: Callable[[Any], Any],
        *,
        required: bool = True,
    ) -> None:
        self.name = name
        self.kind = kind
        self.parse = parse
        self.required = required

    def __repr__(self) -> str:
        return f"AttributeSpec({self.name!r}, {self.kind.__name__})"


#: Every edge attribute snowroute adds, by name; the validator and the GraphML reader
#: both work from this table.
EDGE_SCHEMA: Final[dict[str, AttributeSpec]] = {
    spec.name: spec
    for spec in (
        AttributeSpec(ADMIN_CLASS, str, str),
        AttributeSpec(ADMIN_ID, str, str),
        AttributeSpec(ADMIN_RULE, str, str),
        AttributeSpec(ROUTE_KIND, str, str),
        AttributeSpec(ROUTE_REF, str, lambda v: "" if v is None else str(v)),
        AttributeSpec(ROUTE_ID, str, str),
        AttributeSpec(ROUTE_NAME, str, lambda v: "" if v is None else str(v)),
        AttributeSpec(SECTION_ID, str, str),
        AttributeSpec(ROAD_CLASS, str, str),
        AttributeSpec(N_LANES, int, lambda v: int(float(v))),
        AttributeSpec(ONEWAY, bool, parse_bool),
        AttributeSpec(WIDTH_M, float, _parse_float),
        AttributeSpec(SPEED_KPH, float, float),
        AttributeSpec(SERVICE_GRADE, int, lambda v: int(float(v))),
        AttributeSpec(PRIORITY, str, str),
        AttributeSpec(WINTER_CLOSED, bool, parse_bool),
    )
}


def road_km(data: dict[str, Any]) -> float:
    """Length in km that an edge contributes to road-length totals.

    A two-way road is stored as two directed edges, so each counts half; official
    road-length statistics (道路延長) count the road once, not per direction.
    """
    length = float(data.get("length", 0.0))
    share = 1.0 if parse_bool(data.get(ONEWAY, False)) else 0.5
    return share * length / 1000.0
