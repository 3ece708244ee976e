"""The scenario model: immutable, self-checking planner settings.

Network source, depots, fleets, service requirements, exchange, patrol and solver
settings; one dataclass per TOML table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Literal

from snowroute._clock import parse_clock
from snowroute._seed import MAX_SEED
from snowroute.scenario.schema import spec
from snowroute.scenario.side import GivenExchange, SideFiles

__all__ = [
    "ColumnsSpec",
    "DepotSpec",
    "ExchangeSpec",
    "GivenExchange",
    "NetworkSpec",
    "PatrolCarSpec",
    "PatrolSpec",
    "Scenario",
    "ServiceSpec",
    "SettlementSpec",
    "SolverSpec",
    "TurnsSpec",
    "VehicleSpec",
    "clock_seconds",
    "invalid",
]

PLAN_NAMES = (
    "baseline",
    "given",
    "optimized",
    "unbalanced",
    "pooled",
    "pooled_equal_speed",
)
ROAD_CLASSES_WIDE = ("motorway", "trunk", "primary", "secondary", "tertiary")
#: Priority classes a centerline value table, a deadline or a both-direction rule
#: may name (the network's own list, repeated here so that the scenario layer
#: imports no network code).
PRIORITY_CLASSES = ("emergency", "arterial", "collector", "local")


class FieldValueError(ValueError):
    """A value a dataclass rejects, with the (relative) name of the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def invalid(message: str, *, field: str) -> FieldValueError:
    """Return the error for ``field``: ``raise invalid(msg, field="count")``."""
    return FieldValueError(field, message)


