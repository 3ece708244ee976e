"""Plan against actual: match the logs, compare coverage, routes, finish, settlement."""

from __future__ import annotations

import datetime as dt
import logging
import math
import multiprocessing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import networkx as nx
import numpy as np

from snowroute._errors import InputFileError
from snowroute.actual.coverage import ActualPass, actual_passes
from snowroute.actual.logs import DEFAULT_TZ, FleetEntry, Track
from snowroute.actual.match import Matched, MatchParams, match_points
from snowroute.actual.plan import Plan, PlannedRoute
from snowroute.actual.roads import RoadIndex, road_index
from snowroute.actual.settle import (
    Plowing,
    RoadDifference,
    SettlementRow,
    road_differences,
    settlement_rows,
)
from snowroute.exchange.units import upper_admin
from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey
from snowroute.routing._pool import run_forked
from snowroute.scenario.model import Scenario

__all__ = [
    "ActualResult",
    "EdgeCoverage",
    "RouteComparison",
    "compare_actual",
    "match_tracks",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EdgeCoverage:
    """
    What happened on one edge and direction.

    Parameters
    ----------
    edge
        ``(u, v, key)``, driven from ``u`` to ``v``.
    plowed, empty
        Passes plowing and driving empty.
    first_s, last_s
        Seconds after the shift start of the first and last pass (plowing passes
        where there were any).
    vehicles
        Vehicles that drove it.
    served_by
        Administrators whose vehicles plowed it.
    planned
        Whether the plan plows this edge (or, for a road plowed in one pass, its
        other direction).
    """

    edge: EdgeKey
    plowed: int
    empty: int
    first_s: float
    last_s: float
    vehicles: tuple[str, ...]
    served_by: tuple[str, ...]
    planned: bool


@dataclass(frozen=True, slots=True)
class RouteComparison:
    """
    One planned route against the vehicle that drove it.

    ``finish_*`` map each priority class to the seconds after the shift start when
    the route's last road of that class was plowed (actual: first plowed, by
    anyone, among the roads that were plowed; None when none was).
    """

    vehicle: str
    fleet: str
    route_no: int
    admin: str
    planned_edges: int
    served_edges: int
    missed: tuple[EdgeKey, ...]
    unplanned: tuple[EdgeKey, ...]
    deadhead_km_planned: float
    deadhead_km_actual: float
    finish_s_planned: Mapping[str, float] = field(default_factory=dict)
    finish_s_actual: Mapping[str, float | None] = field(default_factory=dict)

    @property
    def share_served(self) -> float:
        """Share of the route's planned edges plowed (1 when it plans none)."""
        return self.served_edges / self.planned_edges if self.planned_edges else 1.0


@dataclass(frozen=True, slots=True, eq=False)
class ActualResult:
    """
    Everything the comparison of logs and plan found.

    Parameters
    ----------
    plan
        Name of the plan compared with.
    shift_start
        The shift start (aware datetime) the seconds count from.
    points_in, points_matched
        Fixes read and fixes on a matched piece of a track; the others are
        unmatched (far from any road, or in a piece that matched nothing).
    coverage
        Every edge and direction driven.
    missed
        Planned edges nobody plowed.
    unplanned
        Edges plowed that no route plans.
    routes
        Each planned route against its vehicle.
    finish
        Per priority class: planned and actual finish seconds and the deadline.
    settlement
        The settlement table, one row per partner pair.
    differences
        Per route plowed for a partner: agreed and actual km.
    passes
        Every whole-edge pass of every vehicle.
    unmatched
        Per vehicle, the indices of its unmatched fixes.
    tracks
        The logs read.
    G
        The network.
    planned_edges
        Edges the plan plows.
    currency
        Currency of the settlement amounts.
    """

    plan: str
    shift_start: dt.datetime
    points_in: int
    points_matched: int
    coverage: tuple[EdgeCoverage, ...]
    missed: tuple[EdgeKey, ...]
    unplanned: tuple[EdgeKey, ...]
    routes: tuple[RouteComparison, ...]
    finish: Mapping[str, Mapping[str, float | None]]
    settlement: tuple[SettlementRow, ...]
    differences: tuple[RoadDifference, ...]
    passes: tuple[ActualPass, ...]
    unmatched: Mapping[str, np.ndarray]
    tracks: Mapping[str, Track]
    G: nx.MultiDiGraph
    planned_edges: tuple[EdgeKey, ...] = ()
    currency: str = ""

    @property
    def points_unmatched(self) -> int:
        """Fixes not matched: ``points_in - points_matched``."""
        return self.points_in - self.points_matched

    def summary(self) -> str:
        """Return a few lines for the console: fixes, edges, missed roads, money."""
        plowed = sum(1 for c in self.coverage if c.plowed)
        lines = [
            f"Plan {self.plan!r} against the logs of {len(self.tracks)} vehicles: "
            f"{self.points_in:,} fixes, {self.points_matched:,} matched, "
            f"{self.points_unmatched:,} unmatched.",
            f"Edges plowed {plowed:,}; planned but missed {len(self.missed):,}; "
            f"plowed but not planned {len(self.unplanned):,}.",
        ]
        for row in self.settlement:
            net = f"{row.net:+.2f} {row.basis}"
            due = (
                f"{row.payer} pays {row.payee} {row.amount:,.0f} {self.currency}"
                if row.payer
                else "even"
            )
            lines.append(
                f"Settlement {row.a}/{row.b}: {row.a} for {row.b} "
                f"{row.a_for_b_km_actual:.2f} km (agreed {row.a_for_b_km_agreed:.2f}), "
                f"{row.b} for {row.a} {row.b_for_a_km_actual:.2f} km (agreed "
                f"{row.b_for_a_km_agreed:.2f}); net {net}, {due}."
            )
        return "\n".join(lines)

    def edge_row(self, edge: EdgeKey) -> dict[str, Any]:
        """Return an edge as plain data: nodes, route, administrator, length."""
        u, v, k = edge
        data = self.G.edges[u, v, k]
        return {
            "u": str(u),
            "v": str(v),
            "key": int(k),
            "admin_id": str(data.get(A.ADMIN_ID, "")),
            "route_id": str(data.get(A.ROUTE_ID, "")),
            "route_name": str(data.get(A.ROUTE_NAME, "")),
            "priority": str(data.get(A.PRIORITY, "")),
            "length_m": round(float(data.get("length", 0.0)), 1),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the ``actual.json`` data."""
        plowed = sum(1 for c in self.coverage if c.plowed)
        return {
            "plan": self.plan,
            "shift_start": self.shift_start.isoformat(),
            "points": {
                "in": self.points_in,
                "matched": self.points_matched,
                "unmatched": self.points_unmatched,
            },
            "edges": {
                "driven": len(self.coverage),
                "plowed": plowed,
                "missed": len(self.missed),
                "unplanned": len(self.unplanned),
            },
            "finish": {k: dict(v) for k, v in self.finish.items()},
            "routes": [_route_dict(r) for r in self.routes],
            "missed": [self.edge_row(e) for e in self.missed],
            "unplanned": [self.edge_row(e) for e in self.unplanned],
            "settlement": {
                "currency": self.currency,
                "rows": [r.to_dict() for r in self.settlement],
                "differences": [d.to_dict() for d in self.differences],
            },
        }


def _route_dict(row: RouteComparison) -> dict[str, Any]:
    return {
        "vehicle": row.vehicle,
        "fleet": row.fleet,
        "route_no": row.route_no,
        "admin": row.admin,
        "planned_edges": row.planned_edges,
        "served_edges": row.served_edges,
        "share_served": round(row.share_served, 4),
        "missed": len(row.missed),
        "unplanned": len(row.unplanned),
        "deadhead_km_planned": round(row.deadhead_km_planned, 3),
        "deadhead_km_actual": round(row.deadhead_km_actual, 3),
        "finish_s_planned": {k: round(v, 1) for k, v in row.finish_s_planned.items()},
        "finish_s_actual": {
            k: None if v is None else round(v, 1)
            for k, v in row.finish_s_actual.items()
        },
    }


def _match_one(index: RoadIndex, track: Track, params: MatchParams) -> Matched:
    x, y = index.project(track.lon, track.lat)
    keep = None
    if track.plow is not None and len(track.plow) > 1:
        change = np.flatnonzero(track.plow[1:] != track.plow[:-1])
        keep = np.zeros(len(track.plow), dtype=bool)
        keep[change] = keep[change + 1] = True
    return match_points(index, x, y, track.t, params=params, keep=keep)


def match_tracks(
    index: RoadIndex,
    tracks: Mapping[str, Track],
    *,
    params: MatchParams | None = None,
    workers: int = 1,
) -> dict[str, Matched]:
    """Match every track; ``workers`` > 1 matches vehicles in forked processes.

    The tracks are dealt in turn to at most ``workers`` processes of the engine
    adapters' pool (:func:`~snowroute.routing._pool.run_forked`: the index
    reaches them without pickling, Ctrl-C is held back while they are forked).
    """
    matching = params or MatchParams()
    jobs = list(tracks.values())

    def match(batch: list[Track]) -> list[Matched]:
        return [_match_one(index, track, matching) for track in batch]

    if (
        workers > 1
        and len(jobs) > 1
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        dealt = [jobs[k::workers] for k in range(min(workers, len(jobs)))]
        done = run_forked(match, dealt)
        results = [done[k % len(dealt)][k // len(dealt)] for k in range(len(jobs))]
    else:
        results = match(jobs)
    return dict(zip(tracks, results, strict=True))


def _check_vehicles(
    tracks: Mapping[str, Track], fleets: Mapping[str, FleetEntry], scenario: Scenario
) -> None:
    known = {v.id for v in scenario.vehicles}
    for vehicle, track in tracks.items():
        entry = fleets.get(vehicle)
        if entry is None:
            msg = (
                f"Log `{track.source}` names vehicle {vehicle!r}, which the vehicle "
                "table does not list."
            )
            raise InputFileError(msg)
        if entry.fleet not in known:
            msg = (
                f"Vehicle {vehicle!r} belongs to fleet {entry.fleet!r}, which the "
                "scenario lacks."
            )
            raise InputFileError(msg)


def _assign_routes(
    plan: Plan, fleets: Mapping[str, FleetEntry], passes: Mapping[str, list[ActualPass]]
) -> dict[str, PlannedRoute]:
    """Map each vehicle id to its route: the table's ``route_no``, else best overlap."""
    by_key = {(r.vehicle, r.route_no): r for r in plan.routes}
    out: dict[str, PlannedRoute] = {}
    for vehicle, entry in fleets.items():
        if vehicle in passes and entry.route_no is not None:
            route = by_key.get((entry.fleet, entry.route_no))
            if route is not None:
                out[vehicle] = route
    taken = {id(r) for r in out.values()}
    scores = []
    for vehicle, items in passes.items():
        if vehicle in out:
            continue
        plowed = {p.edge for p in items if p.plowing}
        for route in plan.routes:
            if route.vehicle == fleets[vehicle].fleet and id(route) not in taken:
                served = {leg.edge for leg in route.legs if leg.serving}
                scores.append((-len(plowed & served), vehicle, route.route_no, route))
    for _, vehicle, _, route in sorted(scores, key=lambda s: s[:3]):
        if vehicle not in out and id(route) not in taken:
            out[vehicle] = route
            taken.add(id(route))
    return out


def _shift_start(
    scenario: Scenario, tracks: Mapping[str, Track], tz: str
) -> dt.datetime:
    """Return the shift start on the local day of the earliest fix."""
    zone = ZoneInfo(tz)
    first = min((float(t.t[0]) for t in tracks.values() if len(t)), default=0.0)
    day = dt.datetime.fromtimestamp(first, tz=zone).date()
    hours, minutes = (int(x) for x in scenario.service.start.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=zone)


@dataclass(slots=True)
class _Context:
    G: nx.MultiDiGraph
    index: RoadIndex
    where: dict[EdgeKey, int]
    start: float  # POSIX seconds of the shift start
    planned: set[EdgeKey]
    plowed_at: dict[EdgeKey, float]  # first time each edge was plowed, s after start

    def reverse(self, edge: EdgeKey) -> EdgeKey | None:
        i = self.index.reverse[self.where[edge]]
        return None if i < 0 else self.index.edges[i]

    def served_at(self, edge: EdgeKey) -> float | None:
        """Return when the planned ``edge`` was first plowed (or its other way)."""
        times = [self.plowed_at[edge]] if edge in self.plowed_at else []
        back = self.reverse(edge)
        if back is not None and back not in self.planned and back in self.plowed_at:
            times.append(self.plowed_at[back])
        return min(times) if times else None

    def unplanned(self, edge: EdgeKey) -> bool:
        back = self.reverse(edge)
        return edge not in self.planned and (back is None or back not in self.planned)

    def data(self, edge: EdgeKey) -> Mapping[str, Any]:
        u, v, k = edge
        found: Mapping[str, Any] = self.G.edges[u, v, k]
        return found


def _plowing(ctx: _Context, edge: EdgeKey, by: str, hours: float) -> Plowing:
    data = ctx.data(edge)
    u, v, k = edge
    a, b = sorted((str(u), str(v)))
    return Plowing(
        by=by,
        owner=str(data.get(A.ADMIN_ID, A.UNKNOWN)),
        road=(a, b, int(k)),
        route_id=str(data.get(A.ROUTE_ID, "")),
        route_name=str(data.get(A.ROUTE_NAME, "")),
        section_id=str(data.get(A.SECTION_ID, data.get(A.ROUTE_ID, ""))),
        km=float(data.get("length", 0.0)) / 1000,
        hours=hours,
    )


def _coverage(ctx: _Context, passes: list[ActualPass]) -> tuple[EdgeCoverage, ...]:
    rows: dict[EdgeKey, list[ActualPass]] = {}
    for p in passes:
        rows.setdefault(p.edge, []).append(p)
    out = []
    for edge, items in rows.items():
        plowed = [p for p in items if p.plowing]
        timed = plowed or items
        out.append(
            EdgeCoverage(
                edge=edge,
                plowed=len(plowed),
                empty=len(items) - len(plowed),
                first_s=min(p.t_enter for p in timed) - ctx.start,
                last_s=max(p.t_exit for p in timed) - ctx.start,
                vehicles=tuple(sorted({p.vehicle for p in items})),
                served_by=tuple(sorted({p.admin for p in plowed})),
                planned=not ctx.unplanned(edge),
            )
        )
    return tuple(out)


def _finish(
    ctx: _Context, legs: list[tuple[EdgeKey, float]]
) -> tuple[dict[str, float], dict[str, float | None], dict[str, int]]:
    """Per priority class of serving legs ``(edge, end_s)``: planned and actual finish.

    The actual finish is when the last of the class's planned edges that were
    plowed was first plowed (None when none was); the third map counts the
    class's planned edges nobody plowed.
    """
    planned: dict[str, float] = {}
    actual: dict[str, float | None] = {}
    missed: dict[str, int] = {}
    for edge, end_s in legs:
        cls = str(ctx.data(edge).get(A.PRIORITY, ""))
        planned[cls] = max(planned.get(cls, 0.0), end_s)
        done = ctx.served_at(edge)
        before = actual.get(cls)
        actual[cls] = before if done is None else max(before or -math.inf, done)
        missed[cls] = missed.get(cls, 0) + (done is None)
    return planned, actual, missed


def _route_row(
    ctx: _Context, vehicle: str, admin: str, route: PlannedRoute, mine: list[ActualPass]
) -> RouteComparison:
    serving = [leg for leg in route.legs if leg.serving]
    edges = list(dict.fromkeys(leg.edge for leg in serving))
    missed = tuple(e for e in edges if ctx.served_at(e) is None)
    own = {leg.edge for leg in serving}
    own |= {b for e in own if (b := ctx.reverse(e)) is not None}
    unplanned = tuple(
        dict.fromkeys(p.edge for p in mine if p.plowing and p.edge not in own)
    )
    planned_finish, actual_finish, _ = _finish(
        ctx, [(leg.edge, leg.end_s) for leg in serving]
    )
    return RouteComparison(
        vehicle=vehicle,
        fleet=route.vehicle,
        route_no=route.route_no,
        admin=admin,
        planned_edges=len(edges),
        served_edges=len(edges) - len(missed),
        missed=missed,
        unplanned=unplanned,
        deadhead_km_planned=math.fsum(
            float(ctx.data(leg.edge).get("length", 0.0))
            for leg in route.legs
            if not leg.serving
        ) / 1000,
        deadhead_km_actual=math.fsum(
            float(ctx.data(p.edge).get("length", 0.0)) for p in mine if not p.plowing
        ) / 1000,
        finish_s_planned=planned_finish,
        finish_s_actual=actual_finish,
    )  # fmt: skip


def _all_passes(
    index: RoadIndex,
    scenario: Scenario,
    tracks: Mapping[str, Track],
    fleets: Mapping[str, FleetEntry],
    matched: Mapping[str, Matched],
) -> dict[str, list[ActualPass]]:
    specs = {v.id: v for v in scenario.vehicles}
    out = {}
    for vehicle, track in tracks.items():
        spec = specs[fleets[vehicle].fleet]
        out[vehicle] = actual_passes(
            index.edges,
            track,
            matched[vehicle],
            fleet=spec.id,
            admin=scenario.admin_of_vehicle(spec),
            threshold_kph=(spec.plow_speed_kph + spec.deadhead_speed_kph) / 2,
        )
    return out


def _settlement(
    ctx: _Context, scenario: Scenario, plan: Plan, passes: list[ActualPass]
) -> tuple[tuple[SettlementRow, ...], tuple[RoadDifference, ...]]:
    admin_of = {v.id: scenario.admin_of_vehicle(v) for v in scenario.vehicles}
    agreed = [
        _plowing(
            ctx, leg.edge, admin_of[route.vehicle], (leg.end_s - leg.start_s) / 3600
        )
        for route in plan.routes
        for leg in route.legs
        if leg.serving
    ]
    actual = [
        _plowing(ctx, p.edge, p.admin, (p.t_exit - p.t_enter) / 3600)
        for p in passes
        if p.plowing
    ]
    rule = scenario.settlement
    admins = {p.by for p in agreed + actual} | {p.owner for p in agreed + actual}
    rows = settlement_rows(
        agreed,
        actual,
        basis=rule.basis,
        rate=rule.rate_per_km if rule.basis == "km" else rule.rate_per_h,
        upper=upper_admin(ctx.G, admins),
        complete_share=rule.complete_share,
    )
    return rows, road_differences(agreed, actual)


def _context(
    G: nx.MultiDiGraph,
    index: RoadIndex,
    plan: Plan,
    passes: list[ActualPass],
    start: float,
) -> _Context:
    plowed_at: dict[EdgeKey, float] = {}
    for p in passes:
        if p.plowing:
            plowed_at[p.edge] = min(plowed_at.get(p.edge, math.inf), p.t_exit - start)
    planned = {leg.edge for r in plan.routes for leg in r.legs if leg.serving}
    where = {e: i for i, e in enumerate(index.edges)}
    return _Context(G, index, where, start, planned, plowed_at)


def _finish_table(
    ctx: _Context, scenario: Scenario, plan: Plan
) -> dict[str, dict[str, float | None]]:
    """Per priority class: planned and actual finish, deadline, missed edges."""
    legs = [(leg.edge, leg.end_s) for r in plan.routes for leg in r.legs if leg.serving]
    planned, actual, missed = _finish(ctx, legs)
    deadlines = scenario.service.deadline_s()
    return {
        cls: {
            "planned_s": planned[cls],
            "actual_s": actual.get(cls),
            "deadline_s": deadlines.get(cls),
            "missed_edges": missed[cls],
        }
        for cls in sorted(planned)
    }


def compare_actual(
    G: nx.MultiDiGraph,
    scenario: Scenario,
    plan: Plan,
    tracks: Mapping[str, Track],
    fleets: Mapping[str, FleetEntry],
    *,
    params: MatchParams | None = None,
    index: RoadIndex | None = None,
    tz: str = DEFAULT_TZ,
    workers: int = 1,
) -> ActualResult:
    """
    Compare the GPS logs of a day with the plan.

    Parameters
    ----------
    G, scenario
        The tagged network; the scenario (fleets, their administrators and
        speeds, the shift start, deadlines, the settlement rates).
    plan, tracks, fleets
        The plan (:func:`~snowroute.actual.plan.read_plan`), each vehicle's log
        (:func:`~snowroute.actual.logs.read_logs`) and fleet and route
        (:func:`~snowroute.actual.logs.read_fleet_table`).
    params, index
        Map-matcher settings; the network's :class:`RoadIndex` if built.
    tz
        Time zone of the shift start (the day is the one of the earliest fix).
    workers
        Processes matching tracks.

    Raises
    ------
    InputFileError
        When a log names a vehicle the table lacks.
    """
    _check_vehicles(tracks, fleets, scenario)
    index = index or road_index(G)
    logger.info("matching %d tracks", len(tracks))
    matched = match_tracks(index, tracks, params=params, workers=workers)
    by_vehicle = _all_passes(index, scenario, tracks, fleets, matched)
    passes = [p for items in by_vehicle.values() for p in items]
    start = _shift_start(scenario, tracks, tz)
    ctx = _context(G, index, plan, passes, start.timestamp())
    assigned = _assign_routes(plan, fleets, by_vehicle)
    routes = tuple(
        _route_row(
            ctx,
            vehicle,
            by_vehicle[vehicle][0].admin if by_vehicle[vehicle] else "",
            route,
            by_vehicle[vehicle],
        )
        for vehicle, route in sorted(assigned.items())
    )
    planned = ctx.planned
    settlement, differences = _settlement(ctx, scenario, plan, passes)
    plowed_edges = {p.edge for p in passes if p.plowing}
    return ActualResult(
        plan=plan.name,
        shift_start=start,
        points_in=sum(len(t) for t in tracks.values()),
        points_matched=sum(int(m.point_matched.sum()) for m in matched.values()),
        coverage=_coverage(ctx, passes),
        missed=tuple(sorted((e for e in planned if ctx.served_at(e) is None), key=str)),
        unplanned=tuple(sorted((e for e in plowed_edges if ctx.unplanned(e)), key=str)),
        routes=routes,
        finish=_finish_table(ctx, scenario, plan),
        settlement=settlement,
        differences=differences,
        passes=tuple(passes),
        unmatched={v: np.flatnonzero(~m.point_matched) for v, m in matched.items()},
        tracks=dict(tracks),
        G=G,
        planned_edges=tuple(sorted(planned, key=str)),
        currency=scenario.settlement.currency,
    )
