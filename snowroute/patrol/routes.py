"""Routing one patrol day with the arc-routing core: its roads, stops and car routes.

The day's sections and structure roads are the required arcs (one pass each: a
patrol looks at every lane at once), every other road is deadhead, and a structure
stop is extra service time on its road.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import networkx as nx

from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey
from snowroute.patrol.plan import CarRoute
from snowroute.patrol.scope import PatrolScope
from snowroute.patrol.structures import PlacedStructure
from snowroute.routing import (
    ArcRoutingProblem,
    Route,
    Solution,
    VehicleClass,
    problem_from_graph,
    solve,
)

__all__ = ["day_problem", "day_roads", "day_routes", "road_edges", "route_day"]

#: A structure stop on an edge: the structure named for it, and seconds on site.
Stop = tuple[str, float]


def road_edges(G: nx.MultiDiGraph, edge: EdgeKey) -> list[EdgeKey]:
    """Return ``edge`` and, on a two-way road, its opposite direction (same osmid)."""
    u, v, _ = edge
    out = [edge]
    data = G.edges[edge]
    if A.parse_bool(data.get(A.ONEWAY, False)):
        return out
    osmid = str(data.get("osmid"))
    for k2, d2 in G.get_edge_data(v, u, default={}).items():
        if str(d2.get("osmid")) == osmid and (v, u, k2) != edge:
            out.append((v, u, k2))
            break
    return out


def day_roads(
    G: nx.MultiDiGraph,
    scope: PatrolScope,
    sections: Iterable[str],
    structures: Iterable[PlacedStructure],
) -> tuple[list[EdgeKey], dict[EdgeKey, Stop]]:
    """Return the edges a day patrols, in order, and the structure stops on them.

    Every edge of the day's ``sections``, then the roads of its ``structures`` not
    already in; several structures on one road add up their time on site, under
    the first one's id.
    """
    required: list[EdgeKey] = []
    seen: set[EdgeKey] = set()
    for sid in sections:
        for e in scope.sections[sid].edges:
            if e not in seen:
                seen.add(e)
                required.append(e)
    stops: dict[EdgeKey, Stop] = {}
    for p in structures:
        for e in road_edges(G, p.edge):
            if e not in seen:
                seen.add(e)
                required.append(e)
            # several structures on one road: their times add up
            sid, s = stops.get(e, ("", 0.0))
            name = sid or p.structure.structure_id
            stops[e] = (name, s + 60.0 * p.structure.minutes_on_site)
    return required, stops


def _one_pass(u: Hashable, v: Hashable, k: int, data: Any) -> int:
    """Count one pass per road: a patrol looks at every lane at once."""
    return 1


def day_problem(
    G: nx.MultiDiGraph,
    *,
    required: list[EdgeKey],
    stops: Mapping[EdgeKey, Stop],
    depots: dict[str, Hashable],
    vehicle: VehicleClass,
) -> ArcRoutingProblem | None:
    """Return the routing problem of one day's patrol (None: nothing to do)."""

    def extra(u: Hashable, v: Hashable, k: int, data: Any) -> float:
        stop = stops.get((u, v, k))
        return 0.0 if stop is None else stop[1]

    problem = problem_from_graph(
        G,
        required=required,
        depots=depots,
        vehicles=(vehicle,),
        passes=_one_pass,
        extra_service_s=extra,
    )
    return None if problem.num_required == 0 else problem


def day_routes(
    problem: ArcRoutingProblem, solution: Solution, stops: Mapping[EdgeKey, Stop]
) -> tuple[tuple[CarRoute, ...], tuple[str, ...], tuple[ArcRoutingProblem, Solution]]:
    """Return the car routes of a day's solution, its violations and both."""
    cars = tuple(
        _car_route(problem, route, number, stops)
        for number, route in enumerate(solution.routes, start=1)
    )
    return cars, solution.violations, (problem, solution)


def route_day(
    G: nx.MultiDiGraph,
    *,
    required: list[EdgeKey],
    stops: Mapping[EdgeKey, Stop],
    depots: dict[str, Hashable],
    vehicle: VehicleClass,
    engine: Any,
    time_limit_s: float,
    seed: int,
    max_iterations: int | None,
) -> tuple[
    tuple[CarRoute, ...],
    tuple[str, ...],
    tuple[ArcRoutingProblem, Solution] | None,
]:
    """Route the patrol cars of one day over ``required`` with ``stops``.

    Returns the car routes, the routing validator's violations, and the routing
    problem with its solution (None when the day has nothing to patrol).
    """
    problem = day_problem(
        G, required=required, stops=stops, depots=depots, vehicle=vehicle
    )
    if problem is None:
        return (), (), None
    solution = solve(
        problem,
        engine=engine,
        time_limit_s=time_limit_s,
        seed=seed,
        workers=1,
        max_iterations=max_iterations,
    )
    return day_routes(problem, solution, stops)


def _car_route(
    problem: ArcRoutingProblem,
    route: Route,
    number: int,
    stops: Mapping[EdgeKey, Stop],
) -> CarRoute:
    """Read car ``number``'s route back as network edges, flags and totals."""
    refs = problem.graph.edge_refs
    assert refs is not None
    edges = tuple(refs[int(a)] for a in route.arcs)
    serving = tuple(bool(s >= 0) for s in route.serving)
    inspected: list[str] = []
    for s in route.serving:
        if s < 0:
            continue
        r = problem.required[int(s)]
        for arc in (r.arc, r.reverse_arc):
            ref: Any = None if arc is None else refs[arc]
            if ref in stops and r.extra_service_s > 0:
                sid = stops[ref][0]
                if sid not in inspected:
                    inspected.append(sid)
    return CarRoute(
        car=number,
        edges=edges,  # type: ignore[arg-type]
        serving=serving,
        km=(route.served_m + route.deadhead_m) / 1000.0,
        patrolled_km=route.served_m / 1000.0,
        deadhead_km=route.deadhead_m / 1000.0,
        hours=route.duration_s / 3600.0,
        structures=tuple(inspected),
    )
