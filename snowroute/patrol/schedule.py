"""Planning patrols: scope, frequencies, structures, visit days and daily routes.

:func:`plan_patrol` is the one entry point: it builds the scope, chooses visit days
(:mod:`snowroute.patrol.days`), routes each day with the arc-routing core (the day's
sections and structure roads are the required arcs, every other road is deadhead,
a structure stop is extra service time on its road) and checks the result with the
independent validator (:func:`~snowroute.patrol.validate.validate_patrol`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Hashable
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from snowroute._errors import ScenarioError
from snowroute.network import attributes as A
from snowroute.patrol.days import Item, choose_days, greedy_visits
from snowroute.patrol.frequency import (
    Calendar,
    check_last_visits,
    frequency_of,
    read_last_visits,
)
from snowroute.patrol.plan import (
    CarRoute,
    DayPlan,
    PatrolPlan,
    PatrolReport,
    SectionPlan,
    StructurePlan,
)
from snowroute.patrol.scope import EdgeKey, PatrolScope, patrol_scope
from snowroute.patrol.structures import (
    PlacedStructure,
    place_structures,
    read_structures,
)
from snowroute.patrol.validate import validate_patrol
from snowroute.prepare import depot_nodes
from snowroute.routing import (
    ArcRoutingProblem,
    VehicleClass,
    problem_from_graph,
    solve,
)
from snowroute.routing.budget import Budget
from snowroute.scenario.model import Scenario

__all__ = ["plan_patrol"]

logger = logging.getLogger(__name__)

#: Name of the patrol car class in routing problems.
CAR_CLASS = "patrol-car"


def _road_edges(G: nx.MultiDiGraph, edge: EdgeKey) -> list[EdgeKey]:
    """``edge`` and, on a two-way road, its opposite direction (same osmid)."""
    u, v, _ = edge
    out = [edge]
    data = G.edges[edge]
    if A.parse_bool(data.get(A.ONEWAY, False)):
        return out
    osmid = str(data.get("osmid"))
    for k2, d2 in G.get_edge_data(v, u, default={}).items():
        if str(d2.get("osmid")) == osmid and (v, u, k2) != edge:
            out.append((v, u, k2))
            break
    return out


def _unit_distances(
    base: ArcRoutingProblem, units: list[list[int]], depot_vertex: int
) -> Any:
    """Symmetric shortest-path times between vertex sets (row 0: the depot)."""
    graph = base.graph
    times = base.deadhead_s(0)
    n = graph.num_vertices
    order = np.lexsort((times, graph.head, graph.tail))
    tail, head, cost = graph.tail[order], graph.head[order], times[order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    # tiny floor: csgraph drops explicit zeros
    matrix = csr_matrix(
        (np.maximum(cost[first], 1e-6), (tail[first], head[first])), shape=(n, n)
    )
    sets = [[depot_vertex], *units]
    out = np.zeros((len(sets), len(sets)), dtype=np.float64)
    for i, vertices in enumerate(sets):
        dist = dijkstra(matrix, indices=vertices, min_only=True)
        for j, other in enumerate(sets):
            out[i, j] = float(np.min(dist[other]))
    sym = (out + out.T) / 2
    sym[~np.isfinite(sym)] = 1e9
    return sym


def _items(
    G: nx.MultiDiGraph,
    scope: PatrolScope,
    frequencies: dict[str, int],
    last_visits: dict[str, dt.date],
    structures: list[PlacedStructure],
    calendar: Calendar,
    speed_kph: float,
) -> tuple[list[Item], list[list[EdgeKey]]]:
    patrol_days = calendar.patrol_days
    positions = [calendar.day_position(d) for d in range(calendar.days + 1)]
    end = calendar.end_position
    items: list[Item] = []
    unit_edges: list[list[EdgeKey]] = []
    unit_of: dict[str, int] = {}
    for section in scope.sections.values():
        f = frequencies[section.section_id]
        prev = calendar.previous_position(last_visits.get(section.section_id))
        firsts = [d for d in patrol_days if positions[d] <= prev + f]
        if not firsts:
            firsts = list(patrol_days[:1])
        options = tuple(
            greedy_visits(
                d,
                frequency=f,
                positions=positions,
                patrol_days=patrol_days,
                end_position=end,
            )
            for d in firsts
        )
        unit_edges.append(list(section.edges))
        unit_of[section.section_id] = len(unit_edges)
        items.append(
            Item(
                name=section.section_id,
                unit=len(unit_edges),
                service_s=section.road_km * 3600.0 / speed_kph,
                options=options,
            )
        )
    last_day = calendar.days - 1
    for placed in structures:
        s = placed.structure
        due_day = (s.due - calendar.start).days
        limit = max(min(due_day, last_day), patrol_days[0])
        options = tuple((d,) for d in patrol_days if d <= limit)
        edges = _road_edges(G, placed.edge)
        unit_edges.append(edges)
        road_m = float(G.edges[placed.edge]["length"])
        items.append(
            Item(
                name=s.structure_id,
                unit=len(unit_edges),
                service_s=road_m * 3.6 / speed_kph,
                options=options,
                extra_s=60.0 * s.minutes_on_site,
                covered_by=unit_of.get(placed.section_id, -1),
            )
        )
    return items, unit_edges


def _one_pass(u: Hashable, v: Hashable, k: int, data: Any) -> int:
    """Count one pass per road: a patrol looks at every lane at once."""
    return 1


def _route_day(
    G: nx.MultiDiGraph,
    *,
    required: list[EdgeKey],
    stops: dict[EdgeKey, tuple[str, float]],
    depots: dict[str, Hashable],
    vehicle: VehicleClass,
    engine: Any,
    time_limit_s: float,
    seed: int,
    max_iterations: int | None,
) -> tuple[tuple[CarRoute, ...], tuple[str, ...], Any]:
    def extra(u: Hashable, v: Hashable, k: int, data: Any) -> float:
        stop = stops.get((u, v, k))
        return 0.0 if stop is None else stop[1]

    problem = problem_from_graph(
        G,
        required=required,
        depots=depots,
        vehicles=(vehicle,),
        passes=_one_pass,
        extra_service_s=extra,
    )
    if problem.num_required == 0:
        return (), (), None
    solution = solve(
        problem,
        engine=engine,
        time_limit_s=time_limit_s,
        seed=seed,
        workers=1,
        max_iterations=max_iterations,
    )
    refs = problem.graph.edge_refs
    assert refs is not None
    cars = []
    for number, route in enumerate(solution.routes, start=1):
        edges = tuple(refs[int(a)] for a in route.arcs)
        serving = tuple(bool(s >= 0) for s in route.serving)
        inspected = []
        for s in route.serving:
            if s < 0:
                continue
            r = problem.required[int(s)]
            for arc in (r.arc, r.reverse_arc):
                ref: Any = None if arc is None else refs[arc]
                if ref in stops and r.extra_service_s > 0:
                    sid = stops[ref][0]
                    if sid not in inspected:
                        inspected.append(sid)
        cars.append(
            CarRoute(
                car=number,
                edges=edges,  # type: ignore[arg-type]
                serving=serving,
                km=(route.served_m + route.deadhead_m) / 1000.0,
                patrolled_km=route.served_m / 1000.0,
                deadhead_km=route.deadhead_m / 1000.0,
                hours=route.duration_s / 3600.0,
                structures=tuple(inspected),
            )
        )
    return tuple(cars), solution.violations, (problem, solution)


def _structure_note(p: PlacedStructure, start: dt.date, scope: PatrolScope) -> str:
    notes = []
    if p.structure.due < start:
        notes.append("overdue before the horizon")
    if p.section_id not in scope.sections:
        notes.append("on a road outside the patrol scope")
    return "; ".join(notes)


def plan_patrol(
    G: nx.MultiDiGraph,
    scenario: Scenario,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    max_iterations: int | None = None,
    max_evaluations: int = 20_000,
) -> PatrolPlan:
    """
    Plan the patrol of ``scenario`` over its horizon on the tagged network ``G``.

    Parameters
    ----------
    G
        The scenario's tagged road network (:func:`~snowroute.prepare.
        scenario_network`).
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
    seed = scenario.solver.seed if seed is None else seed
    if max_iterations is None:
        max_iterations = scenario.solver.max_iterations
    time_limit_s = (
        scenario.solver.time_limit_s if time_limit_s is None else time_limit_s
    )
    rng = np.random.default_rng(seed)
    cars = spec.cars

    # 1. Scope, calendar, frequencies and last visits.
    scope = patrol_scope(G, spec)
    calendar = Calendar.from_spec(spec)
    if not calendar.patrol_days:
        msg = "Scenario field `patrol.days_off` leaves no patrol day in the horizon."
        raise ScenarioError(msg)
    frequencies = {
        sid: frequency_of(s, spec.frequency_days) for sid, s in scope.sections.items()
    }
    last_visits = (
        {}
        if spec.last_visits is None
        else read_last_visits(scenario.resolve(spec.last_visits), scope.sections)
    )
    check_last_visits(last_visits, calendar)
    logger.info(
        "patrol scope: %d sections, %.1f km (%s)",
        len(scope.sections),
        scope.road_km,
        ", ".join(f"{k} {v:.1f} km" for k, v in sorted(scope.km_by_reason().items())),
    )

    # 2. Structures due in the horizon, on their roads.
    last_date = calendar.date(calendar.days - 1)
    structures = (
        ()
        if spec.structures is None
        else read_structures(scenario.resolve(spec.structures))
    )
    due = tuple(s for s in structures if s.due <= last_date)
    placed, unplaced = place_structures(G, due, max_m=spec.structure_snap_m)
    logger.info("%d of %d structures due in the horizon", len(due), len(structures))

    # 3. Visit days.
    depot_node = depot_nodes(G, scenario)[cars.depot]
    vehicle = VehicleClass(
        name=CAR_CLASS,
        depot=cars.depot,
        count=cars.count,
        shift_s=cars.shift_h * 3600.0,
        plow_speed_kph=cars.speed_kph,
        deadhead_speed_kph=cars.speed_kph,
    )
    depots = {cars.depot: depot_node}
    base = problem_from_graph(G, required=[], depots=depots, vehicles=(vehicle,))
    assert base.graph.vertex_refs is not None
    vertex = {node: i for i, node in enumerate(base.graph.vertex_refs)}
    items, unit_edges = _items(
        G, scope, frequencies, last_visits, list(placed), calendar, cars.speed_kph
    )
    units = [sorted({vertex[n] for e in edges for n in e[:2]}) for edges in unit_edges]
    D = _unit_distances(base, units, vertex[depot_node])
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
    by_id = {p.structure.structure_id: p for p in placed}
    for item, k in zip(items, choice.option, strict=True):
        days = item.options[k]
        if item.name in scope.sections:
            planned[item.name] = days
            for d in days:
                day_sections[d].append(item.name)
        else:
            day_structures[days[0]].append(by_id[item.name])

    # 4. Daily routes.
    day_plans = []
    budget = Budget(time_limit_s)
    for d in range(calendar.days):
        date = calendar.date(d)
        required: list[EdgeKey] = []
        seen: set[EdgeKey] = set()
        for sid in day_sections[d]:
            for e in scope.sections[sid].edges:
                if e not in seen:
                    seen.add(e)
                    required.append(e)
        stops: dict[EdgeKey, tuple[str, float]] = {}
        for p in day_structures[d]:
            for e in _road_edges(G, p.edge):
                if e not in seen:
                    seen.add(e)
                    required.append(e)
                # several structures on one road: their times add up
                sid, s = stops.get(e, ("", 0.0))
                name = sid or p.structure.structure_id
                stops[e] = (name, s + 60.0 * p.structure.minutes_on_site)
        routes, problems, routing = _route_day(
            G,
            required=required,
            stops=stops,
            depots=depots,
            vehicle=vehicle,
            engine=scenario.solver.engine,
            time_limit_s=budget.share(1, calendar.days - d),
            seed=seed + d,
            max_iterations=max_iterations,
        )
        day_plans.append(
            DayPlan(
                day=d,
                date=date,
                off=calendar.is_off(date),
                sections=tuple(day_sections[d]),
                structures=tuple(p.structure.structure_id for p in day_structures[d]),
                cars=routes,
                estimate_h=choice.estimate_s[d] / 3600.0,
                routing_violations=problems,
                routing=routing,
            )
        )
        logger.info(
            "%s: %d sections, %d structures, %.1f km, %.2f h",
            date,
            len(day_sections[d]),
            len(day_structures[d]),
            sum(c.km for c in routes),
            sum(c.hours for c in routes),
        )

    # 5. The plan, checked by the independent validator.
    section_plans = tuple(
        SectionPlan(
            section_id=s.section_id,
            route_id=s.route_id,
            route_name=s.route_name,
            admin_id=s.admin_id,
            priority=s.priority,
            road_km=s.road_km,
            reason=s.reason,
            frequency_days=frequencies[s.section_id],
            last_visit=last_visits.get(s.section_id),
            edges=s.edges,
            planned_days=planned.get(s.section_id, ()),
        )
        for s in scope.sections.values()
    )
    day_of = {
        p.structure.structure_id: d
        for d in range(calendar.days)
        for p in day_structures[d]
    }
    structure_plans = tuple(
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
            note=_structure_note(p, calendar.start, scope),
        )
        for p in placed
    )
    plan = PatrolPlan(
        admin=spec.admin,
        start=calendar.start,
        days=calendar.days,
        days_off=spec.days_off,
        frequency_in=spec.frequency_in,
        depot=cars.depot,
        depot_node=depot_node,
        cars=cars.count,
        shift_h=cars.shift_h,
        speed_kph=cars.speed_kph,
        sections=section_plans,
        structures=structure_plans,
        day_plans=tuple(day_plans),
        report=PatrolReport(True, (), (), 0, 0),
        seed=seed,
        unplaced_structures=tuple((s.structure_id, why) for s, why in unplaced),
    )
    report = validate_patrol(G, plan)
    return dataclasses.replace(
        plan, report=report, runtime_s=time.perf_counter() - started
    )
