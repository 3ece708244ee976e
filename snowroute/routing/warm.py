"""Warm starts: carry routes of a related plan into a new problem's search.

When a planner changes a problem a little (an exchange hands a few roads to another
administrator), searching again from scratch gives a plan whose quality varies from
run to run by more than the change is worth. Starting from the old routes instead
(roads no longer required dropped, new ones inserted where they cost least) makes
the new plan at least as good as the repaired old one, so small changes compare
fairly.

:func:`carry_over` maps the services of an old solution onto a new problem built on
the same road graph (matching arcs by their ``edge_refs``); :func:`warm_routes`
turns them into engine routes and inserts every service the old routes lack.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from snowroute.routing.problem import ArcRoutingProblem
from snowroute.routing.solution import ServiceVisit, Solution
from snowroute.routing.transform import NodeRoute, Transformation

__all__ = ["WarmRoute", "carry_over", "warm_routes"]


@dataclass(frozen=True, slots=True)
class WarmRoute:
    """
    A starting route: a vehicle class and the services it performs in order.

    Parameters
    ----------
    vehicle
        Name of the vehicle class.
    services
        Passes in driving order, in the indices of the problem being solved.
    """

    vehicle: str
    services: tuple[ServiceVisit, ...]


def carry_over(
    old_problem: ArcRoutingProblem, old: Solution, new_problem: ArcRoutingProblem
) -> tuple[WarmRoute, ...]:
    """Map the routes of ``old`` onto ``new_problem``.

    Both problems must be built on the same road graph (``graph.edge_refs``). A pass
    of an arc that ``new_problem`` also requires keeps its direction and pass number
    where the new arc has them; other passes are dropped, as are routes of vehicle
    classes ``new_problem`` lacks.
    """
    old_refs = old_problem.graph.edge_refs
    new_refs = new_problem.graph.edge_refs
    if old_refs is None or new_refs is None:
        return ()
    where: dict[Hashable, tuple[int, int]] = {}
    for index, r in enumerate(new_problem.required):
        where[new_refs[r.arc]] = (index, 0)
        if r.reverse_arc is not None:
            where[new_refs[r.reverse_arc]] = (index, 1)
    names = {v.name for v in new_problem.vehicles}
    out = []
    for route in old.routes:
        if route.vehicle not in names:
            continue
        services = []
        for visit in route.services:
            r = old_problem.required[visit.required]
            arc = r.arc if visit.direction == 0 else r.reverse_arc
            if arc is None or old_refs[arc] not in where:
                continue
            index, direction = where[old_refs[arc]]
            target = new_problem.required[index]
            if direction not in target.directions or visit.pass_index >= target.passes:
                continue
            services.append(ServiceVisit(index, direction, visit.pass_index))
        if services:
            out.append(WarmRoute(route.vehicle, tuple(services)))
    return tuple(out)


def warm_routes(tr: Transformation, routes: Sequence[WarmRoute]) -> list[NodeRoute]:
    """Engine routes from ``routes``, with every missing service inserted.

    Each service is kept once (its first occurrence); routes beyond a vehicle
    class's ``count`` are dropped. Services no route performs are inserted one by
    one where they add the least time (service plus deadhead, for the vehicle
    class of that route) over every position and allowed direction; when no route
    remains, the result is empty and the engine starts from scratch.
    """
    problem = tr.problem
    classes = {v.name: i for i, v in enumerate(problem.vehicles)}
    node_of: dict[tuple[int, int, int], int] = {
        (int(r), int(d), int(p)): n
        for n, (r, d, p) in enumerate(
            zip(tr.node_required, tr.node_direction, tr.node_pass, strict=True)
        )
    }
    used_count: dict[int, int] = {}
    seen: set[int] = set()
    built: list[tuple[int, list[int]]] = []
    for route in routes:
        vehicle = classes.get(route.vehicle)
        if vehicle is None:
            continue
        count = problem.vehicles[vehicle].count
        if count is not None and used_count.get(vehicle, 0) >= count:
            continue
        nodes = []
        for visit in route.services:
            node = node_of.get((visit.required, visit.direction, visit.pass_index))
            if node is None:
                continue
            service = int(tr.node_service[node])
            if service in seen:
                continue
            seen.add(service)
            nodes.append(node)
        if nodes:
            used_count[vehicle] = used_count.get(vehicle, 0) + 1
            built.append((vehicle, nodes))
    if not built:
        return []
    for service in range(tr.num_services):
        if service not in seen:
            _insert_cheapest(tr, built, tr.service_nodes(service))
    return [NodeRoute(vehicle, tuple(nodes)) for vehicle, nodes in built]


def _insert_cheapest(
    tr: Transformation, routes: list[tuple[int, list[int]]], candidates: np.ndarray
) -> None:
    best: tuple[float, int, int, int] | None = None
    nd = tr.num_depots
    for k, (vehicle, nodes) in enumerate(routes):
        allowed = [
            int(c) for c in candidates if not np.isnan(tr.node_service_s[vehicle, c])
        ]
        if not allowed:
            continue
        legs = tr.legs[int(tr.vehicle_profile[vehicle])]
        home = tr.vehicle_depot(vehicle)
        seq = np.array([home, *(nd + n for n in nodes), home], dtype=np.int64)
        before, after = seq[:-1], seq[1:]
        for c in allowed:
            loc = nd + c
            added = (
                legs[before, loc]
                + legs[loc, after]
                - legs[before, after]
                + tr.node_service_s[vehicle, c]
            )
            pos = int(np.argmin(added))
            cost = float(added[pos])
            if best is None or cost < best[0]:
                best = (cost, k, pos, c)
    if best is not None:
        _, k, pos, c = best
        routes[k][1].insert(pos, c)
