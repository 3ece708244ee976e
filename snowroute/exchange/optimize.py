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

import dataclasses
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
from snowroute.network.attributes import EdgeKey
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
    unit_vertices = {
        u.id: sorted({vertex[n] for e in u.edges for n in e[:2]})
        for u in ctx.units.values()
    }
    service = _service_times(ctx, problem, classes)
    depot_vertex = {d.id: d.vertex for d in problem.depots}
    home = {a: {depot_vertex[v.depot] for v in ctx.fleets[a]} for a in ctx.admins}
    access, pieces = _access_and_pieces(ctx, problem, classes, unit_vertices, home)
    return Estimates(
        options=_options(ctx, service, access),
        service_s=service,
        access_s=access,
        pieces=pieces,
        fleet_s=_fleet_s(ctx, service, baseline),
    )


def _service_times(
    ctx: ExchangeContext,
    problem: ArcRoutingProblem,
    classes: Mapping[str, list[int]],
) -> dict[tuple[str, str], float]:
    """Return the time to plow each unit with each fleet, by (unit id, admin)."""
    req_of: defaultdict[str, list[int]] = defaultdict(list)
    for i in range(problem.num_required):
        req_of[ctx.unit_of[required_edges(problem, i)[0]]].append(i)
    return {
        (unit_id, admin): _service_time(problem, reqs, classes[admin])
        for unit_id, reqs in req_of.items()
        for admin in ctx.admins
    }


def _service_time(
    problem: ArcRoutingProblem, reqs: list[int], classes: list[int]
) -> float:
    """Time to plow required arcs ``reqs``, each pass by its fastest class able to.

    Infinite when no class of ``classes`` can plow one of them.
    """
    total = 0.0
    for i in reqs:
        times = [
            float(np.nanmin(problem.service_s[c, i]))
            for c in classes
            if problem.compatible[c, i]
        ]
        if not times:
            return math.inf
        total += min(times) * problem.required[i].num_services
    return total


def _access_and_pieces(
    ctx: ExchangeContext,
    problem: ArcRoutingProblem,
    classes: Mapping[str, list[int]],
    unit_vertices: Mapping[str, list[int]],
    home: Mapping[str, set[int]],
) -> tuple[
    dict[tuple[str, str], float],
    dict[str, tuple[tuple[tuple[str, ...], float], ...]],
]:
    """Round trips of every taker to other owners' units, and every owner's pieces.

    A taker's trips start and end at its own roads or depots, over deadhead times
    of its first vehicle class.
    """
    graph = problem.graph
    own_vertices: defaultdict[str, set[int]] = defaultdict(set)
    for unit in ctx.units.values():
        own_vertices[unit.owner].update(unit_vertices[unit.id])
    n = graph.num_vertices
    access: dict[tuple[str, str], float] = {}
    pieces: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = {}
    for admin in ctx.admins:
        w = problem.deadhead_s(classes[admin][0])
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
    return access, pieces


def _options(
    ctx: ExchangeContext,
    service: Mapping[tuple[str, str], float],
    access: Mapping[tuple[str, str], float],
) -> dict[str, tuple[str, ...]]:
    """Return each unit's owner, then every partner able to plow and reach it."""
    options: dict[str, tuple[str, ...]] = {}
    for unit in ctx.units.values():
        takers = [
            p
            for p in ctx.partners_of(unit.owner)
            if math.isfinite(service[(unit.id, p)])
            and math.isfinite(access.get((unit.id, p), math.inf))
        ]
        options[unit.id] = (unit.owner, *takers)
    return options


def _fleet_s(
    ctx: ExchangeContext, service: Mapping[tuple[str, str], float], baseline: Plan
) -> dict[str, float]:
    """Admin → seconds of plowing its fleet may take on (never less than its own).

    :data:`FLEET_LOAD` of its vehicles' hours, less the baseline's deadhead.
    """
    fleet_s = {}
    for admin in ctx.admins:
        hours = sum((v.count or 1) * (v.shift_s or 86_400.0) for v in ctx.fleets[admin])
        dead = baseline.parts[admin][1].deadhead_s if admin in baseline.parts else 0.0
        own = sum(
            service[(u.id, admin)] for u in ctx.units.values() if u.owner == admin
        )
        fleet_s[admin] = max(FLEET_LOAD * hours - dead, own)
    return fleet_s


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


