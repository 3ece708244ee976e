"""OR-Tools routing engine adapter: the only module that imports OR-Tools routing.

Mapping (see :mod:`snowroute.routing.transform` for nodes and services):

- every node is a routing node; a service with two directions is a disjunction of
  its two nodes with exactly one active; single-node services are mandatory;
- each vehicle class contributes ``count`` vehicles (or the bound of
  :func:`~snowroute.routing.engine.fleet_sizes`), with its own arc-cost and
  time matrices, fixed cost and allowed nodes (vehicle-road compatibility);
- a ``load`` dimension holds capacities; refills are optional copies of each refill
  depot whose demand empties the vehicle (the slack at that stop absorbs the
  rest); a ``time`` dimension holds shifts (vehicle capacity) and deadlines (cumul
  upper bounds). Service times are on the arcs into a node, so the cumul at a node
  is its completion time;
- times are scaled once by :data:`TIME_SCALE` (durations rounded up), demands by
  :data:`LOAD_SCALE` (demands up, capacities down).

Each worker process runs guided local search from a different first-solution
strategy (a small portfolio); the best plan wins. When no worker finds a plan
that meets every hard limit, the limits become soft (heavily penalised) so a plan
still comes back and the validator says what it violates.
"""

from __future__ import annotations

import logging
import math
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from snowroute.routing._pool import run_forked
from snowroute.routing.engine import EngineResult, fleet_sizes
from snowroute.routing.params import Progress, ProgressCallback, SolveParams
from snowroute.routing.transform import NodeRoute, Transformation

__all__ = ["LOAD_SCALE", "TIME_SCALE", "solve_ortools"]

logger = logging.getLogger(__name__)

#: Engine time and cost unit: 1 / TIME_SCALE seconds.
TIME_SCALE: Final = 100
#: Engine load unit: 1 / LOAD_SCALE demand units.
LOAD_SCALE: Final = 1000
#: Cost of a leg that must not be used (unreachable).
_FORBIDDEN: Final = 1 << 40
#: Penalty per unit of a soft limit exceeded (soft fallback model).
_SOFT_PENALTY: Final = 1000

_FIRST_SOLUTIONS: Final = (
    routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
)


@dataclass(frozen=True, slots=True)
class _Model:
    """Everything a worker needs to build the routing model (numpy, fork-shared)."""

    loc_of: np.ndarray  # model node -> transformation location
    refill_depot: np.ndarray  # model node -> depot index for refill copies, else -1
    vehicle_class: np.ndarray  # vehicle -> class
    starts: list[int]
    cost: list[np.ndarray]  # per class, model-node matrix
    duration: list[np.ndarray] | None
    demand: np.ndarray | None  # per model node
    capacity: list[int] | None  # per vehicle
    shift: list[int] | None  # per vehicle
    deadline: np.ndarray  # per model node, -1 when none
    allowed: list[list[int]] | None  # per model node, vehicles (None: all)
    groups: list[list[int]]  # disjunctions of model nodes (exactly one)
    fixed_cost: list[int]
    num_depots: int


def _scaled(values: np.ndarray, scale: float, *, up: bool) -> np.ndarray:
    out = np.ceil(values * scale - 1e-6) if up else np.rint(values * scale)
    out[~np.isfinite(values)] = _FORBIDDEN
    return np.minimum(out, _FORBIDDEN).astype(np.int64)


