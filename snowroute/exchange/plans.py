"""Exchange plans: who plows which road, the routes that do it, and their checks.

A plan is an assignment of every road to plow to an administrator plus the routes
of each administrator's fleet over its roads (``baseline``, ``given``,
``optimized``), or one routing of all roads with all fleets (``pooled``).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from types import MappingProxyType

import networkx as nx

from snowroute._errors import ScenarioError
from snowroute.exchange.units import (
    ExchangeUnit,
    exchange_units,
    given_entries,
    partner_pairs,
    resolve_exchanges,
)
from snowroute.network.attributes import EdgeKey
from snowroute.prepare import (
    depot_nodes,
    plow_edges,
    plow_problem,
    solve_params,
    vehicle_classes,
)
from snowroute.routing import (
    ArcRoutingProblem,
    Solution,
    SolveParams,
    VehicleClass,
    solve_on,
)
from snowroute.routing.budget import Budget
from snowroute.routing.warm import WarmRoute, carry_over
from snowroute.scenario.model import Scenario

__all__ = [
    "ExchangeContext",
    "Plan",
    "Router",
    "agreement_lines",
    "assignment_plan",
    "equal_speed_context",
    "latest_finish",
    "pooled_equal_speed_plan",
    "pooled_plan",
    "pooled_problem",
    "roads_by_admin",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, eq=False)
class ExchangeContext:
    """
    Everything the exchange plans share: network, roads, fleets, units, partners.

    Build it with :meth:`from_scenario`.

    Parameters
    ----------
    G
        The tagged road network.
    scenario
        The scenario.
    plow
        Roads to plow, edge → owner (legal administrator).
    depots
        Depot id → network node.
    fleets
        Administrator id → its routing vehicle classes.
    units
        Exchange units by id (sections or routes, ``exchange.unit``).
    pairs
        Partner pairs allowed to exchange (each sorted).
    params
        Routing settings for every problem (:func:`solve_params`); its
        ``time_limit_s`` is the budget of the whole exchange run.
    budget
        What is left of that budget; each search gets a share by size.
    executor
        Where the administrators' problems of a plan are solved side by side (a
        :class:`concurrent.futures.Executor`, such as a Dask client's
        ``get_executor()``), each as one task with one search process; ``None``
        (default): one after another in this process.
    """

    G: nx.MultiDiGraph
    scenario: Scenario
    plow: Mapping[EdgeKey, str]
    depots: Mapping[str, Hashable]
    fleets: Mapping[str, tuple[VehicleClass, ...]]
    units: Mapping[str, ExchangeUnit]
    pairs: tuple[tuple[str, str], ...]
    params: SolveParams = field(default_factory=SolveParams)
    budget: Budget = field(default_factory=lambda: Budget(60.0))
    executor: Executor | None = None
    unit_of: Mapping[EdgeKey, str] = field(init=False, repr=False)
    admin_of_vehicle: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        unit_of = {e: u.id for u in self.units.values() for e in u.edges}
        if set(unit_of) != set(self.plow):
            msg = "Exchange units must cover exactly the roads to plow."
            raise ScenarioError(msg)
        object.__setattr__(self, "unit_of", MappingProxyType(unit_of))
        object.__setattr__(
            self,
            "admin_of_vehicle",
            MappingProxyType(
                {v.name: a for a, fleet in self.fleets.items() for v in fleet}
            ),
        )

    @classmethod
    def from_scenario(
        cls,
        G: nx.MultiDiGraph,
        scenario: Scenario,
        *,
        time_limit_s: float | None = None,
        seed: int | None = None,
        executor: Executor | None = None,
    ) -> ExchangeContext:
        """Pick the roads, fleets, units and partners of ``scenario`` on ``G``.

        Raises
        ------
        ScenarioError
            When an administrator with roads to plow has no fleet, or a partner
            or depot is invalid.
        """
        params = solve_params(scenario, time_limit_s=time_limit_s, seed=seed)
        plow = plow_edges(G, scenario)
        fleets = {
            a: vehicle_classes(scenario, admins=[a]) for a in scenario.plow_admins
        }
        for admin in sorted(set(plow.values())):
            if not fleets.get(admin):
                msg = (
                    f"Administrator {admin!r} has roads to plow but no vehicles in the "
                    "scenario."
                )
                raise ScenarioError(msg)
        return cls(
            G=G,
            scenario=scenario,
            plow=plow,
            depots=depot_nodes(G, scenario),
            fleets=fleets,
            units=exchange_units(G, plow, unit=scenario.exchange.unit),
            pairs=partner_pairs(G, scenario, sorted(set(plow.values()))),
            params=params,
            budget=Budget(params.time_limit_s),
            executor=executor,
        )

    @property
    def engine(self) -> str:
        """Routing engine of every solve."""
        return self.params.engine

    @property
    def time_limit_s(self) -> float:
        """Budget of the whole run's routing, seconds."""
        return self.params.time_limit_s

    @property
    def seed(self) -> int:
        """Seed of the run."""
        return self.params.seed

    def submit(
        self,
        problem: ArcRoutingProblem,
        *,
        seed_offset: int = 0,
        initial: tuple[WarmRoute, ...] | None = None,
        budget: Budget | None = None,
        roads: int | None = None,
        pending: int | None = None,
    ) -> Future[Solution]:
        """Start routing ``problem`` with this context's settings and budget share.

        The share is in proportion to the problem's ``roads`` (network edges to
        plow; default: all) against the ``pending`` roads still to route with that
        budget (default: all roads to plow). Without an :attr:`executor` the
        problem is solved now and the future is done; with one it is a task there,
        searched by one process.
        """
        budget = self.budget if budget is None else budget
        everything = len(self.plow)
        pending = everything if pending is None else pending
        roads = everything if roads is None else roads
        share = budget.share(roads, max(1, pending))
        params = self.params.with_(
            time_limit_s=share, seed=self.params.seed + seed_offset
        )
        return solve_on(self.executor, problem, params, initial=initial)

    def solve(
        self,
        problem: ArcRoutingProblem,
        *,
        seed_offset: int = 0,
        initial: tuple[WarmRoute, ...] | None = None,
        budget: Budget | None = None,
        roads: int | None = None,
        pending: int | None = None,
    ) -> Solution:
        """Route ``problem`` with this context's settings (see :meth:`submit`)."""
        return self.submit(
            problem,
            seed_offset=seed_offset,
            initial=initial,
            budget=budget,
            roads=roads,
            pending=pending,
        ).result()

    @property
    def admins(self) -> tuple[str, ...]:
        """Administrators with a fleet, in scenario order."""
        return tuple(self.fleets)

    def admin_problem(self, admin: str, roads: frozenset[EdgeKey]) -> ArcRoutingProblem:
        """Return ``admin``'s routing problem over ``roads`` with its own fleet."""
        edges = sorted(roads, key=str)
        fleet = self.fleets[admin]
        return plow_problem(self.G, self.scenario, self.depots, edges, fleet)

    def partners_of(self, admin: str) -> tuple[str, ...]:
        """Administrators ``admin`` may exchange with."""
        return tuple(b if a == admin else a for a, b in self.pairs if admin in (a, b))

    def given_assignment(self) -> dict[EdgeKey, str]:
        """Edge → administrator under the scenario's exchange list.

        Raises
        ------
        ScenarioError
            When an entry names an unknown route or section, a taker without a
            fleet, or a road the taker's fleet cannot plow.
        """
        moved = resolve_exchanges(
            self.G,
            self.plow,
            given_entries(self.scenario),
            field="exchange.given",
            takers=self.admins,
        )
        return {e: moved.get(e, owner) for e, owner in self.plow.items()}