_Choices = dict[tuple[str, str], cp_model.IntVar]
_Terms = list[tuple[int, cp_model.IntVar]]


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
    model = cp_model.CpModel()
    built = _add_choices(
        model,
        ctx,
        est,
        fixed=fixed or {},
        forbid=forbid or {},
        noise=noise or {},
        hint=hint,
    )
    if built is None:
        return None
    x, cost_terms, load = built
    cost_terms.extend(_add_pieces(model, est, x))
    cost_terms.extend(_add_whole_routes(model, ctx, est, x))
    for admin, terms in load.items():
        model.add(sum(c * v for c, v in terms) <= round(est.fleet_s[admin]))
    _add_balance(model, ctx, est, x)
    model.minimize(sum(c * v for c, v in cost_terms))
    return _solve(model, ctx, est, x, time_limit_s=time_limit_s)


def _add_choices(
    model: cp_model.CpModel,
    ctx: ExchangeContext,
    est: Estimates,
    *,
    fixed: Mapping[str, str],
    forbid: Mapping[str, str],
    noise: Mapping[str, float],
    hint: Mapping[str, str] | None,
) -> tuple[_Choices, _Terms, defaultdict[str, _Terms]] | None:
    """Add one choice per unit among its allowed administrators.

    Returns the choice variables by (unit, admin), the cost terms (admin cost less
    the estimated gain of each exchange) and each administrator's load terms;
    None when a ``fixed`` administrator is not among a unit's choices.
    """
    admin_cost_s = ctx.scenario.exchange.admin_cost_h * 3600.0
    x: _Choices = {}
    cost_terms: _Terms = []
    load: defaultdict[str, _Terms] = defaultdict(list)
    for unit_id, options in est.options.items():
        owner = ctx.units[unit_id].owner
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
    return x, cost_terms, load


def _add_whole_routes(
    model: cp_model.CpModel, ctx: ExchangeContext, est: Estimates, x: _Choices
) -> _Terms:
    """Refund the admin cost of all but one section of a route handed over whole.

    Each unit handed over pays ``exchange.admin_cost_h`` (in :func:`_add_choices`);
    a route whose sections all go to one taker is one agreement line.
    """
    admin_cost_s = ctx.scenario.exchange.admin_cost_h * 3600.0
    sections: defaultdict[str, list[str]] = defaultdict(list)
    for unit in ctx.units.values():
        sections[unit.route_id].append(unit.id)
    terms: _Terms = []
    for route, units in sections.items():
        if len(units) < 2 or admin_cost_s <= 0:
            continue
        owner = ctx.units[units[0]].owner
        for taker in ctx.admins:
            if taker == owner or any((u, taker) not in x for u in units):
                continue
            whole = model.new_bool_var(f"whole[{route},{taker}]")
            for u in units:
                model.add_implication(whole, x[(u, taker)])
            terms.append((-round(admin_cost_s * (len(units) - 1)), whole))
    return terms


def _add_pieces(model: cp_model.CpModel, est: Estimates, x: _Choices) -> _Terms:
    """Reward each cut-off piece handed over whole with its owner's round trip."""
    terms: _Terms = []
    for owner, owner_pieces in est.pieces.items():
        for members, trip in owner_pieces:
            keep = [x[(u, owner)] for u in members if (u, owner) in x]
            if not keep or any(u not in est.options for u in members):
                continue
            y = model.new_bool_var(f"gone[{members[0]}]")
            for var in keep:
                model.add_implication(y, var.Not())
            terms.append((-round(trip), y))
    return terms


def _add_balance(
    model: cp_model.CpModel, ctx: ExchangeContext, est: Estimates, x: _Choices
) -> None:
    """Keep what each partner pair gives and receives within the tolerance."""
    tolerance = ctx.scenario.exchange.balance_tolerance
    if tolerance is None:
        return
    scale = 1000
    keep_share = scale - round(scale * tolerance)
    for a, b in ctx.pairs:
        ab = _handed_m(ctx, est, x, owner=a, taker=b)
        ba = _handed_m(ctx, est, x, owner=b, taker=a)
        if not ab and not ba:
            continue
        given = sum(c * v for c, v in ab)
        taken = sum(c * v for c, v in ba)
        model.add(keep_share * given <= scale * taken)
        model.add(keep_share * taken <= scale * given)


