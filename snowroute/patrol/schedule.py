"""Planning patrols: scope, frequencies, structures, visit days and daily routes.

:func:`plan_patrol` is the one entry point: it builds the scope, chooses visit days
(:mod:`snowroute.patrol.days`), routes each day with the arc-routing core
(:mod:`snowroute.patrol.routes`) and checks the result with the independent
validator (:func:`~snowroute.patrol.validate.validate_patrol`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Hashable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass

import networkx as nx
import numpy as np

from snowroute._errors import ScenarioError
from snowroute.network.attributes import EdgeKey
from snowroute.patrol.days import DayChoice, choose_days
from snowroute.patrol.frequency import (
    Calendar,
    check_last_visits,
    frequency_of,
)
from snowroute.patrol.plan import (
    CarRoute,
    DayPlan,
    PatrolPlan,
    PatrolReport,
    SectionPlan,
    StructurePlan,
)
from snowroute.patrol.routes import Stop, day_problem, day_roads, day_routes
from snowroute.patrol.scope import PatrolScope, patrol_scope
from snowroute.patrol.structures import (
    PlacedStructure,
    Structure,
    place_structures,
)
from snowroute.patrol.validate import validate_patrol
from snowroute.patrol.visits import unit_distances, visit_items
from snowroute.prepare import depot_nodes, pyvrp_params
from snowroute.routing import (
    ArcRoutingProblem,
    Solution,
    SolveParams,
    VehicleClass,
    problem_from_graph,
    solve_on,
)
from snowroute.routing.budget import Budget
from snowroute.scenario import side_files
from snowroute.scenario.model import PatrolCarSpec, PatrolSpec, Scenario

__all__ = ["plan_patrol"]

logger = logging.getLogger(__name__)

#: Name of the patrol car class in routing problems.
CAR_CLASS = "patrol-car"


@dataclass(frozen=True, slots=True)
class _Settings:
    """Seed and routing limits of a run: the arguments, else the scenario's."""

    seed: int
    time_limit_s: float
    max_iterations: int | None

    @classmethod
    def of(
        cls,
        scenario: Scenario,
        *,
        seed: int | None,
        time_limit_s: float | None,
        max_iterations: int | None,
    ) -> _Settings:
        """Fill what the arguments leave open from ``scenario.solver``."""
        solver = scenario.solver
        return cls(
            seed=solver.seed if seed is None else seed,
            time_limit_s=solver.time_limit_s if time_limit_s is None else time_limit_s,
            max_iterations=solver.max_iterations
            if max_iterations is None
            else max_iterations,
        )


@dataclass(frozen=True, slots=True)
class _Demand:
    """What the horizon asks for: sections to patrol and structures to inspect."""

    scope: PatrolScope
    calendar: Calendar
    frequencies: dict[str, int]
    last_visits: dict[str, dt.date]
    placed: tuple[PlacedStructure, ...]
    unplaced: tuple[tuple[Structure, str], ...]


@dataclass(frozen=True, slots=True)
class _Days:
    """The chosen visit days: per day its sections and structures."""

    sections: list[list[str]]
    structures: list[list[PlacedStructure]]
    planned: dict[str, tuple[int, ...]]
    choice: DayChoice


def plan_patrol(
    G: nx.MultiDiGraph,
    scenario: Scenario,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    max_iterations: int | None = None,
    max_evaluations: int = 20_000,
    executor: Executor | None = None,
) -> PatrolPlan:
    """
    Plan the patrol of ``scenario`` over its horizon on the tagged network ``G``.

    Parameters
    ----------
    G
        The scenario's tagged road network (:func:`~snowroute.prepare.
        graph_from_scenario`).
    scenario
        A scenario with a ``[patrol]`` table.
    time_limit_s
        Routing budget of the whole horizon, shared equally by the days still
        to route (default: the scenario's ``solver.time_limit_s``).
    seed
        Seed of the day choice and the routing (default: the scenario's).
    max_iterations
        Routing iterations per day; with it, the same seed gives the same plan.
    max_evaluations
        Budget of day-cost estimates of the visit-day search.
    executor
        Where the days are routed side by side (a
        :class:`concurrent.futures.Executor`, such as a Dask client's
        ``get_executor()``); default: one after another in this process.

    Returns
    -------
    PatrolPlan
        The plan with its validation report; ``valid`` is false and
        ``report.violations`` say why when a frequency, a structure or a shift
        cannot be met.

    Raises
    ------
    ScenarioError
        When the scenario has no patrol table, a section has no frequency, a last
        visit is not before the horizon, or the depot is not on the network.
    InputFileError
        When the structures or last-visits file is malformed.
    """
    started = time.perf_counter()
    spec = scenario.patrol
    if spec is None:
        msg = "The scenario has no [patrol] table."
        raise ScenarioError(msg)
    run = _Settings.of(
        scenario, seed=seed, time_limit_s=time_limit_s, max_iterations=max_iterations
    )
    rng = np.random.default_rng(run.seed)
    cars = spec.cars
    # 1-2. Scope, calendar, frequencies, last visits and due structures.
    demand = _demand(G, scenario, spec)
    depot_node = depot_nodes(G, scenario)[cars.depot]
    depots = {cars.depot: depot_node}
    vehicle = _patrol_car(cars)
    # 3. Visit days.
    days = _visit_days(
        G, spec, demand, depots, vehicle, rng=rng, max_evaluations=max_evaluations
    )
    # 4. Daily routes.
    day_plans = _route_days(
        G, scenario, demand, days, depots, vehicle, run, executor=executor
    )
    # 5. The plan, checked by the independent validator.
    plan = _plan(spec, demand, days, day_plans, depot_node=depot_node, seed=run.seed)
    report = validate_patrol(G, plan)
    return dataclasses.replace(
        plan, report=report, runtime_s=time.perf_counter() - started
    )


