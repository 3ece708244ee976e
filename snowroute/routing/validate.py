"""Independent plan checker: walks each route's arcs on the problem's own graph.

It shares no code with the engines, the transformation or the shortest-path layer:
every time, length and load is recomputed here from the raw fields of the problem,
so a bug there cannot hide a violation here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from snowroute.routing.problem import ArcRoutingProblem, RequiredArc, VehicleClass
from snowroute.routing.solution import Route

__all__ = ["ValidationReport", "mid_block_u_turns", "turn_s", "validate"]


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """
    What the validator found.

    Parameters
    ----------
    valid
        True when there is no violation.
    violations
        One sentence per violation.
    cost
        Recomputed objective: route times plus fixed costs.
    totals
        Recomputed totals: ``service_s``, ``deadhead_s``, ``served_m``,
        ``deadhead_m``, ``fixed_cost``, ``routes``.
    routes
        Recomputed per-route figures (same keys as the ``Route`` fields, plus
        ``duration_s`` and ``finish_s``), in route order.
    """

    valid: bool
    violations: tuple[str, ...]
    cost: float
    totals: Mapping[str, float] = field(default_factory=dict)
    routes: tuple[Mapping[str, object], ...] = ()


def _service_pass_s(
    problem: ArcRoutingProblem, vc: VehicleClass, r: RequiredArc, arc: int
) -> float:
    graph = problem.graph
    if r.service_s is not None:
        base = r.service_s
    elif vc.plow_speed_kph is not None:
        base = float(graph.length_m[arc]) * 3.6 / vc.plow_speed_kph
    else:
        base = float(graph.travel_s[arc])
    return base + r.extra_service_s


def _deadhead_arc_s(problem: ArcRoutingProblem, vc: VehicleClass, arc: int) -> float:
    graph = problem.graph
    travel = float(graph.travel_s[arc])
    if vc.deadhead_speed_kph is None:
        return travel
    return max(travel, float(graph.length_m[arc]) * 3.6 / vc.deadhead_speed_kph)


def _is_dead_end(problem: ArcRoutingProblem, a: int) -> bool:
    """Whether no arc leaves the head of ``a`` except back to its tail."""
    graph = problem.graph
    v, back = int(graph.head[a]), int(graph.tail[a])
    heads = graph.head[(graph.tail == v) & (graph.head != v)]
    return bool(np.all(heads == back))


def _is_u_turn(problem: ArcRoutingProblem, a: int, b: int) -> bool:
    graph = problem.graph
    return bool(graph.head[b] == graph.tail[a] and graph.tail[a] != graph.head[a])


def mid_block_u_turns(
    problem: ArcRoutingProblem, arcs: Sequence[int], refills: Sequence[int] = ()
) -> int:
    """
    Count the U-turns of an arc sequence made where the road goes on.

    A U-turn is an arc leading straight back to where the previous arc came from;
    it is *mid-block* unless the vertex is a dead end (no other way out). Positions
    in ``refills`` (arc indices where a depot visit comes first) are skipped.
    """
    skip = set(refills)
    count = 0
    for i in range(1, len(arcs)):
        a, b = int(arcs[i - 1]), int(arcs[i])
        if i not in skip and _is_u_turn(problem, a, b) and not _is_dead_end(problem, a):
            count += 1
    return count


def _turn_s(problem: ArcRoutingProblem, a: int, b: int) -> tuple[float, str | None]:
    """Penalty of turning from ``a`` into ``b`` and why it is illegal (or None)."""
    model = problem.turns
    assert model is not None
    rules = model.rules
    if (a, b) in model.banned:
        return 0.0, "a banned turn (turn restriction)"
    if _is_u_turn(problem, a, b):
        dead_end = _is_dead_end(problem, a)
        if rules.u_turns == "never" or (rules.u_turns == "dead_ends" and not dead_end):
            return rules.u_turn_s, "a mid-block U-turn" if not dead_end else "a U-turn"
        return rules.u_turn_s, None
    change = float(model.out_bearing[b]) - float(model.in_bearing[a])
    if math.isnan(change):
        return rules.straight_s, None
    change = (change + 180.0) % 360.0 - 180.0
    if abs(change) <= rules.straight_deg:
        return rules.straight_s, None
    to_right = change > 0
    across = to_right if rules.drive_side == "left" else not to_right
    return (rules.across_s if across else rules.with_s), None


def turn_s(problem: ArcRoutingProblem, a: int, b: int) -> float:
    """Seconds the validator counts for turning from arc ``a`` into arc ``b``.

    Zero without turn rules. Outputs use it so that every time they print is the
    validator's (route sheets, GPX, layers).
    """
    if problem.turns is None:
        return 0.0
    return _turn_s(problem, a, b)[0]


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def validate(
    problem: ArcRoutingProblem, routes: Sequence[Route], *, tolerance: float = 1e-6
) -> ValidationReport:
    """
    Check a plan against every constraint of ``problem`` and recompute its totals.

    With a turn model on the problem, every turn between consecutive arcs (not
    across a depot visit) is also checked against the rules and restrictions, and
    its penalty counts as deadhead time (``totals["mid_block_u_turns"]`` counts
    forbidden U-turns).

    Checks: known vehicle classes and fleet sizes; every route starts and ends at
    its depot and its arcs are consecutive; every serving arc belongs to the
    required arc it claims, in an allowed direction, by a compatible class, and
    matches the route's ``services`` list; every required arc is served the
    required number of times per direction; refill stops are at an allowed refill
    depot; load between refills within capacity; duration within the shift;
    services of each priority class completed by its deadline; the route's
    reported totals equal the recomputed ones (relative ``tolerance``).

    Parameters
    ----------
    problem
        The problem the plan is for.
    routes
        The routes of the plan.
    tolerance
        Relative tolerance for comparing times, lengths and loads.

    Returns
    -------
    ValidationReport
        ``valid``, the violations and the recomputed totals.
    """
    check = _Checker(problem, tolerance)
    recomputed = tuple(check.route(k, route) for k, route in enumerate(routes))
    check.fleet()
    check.coverage()
    totals = check.totals
    cost = totals["service_s"] + totals["deadhead_s"] + totals["fixed_cost"]
    totals["routes"] = float(sum(1 for r in routes if len(r.arcs)))
    return ValidationReport(
        valid=not check.viol,
        violations=tuple(check.viol),
        cost=cost,
        totals=MappingProxyType(totals),
        routes=recomputed,
    )


_EMPTY: Mapping[str, object] = MappingProxyType({})


class _Checker:
    """The violations and recomputed totals of one plan, route by route."""

    def __init__(self, problem: ArcRoutingProblem, tolerance: float) -> None:
        self.problem = problem
        self.tolerance = tolerance
        self.viol: list[str] = []
        self.names = {vc.name: i for i, vc in enumerate(problem.vehicles)}
        self.depots = {d.id: d for d in problem.depots}
        self.served = np.zeros((problem.num_required, 2), dtype=np.int64)
        self.used = dict.fromkeys(self.names, 0)
        self.totals = dict.fromkeys(
            ("service_s", "deadhead_s", "served_m", "deadhead_m", "fixed_cost"), 0.0
        )
        if problem.turns is not None:
            self.totals["mid_block_u_turns"] = 0.0

    def over(self, value: float, limit: float) -> bool:
        """Whether ``value`` exceeds ``limit`` beyond the tolerance."""
        return value > limit * (1 + self.tolerance) + self.tolerance

    def route(self, k: int, route: Route) -> Mapping[str, object]:
        """Check route ``k``; return its figures (empty when it cannot be driven)."""
        if route.vehicle not in self.names:
            self.viol.append(
                f"{f'route {k}'.capitalize()} uses unknown vehicle class "
                f"{route.vehicle!r}."
            )
            return _EMPTY
        vc = self.problem.vehicles[self.names[route.vehicle]]
        where = f"route {k} ({vc.name})".capitalize()
        self.used[vc.name] += 1
        arcs = self._arcs(where, route)
        if arcs is None:
            return _EMPTY
        self.totals["fixed_cost"] += vc.fixed_cost
        self._ends(where, vc, arcs)
        walk = _Walk(self, where, vc)
        walk.drive(
            arcs, [int(s) for s in route.serving], self._refills(where, vc, route, arcs)
        )
        return self._figures(where, vc, route, walk)

    def _arcs(self, where: str, route: Route) -> list[int] | None:
        """Return the route's arcs, or None (and why) when it cannot be driven."""
        graph = self.problem.graph
        arcs = [int(a) for a in route.arcs]
        if len(arcs) != len(route.serving):
            self.viol.append(
                f"{where} has {len(arcs)} arcs but {len(route.serving)} serving flags."
            )
            return None
        bad = [a for a in arcs if not 0 <= a < graph.num_arcs]
        if bad:
            self.viol.append(f"{where} uses arc {bad[0]}, which is not in the graph.")
            return None
        if not arcs:
            if route.services:
                self.viol.append(f"{where} lists services but drives no arc.")
            return None
        return arcs

    def _ends(self, where: str, vc: VehicleClass, arcs: Sequence[int]) -> None:
        """Check that the route starts and ends at its depot, with consecutive arcs."""
        graph = self.problem.graph
        home = self.depots[vc.depot].vertex
        if int(graph.tail[arcs[0]]) != home:
            self.viol.append(
                f"{where} starts at vertex {int(graph.tail[arcs[0]])}, "
                f"not at its depot {vc.depot!r} (vertex {home})."
            )
        if int(graph.head[arcs[-1]]) != home:
            self.viol.append(
                f"{where} ends at vertex {int(graph.head[arcs[-1]])}, not "
                f"at its depot {vc.depot!r} (vertex {home})."
            )
        for i in range(len(arcs) - 1):
            if graph.head[arcs[i]] != graph.tail[arcs[i + 1]]:
                self.viol.append(
                    f"{where} jumps from arc {arcs[i]} (ends at vertex "
                    f"{int(graph.head[arcs[i]])}) to arc {arcs[i + 1]} (starts at "
                    f"vertex {int(graph.tail[arcs[i + 1]])})."
                )
                break

    def _refills(
        self, where: str, vc: VehicleClass, route: Route, arcs: Sequence[int]
    ) -> dict[int, int]:
        """Return the refill stops per arc position, each checked against its depot."""
        graph = self.problem.graph
        refill_at: dict[int, int] = {}
        for stop in route.refills:
            if not 0 <= stop.position <= len(arcs):
                self.viol.append(
                    f"{where} refills at position {stop.position}, "
                    f"outside its {len(arcs)} arcs."
                )
                continue
            if stop.depot not in vc.refill_depots:
                self.viol.append(
                    f"{where} refills at depot {stop.depot!r}, which is "
                    f"not a refill depot of {vc.name!r}."
                )
                continue
            vertex = (
                int(graph.tail[arcs[stop.position]])
                if stop.position < len(arcs)
                else int(graph.head[arcs[-1]])
            )
            depot = self.depots[stop.depot].vertex
            if vertex != depot:
                self.viol.append(
                    f"{where} refills at vertex {vertex}, not at depot "
                    f"{stop.depot!r} (vertex {depot})."
                )
            refill_at[stop.position] = refill_at.get(stop.position, 0) + 1
        return refill_at

    def _figures(
        self, where: str, vc: VehicleClass, route: Route, walk: _Walk
    ) -> Mapping[str, object]:
        """Check a driven route's limits and reported figures; its recomputed ones."""
        listed = [(v.required, v.direction) for v in route.services]
        if listed != walk.visits:
            self.viol.append(
                f"{where} lists services that differ from the arcs it serves."
            )
        if vc.capacity is not None and self.over(walk.peak, vc.capacity):
            self.viol.append(
                f"{where} carries {walk.peak:g}, more than its capacity "
                f"{vc.capacity:g}."
            )
        duration = walk.service_s + walk.deadhead_s
        if vc.shift_s is not None and self.over(duration, vc.shift_s):
            self.viol.append(
                f"{where} takes {duration:.1f} s, longer than its shift "
                f"{vc.shift_s:.1f} s."
            )
        figures = walk.figures()
        self._reported(where, route, figures, walk.finish)
        for name in ("service_s", "deadhead_s", "served_m", "deadhead_m"):
            self.totals[name] += figures[name]
        return MappingProxyType(
            {
                **figures,
                "duration_s": duration,
                "finish_s": MappingProxyType(walk.finish),
            }
        )

    def _reported(
        self,
        where: str,
        route: Route,
        figures: Mapping[str, float],
        finish: Mapping[str, float],
    ) -> None:
        """Check that the route's reported totals equal the recomputed ones."""
        for name, value in figures.items():
            reported = float(getattr(route, name))
            if not _close(reported, value, self.tolerance):
                self.viol.append(
                    f"{where} reports {name} {reported:.6g}, but its arcs "
                    f"give {value:.6g}."
                )
        for name, value in finish.items():
            reported = route.finish_s.get(name, math.nan)
            if not _close(float(reported), value, self.tolerance):
                self.viol.append(
                    f"{where} reports finishing {name!r} at "
                    f"{reported:.6g} s, but its arcs give {value:.6g} s."
                )

    def fleet(self) -> None:
        """Check that no vehicle class drives more routes than it has vehicles."""
        for name, count in self.used.items():
            limit = self.problem.vehicles[self.names[name]].count
            if limit is not None and count > limit:
                self.viol.append(
                    f"Vehicle class {name!r} drives {count} routes but has only "
                    f"{limit} vehicles."
                )

    def coverage(self) -> None:
        """Check that every required arc is served as often as it needs."""
        for index, r in enumerate(self.problem.required):
            fwd, rev = int(self.served[index, 0]), int(self.served[index, 1])
            if r.mode == "forward":
                ok = fwd == r.passes and rev == 0
                want = f"{r.passes} forward"
            elif r.mode == "both":
                ok = fwd == r.passes and rev == r.passes
                want = f"{r.passes} in each direction"
            else:
                ok = fwd + rev == r.passes
                want = f"{r.passes} in either direction"
            if not ok:
                self.viol.append(
                    f"Required arc {r.named} is served {fwd} forward and {rev} "
                    f"reverse, but needs {want}."
                )


