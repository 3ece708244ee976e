"""Exact re-optimisation of service directions along fixed routes (dynamic programming).

A node-routing engine flips one service at a time; here, for a fixed order of the
services of a route, every service picks among its alternatives (both directions of
an ``"either"`` arc) so that the route time is minimal, in ``O(n)`` per route with
two states per service. Refill stops stay where they are.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from snowroute.routing.transform import NodeRoute, Transformation

__all__ = ["best_directions", "improve_routes", "node_route_s", "route_lateness_s"]


def node_route_s(tr: Transformation, route: NodeRoute) -> float:
    """Service plus deadhead time of ``route`` from the transformation's matrices."""
    seq = route.locations(tr)
    return math.fsum(tr.arc_s(route.vehicle, a, b) for a, b in itertools.pairwise(seq))


def route_lateness_s(tr: Transformation, route: NodeRoute) -> float:
    """Sum over services of the time by which each misses its deadline."""
    seq = route.locations(tr)
    nd = tr.num_depots
    t = late = 0.0
    for a, b in itertools.pairwise(seq):
        t += tr.arc_s(route.vehicle, a, b)
        if b >= nd:
            # arrival at b is the start of its service; completion adds its time
            node = b - nd
            done = t + float(tr.node_service_s[route.vehicle, node])
            late += max(0.0, done - float(tr.service_deadline[tr.node_service[node]]))
    return late


def best_directions(tr: Transformation, route: NodeRoute) -> NodeRoute:
    """
    Return the same route with every service in its best alternative (direction).

    Exact for the fixed service order (dynamic programming over the alternatives of
    each service). Where the problem has deadlines, the result is kept only if it
    misses them by no more than ``route`` does.

    Parameters
    ----------
    tr
        The transformation ``route`` refers to.
    route
        The route to improve.

    Returns
    -------
    NodeRoute
        A route at most as long, with the same services, order and refills.
    """
    if not route.nodes:
        return route
    c = route.vehicle
    nd = tr.num_depots
    legs = tr.legs[int(tr.vehicle_profile[c])]
    service = tr.node_service_s[c]
    home = tr.vehicle_depot(c)
    stops = dict(route.refills)

    # Stage list: (candidate locations, is_node); refills and depots are singletons.
    stages: list[np.ndarray] = [np.array([home])]
    for k, node in enumerate(route.nodes):
        if k in stops:
            stages.append(np.array([stops[k]]))
        alts = tr.service_nodes(int(tr.node_service[node]))
        alts = alts[~np.isnan(service[alts])]
        stages.append(alts + nd)
    if len(route.nodes) in stops:
        stages.append(np.array([stops[len(route.nodes)]]))
    stages.append(np.array([home]))

    def out_s(locs: np.ndarray) -> np.ndarray:
        s = np.zeros(locs.size)
        mask = locs >= nd
        s[mask] = service[locs[mask] - nd]
        return s

    cost = np.zeros(1)
    back: list[np.ndarray] = []
    for prev, cur in itertools.pairwise(stages):
        step = cost[:, None] + out_s(prev)[:, None] + legs[np.ix_(prev, cur)]
        arg = np.argmin(step, axis=0)
        back.append(arg)
        cost = step[arg, np.arange(cur.size)]
    # Walk back.
    choice = [0]
    for arg in reversed(back):
        choice.append(int(arg[choice[-1]]))
    choice.reverse()
    chosen = [int(stage[i]) for stage, i in zip(stages, choice, strict=True)]
    nodes = tuple(loc - nd for loc in chosen if loc >= nd)
    better = NodeRoute(route.vehicle, nodes, route.refills)
    if not np.isfinite(cost[0]) or cost[0] >= node_route_s(tr, route) - 1e-9:
        return route
    if np.isfinite(tr.service_deadline).any() and route_lateness_s(
        tr, better
    ) > route_lateness_s(tr, route):
        return route
    return better


def improve_routes(tr: Transformation, routes: Sequence[NodeRoute]) -> list[NodeRoute]:
    """Apply :func:`best_directions` to every route."""
    return [best_directions(tr, r) for r in routes]