def clock_seconds(text: str, *, field: str) -> int:
    """Parse a clock time ``HH:MM`` into seconds after midnight.

    Raises
    ------
    FieldValueError
        When ``text`` is not a valid ``HH:MM``.
    """
    try:
        return parse_clock(text)
    except ValueError as exc:
        raise invalid(str(exc), field=field) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnsSpec:
    """Which column of a centerline layer holds which road attribute."""

    admin_id: str = spec("Column with the administrator id.", "KANRI_CD")
    admin_class: str | None = spec(
        "Column with the administrator class (municipality, prefecture, city ...).",
        "KANRI_KBN",
        default=None,
    )
    admin_name: str | None = spec(
        "Column with the administrator's display name.", "KANRI_NM", default=None
    )
    route_id: str | None = spec("Column with the route id.", "ROSEN_NO", default=None)
    route_name: str | None = spec(
        "Column with the route name.", "ROSEN_NM", default=None
    )
    route_ref: str | None = spec(
        "Column with the route number.", "ROUTE_NO", default=None
    )
    route_kind: str | None = spec(
        "Column with the legal route kind (national, prefectural, municipal ...).",
        "SHUBETSU",
        default=None,
    )
    road_class: str | None = spec(
        "Column with the road class (vehicle compatibility).", "CLASS", default=None
    )
    lanes: str | None = spec(
        "Column with the total number of lanes.", "SHASEN", default=None
    )
    oneway: str | None = spec(
        "Column with the direction of travel.", "ONEWAY", default=None
    )
    oneway_forward: tuple[str, ...] = spec(
        "Direction values meaning one-way along the digitised direction.",
        ("forward", "FT", "1"),
        default=("forward", "f", "ft", "yes", "true", "1"),
    )
    oneway_backward: tuple[str, ...] = spec(
        "Direction values meaning one-way against the digitised direction.",
        ("backward", "TF", "-1"),
        default=("backward", "tf", "reverse", "-1"),
    )
    oneway_both: tuple[str, ...] = spec(
        "Direction values meaning two-way (empty values are two-way too).",
        ("both", "B", "0", "None"),
        default=("both", "b", "no", "false", "0", "none"),
    )
    directed: Literal["auto", "yes", "no"] = spec(
        "Whether the layer holds each two-way street once per direction (an OSMnx "
        "or network-dataset export): reversed copies become one two-way road and "
        "single lines one-way; `auto` decides when the one-way column is empty.",
        "auto",
        default="auto",
    )
    speed: str | None = spec("Column with the travel speed.", "SPEED", default=None)
    speed_unit: Literal["kph", "mph"] = spec(
        "Unit of the speed column.", "mph", default="kph"
    )
    width: str | None = spec(
        "Column with the carriageway width.", "FUKUIN", default=None
    )
    width_unit: Literal["m", "ft"] = spec(
        "Unit of the width column.", "ft", default="m"
    )
    grade: str | None = spec(
        "Column with the snow-clearing grade 1-3 (第1種..第3種).",
        "JOSETSU",
        default=None,
    )
    priority: str | None = spec(
        "Column with the priority class (emergency, arterial, collector, local).",
        "YUSEN",
        default=None,
    )
    winter_closed: str | None = spec(
        "Column that is true for roads closed in winter.", "TOKI_HEISA", default=None
    )
    level: str | None = spec(
        "Column with the vertical level (bridge/layer) for `crossings = level`.",
        "LEVEL",
        default=None,
    )
    feature_id: str | None = spec(
        "Column with a stable feature id.", "FID", default=None
    )
    priority_values: dict[str, str] = spec(
        "Priority class of each value of the priority column, as written in the "
        'layer (`""` for empty cells); unmapped values are an error.',
        {"Major Arterial": "arterial", "Minor Arterial": "collector", "None": "local"},
        factory=dict,
    )
    road_class_values: dict[str, str] = spec(
        "Road class of each value of the road-class column (unmapped: an error).",
        {"Local": "residential"},
        factory=dict,
    )
    admin_class_values: dict[str, str] = spec(
        "Administrator class of each value of the admin-class column.",
        {"City of Middleton": "city"},
        factory=dict,
    )
    default_admin_class: str = spec(
        "Administrator class where no class column is mapped.",
        "city",
        default="municipality",
    )
    default_road_class: str = spec(
        "Road class where no class column is mapped or the value is empty.",
        "residential",
        default="unclassified",
    )
    default_speed_kph: float = spec(
        "Travel speed where no speed is given.", 40.0, default=40.0
    )

    def __post_init__(self) -> None:
        bad = sorted(set(self.priority_values.values()) - set(PRIORITY_CLASSES))
        if bad:
            msg = f"maps to {bad[0]!r}, not one of {', '.join(PRIORITY_CLASSES)}"
            raise invalid(msg, field="priority_values")
        seen: dict[str, str] = {}
        for name in ("oneway_forward", "oneway_backward", "oneway_both"):
            for value in getattr(self, name):
                other = seen.setdefault(str(value).strip().lower(), name)
                if other != name:
                    msg = f"value {value!r} is listed in `{other}` too"
                    raise invalid(msg, field=name)
        if not self.default_speed_kph > 0:
            msg = f"must be positive, got {self.default_speed_kph}"
            raise invalid(msg, field="default_speed_kph")


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkSpec:
    """Where the road network comes from and how its administrators are tagged."""

    source: Path = spec(
        "Road network file (OSM XML, .osm.bz2 or GraphML; a line layer with "
        "`format = centerline`), relative to the scenario file.",
        "../networks/demo/demo.osm",
    )
    format: Literal["osm", "centerline"] = spec(
        "`osm` (OSM XML or GraphML, tagged by `rules`) or `centerline` (a road "
        "ledger line layer read with `[network.columns]`).",
        "osm",
        default="osm",
    )
    layer: str | None = spec(
        "Layer of a multi-layer centerline file (GeoPackage).", "roads", default=None
    )
    columns: ColumnsSpec | None = spec(
        "Column mapping of a centerline layer (needed by `format = centerline`).",
        None,
        default=None,
    )
    snap_m: float = spec(
        "Centerline line ends closer than this (metres) are joined.", 1.0, default=1.0
    )
    crossings: Literal["vertex", "level", "all"] = spec(
        "Which centerline crossings are junctions: only shared vertices, also "
        "crossings on the same `level`, or all.",
        "vertex",
        default="vertex",
    )
    rules: str = spec(
        "Administrator rule set: `japan`, `wisconsin` or a rule TOML file.",
        "japan",
        default="japan",
    )
    params: dict[str, str | tuple[str, ...]] = spec(
        "Rule-set parameters to replace (see the rule file's [params]).",
        {"prefecture_code": "05", "mlit_routes": ("7", "13", "46")},
        factory=dict,
    )
    boundaries: Path | None = spec(
        "Municipal polygon layer for the spatial join (GeoJSON, GeoPackage, "
        "Shapefile).",
        "../networks/demo/boundaries.geojson",
        default=None,
    )
    boundary_code: str = spec(
        "Column of the boundary layer with the administrator id.",
        "N03_007",
        default="N03_007",
    )
    boundary_name: str = spec(
        "Column of the boundary layer with the administrator name.",
        "N03_004",
        default="N03_004",
    )
    output_crs: str = spec(
        "CRS of every GeoPackage of a run (routes.gpkg, network.gpkg, "
        "left_out.gpkg): `auto` (Japan: the JGD2011 plane rectangular zone, "
        "平面直角座標系, nearest the network; elsewhere its UTM zone) or an EPSG code "
        "such as `EPSG:6678`.",
        "auto",
        default="auto",
    )
    overrides: Path | None = spec(
        "Override table (CSV: way_id, ref or name → administrator/route) that wins "
        "over the rules.",
        "overrides.csv",
        default=None,
    )
    largest_component: bool = spec(
        "Keep only the largest strongly connected piece of the network (routes need "
        "it).",
        True,
        default=True,
    )
    max_unknown_km: float | None = spec(
        "Most road km whose administrator is unknown (empty maintainer values, no "
        "rule) before the network is refused (none: no limit).",
        5.0,
        default=None,
    )
    max_dropped_km: float | None = spec(
        "Most road km left out as pieces cut off from the largest connected piece "
        "before the network is refused (none: no limit).",
        2.0,
        default=None,
    )

    def __post_init__(self) -> None:
        for name in ("max_unknown_km", "max_dropped_km"):
            value = getattr(self, name)
            if value is not None and value < 0:
                msg = f"must not be negative, got {value}"
                raise invalid(msg, field=name)
        if self.format == "centerline" and self.columns is None:
            msg = "`format = centerline` needs a `[network.columns]` table"
            raise invalid(msg, field="columns")
        if self.format == "osm" and self.columns is not None:
            msg = "`[network.columns]` applies only to `format = centerline`"
            raise invalid(msg, field="columns")
        if self.snap_m < 0:
            msg = f"must be >= 0, got {self.snap_m}"
            raise invalid(msg, field="snap_m")