class _Walk:
    """One route driven arc by arc: its clock, lengths, times and loads."""

    def __init__(self, check: _Checker, where: str, vc: VehicleClass) -> None:
        self.check = check
        self.problem = check.problem
        self.where = where
        self.vc = vc
        self.t = self.served_m = self.deadhead_m = 0.0
        self.service_s = self.deadhead_s = 0.0
        self.load = self.peak = self.total_load = 0.0
        self.finish: dict[str, float] = {}
        self.visits: list[tuple[int, int]] = []

    def figures(self) -> dict[str, float]:
        """Return the recomputed figures, keyed as the ``Route`` fields."""
        return {
            "served_m": self.served_m,
            "deadhead_m": self.deadhead_m,
            "service_s": self.service_s,
            "deadhead_s": self.deadhead_s,
            "load": self.total_load,
            "peak_load": self.peak,
        }

    def drive(
        self, arcs: Sequence[int], serving: Sequence[int], refill_at: Mapping[int, int]
    ) -> None:
        """Drive every arc, turning between them except across a depot visit."""
        for i, (a, s) in enumerate(zip(arcs, serving, strict=True)):
            if i in refill_at:
                self.load = 0.0
            if self.problem.turns is not None and i > 0 and i not in refill_at:
                self._turn(arcs[i - 1], a)
            if s < 0:
                self._deadhead(a)
            else:
                self._serve(a, s)

    def _turn(self, a: int, b: int) -> None:
        turn, illegal = _turn_s(self.problem, a, b)
        if illegal is not None:
            self.check.viol.append(
                f"{self.where} makes {illegal} from arc {a} into arc {b}."
            )
            if illegal == "a mid-block U-turn":
                self.check.totals["mid_block_u_turns"] += 1
        self.deadhead_s += turn
        self.t += turn

    def _deadhead(self, a: int) -> None:
        dt = _deadhead_arc_s(self.problem, self.vc, a)
        self.deadhead_s += dt
        self.deadhead_m += float(self.problem.graph.length_m[a])
        self.t += dt

    def _direction(self, a: int, s: int) -> tuple[RequiredArc, int] | None:
        """Return the required arc ``a`` serves and its direction, or None (and why)."""
        if s >= self.problem.num_required:
            self.check.viol.append(
                f"{self.where} serves required arc {s}, which does not exist."
            )
            return None
        r = self.problem.required[s]
        if a == r.arc:
            return r, 0
        if a == r.reverse_arc and r.mode != "forward":
            return r, 1
        self.check.viol.append(
            f"{self.where} serves {r.named} on arc {a}, which is not "
            "an allowed direction of it."
        )
        return None

    def _serve(self, a: int, s: int) -> None:
        found = self._direction(a, s)
        if found is None:
            return
        r, direction = found
        if not self.vc.can_serve(r):
            self.check.viol.append(
                f"{self.where} serves {r.named}, which vehicle class "
                f"{self.vc.name!r} may not serve."
            )
        self.check.served[s, direction] += 1
        self.visits.append((s, direction))
        dt = _service_pass_s(self.problem, self.vc, r, a)
        self.service_s += dt
        self.served_m += float(self.problem.graph.length_m[a])
        self.t += dt
        self.load += r.demand
        self.total_load += r.demand
        self.peak = max(self.peak, self.load)
        if r.priority is not None:
            self._deadline(r)

    def _deadline(self, r: RequiredArc) -> None:
        assert r.priority is not None
        self.finish[r.priority] = max(self.finish.get(r.priority, 0.0), self.t)
        deadline = self.problem.deadlines.get(r.priority)
        if deadline is not None and self.check.over(self.t, deadline):
            self.check.viol.append(
                f"{self.where} completes {r.named} ({r.priority}) at "
                f"{self.t:.1f} s, after its deadline {deadline:.1f} s."
            )
