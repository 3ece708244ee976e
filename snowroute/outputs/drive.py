"""Routes as a driver drives them: timed legs on network edges, with geometry.

Every writer (GeoPackage, GPX, route sheets, web map) reads routes through
:func:`driven_routes`, so they agree on order, lengths and times. Times follow the
independent validator's rule: each arc takes its service time when it serves a
required arc (``problem.service_s`` of the vehicle class and direction) and its
deadhead time otherwise; refill stops take no time.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
import numpy as np
from shapely.geometry import LineString

from snowroute._clock import clock_after
from snowroute._errors import OutputError
from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey
from snowroute.outputs.model import InspectionStop, PlanRoutes, clock_to_s, file_stem
from snowroute.routing.validate import turn_s

__all__ = [
    "DrivenRoute",
    "Leg",
    "clock_text",
    "driven_routes",
    "edge_line",
    "elapsed_text",
    "plans_driven",
    "street_name",
]


@dataclass(frozen=True, slots=True)
class Leg:
    """
    One network edge driven by a route.

    Parameters
    ----------
    sequence
        Position in the route, from 1.
    edge
        The network edge ``(u, v, key)``, driven from ``u`` to ``v``.
    required
        Index of the required arc served on this edge, -1 when deadheading.
    length_m
        Length of the edge.
    start_s, end_s
        Seconds after the shift start when the vehicle enters and leaves the edge.
    """

    sequence: int
    edge: EdgeKey
    required: int
    length_m: float
    start_s: float
    end_s: float

    @property
    def serving(self) -> bool:
        """Whether the vehicle works (plows, patrols) on this edge."""
        return self.required >= 0


@dataclass(frozen=True, slots=True)
class DrivenRoute:
    """
    One vehicle route of a plan as timed legs.

    Parameters
    ----------
    plan
        Plan name.
    vehicle
        Vehicle class name.
    route_no
        Number of the route among the routes of its vehicle class in the plan,
        from 1.
    admin
        Administrator running the vehicle (who serves the roads).
    depot
        Depot id where the route starts and ends.
    depot_node
        The depot's network node.
    activity
        ``"plow"`` or ``"patrol"``.
    start_clock
        Shift start ``HH:MM`` or ``None``.
    legs
        The edges in driving order.
    refills
        Refill stops as ``(position, depot id)``: before ``legs[position]``, or at
        the end when ``position == len(legs)``.
    stops
        Structures inspected, as ``(position, stop)``: on ``legs[position]``.
    """

    plan: str
    vehicle: str
    route_no: int
    admin: str
    depot: str
    depot_node: Hashable
    activity: str
    start_clock: str | None
    legs: tuple[Leg, ...]
    refills: tuple[tuple[int, str], ...] = ()
    stops: tuple[tuple[int, InspectionStop], ...] = ()

    @property
    def stem(self) -> str:
        """File name stem ``<plan>_<vehicle>_<route_no>``."""
        return file_stem(self.plan, self.vehicle, self.route_no)

    @property
    def label(self) -> str:
        """Display label ``<vehicle> #<route_no>``."""
        return f"{self.vehicle} #{self.route_no}"

    @property
    def served_m(self) -> float:
        """Metres served."""
        return math.fsum(leg.length_m for leg in self.legs if leg.serving)

    @property
    def deadhead_m(self) -> float:
        """Metres driven without serving."""
        return math.fsum(leg.length_m for leg in self.legs if not leg.serving)

    @property
    def service_s(self) -> float:
        """Seconds serving."""
        return math.fsum(leg.end_s - leg.start_s for leg in self.legs if leg.serving)

    @property
    def duration_s(self) -> float:
        """Seconds from leaving the depot to returning."""
        return self.legs[-1].end_s if self.legs else 0.0


def driven_routes(plan: PlanRoutes) -> tuple[DrivenRoute, ...]:
    """Turn every route of ``plan`` into timed legs on the network edges.

    Routes are numbered per vehicle class in the solution's order.

    Raises
    ------
    OutputError
        When a route uses an arc without a network edge reference.
    """
    problem = plan.problem
    graph = problem.graph
    refs = graph.edge_refs
    vrefs = graph.vertex_refs
    assert refs is not None  # checked by PlanRoutes
    assert vrefs is not None
    counts: dict[str, int] = {}
    out = []
    for route in plan.solution.routes:
        c = problem.vehicle_index(route.vehicle)
        vc = problem.vehicles[c]
        deadhead = problem.deadhead_s(c)
        counts[route.vehicle] = counts.get(route.vehicle, 0) + 1
        legs = []
        t = 0.0
        arcs = route.arcs.tolist()
        depot_visits = {r.position for r in route.refills}
        for i, (arc, req) in enumerate(zip(arcs, route.serving.tolist(), strict=True)):
            if i > 0 and i not in depot_visits:  # as the validator counts turns
                t += turn_s(problem, arcs[i - 1], arc)
            if req >= 0:
                direction = 0 if problem.required[req].arc == arc else 1
                dt = float(problem.service_s[c, req, direction])
            else:
                dt = float(deadhead[arc])
            edge = refs[arc]
            if not (isinstance(edge, tuple) and len(edge) == 3):
                msg = (
                    f"Plan {plan.name!r}: arc {arc} refers to {edge!r}, not a network "
                    "edge (u, v, key)."
                )
                raise OutputError(msg)
            legs.append(
                Leg(
                    sequence=i + 1,
                    edge=(edge[0], edge[1], int(edge[2])),
                    required=int(req),
                    length_m=float(graph.length_m[arc]),
                    start_s=t,
                    end_s=t + dt,
                )
            )
            t += dt
        depot = problem.depots[problem.depot_index(vc.depot)]
        out.append(
            DrivenRoute(
                plan=plan.name,
                vehicle=route.vehicle,
                route_no=counts[route.vehicle],
                admin=plan.vehicle_admin[route.vehicle],
                depot=vc.depot,
                depot_node=vrefs[depot.vertex],
                activity=plan.activity,
                start_clock=plan.start_clock,
                legs=tuple(legs),
                refills=tuple((r.position, r.depot) for r in route.refills),
                stops=_stops_on(legs, plan),
            )
        )
    return tuple(out)


