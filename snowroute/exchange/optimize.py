"""The optimised exchange: CP-SAT section assignment, re-routing, neighbourhood search.

1. Estimate, for every exchange unit and every administrator that may take it, the
   marginal time: plowing it with that fleet (fastest compatible vehicle, every
   pass) plus, for a taker, the round trip from the taker's own roads or depot to
   the unit. For the owner, a piece of its roads cut off from its other roads
   saves that round trip once the whole piece is handed over.
2. Choose which units change hands with OR-Tools CP-SAT: minimise estimated time
   plus ``admin_cost_h`` per exchanged unit, each unit to its owner or an allowed
   partner that can plow it, km given and received within the balance tolerance
   for every partner pair, locks (never / must) respected, each fleet's estimated
   load within its hours.
3. Re-route every administrator over its new roads with the routing engine; the
   validator's figures decide.
4. Large neighbourhood search: each round frees one partner pair, forbids a
   random part of its exchanges, perturbs its estimates, re-solves the
   assignment and re-routes the two administrators; the plan is kept only when
   it is valid and its real objective (route hours plus admin cost) is lower.

The best plan found is never worse than the baseline, which is a valid exchange
(none) and the search's starting point.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from snowroute._errors import ScenarioError
from snowroute.exchange.plans import (
    ExchangeContext,
    Plan,
    Router,
    assignment_plan,
    required_edges,
)
from snowroute.network import attributes as A
from snowroute.prepare import EdgeKey
from snowroute.routing import ArcRoutingProblem

__all__ = ["Estimates", "estimate", "optimize_exchange", "solve_assignment"]

logger = logging.getLogger(__name__)

#: Share of a fleet's hours (vehicles x shift) the estimated load may fill.
FLEET_LOAD = 0.85
#: Share of a pair's exchanges forbidden in one search round.
DESTROY_SHARE = 0.3
#: Relative noise on a freed pair's estimates in one search round.
NOISE = 0.2


@dataclass(frozen=True, slots=True, eq=False)
class Estimates:
    """
    Marginal-time estimates (seconds) that drive the assignment model.

    Parameters
    ----------
    options
        Unit id → administrators that may plow it (owner first).
    service_s
        (unit id, admin) → plowing time of the unit with that fleet.
    access_s
        (unit id, taker) → round trip from the taker's roads or depot to the unit.
    pieces
        Per owner, its cut-off pieces: (unit ids, round trip saved when all go).
    fleet_s
        Admin → hours its estimated load may fill, in seconds.
    """

    options: Mapping[str, tuple[str, ...]]
    service_s: Mapping[tuple[str, str], float]
    access_s: Mapping[tuple[str, str], float]
    pieces: Mapping[str, tuple[tuple[tuple[str, ...], float], ...]]
    fleet_s: Mapping[str, float]


def _locked(ctx: ExchangeContext) -> tuple[set[str], dict[str, str]]:
    """Units that never move, and units that must move (→ taker)."""
    spec = ctx.scenario.exchange
    never_ids = set(spec.never)
    known = {u.route_id for u in ctx.units.values()}
    known |= {str(s) for _, _, s in ctx.G.edges(data=A.SECTION_ID)}
    known |= {str(r) for _, _, r in ctx.G.edges(data=A.ROUTE_ID)}
    for i, item in enumerate(spec.never):
        if item not in known:
            msg = (
                f"Scenario field `exchange.never[{i}]`: {item!r} is neither a route "
                "nor a section of the road network."
            )
            raise ScenarioError(msg)
    never = set()
    for unit in ctx.units.values():
        ids = {unit.id, unit.route_id}
        ids |= {str(ctx.G.edges[e][A.SECTION_ID]) for e in unit.edges}
        if ids & never_ids:
            never.add(unit.id)
    from snowroute.exchange.units import resolve_exchanges

    moved = resolve_exchanges(
        ctx.G, ctx.plow, spec.must, field="exchange.must", takers=ctx.admins
    )
    must: dict[str, str] = {}
    for edge, taker in moved.items():
        unit_id = ctx.unit_of[edge]
        if must.get(unit_id, taker) != taker:
            msg = (
                f"Scenario field `exchange.must` hands unit {unit_id!r} to two "
                "administrators."
            )
            raise ScenarioError(msg)
        must[unit_id] = taker
    clash = sorted(set(must) & never)
    if clash:
        msg = (
            "Scenario fields `exchange.must` and `exchange.never` both lock "
            f"{clash[0]!r}."
        )
        raise ScenarioError(msg)
    return never, must


def _min_csr(n: int, tail: np.ndarray, head: np.ndarray, w: np.ndarray) -> csr_matrix:
    """Sparse matrix keeping the cheapest of parallel arcs (csr would sum them)."""
    order = np.lexsort((w, head, tail))
    t, h, c = tail[order], head[order], w[order]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    # zero-cost arcs would vanish from a sparse matrix: give them a tiny cost
    return csr_matrix((np.maximum(c[first], 1e-6), (t[first], h[first])), shape=(n, n))


def estimate(
    ctx: ExchangeContext, problem: ArcRoutingProblem, baseline: Plan
) -> Estimates:
    """Marginal-time estimates on the pooled ``problem`` (every road, every fleet)."""
    graph = problem.graph
    assert graph.vertex_refs is not None
    vertex = {node: i for i, node in enumerate(graph.vertex_refs)}
    classes: defaultdict[str, list[int]] = defaultdict(list)
    for c, vc in enumerate(problem.vehicles):
        classes[ctx.admin_of_vehicle[vc.name]].append(c)
    req_of: defaultdict[str, list[int]] = defaultdict(list)
    for i in range(problem.num_required):
        req_of[ctx.unit_of[required_edges(problem, i)[0]]].append(i)
    unit_vertices = {
        u.id: sorted({vertex[n] for e in u.edges for n in e[:2]})
        for u in ctx.units.values()
    }

    service: dict[tuple[str, str], float] = {}
    for unit_id, reqs in req_of.items():
        for admin in ctx.admins:
            total = 0.0
            for i in reqs:
                times = [
                    float(np.nanmin(problem.service_s[c, i]))
                    for c in classes[admin]
                    if problem.compatible[c, i]
                ]
                if not times:
                    total = math.inf
                    break
                total += min(times) * problem.required[i].num_services
            service[(unit_id, admin)] = total

    own_vertices: defaultdict[str, set[int]] = defaultdict(set)
    for unit in ctx.units.values():
        own_vertices[unit.owner].update(unit_vertices[unit.id])
    depot_vertex = {d.id: d.vertex for d in problem.depots}
    home = {a: {depot_vertex[v.depot] for v in ctx.fleets[a]} for a in ctx.admins}
    n = graph.num_vertices
    options: dict[str, tuple[str, ...]] = {}
    access: dict[tuple[str, str], float] = {}
    pieces: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = {}
    for admin in ctx.admins:
        c0 = classes[admin][0]
        w = problem.deadhead_s(c0)
        fwd = _min_csr(n, graph.tail, graph.head, w)
        bwd = _min_csr(n, graph.head, graph.tail, w)
        sources = sorted(own_vertices[admin] | home[admin])
        d_to = dijkstra(fwd, indices=sources, min_only=True)
        d_from = dijkstra(bwd, indices=sources, min_only=True)
        for unit in ctx.units.values():
            if unit.owner == admin:
                continue
            vs = unit_vertices[unit.id]
            access[(unit.id, admin)] = float(d_to[vs].min() + d_from[vs].min())
        pieces[admin] = _pieces(ctx, admin, unit_vertices, home[admin], fwd, bwd)
    for unit in ctx.units.values():
        takers = [
            p
            for p in ctx.partners_of(unit.owner)
            if math.isfinite(service[(unit.id, p)])
            and math.isfinite(access.get((unit.id, p), math.inf))
        ]
        options[unit.id] = (unit.owner, *takers)

    fleet_s = {}
    for admin in ctx.admins:
        hours = sum((v.count or 1) * (v.shift_s or 86_400.0) for v in ctx.fleets[admin])
        dead = baseline.parts[admin][1].deadhead_s if admin in baseline.parts else 0.0
        own = sum(
            service[(u.id, admin)] for u in ctx.units.values() if u.owner == admin
        )
        fleet_s[admin] = max(FLEET_LOAD * hours - dead, own)
    return Estimates(
        options=options,
        service_s=service,
        access_s=access,
        pieces=pieces,
        fleet_s=fleet_s,
    )


def _pieces(
    ctx: ExchangeContext,
    admin: str,
    unit_vertices: Mapping[str, list[int]],
    home: set[int],
    fwd: csr_matrix,
    bwd: csr_matrix,
) -> tuple[tuple[tuple[str, ...], float], ...]:
    """Return the pieces of ``admin``'s roads away from its depot, with round trips."""
    own = [u.id for u in ctx.units.values() if u.owner == admin]
    if len(own) < 2:
        return ()
    parent = {u: u for u in own}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    first: dict[int, str] = {}
    for u in own:
        for v in unit_vertices[u]:
            if v in first:
                parent[find(u)] = find(first[v])
            else:
                first[v] = u
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for u in own:
        groups[find(u)].append(u)
    if len(groups) < 2:
        return ()
    out = []
    for members in sorted(groups.values()):
        vs = sorted({v for u in members for v in unit_vertices[u]})
        if home & set(vs):
            continue
        rest = np.ones(fwd.shape[0], dtype=bool)
        rest[vs] = False
        targets = np.zeros(fwd.shape[0], dtype=bool)
        targets[list(home)] = True
        for u in own:
            if u not in members:
                targets[unit_vertices[u]] = True
        targets &= rest
        if not targets.any():
            continue
        go = dijkstra(bwd, indices=vs, min_only=True)  # from the rest to the piece
        back = dijkstra(fwd, indices=vs, min_only=True)  # from the piece to the rest
        trip = float(go[targets].min() + back[targets].min())
        if math.isfinite(trip) and trip > 0:
            out.append((tuple(sorted(members)), trip))
    return tuple(out)


