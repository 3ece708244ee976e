"""Synthetic GPS logs of a plan, truth known: noise, sampling, gaps, a skipped road."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse.csgraph import dijkstra

from snowroute.actual.logs import FleetEntry, Track
from snowroute.actual.plan import Plan, PlannedRoute
from snowroute.actual.roads import RoadIndex
from snowroute.network.attributes import EdgeKey

__all__ = ["SyntheticLogs", "SyntheticParams", "drive_fixes", "synthetic_logs"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticParams:
    """
    How synthetic logs deviate from the plan and from the truth.

    Parameters
    ----------
    sigma_m
        Standard deviation of the GPS noise per axis, metres.
    interval_s
        Seconds between fixes.
    gaps
        Gaps in the log per route (the vehicle drives on, unrecorded).
    gap_s
        Length of each gap, seconds.
    stop_s
        Seconds each vehicle stands at its depot before it leaves.
    skip
        Whether one planned road is skipped: the vehicle drives round it without
        plowing (the detour) and the road is missed.
    detour_kph
        Speed on the detour.
    seed
        Random seed.
    """

    sigma_m: float = 15.0
    interval_s: float = 5.0
    gaps: int = 1
    gap_s: float = 60.0
    stop_s: float = 120.0
    skip: bool = True
    detour_kph: float = 30.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("interval_s", "detour_kph"):
            if not getattr(self, name) > 0:
                msg = f"`{name}` must be positive, got {getattr(self, name)}."
                raise ValueError(msg)
        for name in ("sigma_m", "gaps", "gap_s", "stop_s"):
            if getattr(self, name) < 0:
                msg = f"`{name}` must not be negative, got {getattr(self, name)}."
                raise ValueError(msg)


@dataclass(frozen=True, slots=True, eq=False)
class SyntheticLogs:
    """
    Logs made from a plan and what really happened.

    Parameters
    ----------
    tracks
        One track per planned route, vehicle id ``<fleet>-<route_no>``.
    fleets
        The vehicle table.
    plowed
        ``(vehicle, edge)`` of every pass plowed, the truth.
    driven
        ``(vehicle, edge)`` of every pass driven (plowing or not).
    skipped
        The planned pass left out (``(vehicle, edge)``), or None.
    """

    tracks: dict[str, Track]
    fleets: dict[str, FleetEntry]
    plowed: frozenset[tuple[str, EdgeKey]]
    driven: frozenset[tuple[str, EdgeKey]]
    skipped: tuple[str, EdgeKey] | None


def _served_roads(plan: Plan) -> dict[frozenset[object], int]:
    count: dict[frozenset[object], int] = {}
    for route in plan.routes:
        for leg in route.legs:
            if leg.serving:
                road = frozenset(leg.edge[:2])
                count[road] = count.get(road, 0) + 1
    return count


def _detour(index: RoadIndex, edge: int) -> list[int] | None:
    """Return the shortest drive from the edge's tail to its head avoiding the road."""
    a, b = int(index.tail[edge]), int(index.head[edge])
    graph = index.graph.tolil(copy=True)
    graph[a, b] = 0
    graph[b, a] = 0
    graph = graph.tocsr()
    graph.eliminate_zeros()
    dist, pred = dijkstra(graph, indices=a, return_predecessors=True)
    if not np.isfinite(dist[b]) or dist[b] > 3 * index.length_m[edge] + 1000:
        return None
    nodes = [b]
    while nodes[-1] != a:
        nodes.append(int(pred[nodes[-1]]))
    nodes.reverse()
    return [index.edge_between[(p, q)] for p, q in itertools.pairwise(nodes)]


def _pick_skip(
    index: RoadIndex, plan: Plan, rng: np.random.Generator
) -> tuple[int, int, list[int]] | None:
    """Pick a (route, leg, detour): a road only that pass plows, with a short detour."""
    where = {e: i for i, e in enumerate(index.edges)}
    served = _served_roads(plan)
    options = [
        (r, k)
        for r, route in enumerate(plan.routes)
        for k, leg in enumerate(route.legs)
        if leg.serving
        and 0 < k < len(route.legs) - 1
        and served[frozenset(leg.edge[:2])] == 1
        and leg.edge[0] != leg.edge[1]
    ]
    for i in rng.permutation(len(options)).tolist():
        r, k = options[i]
        path = _detour(index, where[plan.routes[r].legs[k].edge])
        if path:
            return r, k, path
    return None