def _handed_m(
    ctx: ExchangeContext, est: Estimates, x: _Choices, *, owner: str, taker: str
) -> _Terms:
    """Return the weight of ``owner``'s units, each with its choice of ``taker``.

    Metres, or with ``exchange.balance_by = "hours"`` the seconds ``taker``'s
    fleet needs to plow them.
    """
    by_hours = ctx.scenario.exchange.balance_by == "hours"
    return [
        (
            round(est.service_s[(u, taker)] if by_hours else 1000 * ctx.units[u].km),
            x[(u, taker)],
        )
        for u in est.options
        if ctx.units[u].owner == owner and (u, taker) in x
    ]


def _solve(
    model: cp_model.CpModel,
    ctx: ExchangeContext,
    est: Estimates,
    x: _Choices,
    *,
    time_limit_s: float,
) -> dict[str, str] | None:
    """Solve the assignment model; unit id → administrator, or None if none fits."""
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False  # Ctrl-C stays with Python
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
    """Plow-hours plus the administrative cost of each agreement line."""
    lines = plan.agreement_lines(ctx)
    return plan.duration_s / 3600 + ctx.scenario.exchange.admin_cost_h * lines


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
    never, must = _locked(ctx)
    est = _with_locks(ctx, estimate(ctx, pooled_problem, baseline), never, must)
    hint = None if pooled_assignment is None else _unit_hint(ctx, pooled_assignment)
    cp_limit = min(10.0, ctx.time_limit_s)
    first = solve_assignment(ctx, est, fixed=must, hint=hint, time_limit_s=cp_limit)
    if first is None:
        msg = (
            "The exchanges locked by `exchange.must` cannot be balanced within "
            f"`exchange.balance_tolerance` = {ctx.scenario.exchange.balance_tolerance}."
        )
        raise ScenarioError(msg)
    search = _start_search(ctx, router, baseline, must)
    # the first assignment, one partner pair at a time: routing noise in one pair
    # cannot hide what another pair gains
    for a, b in ctx.pairs:
        units = {
            u: first[u] if {ctx.units[u].owner, first[u]} <= {a, b} else t
            for u, t in search.best_units.items()
        }
        if units != search.best_units:
            search.consider(units, f"assignment {a}-{b}")
    packages = _packages(ctx, est, never)
    for k in range(ctx.scenario.exchange.lns_rounds):
        if not ctx.pairs:
            break
        _search_round(search, est, k, packages=packages, must=must, rng=rng)
    return Plan(
        name="optimized",
        assignment=search.best.assignment,
        parts=search.best.parts,
        runtime_s=time.perf_counter() - start,
        notes=tuple(search.history),
    )


def _with_locks(
    ctx: ExchangeContext, est: Estimates, never: set[str], must: Mapping[str, str]
) -> Estimates:
    """Return ``est`` with locked units' options cut to their owner.

    Raises
    ------
    ScenarioError
        When ``must`` hands a unit to an administrator not among its options.
    """
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
    return dataclasses.replace(est, options=options)


def _unit_hint(
    ctx: ExchangeContext, assignment: Mapping[EdgeKey, str]
) -> dict[str, str]:
    """Return, per unit id, the administrator plowing most of it in ``assignment``.

    Ties go to the administrator id that sorts first.
    """
    votes: defaultdict[str, defaultdict[str, float]] = defaultdict(
        lambda: defaultdict(float)
    )
    for edge, admin in assignment.items():
        votes[ctx.unit_of[edge]][admin] += float(ctx.G.edges[edge]["length"])
    return {u: max(sorted(v), key=v.__getitem__) for u, v in votes.items()}


