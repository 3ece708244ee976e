"""The patrol plan: days, car routes, sections and structures, as values and JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from snowroute.network.attributes import EdgeKey
from snowroute.routing import ArcRoutingProblem, Solution

__all__ = [
    "CarRoute",
    "DayPlan",
    "PatrolPlan",
    "PatrolReport",
    "SectionCompliance",
    "SectionPlan",
    "StructurePlan",
]


@dataclass(frozen=True, slots=True)
class CarRoute:
    """
    One car's patrol of one day: the edges it drives in order, and totals.

    Parameters
    ----------
    car
        Car number (1-based) on that day.
    edges
        Directed edges ``(u, v, key)`` in driving order, from the depot back to it.
    serving
        Per edge, whether it is patrolled (counted) or only driven through.
    km, patrolled_km, deadhead_km
        Distance driven in total, patrolling and driving through.
    hours
        Route duration, structure stops included.
    structures
        Structures inspected on this route.
    """

    car: int
    edges: tuple[EdgeKey, ...]
    serving: tuple[bool, ...]
    km: float
    patrolled_km: float
    deadhead_km: float
    hours: float
    structures: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DayPlan:
    """
    One day of the horizon.

    Parameters
    ----------
    day
        Day number (0 is the first day).
    date
        Its date.
    off
        A day without patrol.
    sections
        Sections due and patrolled that day.
    structures
        Structures inspected that day.
    cars
        The car routes (none on a day off or a day with nothing due).
    estimate_h
        The day-choice estimate of the work, hours.
    routing_violations
        What the routing core's validator found wrong with the day's routes.
    routing
        The day's routing problem and solution (for maps and layers), or None.
    """

    day: int
    date: dt.date
    off: bool
    sections: tuple[str, ...]
    structures: tuple[str, ...]
    cars: tuple[CarRoute, ...]
    estimate_h: float = 0.0
    routing_violations: tuple[str, ...] = ()
    routing: tuple[ArcRoutingProblem, Solution] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def km(self) -> float:
        """Distance driven by every car."""
        return sum(c.km for c in self.cars)

    @property
    def hours(self) -> float:
        """Hours driven by every car."""
        return sum(c.hours for c in self.cars)


@dataclass(frozen=True, slots=True)
class SectionPlan:
    """A patrolled section with its frequency and planned days."""

    section_id: str
    route_id: str
    route_name: str
    admin_id: str
    priority: str
    road_km: float
    reason: str
    frequency_days: int
    last_visit: dt.date | None
    edges: tuple[EdgeKey, ...]
    planned_days: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StructurePlan:
    """A structure, where it sits, when it is due and the day it is inspected."""

    structure_id: str
    kind: str
    name: str
    admin_id: str
    due: dt.date
    minutes_on_site: float
    edge: EdgeKey | None
    section_id: str
    day: int | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class SectionCompliance:
    """A section's visits and its longest gap against its frequency."""

    section_id: str
    frequency_days: int
    visits: tuple[int, ...]
    longest_gap: int
    compliant: bool


@dataclass(frozen=True, slots=True)
class PatrolReport:
    """What the independent patrol validator found."""

    valid: bool
    violations: tuple[str, ...]
    sections: tuple[SectionCompliance, ...]
    structures_due: int
    structures_scheduled: int

    @property
    def sections_compliant(self) -> int:
        """Sections whose longest gap is within their frequency."""
        return sum(s.compliant for s in self.sections)


