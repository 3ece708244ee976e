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
    search = _DaySearch(
        items,
        _Estimator(items, D, connect_factor=connect_factor),
        days=days,
        patrol_days=patrol_days,
        balance_weight=balance_weight,
        capacity_s=capacity_s,
    )
    search.construct()
    current, rounds = search.improve(rng, max_evaluations=max_evaluations)
    logger.info(
        "visit days chosen: %d rounds, %d day estimates, objective %.0f s",
        rounds,
        search.est.evaluations,
        current[0],
    )
    return DayChoice(
        option=tuple(search.option),
        estimate_s=tuple(float(x) for x in search.estimates),
        objective=current[0],
        evaluations=search.est.evaluations,
    )


class _DaySearch:
    """The items on each day, the day estimates, and moves of one item at a time."""

    def __init__(
        self,
        items: Sequence[Item],
        est: _Estimator,
        *,
        days: int,
        patrol_days: Sequence[int],
        balance_weight: float,
        capacity_s: float,
    ) -> None:
        self.items = items
        self.est = est
        self.patrol_days = patrol_days
        self.balance_weight = balance_weight
        self.capacity_s = capacity_s
        self.members: list[Counter[int]] = [Counter() for _ in range(days)]
        self.estimates = np.zeros(days, dtype=np.float64)
        self.option = [0] * len(items)

    def place(self, i: int, k: int, sign: int) -> set[int]:
        """Add (``sign`` 1) or remove (-1) item ``i`` on the days of option ``k``."""
        touched = set(self.items[i].options[k])
        for d in touched:
            self.members[d][i] += sign
        return touched

    def refresh(self, touched: set[int]) -> None:
        """Re-estimate the ``touched`` days."""
        for d in touched:
            self.estimates[d] = self.est.day(self.members[d])

    def score(self) -> tuple[float, float]:
        """Return the objective and, to break ties, the spread of the estimates."""
        return _objective(
            self.estimates,
            self.patrol_days,
            weight=self.balance_weight,
            capacity_s=self.capacity_s,
        )

    def construct(self) -> None:
        """Place the most constrained items first (fewest options), each at its best."""
        items = self.items
        order = sorted(range(len(items)), key=lambda i: (len(items[i].options), i))
        for i in order:
            best_k, best = 0, (np.inf, np.inf)
            for k in range(len(items[i].options)):
                self.refresh(self.place(i, k, +1))
                value = self.score()
                if value < best:
                    best_k, best = k, value
                self.refresh(self.place(i, k, -1))
            self.option[i] = best_k
            self.refresh(self.place(i, best_k, +1))

    def improve(
        self, rng: np.random.Generator, *, max_evaluations: int
    ) -> tuple[tuple[float, float], int]:
        """Move one item to another option, first improvement, until none improves.

        Returns the final score and the number of rounds.
        """
        current = self.score()
        improved = True
        rounds = 0
        while improved and self.est.evaluations < max_evaluations:
            improved = False
            rounds += 1
            for i in rng.permutation(len(self.items)):
                i = int(i)
                if len(self.items[i].options) < 2:
                    continue
                better = self._move(i, current)
                if better is not None:
                    current, improved = better, True
                if self.est.evaluations >= max_evaluations:
                    break
        return current, rounds

    def _move(self, i: int, current: tuple[float, float]) -> tuple[float, float] | None:
        """Move item ``i`` to its first option that improves; the new score, or None."""
        old = self.option[i]
        for k in range(len(self.items[i].options)):
            if k == old:
                continue
            self.refresh(self.place(i, old, -1) | self.place(i, k, +1))
            value = self.score()
            if value[0] < current[0] - 1e-6 or (
                value[0] <= current[0] + 1e-6 and value[1] < current[1] - 1e-6
            ):
                self.option[i] = k
                return value
            self.refresh(self.place(i, k, -1) | self.place(i, old, +1))
        return None