def solve_assignment(
    ctx: ExchangeContext,
    est: Estimates,
    *,
    fixed: Mapping[str, str] | None = None,
    forbid: Mapping[str, str] | None = None,
    noise: Mapping[str, float] | None = None,
    hint: Mapping[str, str] | None = None,
    time_limit_s: float = 10.0,
) -> dict[str, str] | None:
    """Assign each unit id to the administrator that plows it (CP-SAT model).

    Parameters
    ----------
    ctx, est
        Context and estimates.
    fixed
        Units whose administrator is decided (locks, pairs not being searched).
    forbid
        Unit → administrator it must not go to (search rounds).
    noise
        Unit → factor on its estimated exchange gain (search rounds).
    hint
        A starting assignment (the pooled plan's).
    time_limit_s
        Wall-clock limit of the model.

    Returns
    -------
    dict or None
        The assignment, or None when the locks make the balance impossible.
    """
    spec = ctx.scenario.exchange
    fixed = fixed or {}
    forbid = forbid or {}
    noise = noise or {}
    model = cp_model.CpModel()
    x: dict[tuple[str, str], cp_model.IntVar] = {}
    cost_terms = []
    admin_cost_s = spec.admin_cost_h * 3600.0
    load: defaultdict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for unit_id, options in est.options.items():
        unit = ctx.units[unit_id]
        owner = unit.owner
        vars_ = []
        for admin in options:
            if forbid.get(unit_id) == admin:
                continue
            var = model.new_bool_var(f"x[{unit_id},{admin}]")
            x[(unit_id, admin)] = var
            vars_.append(var)
            own_s = est.service_s[(unit_id, admin)]
            if admin != owner:
                gain = est.service_s[(unit_id, owner)] - own_s
                gain -= est.access_s[(unit_id, admin)]
                gain *= noise.get(unit_id, 1.0)
                cost_terms.append((round(admin_cost_s - gain), var))
                own_s += est.access_s[(unit_id, admin)]
            load[admin].append((round(own_s), var))
        model.add_exactly_one(vars_)
        if unit_id in fixed:
            target = fixed[unit_id]
            if (unit_id, target) not in x:
                return None
            model.add(x[(unit_id, target)] == 1)
        if hint and (unit_id, hint.get(unit_id, "")) in x:
            for admin in options:
                if (unit_id, admin) in x:
                    model.add_hint(x[(unit_id, admin)], admin == hint[unit_id])
    for owner, owner_pieces in est.pieces.items():
        for members, trip in owner_pieces:
            keep = [x[(u, owner)] for u in members if (u, owner) in x]
            if not keep or any(u not in est.options for u in members):
                continue
            y = model.new_bool_var(f"gone[{members[0]}]")
            for var in keep:
                model.add_implication(y, var.Not())
            cost_terms.append((-round(trip), y))
    for admin, terms in load.items():
        model.add(sum(c * v for c, v in terms) <= round(est.fleet_s[admin]))
    tolerance = spec.balance_tolerance
    if tolerance is not None:
        scale = 1000
        keep_share = scale - round(scale * tolerance)
        for a, b in ctx.pairs:
            ab = [
                (round(1000 * ctx.units[u].km), x[(u, b)])
                for u in est.options
                if ctx.units[u].owner == a and (u, b) in x
            ]
            ba = [
                (round(1000 * ctx.units[u].km), x[(u, a)])
                for u in est.options
                if ctx.units[u].owner == b and (u, a) in x
            ]
            if not ab and not ba:
                continue
            given = sum(c * v for c, v in ab)
            taken = sum(c * v for c, v in ba)
            model.add(keep_share * given <= scale * taken)
            model.add(keep_share * taken <= scale * given)
    model.minimize(sum(c * v for c, v in cost_terms))
    solver = cp_model.CpSolver()
    # deterministic time (about seconds) keeps the answer independent of load
    solver.parameters.max_deterministic_time = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = ctx.seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    logger.info(
        "assignment model: %s, estimated gain %.2f h",
        solver.status_name(status),
        -solver.objective_value / 3600,
    )
    return {
        unit_id: next(
            a for a in options if (unit_id, a) in x and solver.value(x[(unit_id, a)])
        )
        for unit_id, options in est.options.items()
    }