class _Search:
    """The best plan of the exchange search so far, and what each step found."""

    def __init__(
        self,
        ctx: ExchangeContext,
        router: Router,
        best: Plan,
        best_units: dict[str, str],
        label: str,
    ) -> None:
        self.ctx = ctx
        self.router = router
        self.best = best
        self.best_units = best_units
        self.best_obj = (
            _objective_h(ctx, best) if not best.violations(ctx) else math.inf
        )
        self.history = [f"{label}: {self.best_obj:.2f} h"]

    def consider(self, units: dict[str, str], label: str) -> None:
        """Route the assignment ``units``; keep it when it is valid and better."""
        ctx = self.ctx
        if ctx.budget.spent:  # `solver.time_limit_s` bounds the whole run
            self.history.append(f"{label}: not routed, the time budget is spent")
            return
        plan = assignment_plan(
            "optimized", self.router, _edge_assignment(ctx, units), warm=self.best
        )
        obj = _objective_h(ctx, plan)
        valid = not plan.violations(ctx)
        kept = (
            valid
            and obj < self.best_obj - 1e-9
            and plan.deadhead_km <= self.best.deadhead_km + 1e-9
        )
        self.history.append(
            f"{label}: {obj:.2f} h, {len(plan.moved_units(ctx))} units moved"
            f"{'' if valid else ', invalid'}{', kept' if kept else ''}"
        )
        logger.info("exchange search %s", self.history[-1])
        for admin, (_, sol) in plan.parts.items():
            logger.debug(
                "  %s: %.2f h, deadhead %.2f km, %d routes",
                admin,
                sol.duration_s / 3600,
                sol.deadhead_km,
                sol.num_routes,
            )
        if kept:
            self.best, self.best_units, self.best_obj = plan, units, obj


def _start_search(
    ctx: ExchangeContext, router: Router, baseline: Plan, must: Mapping[str, str]
) -> _Search:
    """Start from the baseline, with the ``must`` exchanges routed if there are any."""
    owners = {u: ctx.units[u].owner for u in ctx.units}
    if not must:
        return _Search(ctx, router, baseline, owners, "start (baseline)")
    units = owners | dict(must)
    plan = assignment_plan(
        "optimized", router, _edge_assignment(ctx, units), warm=baseline
    )
    return _Search(ctx, router, plan, units, "start (baseline + must)")


def _search_round(
    search: _Search,
    est: Estimates,
    k: int,
    *,
    packages: list[tuple[dict[str, str], tuple[str, str]]],
    must: dict[str, str],
    rng: np.random.Generator,
) -> None:
    """Round ``k``: free one pair, perturb it, re-solve the assignment, route it.

    The first rounds each force in a cut-off piece (``packages``); later rounds
    pick a pair at random and forbid part of its current exchanges.
    """
    ctx = search.ctx
    pairs = list(ctx.pairs)
    package: dict[str, str] = {}
    if k < len(packages):
        package, (a, b) = packages[k]
    else:
        a, b = pairs[(k + int(rng.integers(len(pairs)))) % len(pairs)]
    best_units = search.best_units
    free = [u for u in ctx.units if ctx.units[u].owner in (a, b) and u not in must]
    fixed = {u: t for u, t in best_units.items() if u not in free} | must | package
    forbid = {} if package else _destroy(ctx, best_units, free, rng)
    noise = {u: float(rng.uniform(1 - NOISE, 1 + NOISE)) for u in free}
    found = solve_assignment(
        ctx,
        est,
        fixed=fixed,
        forbid=forbid,
        noise=noise,
        hint=best_units,
        time_limit_s=min(10.0, ctx.time_limit_s),
    )
    what = f"round {k + 1} ({a}-{b}{', cut-off piece' if package else ''})"
    if found is None or found == best_units:
        search.history.append(f"{what}: no new assignment")
        return
    search.consider(found, what)


def _destroy(
    ctx: ExchangeContext,
    units: Mapping[str, str],
    free: list[str],
    rng: np.random.Generator,
) -> dict[str, str]:
    """Forbid a random :data:`DESTROY_SHARE` of the exchanges among ``free`` units."""
    moved = sorted(u for u in free if units[u] != ctx.units[u].owner)
    if not moved:
        return {}
    count = max(1, round(DESTROY_SHARE * len(moved)))
    return {str(u): units[str(u)] for u in rng.choice(moved, size=count, replace=False)}
