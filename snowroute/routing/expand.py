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
    walk = _Expansion(tr, route.vehicle)
    seq = route.locations(tr)
    for i, (a, b) in enumerate(itertools.pairwise(seq)):
        walk.deadhead(a, b)
        if b >= tr.num_depots:
            walk.serve(b - tr.num_depots)
        elif i + 1 < len(seq) - 1:  # a refill stop, not the final return
            walk.refill(b)
    return walk.route()


class _Expansion:
    """A route being expanded: its arcs so far, clock, lengths and loads."""

    def __init__(self, tr: Transformation, vehicle: int) -> None:
        self.tr = tr
        self.vehicle = vehicle
        profile = int(tr.vehicle_profile[vehicle])
        self.paths = tr.paths[profile]
        self.legs = tr.legs[profile]
        depots = np.array([d.vertex for d in tr.problem.depots], dtype=np.int64)
        self.exit_of = np.concatenate(
            [self.paths.depot_point(depots), self.paths.exit_point(tr.node_arc)]
        )
        self.entry_of = np.concatenate(
            [self.paths.depot_point(depots), self.paths.entry_point(tr.node_arc)]
        )
        self.arcs: list[int] = []
        self.serving: list[int] = []
        self.refills: list[Refill] = []
        self.services: list[ServiceVisit] = []
        self.t = self.service_s = self.deadhead_s = 0.0
        self.served_m = self.deadhead_m = 0.0
        self.load = self.peak = self.total = 0.0
        self.finish: dict[str, float] = {}

    def deadhead(self, a: int, b: int) -> None:
        """Drive the shortest leg from location ``a`` to location ``b``."""
        leg = self.paths.leg_arcs(int(self.exit_of[a]), int(self.entry_of[b]))
        self.arcs.extend(leg)
        self.serving.extend([-1] * len(leg))
        length_m = self.tr.problem.graph.length_m
        self.deadhead_m += float(length_m[leg].sum()) if leg else 0.0
        dt = float(self.legs[a, b])
        self.deadhead_s += dt
        self.t += dt

    def refill(self, depot: int) -> None:
        """Stop at ``depot`` to refill (before the next arc)."""
        self.refills.append(Refill(len(self.arcs), self.tr.problem.depots[depot].id))
        self.load = 0.0

    def serve(self, node: int) -> None:
        """Serve ``node``: drive its arc and account for its service."""
        tr = self.tr
        req = int(tr.node_required[node])
        r = tr.problem.required[req]
        self.arcs.append(int(tr.node_arc[node]))
        self.serving.append(req)
        self.services.append(
            ServiceVisit(req, int(tr.node_direction[node]), int(tr.node_pass[node]))
        )
        ds = float(tr.node_service_s[self.vehicle, node])
        self.service_s += ds
        self.served_m += float(tr.problem.graph.length_m[tr.node_arc[node]])
        self.t += ds
        self.load += r.demand
        self.total += r.demand
        self.peak = max(self.peak, self.load)
        if r.priority is not None:
            self.finish[r.priority] = max(self.finish.get(r.priority, 0.0), self.t)

    def route(self) -> Route:
        """Return the expanded route (no arcs when it serves nothing)."""
        services = self.services
        arcs, serving = (self.arcs, self.serving) if services else ([], [])
        return Route(
            vehicle=self.tr.problem.vehicles[self.vehicle].name,
            services=tuple(services),
            arcs=np.array(arcs, dtype=np.int64),
            serving=np.array(serving, dtype=np.int64),
            refills=tuple(self.refills),
            served_m=self.served_m,
            deadhead_m=self.deadhead_m,
            service_s=self.service_s,
            deadhead_s=self.deadhead_s if services else 0.0,
            load=self.total,
            peak_load=self.peak,
            finish_s=self.finish,
        )


def expand_routes(tr: Transformation, routes: Sequence[NodeRoute]) -> tuple[Route, ...]:
    """Expand every non-empty node route (see :func:`expand_route`)."""
    out = [expand_route(tr, r) for r in routes if r.nodes]
    return tuple(out)