def _packages(
    ctx: ExchangeContext, est: Estimates, never: set[str]
) -> list[tuple[dict[str, str], tuple[str, str]]]:
    """Cut-off pieces worth handing over whole, best estimated gain first.

    Each is (unit → taker for every unit of the piece, the partner pair); the
    search forces one in and lets the assignment model balance it.
    """
    scored = []
    for owner, owner_pieces in est.pieces.items():
        for members, trip in owner_pieces:
            if any(u in never for u in members):
                continue
            for taker in ctx.partners_of(owner):
                if any(taker not in est.options.get(u, ()) for u in members):
                    continue
                gain = trip + sum(
                    est.service_s[(u, owner)]
                    - est.service_s[(u, taker)]
                    - est.access_s[(u, taker)]
                    for u in members
                )
                if gain > 0:
                    pair = (min(owner, taker), max(owner, taker))
                    scored.append((-gain, members, taker, pair))
    scored.sort()
    return [({u: taker for u in members}, pair) for _, members, taker, pair in scored]


def _edge_assignment(
    ctx: ExchangeContext, units: Mapping[str, str]
) -> dict[EdgeKey, str]:
    return {e: units.get(ctx.unit_of[e], owner) for e, owner in ctx.plow.items()}


def _objective_h(ctx: ExchangeContext, plan: Plan) -> float:
    return plan.duration_s / 3600 + ctx.scenario.exchange.admin_cost_h * len(
        plan.moved_units(ctx)
    )


