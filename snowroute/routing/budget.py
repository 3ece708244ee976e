"""A run's wall-clock budget, shared between its routing problems by size.

A scenario's ``time_limit_s`` bounds the routing of the whole run, not one
search: a planner that routes several problems asks its :class:`Budget` for each
problem's share, in proportion to the problem's size against the size still to
route, and splits it into parts for stages (baseline, then other plans). A search
that converges early leaves its unused time to the problems after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from snowroute._errors import ProblemError

__all__ = ["MIN_SEARCH_S", "Budget", "check_budget"]

#: Shortest time a search is given even when the budget is spent (so that a plan
#: exists at all: building the model and one local search).
MIN_SEARCH_S = 0.5


def check_budget(total_s: float) -> None:
    """Raise unless ``total_s`` is a positive number of seconds.

    Raises
    ------
    ProblemError
        Naming the value.
    """
    if not total_s > 0:
        msg = f"A time budget must be positive, got {total_s!r} s."
        raise ProblemError(msg)


class Budget:
    """
    Seconds of wall-clock time for a run's routing, handed out by problem size.

    Parameters
    ----------
    total_s
        The whole budget, from now.
    clock
        Time source (seconds); ``time.perf_counter`` by default.

    Raises
    ------
    ProblemError
        When ``total_s`` is not positive.
    """

    def __init__(
        self, total_s: float, *, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        check_budget(total_s)
        self.total_s = float(total_s)
        self._clock = clock
        self.deadline = clock() + self.total_s

    def remaining(self) -> float:
        """Seconds left (0 once spent)."""
        return max(0.0, self.deadline - self._clock())

    @property
    def spent(self) -> bool:
        """Whether no time is left."""
        return self.remaining() <= 0.0

    def share(self, size: float, pending: float) -> float:
        """Return the seconds for one problem of ``size``.

        ``pending`` is the size still to route with this budget, this problem
        included; the share is at least :data:`MIN_SEARCH_S`.
        """
        if pending <= 0 or size >= pending:
            return max(MIN_SEARCH_S, self.remaining())
        return max(MIN_SEARCH_S, self.remaining() * size / pending)

    def part(self, fraction: float) -> Budget:
        """Return a budget of ``fraction`` of what is left, for one stage of the run."""
        seconds = max(MIN_SEARCH_S, self.remaining() * min(1.0, max(0.0, fraction)))
        return Budget(seconds, clock=self._clock)