@dataclass(frozen=True, slots=True)
class PatrolPlan:
    """
    A day-by-day patrol plan and its validation.

    Parameters
    ----------
    admin
        The patrolling administrator.
    start, days
        First day and number of days.
    days_off
        Weekdays or dates without patrol.
    frequency_in
        ``"calendar_days"`` or ``"patrol_days"`` (how gaps are counted).
    depot, depot_node
        Depot id and its road node.
    cars, shift_h, speed_kph
        Patrol cars per day, their shift and their speed.
    sections, structures, day_plans
        The plan.
    report
        The independent validator's verdict.
    seed
        Seed of the run.
    runtime_s
        Wall-clock seconds of planning.
    """

    admin: str
    start: dt.date
    days: int
    days_off: tuple[str, ...]
    frequency_in: str
    depot: str
    depot_node: Hashable
    cars: int
    shift_h: float
    speed_kph: float
    sections: tuple[SectionPlan, ...]
    structures: tuple[StructurePlan, ...]
    day_plans: tuple[DayPlan, ...]
    report: PatrolReport
    seed: int = 0
    runtime_s: float = 0.0
    unplaced_structures: tuple[tuple[str, str], ...] = field(default=())

    @property
    def valid(self) -> bool:
        """Whether the validator found no violation."""
        return self.report.valid

    @property
    def total_km(self) -> float:
        """Distance driven over the horizon."""
        return sum(d.km for d in self.day_plans)

    @property
    def total_hours(self) -> float:
        """Car hours over the horizon."""
        return sum(d.hours for d in self.day_plans)

    def _working(self) -> list[DayPlan]:
        return [d for d in self.day_plans if not d.off]

    def spread(self) -> dict[str, float]:
        """Smallest and largest km and hours of a patrol day."""
        days = self._working()
        if not days:
            return {"min_km": 0.0, "max_km": 0.0, "min_h": 0.0, "max_h": 0.0}
        return {
            "min_km": min(d.km for d in days),
            "max_km": max(d.km for d in days),
            "min_h": min(d.hours for d in days),
            "max_h": max(d.hours for d in days),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the plan as a JSON-ready dict (``patrol.json``)."""
        spread = self.spread()
        compliance = {c.section_id: c for c in self.report.sections}
        return {
            "admin": self.admin,
            "start_date": self.start.isoformat(),
            "horizon_days": self.days,
            "days_off": list(self.days_off),
            "frequency_in": self.frequency_in,
            "depot": self.depot,
            "cars": self.cars,
            "shift_h": self.shift_h,
            "speed_kph": self.speed_kph,
            "valid": self.valid,
            "violations": list(self.report.violations),
            "sections_total": len(self.sections),
            "sections_compliant": self.report.sections_compliant,
            "patrolled_road_km": round(sum(s.road_km for s in self.sections), 3),
            "structures_due": self.report.structures_due,
            "structures_scheduled": self.report.structures_scheduled,
            "total_km": round(self.total_km, 3),
            "total_hours": round(self.total_hours, 3),
            "day_km_min": round(spread["min_km"], 3),
            "day_km_max": round(spread["max_km"], 3),
            "day_km_spread": round(spread["max_km"] - spread["min_km"], 3),
            "day_hours_min": round(spread["min_h"], 3),
            "day_hours_max": round(spread["max_h"], 3),
            "seed": self.seed,
            "runtime_s": round(self.runtime_s, 2),
            "days": [_day_dict(d) for d in self.day_plans],
            "sections": [
                _section_dict(s, compliance.get(s.section_id), self.start)
                for s in self.sections
            ],
            "structures": [_structure_dict(s, self.start) for s in self.structures],
            "unplaced_structures": [
                {"structure_id": sid, "reason": why}
                for sid, why in self.unplaced_structures
            ],
        }

    def summary(self) -> str:
        """Describe the plan: compliance, total km, the per-day spread, each day."""
        spread = self.spread()
        state = "valid" if self.valid else f"INVALID ({len(self.report.violations)})"
        lines = [
            f"Patrol plan {self.start} + {self.days} days, admin {self.admin}, "
            f"{self.cars} car(s) x {self.shift_h:g} h at {self.speed_kph:g} km/h: "
            f"{state}",
            f"  sections {self.report.sections_compliant}/{len(self.sections)} "
            f"meet their frequency ({sum(s.road_km for s in self.sections):.1f} km "
            "patrolled); structures due "
            f"{self.report.structures_scheduled}/{self.report.structures_due} "
            "scheduled",
            f"  total {self.total_km:.1f} km, {self.total_hours:.1f} h; per patrol "
            f"day {spread['min_km']:.1f}-{spread['max_km']:.1f} km (spread "
            f"{spread['max_km'] - spread['min_km']:.1f} km), "
            f"{spread['min_h']:.2f}-{spread['max_h']:.2f} h",
        ]
        for d in self.day_plans:
            if d.off:
                lines.append(f"  {d.date} {d.date.strftime('%a')}  day off")
                continue
            cars = ", ".join(f"{c.km:.1f} km/{c.hours:.2f} h" for c in d.cars) or "-"
            lines.append(
                f"  {d.date} {d.date.strftime('%a')}  {len(d.sections):3d} sections "
                f"{len(d.structures)} structures  {cars}"
            )
        lines.extend(f"  violation: {v}" for v in self.report.violations[:20])
        return "\n".join(lines)


def _day_dict(d: DayPlan) -> dict[str, Any]:
    """Return one day of ``patrol.json``: totals, what is due, each car's route."""
    return {
        "date": d.date.isoformat(),
        "weekday": d.date.strftime("%a"),
        "off": d.off,
        "km": round(d.km, 3),
        "hours": round(d.hours, 3),
        "estimate_hours": round(d.estimate_h, 3),
        "sections": list(d.sections),
        "structures": list(d.structures),
        "cars": [
            {
                "car": c.car,
                "km": round(c.km, 3),
                "patrolled_km": round(c.patrolled_km, 3),
                "deadhead_km": round(c.deadhead_km, 3),
                "hours": round(c.hours, 3),
                "structures": list(c.structures),
                "edges": len(c.edges),
            }
            for c in d.cars
        ],
        "routing_violations": list(d.routing_violations),
    }


def _section_dict(
    s: SectionPlan, compliance: SectionCompliance | None, start: dt.date
) -> dict[str, Any]:
    """Return one section of ``patrol.json`` with its visits and longest gap."""
    return {
        "section_id": s.section_id,
        "route_id": s.route_id,
        "route_name": s.route_name,
        "admin_id": s.admin_id,
        "priority": s.priority,
        "reason": s.reason,
        "road_km": round(s.road_km, 3),
        "frequency_days": s.frequency_days,
        "last_visit": None if s.last_visit is None else str(s.last_visit),
        "visits": []
        if compliance is None
        else [(start + dt.timedelta(days=v)).isoformat() for v in compliance.visits],
        "longest_gap_days": None if compliance is None else compliance.longest_gap,
        "compliant": compliance is not None and compliance.compliant,
    }


def _structure_dict(s: StructurePlan, start: dt.date) -> dict[str, Any]:
    """Return one structure of ``patrol.json`` with its inspection date."""
    return {
        "structure_id": s.structure_id,
        "kind": s.kind,
        "name": s.name,
        "admin_id": s.admin_id,
        "due": s.due.isoformat(),
        "section_id": s.section_id,
        "date": None
        if s.day is None
        else (start + dt.timedelta(days=s.day)).isoformat(),
        "minutes_on_site": s.minutes_on_site,
        "note": s.note,
    }
