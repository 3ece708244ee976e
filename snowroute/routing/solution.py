"""Plans: routes as exact arc sequences with their statistics, and whole solutions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

__all__ = ["Refill", "Route", "ServiceVisit", "Solution"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ServiceVisit:
    """
    One pass of a required arc, as served by a route.

    Parameters
    ----------
    required
        Index of the required arc in ``ArcRoutingProblem.required``.
    direction
        0 along ``RequiredArc.arc``, 1 along ``RequiredArc.reverse_arc``.
    pass_index
        Which pass of that direction (0 for single-pass arcs).
    """

    required: int
    direction: int
    pass_index: int = 0


@dataclass(frozen=True, slots=True)
class Refill:
    """
    A refill stop: the load goes back to zero at a depot mid-route.

    Parameters
    ----------
    position
        The stop happens before ``Route.arcs[position]`` (at its tail vertex), or at
        the end of the route when ``position == len(arcs)``.
    depot
        Id of the depot.
    """

    position: int
    depot: str


@dataclass(frozen=True, slots=True, eq=False)
class Route:
    """
    One vehicle's route: the exact arcs it drives, which of them serve, and totals.

    Parameters
    ----------
    vehicle
        Name of the vehicle class.
    services
        Passes served, in driving order.
    arcs
        Deadhead-graph arc indices in driving order, services included.
    serving
        Per arc, the index of the required arc it serves, or -1 for deadheading.
    refills
        Refill stops, in driving order.
    served_m, deadhead_m
        Metres driven serving and deadheading.
    service_s, deadhead_s
        Seconds spent serving (extra service time included) and deadheading.
    load
        Total demand served.
    peak_load
        Largest load carried between two refills.
    finish_s
        Completion time of the last service of each priority class on this route.
    """

    vehicle: str
    services: tuple[ServiceVisit, ...]
    arcs: IntArray
    serving: IntArray
    refills: tuple[Refill, ...] = ()
    served_m: float = 0.0
    deadhead_m: float = 0.0
    service_s: float = 0.0
    deadhead_s: float = 0.0
    load: float = 0.0
    peak_load: float = 0.0
    finish_s: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        arcs = np.array(self.arcs, dtype=np.int64)
        serving = np.array(self.serving, dtype=np.int64)
        arcs.flags.writeable = False
        serving.flags.writeable = False
        object.__setattr__(self, "arcs", arcs)
        object.__setattr__(self, "serving", serving)
        object.__setattr__(self, "services", tuple(self.services))
        object.__setattr__(self, "refills", tuple(self.refills))
        object.__setattr__(self, "finish_s", MappingProxyType(dict(self.finish_s)))

    @property
    def is_service(self) -> npt.NDArray[np.bool_]:
        """Per arc, whether the vehicle is serving on it."""
        return self.serving >= 0

    @property
    def duration_s(self) -> float:
        """Route duration: service plus deadhead time."""
        return self.service_s + self.deadhead_s

    @property
    def served_km(self) -> float:
        """Kilometres served."""
        return self.served_m / 1000.0

    @property
    def deadhead_km(self) -> float:
        """Kilometres deadheaded."""
        return self.deadhead_m / 1000.0


@dataclass(frozen=True, slots=True, eq=False)
class Solution:
    """
    A plan for an arc-routing problem, checked by the independent validator.

    Parameters
    ----------
    routes
        The non-empty routes.
    cost
        Objective recomputed by the validator: total route time plus fixed costs.
    feasible
        Whether the validator found no violation.
    violations
        One sentence per violated constraint.
    lower_bound
        A provably valid lower bound on the cost of any plan.
    engine
        Engine that produced the plan (``"pyvrp"``, ``"ortools"``).
    seed
        Seed of the run.
    runtime_s
        Wall-clock seconds of the whole ``solve`` call.
    stats
        Engine figures (``iterations``, ``workers``, ``worker_peak_kb``, ...;
        ``makespan_lower_bound`` for a makespan plan).
    objective
        What the search minimised: ``"total_time"`` or ``"makespan"``.
    """

    routes: tuple[Route, ...]
    cost: float
    feasible: bool
    violations: tuple[str, ...]
    lower_bound: float
    engine: str
    seed: int
    runtime_s: float
    stats: Mapping[str, float] = field(default_factory=dict)
    objective: str = "total_time"

    def __post_init__(self) -> None:
        object.__setattr__(self, "routes", tuple(self.routes))
        object.__setattr__(self, "violations", tuple(self.violations))
        object.__setattr__(self, "stats", MappingProxyType(dict(self.stats)))

    @property
    def num_routes(self) -> int:
        """Number of routes."""
        return len(self.routes)

    @property
    def service_s(self) -> float:
        """Total service time."""
        return math.fsum(r.service_s for r in self.routes)

    @property
    def deadhead_s(self) -> float:
        """Total deadhead time."""
        return math.fsum(r.deadhead_s for r in self.routes)

    @property
    def duration_s(self) -> float:
        """Total route time (service plus deadhead)."""
        return self.service_s + self.deadhead_s

    @property
    def served_km(self) -> float:
        """Total kilometres served."""
        return math.fsum(r.served_m for r in self.routes) / 1000.0

    @property
    def deadhead_km(self) -> float:
        """Total kilometres deadheaded."""
        return math.fsum(r.deadhead_m for r in self.routes) / 1000.0

    @property
    def makespan_s(self) -> float:
        """Duration of the longest route."""
        return max((r.duration_s for r in self.routes), default=0.0)

    def finish_s(self) -> dict[str, float]:
        """Completion time of the last service of each priority class."""
        out: dict[str, float] = {}
        for r in self.routes:
            for name, t in r.finish_s.items():
                out[name] = max(out.get(name, 0.0), t)
        return out

    def gap_to_bound(self) -> float:
        """Return ``(cost - lower_bound) / lower_bound`` (0: proven optimal).

        The plan is at most this far above optimal, since the optimum lies
        between the bound and the cost.
        """
        if self.cost <= 0 or self.lower_bound <= 0:
            return 0.0 if self.cost <= self.lower_bound else math.inf
        return (self.cost - self.lower_bound) / self.lower_bound

    def summary(self) -> str:
        """Describe the plan in a few lines."""
        state = (
            "feasible"
            if self.feasible
            else f"INFEASIBLE ({len(self.violations)} violations)"
        )
        lines = [
            f"{self.engine} plan, seed {self.seed}, {self.runtime_s:.1f} s: {state}",
            f"cost {self.cost:,.1f} (lower bound {self.lower_bound:,.1f}, "
            f"at most {100 * self.gap_to_bound():.2f} % above optimal)",
            f"{self.num_routes} routes; service {self.service_s:,.0f} s, "
            f"deadhead {self.deadhead_s:,.0f} s; served {self.served_km:,.2f} km, "
            f"deadhead {self.deadhead_km:,.2f} km",
        ]
        lines.extend(f"violation: {v}" for v in self.violations)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