@dataclass(frozen=True, slots=True, kw_only=True)
class DepotSpec:
    """A depot (除雪基地, maintenance yard) where vehicles start and end shifts."""

    id: str = spec("Unique depot id used by vehicles.", "pref-akita")
    admin: str = spec("Administrator id that runs the depot.", "05")
    name: str = spec("Display name.", "秋田地域振興局 維持管理課", default="")
    lon: float | None = spec(
        "Longitude (WGS84); snapped to the nearest road node.", 140.1, default=None
    )
    lat: float | None = spec("Latitude (WGS84).", 39.72, default=None)
    node: int | None = spec("Road node id instead of lon/lat.", 123456, default=None)
    refill: bool = spec("Spreading material can be reloaded here.", True, default=True)

    def __post_init__(self) -> None:
        if not self.id:
            msg = "must not be empty"
            raise invalid(msg, field="id")
        has_point = self.lon is not None and self.lat is not None
        if has_point == (self.node is not None) or (self.lon is None) != (
            self.lat is None
        ):
            msg = "must be given, or else both `lon` and `lat` (not both ways)"
            raise invalid(msg, field="node")
        if self.lat is not None and not -90 <= self.lat <= 90:
            msg = f"must be a latitude between -90 and 90, got {self.lat}"
            raise invalid(msg, field="lat")
        if self.lon is not None and not -180 <= self.lon <= 180:
            msg = f"must be a longitude between -180 and 180, got {self.lon}"
            raise invalid(msg, field="lon")


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleSpec:
    """A class of plow vehicles of one administrator: depot, speeds and limits."""

    id: str = spec("Unique vehicle class id.", "pref-truck")
    depot: str = spec("Depot id where these vehicles start and end.", "pref-akita")
    count: int = spec("Number of vehicles of this class.", 3, default=1)
    kind: str = spec(
        "Vehicle kind (plow_truck, grader, dozer, rotary, spreader), for reports.",
        "plow_truck",
        default="plow_truck",
    )
    plow_speed_kph: float = spec("Speed while plowing.", 25.0, default=20.0)
    deadhead_speed_kph: float = spec(
        "Top speed when driving without plowing (roads slower than this are driven at"
        " their own winter speed).",
        40.0,
        default=40.0,
    )
    shift_h: float = spec(
        "Longest route, hours from leaving to returning to the depot.", 6.0, default=8.0
    )
    capacity_t: float | None = spec(
        "Spreading material the vehicle carries (tonnes); none for plowing only.",
        4.0,
        default=None,
    )
    road_classes: tuple[str, ...] | None = spec(
        "OSM highway classes this vehicle may serve (all when not given).",
        ("trunk", "primary", "secondary"),
        default=None,
    )
    min_width_m: float | None = spec(
        "Narrowest road (tagged width) this vehicle may serve; roads of unknown width"
        " are allowed.",
        5.5,
        default=None,
    )
    refill_depots: tuple[str, ...] = spec(
        "Depots where this vehicle may reload spreading material during its route.",
        ("pref-akita",),
        factory=tuple,
    )

    def __post_init__(self) -> None:
        if not self.id:
            msg = "must not be empty"
            raise invalid(msg, field="id")
        if self.count < 1:
            msg = f"must be at least 1, got {self.count}"
            raise invalid(msg, field="count")
        for name in ("plow_speed_kph", "deadhead_speed_kph", "shift_h"):
            if not getattr(self, name) > 0:
                msg = f"must be positive, got {getattr(self, name)}"
                raise invalid(msg, field=name)
        if self.capacity_t is not None and not self.capacity_t > 0:
            msg = f"must be positive, got {self.capacity_t}"
            raise invalid(msg, field="capacity_t")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSpec:
    """Which roads must be plowed, how, and by when."""

    admins: tuple[str, ...] | None = spec(
        "Administrators whose roads must be plowed (default: every administrator with"
        " a depot).",
        ("05", "05201", "05211"),
        default=None,
    )
    exclude_road_classes: tuple[str, ...] = spec(
        "OSM highway classes never plowed in this scenario (expressways have their "
        "own crews).",
        ("motorway", "motorway_link"),
        default=("motorway", "motorway_link"),
    )
    start: str = spec("Clock time the shift starts (HH:MM).", "03:00", default="03:00")
    deadlines: dict[str, str] = spec(
        "Clock time (HH:MM) by which each priority class "
        f"({', '.join(PRIORITY_CLASSES)}) must be plowed: later than `start` on the "
        "same day, or marked `+1d` for the next day (`06:00+1d`).",
        {"emergency": "06:30", "arterial": "07:00"},
        factory=lambda: {"emergency": "07:00"},
    )
    both_directions: tuple[str, ...] = spec(
        f"Priority classes ({', '.join(PRIORITY_CLASSES)}) plowed in each direction "
        "of a two-way road (others: one pass, either direction).",
        ("emergency", "arterial"),
        default=("emergency", "arterial"),
    )
    passes_per_lane: bool = spec(
        "Multi-lane roads get one pass per lane and direction.", True, default=True
    )
    salt_t_per_km: float = spec(
        "Spreading material used per km plowed (0: plowing only, capacity unused).",
        0.0,
        default=0.0,
    )

    def __post_init__(self) -> None:
        named = [(f"deadlines.{c}", c) for c in self.deadlines]
        named += [
            (f"both_directions[{i}]", c) for i, c in enumerate(self.both_directions)
        ]
        for where, name in named:  # a typo would silently drop a class's rule
            if name not in PRIORITY_CLASSES:
                msg = (
                    f"names no priority class {name!r} (classes: "
                    f"{', '.join(PRIORITY_CLASSES)})"
                )
                raise invalid(msg, field=where)
        self.deadline_s()  # every deadline parses and lies after the start
        if self.salt_t_per_km < 0:
            msg = f"must not be negative, got {self.salt_t_per_km}"
            raise invalid(msg, field="salt_t_per_km")

    def deadline_s(self) -> dict[str, float]:
        """Seconds after the shift start by which each priority class must be done.

        Raises
        ------
        FieldValueError
            When a deadline is not ``HH:MM`` (or ``HH:MM+1d``) or is not after the
            start: a deadline on the next day must say so with ``+1d``.
        """
        start = clock_seconds(self.start, field="start")
        out = {}
        for name, clock in self.deadlines.items():
            field = f"deadlines.{name}"
            text, next_day = clock.removesuffix("+1d"), clock.endswith("+1d")
            seconds = clock_seconds(text, field=field) - start + 86_400 * next_day
            if seconds <= 0:
                msg = (
                    f"is {clock!r}, not after the shift start {self.start}; write "
                    f"{text + '+1d'!r} for the next day"
                )
                raise invalid(msg, field=field)
            out[name] = float(seconds)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeSpec:
    """Exchange snow clearing (交換除雪): plans to compute and rules of fairness."""

    plans: tuple[
        Literal[
            "baseline",
            "given",
            "optimized",
            "unbalanced",
            "pooled",
            "pooled_equal_speed",
        ],
        ...,
    ] = spec(
        "Plans to compute: `baseline` (each plows its own roads), `given` (the "
        "agreed list), `optimized`; references: `unbalanced` (the best exchange "
        "without the balance rule: the price of fairness is its saving less the "
        "optimized one's), `pooled` (every fleet on every road, each at its own "
        "speeds) and `pooled_equal_speed` (the same with every fleet at the same "
        "speeds: the value of sharing roads alone).",
        ("baseline", "optimized", "pooled"),
        default=("baseline", "optimized", "pooled"),
    )
    unit: Literal["section", "route"] = spec(
        "Unit that changes hands: a route section between junctions with other "
        "routes, or a whole route.",
        "section",
        default="section",
    )
    partners: tuple[tuple[str, ...], ...] | None = spec(
        "Administrator pairs allowed to exchange (default: the prefecture with each "
        "municipality).",
        (("05", "05201"), ("05", "05211")),
        default=None,
    )
    balance_tolerance: float | None = spec(
        "Largest relative difference between what a partner pair gives and "
        "receives (in `balance_by` units), as a share of the larger side (none: no "
        "balance rule). The default admits Akita's own H21 list (71.5 against "
        "51.9 km, 27 % apart).",
        0.2,
        default=0.3,
    )
    balance_by: Literal["km", "hours"] = spec(
        "What the balance rule weighs: road `km`, or the plow-`hours` each "
        "partner spends on the other's roads (each pass by the fastest class of "
        "the taker's fleet: a spur a dozer plows both ways at half a truck's "
        "speed weighs four times its km).",
        "hours",
        default="km",
    )
    objective: Literal["hours", "km"] = spec(
        "What an exchange saves, and what chooses and keeps a plan: route `hours` "
        "(plowing plus deadhead) or deadhead `km`, less the administrative cost of "
        "each agreement line; subject to the balance rule and `service_level`.",
        "hours",
        default="hours",
    )
    admin_cost_h: float = spec(
        "Administrative cost of each line of the exchange agreement (a route handed "
        "over whole, or else each section handed over), in hours of plowing time "
        '(with `objective = "hours"`).',
        0.25,
        default=0.25,
    )
    admin_cost_km: float = spec(
        'The same cost in deadhead km (with `objective = "km"`).',
        5.0,
        default=5.0,
    )
    service_level: Literal["baseline", "none"] = spec(
        "The service rule of every exchange plan: `baseline`, no priority class "
        "finishes later than without the exchange (measured with the same search "
        "effort), or than its `service.deadlines` entry when that is later; `none`, "
        "no rule.",
        "baseline",
        default="baseline",
    )
    never: tuple[str, ...] = spec(
        "Route or section ids that never change hands.",
        ("05/national/285",),
        factory=tuple,
    )
    must: tuple[GivenExchange, ...] = spec(
        "Exchanges the optimised plan must contain.", (), factory=tuple
    )
    given: tuple[GivenExchange, ...] = spec(
        "The agreed exchange list evaluated by the `given` plan.", (), factory=tuple
    )
    given_file: Path | None = spec(
        "CSV exchange list (columns route, section, to) instead of or besides `given`.",
        "h21_list.csv",
        default=None,
    )
    moves: int = spec(
        "Candidate moves (a unit from its owner to a partner) the optimiser's "
        "second search measures one by one by routing, best estimated first, each "
        "owner-to-taker direction in turn (the first search, the estimated model, "
        "values every move without routing it).",
        30,
        default=30,
    )
    rounds: int = spec(
        "Rounds of each of the optimiser's two searches: each combines the moves "
        "exactly (by their estimated or measured values) and measures the "
        "combination by routing; a search stops early when no combination is "
        "predicted to beat its best measured one (the model's predictions scaled "
        "by what it measured so far).",
        8,
        default=8,
    )
    measure_iterations: int = spec(
        "Search iterations of every routing that measures an exchange: the "
        "administrators it touches, over their new roads and over their own "
        "(the reference), each from its baseline routes; the same effort on both "
        "sides, and the same figures on any machine.",
        500,
        default=500,
    )
    plowing_days: int | None = spec(
        "Plowing days (call-outs after a snowfall) per winter: the report gives the "
        "saving per snowfall and, times this, per season (none: per snowfall only).",
        40,
        default=None,
    )
    noise_seeds: int = spec(
        "Extra seeds the baseline of the administrators an exchange plan touches "
        "is routed with, to measure the search's own noise: a plan's saving is "
        "significant only when it is larger than the spread of those baselines "
        "(0: no band). Not for the pooled plan, a reference that touches all. These "
        "searches come on top of `solver.time_limit_s`.",
        2,
        default=2,
    )

    def __post_init__(self) -> None:
        if self.noise_seeds < 0:
            msg = f"must not be negative, got {self.noise_seeds}"
            raise invalid(msg, field="noise_seeds")
        if self.plowing_days is not None and self.plowing_days < 1:
            msg = f"must be at least 1, got {self.plowing_days}"
            raise invalid(msg, field="plowing_days")
        if len(set(self.plans)) != len(self.plans):
            msg = "lists a plan twice"
            raise invalid(msg, field="plans")
        if "given" in self.plans and not (self.given or self.given_file):
            msg = "is empty but the `given` plan is requested"
            raise invalid(msg, field="given")
        if self.balance_tolerance is not None and not 0 <= self.balance_tolerance < 1:
            msg = (
                "must be at least 0 and below 1 (a share of the larger km; 1 or more "
                f"would admit any exchange), got {self.balance_tolerance}"
            )
            raise invalid(msg, field="balance_tolerance")
        if self.admin_cost_h < 0:
            msg = f"must not be negative, got {self.admin_cost_h}"
            raise invalid(msg, field="admin_cost_h")
        for i, pair in enumerate(self.partners or ()):
            if len(pair) != 2 or pair[0] == pair[1]:
                msg = "must name two different administrators"
                raise invalid(msg, field=f"partners[{i}]")
        for name in ("moves", "rounds", "measure_iterations", "admin_cost_km"):
            if getattr(self, name) < 0:
                msg = f"must not be negative, got {getattr(self, name)}"
                raise invalid(msg, field=name)
        if self.measure_iterations < 1:
            msg = f"must be at least 1, got {self.measure_iterations}"
            raise invalid(msg, field="measure_iterations")