def _stops_on(
    legs: list[Leg], plan: PlanRoutes
) -> tuple[tuple[int, InspectionStop], ...]:
    """Place each inspection stop on the first leg serving its road."""
    wanted = {frozenset(e[:2]): stop for e, stop in plan.stops.items()}
    out = []
    for position, leg in enumerate(legs):
        stop = wanted.pop(frozenset(leg.edge[:2]), None) if leg.serving else None
        if stop is not None:
            out.append((position, stop))
    return tuple(out)


def plans_driven(plans: Iterable[PlanRoutes]) -> list[DrivenRoute]:
    """Driven routes of several plans, numbered per plan name and vehicle class.

    A plan may be given as several :class:`PlanRoutes` of the same name (one per
    administrator's fleet, say); its routes are numbered across all of them.
    """
    out = []
    counts: dict[tuple[str, str], int] = {}
    for plan in plans:
        for route in driven_routes(plan):
            key = (route.plan, route.vehicle)
            counts[key] = counts.get(key, 0) + 1
            out.append(replace(route, route_no=counts[key]))
    return out


def edge_data(G: nx.MultiDiGraph, edge: EdgeKey) -> Mapping[str, Any]:
    """Attributes of ``edge`` in ``G``.

    Raises
    ------
    OutputError
        When ``G`` has no such edge.
    """
    try:
        data: Mapping[str, Any] = G.edges[edge]
    except KeyError:
        msg = f"Edge {edge} of a plan is not in the road network."
        raise OutputError(msg) from None
    return data


def edge_line(G: nx.MultiDiGraph, edge: EdgeKey) -> LineString:
    """Geometry of ``edge`` from ``u`` to ``v`` in the graph's CRS.

    The edge's ``geometry`` when it has one (OSMnx stores it from ``u`` to ``v``),
    else the straight line between its nodes.

    Raises
    ------
    OutputError
        When ``G`` has no such edge.
    """
    data = edge_data(G, edge)
    geom = data.get("geometry")
    u, v = edge[0], edge[1]
    pu = (float(G.nodes[u]["x"]), float(G.nodes[u]["y"]))
    pv = (float(G.nodes[v]["x"]), float(G.nodes[v]["y"]))
    if isinstance(geom, LineString) and not geom.is_empty:
        coords = np.asarray(geom.coords)[:, :2]
        # keep the orientation u -> v whatever the source stored
        start = np.hypot(*(coords[0] - pu)) + np.hypot(*(coords[-1] - pv))
        flipped = np.hypot(*(coords[-1] - pu)) + np.hypot(*(coords[0] - pv))
        return LineString(coords[::-1] if flipped < start else coords)
    return LineString([pu, pv])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, list | tuple | set):
        parts = [_text(v) for v in value]
        return " / ".join(dict.fromkeys(p for p in parts if p))
    return str(value).strip()


#: Route kinds whose numbered name a driver reads before the street's own name.
_NUMBERED_KINDS = frozenset(
    {"expressway", "national", "prefectural", "prefectural_major", "state_highway"}
)


def street_name(data: Mapping[str, Any]) -> str:
    """Name a driver reads for an edge: its street name, else route name, else ref.

    On a numbered national or prefectural route with a name of its own, the route
    number comes first (``県道7号 秋田岩城線``). Empty when the road has no name.

    >>> street_name({"name": "山王大通り", "route_name": "県道28号"})
    '山王大通り'
    >>> street_name({"name": "秋田岩城線", "route_name": "県道7号",
    ...              "route_kind": "prefectural"})
    '県道7号 秋田岩城線'
    >>> street_name({"name": "太平山線", "route_name": "県道233号 太平山線",
    ...              "route_kind": "prefectural"})
    '県道233号 太平山線'
    >>> street_name({"route_name": "県道28号"})
    '県道28号'
    """
    name = _text(data.get("name"))
    route = _text(data.get(A.ROUTE_NAME))
    numbered = _text(data.get(A.ROUTE_KIND)) in _NUMBERED_KINDS
    if numbered and name and route and route not in name:
        return route if name in route else f"{route} {name}"
    for text in (name, route, _text(data.get("ref")), _text(data.get(A.ROUTE_REF))):
        if text:
            return text
    return ""


def elapsed_text(seconds: float) -> str:
    """Elapsed time as ``H:MM``.

    >>> elapsed_text(3725)
    '1:02'
    """
    minutes = round(seconds / 60.0)
    return f"{minutes // 60}:{minutes % 60:02d}"


def clock_text(start_clock: str | None, seconds: float) -> str:
    """Clock time ``HH:MM`` at ``seconds`` after ``start_clock``.

    ``+1d`` marks the next day; elapsed ``H:MM`` when there is no start clock.

    >>> clock_text("23:30", 3600)
    '00:30+1d'
    >>> clock_text(None, 3600)
    '1:00'
    """
    if start_clock is None:
        return elapsed_text(seconds)
    return clock_after(clock_to_s(start_clock), seconds)
