"""The search's own noise beside an exchange plan's saving.

A plan that exchanges roads re-routes the administrators it touches; its saving
against the baseline is only worth reporting when it is larger than what routing
the same roads again with another seed would change. :func:`noise_band` routes
the baseline problems of the touched administrators with ``exchange.noise_seeds``
more seeds, each search with the time its baseline search took (the same effort),
and returns the spread of their totals: the band. A saving inside it is *not
significant* and must never be reported as a gain.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from snowroute.exchange.plans import ExchangeContext, Plan
from snowroute.network.attributes import EdgeKey
from snowroute.routing import Solution
from snowroute.routing.budget import MIN_SEARCH_S, Budget

__all__ = ["SLACK", "NoiseBand", "noise_band", "touched_admins"]

#: With an iteration budget, a band search may take this many times the time its
#: baseline search took before the time stops it.
SLACK = 3.0


@dataclass(frozen=True, slots=True)
class NoiseBand:
    """
    How far the touched administrators' baseline moves between seeds.

    Parameters
    ----------
    admins
        The administrators the plan re-routes.
    seeds
        Seeds measured, the baseline's own included.
    hours, km
        Spread (largest minus smallest) of their baseline's total hours and
        deadhead km over those seeds.
    """

    admins: tuple[str, ...]
    seeds: int
    hours: float
    km: float

    def significant(self, saving_h: float) -> bool:
        """Whether a saving (or loss) of ``saving_h`` hours lies outside the band.

        >>> NoiseBand(("05201",), 3, hours=0.19, km=5.8).significant(-0.06)
        False
        """
        return abs(saving_h) > self.hours + 1e-9


def touched_admins(plan: Plan, baseline: Plan) -> tuple[str, ...]:
    """Administrators whose roads differ between ``plan`` and the baseline."""
    before, after = _roads(baseline.assignment), _roads(plan.assignment)
    return tuple(
        sorted(a for a in before.keys() | after.keys() if before[a] != after[a])
    )


def _roads(assignment: Mapping[EdgeKey, str]) -> defaultdict[str, set[EdgeKey]]:
    out: defaultdict[str, set[EdgeKey]] = defaultdict(set)
    for edge, admin in assignment.items():
        out[admin].add(edge)
    return out


def noise_band(
    ctx: ExchangeContext, baseline: Plan, admins: Sequence[str], *, seeds: int
) -> NoiseBand | None:
    """Route the baseline of ``admins`` with ``seeds`` more seeds; the spread.

    Each search starts from scratch with seed ``seed + k`` and the effort of the
    baseline search of that administrator: the scenario's iteration budget when
    it sets one (each search then capped at :data:`SLACK` times the time the
    baseline's took, so that the iterations bind on a machine under the same
    load), else the time that search took. With the context's executor they run
    side by side. ``None`` when there is nothing to measure.
    """
    parts = [baseline.parts[a] for a in admins if a in baseline.parts]
    if seeds < 1 or not parts:
        return None
    slack = SLACK if ctx.params.max_iterations is not None else 1.0
    futures: list[list[Future[Solution]]] = []
    for k in range(1, seeds + 1):
        futures.append(
            [
                ctx.submit(
                    problem,
                    seed_offset=k,
                    budget=Budget(max(MIN_SEARCH_S, slack * solution.runtime_s)),
                    roads=1,
                    pending=1,
                )
                for problem, solution in parts
            ]
        )
    totals = [_totals([s for _, s in parts])]
    totals += [_totals([f.result() for f in row]) for row in futures]
    hours = [h for h, _ in totals]
    km = [d for _, d in totals]
    return NoiseBand(
        admins=tuple(admins),
        seeds=seeds + 1,
        hours=max(hours) - min(hours),
        km=max(km) - min(km),
    )


def _totals(solutions: Sequence[Solution]) -> tuple[float, float]:
    return (
        math.fsum(s.duration_s for s in solutions) / 3600,
        math.fsum(s.deadhead_km for s in solutions),
    )