@dataclass(frozen=True, slots=True, kw_only=True)
class PatrolCarSpec:
    """Patrol cars of the prefecture."""

    depot: str = spec("Depot id where the cars start and end.", "pref-akita")
    count: int = spec("Number of cars.", 1, default=1)
    shift_h: float = spec("Longest patrol per car and day, hours.", 6.0, default=6.0)
    speed_kph: float = spec(
        "Patrol driving speed (slow enough to look).", 30.0, default=30.0
    )
    start: str = spec(
        "Clock time (HH:MM) the cars leave the depot; route sheets count from it.",
        "08:30",
        default="08:30",
    )

    def __post_init__(self) -> None:
        clock_seconds(self.start, field="start")
        if self.count < 1:
            msg = f"must be at least 1, got {self.count}"
            raise invalid(msg, field="count")
        for name in ("shift_h", "speed_kph"):
            if not getattr(self, name) > 0:
                msg = f"must be positive, got {getattr(self, name)}"
                raise invalid(msg, field=name)


@dataclass(frozen=True, slots=True, kw_only=True)
class PatrolSpec:
    """Road patrol (道路パトロール): scope, frequencies, horizon, structures, cars."""

    admin: str = spec("Administrator that patrols (the prefecture).", "05")
    start_date: dt.date = spec("First day of the horizon.", "2026-12-01")
    horizon_days: int = spec("Days planned.", 14, default=14)
    cars: PatrolCarSpec = spec("The patrol cars.", None)
    frequency_days: dict[str, int] = spec(
        "Longest gap in days between visits, by priority class or OSM highway class "
        "(a route or section id also works; a key naming none of these is refused).",
        {"emergency": 1, "arterial": 2, "collector": 7, "local": 7},
        factory=lambda: {"emergency": 1, "arterial": 2, "collector": 7, "local": 7},
    )
    network_roads: Literal["link", "none"] = spec(
        "Municipal roads patrolled with the prefecture's: `link` = those linking two "
        "prefectural routes.",
        "link",
        default="link",
    )
    network_road_ids: tuple[str, ...] = spec(
        "Municipal route ids patrolled in addition (override list).", (), factory=tuple
    )
    days_off: tuple[str, ...] = spec(
        "Weekdays (mon..sun), dates (YYYY-MM-DD) or `holidays` (Japan's public "
        "holidays, 祝日) without patrol.",
        ("sun",),
        factory=tuple,
    )
    last_visits: Path | None = spec(
        "CSV (section_id, date) of each section's last visit before the horizon.",
        None,
        default=None,
    )
    structures: Path | None = spec(
        "CSV of bridges and tunnels (structure_id, kind, name, admin_id, lon, lat, "
        "last_inspection, interval_years, minutes_on_site).",
        "../networks/demo/structures.csv",
        default=None,
    )
    balance_weight: float = spec(
        "Weight of the day-to-day workload spread against total driving.",
        0.5,
        default=0.5,
    )
    frequency_in: Literal["calendar_days", "patrol_days"] = spec(
        "How gaps between visits are counted: calendar days, or patrol days (days "
        "off skipped, so 1 = every working day).",
        "calendar_days",
        default="calendar_days",
    )
    structure_snap_m: float = spec(
        "Farthest a structure may lie from its road, metres.", 100.0, default=100.0
    )

    def __post_init__(self) -> None:
        if self.balance_weight < 0:
            msg = f"must not be negative, got {self.balance_weight}"
            raise invalid(msg, field="balance_weight")
        if not self.structure_snap_m > 0:
            msg = f"must be positive, got {self.structure_snap_m}"
            raise invalid(msg, field="structure_snap_m")
        if not 1 <= self.horizon_days <= 366:
            msg = f"must be 1-366, got {self.horizon_days}"
            raise invalid(msg, field="horizon_days")
        for key, days in self.frequency_days.items():
            if days < 1:
                msg = f"must be at least 1, got {days}"
                raise invalid(msg, field=f"frequency_days.{key}")
        weekdays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
        for i, day in enumerate(self.days_off):
            if day.lower() in weekdays or day.lower() == "holidays":
                continue
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                msg = f"must be a weekday, a date or holidays, got {day!r}"
                raise invalid(msg, field=f"days_off[{i}]") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class SolverSpec:
    """Which routing engine runs, what it minimises, for how long, with which seed."""

    engine: Literal["pyvrp", "ortools"] = spec(
        "Routing engine.", "pyvrp", default="pyvrp"
    )
    objective: Literal["total_time", "makespan"] = spec(
        "What every plan minimises: `total_time` (vehicle-hours) or `makespan` (the "
        "time the last road is cleared, then vehicle-hours; uses the whole fleet). "
        "Deadlines per priority class are constraints under both.",
        "makespan",
        default="total_time",
    )
    time_limit_s: float = spec(
        "Wall-clock budget of every routing search of the run, seconds. With a "
        "`[patrol]` table the exchange plans get 3/4 of it and the patrol days "
        "what is left; the plans are routed in order (baseline, given, pooled, "
        "optimized), each with an equal part of what the earlier ones left, and "
        "within a plan each administrator's search gets a share by its number of "
        "roads (smallest first, so time a converged search saves goes to the "
        "larger ones). Each search still gets at least 0.5 s. Reading the network, "
        "writing the outputs and the noise-band searches of `exchange.noise_seeds` "
        "come on top. The first run after installing also compiles the "
        "route-reordering kernel (about 9 s on 2 cores), inside the budget "
        "(on top of it with `max_iterations`).",
        60.0,
        default=60.0,
    )
    seed: int = spec(
        "Random seed, 0 to 2,147,483,647; with `max_iterations`, same inputs and "
        "seed give the same plans.",
        1,
        default=1,
    )
    max_iterations: int | None = spec(
        "Search iterations per routing problem and search process: the plans no "
        "longer depend on the machine's speed or load (`time_limit_s` still caps "
        "each search). Counted in iterations that perturb 25 roads: with "
        "`perturbations = 10` a search gets 2.5 times as many.",
        2000,
        default=None,
    )
    stall_iterations: int | None = spec(
        "A search stops after this many iterations without a better plan "
        "(default: 10 per service, at least 2,000; 0: search until the budget or "
        "`max_iterations` ends it), counted as `max_iterations` is.",
        20000,
        default=None,
    )
    workers: int | None = spec(
        "Search processes per routing problem (default: the cores, at most 2).",
        2,
        default=None,
    )
    neighbours: int = spec(
        "Size of the PyVRP engine's granular neighbourhood: how many nearby road "
        "directions each road's moves consider. Larger searches more per "
        "iteration and costs more time per iteration; 100 suits networks whose "
        "roads lie in long chains and clusters far from the depot (see "
        "`scenarios/region.toml`).",
        100,
        default=50,
    )
    perturbations: int | tuple[int, ...] = spec(
        "Largest number of road directions the PyVRP engine perturbs per "
        "iteration (25), or one per search process (cycled). Fewer make each "
        "iteration cheaper and suit a fleet at one depot whose plan is a few very "
        "long routes; `[10, 25]` gives one of the two processes each, see "
        "`scenarios/middleton.toml`. Iteration limits keep their meaning "
        "(counted per 25).",
        [10, 25],
        default=25,
    )
    relocate3: bool = spec(
        "Let the PyVRP engine also move chains of three consecutive road "
        "directions at once (its `Relocate3`), beside its default moves. Suits "
        "plans of a few very long routes from one yard: it lowered the Middleton "
        "city's 36 s plans by 0.4 % on average (see `scenarios/middleton.toml`); "
        "on the demo's plans it was a little worse.",
        True,
        default=False,
    )

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            msg = f"must be positive, got {self.time_limit_s}"
            raise invalid(msg, field="time_limit_s")
        for name in ("max_iterations", "workers", "neighbours"):
            value = getattr(self, name)
            if value is not None and value < 1:
                msg = f"must be at least 1, got {value}"
                raise invalid(msg, field=name)
        if not 0 <= self.seed <= MAX_SEED:
            msg = f"must be from 0 to {MAX_SEED:,}, got {self.seed}"
            raise invalid(msg, field="seed")
        perturbations = self.perturbations
        if isinstance(perturbations, int):
            perturbations = (perturbations,)
        if not perturbations or min(perturbations) < 1:
            msg = f"must be at least 1 each, got {self.perturbations}"
            raise invalid(msg, field="perturbations")
        if self.stall_iterations is not None and self.stall_iterations < 0:
            msg = f"must be 0 or more, got {self.stall_iterations}"
            raise invalid(msg, field="stall_iterations")


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnsSpec:
    """Turn rules: no U-turns mid-block, penalties for turns across traffic."""

    drive_side: Literal["left", "right"] = spec(
        "Side traffic keeps to: `left` (Japan: right turns cross traffic) or `right`.",
        "left",
        default="left",
    )
    u_turns: Literal["dead_ends", "anywhere", "never"] = spec(
        "Where a vehicle may turn round.", "dead_ends", default="dead_ends"
    )
    u_turn_s: float = spec(
        "Seconds charged for a U-turn where allowed.", 60.0, default=60.0
    )
    across_s: float = spec(
        "Seconds charged for a turn across oncoming traffic.", 20.0, default=20.0
    )
    with_s: float = spec("Seconds charged for a turn with traffic.", 6.0, default=6.0)

    def __post_init__(self) -> None:
        for name in ("u_turn_s", "across_s", "with_s"):
            if getattr(self, name) < 0:
                msg = f"must be >= 0, got {getattr(self, name)}"
                raise invalid(msg, field=name)


