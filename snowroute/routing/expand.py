"""Expansion of node routes into exact arc sequences with their statistics.

Figures come from the transformation (leg matrices and node service times); the
validator recomputes them from the arcs and checks that both agree.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from snowroute.routing.solution import Refill, Route, ServiceVisit
from snowroute.routing.transform import NodeRoute, Transformation

__all__ = ["expand_route", "expand_routes"]


def expand_route(tr: Transformation, route: NodeRoute) -> Route:
    """
    Expand one node route into the arcs a vehicle drives.

    Parameters
    ----------
    tr
        The transformation the route's nodes refer to.
    route
        The node route.

    Returns
    -------
    Route
        Arcs (deadhead legs and service traversals), refill stops and totals.
    """
    problem = tr.problem
    graph = problem.graph
    vc = problem.vehicles[route.vehicle]
    profile = int(tr.vehicle_profile[route.vehicle])
    paths = tr.paths[profile]
    legs = tr.legs[profile]
    nd = tr.num_depots
    depot_vertices = np.array([d.vertex for d in problem.depots], dtype=np.int64)
    exit_of = np.concatenate(
        [paths.depot_point(depot_vertices), paths.exit_point(tr.node_arc)]
    )
    entry_of = np.concatenate(
        [paths.depot_point(depot_vertices), paths.entry_point(tr.node_arc)]
    )

    seq = route.locations(tr)
    arcs: list[int] = []
    serving: list[int] = []
    refills: list[Refill] = []
    services: list[ServiceVisit] = []
    t = service_s = deadhead_s = served_m = deadhead_m = 0.0
    load = peak = total = 0.0
    finish: dict[str, float] = {}
    for i, (a, b) in enumerate(itertools.pairwise(seq)):
        leg = paths.leg_arcs(int(exit_of[a]), int(entry_of[b]))
        arcs.extend(leg)
        serving.extend([-1] * len(leg))
        deadhead_m += float(graph.length_m[leg].sum()) if leg else 0.0
        dt = float(legs[a, b])
        deadhead_s += dt
        t += dt
        if b < nd:
            if i + 1 < len(seq) - 1:  # a refill stop, not the final return
                refills.append(Refill(len(arcs), problem.depots[b].id))
                load = 0.0
            continue
        node = b - nd
        req = int(tr.node_required[node])
        r = problem.required[req]
        arcs.append(int(tr.node_arc[node]))
        serving.append(req)
        services.append(
            ServiceVisit(req, int(tr.node_direction[node]), int(tr.node_pass[node]))
        )
        ds = float(tr.node_service_s[route.vehicle, node])
        service_s += ds
        served_m += float(graph.length_m[tr.node_arc[node]])
        t += ds
        load += r.demand
        total += r.demand
        peak = max(peak, load)
        if r.priority is not None:
            finish[r.priority] = max(finish.get(r.priority, 0.0), t)
    if not services:
        arcs, serving = [], []
    return Route(
        vehicle=vc.name,
        services=tuple(services),
        arcs=np.array(arcs, dtype=np.int64),
        serving=np.array(serving, dtype=np.int64),
        refills=tuple(refills),
        served_m=served_m,
        deadhead_m=deadhead_m,
        service_s=service_s,
        deadhead_s=deadhead_s if services else 0.0,
        load=total,
        peak_load=peak,
        finish_s=finish,
    )


def expand_routes(tr: Transformation, routes: Sequence[NodeRoute]) -> tuple[Route, ...]:
    """Expand every non-empty node route (see :func:`expand_route`)."""
    out = [expand_route(tr, r) for r in routes if r.nodes]
    return tuple(out)
