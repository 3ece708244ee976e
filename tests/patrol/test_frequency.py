"""Calendar of patrol days, frequencies and last visits."""

from __future__ import annotations

import datetime as dt

import pytest

from snowroute._errors import ScenarioError
from snowroute.patrol.frequency import (
    Calendar,
    check_last_visits,
    frequency_of,
)
from snowroute.patrol.scope import patrol_scope

from .handmade import network, patrol_spec

START = dt.date(2026, 12, 1)  # a Tuesday


def test_a_calendar_needs_a_day():
    with pytest.raises(ValueError, match="`days` must be at least 1, got 0"):
        Calendar(START, 0)


def test_days_off_by_weekday_or_date():
    cal = Calendar(START, 7, ("Sun", "2026-12-03"))
    assert cal.is_off(dt.date(2026, 12, 6))
    assert cal.is_off(dt.date(2026, 12, 3))
    assert cal.patrol_days == (0, 1, 3, 4, 6)


def test_positions_in_calendar_days_and_in_patrol_days():
    assert Calendar(START, 7, ("sun",)).position(dt.date(2026, 12, 8)) == 7
    cal = Calendar(START, 7, ("sun",), patrol_days_only=True)
    assert cal.position(dt.date(2026, 12, 8)) == 6
    assert cal.end_position == 6
    assert cal.previous_position(None) == -1
    assert cal.previous_position(dt.date(2026, 11, 29)) == -1  # a Sunday skipped


def test_the_most_specific_frequency_wins():
    scope = patrol_scope(network(), patrol_spec())
    section = scope.sections["05/prefectural/A@1"]
    table = {"arterial": 2, "05/prefectural/A": 3, "secondary": 9}
    assert frequency_of(section, table) == 3
    assert frequency_of(section, {"secondary": 9}) == 9
    with pytest.raises(ScenarioError, match="no entry for section"):
        frequency_of(section, {"local": 1})


def test_a_last_visit_must_lie_before_the_horizon():
    visits = {"05/prefectural/A@1": dt.date(2026, 11, 25)}
    check_last_visits(visits, Calendar(START, 3))
    with pytest.raises(ScenarioError, match="not before the horizon"):
        check_last_visits(visits, Calendar(dt.date(2026, 11, 25), 3))