#: An administrator and the roads it plows: what :class:`Router` remembers.
Key = tuple[str, frozenset[EdgeKey]]
#: What :meth:`Router.route_many` routes: administrator, roads, warm start.
Request = tuple[str, frozenset[EdgeKey], "tuple[ArcRoutingProblem, Solution] | None"]


class Router:
    """Routes one administrator's roads with its fleet, remembering every answer.

    The same administrator and roads give the stored plan back, so plans that
    share an administrator's roads share its routes (and their figures).
    """

    def __init__(self, context: ExchangeContext) -> None:
        self.context = context
        self._cache: dict[Key, tuple[ArcRoutingProblem, Solution]] = {}
        self.solves = 0
        #: The budget of the stage being routed (the run's by default).
        self.budget = context.budget

    def route(
        self,
        admin: str,
        edges: frozenset[EdgeKey],
        *,
        start: tuple[ArcRoutingProblem, Solution] | None = None,
        pending: int | None = None,
    ) -> tuple[ArcRoutingProblem, Solution]:
        """Problem and plan of ``admin`` plowing ``edges`` with its own fleet.

        The search gets the share of :attr:`budget` that ``edges`` make of the
        ``pending`` roads still to route in this plan (default: all roads).

        With ``start`` (the same administrator's problem and plan in another
        assignment) the search starts from those routes, the roads no longer
        assigned dropped and the new ones inserted where they cost least: a small
        change of assignment then shows its own effect, not the search's noise.

        Raises
        ------
        InfeasibleError
            When the fleet provably cannot plow one of the roads.
        """
        return self.route_many([(admin, edges, start)], pending=pending)[0]

    def route_many(
        self,
        requests: Sequence[Request],
        *,
        pending: int | None = None,
    ) -> list[tuple[ArcRoutingProblem, Solution]]:
        """Problems and plans of several ``(admin, edges, start)`` requests.

        As :meth:`route` each. In this process they are routed in order, each
        with its share of what the earlier ones left of ``pending``; with the
        context's executor they are routed side by side, each with its share of
        ``pending`` now.

        Raises
        ------
        InfeasibleError
            When a fleet provably cannot plow one of its roads.
        """
        ctx = self.context
        started: dict[Key, tuple[ArcRoutingProblem, Future[Solution]]] = {}
        for admin, edges, start in requests:
            key = (admin, edges)
            if key not in self._cache and key not in started:
                problem = ctx.admin_problem(admin, edges)
                initial = None if start is None else carry_over(*start, problem)
                future = ctx.submit(
                    problem,
                    initial=initial,
                    budget=self.budget,
                    roads=len(edges),
                    pending=pending,
                )
                started[key] = (problem, future)
            if ctx.executor is None and pending is not None:
                pending -= len(edges)
        for (admin, edges), (problem, future) in started.items():
            self._cache[(admin, edges)] = (problem, self._done(admin, problem, future))
        return [self._cache[(admin, edges)] for admin, edges, _ in requests]

    def _done(
        self, admin: str, problem: ArcRoutingProblem, future: Future[Solution]
    ) -> Solution:
        solution = future.result()
        self.solves += 1
        logger.info(
            "%s: %d roads, %.2f h, deadhead %.1f km, %s",
            admin,
            problem.num_required,
            solution.duration_s / 3600,
            solution.deadhead_km,
            "valid" if solution.feasible else "INVALID",
        )
        return solution


