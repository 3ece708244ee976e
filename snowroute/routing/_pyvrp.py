"""PyVRP engine adapter: the only module that imports pyvrp.

Mapping (see :mod:`snowroute.routing.transform` for nodes and services):

- every node is a PyVRP client at its own location; a service with two directions is
  a required, mutually exclusive client group of two optional clients;
- every depot is a PyVRP depot; a vehicle class is a vehicle type (start and end at
  its depot, refills as reload depots, shift as shift duration (as route length
  where there are no deadlines), fixed cost);
- every vehicle class has a profile: its leg times plus its service times, and a
  prohibitive cost into the nodes it may not serve (vehicle-road compatibility);
  classes alike in all of these (the same fleet at several depots) share one;
- the service time of a node is put on the arcs *into* it, so PyVRP's arrival time
  is the completion time, and a deadline is the client's ``tw_late``;
- times and costs are scaled once by :data:`TIME_SCALE` (durations rounded up, so a
  plan PyVRP finds on time is on time), demands by :data:`LOAD_SCALE` (demands
  rounded up, capacities down).

The search is PyVRP's iterated local search, driven here so that every new best
solution gets its service directions re-optimised exactly (dynamic programming,
:func:`snowroute.routing.improve.best_directions`) and fed back into the search, and
so that several worker processes (one per core) search side by side, each with its
own seed and its own share of feasible plans to aim at (a small portfolio), and
optionally in epochs from the best plan found so far; the best plan over all
workers wins.
"""

from __future__ import annotations

import logging
import math
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from queue import Empty
from typing import Any, Final, cast

import numpy as np
import pyvrp
from pyvrp import (
    Activity,
    ActivityType,
    Client,
    ClientGroup,
    CostEvaluator,
    Depot,
    Location,
    ProblemData,
    RandomNumberGenerator,
    VehicleType,
)
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    Relocate3,
    compute_neighbours,
)

from snowroute.routing._pool import fork_queue, run_forked
from snowroute.routing.engine import EngineResult, fleet_sizes
from snowroute.routing.improve import best_directions, node_route_s
from snowroute.routing.params import (
    Progress,
    ProgressCallback,
    PyVRPParams,
    SolveParams,
    per_perturbations,
)
from snowroute.routing.transform import NodeRoute, Transformation

__all__ = ["LOAD_SCALE", "TIME_SCALE", "PyVRPParams", "build_data", "solve_pyvrp"]

logger = logging.getLogger(__name__)

#: Engine time and cost unit: 1 / TIME_SCALE seconds.
TIME_SCALE: Final = 100
#: Engine load unit: 1 / LOAD_SCALE demand units, when some demand or capacity is
#: fractional (integral demands and capacities are passed as they are).
LOAD_SCALE: Final = 1000
#: Cost of a leg that must not be used (unreachable, or into an incompatible node).
_FORBIDDEN: Final = 1 << 40


def _load_scale(tr: Transformation) -> int:
    values = [*tr.service_demand.tolist()]
    values += [vc.capacity for vc in tr.problem.vehicles if vc.capacity is not None]
    return 1 if all(float(v).is_integer() for v in values) else LOAD_SCALE


def _scaled_ceil(values: np.ndarray, scale: float) -> np.ndarray:
    out = np.ceil(values * scale - 1e-6)
    out[~np.isfinite(values)] = _FORBIDDEN
    return np.minimum(out, _FORBIDDEN).astype(np.int64)


def _scaled_round(values: np.ndarray, scale: float) -> np.ndarray:
    out = np.rint(values * scale)
    out[~np.isfinite(values)] = _FORBIDDEN
    return np.minimum(out, _FORBIDDEN).astype(np.int64)


