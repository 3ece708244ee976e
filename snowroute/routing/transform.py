"""Arc-to-node transformation: service nodes, their alternatives and the leg matrices.

Every pass of every served direction of a required arc becomes a *service*; each
service has one *node* per direction it may be served in (two for ``"either"``,
one otherwise), and an engine must visit exactly one node of every service.

Locations are the depots (in problem order) followed by the nodes. For each vehicle
profile (distinct deadhead speed) ``legs[p][i, j]`` is the shortest deadhead time
from the exit point of location ``i`` to the entry point of location ``j``; the cost
of going from node ``i`` to node ``j`` is the service time of ``i`` plus that leg.
Shortest paths are computed once per profile, from the needed sources only, by
:class:`~snowroute.routing.paths.VertexPaths` (vectorised Dijkstra); other modules
may use ``legs`` for marginal-cost estimates.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from snowroute._errors import InfeasibleError
from snowroute.routing.paths import DeadheadPaths, VertexPaths
from snowroute.routing.problem import ArcRoutingProblem
from snowroute.routing.turns import TurnPaths, TurnTable, turn_table

__all__ = ["NodeRoute", "Transformation", "transform"]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class Transformation:
    """
    The node-routing view of an :class:`ArcRoutingProblem`.

    Attributes
    ----------
    problem
        The problem transformed.
    node_required, node_direction, node_pass, node_arc, node_service
        Per node: required arc index, direction (0 along ``arc``, 1 along
        ``reverse_arc``), pass number, deadhead arc traversed while serving, and
        service index.
    service_ptr
        Nodes of service ``s`` are ``service_ptr[s]:service_ptr[s + 1]``.
    service_required, service_demand, service_deadline
        Per service: required arc, demand of the pass, completion deadline
        (``inf`` when none).
    paths
        One :class:`DeadheadPaths` per profile.
    vehicle_profile
        Profile index of each vehicle class.
    legs
        Per profile, the ``(num_locations, num_locations)`` deadhead leg times.
    node_service_s
        ``(num_vehicle_classes, num_nodes)`` service time of one node per vehicle
        class (``nan`` where the class may not serve it).
    """

    problem: ArcRoutingProblem
    node_required: IntArray
    node_direction: IntArray
    node_pass: IntArray
    node_arc: IntArray
    node_service: IntArray
    service_ptr: IntArray
    service_required: IntArray
    service_demand: FloatArray
    service_deadline: FloatArray
    paths: tuple[DeadheadPaths, ...]
    vehicle_profile: IntArray
    legs: tuple[FloatArray, ...]
    node_service_s: FloatArray

    @property
    def num_depots(self) -> int:
        """Number of depot locations (they come first)."""
        return len(self.problem.depots)

    @property
    def num_nodes(self) -> int:
        """Number of service nodes."""
        return len(self.node_required)

    @property
    def num_services(self) -> int:
        """Number of services (groups of alternative nodes)."""
        return len(self.service_ptr) - 1

    def service_nodes(self, service: int) -> IntArray:
        """Node indices of the alternatives of ``service``."""
        return np.arange(self.service_ptr[service], self.service_ptr[service + 1])

    def vehicle_depot(self, vehicle: int) -> int:
        """Depot location index of vehicle class ``vehicle``."""
        return self.problem.depot_index(self.problem.vehicles[vehicle].depot)

    def arc_s(self, vehicle: int, previous: int, following: int) -> float:
        """Time from the start of location ``previous`` to the start of ``following``.

        Service time of ``previous`` (zero for a depot) plus the leg between them,
        for vehicle class ``vehicle``.
        """
        legs = self.legs[int(self.vehicle_profile[vehicle])]
        service = 0.0
        if previous >= self.num_depots:
            service = float(self.node_service_s[vehicle, previous - self.num_depots])
        return service + float(legs[previous, following])


@dataclass(frozen=True, slots=True)
class NodeRoute:
    """
    A route as an engine sees it: a vehicle class and the nodes it serves in order.

    Parameters
    ----------
    vehicle
        Vehicle class index.
    nodes
        Node indices of the transformation, in service order.
    refills
        ``(k, depot)`` pairs: after the first ``k`` nodes the vehicle drives to depot
        location ``depot`` and refills.
    """

    vehicle: int
    nodes: tuple[int, ...]
    refills: tuple[tuple[int, int], ...] = ()

    def locations(self, tr: Transformation) -> list[int]:
        """Return the location sequence: depot, nodes and refill depots, depot."""
        home = tr.vehicle_depot(self.vehicle)
        stops = dict(self.refills)
        seq = [home]
        for k, node in enumerate(self.nodes):
            if k in stops:
                seq.append(stops[k])
            seq.append(tr.num_depots + node)
        if len(self.nodes) in stops:
            seq.append(stops[len(self.nodes)])
        seq.append(home)
        return seq


def _nodes(problem: ArcRoutingProblem) -> tuple[IntArray, ...]:
    req, direc, passes, arc, service, ptr = [], [], [], [], [], [0]
    s = 0
    for index, r in enumerate(problem.required):
        arcs = (r.arc, r.reverse_arc)
        groups: Sequence[tuple[int, ...]]
        if r.mode == "either":
            groups = [(0, 1)] * r.passes
            numbers = list(range(r.passes))
        elif r.mode == "both":
            groups = [(0,)] * r.passes + [(1,)] * r.passes
            numbers = list(range(r.passes)) * 2
        else:
            groups = [(0,)] * r.passes
            numbers = list(range(r.passes))
        for number, dirs in zip(numbers, groups, strict=True):
            for d in dirs:
                req.append(index)
                direc.append(d)
                passes.append(number)
                a = arcs[d]
                arc.append(-1 if a is None else a)
                service.append(s)
            s += 1
            ptr.append(len(req))
    as_int = [
        np.array(x, dtype=np.int64) for x in (req, direc, passes, arc, service, ptr)
    ]
    return tuple(as_int)


def transform(problem: ArcRoutingProblem) -> Transformation:
    """
    Build the node-routing view of ``problem``, with its shortest-path legs.

    Parameters
    ----------
    problem
        The arc-routing problem.

    Returns
    -------
    Transformation
        Nodes, services and one leg matrix per vehicle profile.

    Raises
    ------
    InfeasibleError
        When some service cannot be done by any compatible vehicle class on a route
        from and back to its depot (unreachable, or longer than the shift).
    """
    node_required, node_direction, node_pass, node_arc, node_service, ptr = _nodes(
        problem
    )
    service_required = node_required[ptr[:-1]]
    demand = np.array([r.demand for r in problem.required], dtype=np.float64)
    deadline = np.array(
        [problem.deadline_of(i) for i in range(problem.num_required)], dtype=np.float64
    )
    speeds, vehicle_profile = _profiles(problem)
    paths, legs = _legs(problem, speeds, node_arc)
    logger.debug(
        "transformation: %d required arcs, %d services, %d nodes, %d profile(s)",
        problem.num_required,
        len(ptr) - 1,
        len(node_required),
        len(speeds),
    )

    node_service_s = problem.service_s[:, node_required, node_direction].copy()
    node_service_s[~problem.compatible[:, node_required]] = np.nan
    node_service_s.flags.writeable = False

    tr = Transformation(
        problem=problem,
        node_required=node_required,
        node_direction=node_direction,
        node_pass=node_pass,
        node_arc=node_arc,
        node_service=node_service,
        service_ptr=ptr,
        service_required=service_required,
        service_demand=demand[service_required],
        service_deadline=deadline[service_required],
        paths=tuple(paths),
        vehicle_profile=vehicle_profile,
        legs=tuple(legs),
        node_service_s=node_service_s,
    )
    _check_reachable(tr)
    return tr


def _profiles(problem: ArcRoutingProblem) -> tuple[list[float | None], IntArray]:
    """Return the deadhead speeds (one profile each) and each class's profile."""
    speeds: list[float | None] = []
    vehicle_profile = np.empty(len(problem.vehicles), dtype=np.int64)
    for c, vc in enumerate(problem.vehicles):
        if vc.deadhead_speed_kph not in speeds:
            speeds.append(vc.deadhead_speed_kph)
        vehicle_profile[c] = speeds.index(vc.deadhead_speed_kph)
    return speeds, vehicle_profile


