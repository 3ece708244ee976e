"""Routes of one vehicle class reordered together: streets move between them.

:func:`~snowroute.routing.improve.reorder_route` reorders one route at a time; the
streets each route serves stay its own. Here the routes of one vehicle class are
searched as one block, a depot stop between each two, by the same compiled
iterated local search (:mod:`snowroute.routing._tour`): a kick that takes streets
out of one route may put them back into another, and the depot stops move like
any street, which shifts where one route ends and the next begins. On the
Middleton city's three routes of 450-650 streets the 36 s plans came out 1.0 %
lower (mean 57,440 s against 58,014 s), where reordering each route alone, even
with forty times the kicks, took a plan 1.18 % above the reference of then only
to 1.07 % (``benchmarks/realnet/RESULTS.md``, "Routes reordered together"). The
search's legs, service times and deadlines are those of one vehicle class, so
only routes of the same class go together, and only without refill stops and
with all their loads fitting one vehicle (no load check is needed); each route
keeps within its shift (or a cap) and no deadline is missed by more in all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from snowroute.routing.improve import (
    alternatives,
    best_directions,
    node_route_s,
    reorder_route,
    route_lateness_s,
    search_block,
)
from snowroute.routing.transform import NodeRoute, Transformation

__all__ = [
    "JOINT_KICKS",
    "LONGEST",
    "all_together",
    "can_go_together",
    "reorder_plan",
    "reorder_together",
]

#: Kicks per stop (services and the depot stops between routes) by default. On
#: the Middleton city's 36 s plans 1 kick per stop took 3 s and 2 kicks 6 s (one
#: thread, 1,526 stops), 5 kicks 16-30 s for 0.2-0.4 points more. A timed solve
#: gives the final plan's search the time it has left instead
#: (``snowroute.routing.solve``, ``_Run.final_kicks``).
JOINT_KICKS = 2
#: Most services searched together (the leg matrix grows with the square, the
#: time with the square times the kicks).
LONGEST = 2000


def reorder_plan(
    tr: Transformation,
    routes: Sequence[NodeRoute],
    *,
    seed: int,
    workers: int | None = 1,
    joint: bool = True,
    kicks: float = JOINT_KICKS,
) -> list[NodeRoute]:
    """
    Return a plan's routes reordered: together by vehicle class where they can be.

    The routes of a vehicle class for which :func:`can_go_together` holds are
    searched together, once per worker with seeds ``seed``, ``seed + 1``, ...
    (the shortest result kept, the lowest seed on a tie); every other route is
    reordered alone (:func:`~snowroute.routing.improve.reorder_route`, seed
    ``seed`` plus its place in the plan). The searches run in ``workers``
    threads, the longest first (the compiled search releases the GIL); the
    result does not depend on the threads. Routes searched together take the
    place of the first of them. ``joint=False``: every route alone (a makespan
    plan: under its finish as a cap its balanced routes trade too little for the
    time the search would set aside). Routes searched together get ``kicks``
    kicks per stop.
    """
    together = _groups(tr, routes) if joint else []
    grouped = {k for ks in together for k in ks}
    alone = [k for k in range(len(routes)) if k not in grouped]
    tries = max(1, workers or 1)
    tasks: list[tuple[int, Callable[[], list[NodeRoute]]]] = [
        (len(routes[k].nodes), _alone(tr, routes[k], seed + k)) for k in alone
    ]
    for ks in together:
        group = [routes[k] for k in ks]
        size = sum(len(r.nodes) for r in group)
        tasks += [(size, _joint(tr, group, seed + j, kicks)) for j in range(tries)]
    done = _in_threads(tasks, workers)
    placed = {k: done[i] for i, k in enumerate(alone)}
    for g, ks in enumerate(together):
        first = len(alone) + g * tries
        placed[ks[0]] = min(done[first : first + tries], key=lambda rs: _total(tr, rs))
    return [route for k in sorted(placed) for route in placed[k]]


def all_together(tr: Transformation, routes: Sequence[NodeRoute]) -> bool:
    """Whether :func:`reorder_plan` searches every route with others of its class."""
    return sum(len(ks) for ks in _groups(tr, routes)) == len(routes) > 0


def _groups(tr: Transformation, routes: Sequence[NodeRoute]) -> list[list[int]]:
    """Return the places of the routes of each class that can go together."""
    classes: dict[int, list[int]] = {}
    for k, route in enumerate(routes):
        classes.setdefault(route.vehicle, []).append(k)
    return [
        ks for ks in classes.values() if can_go_together(tr, [routes[k] for k in ks])
    ]


def _alone(
    tr: Transformation, route: NodeRoute, seed: int
) -> Callable[[], list[NodeRoute]]:
    return lambda: [reorder_route(tr, route, seed=seed)]


def _joint(
    tr: Transformation, routes: list[NodeRoute], seed: int, kicks: float
) -> Callable[[], list[NodeRoute]]:
    return lambda: reorder_together(tr, routes, seed=seed, kicks=kicks)


def _in_threads(
    tasks: Sequence[tuple[int, Callable[[], list[NodeRoute]]]], workers: int | None
) -> list[list[NodeRoute]]:
    """Run ``(size, task)`` pairs in ``workers`` threads, the largest first."""
    largest_first = sorted(range(len(tasks)), key=lambda i: -tasks[i][0])
    with ThreadPoolExecutor(max(1, workers or 1)) as pool:
        results = pool.map(lambda i: tasks[i][1](), largest_first)
        done = dict(zip(largest_first, results, strict=True))
    return [done[i] for i in range(len(tasks))]


def can_go_together(tr: Transformation, routes: Sequence[NodeRoute]) -> bool:
    """Whether ``routes`` can be searched as one block (see the module's text)."""
    if len(routes) < 2 or len({r.vehicle for r in routes}) > 1:
        return False
    if any(r.refills for r in routes):
        return False
    if sum(len(r.nodes) for r in routes) > LONGEST:
        return False
    capacity = tr.problem.vehicles[routes[0].vehicle].capacity
    if capacity is None:
        return True
    demand = tr.service_demand[tr.node_service[[n for r in routes for n in r.nodes]]]
    return float(np.sum(demand)) <= capacity


def reorder_together(
    tr: Transformation,
    routes: Sequence[NodeRoute],
    *,
    seed: int = 0,
    cap_s: float | None = None,
    kicks: float = JOINT_KICKS,
) -> list[NodeRoute]:
    """
    Return ``routes`` searched together, or as they are when that finds nothing.

    Parameters
    ----------
    tr
        The transformation the routes refer to.
    routes
        Routes for which :func:`can_go_together` holds.
    seed
        Seed of the kicks: the same routes and seed give the same result.
    cap_s
        Longest a route may take besides the vehicle's shift: a makespan plan's
        finish, whose routes are then all kept (the plan uses its fleet);
        ``None``: the shift only, and a route may be left empty.
    kicks
        Kicks per stop: the search's time grows with them.

    Returns
    -------
    list[NodeRoute]
        As many routes or fewer (none empty), shorter in all, each within the
        shift and the cap, missing no deadline by more in all than ``routes``.
    """
    vehicle = routes[0].vehicle
    cap = _cap(tr, vehicle, cap_s)
    if any(node_route_s(tr, r) > cap for r in routes):
        return list(routes)
    stops, dr, deadline, restart = _block(tr, routes)
    home = tr.vehicle_depot(vehicle)
    order, dr = search_block(
        tr,
        vehicle,
        (home, home),
        stops,
        dr,
        deadline,
        0.0,
        round(kicks * len(stops)),
        seed,
        (restart, cap, cap_s is not None),
    )
    found = _routes(vehicle, stops, order, dr, restart, tr.num_depots)
    found = [best_directions(tr, r) for r in found]
    return found if _better(tr, routes, found, cap) else list(routes)


def _cap(tr: Transformation, vehicle: int, cap_s: float | None) -> float:
    shift = tr.problem.vehicles[vehicle].shift_s
    return min(
        math.inf if shift is None else shift,
        math.inf if cap_s is None else cap_s,
    )


def _block(
    tr: Transformation, routes: Sequence[NodeRoute]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the routes as one block: stops, directions, deadlines, restarts.

    The stops in the routes' order, a depot stop (both alternatives the home
    depot, no deadline) between each two routes.
    """
    nd, vehicle = tr.num_depots, routes[0].vehicle
    home = tr.vehicle_depot(vehicle)
    parts: list[np.ndarray] = []
    for k, route in enumerate(routes):
        stops, dr = alternatives(tr, vehicle, np.asarray(route.nodes, dtype=np.int64))
        parts.append(np.column_stack([stops, dr]))
        if k < len(routes) - 1:
            parts.append(np.array([[home, home, 0]], dtype=np.int64))
    block = np.concatenate(parts).astype(np.int64)
    restart = block[:, 0] < nd
    services = tr.node_service[np.maximum(block[:, 0] - nd, 0)]
    deadline = np.where(restart, np.inf, tr.service_deadline[services])
    return block[:, :2], block[:, 2], deadline.astype(np.float64), restart


def _routes(
    vehicle: int,
    stops: np.ndarray,
    order: np.ndarray,
    dr: np.ndarray,
    restart: np.ndarray,
    nd: int,
) -> list[NodeRoute]:
    """Cut the searched block at its depot stops into routes (empty ones left out)."""
    out: list[NodeRoute] = []
    nodes: list[int] = []
    for k, stop in enumerate(order):
        if restart[stop]:
            out.append(NodeRoute(vehicle, tuple(nodes)))
            nodes = []
        else:
            nodes.append(int(stops[stop, dr[k]]) - nd)
    out.append(NodeRoute(vehicle, tuple(nodes)))
    return [r for r in out if r.nodes]


def _better(
    tr: Transformation,
    before: Sequence[NodeRoute],
    after: Sequence[NodeRoute],
    cap: float,
) -> bool:
    """Whether ``after`` is shorter in all, within ``cap`` and no later in all."""
    times = [node_route_s(tr, r) for r in after]
    if max(times, default=0.0) > cap or math.fsum(times) >= _total(tr, before) - 1e-6:
        return False
    late = math.fsum(route_lateness_s(tr, r) for r in after)
    return late <= math.fsum(route_lateness_s(tr, r) for r in before) + 1e-6


def _total(tr: Transformation, routes: Sequence[NodeRoute]) -> float:
    return math.fsum(node_route_s(tr, r) for r in routes)
