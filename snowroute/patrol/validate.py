"""Independent patrol plan checker: frequencies, structures, routes and shifts.

Reads only the plan's car routes, its stated frequencies, last visits and due
dates, and the road graph: which sections count as visited (every road of the
section patrolled, in either direction, on that day; roads merely driven through do
not count), the longest gap per section across the horizon's start and end, every
due structure inspected on or before its due date on a day a car patrols its road,
routes that are continuous and start and end at the depot, and route times (edges
patrolled at the patrol speed, driven through at the patrol speed or the road's own
if slower, plus time on site) within the shift. It shares no code with the planner.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx

from snowroute.network import attributes as A
from snowroute.patrol.plan import (
    CarRoute,
    DayPlan,
    PatrolPlan,
    PatrolReport,
    SectionCompliance,
    StructurePlan,
)

__all__ = ["validate_patrol"]

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TOLERANCE_S = 1.0

Road = tuple[frozenset[Hashable], str]


def _road(G: nx.MultiDiGraph, edge: tuple[Hashable, Hashable, int]) -> Road:
    return (frozenset(edge[:2]), str(G.edges[edge].get("osmid")))


def _is_off(date: dt.date, days_off: tuple[str, ...]) -> bool:
    off = {d.lower() for d in days_off}
    return _WEEKDAYS[date.weekday()] in off or date.isoformat() in off


def _position(plan: PatrolPlan, date: dt.date) -> int:
    offset = (date - plan.start).days
    if plan.frequency_in != "patrol_days":
        return offset
    step = 1 if offset >= 0 else -1
    lo, hi = (plan.start, date) if offset >= 0 else (date, plan.start)
    count = 0
    day = lo
    while day < hi:
        count += not _is_off(day, plan.days_off)
        day += dt.timedelta(days=1)
    return step * count


def _route_seconds(
    G: nx.MultiDiGraph, route: CarRoute, speed_kph: float, minutes: float
) -> float:
    total = 60.0 * minutes
    for edge, serving in zip(route.edges, route.serving, strict=True):
        data: Any = G.edges[edge]
        length = float(data["length"])
        at_patrol = length * 3.6 / speed_kph
        if serving:
            total += at_patrol
            continue
        if "travel_time" in data:
            own = float(data["travel_time"])
        else:
            own = length * 3.6 / float(data[A.SPEED_KPH])
        total += max(at_patrol, own)
    return total


def _check_route(
    G: nx.MultiDiGraph, plan: PatrolPlan, date: dt.date, route: CarRoute
) -> list[str]:
    where = f"{date} car {route.car}"
    if len(route.edges) != len(route.serving):
        n_flags, n_edges = len(route.serving), len(route.edges)
        return [f"Route of {where} has {n_flags} flags for {n_edges} edges."]
    out = []
    for edge in route.edges:
        if not G.has_edge(*edge):
            return [
                f"Route of {where} drives edge {edge}, which is not in the network."
            ]
        if A.parse_bool(G.edges[edge].get(A.WINTER_CLOSED, False)):
            out.append(f"Route of {where} drives winter-closed edge {edge}.")
    if route.edges:
        if (
            route.edges[0][0] != plan.depot_node
            or route.edges[-1][1] != plan.depot_node
        ):
            out.append(
                f"Route of {where} does not start and end at depot {plan.depot}."
            )
        for a, b in zip(route.edges, route.edges[1:], strict=False):
            if a[1] != b[0]:
                out.append(f"Route of {where} jumps from node {a[1]} to node {b[0]}.")
                break
    return out


def validate_patrol(G: nx.MultiDiGraph, plan: PatrolPlan) -> PatrolReport:
    """
    Check ``plan`` against its frequencies, structures, cars and shifts.

    Parameters
    ----------
    G
        The road network the plan was made on.
    plan
        The plan (its ``report`` is ignored and recomputed).

    Returns
    -------
    PatrolReport
        Compliance per section, structure counts and one sentence per violation.
    """
    days = _DayChecks(G, plan)
    for day in plan.day_plans:
        days.check(day)
    compliance, frequency_violations = _check_frequencies(G, plan, days.served)
    due, scheduled, structure_violations = _check_structures(G, plan, days.inspected_on)
    violations = [*days.violations, *frequency_violations, *structure_violations]
    for sid, why in plan.unplaced_structures:
        violations.append(f"Structure {sid} cannot be placed on a road: {why}.")
    return PatrolReport(
        valid=not violations,
        violations=tuple(violations),
        sections=tuple(compliance),
        structures_due=due + len(plan.unplaced_structures),
        structures_scheduled=scheduled,
    )


class _DayChecks:
    """Checks the days of a plan one by one, noting what each car patrols."""

    def __init__(self, G: nx.MultiDiGraph, plan: PatrolPlan) -> None:
        self.G = G
        self.plan = plan
        self.violations: list[str] = []
        #: Day number → roads patrolled (served) that day.
        self.served: dict[int, set[Road]] = defaultdict(set)
        #: Structure id → (day number, route) of each route that claims it.
        self.inspected_on: dict[str, list[tuple[int, CarRoute]]] = defaultdict(list)
        self._minutes = {s.structure_id: s.minutes_on_site for s in plan.structures}

    def check(self, day: DayPlan) -> None:
        """Check one day: its date, day off, number of cars and every route."""
        plan = self.plan
        if not 0 <= day.day < plan.days or day.date != plan.start + dt.timedelta(
            days=day.day
        ):
            self.violations.append(
                f"Day {day.day} ({day.date}) is not a day of the horizon."
            )
            return
        if day.cars and _is_off(day.date, plan.days_off):
            self.violations.append(f"Cars patrol on {day.date}, a day off.")
        if len(day.cars) > plan.cars:
            self.violations.append(
                f"{len(day.cars)} cars patrol on {day.date}; only {plan.cars} exist."
            )
        for route in day.cars:
            self._check_car(day, route)

    def _check_car(self, day: DayPlan, route: CarRoute) -> None:
        """Check one route's edges and time; note its patrolled roads and stops."""
        G, plan = self.G, self.plan
        problems = _check_route(G, plan, day.date, route)
        self.violations.extend(problems)
        if problems and "not in the network" in problems[0]:
            return
        stop = 0.0
        for sid in route.structures:
            stop += self._minutes.get(sid, 0.0)
            self.inspected_on[sid].append((day.day, route))
        seconds = _route_seconds(G, route, plan.speed_kph, stop)
        if seconds > plan.shift_h * 3600.0 + _TOLERANCE_S:
            self.violations.append(
                f"Car {route.car} on {day.date} works {seconds / 3600:.2f} h, "
                f"longer than the {plan.shift_h:g} h shift."
            )
        if abs(seconds / 3600 - route.hours) > 0.01 * max(route.hours, 0.1):
            self.violations.append(
                f"Car {route.car} on {day.date} reports {route.hours:.2f} h but "
                f"its route takes {seconds / 3600:.2f} h."
            )
        for edge, flag in zip(route.edges, route.serving, strict=True):
            if flag:
                self.served[day.day].add(_road(G, edge))