@dataclass(frozen=True, slots=True, kw_only=True)
class SettlementSpec:
    """How an exchange is settled after the fact from GPS logs (`snowroute actual`)."""

    basis: Literal["km", "hours"] = spec(
        "Settle on road km plowed for the partner (each road once) or on plow hours "
        "(every pass).",
        "km",
        default="km",
    )
    rate_per_km: float = spec(
        "Money per road km of net work for the partner (basis `km`).",
        50000.0,
        default=0.0,
    )
    rate_per_h: float = spec(
        "Money per plow hour of net work for the partner (basis `hours`).",
        12000.0,
        default=0.0,
    )
    currency: str = spec(
        "Currency of the rates, shown in reports.", "JPY", default="JPY"
    )
    complete_share: float = spec(
        "A route section of the agreement that the partner's logs show plowed for at "
        "least this share of its km counts as plowed in full (GPS gaps and "
        "map-matching noise do not move money; 1: only what the logs show).",
        0.9,
        default=0.9,
    )

    def __post_init__(self) -> None:
        for name in ("rate_per_km", "rate_per_h"):
            value = getattr(self, name)
            if not (value >= 0 and value < float("inf")):
                msg = f"must be a finite number >= 0, got {value}"
                raise invalid(msg, field=name)
        if not 0 < self.complete_share <= 1:
            msg = f"must lie in (0, 1], got {self.complete_share}"
            raise invalid(msg, field="complete_share")


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A complete planning scenario: one TOML file, one command, every output."""

    name: str = spec("Scenario name, shown in reports.", "demo")
    network: NetworkSpec = spec("The road network.", None)
    depots: tuple[DepotSpec, ...] = spec("Depots (`[[depots]]` tables).", None)
    vehicles: tuple[VehicleSpec, ...] = spec(
        "Plow vehicle classes (`[[vehicles]]` tables).", None
    )
    description: str = spec(
        "One paragraph on what the scenario is about.",
        "Heavy snow, two plows down.",
        default="",
    )
    service: ServiceSpec = spec("Service requirements.", None, factory=ServiceSpec)
    exchange: ExchangeSpec = spec("Exchange settings.", None, factory=ExchangeSpec)
    patrol: PatrolSpec | None = spec(
        "Patrol settings (no patrol plan without them).", None, default=None
    )
    solver: SolverSpec = spec("Solver settings.", None, factory=SolverSpec)
    turns: TurnsSpec | None = spec(
        "Turn rules (`[turns]`); without it routes are planned without turn costs.",
        None,
        default=None,
    )
    settlement: SettlementSpec = spec(
        "Settlement of the exchange from GPS logs (`[settlement]`).",
        None,
        factory=SettlementSpec,
    )
    base_dir: Path = field(default=Path(), compare=False)
    #: The side files read at load time (:func:`~.side.side_files` gives them).
    side: SideFiles | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        depot_ids = [d.id for d in self.depots]
        for i, depot_id in enumerate(depot_ids):
            if depot_ids.index(depot_id) != i:
                msg = f"repeats depot id {depot_id!r}"
                raise invalid(msg, field=f"depots[{i}].id")
        if not self.vehicles:
            msg = "must list at least one vehicle class"
            raise invalid(msg, field="vehicles")
        vehicle_ids = [v.id for v in self.vehicles]
        for i, vehicle in enumerate(self.vehicles):
            if vehicle_ids.index(vehicle.id) != i:
                msg = f"repeats vehicle id {vehicle.id!r}"
                raise invalid(msg, field=f"vehicles[{i}].id")
            if vehicle.depot not in depot_ids:
                msg = (
                    f"names no depot {vehicle.depot!r} (depots: {', '.join(depot_ids)})"
                )
                raise invalid(msg, field=f"vehicles[{i}].depot")
            for j, refill in enumerate(vehicle.refill_depots):
                if refill not in depot_ids:
                    msg = f"names no depot {refill!r}"
                    raise invalid(msg, field=f"vehicles[{i}].refill_depots[{j}]")
        if self.patrol is not None and self.patrol.cars.depot not in depot_ids:
            msg = f"names no depot {self.patrol.cars.depot!r}"
            raise invalid(msg, field="patrol.cars.depot")
        depot_admins = {d.admin for d in self.depots}
        for i, admin in enumerate(self.service.admins or ()):
            if admin not in depot_admins:
                msg = f"names {admin!r}, which has no depot"
                raise invalid(msg, field=f"service.admins[{i}]")

    def fingerprints(self) -> dict[str, str]:
        """Return a short hash of each part of the scenario, to tell runs apart.

        One per table (network, with its source resolved; depots, vehicles,
        service, exchange, patrol, turns, settlement) and one of the side files'
        contents as read. The solver's leaves out its seed and time limit, which a
        run reports itself (a command line may override them).
        """
        side = self.side
        parts: dict[str, object] = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("name", "description", "base_dir", "side", "solver")
        }
        parts["network"] = (self.network, self.resolve(Path(self.network.source)))
        parts["side files"] = side and replace(side, read_from=(None, None, None))
        parts["solver"] = replace(self.solver, seed=0, time_limit_s=1.0)
        return {
            name: hashlib.sha256(repr(value).encode()).hexdigest()[:12]
            for name, value in parts.items()
        }

    def resolve(self, path: Path) -> Path:
        """Return ``path`` resolved against the scenario file's folder."""
        return path if path.is_absolute() else (self.base_dir / path).resolve()

    def depot(self, depot_id: str) -> DepotSpec:
        """Return the depot with id ``depot_id``."""
        return next(d for d in self.depots if d.id == depot_id)

    def admin_of_vehicle(self, vehicle: VehicleSpec) -> str:
        """Return the administrator that runs ``vehicle`` (its depot's)."""
        return self.depot(vehicle.depot).admin

    @property
    def plow_admins(self) -> tuple[str, ...]:
        """Administrators whose roads are plowed: `service.admins` or depot owners."""
        if self.service.admins is not None:
            return self.service.admins
        seen = []
        for depot in self.depots:
            if depot.admin not in seen and any(
                v.depot == depot.id for v in self.vehicles
            ):
                seen.append(depot.admin)
        return tuple(seen)