def _demand(G: nx.MultiDiGraph, scenario: Scenario, spec: PatrolSpec) -> _Demand:
    """Read the scope, calendar, frequencies, last visits and due structures.

    Raises
    ------
    ScenarioError
        When the days off leave no patrol day, a section has no frequency or a
        last visit is not before the horizon.
    InputFileError
        When the structures or last-visits file is malformed.
    """
    scope = patrol_scope(G, spec)
    calendar = Calendar.from_spec(spec)
    if not calendar.patrol_days:
        msg = "Scenario field `patrol.days_off` leaves no patrol day in the horizon."
        raise ScenarioError(msg)
    frequencies = {
        sid: frequency_of(s, spec.frequency_days) for sid, s in scope.sections.items()
    }
    side = side_files(scenario)
    last_visits = {
        sid: date for sid, date in side.last_visits.items() if sid in scope.sections
    }
    check_last_visits(last_visits, calendar)
    logger.info(
        "patrol scope: %d sections, %.1f km (%s)",
        len(scope.sections),
        scope.road_km,
        ", ".join(f"{k} {v:.1f} km" for k, v in sorted(scope.km_by_reason().items())),
    )

    # structures due in the horizon, on their roads
    last_date = calendar.date(calendar.days - 1)
    structures = side.structures or ()
    due = tuple(s for s in structures if s.due <= last_date)
    placed, unplaced = place_structures(G, due, max_m=spec.structure_snap_m)
    logger.info("%d of %d structures due in the horizon", len(due), len(structures))
    return _Demand(scope, calendar, frequencies, last_visits, placed, unplaced)


def _patrol_car(cars: PatrolCarSpec) -> VehicleClass:
    """Return the routing vehicle class of the patrol cars."""
    return VehicleClass(
        name=CAR_CLASS,
        depot=cars.depot,
        count=cars.count,
        shift_s=cars.shift_h * 3600.0,
        plow_speed_kph=cars.speed_kph,
        deadhead_speed_kph=cars.speed_kph,
    )


def _visit_days(
    G: nx.MultiDiGraph,
    spec: PatrolSpec,
    demand: _Demand,
    depots: dict[str, Hashable],
    vehicle: VehicleClass,
    *,
    rng: np.random.Generator,
    max_evaluations: int,
) -> _Days:
    """Choose the visit days of every section and due structure."""
    cars = spec.cars
    calendar = demand.calendar
    base = problem_from_graph(G, required=[], depots=depots, vehicles=(vehicle,))
    assert base.graph.vertex_refs is not None
    vertex = {node: i for i, node in enumerate(base.graph.vertex_refs)}
    items, unit_edges = visit_items(
        G,
        demand.scope,
        demand.frequencies,
        demand.last_visits,
        list(demand.placed),
        calendar,
        cars.speed_kph,
    )
    units = [sorted({vertex[n] for e in edges for n in e[:2]}) for edges in unit_edges]
    D = unit_distances(base, units, vertex[depots[cars.depot]])
    choice = choose_days(
        items,
        D,
        days=calendar.days,
        patrol_days=calendar.patrol_days,
        balance_weight=spec.balance_weight,
        capacity_s=cars.count * cars.shift_h * 3600.0,
        rng=rng,
        max_evaluations=max_evaluations,
    )
    day_sections: list[list[str]] = [[] for _ in range(calendar.days)]
    day_structures: list[list[PlacedStructure]] = [[] for _ in range(calendar.days)]
    planned: dict[str, tuple[int, ...]] = {}
    by_id = {p.structure.structure_id: p for p in demand.placed}
    for item, k in zip(items, choice.option, strict=True):
        days = item.options[k]
        if item.name in demand.scope.sections:
            planned[item.name] = days
            for d in days:
                day_sections[d].append(item.name)
        else:
            day_structures[days[0]].append(by_id[item.name])
    return _Days(day_sections, day_structures, planned, choice)