def _check_frequencies(
    G: nx.MultiDiGraph, plan: PatrolPlan, served: Mapping[int, set[Road]]
) -> tuple[list[SectionCompliance], list[str]]:
    """Return each section's visits and longest gap, and the gaps too long.

    A section counts as visited on a day when every road of it is patrolled.
    """
    end = _position(plan, plan.start + dt.timedelta(days=plan.days))
    compliance = []
    violations = []
    for s in plan.sections:
        roads = {_road(G, e) for e in s.edges}
        visits = tuple(d for d in range(plan.days) if roads <= served.get(d, set()))
        marks = [-1 if s.last_visit is None else _position(plan, s.last_visit)]
        marks += [_position(plan, plan.start + dt.timedelta(days=d)) for d in visits]
        marks.append(end)
        gap = max(b - a for a, b in itertools.pairwise(marks))
        ok = gap <= s.frequency_days
        if not ok:
            unit = "patrol days" if plan.frequency_in == "patrol_days" else "days"
            violations.append(
                f"Section {s.section_id} goes {gap} {unit} between patrols; its "
                f"frequency is {s.frequency_days}."
            )
        compliance.append(
            SectionCompliance(s.section_id, s.frequency_days, visits, gap, ok)
        )
    return compliance, violations


def _check_structures(
    G: nx.MultiDiGraph,
    plan: PatrolPlan,
    inspected_on: Mapping[str, list[tuple[int, CarRoute]]],
) -> tuple[int, int, list[str]]:
    """Return the structures due, those inspected in time, and what is missed."""
    last = plan.start + dt.timedelta(days=plan.days - 1)
    due = [x for x in plan.structures if x.due <= last]
    scheduled = 0
    violations = []
    for st in due:
        problem = _structure_problem(G, plan, st, inspected_on)
        if problem:
            violations.append(problem)
        else:
            scheduled += 1
    return len(due), scheduled, violations


def _structure_problem(
    G: nx.MultiDiGraph,
    plan: PatrolPlan,
    st: StructurePlan,
    inspected_on: Mapping[str, list[tuple[int, CarRoute]]],
) -> str:
    """Return why due structure ``st`` is not inspected in time, or ``""``."""
    if st.edge is None or st.day is None:
        return f"Structure {st.structure_id} is due {st.due} but not scheduled."
    date = plan.start + dt.timedelta(days=st.day)
    if st.due >= plan.start and date > st.due:
        return (
            f"Structure {st.structure_id} is inspected on {date}, after its due "
            f"date {st.due}."
        )
    road = _road(G, st.edge)
    routes = [r for d, r in inspected_on.get(st.structure_id, []) if d == st.day]
    if not any(
        f and _road(G, e) == road
        for r in routes
        for e, f in zip(r.edges, r.serving, strict=True)
    ):
        return (
            f"Structure {st.structure_id} is scheduled on {date} but no patrol "
            "inspects its road that day."
        )
    return ""
