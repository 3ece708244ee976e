"""What an engine adapter receives and returns (PyVRP and OR-Tools adapters alike)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from snowroute.routing.params import ProgressCallback, SolveParams
from snowroute.routing.transform import NodeRoute, Transformation

__all__ = ["Engine", "EngineResult", "fleet_sizes"]


@dataclass(frozen=True, slots=True)
class EngineResult:
    """
    Routes found by an engine, in node space.

    Parameters
    ----------
    routes
        Non-empty node routes.
    iterations
        Search iterations (summed over workers).
    stats
        Engine-specific figures for the log (best objective, workers, ...).
    """

    routes: tuple[NodeRoute, ...]
    iterations: int = 0
    stats: Mapping[str, float] = field(default_factory=dict)


class Engine(Protocol):
    """An engine adapter: search routes for a transformation within a time budget."""

    def __call__(
        self,
        tr: Transformation,
        params: SolveParams,
        *,
        time_limit_s: float,
        initial: Sequence[NodeRoute] | None = None,
        target_s: float | None = None,
        callback: ProgressCallback | None = None,
    ) -> EngineResult:
        """Return the best routes found within ``time_limit_s`` and ``params``' stops.

        ``initial`` are complete routes to start the search from; ``target_s`` a
        lower bound on the cost that ends the search when reached; ``callback``
        hears of new best plans.
        """
        ...


def fleet_sizes(tr: Transformation) -> list[int]:
    """
    Count the vehicles an engine should offer per vehicle class.

    The given ``count``, or for an unlimited class a number that loses no optimal
    plan: with capacities as the only limit (no shift, deadline or refill), some
    optimal plan has no two routes whose loads fit in one vehicle (joining them at
    the depot costs nothing extra), so at most ``2 * demand / capacity + 1``
    routes; otherwise one per service.
    """
    problem = tr.problem
    services = tr.num_services
    simple = len(problem.vehicles) == 1 and not problem.deadlines
    out = []
    for vc in problem.vehicles:
        if vc.count is not None:
            out.append(int(vc.count))
            continue
        bound = services
        if (
            simple
            and vc.capacity is not None
            and vc.shift_s is None
            and not vc.refill_depots
        ):
            bound = min(
                services, math.floor(2 * problem.total_demand() / vc.capacity) + 1
            )
        out.append(max(1, bound))
    return out