@dataclass(frozen=True, slots=True, eq=False)
class Plan:
    """
    One exchange plan: who plows what, the routes, and the validator's verdict.

    Parameters
    ----------
    name
        ``baseline``, ``given``, ``optimized`` or ``pooled``.
    assignment
        Edge → administrator whose fleet plows it.
    parts
        Routing problems with their plans: one per administrator, or a single
        ``"*"`` entry for the pooled plan (every fleet on every road).
    runtime_s
        Seconds spent building the plan.
    notes
        What the search that built it did, step by step.
    reference
        What the plan's saving is measured against, with the same search effort:
        for an exchange plan, the administrators it touches routed over their
        baseline roads from the same start routes
        (:class:`~snowroute.exchange.measure.Measurer`); for the equal-speed pooled
        plan, every administrator's own roads at the same speeds. Empty: the
        baseline itself.
    """

    name: str
    assignment: Mapping[EdgeKey, str]
    parts: Mapping[str, tuple[ArcRoutingProblem, Solution]]
    runtime_s: float = 0.0
    notes: tuple[str, ...] = ()
    reference: Mapping[str, tuple[ArcRoutingProblem, Solution]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "assignment", MappingProxyType(dict(self.assignment)))
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))
        object.__setattr__(self, "reference", MappingProxyType(dict(self.reference)))

    def attributable(self) -> tuple[float, float] | None:
        """Hours and deadhead km saved against :attr:`reference` (None: none).

        Only the parts the reference has are compared (the administrators an
        exchange touches; every administrator for the equal-speed pooled plan,
        whose single part is compared with all of them).
        """
        if not self.reference:
            return None
        ref = [s for _, s in self.reference.values()]
        mine = [
            s for a, (_, s) in self.parts.items() if a in self.reference or a == "*"
        ]
        hours = math.fsum(s.duration_s for s in ref) - math.fsum(
            s.duration_s for s in mine
        )
        km = math.fsum(s.deadhead_km for s in ref) - math.fsum(
            s.deadhead_km for s in mine
        )
        return hours / 3600, km

    def reference_finish_s(self) -> dict[str, float] | None:
        """Latest finish per priority class of :attr:`reference` (None: none).

        The reference's routes of the administrators it has with this plan's
        routes of the others: what the service rule compares this plan with.
        """
        if not self.reference:
            return None
        others = [
            p for a, p in self.parts.items() if a not in self.reference and a != "*"
        ]
        return latest_finish([*others, *self.reference.values()])

    @property
    def solutions(self) -> tuple[Solution, ...]:
        """The routing plans of every part."""
        return tuple(s for _, s in self.parts.values())

    @property
    def duration_s(self) -> float:
        """Total route time (service plus deadhead) over all fleets."""
        return math.fsum(s.duration_s for s in self.solutions)

    @property
    def deadhead_km(self) -> float:
        """Total deadhead km over all fleets."""
        return math.fsum(s.deadhead_km for s in self.solutions)

    @property
    def served_km(self) -> float:
        """Total km driven plowing (every pass) over all fleets."""
        return math.fsum(s.served_km for s in self.solutions)

    def violations(self, context: ExchangeContext) -> tuple[str, ...]:
        """Every violation: the validator's per part, and roads not covered."""
        out: list[str] = []
        for part, (_, solution) in self.parts.items():
            where = "pooled plan" if part == "*" else f"administrator {part}"
            out.extend(f"{where}: {v}" for v in solution.violations)
        missing = [e for e in context.plow if e not in self.assignment]
        if missing:
            out.append(
                f"{len(missing)} roads to plow have no administrator, e.g. {missing[0]}"
            )
        return tuple(out)

    def moved_units(self, context: ExchangeContext) -> set[str]:
        """Exchange units with at least one road plowed by another administrator."""
        return {
            context.unit_of[e]
            for e, admin in self.assignment.items()
            if admin != context.plow[e]
        }

    def agreement_lines(self, context: ExchangeContext) -> int:
        """Lines of the exchange agreement (see :func:`agreement_lines`)."""
        return agreement_lines(context, self.assignment)