def build_data(tr: Transformation) -> tuple[ProblemData, list[int]]:
    """
    PyVRP problem data for a transformation.

    Returns
    -------
    tuple
        The data and, per PyVRP vehicle type, the vehicle class index.
    """
    problem = tr.problem
    nd, nn = tr.num_depots, tr.num_nodes
    has_load = any(vc.capacity is not None for vc in problem.vehicles)
    timed = bool(np.isfinite(tr.service_deadline).any()) or any(
        vc.shift_s is not None for vc in problem.vehicles
    )
    as_length = _shift_as_length(tr)
    load_scale = _load_scale(tr)
    demand = np.ceil(tr.service_demand * load_scale - 1e-9).astype(np.int64)
    clients, groups = _clients(tr, demand if has_load else None)
    # Node order must equal client order: nodes of a service are consecutive and
    # services are in node order, so client k is node k.
    depots = [Depot(location=d) for d in range(nd)]
    distance, duration, profile = _matrices(tr, timed=timed, as_length=as_length)
    sizes = fleet_sizes(tr)
    vehicle_types: list[VehicleType] = []
    for c, vc in enumerate(problem.vehicles):
        capacity: list[int] = []
        if has_load:
            cap = vc.capacity
            capacity = [
                math.floor(cap * load_scale + 1e-9)
                if cap is not None
                else int(demand.sum()) + 1
            ]
        vehicle_types.append(
            _vehicle_type(tr, c, sizes[c], capacity, profile[c], as_length=as_length)
        )
    data = ProblemData(
        locations=[Location(0.0, 0.0) for _ in range(nd + nn)],
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=cast("Any", distance),
        duration_matrices=cast("Any", duration),
        groups=groups,
    )
    return data, list(range(len(problem.vehicles)))


def _clients(
    tr: Transformation, demand: np.ndarray | None
) -> tuple[list[Client], list[ClientGroup]]:
    """Return one client per node and a group per service of two directions."""
    nd = tr.num_depots
    groups: list[ClientGroup] = []
    clients: list[Client] = []
    deadline = tr.service_deadline
    for s in range(tr.num_services):
        nodes = tr.service_nodes(s)
        late: dict[str, Any] = {}
        if math.isfinite(deadline[s]):
            late["tw_late"] = math.floor(deadline[s] * TIME_SCALE + 1e-6)
        load = [] if demand is None else [int(demand[s])]
        if nodes.size == 1:
            clients.append(Client(location=nd + int(nodes[0]), delivery=load, **late))
            continue
        g = len(groups)
        groups.append(ClientGroup([int(n) for n in nodes]))
        for n in nodes:
            clients.append(
                Client(
                    location=nd + int(n), delivery=load, required=False, group=g, **late
                )
            )
    return clients, groups


def _shift_as_length(tr: Transformation) -> bool:
    """Whether the shift is given to PyVRP as a route length (``max_distance``).

    True where shifts are the only time limit (no deadlines). The distances then
    carry the whole service time and equal the route times, and PyVRP prices a
    move by its distance alone, without the time segments a shift duration needs
    (2.3 times the iterations a second on ``city-d2``'s long routes,
    ``benchmarks/realnet/RESULTS.md``).
    """
    return not np.isfinite(tr.service_deadline).any() and any(
        vc.shift_s is not None for vc in tr.problem.vehicles
    )


def _matrices(
    tr: Transformation, *, timed: bool, as_length: bool = False
) -> tuple[list[np.ndarray], list[np.ndarray], list[int]]:
    """Return the profiles' distance and duration matrices and each class's profile.

    Distances carry each node's service time above the cheapest class's (a
    constant of every plan otherwise), or the whole service time, rounded up,
    when the shift is a route length (``as_length``); durations the whole service
    time, on the arcs into the node. Untimed problems use the distances as
    durations, as do problems whose shift is a route length. Classes
    with the same deadhead speed and service times share a profile (the demo
    region's pooled plan: 18 classes, two profiles; its peak memory fell from 4.4
    to 0.9 GB).
    """
    nd = tr.num_depots
    min_service = np.nanmin(
        np.where(np.isnan(tr.node_service_s), np.inf, tr.node_service_s), axis=0
    )
    distance: list[np.ndarray] = []
    duration: list[np.ndarray] = []
    profile: list[int] = []
    seen: dict[tuple[int, bytes], int] = {}
    for c in range(len(tr.problem.vehicles)):
        key = (int(tr.vehicle_profile[c]), tr.node_service_s[c].tobytes())
        if key in seen:
            profile.append(seen[key])
            continue
        seen[key] = len(distance)
        profile.append(len(distance))
        legs = tr.legs[key[0]]
        into = np.concatenate([np.zeros(nd), tr.node_service_s[c]])
        extra = np.concatenate([np.zeros(nd), tr.node_service_s[c] - min_service])
        if as_length:
            dist = _scaled_ceil(legs + into[None, :], TIME_SCALE)
        else:
            dist = _scaled_round(legs + extra[None, :], TIME_SCALE)
        np.fill_diagonal(dist, 0)
        if timed and not as_length:
            dur = _scaled_ceil(legs + into[None, :], TIME_SCALE)
            np.fill_diagonal(dur, 0)
        else:
            dur = dist
        distance.append(dist)
        duration.append(dur)
    return distance, duration, profile


