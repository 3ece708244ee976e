from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pytest

from snowroute._errors import InputFileError, ScenarioError
from snowroute.patrol import PatrolPlan, patrol_scope, plan_patrol, validate_patrol
from snowroute.patrol.days import greedy_visits
from snowroute.patrol.frequency import Calendar, frequency_of
from snowroute.prepare import graph_from_scenario
from snowroute.scenario.load import scenario_from_toml
from snowroute.scenario.model import Scenario
from snowroute.scenario.side import read_structures

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo.toml"


@lru_cache
def demo() -> tuple[nx.MultiDiGraph, Scenario]:
    scenario = scenario_from_toml(DEMO)
    return graph_from_scenario(scenario), scenario


def short_scenario(days: int = 4, **changes: object) -> Scenario:
    _, scenario = demo()
    assert scenario.patrol is not None
    spec = dataclasses.replace(scenario.patrol, horizon_days=days, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(scenario, patrol=spec)


@lru_cache
def small_plan() -> PatrolPlan:
    G, _ = demo()
    return plan_patrol(G, short_scenario(), time_limit_s=5.0, max_iterations=50)


def test_small_plan_meets_every_frequency_and_structure() -> None:
    plan = small_plan()
    data = plan.to_dict()
    assert plan.valid, plan.report.violations
    assert data["sections_total"] == data["sections_compliant"] > 0
    # due by 2026-12-04: B07 (12-01) and B04 (12-03)
    assert data["structures_due"] == data["structures_scheduled"] == 2
    assert len(data["days"]) == 4
    assert data["total_km"] == pytest.approx(sum(d["km"] for d in data["days"]))
    emergency = [s for s in plan.sections if s.frequency_days == 1]
    assert emergency
    for s in emergency:
        assert s.planned_days == (0, 1, 2, 3)
    for day in plan.day_plans:
        for car in day.cars:
            assert car.hours <= plan.shift_h
            assert car.edges[0][0] == plan.depot_node == car.edges[-1][1]


def test_validator_catches_a_frequency_violation() -> None:
    G, _ = demo()
    plan = small_plan()
    days = list(plan.day_plans)
    days[1] = dataclasses.replace(days[1], cars=())  # nobody patrols on day 2
    report = validate_patrol(G, dataclasses.replace(plan, day_plans=tuple(days)))
    assert not report.valid
    assert report.sections_compliant < len(plan.sections)
    assert any("between patrols; its frequency is 1" in v for v in report.violations)


def test_validator_catches_a_missed_structure() -> None:
    G, _ = demo()
    plan = small_plan()
    target = plan.structures[0]
    assert target.day is not None
    # claim the inspection happened on another day, when no car inspects it
    other = 1 if target.day == 0 else 0
    moved = dataclasses.replace(target, day=other)
    structures = (moved, *plan.structures[1:])
    report = validate_patrol(G, dataclasses.replace(plan, structures=structures))
    assert not report.valid
    assert report.structures_scheduled == report.structures_due - 1
    assert any(target.structure_id in v for v in report.violations)


def test_validator_catches_a_long_shift() -> None:
    G, _ = demo()
    plan = small_plan()
    report = validate_patrol(G, dataclasses.replace(plan, shift_h=0.5))
    assert any("longer than the 0.5 h shift" in v for v in report.violations)


def test_plan_is_deterministic_with_max_iterations() -> None:
    G, _ = demo()
    again = plan_patrol(G, short_scenario(), time_limit_s=5.0, max_iterations=50)
    assert again.to_dict() | {"runtime_s": 0} == small_plan().to_dict() | {
        "runtime_s": 0
    }


def test_scope_takes_own_roads_and_municipal_links() -> None:
    G, _ = demo()
    linked = patrol_scope(G, short_scenario().patrol)  # type: ignore[arg-type]
    own = patrol_scope(G, short_scenario(network_roads="none").patrol)  # type: ignore[arg-type]
    assert {s.reason for s in linked.sections.values()} == {"own", "link"}
    assert {s.reason for s in own.sections.values()} == {"own"}
    assert set(own.sections) < set(linked.sections)
    for s in linked.sections.values():
        assert s.admin_id == "05" or s.route_id.split("/")[1] == "municipal"


def test_unknown_network_road_id_is_an_error() -> None:
    G, _ = demo()
    spec = short_scenario(network_road_ids=("05201/municipal/nowhere",)).patrol
    with pytest.raises(ScenarioError, match="network_road_ids"):
        patrol_scope(G, spec)  # type: ignore[arg-type]


def test_frequency_needs_a_matching_key() -> None:
    G, _ = demo()
    scope = patrol_scope(G, short_scenario().patrol)  # type: ignore[arg-type]
    section = next(iter(scope.sections.values()))
    assert frequency_of(section, {section.route_id: 3, section.priority: 1}) == 3
    with pytest.raises(ScenarioError, match="no entry for section"):
        frequency_of(section, {"nothing": 1})


def test_daily_frequency_with_a_day_off_is_reported_not_raised() -> None:
    G, _ = demo()
    # 2026-12-02 is a Wednesday: a daily road cannot be patrolled that day
    scenario = short_scenario(days=3, days_off=("wed",), structures=None)
    plan = plan_patrol(G, scenario, time_limit_s=5.0, max_iterations=30)
    assert not plan.valid
    assert plan.day_plans[1].off
    assert not plan.day_plans[1].cars
    assert any("its frequency is 1" in v for v in plan.report.violations)


def test_counting_patrol_days_skips_days_off() -> None:
    G, _ = demo()
    scenario = short_scenario(
        days=3, days_off=("wed",), frequency_in="patrol_days", structures=None
    )
    plan = plan_patrol(G, scenario, time_limit_s=5.0, max_iterations=30)
    assert plan.valid, plan.report.violations


def test_greedy_visits_leave_no_gap_longer_than_the_frequency() -> None:
    positions = list(range(15))
    patrol_days = [d for d in range(14) if d % 7 != 5]  # one day off a week
    visits = greedy_visits(
        1, frequency=3, positions=positions, patrol_days=patrol_days, end_position=14
    )
    marks = [-1, *visits, 14]
    assert max(b - a for a, b in itertools.pairwise(marks)) <= 3
    assert not set(visits) & {5, 12}


def test_calendar_positions_in_patrol_days() -> None:
    cal = Calendar(dt.date(2026, 12, 1), 14, ("sun",), patrol_days_only=True)
    assert cal.position(dt.date(2026, 12, 8)) == 6  # one Sunday between
    assert cal.position(dt.date(2026, 11, 29)) == -1  # Sunday 11-29 skipped
    assert cal.patrol_days[:6] == (0, 1, 2, 3, 4, 6)


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (
            "B1,bridge,x,05,140.1,39.7,2021-12-01,5,abc",
            "line 2",
        ),  # minutes not a number
        ("B1,ship,x,05,140.1,39.7,2021-12-01,5,30", "kind"),  # unknown kind
        ("B1,bridge,x,05,140.1,99.0,2021-12-01,5,30", "lon"),  # latitude out of range
        ("B1,bridge,x,05,140.1,39.7,,,30", "due_date"),  # no due date, no cycle
    ],
)
def test_bad_structure_rows_are_named(tmp_path: Path, row: str, match: str) -> None:
    path = tmp_path / "s.csv"
    header = (
        "structure_id,kind,name,admin_id,lon,lat,last_inspection,interval_years,"
        "minutes_on_site"
    )
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=match):
        read_structures(path)


def test_demo_structures_have_five_due_in_the_first_two_weeks() -> None:
    structures = read_structures(ROOT / "networks" / "demo" / "structures.csv")
    due = [s for s in structures if s.due <= dt.date(2026, 12, 14)]
    assert len(structures) == 9
    assert len(due) == 5