def agreement_lines(context: ExchangeContext, assignment: Mapping[EdgeKey, str]) -> int:
    """Lines of the exchange agreement: what ``exchange.admin_cost_h`` is paid on.

    A route handed over whole to one administrator is one line, however many
    sections it has; otherwise each section handed over is one.
    """
    takers: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for e, admin in assignment.items():
        if admin != context.plow[e]:
            unit = context.units[context.unit_of[e]]
            takers[(unit.route_id, admin)].add(unit.id)
    sections = Counter(u.route_id for u in context.units.values())
    return sum(
        1 if len(units) == sections[route] else len(units)
        for (route, _), units in takers.items()
    )


def roads_by_admin(assignment: Mapping[EdgeKey, str]) -> dict[str, frozenset[EdgeKey]]:
    """Administrator → the roads ``assignment`` gives it."""
    out: defaultdict[str, set[EdgeKey]] = defaultdict(set)
    for edge, admin in assignment.items():
        out[admin].add(edge)
    return {a: frozenset(e) for a, e in out.items()}


def assignment_plan(
    name: str,
    router: Router,
    assignment: Mapping[EdgeKey, str],
    *,
    notes: tuple[str, ...] = (),
    warm: Plan | None = None,
) -> Plan:
    """Route every administrator over the roads ``assignment`` gives it.

    ``warm`` (another plan) warm-starts each administrator's search from its
    routes there (see :meth:`Router.route`).

    Raises
    ------
    ScenarioError
        When a road goes to an administrator whose fleet cannot plow it.
    """
    start = time.perf_counter()
    ctx = router.context
    by_admin = roads_by_admin(assignment)
    # smallest first: time a small problem saves by converging goes to the large
    order = sorted(ctx.admins, key=lambda a: len(by_admin.get(a, ())))
    requests: list[Request] = []
    for admin in order:
        edges = by_admin.get(admin, frozenset())
        check_compatible(ctx, admin, edges, plan=name)
        before = None if warm is None else warm.parts.get(admin)
        requests.append((admin, edges, before))
    routed = router.route_many(requests, pending=len(assignment))
    parts = dict(zip(order, routed, strict=True))
    parts = {admin: parts[admin] for admin in ctx.admins}
    return Plan(
        name=name,
        assignment=assignment,
        parts=parts,
        runtime_s=time.perf_counter() - start,
        notes=notes,
    )


