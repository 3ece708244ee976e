"""Patrol frequencies, the calendar of patrol days and last visits before the horizon.

A section with frequency ``f`` days must be visited at least once in every window
of ``f`` consecutive days: the gap between two visits (and between the last visit
before the horizon and the first in it, and between the last visit and the end of
the horizon) is at most ``f``. Gaps are counted in calendar days, or in patrol
days when ``PatrolSpec.frequency_in`` is ``"patrol_days"`` (days off are skipped, so
"daily" means every working day). Without a known last visit the section is taken
as last visited the day before the horizon starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import jpholiday

from snowroute._errors import ScenarioError
from snowroute.patrol.scope import Section
from snowroute.scenario.model import PatrolSpec

__all__ = ["Calendar", "check_last_visits", "frequency_of"]

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Calendar:
    """
    The horizon: its days, which of them have no patrol, and how gaps are counted.

    Parameters
    ----------
    start
        First day.
    days
        Number of days.
    days_off
        Weekdays (``mon`` .. ``sun``), ISO dates or ``holidays`` (Japan's public
        holidays, from ``jpholiday``) without patrol.
    patrol_days_only
        Count gaps in patrol days (days off skipped) instead of calendar days.
    """

    start: dt.date
    days: int
    days_off: tuple[str, ...] = ()
    patrol_days_only: bool = False

    def __post_init__(self) -> None:
        if self.days < 1:
            msg = f"`days` must be at least 1, got {self.days}."
            raise ValueError(msg)
        object.__setattr__(self, "days_off", tuple(d.lower() for d in self.days_off))

    @classmethod
    def from_spec(cls, spec: PatrolSpec) -> Calendar:
        """Build the calendar of a patrol spec."""
        return cls(
            spec.start_date,
            spec.horizon_days,
            spec.days_off,
            spec.frequency_in == "patrol_days",
        )

    def date(self, day: int) -> dt.date:
        """Date of day number ``day`` (0 is ``start``)."""
        return self.start + dt.timedelta(days=day)

    def is_off(self, date: dt.date) -> bool:
        """Whether ``date`` has no patrol (``holidays``: Japan's public holidays).

        >>> Calendar(dt.date(2026, 11, 1), 30, ("holidays",)).is_off(
        ...     dt.date(2026, 11, 23))  # 勤労感謝の日
        True
        """
        if _WEEKDAYS[date.weekday()] in self.days_off:
            return True
        if "holidays" in self.days_off and jpholiday.is_holiday(date):
            return True
        return date.isoformat() in self.days_off

    @property
    def patrol_days(self) -> tuple[int, ...]:
        """Day numbers with patrol."""
        return tuple(d for d in range(self.days) if not self.is_off(self.date(d)))

    def position(self, date: dt.date) -> int:
        """Where ``date`` lies on the axis gaps are measured on (0: the start).

        Calendar days, or patrol days counted from the start (negative before it).
        """
        offset = (date - self.start).days
        if not self.patrol_days_only:
            return offset
        if offset >= 0:
            return sum(
                not self.is_off(self.start + dt.timedelta(days=i))
                for i in range(offset)
            )
        return -sum(
            not self.is_off(date + dt.timedelta(days=i)) for i in range(-offset)
        )

    def day_position(self, day: int) -> int:
        """:meth:`position` of day number ``day``."""
        return self.position(self.date(day))

    @property
    def end_position(self) -> int:
        """Position of the day after the horizon (the closing bound of every gap)."""
        return self.day_position(self.days)

    def previous_position(self, last_visit: dt.date | None) -> int:
        """Position of a last visit before the horizon (default: the day before)."""
        if last_visit is None:
            return -1
        return self.position(last_visit)


def frequency_of(section: Section, frequency_days: Mapping[str, int]) -> int:
    """
    Return the frequency (longest gap in days) of ``section``.

    Looked up by section id, route id, priority class, then OSM road class: the
    most specific key wins.

    Raises
    ------
    ScenarioError
        When no key of ``frequency_days`` matches the section.
    """
    for key in (
        section.section_id,
        section.route_id,
        section.priority,
        section.road_class,
    ):
        if key and key in frequency_days:
            return int(frequency_days[key])
    msg = (
        f"Scenario field `patrol.frequency_days` has no entry for section "
        f"{section.section_id!r} (route {section.route_id!r}, priority "
        f"{section.priority!r}, road class {section.road_class!r})."
    )
    raise ScenarioError(msg)


def check_last_visits(visits: Mapping[str, dt.date], calendar: Calendar) -> None:
    """Raise when a last visit is not before the horizon.

    Raises
    ------
    ScenarioError
        When a date falls on or after the start of the horizon.
    """
    for section, date in sorted(visits.items()):
        if date >= calendar.start:
            msg = (
                f"Last visit {date} of section {section!r} is not before the horizon "
                f"start {calendar.start}."
            )
            raise ScenarioError(msg)