def _build(tr: Transformation) -> _Model:
    problem = tr.problem
    nd, nn = tr.num_depots, tr.num_nodes
    has_load = any(vc.capacity is not None for vc in problem.vehicles)
    timed = bool(np.isfinite(tr.service_deadline).any()) or any(
        vc.shift_s is not None for vc in problem.vehicles
    )
    copies = _refill_copies(tr) if has_load else []
    loc_of = np.concatenate([np.arange(nd + nn), np.array(copies, dtype=np.int64)])
    refill_depot = np.concatenate(
        [np.full(nd + nn, -1), np.array(copies, dtype=np.int64)]
    )
    vehicle_class = np.repeat(np.arange(len(problem.vehicles)), fleet_sizes(tr))
    cost, duration = _matrices(tr, loc_of, len(copies), timed=timed)
    demand, capacity = (
        _loads(tr, vehicle_class, len(copies)) if has_load else (None, None)
    )
    shift = _shifts(tr, vehicle_class) if timed else None
    deadline = np.full(len(loc_of), -1, dtype=np.int64)
    finite = np.isfinite(tr.service_deadline[tr.node_service])
    deadline[nd : nd + nn][finite] = np.floor(
        tr.service_deadline[tr.node_service][finite] * TIME_SCALE + 1e-6
    ).astype(np.int64)
    groups = [
        [nd + int(n) for n in tr.service_nodes(s)]
        for s in range(tr.num_services)
        if tr.service_ptr[s + 1] - tr.service_ptr[s] > 1
    ]
    fixed = [round(problem.vehicles[c].fixed_cost * TIME_SCALE) for c in vehicle_class]
    return _Model(
        loc_of=loc_of,
        refill_depot=refill_depot,
        vehicle_class=vehicle_class,
        starts=[tr.vehicle_depot(int(c)) for c in vehicle_class],
        cost=cost,
        duration=duration if timed else None,
        demand=demand,
        capacity=capacity,
        shift=shift,
        deadline=deadline,
        allowed=_allowed(tr, vehicle_class, refill_depot, copies),
        groups=groups,
        fixed_cost=fixed,
        num_depots=nd,
    )


def _refill_copies(tr: Transformation) -> list[int]:
    """Return the depot of each refill copy: enough to refill after every full load."""
    problem = tr.problem
    refill_ids = sorted({d for vc in problem.vehicles for d in vc.refill_depots})
    copies: list[int] = []
    if refill_ids:
        caps = [vc.capacity for vc in problem.vehicles if vc.capacity is not None]
        n_copies = min(tr.num_nodes, math.ceil(problem.total_demand() / min(caps)) + 1)
        for d in refill_ids:
            copies += [problem.depot_index(d)] * n_copies
    return copies