def optimize_exchange(
    ctx: ExchangeContext,
    router: Router,
    *,
    pooled_problem: ArcRoutingProblem,
    pooled_assignment: Mapping[EdgeKey, str] | None,
    baseline: Plan,
    rng: np.random.Generator,
) -> Plan:
    """Search the optimised exchange plan (see the module notes).

    Raises
    ------
    ScenarioError
        When a lock names an unknown road, a lock hands a road to an
        administrator that may not take it, or the locks cannot be balanced.
    """
    start = time.perf_counter()
    spec = ctx.scenario.exchange
    never, must = _locked(ctx)
    est = estimate(ctx, pooled_problem, baseline)
    options = dict(est.options)
    for unit_id in never:
        options[unit_id] = (ctx.units[unit_id].owner,)
    for unit_id, taker in must.items():
        if taker not in options[unit_id]:
            unit = ctx.units[unit_id]
            msg = (
                f"Scenario field `exchange.must` hands {unit.label()} to {taker!r}, "
                f"which is not a partner of {unit.owner!r} able to plow it."
            )
            raise ScenarioError(msg)
    est = Estimates(
        options=options,
        service_s=est.service_s,
        access_s=est.access_s,
        pieces=est.pieces,
        fleet_s=est.fleet_s,
    )
    hint = None
    if pooled_assignment is not None:
        votes: defaultdict[str, defaultdict[str, float]] = defaultdict(
            lambda: defaultdict(float)
        )
        for edge, admin in pooled_assignment.items():
            votes[ctx.unit_of[edge]][admin] += float(ctx.G.edges[edge]["length"])
        hint = {u: max(sorted(v), key=v.__getitem__) for u, v in votes.items()}
    cp_limit = min(10.0, ctx.time_limit_s)
    first = solve_assignment(ctx, est, fixed=must, hint=hint, time_limit_s=cp_limit)
    if first is None:
        msg = (
            "The exchanges locked by `exchange.must` cannot be balanced within "
            f"`exchange.balance_tolerance` = {spec.balance_tolerance}."
        )
        raise ScenarioError(msg)

    if must:
        fallback_units = {u: ctx.units[u].owner for u in ctx.units} | must
        best = assignment_plan(
            "optimized", router, _edge_assignment(ctx, fallback_units), warm=baseline
        )
        best_units = fallback_units
    else:
        best = baseline
        best_units = {u: ctx.units[u].owner for u in ctx.units}
    best_obj = _objective_h(ctx, best) if not best.violations(ctx) else math.inf
    history = [f"start (baseline{' + must' if must else ''}): {best_obj:.2f} h"]

    def consider(units: dict[str, str], label: str) -> None:
        nonlocal best, best_units, best_obj
        if ctx.budget.spent:  # `solver.time_limit_s` bounds the whole run
            history.append(f"{label}: not routed, the time budget is spent")
            return
        plan = assignment_plan(
            "optimized", router, _edge_assignment(ctx, units), warm=best
        )
        obj = _objective_h(ctx, plan)
        valid = not plan.violations(ctx)
        kept = (
            valid
            and obj < best_obj - 1e-9
            and plan.deadhead_km <= best.deadhead_km + 1e-9
        )
        history.append(
            f"{label}: {obj:.2f} h, {len(plan.moved_units(ctx))} units moved"
            f"{'' if valid else ', invalid'}{', kept' if kept else ''}"
        )
        logger.info("exchange search %s", history[-1])
        for admin, (_, sol) in plan.parts.items():
            logger.debug(
                "  %s: %.2f h, deadhead %.2f km, %d routes",
                admin,
                sol.duration_s / 3600,
                sol.deadhead_km,
                sol.num_routes,
            )
        if kept:
            best, best_units, best_obj = plan, units, obj

    pairs = list(ctx.pairs)
    # the first assignment, one partner pair at a time: routing noise in one pair
    # cannot hide what another pair gains
    for a, b in pairs:
        units = {
            u: first[u] if {ctx.units[u].owner, first[u]} <= {a, b} else t
            for u, t in best_units.items()
        }
        if units != best_units:
            consider(units, f"assignment {a}-{b}")
    packages = _packages(ctx, est, never)
    for k in range(spec.lns_rounds):
        if not pairs:
            break
        package: dict[str, str] = {}
        if k < len(packages):
            package, (a, b) = packages[k]
        else:
            a, b = pairs[(k + int(rng.integers(len(pairs)))) % len(pairs)]
        free = [u for u in ctx.units if ctx.units[u].owner in (a, b) and u not in must]
        fixed = {u: t for u, t in best_units.items() if u not in free} | must | package
        moved = sorted(u for u in free if best_units[u] != ctx.units[u].owner)
        forbid = {}
        if package:
            pass
        elif moved:
            count = max(1, round(DESTROY_SHARE * len(moved)))
            for u in rng.choice(moved, size=count, replace=False):
                forbid[str(u)] = best_units[str(u)]
        noise = {u: float(rng.uniform(1 - NOISE, 1 + NOISE)) for u in free}
        found = solve_assignment(
            ctx,
            est,
            fixed=fixed,
            forbid=forbid,
            noise=noise,
            hint=best_units,
            time_limit_s=cp_limit,
        )
        what = f"round {k + 1} ({a}-{b}{', cut-off piece' if package else ''})"
        if found is None or found == best_units:
            history.append(f"{what}: no new assignment")
            continue
        consider(found, what)
    return Plan(
        name="optimized",
        assignment=best.assignment,
        parts=best.parts,
        runtime_s=time.perf_counter() - start,
        notes=tuple(history),
    )
