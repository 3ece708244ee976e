"""The independent patrol validator on hand-made plans."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from snowroute.patrol.plan import (
    CarRoute,
    DayPlan,
    PatrolPlan,
    PatrolReport,
    SectionPlan,
    StructurePlan,
)
from snowroute.patrol.validate import validate_patrol

from .handmade import PREF, network

START = dt.date(2026, 12, 1)  # a Tuesday
LOOP = ((0, 1, 0), (1, 0, 0))  # out and back along route A section 1
HOURS = 0.2 / 30.0  # 200 m at 30 km/h


def _car(edges=LOOP, serving=(True, False), hours=HOURS, structures=()) -> CarRoute:
    km = 0.1 * len(edges)
    return CarRoute(1, edges, serving, km, 0.1, km - 0.1, hours, structures)


def _plan(days: int = 2, **changes: object) -> PatrolPlan:
    section = SectionPlan(
        "05/prefectural/A@1",
        "05/prefectural/A",
        "A",
        PREF,
        "arterial",
        0.1,
        "own",
        1,
        None,
        LOOP,
        tuple(range(days)),
    )
    day_plans = tuple(
        DayPlan(
            d, START + dt.timedelta(days=d), False, (section.section_id,), (), (_car(),)
        )
        for d in range(days)
    )
    plan = PatrolPlan(
        admin=PREF,
        start=START,
        days=days,
        days_off=(),
        frequency_in="calendar_days",
        depot="D05",
        depot_node=0,
        cars=1,
        shift_h=6.0,
        speed_kph=30.0,
        sections=(section,),
        structures=(),
        day_plans=day_plans,
        report=PatrolReport(True, (), (), 0, 0),
    )
    return dataclasses.replace(plan, **changes)  # type: ignore[arg-type]


def _with_day(plan: PatrolPlan, d: int, **changes: object) -> PatrolPlan:
    days = list(plan.day_plans)
    days[d] = dataclasses.replace(days[d], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(plan, day_plans=tuple(days))


def test_a_daily_section_patrolled_every_day_is_valid():
    report = validate_patrol(network(), _plan())
    assert report.valid, report.violations
    (section,) = report.sections
    assert section.visits == (0, 1)
    assert section.longest_gap == 1
    assert report.sections_compliant == 1


@pytest.mark.parametrize(
    ("day", "message"),
    [
        # driving a road without patrolling it does not count as a visit
        ({"cars": (_car(serving=(False, False)),)}, "goes 2 days between patrols"),
        # a car route that jumps between nodes
        (
            {"cars": (_car(edges=((0, 1, 0), (2, 1, 0)), hours=HOURS),)},
            "jumps from node 1",
        ),
        # a route that does not come back to the depot
        (
            {"cars": (_car(edges=((0, 1, 0),), serving=(True,), hours=HOURS / 2),)},
            "start and end at depot",
        ),
        # two cars where one exists
        ({"cars": (_car(), _car())}, "only 1 exist"),
        # hours that do not match the route
        ({"cars": (_car(hours=1.0),)}, "reports 1.00 h"),
        # an edge not in the network
        ({"cars": (_car(edges=((0, 9, 0), (9, 0, 0))),)}, "not in the network"),
    ],
)
def test_violations_are_one_sentence_each(day, message):
    report = validate_patrol(network(), _with_day(_plan(), 1, **day))
    assert not report.valid
    assert any(message in v for v in report.violations), report.violations


def test_a_day_off_with_cars_and_a_long_shift_are_reported():
    report = validate_patrol(network(), _plan(days_off=("wed",), shift_h=0.001))
    assert any("a day off" in v for v in report.violations)
    assert any("longer than the 0.001 h shift" in v for v in report.violations)


def test_patrol_days_skip_days_off_when_counting_gaps():
    plan = _with_day(_plan(days=2, days_off=("wed",)), 1, cars=())
    assert not validate_patrol(network(), plan).valid  # 2 calendar days apart
    plan = dataclasses.replace(plan, frequency_in="patrol_days")
    assert validate_patrol(network(), plan).valid


def test_structures_must_be_inspected_by_their_due_date():
    due = StructurePlan(
        "B1", "bridge", "", PREF, START, 10.0, (0, 1, 0), "05/prefectural/A@1", 1
    )
    plan = _plan(structures=(due,))
    late = validate_patrol(network(), plan)
    assert late.structures_due == 1
    assert late.structures_scheduled == 0
    assert any("after its due date" in v for v in late.violations)
    on_time = dataclasses.replace(due, day=0)
    inspecting = _with_day(
        _plan(structures=(on_time,)),
        0,
        cars=(_car(hours=HOURS + 1 / 6, structures=("B1",)),),
    )
    report = validate_patrol(network(), inspecting)
    assert report.valid, report.violations
    assert report.structures_scheduled == 1
    unplaced = _plan(unplaced_structures=(("B9", "far away"),))
    report = validate_patrol(network(), unplaced)
    assert report.structures_due == 1
    assert "Structure B9 cannot be placed on a road: far away." in report.violations