def _matrices(
    tr: Transformation, loc_of: np.ndarray, num_copies: int, *, timed: bool
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return each class's arc-cost matrix, and its time matrix when ``timed``.

    Costs carry each node's service time above the cheapest class's; times carry
    the whole service time on the arcs into the node (scaled, see the module).
    """
    nd = tr.num_depots
    min_service = np.nanmin(
        np.where(np.isnan(tr.node_service_s), np.inf, tr.node_service_s), axis=0
    )
    zeros, after = np.zeros(nd), np.zeros(num_copies)
    cost, duration = [], []
    for c in range(len(tr.problem.vehicles)):
        legs = tr.legs[int(tr.vehicle_profile[c])][np.ix_(loc_of, loc_of)]
        service = np.where(np.isnan(tr.node_service_s[c]), 0.0, tr.node_service_s[c])
        into = np.concatenate([zeros, service, after])
        extra = np.concatenate([zeros, service - min_service, after])
        m = _scaled(legs + extra[None, :], TIME_SCALE, up=False)
        np.fill_diagonal(m, 0)
        cost.append(m)
        if timed:
            t = _scaled(legs + into[None, :], TIME_SCALE, up=True)
            np.fill_diagonal(t, 0)
            duration.append(t)
    return cost, duration


def _loads(
    tr: Transformation, vehicle_class: np.ndarray, num_copies: int
) -> tuple[np.ndarray, list[int]]:
    """Return each model node's demand and each vehicle's capacity (load units).

    A refill copy's demand empties the vehicle.
    """
    problem = tr.problem
    total = math.ceil(problem.total_demand() * LOAD_SCALE) + 1
    per_service = np.ceil(tr.service_demand * LOAD_SCALE - 1e-9).astype(np.int64)
    biggest = max(
        (
            int(vc.capacity * LOAD_SCALE)
            for vc in problem.vehicles
            if vc.capacity is not None
        ),
        default=total,
    )
    demand = np.concatenate(
        [
            np.zeros(tr.num_depots, dtype=np.int64),
            per_service[tr.node_service],
            np.full(num_copies, -biggest),
        ]
    )
    capacity = [
        math.floor(cap * LOAD_SCALE + 1e-9)
        if (cap := problem.vehicles[c].capacity) is not None
        else total
        for c in vehicle_class
    ]
    return demand, capacity


def _shifts(tr: Transformation, vehicle_class: np.ndarray) -> list[int]:
    """Return each vehicle's shift in time units (a far horizon when it has none)."""
    vehicles = tr.problem.vehicles
    horizon = int(_FORBIDDEN // 4)
    return [
        math.floor(shift * TIME_SCALE + 1e-6)
        if (shift := vehicles[c].shift_s) is not None
        else horizon
        for c in vehicle_class
    ]


def _allowed(
    tr: Transformation,
    vehicle_class: np.ndarray,
    refill_depot: np.ndarray,
    copies: Sequence[int],
) -> list[list[int]] | None:
    """Return the vehicles allowed at each model node (``[]``: all), or None for all.

    A service node admits the vehicles of compatible classes; a refill copy the
    vehicles that may refill at its depot.
    """
    problem = tr.problem
    nd, nn = tr.num_depots, tr.num_nodes
    compatible = ~np.isnan(tr.node_service_s)  # (classes, nodes)
    if compatible.all() and not copies:
        return None
    needs_refill = {
        d: [
            v
            for v, c in enumerate(vehicle_class)
            if problem.depots[d].id in problem.vehicles[c].refill_depots
        ]
        for d in set(copies)
    }
    allowed: list[list[int]] = []
    for node in range(len(refill_depot)):
        if node < nd:
            allowed.append([])
        elif node < nd + nn:
            ok = compatible[:, node - nd]
            allowed.append(
                [] if ok.all() else [v for v, c in enumerate(vehicle_class) if ok[c]]
            )
        else:
            allowed.append(needs_refill[int(refill_depot[node])])
    return allowed


def _route(
    model: _Model,
    budget_s: float,
    strategy: int,
    max_solutions: int | None,
    *,
    soft: bool,
    initial: Sequence[NodeRoute] | None = None,
) -> tuple[list[NodeRoute] | None, int, int]:
    """Build and solve one routing model; returns routes, objective, solutions.

    With ``initial`` routes the search starts from them when OR-Tools accepts them
    as a solution (all limits met), else from ``strategy``.
    """
    manager = pywrapcp.RoutingIndexManager(
        len(model.loc_of), len(model.vehicle_class), model.starts, model.starts
    )
    routing = pywrapcp.RoutingModel(manager)
    _add_costs(routing, model)
    if model.demand is not None and model.capacity is not None:
        _add_load(routing, manager, model, soft=soft)
    if model.duration is not None and model.shift is not None:
        _add_time(routing, manager, model, soft=soft)
    _add_disjunctions(routing, manager, model)
    if model.allowed is not None:
        _restrict_vehicles(routing, manager, model)
    params = _search_parameters(strategy, budget_s, max_solutions)
    start = _read_routes(model, manager, routing, initial) if initial else None
    if start is not None:
        solution = routing.SolveFromAssignmentWithParameters(start, params)
    else:
        solution = routing.SolveWithParameters(params)
    if solution is None:
        return None, 0, 0
    routes = [
        route
        for v in range(len(model.vehicle_class))
        if (route := _vehicle_route(model, manager, routing, solution, v)) is not None
    ]
    return routes, int(solution.ObjectiveValue()), 1


def _add_costs(routing: Any, model: _Model) -> None:
    """Give every vehicle its class's arc costs and its fixed cost."""
    cost_cb = [routing.RegisterTransitMatrix(m.tolist()) for m in model.cost]
    for v, c in enumerate(model.vehicle_class):
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[int(c)], v)
        if model.fixed_cost[v]:
            routing.SetFixedCostOfVehicle(model.fixed_cost[v], v)


def _add_load(routing: Any, manager: Any, model: _Model, *, soft: bool) -> None:
    """Add the ``load`` dimension: capacities, emptied at refill copies."""
    assert model.demand is not None
    assert model.capacity is not None
    n, nd = len(model.loc_of), model.num_depots
    num_vehicles = len(model.vehicle_class)
    demand_cb = routing.RegisterUnaryTransitVector(model.demand.tolist())
    big = (
        max(model.capacity)
        if not soft
        else int(sum(max(0, d) for d in model.demand)) + 1
    )
    caps = model.capacity if not soft else [big] * num_vehicles
    slack = max(0, -int(model.demand.min()))
    routing.AddDimensionWithVehicleCapacity(demand_cb, slack, caps, True, "load")
    load = routing.GetDimensionOrDie("load")
    for node in range(nd, n):
        index = manager.NodeToIndex(node)
        if model.refill_depot[node] >= 0:
            load.SlackVar(index).SetRange(0, slack)
        else:
            load.SlackVar(index).SetValue(0)
    if soft:
        for v in range(num_vehicles):
            load.SetCumulVarSoftUpperBound(
                routing.End(v), model.capacity[v], _SOFT_PENALTY
            )
        for node in range(nd, n):
            if model.refill_depot[node] >= 0:
                index = manager.NodeToIndex(node)
                load.SetCumulVarSoftUpperBound(
                    index, max(model.capacity), _SOFT_PENALTY
                )


def _add_time(routing: Any, manager: Any, model: _Model, *, soft: bool) -> None:
    """Add the ``time`` dimension: shifts and deadlines (penalised when ``soft``)."""
    assert model.duration is not None
    assert model.shift is not None
    n, nd = len(model.loc_of), model.num_depots
    num_vehicles = len(model.vehicle_class)
    time_cb = [routing.RegisterTransitMatrix(m.tolist()) for m in model.duration]
    evaluators = [time_cb[int(c)] for c in model.vehicle_class]
    horizon = int(_FORBIDDEN // 4)
    caps = [horizon] * num_vehicles if soft else model.shift
    routing.AddDimensionWithVehicleTransitAndCapacity(evaluators, 0, caps, True, "time")
    clock = routing.GetDimensionOrDie("time")
    for node in range(nd, n):
        if model.deadline[node] >= 0:
            index = manager.NodeToIndex(node)
            if soft:
                clock.SetCumulVarSoftUpperBound(
                    index, int(model.deadline[node]), _SOFT_PENALTY
                )
            else:
                clock.CumulVar(index).SetMax(int(model.deadline[node]))
    if soft:
        for v in range(num_vehicles):
            clock.SetCumulVarSoftUpperBound(
                routing.End(v), model.shift[v], _SOFT_PENALTY
            )


def _add_disjunctions(routing: Any, manager: Any, model: _Model) -> None:
    """Serve one node of each service group; unused depots and refills are free."""
    n, nd = len(model.loc_of), model.num_depots
    for group in model.groups:
        routing.AddDisjunction([manager.NodeToIndex(node) for node in group])
    for depot in set(range(nd)) - set(model.starts):
        # A depot no vehicle starts from is a plain node to OR-Tools: make it
        # optional at no cost so it is never visited for nothing.
        routing.AddDisjunction([manager.NodeToIndex(depot)], 0)
    for node in range(nd, n):
        if model.refill_depot[node] >= 0:
            routing.AddDisjunction([manager.NodeToIndex(node)], 0)


def _restrict_vehicles(routing: Any, manager: Any, model: _Model) -> None:
    """Let only the allowed vehicles visit each node."""
    assert model.allowed is not None
    optional = {node for group in model.groups for node in group}
    for node in range(model.num_depots, len(model.loc_of)):
        if model.allowed[node]:
            # SetAllowedVehiclesForIndex's span argument does not bind in the
            # 9.15 Python wrapper; restricting the vehicle variable is
            # equivalent (-1 keeps an optional node unperformable).
            values = list(model.allowed[node])
            if node in optional or model.refill_depot[node] >= 0:
                values.append(-1)
            routing.VehicleVar(manager.NodeToIndex(node)).SetValues(values)


def _search_parameters(
    strategy: int, budget_s: float, max_solutions: int | None
) -> Any:
    """Guided local search from ``strategy`` within the time and solution limits."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = strategy
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(100, int(budget_s * 1000)))
    if max_solutions is not None:
        params.solution_limit = max_solutions
    return params


def _vehicle_route(
    model: _Model, manager: Any, routing: Any, solution: Any, v: int
) -> NodeRoute | None:
    """Return vehicle ``v``'s node route in ``solution``, or None when it is unused."""
    nd = model.num_depots
    nodes: list[int] = []
    refills: list[tuple[int, int]] = []
    index = solution.Value(routing.NextVar(routing.Start(v)))
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if node < nd:
            pass  # an unused depot visited at no cost
        elif model.refill_depot[node] >= 0:
            refills.append((len(nodes), int(model.refill_depot[node])))
        else:
            nodes.append(int(model.loc_of[node]) - nd)
        index = solution.Value(routing.NextVar(index))
    if not nodes:
        return None
    # A refill after the last service is pointless; drop it.
    refills = [(k, d) for k, d in refills if k < len(nodes)]
    # Keep one refill per position.
    seen: dict[int, int] = {}
    for k, d in refills:
        seen.setdefault(k, d)
    return NodeRoute(int(model.vehicle_class[v]), tuple(nodes), tuple(seen.items()))


def _read_routes(
    model: _Model,
    manager: Any,
    routing: Any,
    initial: Sequence[NodeRoute],
) -> Any:
    """Read ``initial`` as an assignment (a vehicle of its class per route), or None."""
    free: dict[int, list[int]] = {}
    for v, c in enumerate(model.vehicle_class):
        free.setdefault(int(c), []).append(v)
    per_vehicle: list[list[int]] = [[] for _ in model.vehicle_class]
    for r in initial:
        vehicles = free.get(r.vehicle)
        if not vehicles:
            return None
        per_vehicle[vehicles.pop(0)] = [
            manager.NodeToIndex(model.num_depots + node) for node in r.nodes
        ]
    return routing.ReadAssignmentFromRoutes(per_vehicle, True)


#: One search of a worker: first-solution strategy index, budget (seconds),
#: solution limit and whether the limits are soft.
_Job = tuple[int, float, int | None, bool]


@dataclass(frozen=True, slots=True)
class _Work:
    """What the workers share (forked, not pickled): the model and the start."""

    model: _Model
    initial: Sequence[NodeRoute] | None
    seed: int

    def __call__(self, job: _Job) -> tuple[list[NodeRoute] | None, int, int]:
        """Run one search; routes, objective and the worker's peak memory (KB)."""
        strategy_index, budget_s, max_solutions, soft = job
        strategy = _FIRST_SOLUTIONS[strategy_index % len(_FIRST_SOLUTIONS)]
        # The first worker starts from the given routes, if any.
        initial = self.initial if strategy_index == self.seed else None
        routes, objective, _ = _route(
            self.model, budget_s, strategy, max_solutions, soft=soft, initial=initial
        )
        return routes, objective, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _run(
    work: _Work, jobs: Sequence[_Job]
) -> tuple[list[tuple[list[NodeRoute] | None, int]], int]:
    """Run the jobs (in worker processes when more than one); results and peak KB."""
    if len(jobs) == 1:
        routes, objective, _ = work(jobs[0])
        return [(routes, objective)], 0
    out = run_forked(work, jobs)
    return [(r, o) for r, o, _ in out], sum(kb for *_, kb in out)


def _search(
    work: _Work, workers: int, max_iterations: int | None, *, end: float
) -> tuple[list[tuple[list[NodeRoute] | None, int]], int, bool]:
    """Search with hard limits, then, when no worker found a plan, with soft ones.

    Returns the workers' results, their peak memory (KB) and whether the limits
    were soft.
    """
    seed = work.seed
    budget = max(0.5, end - time.perf_counter())
    jobs = [(seed + w, budget, max_iterations, False) for w in range(workers)]
    results, peak_kb = _run(work, jobs)
    if any(r is not None for r, _ in results):
        return results, peak_kb, False
    left = max(1.0, end - time.perf_counter())
    logger.warning(
        "ortools found no plan within every hard limit; retrying with soft "
        "limits for %.0f s",
        left,
    )
    results, _ = _run(work, [(seed, left, max_iterations, True)])
    return results, peak_kb, True


def _best_of(
    results: Sequence[tuple[list[NodeRoute] | None, int]],
) -> tuple[list[NodeRoute], float]:
    """Return the routes of least objective (ties: the first) and that objective."""
    best: list[NodeRoute] | None = None
    best_obj = math.inf
    for routes, objective in results:
        if routes is not None and objective < best_obj:
            best, best_obj = routes, objective
    if best is None:
        logger.warning("ortools found no plan at all")
        return [], best_obj
    return best, best_obj


def solve_ortools(
    tr: Transformation,
    params: SolveParams,
    *,
    time_limit_s: float,
    initial: Sequence[NodeRoute] | None = None,
    target_s: float | None = None,
    callback: ProgressCallback | None = None,
) -> EngineResult:
    """
    Search routes with OR-Tools routing (guided local search).

    Parameters
    ----------
    tr
        The transformation to route.
    params
        ``seed`` chooses which first-solution strategies the workers start from
        (OR-Tools itself is deterministic for a given model and solution limit);
        ``workers`` search processes, each from another first-solution strategy;
        ``max_iterations`` stops each after this many solutions. OR-Tools has no
        stall rule of ours: its guided local search runs to the limits.
    time_limit_s
        Wall-clock budget, model building included.
    initial
        Complete routes the first worker starts from.
    target_s, callback
        Accepted for the engine protocol; OR-Tools reports only its final plan.

    Returns
    -------
    EngineResult
        The best routes over the workers (ties: the lowest worker number).
    """
    del target_s
    seed, workers, max_iterations = (
        params.seed,
        params.workers or 1,
        params.max_iterations,
    )
    start = time.perf_counter()
    model = _build(tr)
    logger.info(
        "ortools: %d routing nodes, %d vehicles, built in %.1f s",
        len(model.loc_of),
        len(model.vehicle_class),
        time.perf_counter() - start,
    )
    work = _Work(model, initial, seed)
    end = start + time_limit_s
    results, peak_kb, soft = _search(work, workers, max_iterations, end=end)
    best, best_obj = _best_of(results)
    logger.info(
        "ortools: objective %.1f%s",
        best_obj / TIME_SCALE,
        " (soft limits)" if soft else "",
    )
    if callback is not None and best:
        elapsed_s = time.perf_counter() - start
        cost = best_obj / TIME_SCALE
        callback(Progress(elapsed_s, cost, feasible=not soft, iterations=0))
    return EngineResult(
        routes=tuple(best),
        iterations=0,
        stats={
            "objective": float(best_obj),
            "soft": float(soft),
            "workers": float(workers),
            "worker_peak_kb": float(peak_kb),
        },
    )
