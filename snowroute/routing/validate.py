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

__all__ = ["ValidationReport", "mid_block_u_turns", "validate"]


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """
    What the validator found.

    Parameters
    ----------
    ok
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

    ok: bool
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
        ``ok``, the violations and the recomputed totals.
    """
    graph = problem.graph
    viol: list[str] = []
    names = {vc.name: i for i, vc in enumerate(problem.vehicles)}
    depots = {d.id: d for d in problem.depots}
    served = np.zeros((problem.num_required, 2), dtype=np.int64)
    used = dict.fromkeys(names, 0)
    totals = dict.fromkeys(
        ("service_s", "deadhead_s", "served_m", "deadhead_m", "fixed_cost"), 0.0
    )
    if problem.turns is not None:
        totals["mid_block_u_turns"] = 0.0
    recomputed: list[Mapping[str, object]] = []

    for k, route in enumerate(routes):
        where = f"route {k}"
        if route.vehicle not in names:
            viol.append(
                f"{where.capitalize()} uses unknown vehicle class {route.vehicle!r}."
            )
            recomputed.append(MappingProxyType({}))
            continue
        vc = problem.vehicles[names[route.vehicle]]
        where = f"route {k} ({vc.name})"
        used[vc.name] += 1
        arcs = [int(a) for a in route.arcs]
        serving = [int(s) for s in route.serving]
        if len(arcs) != len(serving):
            viol.append(
                f"{where.capitalize()} has {len(arcs)} arcs but {len(serving)} serving "
                "flags."
            )
            recomputed.append(MappingProxyType({}))
            continue
        bad = [a for a in arcs if not 0 <= a < graph.num_arcs]
        if bad:
            viol.append(
                f"{where.capitalize()} uses arc {bad[0]}, which is not in the graph."
            )
            recomputed.append(MappingProxyType({}))
            continue
        home = depots[vc.depot].vertex
        if not arcs:
            if route.services:
                viol.append(f"{where.capitalize()} lists services but drives no arc.")
            recomputed.append(MappingProxyType({}))
            continue
        totals["fixed_cost"] += vc.fixed_cost
        if int(graph.tail[arcs[0]]) != home:
            viol.append(
                f"{where.capitalize()} starts at vertex {int(graph.tail[arcs[0]])}, "
                f"not at its depot {vc.depot!r} (vertex {home})."
            )
        if int(graph.head[arcs[-1]]) != home:
            viol.append(
                f"{where.capitalize()} ends at vertex {int(graph.head[arcs[-1]])}, not "
                f"at its depot {vc.depot!r} (vertex {home})."
            )
        for i in range(len(arcs) - 1):
            if graph.head[arcs[i]] != graph.tail[arcs[i + 1]]:
                viol.append(
                    f"{where.capitalize()} jumps from arc {arcs[i]} (ends at vertex "
                    f"{int(graph.head[arcs[i]])}) to arc {arcs[i + 1]} (starts at "
                    f"vertex {int(graph.tail[arcs[i + 1]])})."
                )
                break

        refill_at: dict[int, int] = {}
        for stop in route.refills:
            if not 0 <= stop.position <= len(arcs):
                viol.append(
                    f"{where.capitalize()} refills at position {stop.position}, "
                    f"outside its {len(arcs)} arcs."
                )
                continue
            if stop.depot not in vc.refill_depots:
                viol.append(
                    f"{where.capitalize()} refills at depot {stop.depot!r}, which is "
                    f"not a refill depot of {vc.name!r}."
                )
                continue
            vertex = (
                int(graph.tail[arcs[stop.position]])
                if stop.position < len(arcs)
                else int(graph.head[arcs[-1]])
            )
            if vertex != depots[stop.depot].vertex:
                viol.append(
                    f"{where.capitalize()} refills at vertex {vertex}, not at depot "
                    f"{stop.depot!r} (vertex {depots[stop.depot].vertex})."
                )
            refill_at[stop.position] = refill_at.get(stop.position, 0) + 1

        t = served_m = deadhead_m = service_s = deadhead_s = 0.0
        load = peak = total_load = 0.0
        finish: dict[str, float] = {}
        visits = []
        for i, (a, s) in enumerate(zip(arcs, serving, strict=True)):
            if i in refill_at:
                load = 0.0
            if problem.turns is not None and i > 0 and i not in refill_at:
                turn, illegal = _turn_s(problem, arcs[i - 1], a)
                if illegal is not None:
                    viol.append(
                        f"{where.capitalize()} makes {illegal} from arc {arcs[i - 1]} "
                        f"into arc {a}."
                    )
                    if illegal == "a mid-block U-turn":
                        totals["mid_block_u_turns"] += 1
                deadhead_s += turn
                t += turn
            length = float(graph.length_m[a])
            if s < 0:
                dt = _deadhead_arc_s(problem, vc, a)
                deadhead_s += dt
                deadhead_m += length
                t += dt
                continue
            if s >= problem.num_required:
                viol.append(
                    f"{where.capitalize()} serves required arc {s}, which does not "
                    "exist."
                )
                continue
            r = problem.required[s]
            if a == r.arc:
                direction = 0
            elif a == r.reverse_arc and r.mode != "forward":
                direction = 1
            else:
                viol.append(
                    f"{where.capitalize()} serves {r.ref!r} on arc {a}, which is not "
                    "an allowed direction of it."
                )
                continue
            if not vc.can_serve(r):
                viol.append(
                    f"{where.capitalize()} serves {r.ref!r}, which vehicle class "
                    f"{vc.name!r} may not serve."
                )
            served[s, direction] += 1
            visits.append((s, direction))
            dt = _service_pass_s(problem, vc, r, a)
            service_s += dt
            served_m += length
            t += dt
            load += r.demand
            total_load += r.demand
            peak = max(peak, load)
            if r.priority is not None:
                finish[r.priority] = max(finish.get(r.priority, 0.0), t)
                deadline = problem.deadlines.get(r.priority)
                if deadline is not None and t > deadline * (1 + tolerance) + tolerance:
                    viol.append(
                        f"{where.capitalize()} completes {r.ref!r} ({r.priority}) at "
                        f"{t:.1f} s, after its deadline {deadline:.1f} s."
                    )

        listed = [(v.required, v.direction) for v in route.services]
        if listed != visits:
            viol.append(
                f"{where.capitalize()} lists services that differ from the arcs it "
                "serves."
            )
        if vc.capacity is not None and peak > vc.capacity * (1 + tolerance) + tolerance:
            viol.append(
                f"{where.capitalize()} carries {peak:g}, more than its capacity "
                f"{vc.capacity:g}."
            )
        duration = service_s + deadhead_s
        if (
            vc.shift_s is not None
            and duration > vc.shift_s * (1 + tolerance) + tolerance
        ):
            viol.append(
                f"{where.capitalize()} takes {duration:.1f} s, longer than its shift "
                f"{vc.shift_s:.1f} s."
            )
        figures: dict[str, float] = {
            "served_m": served_m,
            "deadhead_m": deadhead_m,
            "service_s": service_s,
            "deadhead_s": deadhead_s,
            "load": total_load,
            "peak_load": peak,
        }
        for name, value in figures.items():
            reported = float(getattr(route, name))
            if not _close(reported, value, tolerance):
                viol.append(
                    f"{where.capitalize()} reports {name} {reported:.6g}, but its arcs "
                    f"give {value:.6g}."
                )
        for name, value in finish.items():
            reported = route.finish_s.get(name, math.nan)
            if not _close(float(reported), value, tolerance):
                viol.append(
                    f"{where.capitalize()} reports finishing {name!r} at "
                    f"{reported:.6g} s, but its arcs give {value:.6g} s."
                )
        for name in ("service_s", "deadhead_s", "served_m", "deadhead_m"):
            totals[name] += figures[name]
        recomputed.append(
            MappingProxyType(
                {
                    **figures,
                    "duration_s": duration,
                    "finish_s": MappingProxyType(finish),
                }
            )
        )

    for name, count in used.items():
        limit = problem.vehicles[names[name]].count
        if limit is not None and count > limit:
            viol.append(
                f"Vehicle class {name!r} drives {count} routes but has only {limit} "
                "vehicles."
            )

    for index, r in enumerate(problem.required):
        fwd, rev = int(served[index, 0]), int(served[index, 1])
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
            viol.append(
                f"Required arc {r.ref!r} is served {fwd} forward and {rev} reverse, "
                f"but needs {want}."
            )

    cost = totals["service_s"] + totals["deadhead_s"] + totals["fixed_cost"]
    totals["routes"] = float(sum(1 for r in routes if len(r.arcs)))
    return ValidationReport(
        ok=not viol,
        violations=tuple(viol),
        cost=cost,
        totals=MappingProxyType(totals),
        routes=tuple(recomputed),
    )
