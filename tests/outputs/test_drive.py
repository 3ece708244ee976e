"""Route times in the outputs are the validator's, turn penalties included."""

from __future__ import annotations

import pytest

from snowroute.outputs.drive import driven_routes
from snowroute.outputs.model import PlanRoutes
from snowroute.routing import TurnRules, VehicleClass, problem_from_graph, solve
from snowroute.routing.validate import validate
from tests.routing.test_turns import _both_ways, _grid


@pytest.mark.parametrize("turns", [None, TurnRules(drive_side="left", across_s=30.0)])
def test_driven_times_equal_the_validators(turns: TurnRules | None) -> None:
    problem = problem_from_graph(
        _grid(),
        required=_both_ways(((0, 0), (1, 0)), ((1, 1), (1, 2)), ((2, 1), "spur")),
        depots={"yard": (0, 0)},
        vehicles=[VehicleClass("truck", "yard", plow_speed_kph=20.0)],
        both_directions=True,
        turns=turns,
    )
    solution = solve(problem, seed=1, workers=1, max_iterations=200)
    report = validate(problem, solution.routes)
    assert report.valid
    plan = PlanRoutes(
        name="baseline",
        problem=problem,
        solution=solution,
        vehicle_admin={"truck": "city"},
        depot_names={"yard": "Yard"},
        start_clock="03:00",
    )
    driven = driven_routes(plan)
    assert [r.duration_s for r in driven] == pytest.approx(
        [r["duration_s"] for r in report.routes]
    )
    if turns is not None:  # turning costs time the plain sum of legs leaves out
        legs = sum(leg.end_s - leg.start_s for leg in driven[0].legs)
        assert driven[0].duration_s > legs


def test_sheets_mark_the_roads_plowed_for_another_administrator(demo) -> None:  # type: ignore[no-untyped-def]
    from snowroute.outputs import sheet_lines
    from snowroute.outputs.drive import plans_driven

    def marked(name: str) -> list[tuple[str, str]]:
        plans = [p for p in demo.plans if p.name == name]
        return [
            (line.road_admin, route.admin)
            for route in plans_driven(plans)
            for line in sheet_lines(demo.G, route)
            if line.for_other
        ]

    assert marked("baseline") == []
    swapped = marked("swapped")
    assert swapped  # Akita city plows the prefectural section it took over
    assert {admin for _, admin in swapped} == {"05201"}
    assert all("05" in owners.split(", ") for owners, _ in swapped)


def test_patrol_sheets_count_from_the_cars_start(demo) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt
    from types import SimpleNamespace

    from snowroute.outputs import sheet_lines
    from snowroute.pipeline import RunResult, _patrol_days
    from snowroute.scenario import scenario_from_toml
    from tests.helpers import ROOT

    scenario = scenario_from_toml(ROOT / "scenarios" / "demo.toml")
    assert scenario.patrol is not None
    plan = demo.plans[2]
    day = SimpleNamespace(
        date=dt.date(2026, 12, 1), routing=(plan.problem, plan.solution)
    )
    patrol = SimpleNamespace(admin="05", day_plans=[day])
    result = RunResult(scenario, demo.G, None, patrol, 0.0)  # type: ignore[arg-type]
    (patrol_day,) = _patrol_days(result)
    route = driven_routes(patrol_day.routes)[0]
    assert sheet_lines(demo.G, route)[0].start == scenario.patrol.cars.start == "08:30"


def test_patrol_sheet_and_gpx_name_the_structure_inspected(demo) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    import gpxpy

    from snowroute.outputs import InspectionStop, route_to_gpx, sheet_lines

    plan = demo.plans[2]
    route = driven_routes(plan)[0]
    served = [leg for leg in route.legs if leg.serving]
    edge = served[len(served) // 2].edge
    reverse = (edge[1], edge[0], edge[2])  # a stop is found in either direction
    bridge = InspectionStop("B07", "上町橋", "bridge", 40.0)
    day = dataclasses.replace(plan, activity="patrol", stops={reverse: bridge})
    route = driven_routes(day)[0]
    assert [stop for _, stop in route.stops] == [bridge]
    lines = sheet_lines(demo.G, route, lang="ja")
    inspections = [line for line in lines if line.action == "inspect"]
    assert len(inspections) == 1
    assert inspections[0].street == "上町橋 (橋梁 B07, 40 分)"
    assert inspections[0].n_edges == 1
    gpx = gpxpy.parse(route_to_gpx(demo.G, route, lines=lines, lang="ja"))
    names = [w.name for w in gpx.waypoints if w.type == "inspection"]
    assert names == ["点検 上町橋 (橋梁 B07, 40 分)"]