def _vehicle_type(
    tr: Transformation,
    c: int,
    num_available: int,
    capacity: list[int],
    profile: int,
    *,
    as_length: bool = False,
) -> VehicleType:
    """Return the PyVRP vehicle type of vehicle class ``c``."""
    problem = tr.problem
    vc = problem.vehicles[c]
    depot = tr.vehicle_depot(c)
    options: dict[str, Any] = {}
    if vc.shift_s is not None:
        limit = "max_distance" if as_length else "shift_duration"
        options[limit] = math.floor(vc.shift_s * TIME_SCALE + 1e-6)
    if vc.refill_depots:
        options["reload_depots"] = [problem.depot_index(d) for d in vc.refill_depots]
    return VehicleType(
        num_available=num_available,
        capacity=capacity,
        start_depot=depot,
        end_depot=depot,
        fixed_cost=round(vc.fixed_cost * TIME_SCALE),
        profile=profile,
        name=vc.name,
        **options,
    )


def _to_node_routes(
    solution: pyvrp.Solution, classes: Sequence[int]
) -> list[NodeRoute]:
    out = []
    for route in solution.routes():
        nodes: list[int] = []
        refills: list[tuple[int, int]] = []
        activities = list(route)
        for act in activities[1:-1]:
            if act.is_client():
                nodes.append(int(act.idx))
            else:
                refills.append((len(nodes), int(act.idx)))
        out.append(
            NodeRoute(classes[route.vehicle_type()], tuple(nodes), tuple(refills))
        )
    return out


def _to_solution(
    data: ProblemData, routes: Sequence[NodeRoute], vehicle_type: dict[int, int]
) -> pyvrp.Solution:
    built = []
    for r in routes:
        stops = dict(r.refills)
        acts: list[Activity] = []
        for k, node in enumerate(r.nodes):
            if k in stops:
                acts.append(Activity(ActivityType.DEPOT, stops[k]))
            acts.append(Activity(ActivityType.CLIENT, node))
        if len(r.nodes) in stops:
            acts.append(Activity(ActivityType.DEPOT, stops[len(r.nodes)]))
        built.append(pyvrp.Route(data, acts, vehicle_type[r.vehicle]))
    return pyvrp.Solution(data, built)


def _polish(
    tr: Transformation,
    data: ProblemData,
    classes: Sequence[int],
    solution: pyvrp.Solution,
) -> pyvrp.Solution | None:
    """Best directions on every route; ``None`` when nothing changes."""
    routes = _to_node_routes(solution, classes)
    better = [best_directions(tr, r) for r in routes]
    if all(a is b for a, b in zip(routes, better, strict=True)):
        return None
    vehicle_type = {c: k for k, c in enumerate(classes)}
    return _to_solution(data, better, vehicle_type)


def _initial_penalties(data: ProblemData) -> tuple[list[float], float, float]:
    """Penalties per unit of excess load and time warp at the data's scale."""
    matrix = data.distance_matrix(0)[:500]  # a sample of rows is plenty
    legs = matrix[(matrix > 0) & (matrix < _FORBIDDEN)]
    leg = float(np.median(legs)) if legs.size else 1.0
    leg = min(leg, float(_FORBIDDEN) / 1e6)
    loads = []
    for dim in range(data.num_load_dimensions):
        demands = [c.delivery[dim] for c in data.clients() if c.delivery[dim] > 0]
        mean = float(np.mean(demands)) if demands else 1.0
        loads.append(max(0.1, leg / mean))
    return loads, 1.0, 1.0


def _cost(solution: pyvrp.Solution, num_loads: int) -> int:
    return int(CostEvaluator([0] * num_loads, 0, 0).cost(solution))


#: Shortest late-acceptance history (PyVRP's default).
_MIN_HISTORY: Final = 300
#: Shortest history of a large problem.
_SHORTEST_HISTORY: Final = 10