@dataclass(frozen=True, slots=True)
class _PendingDay:
    """One day's routing problem and its solution, done or still on its way."""

    problem: ArcRoutingProblem | None
    stops: Mapping[EdgeKey, Stop]
    solution: Future[Solution] | None

    def result(
        self,
    ) -> tuple[
        tuple[CarRoute, ...], tuple[str, ...], tuple[ArcRoutingProblem, Solution] | None
    ]:
        """Car routes, violations, problem and solution (as :func:`route_day`)."""
        if self.problem is None or self.solution is None:
            return (), (), None
        return day_routes(self.problem, self.solution.result(), self.stops)


def _route_days(
    G: nx.MultiDiGraph,
    scenario: Scenario,
    demand: _Demand,
    days: _Days,
    depots: dict[str, Hashable],
    vehicle: VehicleClass,
    run: _Settings,
    executor: Executor | None = None,
) -> tuple[DayPlan, ...]:
    """Route every day, each with an equal share of what the budget has left.

    With an ``executor`` the days are routed side by side there, each with an
    equal share of the budget now.
    """
    calendar = demand.calendar
    budget = Budget(run.time_limit_s)
    pending = []
    for d in range(calendar.days):
        required, stops = day_roads(
            G, demand.scope, days.sections[d], days.structures[d]
        )
        problem = day_problem(
            G, required=required, stops=stops, depots=depots, vehicle=vehicle
        )
        solution: Future[Solution] | None = None
        if problem is not None:
            left = calendar.days if executor is not None else calendar.days - d
            params = SolveParams(
                engine=scenario.solver.engine,
                time_limit_s=budget.share(1, left),
                seed=run.seed + d,
                workers=1,
                max_iterations=run.max_iterations,
                pyvrp=pyvrp_params(scenario),
            )
            solution = solve_on(executor, problem, params)
        pending.append(_PendingDay(problem, stops, solution))
    day_plans = []
    for d in range(calendar.days):
        date = calendar.date(d)
        routes, problems, routing = pending[d].result()
        day_plans.append(
            DayPlan(
                day=d,
                date=date,
                off=calendar.is_off(date),
                sections=tuple(days.sections[d]),
                structures=tuple(p.structure.structure_id for p in days.structures[d]),
                cars=routes,
                estimate_h=days.choice.estimate_s[d] / 3600.0,
                routing_violations=problems,
                routing=routing,
            )
        )
        logger.info(
            "%s: %d sections, %d structures, %.1f km, %.2f h",
            date,
            len(days.sections[d]),
            len(days.structures[d]),
            sum(c.km for c in routes),
            sum(c.hours for c in routes),
        )
    return tuple(day_plans)


def _plan(
    spec: PatrolSpec,
    demand: _Demand,
    days: _Days,
    day_plans: tuple[DayPlan, ...],
    *,
    depot_node: Hashable,
    seed: int,
) -> PatrolPlan:
    """Return the plan, not yet validated (its report is empty)."""
    cars = spec.cars
    return PatrolPlan(
        admin=spec.admin,
        start=demand.calendar.start,
        days=demand.calendar.days,
        days_off=spec.days_off,
        frequency_in=spec.frequency_in,
        depot=cars.depot,
        depot_node=depot_node,
        cars=cars.count,
        shift_h=cars.shift_h,
        speed_kph=cars.speed_kph,
        sections=_section_plans(demand, days),
        structures=_structure_plans(demand, days),
        day_plans=day_plans,
        report=PatrolReport(True, (), (), 0, 0),
        seed=seed,
        unplaced_structures=tuple((s.structure_id, why) for s, why in demand.unplaced),
    )


def _section_plans(demand: _Demand, days: _Days) -> tuple[SectionPlan, ...]:
    """Return every section of the scope with its frequency and planned days."""
    return tuple(
        SectionPlan(
            section_id=s.section_id,
            route_id=s.route_id,
            route_name=s.route_name,
            admin_id=s.admin_id,
            priority=s.priority,
            road_km=s.road_km,
            reason=s.reason,
            frequency_days=demand.frequencies[s.section_id],
            last_visit=demand.last_visits.get(s.section_id),
            edges=s.edges,
            planned_days=days.planned.get(s.section_id, ()),
        )
        for s in demand.scope.sections.values()
    )


def _structure_plans(demand: _Demand, days: _Days) -> tuple[StructurePlan, ...]:
    """Return every placed structure with its road and inspection day."""
    day_of = {
        p.structure.structure_id: d
        for d in range(demand.calendar.days)
        for p in days.structures[d]
    }
    return tuple(
        StructurePlan(
            structure_id=p.structure.structure_id,
            kind=p.structure.kind,
            name=p.structure.name,
            admin_id=p.structure.admin_id,
            due=p.structure.due,
            minutes_on_site=p.structure.minutes_on_site,
            edge=p.edge,
            section_id=p.section_id,
            day=day_of.get(p.structure.structure_id),
            note=_structure_note(p, demand.calendar.start, demand.scope),
        )
        for p in demand.placed
    )


def _structure_note(p: PlacedStructure, start: dt.date, scope: PatrolScope) -> str:
    notes = []
    if p.structure.due < start:
        notes.append("overdue before the horizon")
    if p.section_id not in scope.sections:
        notes.append("on a road outside the patrol scope")
    return "; ".join(notes)