def _legs(
    problem: ArcRoutingProblem, speeds: Sequence[float | None], node_arc: IntArray
) -> tuple[list[DeadheadPaths], list[FloatArray]]:
    """Return the shortest paths and leg matrix (read-only) of every profile."""
    graph = problem.graph
    depot_vertices = np.array([d.vertex for d in problem.depots], dtype=np.int64)
    paths: list[DeadheadPaths] = []
    legs: list[FloatArray] = []
    table: TurnTable | None = None
    for speed in speeds:
        arc_s = graph.deadhead_s(speed)
        p: DeadheadPaths
        if problem.turns is None:
            # Exit vertices of every location are the sources; computed once.
            exits_v = np.concatenate([depot_vertices, graph.head[node_arc]])
            p = VertexPaths(graph, arc_s, exits_v)
        else:
            if table is None:
                table = turn_table(graph, problem.turns)
            sources = np.concatenate([graph.num_arcs + depot_vertices, node_arc])
            p = TurnPaths(graph, arc_s, table, sources, depot_vertices)
        exits = np.concatenate([p.depot_point(depot_vertices), p.exit_point(node_arc)])
        entries = np.concatenate(
            [p.depot_point(depot_vertices), p.entry_point(node_arc)]
        )
        leg = p.leg_s(exits, entries)
        leg.flags.writeable = False
        paths.append(p)
        legs.append(leg)
    return paths, legs


def _check_reachable(tr: Transformation) -> None:
    """Raise when some service fits no compatible class's round trip from its depot."""
    problem = tr.problem
    nd = tr.num_depots
    ok = np.zeros(tr.num_nodes, dtype=bool)
    for c, vc in enumerate(problem.vehicles):
        legs = tr.legs[int(tr.vehicle_profile[c])]
        d = tr.vehicle_depot(c)
        total = legs[d, nd:] + tr.node_service_s[c] + legs[nd:, d]
        shift = math.inf if vc.shift_s is None else vc.shift_s
        with np.errstate(invalid="ignore"):
            ok |= np.isfinite(total) & (total <= shift)
    served = np.logical_or.reduceat(ok, tr.service_ptr[:-1]) if ok.size else ok
    bad = np.flatnonzero(~served)
    if bad.size:
        r = problem.required[int(tr.service_required[bad[0]])]
        reachable = False
        for c in range(len(problem.vehicles)):
            legs = tr.legs[int(tr.vehicle_profile[c])]
            nodes = tr.service_nodes(int(bad[0])) + nd
            d = tr.vehicle_depot(c)
            if np.any(np.isfinite(legs[d, nodes] + legs[nodes, d])):
                reachable = True
        if reachable:
            msg = (
                f"Required arc {r.named} cannot be served within the shift of any "
                "compatible vehicle class, even on a route of its own."
            )
        else:
            msg = (
                f"Required arc {r.named} cannot be reached from and back to the depot "
                "of any compatible vehicle class."
            )
        raise InfeasibleError(msg)
