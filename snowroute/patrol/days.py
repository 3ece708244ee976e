"""Choosing visit days: local search over day offsets with routing-cost estimates.

Each section is an item whose options are the possible first visit days; from a
first day the later visits follow greedily (each as late as its frequency allows,
on patrol days only), which meets every gap with the fewest visits. Each due
structure is an item whose options are the patrol days up to its due date. A day's
cost is estimated as the time to drive its sections once plus the time on site at
its structures plus the connection time: a minimum spanning tree over the depot and
the day's sections, on shortest-path times between them. The search minimises

    sum of day estimates + balance_weight * (largest - smallest day estimate)

plus a heavy penalty for any day estimated beyond the cars' total shift time, moving
one item to another option at a time (first improvement, items in a seeded random
order), until no move improves or the evaluation budget runs out.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DayChoice", "Item", "choose_days", "greedy_visits", "mst_length"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: Penalty per second of estimated work beyond the day's shift capacity.
OVERTIME_PENALTY = 20.0


@dataclass(frozen=True, slots=True)
class Item:
    """
    Something to place on days: a section or a structure.

    A section's options are tuples of visit days, a structure's single days.

    Parameters
    ----------
    name
        Section or structure id.
    unit
        Index of the item's unit in the estimate's distance matrix.
    service_s
        Time of driving the unit once.
    options
        Each option is the tuple of days the unit is driven.
    extra_s
        Time on site per visit (structures).
    covered_by
        Unit whose presence on a day makes driving this one free (a structure's
        section), or -1.
    """

    name: str
    unit: int
    service_s: float
    options: tuple[tuple[int, ...], ...]
    extra_s: float = 0.0
    covered_by: int = -1


@dataclass(frozen=True, slots=True)
class DayChoice:
    """The chosen option per item and the estimate per day (seconds)."""

    option: tuple[int, ...]
    estimate_s: tuple[float, ...]
    objective: float
    evaluations: int


def mst_length(D: FloatArray) -> float:
    """Total weight of a minimum spanning tree of the complete graph ``D`` (Prim)."""
    n = D.shape[0]
    if n <= 1:
        return 0.0
    best = D[0].copy()
    used = np.zeros(n, dtype=bool)
    used[0] = True
    best[0] = np.inf
    total = 0.0
    for _ in range(n - 1):
        j = int(np.argmin(np.where(used, np.inf, best)))
        total += float(best[j])
        used[j] = True
        best = np.minimum(best, D[j])
    return total


def greedy_visits(
    first: int,
    *,
    frequency: int,
    positions: Sequence[int],
    patrol_days: Sequence[int],
    end_position: int,
) -> tuple[int, ...]:
    """Visit days from ``first`` on, each next one as late as ``frequency`` allows.

    ``positions[d]`` is where day ``d`` lies on the gap axis; a gap that no patrol day
    can close takes the next patrol day (the validator then reports the gap).
    """
    visits = [first]
    current = first
    while positions[current] + frequency < end_position:
        later = [d for d in patrol_days if d > current]
        if not later:
            break
        fits = [d for d in later if positions[d] <= positions[current] + frequency]
        current = fits[-1] if fits else later[0]
        visits.append(current)
    return tuple(visits)


class _Estimator:
    def __init__(
        self, items: Sequence[Item], D: FloatArray, *, connect_factor: float
    ) -> None:
        self.items = items
        self.D = D
        self.factor = connect_factor
        self.cache: dict[frozenset[int], float] = {}
        self.evaluations = 0

    def day(self, members: Counter[int]) -> float:
        key = frozenset(i for i, c in members.items() if c > 0)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        self.evaluations += 1
        units = {self.items[i].unit for i in key}
        service = 0.0
        for i in key:
            item = self.items[i]
            service += item.extra_s
            if item.covered_by < 0 or item.covered_by not in units:
                service += item.service_s
        if units:
            idx = np.array([0, *sorted(units)], dtype=np.int64)
            connect = mst_length(self.D[np.ix_(idx, idx)])
        else:
            connect = 0.0
        value = service + self.factor * connect
        self.cache[key] = value
        return value


def _objective(
    estimates: FloatArray,
    patrol_days: Sequence[int],
    *,
    weight: float,
    capacity_s: float,
) -> tuple[float, float]:
    values = estimates[list(patrol_days)]
    total = float(values.sum())
    spread = float(values.max() - values.min()) if len(values) else 0.0
    over = float(np.maximum(values - capacity_s, 0.0).sum())
    mean = total / max(len(values), 1)
    return (
        total + weight * spread + OVERTIME_PENALTY * over,
        float(((values - mean) ** 2).sum()),
    )


def choose_days(
    items: Sequence[Item],
    D: FloatArray,
    *,
    days: int,
    patrol_days: Sequence[int],
    balance_weight: float,
    capacity_s: float,
    rng: np.random.Generator,
    connect_factor: float = 1.5,
    max_evaluations: int = 20_000,
) -> DayChoice:
    """
    Choose one option per item to minimise estimated driving and day spread.

    Parameters
    ----------
    items
        The sections and structures to place.
    D
        Symmetric shortest-path times between units (row 0: the depot), seconds.
    days, patrol_days
        Horizon length and the days with patrol.
    balance_weight
        Weight of the spread (largest minus smallest day estimate).
    capacity_s
        Work the cars can do in a day (cars times shift), seconds.
    rng
        Orders the items in each improvement round.
    connect_factor
        Multiplier of the spanning-tree connection time in a day's estimate.
    max_evaluations
        Budget of day estimates computed (cache misses) before the search stops.
    """
    est = _Estimator(items, D, connect_factor=connect_factor)
    members: list[Counter[int]] = [Counter() for _ in range(days)]
    estimates = np.zeros(days, dtype=np.float64)
    option = [0] * len(items)

    def place(i: int, k: int, sign: int) -> set[int]:
        touched = set(items[i].options[k])
        for d in touched:
            members[d][i] += sign
        return touched

    def refresh(touched: set[int]) -> None:
        for d in touched:
            estimates[d] = est.day(members[d])

    def score() -> tuple[float, float]:
        return _objective(
            estimates, patrol_days, weight=balance_weight, capacity_s=capacity_s
        )

    # construction: most constrained items first (fewest options), each at its best
    order = sorted(range(len(items)), key=lambda i: (len(items[i].options), i))
    for i in order:
        best_k, best = 0, (np.inf, np.inf)
        for k in range(len(items[i].options)):
            refresh(place(i, k, +1))
            value = score()
            if value < best:
                best_k, best = k, value
            refresh(place(i, k, -1))
        option[i] = best_k
        refresh(place(i, best_k, +1))

    # improvement: move one item to another option, first improvement
    current = score()
    improved = True
    rounds = 0
    while improved and est.evaluations < max_evaluations:
        improved = False
        rounds += 1
        for i in rng.permutation(len(items)):
            i = int(i)
            if len(items[i].options) < 2:
                continue
            old = option[i]
            for k in range(len(items[i].options)):
                if k == old:
                    continue
                refresh(place(i, old, -1) | place(i, k, +1))
                value = score()
                if value[0] < current[0] - 1e-6 or (
                    value[0] <= current[0] + 1e-6 and value[1] < current[1] - 1e-6
                ):
                    option[i], current, improved = k, value, True
                    break
                refresh(place(i, k, -1) | place(i, old, +1))
            if est.evaluations >= max_evaluations:
                break
    logger.info(
        "visit days chosen: %d rounds, %d day estimates, objective %.0f s",
        rounds,
        est.evaluations,
        current[0],
    )
    return DayChoice(
        option=tuple(option),
        estimate_s=tuple(float(x) for x in estimates),
        objective=current[0],
        evaluations=est.evaluations,
    )
