"""The exchange ledger: per administrator and plan, what it plows and what it costs.

Also the exchanged roads (route, section, from, to, km) and the balance of each
partner pair, and a plan's savings against the baseline. Each row carries the
routing's proven lower bound and the plan's gap above it (:func:`gap_to_bound_pct`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from snowroute.exchange.noise import NoiseBand
from snowroute.exchange.plans import ExchangeContext, Plan, required_edges
from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey
from snowroute.prepare import km
from snowroute.routing import ArcRoutingProblem, Solution

__all__ = [
    "Exchange",
    "LedgerRow",
    "PairBalance",
    "PlanReport",
    "balance_ok",
    "gap_to_bound_pct",
    "plan_report",
]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """
    One administrator's line of the ledger for one plan.

    Parameters
    ----------
    admin
        Administrator id (or ``"total"``).
    own_km
        Road km of its own roads it plows.
    for_others_km
        Road km of other administrators' roads it plows.
    handed_over_km
        Road km of its own roads other administrators plow.
    service_km
        Km driven plowing (every pass and direction).
    deadhead_km
        Km driven empty.
    total_h
        Route hours (plowing plus deadhead).
    vehicles
        Vehicles used (routes).
    finish_s
        Seconds after the shift start when its last road of each priority class
        is plowed.
    lower_bound_h
        Proven lower bound (hours) on the cost of any plan of the routing
        problem(s) behind the row (``Solution.lower_bound``; summed over the
        parts for the total); ``None`` when the row has no problem of its own
        (an administrator's share of the pooled plan).
    gap_to_bound_pct
        How far the plan's cost lies above that bound, in percent of the bound:
        ``100 * (cost - bound) / bound`` with ``cost`` = ``Solution.cost`` (route
        time plus fixed costs), see :func:`gap_to_bound_pct`. The plan is at most
        this far above optimal.
    finish_bound_h
        For plans routed for the earliest finish (``solver.objective =
        "makespan"``): a proven lower bound on the hours from the start until
        the last road is cleared (the largest over the parts for the total);
        ``None`` otherwise.
    """

    admin: str
    own_km: float
    for_others_km: float
    handed_over_km: float
    service_km: float
    deadhead_km: float
    total_h: float
    vehicles: int
    finish_s: Mapping[str, float] = field(default_factory=dict)
    lower_bound_h: float | None = None
    gap_to_bound_pct: float | None = None
    finish_bound_h: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "finish_s", MappingProxyType(dict(self.finish_s)))


@dataclass(frozen=True, slots=True)
class Exchange:
    """A road that changes hands: a whole route (``section`` None) or a section."""

    route_id: str
    route_name: str
    section: str | None
    from_admin: str
    to_admin: str
    km: float
    hours: float = 0.0


@dataclass(frozen=True, slots=True)
class PairBalance:
    """
    Km, plow-hours and routes exchanged each way between two partners.

    ``a_to_b_km`` is the km of ``a``'s roads that ``b`` plows, ``a_to_b_hours``
    the hours ``b``'s fleet plows them; ``ok`` is the balance rule's verdict on
    the scenario's ``exchange.balance_by`` figure (``by``), apart from whether
    the plan is valid.
    """

    a: str
    b: str
    a_to_b_km: float
    b_to_a_km: float
    a_to_b_routes: int
    b_to_a_routes: int
    ok: bool
    a_to_b_hours: float = 0.0
    b_to_a_hours: float = 0.0
    by: str = "km"


def balance_ok(x: float, y: float, tolerance: float | None) -> bool:
    """Whether what is given and received differ by at most ``tolerance`` (relative).

    >>> balance_ok(71.5, 51.9, 0.3), balance_ok(71.5, 51.9, 0.2)  # Akita's H21
    (True, False)
    """
    if tolerance is None:
        return True
    return abs(x - y) <= tolerance * max(x, y) + 1e-9


@dataclass(frozen=True, slots=True, eq=False)
class PlanReport:
    """A plan's ledger, exchanges, balance, validity and totals."""

    name: str
    rows: tuple[LedgerRow, ...]
    total: LedgerRow
    exchanges: tuple[Exchange, ...]
    balance: tuple[PairBalance, ...]
    units_moved: int
    objective_h: float
    valid: bool
    violations: tuple[str, ...]
    runtime_s: float
    notes: tuple[str, ...] = ()
    agreement_lines: int = 0
    #: The search's noise on the administrators this plan re-routes (None: not
    #: measured: the baseline, the pooled reference, no exchange, or no seeds).
    noise: NoiseBand | None = None
    #: Hours and deadhead km saved against the plan's reference, searched with
    #: the same effort (:meth:`Plan.attributable`); None: measured against the
    #: baseline itself.
    attributable: tuple[float, float] | None = None
    #: Latest finish per priority class (seconds after the start) of the plan's
    #: reference: its reference routes of the administrators it touches with the
    #: plan's own routes of the others; what the service rule compared the plan
    #: with (None: no reference).
    reference_finish_s: Mapping[str, float] | None = None

    def row(self, admin: str) -> LedgerRow:
        """Return the ledger row of ``admin``."""
        return next(r for r in self.rows if r.admin == admin)


def gap_to_bound_pct(cost: float, bound: float) -> float | None:
    """Return ``100 * (cost - bound) / bound``, the gap above a lower bound in %.

    The gap is relative to the bound (not to the cost), so the optimum lies at
    most this far below the cost. ``0`` when the bound is not positive and the
    cost does not exceed it (nothing to do); ``None`` when the bound is not
    positive but the cost is.
    """
    if bound > 0:
        return 100.0 * (cost - bound) / bound
    return 0.0 if cost <= bound else None


def _finish_bound_h(
    parts: Iterable[tuple[ArcRoutingProblem, Solution]],
) -> float | None:
    """Largest makespan bound (hours) of the makespan-routed parts, if any."""
    bounds = [
        s.stats["makespan_lower_bound"] / 3600
        for _, s in parts
        if s.objective == "makespan" and "makespan_lower_bound" in s.stats
    ]
    return max(bounds) if bounds else None


def _bound_figures(
    parts: Iterable[tuple[ArcRoutingProblem, Solution]],
) -> tuple[float | None, float | None]:
    """Lower bound (hours) and gap (%) of routing parts taken together."""
    solutions = [solution for _, solution in parts]
    if not solutions:
        return None, None
    bound = math.fsum(s.lower_bound for s in solutions)
    cost = math.fsum(s.cost for s in solutions)
    return bound / 3600, gap_to_bound_pct(cost, bound)


def plan_report(ctx: ExchangeContext, plan: Plan) -> PlanReport:
    """Compute the ledger of ``plan``: rows, exchanges, balance, objective, validity."""
    rows = _admin_rows(ctx, plan)
    total = _total_row(rows, plan)
    exchanges = exchanged(ctx, plan.assignment, plow_s=plow_seconds(ctx, plan))
    units_moved = len(plan.moved_units(ctx))
    lines = plan.agreement_lines(ctx)
    violations = plan.violations(ctx)
    finish = plan.reference_finish_s()
    return PlanReport(
        name=plan.name,
        rows=rows,
        total=total,
        exchanges=exchanges,
        balance=pair_balance(ctx, exchanges),
        units_moved=units_moved,
        objective_h=total.total_h + ctx.scenario.exchange.admin_cost_h * lines,
        valid=not violations,
        violations=violations,
        runtime_s=plan.runtime_s,
        notes=plan.notes,
        agreement_lines=lines,
        attributable=plan.attributable(),
        reference_finish_s=None if finish is None else _ordered(finish),
    )


def _roads_by_role(
    ctx: ExchangeContext, plan: Plan
) -> defaultdict[str, dict[str, list[EdgeKey]]]:
    """Admin → its roads: ``own`` it plows, ``others`` it plows, ``handed`` over."""
    by_admin: defaultdict[str, dict[str, list[EdgeKey]]] = defaultdict(
        lambda: {"own": [], "others": [], "handed": []}
    )
    for edge, admin in plan.assignment.items():
        owner = ctx.plow[edge]
        if admin == owner:
            by_admin[admin]["own"].append(edge)
        else:
            by_admin[admin]["others"].append(edge)
            by_admin[owner]["handed"].append(edge)
    return by_admin


def _route_figures(
    ctx: ExchangeContext, plan: Plan
) -> tuple[
    defaultdict[str, int],
    defaultdict[str, dict[str, float]],
    defaultdict[str, dict[str, float]],
]:
    """Per admin: routes driven, their metres and seconds, and the class finishes."""
    routes: defaultdict[str, int] = defaultdict(int)
    stats: defaultdict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    finish: defaultdict[str, dict[str, float]] = defaultdict(dict)
    for _, solution in plan.parts.values():
        for route in solution.routes:
            admin = ctx.admin_of_vehicle[route.vehicle]
            routes[admin] += 1
            s = stats[admin]
            s["service_m"] += route.served_m
            s["deadhead_m"] += route.deadhead_m
            s["duration_s"] += route.duration_s
            for name, t in route.finish_s.items():
                finish[admin][name] = max(finish[admin].get(name, 0.0), t)
    return routes, stats, finish


def _admin_rows(ctx: ExchangeContext, plan: Plan) -> tuple[LedgerRow, ...]:
    """Return the ledger row of every administrator with a fleet, in scenario order."""
    G = ctx.G
    by_admin = _roads_by_role(ctx, plan)
    routes, stats, finish = _route_figures(ctx, plan)
    rows = []
    for admin in ctx.admins:
        roads = by_admin[admin]
        s = stats[admin]
        own = [plan.parts[admin]] if admin in plan.parts else []
        bound_h, gap = _bound_figures(own)
        rows.append(
            LedgerRow(
                admin=admin,
                own_km=km(G, roads["own"]),
                for_others_km=km(G, roads["others"]),
                handed_over_km=km(G, roads["handed"]),
                service_km=s["service_m"] / 1000,
                deadhead_km=s["deadhead_m"] / 1000,
                total_h=s["duration_s"] / 3600,
                vehicles=routes[admin],
                finish_s=_ordered(finish[admin]),
                lower_bound_h=bound_h,
                gap_to_bound_pct=gap,
                finish_bound_h=_finish_bound_h(own),
            )
        )
    return tuple(rows)


def _total_row(rows: tuple[LedgerRow, ...], plan: Plan) -> LedgerRow:
    """Return the ``total`` row: sums of ``rows``, the latest finishes, plan bounds."""
    all_finish: dict[str, float] = {}
    for r in rows:
        for name, t in r.finish_s.items():
            all_finish[name] = max(all_finish.get(name, 0.0), t)
    bound_h, gap = _bound_figures(plan.parts.values())
    return LedgerRow(
        admin="total",
        own_km=math.fsum(r.own_km for r in rows),
        for_others_km=math.fsum(r.for_others_km for r in rows),
        handed_over_km=math.fsum(r.handed_over_km for r in rows),
        service_km=math.fsum(r.service_km for r in rows),
        deadhead_km=math.fsum(r.deadhead_km for r in rows),
        total_h=math.fsum(r.total_h for r in rows),
        vehicles=sum(r.vehicles for r in rows),
        finish_s=_ordered(all_finish),
        lower_bound_h=bound_h,
        gap_to_bound_pct=gap,
        finish_bound_h=_finish_bound_h(plan.parts.values()),
    )


def _ordered(finish: Mapping[str, float]) -> dict[str, float]:
    rank = {name: i for i, name in enumerate(A.PRIORITY_CLASSES)}
    return {k: finish[k] for k in sorted(finish, key=lambda k: (rank.get(k, 99), k))}


def plow_seconds(ctx: ExchangeContext, plan: Plan) -> dict[EdgeKey, float]:
    """Seconds each road takes to plow in ``plan``, by the fleet that plows it.

    Each pass by the fastest class of that fleet able to plow it (as the
    optimiser estimates); a required arc's time is split evenly over its roads.
    """
    out: dict[EdgeKey, float] = {}
    for problem, _ in plan.parts.values():
        classes = list(range(len(problem.vehicles)))
        for i in range(problem.num_required):
            edges = required_edges(problem, i)
            seconds = _pass_seconds(problem, i, classes)
            for edge in edges:
                out[edge] = out.get(edge, 0.0) + seconds / len(edges)
    return out


def _pass_seconds(problem: ArcRoutingProblem, i: int, classes: list[int]) -> float:
    """All passes of required arc ``i``, each by the fastest able class (0: none)."""
    times = [
        float(np.nanmin(problem.service_s[c, i]))
        for c in classes
        if problem.compatible[c, i]
    ]
    return min(times) * problem.required[i].num_services if times else 0.0


def exchanged(
    ctx: ExchangeContext,
    assignment: Mapping[EdgeKey, str],
    *,
    plow_s: Mapping[EdgeKey, float] | None = None,
) -> tuple[Exchange, ...]:
    """Roads plowed by another administrator than their own, as agreement lines.

    A route handed over whole to one administrator is one line (``section``
    None); otherwise one line per section and taker. ``plow_s`` (seconds each
    road takes its plower, :func:`plow_seconds`) gives each line its hours.
    """
    plow_s = plow_s or {}

    def hours(edges: list[EdgeKey]) -> float:
        return math.fsum(plow_s.get(e, 0.0) for e in edges) / 3600

    G = ctx.G
    route_edges: defaultdict[str, list[EdgeKey]] = defaultdict(list)
    moved: defaultdict[tuple[str, str], list[EdgeKey]] = defaultdict(list)
    for edge, owner in ctx.plow.items():
        route = str(G.edges[edge][A.ROUTE_ID])
        route_edges[route].append(edge)
        taker = assignment.get(edge, owner)
        if taker != owner:
            moved[(route, taker)].append(edge)
    out = []
    for (route, taker), edges in sorted(moved.items()):
        data = G.edges[edges[0]]
        owner = ctx.plow[edges[0]]
        name = str(data.get(A.ROUTE_NAME, ""))
        if len(edges) == len(route_edges[route]):
            out.append(
                Exchange(route, name, None, owner, taker, km(G, edges), hours(edges))
            )
            continue
        sections: defaultdict[str, list[EdgeKey]] = defaultdict(list)
        for edge in edges:
            sections[str(G.edges[edge][A.SECTION_ID])].append(edge)
        for section, part in sorted(sections.items()):
            out.append(
                Exchange(route, name, section, owner, taker, km(G, part), hours(part))
            )
    return tuple(out)


def pair_balance(
    ctx: ExchangeContext, exchanges: tuple[Exchange, ...]
) -> tuple[PairBalance, ...]:
    """Km and routes each way for every partner pair (and any other pair used)."""
    pairs = set(ctx.pairs)
    for x in exchanges:
        pairs.add((min(x.from_admin, x.to_admin), max(x.from_admin, x.to_admin)))
    tolerance = ctx.scenario.exchange.balance_tolerance
    by = ctx.scenario.exchange.balance_by
    out = []
    for a, b in sorted(pairs):
        ab = [x for x in exchanges if (x.from_admin, x.to_admin) == (a, b)]
        ba = [x for x in exchanges if (x.from_admin, x.to_admin) == (b, a)]
        sums = {
            unit: (
                math.fsum(getattr(x, unit) for x in ab),
                math.fsum(getattr(x, unit) for x in ba),
            )
            for unit in ("km", "hours")
        }
        out.append(
            PairBalance(
                a=a,
                b=b,
                a_to_b_km=sums["km"][0],
                b_to_a_km=sums["km"][1],
                a_to_b_routes=len({x.route_id for x in ab}),
                b_to_a_routes=len({x.route_id for x in ba}),
                ok=((a, b) in ctx.pairs and balance_ok(*sums[by], tolerance))
                or (not ab and not ba),
                a_to_b_hours=sums["hours"][0],
                b_to_a_hours=sums["hours"][1],
                by=by,
            )
        )
    return tuple(out)