def _drive(
    index: RoadIndex,
    route: PlannedRoute,
    skip: tuple[int, list[int]] | None,
    params: SyntheticParams,
) -> list[tuple[int, bool, float]]:
    """Return the route as driven: ``(edge, plowing, seconds)`` per edge."""
    where = {e: i for i, e in enumerate(index.edges)}
    out = []
    for k, leg in enumerate(route.legs):
        if skip is not None and k == skip[0]:
            speed = params.detour_kph / 3.6
            out += [(e, False, float(index.length_m[e]) / speed) for e in skip[1]]
        else:
            out.append((where[leg.edge], leg.serving, leg.end_s - leg.start_s))
    return out


def drive_fixes(
    index: RoadIndex,
    drive: list[tuple[int, bool, float]],
    params: SyntheticParams,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Noisy fixes ``(t, x, y, plow)`` every ``interval_s``, t from the route start."""
    secs = np.array([max(s, 1e-3) for _, _, s in drive])
    ends = params.stop_s + np.cumsum(secs)
    starts = ends - secs
    t = np.arange(0.0, ends[-1] + 1e-9, params.interval_s)
    which = np.clip(np.searchsorted(ends, t, side="right"), 0, len(drive) - 1)
    edges = np.array([e for e, _, _ in drive], dtype=np.int64)[which]
    frac = np.clip((t - starts[which]) / secs[which], 0.0, 1.0)
    pts = shapely.line_interpolate_point(index.lines[edges], frac, normalized=True)
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    plow = np.array([p for _, p, _ in drive], dtype=bool)[which] & (t >= params.stop_s)
    keep = np.ones(len(t), dtype=bool)
    for _ in range(params.gaps):
        if ends[-1] > 3 * params.gap_s:
            g0 = rng.uniform(params.gap_s, ends[-1] - 2 * params.gap_s)
            keep &= ~((t >= g0) & (t < g0 + params.gap_s))
    x = x + rng.normal(0.0, params.sigma_m, len(t))
    y = y + rng.normal(0.0, params.sigma_m, len(t))
    return t[keep], x[keep], y[keep], plow[keep]


def synthetic_logs(
    index: RoadIndex,
    plan: Plan,
    *,
    start: dt.datetime,
    params: SyntheticParams | None = None,
) -> SyntheticLogs:
    """
    Make the GPS logs of ``plan`` as if every route was driven, with known truth.

    Each route is driven by vehicle ``<fleet>-<route_no>`` from ``start`` (an aware
    datetime: the shift start) at the plan's times, standing ``stop_s`` at the
    depot first; fixes every ``interval_s`` with Gaussian noise, ``gaps`` gaps per
    route and, with ``skip``, one road that only one pass plows left out and driven
    round without plowing.
    """
    params = params or SyntheticParams()
    rng = np.random.default_rng(params.seed)
    picked = _pick_skip(index, plan, rng) if params.skip else None
    t0 = start.timestamp()
    tracks, fleets = {}, {}
    plowed: set[tuple[str, EdgeKey]] = set()
    driven: set[tuple[str, EdgeKey]] = set()
    skipped = None
    for r, route in enumerate(plan.routes):
        if not route.legs:
            continue
        skip = None
        if picked is not None and picked[0] == r:
            skip = (picked[1], picked[2])
            skipped = (route.name, route.legs[picked[1]].edge)
        drive = _drive(index, route, skip, params)
        t, x, y, plow = drive_fixes(index, drive, params, rng)
        lon, lat = index.to_xy.transform(x, y, direction="INVERSE")
        start_s = route.legs[0].start_s
        tracks[route.name] = Track(
            route.name,
            t0 + start_s + t,
            np.asarray(lon, dtype=float),
            np.asarray(lat, dtype=float),
            plow,
            "synthetic",
        )
        fleets[route.name] = FleetEntry(route.name, route.vehicle, route.route_no)
        for e, p, _ in drive:
            driven.add((route.name, index.edges[e]))
            if p:
                plowed.add((route.name, index.edges[e]))
    return SyntheticLogs(tracks, fleets, frozenset(plowed), frozenset(driven), skipped)