def _history_length(
    params: PyVRPParams, max_iterations: int | None, num_clients: int = 0
) -> int:
    """Late-acceptance history of a search.

    At most a tenth of an iteration budget: a history as long as the run would
    compare every candidate with the starting plan; short, iteration-bound runs
    keep PyVRP's 300 (or a shorter configured history). Above
    ``params.history_full_clients`` clients the history shrinks with the square
    of the size ratio, to no less than :data:`_SHORTEST_HISTORY`: a city's
    iterations are a hundred times slower than a CARP instance's, and a long
    history then only slows the descent (``benchmarks/realnet/RESULTS.md``).
    """
    length = params.history_length
    full = params.history_full_clients
    if full is not None and num_clients > full:
        scaled = int(length * (full / num_clients) ** 2)
        length = min(length, max(_SHORTEST_HISTORY, scaled))
    if max_iterations is None:
        return length
    return min(length, max(min(_MIN_HISTORY, length), max_iterations // 10))


@dataclass(frozen=True, slots=True)
class _Stop:
    """When a worker's search ends (see :class:`~snowroute.routing.SolveParams`)."""

    deadline: float
    #: Iteration limits, in iterations of 25 perturbed clients until a worker
    #: scales them to its own perturbation (:func:`per_perturbations`).
    max_iterations: int | None
    stall: int | None
    #: True cost (seconds) at or below which a plan is proven optimal.
    target_s: float | None
    #: Service time every plan spends beyond its engine cost (seconds).
    floor_s: float = 0.0


#: Reports a worker's new best plan: (its cost in seconds, ``inf`` when not
#: feasible; iterations so far).
_Report = Callable[[float, int], None]


def _done(stop: _Stop, iters: int, since_best: int) -> bool:
    if stop.max_iterations is not None and iters >= stop.max_iterations:
        return True
    if stop.stall is not None and since_best >= stop.stall:
        return True
    return time.perf_counter() >= stop.deadline


def _true_cost_s(tr: Transformation, routes: Sequence[NodeRoute]) -> float:
    """Cost in seconds of node routes: services, legs and fixed costs."""
    vehicles = tr.problem.vehicles
    return sum(node_route_s(tr, r) + vehicles[r.vehicle].fixed_cost for r in routes)


def _plan_s(
    tr: Transformation, classes: Sequence[int], solution: pyvrp.Solution
) -> float:
    """Return the true cost in seconds of a plan (``inf`` when not feasible)."""
    if not solution.is_feasible():
        return math.inf
    return _true_cost_s(tr, _to_node_routes(solution, classes))


def _service_floor_s(tr: Transformation) -> float:
    """Least service time any plan spends that the engine's cost leaves out.

    The engine's distances carry each node's service time above the cheapest
    class's (:func:`build_data`); per service, the cheaper of its nodes' cheapest
    times is left out of every plan's engine cost. None is where the shift is a
    route length (:func:`_shift_as_length`): the distances carry it all.
    """
    if _shift_as_length(tr):
        return 0.0
    with np.errstate(all="ignore"):
        cheapest = np.nanmin(
            np.where(np.isnan(tr.node_service_s), np.inf, tr.node_service_s), axis=0
        )
    per_service = np.minimum.reduceat(cheapest, tr.service_ptr[:-1])
    return float(per_service.sum()) if per_service.size else 0.0


def _may_reach(stop: _Stop, solution: pyvrp.Solution, num_loads: int) -> bool:
    """Tell cheaply whether a plan may reach the lower bound (before pricing it).

    Its engine cost plus the service floor, less the engine's rounding (at most
    one unit per leg: distances are rounded, or rounded up where the shift is a
    route length), is at most its true cost.
    """
    if stop.target_s is None or not solution.is_feasible():
        return False
    legs = solution.num_clients() + 2 * solution.num_routes()
    low = (_cost(solution, num_loads) - legs) / TIME_SCALE + stop.floor_s
    return low <= stop.target_s * (1 + _OPTIMAL_RTOL) + 1e-6


def _reached(stop: _Stop, cost_s: float) -> bool:
    """Whether a plan of ``cost_s`` reaches the lower bound (is optimal)."""
    if stop.target_s is None:
        return False
    return cost_s <= stop.target_s * (1 + _OPTIMAL_RTOL) + 1e-6


def _search(
    tr: Transformation,
    data: ProblemData,
    classes: Sequence[int],
    *,
    seed: int,
    stop: _Stop,
    params: PyVRPParams,
    initial: pyvrp.Solution | None,
    report: _Report | None = None,
) -> tuple[pyvrp.Solution, int]:
    """PyVRP's iterated local search with exact direction polishing of new bests.

    Stops at the first of ``stop``'s limits, or when the best plan reaches the
    lower bound; ``report`` hears of every new best plan.
    """
    rng = RandomNumberGenerator(seed=seed)
    ls = _local_search(data, rng, params)
    pm = _penalty_manager(data, params)
    if initial is None:
        random = pyvrp.Solution.make_random(data, rng)
        initial = ls(random, pm.max_cost_evaluator(), exhaustive=True)
    length = _history_length(params, stop.max_iterations, data.num_clients)
    late = _LateAcceptance(length, initial)
    best = curr = initial
    iters = stall = since_best = 0
    loads = data.num_load_dimensions

    def price(plan: pyvrp.Solution) -> float:  # exact only when someone needs it
        if report is not None or _may_reach(stop, plan, loads):
            return _plan_s(tr, classes, plan)
        return math.inf

    cost_s = price(best)
    if report is not None:
        report(cost_s, iters)
    while not _reached(stop, cost_s) and not _done(stop, iters, since_best):
        iters += 1
        if stall == params.num_iters_no_improvement:
            late.forget()
            curr = best
            stall = 0
        evaluator = pm.cost_evaluator()
        cand = ls(curr, evaluator, exhaustive=False)
        pm.register(cand)
        stall += 1
        since_best += 1
        if evaluator.cost(cand) < evaluator.cost(best):
            stall = since_best = 0
            best, polished = _improve_best(
                tr, data, classes, ls, evaluator, cand, params
            )
            if polished:  # the search goes on from the polished plan
                cand = best
            cost_s = price(best)
            if report is not None:
                report(cost_s, iters)
        curr = late.step(evaluator, curr, cand)
    return best, iters


def _local_search(
    data: ProblemData, rng: RandomNumberGenerator, params: PyVRPParams
) -> LocalSearch:
    """Return PyVRP's local search with every operator that supports ``data``.

    PyVRP's default operators, and ``Relocate3`` when ``params.relocate3``.
    """
    neighbours = compute_neighbours(
        data, NeighbourhoodParams(num_neighbours=params.num_neighbours)
    )
    perturb = PerturbationManager(PerturbationParams(1, params.perturbations[0]))
    ls = LocalSearch(data, rng, neighbours, perturb)
    operators = list(OPERATORS)
    if params.relocate3:
        operators.append(Relocate3)
    for op in operators:
        if op.supports(data):
            ls.add_operator(op(data))
    return ls


def _penalty_manager(data: ProblemData, params: PyVRPParams) -> PenaltyManager:
    """Return the penalty manager aiming at the worker's share of feasible plans."""
    penalty = PenaltyParams(target_feasible=params.target_feasible[0])
    start_penalties = (
        _initial_penalties(data)
        if params.data_penalties
        else penalty.midpoint_penalties(data)
    )
    return PenaltyManager(start_penalties, penalty)


class _LateAcceptance:
    """Late-acceptance hill climbing (Burke & Bykov 2017), as in PyVRP."""

    def __init__(self, length: int, initial: pyvrp.Solution) -> None:
        self.length = length
        self.initial = initial
        self.history: list[pyvrp.Solution | None] = [None] * length
        self.slot = 0

    def forget(self) -> None:
        """Empty the history (the search restarts from its best plan)."""
        self.history = [None] * self.length

    def step(
        self, evaluator: CostEvaluator, curr: pyvrp.Solution, cand: pyvrp.Solution
    ) -> pyvrp.Solution:
        """Return the plan the search goes on from: ``cand`` when accepted."""
        cand_cost = evaluator.penalised_cost(cand)
        curr_cost = evaluator.penalised_cost(curr)
        late = self.history[self.slot]
        late_cost = evaluator.penalised_cost(self.initial if late is None else late)
        if cand_cost < late_cost or cand_cost < curr_cost:
            curr, curr_cost = cand, cand_cost
        if late is None or curr_cost < late_cost:
            self.history[self.slot] = curr
        self.slot = (self.slot + 1) % self.length
        return curr


def _improve_best(
    tr: Transformation,
    data: ProblemData,
    classes: Sequence[int],
    ls: LocalSearch,
    evaluator: CostEvaluator,
    cand: pyvrp.Solution,
    params: PyVRPParams,
) -> tuple[pyvrp.Solution, bool]:
    """Search a new best plan exhaustively and polish its directions.

    Returns the best plan and whether it is the polished one (the search then
    goes on from it; otherwise from ``cand`` itself).
    """
    best = cand
    if params.exhaustive_for(data.num_clients):
        deep = ls(cand, evaluator, exhaustive=True)
        best = deep if deep.is_feasible() else cand
    if params.polish and best.is_feasible():
        polished = _polish(tr, data, classes, best)
        if polished is not None and polished.is_feasible():
            polished = ls(polished, evaluator, exhaustive=True)
            if polished.is_feasible() and evaluator.cost(polished) < evaluator.cost(
                best
            ):
                return polished, True
    return best, False


#: A plan this close to the lower bound (relative) is optimal: the engine's times
#: are rounded to 1/TIME_SCALE s per leg, the bound's are not.
_OPTIMAL_RTOL: Final = 1e-5


def _rank(solution: pyvrp.Solution, data: ProblemData) -> tuple[int, int]:
    """Sort key of a worker's result: infeasibility first, then the objective."""
    excess = (
        sum(solution.excess_load()) + solution.time_warp() + solution.excess_distance()
    )
    return int(excess), _cost(solution, data.num_load_dimensions)


#: One search of a worker: worker number, seed, budget (seconds), start routes.
_Job = tuple[int, int, float, list[NodeRoute] | None]
#: What a worker's search returns: routes, iterations, rank, peak memory (KB).
_Found = tuple[list[NodeRoute], int, tuple[int, int], int]


@dataclass(frozen=True, slots=True)
class _Work:
    """What the workers share (forked, not pickled) and where they report to."""

    tr: Transformation
    data: ProblemData
    classes: list[int]
    params: PyVRPParams
    stop: _Stop
    #: Hears new bests directly (a search in this process) ...
    relay: Callable[[int, float, float, int], None] | None = None
    #: ... or through this queue (searches in worker processes).
    queue: Any = None

    def _report(self, worker: int) -> _Report | None:
        """Report function of a worker's search (None when nobody listens)."""
        relay, queue = self.relay, self.queue
        if relay is not None:

            def direct(cost_s: float, iters: int) -> None:
                relay(worker, time.perf_counter(), cost_s, iters)

            return direct
        if queue is not None:

            def queued(cost_s: float, iters: int) -> None:
                queue.put((worker, time.perf_counter(), cost_s, iters))

            return queued
        return None

    def __call__(self, job: _Job) -> _Found:
        """Run one worker's search."""
        worker, seed, budget_s, initial_routes = job
        initial = None
        if initial_routes is not None:
            vehicle_type = {c: k for k, c in enumerate(self.classes)}
            initial = _to_solution(self.data, initial_routes, vehicle_type)
        params = self.params.for_worker(worker)
        perturbations = params.perturbations[0]
        stop = replace(
            self.stop,
            deadline=time.perf_counter() + budget_s,
            max_iterations=per_perturbations(self.stop.max_iterations, perturbations),
            stall=per_perturbations(self.stop.stall, perturbations),
        )
        best, iters = _search(
            self.tr,
            self.data,
            self.classes,
            seed=seed,
            stop=stop,
            params=params,
            initial=initial,
            report=self._report(worker),
        )
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return (
            _to_node_routes(best, self.classes),
            iters,
            _rank(best, self.data),
            peak_kb,
        )


class _Relay:
    """Passes the workers' new bests on to a caller's callback, best first."""

    def __init__(self, callback: ProgressCallback | None, start: float) -> None:
        self.callback = callback
        self.start = start
        self.best = math.inf

    def __call__(self, worker: int, at: float, cost: float, iters: int) -> None:
        if self.callback is None or cost >= self.best:  # inf: not feasible
            return
        self.best = cost
        self.callback(
            Progress(
                elapsed_s=at - self.start,
                cost=cost,
                feasible=True,
                iterations=iters,
                worker=worker,
            )
        )

    def drain(self, queue: Any) -> None:
        """Relay every report waiting in ``queue``."""
        while True:
            try:
                item = queue.get_nowait()
            except Empty:
                return
            self(*item)


def _run_workers(work: _Work, jobs: list[_Job], relay: _Relay) -> list[_Found]:
    """Run ``jobs`` in this process (one job) or in forked worker processes.

    New bests reach ``relay`` directly, or through a queue from the workers; no
    worker reports when nobody listens.
    """
    listening = relay.callback is not None
    if len(jobs) == 1:
        return [replace(work, relay=relay if listening else None)(jobs[0])]
    if not listening:
        return run_forked(work, jobs)
    queue = fork_queue()
    results = run_forked(
        replace(work, queue=queue), jobs, on_wait=lambda: relay.drain(queue)
    )
    relay.drain(queue)
    return results


class _Best:
    """The best plan over the workers' searches so far, and what they cost."""

    def __init__(self, routes: list[NodeRoute] | None) -> None:
        self.routes = routes
        self.rank: tuple[int, int] | None = None
        self.iterations = 0
        self.peak_kb = 0

    def add(self, results: Sequence[_Found], *, side_by_side: bool) -> None:
        """Take the workers' results of one epoch (ties: the lowest worker)."""
        if side_by_side:  # workers run side by side: their peaks add up
            self.peak_kb = max(self.peak_kb, sum(kb for *_, kb in results))
        for routes, iters, rank, _ in results:
            self.iterations += iters
            if self.rank is None or rank < self.rank:
                self.rank, self.routes = rank, routes

    def __str__(self) -> str:
        """Describe the best plan as the epoch log line does."""
        assert self.rank is not None
        excess, cost = self.rank
        return (
            f"best {cost / TIME_SCALE:.1f} (excess {excess}), "
            f"{self.iterations} iterations"
        )


def solve_pyvrp(
    tr: Transformation,
    params: SolveParams,
    *,
    time_limit_s: float,
    initial: Sequence[NodeRoute] | None = None,
    target_s: float | None = None,
    callback: ProgressCallback | None = None,
) -> EngineResult:
    """
    Search routes with PyVRP.

    Parameters
    ----------
    tr
        The transformation to route.
    params
        Seed, workers, stopping rules and PyVRP settings (``params.pyvrp``).
    time_limit_s
        Wall-clock budget, data building included.
    initial
        Complete routes every worker starts from (instead of a random solution).
    target_s
        A lower bound on the cost (seconds): a plan that reaches it ends the search.
    callback
        Receives a :class:`~snowroute.routing.params.Progress` for every new best.

    Returns
    -------
    EngineResult
        The best routes found by any worker (ties: the lowest worker number).
    """
    settings = params.pyvrp
    workers = params.workers or 1
    start = time.perf_counter()
    end = start + time_limit_s
    data, classes = build_data(tr)
    logger.debug(
        "pyvrp: %d clients, %d groups, %d vehicle types, built in %.1f s",
        data.num_clients,
        data.num_groups,
        data.num_vehicle_types,
        time.perf_counter() - start,
    )
    epochs = 1
    if settings.epoch_s is not None and workers > 1 and params.max_iterations is None:
        epochs = max(1, int((end - time.perf_counter()) // settings.epoch_s))
    stop = _Stop(
        deadline=end,
        max_iterations=params.max_iterations,
        stall=params.stall_for(tr.num_services),
        target_s=target_s,
        floor_s=_service_floor_s(tr) if target_s is not None else 0.0,
    )
    work = _Work(tr, data, classes, settings, stop)
    best = _Best(list(initial) if initial else None)
    relay = _Relay(callback, start)
    for epoch in range(epochs):
        span = max(0.0, (end - time.perf_counter()) / (epochs - epoch))
        seed = params.seed * 7919 + epoch * 104729
        jobs = [(w, (seed + w) % 2**32, span, best.routes) for w in range(workers)]
        best.add(_run_workers(work, jobs, relay), side_by_side=workers > 1)
        logger.debug("pyvrp epoch %d/%d: %s", epoch + 1, epochs, best)
    assert best.routes is not None
    return EngineResult(
        routes=tuple(r for r in best.routes if r.nodes),
        iterations=best.iterations,
        stats={
            "workers": float(workers),
            "epochs": float(epochs),
            "worker_peak_kb": float(best.peak_kb),
        },
    )