def check_compatible(
    ctx: ExchangeContext, admin: str, edges: frozenset[EdgeKey], *, plan: str
) -> None:
    """Raise when ``admin``'s fleet cannot plow one of ``edges``.

    Raises
    ------
    ScenarioError
        Naming the route, the administrator and the plan.
    """
    from snowroute.network import attributes as A

    fleet = ctx.fleets[admin]
    for edge in sorted(edges, key=str):
        data = ctx.G.edges[edge]
        road_class = str(data.get(A.ROAD_CLASS, ""))
        width = float(data.get(A.WIDTH_M, math.nan))
        if any(
            (v.road_classes is None or road_class in v.road_classes)
            and (v.min_width_m is None or math.isnan(width) or width >= v.min_width_m)
            for v in fleet
        ):
            continue
        msg = (
            f"The {plan} plan hands route {data.get(A.ROUTE_ID)!r} "
            f"(section {data.get(A.SECTION_ID)!r}, {road_class}, width {width:g} m) "
            f"to {admin!r}, whose vehicles cannot plow it."
        )
        raise ScenarioError(msg)


def pooled_plan(
    ctx: ExchangeContext, *, warm: Plan | None = None, budget: Budget | None = None
) -> tuple[Plan, ArcRoutingProblem]:
    """Every fleet may plow every road it can: the bound on what exchange gains.

    With ``warm`` (the baseline) the search starts from the baseline's routes (all
    fleets together, a valid pooled plan), so the pooled plan is never slower than
    a valid baseline. ``budget`` (default: the run's) is all the search's.

    Returns the plan and its single routing problem (reused for estimates).
    """
    start = time.perf_counter()
    problem = pooled_problem(ctx)
    initial = None
    if warm is not None:
        initial = tuple(
            route
            for part_problem, part in warm.parts.values()
            for route in carry_over(part_problem, part, problem)
        )
    solution = ctx.solve(problem, initial=initial, budget=budget)
    logger.info(
        "pooled: %.2f h, deadhead %.1f km, %s",
        solution.duration_s / 3600,
        solution.deadhead_km,
        "valid" if solution.feasible else "INVALID",
    )
    assignment = served_by(ctx, problem, solution)
    plan = Plan(
        name="pooled",
        assignment=assignment,
        parts={"*": (problem, solution)},
        runtime_s=time.perf_counter() - start,
    )
    return plan, problem


