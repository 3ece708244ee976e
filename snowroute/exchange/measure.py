"""What an exchange is worth, measured by routing with the same effort on both sides.

:class:`Measurer` routes an administrator's roads starting from its baseline routes
(roads no longer its own dropped, new ones inserted where they cost least) with
``exchange.measure_iterations`` search iterations and the run's seed, and remembers
every answer. The value of an assignment is measured only on the administrators it
touches: each is routed twice with that same effort, over its new roads and over
its baseline roads (the *reference*), and the difference is what the exchange
itself is worth (its *attributable* saving), apart from what more search would
give. The service rule compares the finish of each priority class with the
reference's (or its deadline, when that is later).

Where more than :data:`FRESH_SHARE` of an administrator's roads are new or gone,
the baseline routes are a poor start: a short search from them stays near where
the new roads were inserted. Such roads are also routed afresh with the run's own
search effort (``solver.max_iterations``, as the baseline was), at most
:data:`FRESH_TIMES` times the measuring iterations (the demo's baseline searches
20,000 iterations, more than a run's budget leaves for every measurement), and the
better plan counts. The reference needs no fresh search: it starts from the
baseline, itself a fresh search with at least that effort. On the demo region the
prefecture's plan with 318 hamlet routes more measured 43.98 h from its baseline
routes and 41.68 h afresh, and the same exchange measured from −2.1 to +15.6 h
under different search settings before this rule.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from types import MappingProxyType

from snowroute.exchange.plans import (
    ExchangeContext,
    Plan,
    latest_finish,
    roads_by_admin,
)
from snowroute.network.attributes import EdgeKey
from snowroute.routing import ArcRoutingProblem, Solution, SolveParams, solve_on
from snowroute.routing.budget import MIN_SEARCH_S
from snowroute.routing.warm import carry_over

__all__ = ["FRESH_SHARE", "Measured", "Measurer"]

logger = logging.getLogger(__name__)

#: Share of an administrator's roads (new or gone, against its baseline roads)
#: above which its roads are also routed afresh (see the module notes).
FRESH_SHARE = 0.1
#: Most iterations of a fresh search (the scenario's ``max_iterations`` when fewer),
#: in measuring iterations.
FRESH_TIMES = 5

Part = tuple[ArcRoutingProblem, Solution]


@dataclass(frozen=True, slots=True, eq=False)
class Measured:
    """
    An assignment measured against its reference.

    Parameters
    ----------
    admins
        Administrators the assignment touches (their roads differ from the
        baseline's).
    parts, reference
        Their problems and plans over the new roads and over the baseline roads,
        both searched from the baseline routes with the same effort.
    hours_saved, km_saved
        Reference hours (route time) and deadhead km less the new ones.
    valid
        Whether every new plan passes the validator.
    late
        Priority classes that finish later than the service rule allows.
    cut_short
        Whether a routing search stopped at the time limit before its iterations
        were done: the figures are then not a measurement (not :attr:`ok`).
    """

    admins: tuple[str, ...]
    parts: Mapping[str, Part]
    reference: Mapping[str, Part]
    hours_saved: float
    km_saved: float
    valid: bool
    late: tuple[str, ...] = ()
    cut_short: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))
        object.__setattr__(self, "reference", MappingProxyType(dict(self.reference)))

    def saved(self, objective: str) -> float:
        """Objective units saved: seconds (``hours``) or deadhead metres (``km``)."""
        return 1000 * self.km_saved if objective == "km" else 3600 * self.hours_saved

    @property
    def ok(self) -> bool:
        """Valid routes, the service rule kept and every search done."""
        return self.valid and not self.late and not self.cut_short


class Measurer:
    """Routes and measures assignments against the baseline (see the module notes)."""

    def __init__(self, context: ExchangeContext, baseline: Plan) -> None:
        self.context = context
        self.baseline = baseline
        spec = context.scenario.exchange
        self.params = context.params.with_(
            max_iterations=spec.measure_iterations,
            stall_iterations=None,
            time_limit_s=max(60.0, context.time_limit_s),
        )
        fresh = FRESH_TIMES * spec.measure_iterations
        self.fresh_params = context.params.with_(
            max_iterations=min(context.params.max_iterations or fresh, fresh),
            stall_iterations=None,
            time_limit_s=self.params.time_limit_s,
        )
        self.base_roads = roads_by_admin(baseline.assignment)
        self._cache: dict[tuple[str, frozenset[EdgeKey]], Part] = {}
        self._cut: set[tuple[str, frozenset[EdgeKey]]] = set()
        self.solves = 0

    def cached(self, requests: Sequence[tuple[str, frozenset[EdgeKey]]]) -> bool:
        """Whether every ``(admin, roads)`` of ``requests`` is routed already."""
        return all(key in self._cache for key in requests)

    def route_many(
        self, requests: Sequence[tuple[str, frozenset[EdgeKey]]]
    ) -> list[Part]:
        """Route each ``(admin, roads)`` from the admin's baseline routes.

        With the context's executor the new problems are routed side by side.
        """
        ctx = self.context
        started: dict[
            tuple[str, frozenset[EdgeKey]],
            tuple[ArcRoutingProblem, list[tuple[SolveParams, Future[Solution]]]],
        ] = {}
        for key in requests:
            if key in self._cache or key in started:
                continue
            admin, roads = key
            problem = ctx.admin_problem(admin, roads)
            base = self.baseline.parts.get(admin)
            initial = None if base is None else carry_over(*base, problem)
            warm = self._params()
            futures = [(warm, solve_on(ctx.executor, problem, warm, initial=initial))]
            if self._fresh(admin, roads):
                fresh = self._params(self.fresh_params)
                futures.append((fresh, solve_on(ctx.executor, problem, fresh)))
            started[key] = (problem, futures)
        for key, (problem, futures) in started.items():
            found = [f.result() for _, f in futures]
            self._cache[key] = (problem, min(found, key=_rank))
            self.solves += len(found)
            cut = [_cut_short(p, s) for (p, _), s in zip(futures, found, strict=True)]
            if any(cut):
                self._cut.add(key)
                log = logger.warning if len(self._cut) == 1 else logger.debug
                log(
                    "a measuring search of %s stopped at the time limit before its "
                    "%d iterations; its figures are not counted (raise "
                    "`solver.time_limit_s`)",
                    key[0],
                    max(p.max_iterations or 0 for p, _ in futures),
                )
            logger.debug(
                "measured %s: %d roads, %.3f h",
                key[0],
                len(key[1]),
                self._cache[key][1].duration_s / 3600,
            )
        return [self._cache[key] for key in requests]

    def _fresh(self, admin: str, roads: frozenset[EdgeKey]) -> bool:
        """Whether ``roads`` differ from ``admin``'s own by more than FRESH_SHARE."""
        own = self.base_roads.get(admin, frozenset())
        return bool(roads) and len(roads ^ own) > FRESH_SHARE * len(roads)

    def _params(self, params: SolveParams | None = None) -> SolveParams:
        """Return a measuring search's settings, its time capped by the budget.

        The iteration budget is meant to bind (the same figures on any machine);
        the cap only stops a search once ``solver.time_limit_s`` is spent.
        """
        params = params or self.params
        left = self.context.budget.remaining()
        cap = max(MIN_SEARCH_S, min(params.time_limit_s, left))
        return params.with_(time_limit_s=cap)

    def measure(self, assignment: Mapping[EdgeKey, str]) -> Measured:
        """Measure ``assignment`` on the administrators it touches."""
        roads = roads_by_admin(assignment)
        admins = tuple(
            a
            for a in self.context.admins
            if roads.get(a, frozenset()) != self.base_roads.get(a, frozenset())
        )
        new = [(a, roads.get(a, frozenset())) for a in admins]
        ref = [(a, self.base_roads.get(a, frozenset())) for a in admins]
        routed = self.route_many(new + ref)
        parts = dict(zip(admins, routed[: len(admins)], strict=True))
        reference = dict(zip(admins, routed[len(admins) :], strict=True))
        return Measured(
            cut_short=any(key in self._cut for key in new + ref),
            admins=admins,
            parts=parts,
            reference=reference,
            hours_saved=_total_h(reference) - _total_h(parts),
            km_saved=_total_km(reference) - _total_km(parts),
            valid=all(s.feasible for _, s in parts.values()),
            late=self._late(parts, reference),
        )

    def _late(
        self, parts: Mapping[str, Part], reference: Mapping[str, Part]
    ) -> tuple[str, ...]:
        """Priority classes finishing later than the reference's (or deadline's)."""
        ctx = self.context
        if ctx.scenario.exchange.service_level == "none":
            return ()
        others = {
            a: p for a, p in self.baseline.parts.items() if a not in parts and a != "*"
        }
        new = latest_finish({**others, **parts}.values())
        limit = latest_finish({**others, **reference}.values())
        for name, deadline in ctx.scenario.service.deadline_s().items():
            if name in limit:
                limit[name] = max(limit[name], deadline)
        return tuple(
            name for name, t in new.items() if t > limit.get(name, math.inf) + 1.0
        )


def _cut_short(params: SolveParams, solution: Solution) -> bool:
    """Whether ``solution``'s search hit its time limit before its iterations."""
    if params.max_iterations is None or solution.runtime_s < 0.95 * params.time_limit_s:
        return False
    workers = solution.stats.get("workers", 1.0)
    done = solution.stats.get("iterations", math.inf)
    return done < params.max_iterations * workers


def _rank(solution: Solution) -> tuple[bool, float]:
    """Feasible plans first, then the cheaper."""
    return (not solution.feasible, solution.cost)


def _total_h(parts: Mapping[str, Part]) -> float:
    return math.fsum(s.duration_s for _, s in parts.values()) / 3600


def _total_km(parts: Mapping[str, Part]) -> float:
    return math.fsum(s.deadhead_km for _, s in parts.values())
