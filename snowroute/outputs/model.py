"""What the output writers take: plans, exchanged sections and patrol days.

The callers (the exchange and patrol planners, the ``run`` command) build these
small immutable objects from their own results; the writers never call an engine.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from snowroute._clock import parse_clock
from snowroute._errors import OutputError
from snowroute.network.attributes import EdgeKey
from snowroute.outputs.text import REFERENCE_PLANS
from snowroute.routing import ArcRoutingProblem, Solution

__all__ = [
    "ExchangedSection",
    "InspectionStop",
    "PatrolDay",
    "PlanRoutes",
    "exchanged_sections",
    "file_stem",
]


def clock_to_s(text: str, *, name: str = "start_clock") -> float:
    """Seconds after midnight of a ``HH:MM`` clock time (one parser: ``_clock``).

    Raises
    ------
    OutputError
        When ``text`` is not a ``HH:MM`` time.
    """
    try:
        return float(parse_clock(text))
    except ValueError as exc:
        msg = f"`{name}` {exc}."
        raise OutputError(msg) from None


def file_stem(*parts: object) -> str:
    """Return a safe file name stem: ``parts`` joined by ``_``.

    Letters, digits, ``.`` and ``-`` are kept; every other character becomes ``-``.

    >>> file_stem("baseline", "akita dozer/2", 1)
    'baseline_akita-dozer-2_1'
    """
    return "_".join(
        re.sub(r"[^0-9A-Za-z.\-]", "-", str(p)).strip(".") or "x" for p in parts
    )


@dataclass(frozen=True, slots=True)
class InspectionStop:
    """
    A structure inspected on a patrol route: where the car stops, and for how long.

    Parameters
    ----------
    structure_id
        The structure's id (``B07``).
    name
        Its name (``上町橋``).
    kind
        ``bridge``, ``tunnel`` or another kind.
    minutes
        Minutes on site.
    """

    structure_id: str
    name: str
    kind: str
    minutes: float


@dataclass(frozen=True, slots=True, eq=False)
class PlanRoutes:
    """
    One plan to write: the problem, its solution and who runs each vehicle class.

    Parameters
    ----------
    name
        Name of the plan (``"baseline"``, ``"optimized"``, ``"patrol"``).
    problem
        The arc-routing problem; it must come from a road graph
        (``problem.graph.edge_refs`` and ``vertex_refs`` set, as
        :func:`~snowroute.routing.problem_from_graph` does).
    solution
        The solution of ``problem``.
    vehicle_admin
        Administrator id running each vehicle class (by class name).
    depot_names
        Display name of each depot id (optional).
    start_clock
        Clock time (``HH:MM``) the shift starts; route sheets then show clock
        times, otherwise elapsed time.
    activity
        What a vehicle does on the roads it serves: ``"plow"`` or ``"patrol"``
        (the action word of route sheets and map popups).
    stops
        Structures inspected, by the network edge they sit on (either direction):
        the route that serves that road stops there.

    Raises
    ------
    OutputError
        When the name is empty, the problem carries no references back to the
        road graph, a route's vehicle class has no administrator or the clock time
        is malformed.
    """

    name: str
    problem: ArcRoutingProblem
    solution: Solution
    vehicle_admin: Mapping[str, str]
    depot_names: Mapping[str, str] = field(default_factory=dict)
    start_clock: str | None = None
    activity: str = "plow"
    stops: Mapping[EdgeKey, InspectionStop] = field(default_factory=dict)

    def __post_init__(self) -> None:
        name: object = self.name
        if not isinstance(name, str) or not name.strip():
            msg = f"`name` of a plan must be a non-empty string, got {self.name!r}."
            raise OutputError(msg)
        graph = self.problem.graph
        if graph.edge_refs is None or graph.vertex_refs is None:
            msg = (
                f"Plan {self.name!r} has a problem without `edge_refs` and "
                "`vertex_refs`; build it from the road graph with problem_from_graph."
            )
            raise OutputError(msg)
        object.__setattr__(
            self, "vehicle_admin", MappingProxyType(dict(self.vehicle_admin))
        )
        object.__setattr__(
            self, "depot_names", MappingProxyType(dict(self.depot_names))
        )
        object.__setattr__(self, "stops", MappingProxyType(dict(self.stops)))
        for route in self.solution.routes:
            if route.vehicle not in self.vehicle_admin:
                msg = (
                    f"Plan {self.name!r}: vehicle class {route.vehicle!r} has no "
                    "administrator in `vehicle_admin`."
                )
                raise OutputError(msg)
        if self.start_clock is not None:
            clock_to_s(self.start_clock)
        if self.activity not in ("plow", "patrol"):
            msg = f"`activity` must be 'plow' or 'patrol', got {self.activity!r}."
            raise OutputError(msg)


@dataclass(frozen=True, slots=True)
class ExchangedSection:
    """
    A route section handed from one administrator to another in a plan.

    Parameters
    ----------
    route_id
        The route (路線) the section belongs to.
    section
        The section id (edge attribute ``section_id``); a whole route when it
        equals ``route_id``.
    from_admin, to_admin
        Administrator that owns the road and the one that plows it.
    km
        Road kilometres of the section.
    plan
        The plan in which the section is exchanged (empty: every plan).

    Raises
    ------
    OutputError
        When a field is empty or ``km`` is negative.
    """

    route_id: str
    section: str
    from_admin: str
    to_admin: str
    km: float
    plan: str = ""

    def __post_init__(self) -> None:
        for name in ("route_id", "section", "from_admin", "to_admin"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                msg = f"`{name}` of an exchanged section must be a non-empty string."
                raise OutputError(msg)
        if not math.isfinite(self.km) or self.km < 0:
            msg = f"`km` of exchanged section {self.section!r} must be >= 0."
            raise OutputError(msg)

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> ExchangedSection:
        """Build a section from a dict.

        Keys ``route_id``, ``section`` (or ``section_id``), ``from_admin``,
        ``to_admin``, ``km`` and optionally ``plan``.

        Raises
        ------
        OutputError
            When a key is missing or a value is invalid.
        """
        try:
            section = row["section"] if "section" in row else row["section_id"]
            return cls(
                route_id=str(row["route_id"]),
                section=str(section),
                from_admin=str(row["from_admin"]),
                to_admin=str(row["to_admin"]),
                km=float(row["km"]),
                plan=str(row.get("plan", "")),
            )
        except KeyError as exc:
            msg = f"An exchanged section has no `{exc.args[0]}`."
            raise OutputError(msg) from None
        except (TypeError, ValueError) as exc:
            msg = f"An exchanged section has an invalid value: {exc}."
            raise OutputError(msg) from None


def exchanged_sections(summary: Mapping[str, Any]) -> list[ExchangedSection]:
    """Return the sections that change hands in the plans of ``summary``.

    The reference plans (``unbalanced``, ``pooled``, ``pooled_equal_speed``) are
    left out: they are not agreements.

    ``summary`` is the ``summary.json`` data of the exchange planner: the rows of
    ``plans.<name>.exchanged``; a whole route changes hands when a row names no
    section.

    Raises
    ------
    OutputError
        When a row lacks a key or holds an invalid value.
    """
    return [
        ExchangedSection.from_mapping(
            {**row, "section": row.get("section") or row["route_id"], "plan": name}
        )
        for name, plan in summary["plans"].items()
        if name not in REFERENCE_PLANS
        for row in plan.get("exchanged", [])
    ]


@dataclass(frozen=True, slots=True, eq=False)
class PatrolDay:
    """
    The patrol routes of one day.

    Parameters
    ----------
    date
        The day.
    routes
        The day's plan (``activity="patrol"``).
    """

    date: dt.date
    routes: PlanRoutes

    def __post_init__(self) -> None:
        date: object = self.date
        if not isinstance(date, dt.date):
            msg = f"`date` of a patrol day must be a date, got {self.date!r}."
            raise OutputError(msg)