def pooled_problem(ctx: ExchangeContext) -> ArcRoutingProblem:
    """Every road to plow with every fleet: the pooled plan's routing problem."""
    fleet = tuple(v for vs in ctx.fleets.values() for v in vs)
    return plow_problem(
        ctx.G, ctx.scenario, ctx.depots, sorted(ctx.plow, key=str), fleet
    )


def equal_speed_context(ctx: ExchangeContext) -> ExchangeContext:
    """``ctx`` with every vehicle class at the same plowing and deadhead speeds.

    The speeds are the means over the scenario's vehicles, weighted by their
    count.
    """
    vehicles = ctx.scenario.vehicles
    count = sum(v.count for v in vehicles)
    plow = math.fsum(v.plow_speed_kph * v.count for v in vehicles) / count
    dead = math.fsum(v.deadhead_speed_kph * v.count for v in vehicles) / count
    same = tuple(
        dataclasses.replace(v, plow_speed_kph=plow, deadhead_speed_kph=dead)
        for v in vehicles
    )
    scenario = dataclasses.replace(ctx.scenario, vehicles=same)
    fleets = {a: vehicle_classes(scenario, admins=[a]) for a in ctx.fleets}
    return dataclasses.replace(ctx, scenario=scenario, fleets=fleets)


def pooled_equal_speed_plan(
    ctx: ExchangeContext, *, budget: Budget | None = None
) -> Plan:
    """Route every fleet on every road at the same speeds: sharing roads alone.

    Routed against its own reference, every administrator plowing its own roads
    at those speeds (:attr:`Plan.reference`), from whose routes the pooled search
    starts; each gets half of ``budget`` (default: the run's).
    """
    start = time.perf_counter()
    same = equal_speed_context(ctx)
    budget = same.budget if budget is None else budget
    router = Router(same)
    router.budget = budget.part(0.5)
    own = assignment_plan("baseline_equal_speed", router, dict(same.plow))
    pooled, _ = pooled_plan(same, warm=own, budget=budget)
    return Plan(
        name="pooled_equal_speed",
        assignment=pooled.assignment,
        parts=pooled.parts,
        runtime_s=time.perf_counter() - start,
        reference=own.parts,
    )


def required_edges(problem: ArcRoutingProblem, index: int) -> tuple[EdgeKey, ...]:
    """Return the network edges of required arc ``index``: forward, then reverse."""
    r = problem.required[index]
    refs = problem.graph.edge_refs
    assert refs is not None
    out = [refs[r.arc]]
    if r.reverse_arc is not None:
        out.append(refs[r.reverse_arc])
    return tuple(out)  # type: ignore[arg-type]


def served_by(
    ctx: ExchangeContext, problem: ArcRoutingProblem, solution: Solution
) -> dict[EdgeKey, str]:
    """Edge → administrator whose vehicle plowed it (most passes; owner on ties)."""
    passes: defaultdict[EdgeKey, defaultdict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for route in solution.routes:
        admin = ctx.admin_of_vehicle[route.vehicle]
        for visit in route.services:
            edges = required_edges(problem, visit.required)
            r = problem.required[visit.required]
            if r.mode == "both":
                edges = (edges[visit.direction],)
            for edge in edges:
                passes[edge][admin] += 1
    out = {}
    for edge, owner in ctx.plow.items():
        counts = passes.get(edge)
        if not counts:
            out[edge] = owner
            continue
        out[edge] = max(sorted(counts), key=lambda a: (counts[a], a == owner))
    return out


def latest_finish(
    parts: Iterable[tuple[ArcRoutingProblem, Solution]],
) -> dict[str, float]:
    """Latest finish per priority class (seconds after the start) over ``parts``."""
    out: dict[str, float] = {}
    for _, solution in parts:
        for name, t in solution.finish_s().items():
            out[name] = max(out.get(name, 0.0), t)
    return out
