import dataclasses

import numpy as np
import pytest

from snowroute.routing import (
    Refill,
    RequiredArc,
    Route,
    ServiceVisit,
    VehicleClass,
    validate,
)

from .helpers import all_roads, toy_problem

# A hand-written valid plan on the toy network (see helpers.py for the arc table):
# route A: 0>1 (serve 0-1), 1>2 (serve one-way), 2>5 (serve 2-5), 5>4 (serve 4-5),
#          4>1 (serve 1-4), 1>0 (deadhead);
# route B: 0>3 (serve 0-3), 3>4 (serve 3-4), 4>3 (deadhead), 3>0 (deadhead).
TRUCK = VehicleClass("truck", "garage", count=2, capacity=10, shift_s=100.0)


def _problem(**changes):
    truck = dataclasses.replace(TRUCK, **changes)
    roads = all_roads(demand=2.0)
    roads[1] = RequiredArc(
        arc=2, mode="forward", ref=2, demand=2.0, priority="emergency"
    )
    return toy_problem(roads, [truck], deadlines={"emergency": 25.0})


def _route(arcs, serving, *, refills=(), vehicle="truck", **override):
    """A route with its figures computed by hand from the toy arc table."""
    length = {
        0: 100,
        1: 100,
        2: 100,
        3: 150,
        4: 150,
        5: 150,
        6: 150,
        7: 150,
        8: 150,
        9: 100,
        10: 100,
        11: 100,
        12: 100,
    }
    problem = _problem()
    services = []
    for a, s in zip(arcs, serving, strict=True):
        if s >= 0:
            direction = 0 if problem.required[s].arc == a else 1
            services.append(ServiceVisit(s, direction))
    served = sum(length[a] for a, s in zip(arcs, serving, strict=True) if s >= 0)
    dead = sum(length[a] for a, s in zip(arcs, serving, strict=True) if s < 0)
    figures = {
        "served_m": served,
        "deadhead_m": dead,
        "service_s": served / 10,
        "deadhead_s": dead / 10,
        "load": 2.0 * len(services),
        "peak_load": 2.0 * len(services),
        "finish_s": {"emergency": 20.0} if 2 in arcs else {},
    }
    figures.update(override)
    return Route(
        vehicle=vehicle,
        services=tuple(services),
        arcs=np.array(arcs),
        serving=np.array(serving),
        refills=tuple(refills),
        **figures,
    )


ROUTE_A = dict(arcs=[0, 2, 7, 12, 6, 1], serving=[0, 1, 4, 6, 3, -1])
ROUTE_B = dict(arcs=[3, 9, 10, 4], serving=[2, 5, -1, -1])


def test_hand_made_plan_is_valid():
    report = validate(_problem(), [_route(**ROUTE_A), _route(**ROUTE_B)])
    assert report.valid, report.violations
    assert report.cost == pytest.approx(85 + 10 + 25)
    assert report.totals["service_s"] == pytest.approx(85)
    assert report.totals["deadhead_s"] == pytest.approx(35)


def _broken(name):
    """The plan above broken in one way, with the problem it is checked against."""
    a, b = dict(ROUTE_A), dict(ROUTE_B)
    problem = _problem()
    if name == "missing service":
        b = dict(arcs=[3, 9, 10, 4], serving=[2, -1, -1, -1])
    elif name == "gap between arcs":
        a = dict(arcs=[0, 2, 12, 6, 1], serving=[0, 1, 6, 3, -1])
    elif name == "not from the depot":
        b = dict(arcs=[9, 10, 4], serving=[5, -1, -1])
    elif name == "not back to the depot":
        b = dict(arcs=[3, 9, 10], serving=[2, 5, -1])
    elif name == "wrong direction":
        # drives 1>0 first... serving the one-way road's twin does not exist, so
        # serve 0-1 while driving an arc of another road
        a = dict(arcs=[0, 2, 7, 12, 6, 1], serving=[0, 1, 4, 6, 0, -1])
    elif name == "served twice":
        b = dict(arcs=[3, 9, 10, 4], serving=[2, 5, 5, -1])
    elif name == "over capacity":
        problem = _problem(capacity=7)
    elif name == "over the shift":
        problem = _problem(shift_s=60.0)
    elif name == "after the deadline":
        a = dict(
            arcs=[3, 9, 10, 4, 0, 2, 7, 12, 6, 1],
            serving=[2, 5, -1, -1, 0, 1, 4, 6, 3, -1],
        )
        b = None
    elif name == "too many routes":
        problem = _problem(count=1)
    elif name == "incompatible road":
        grader = VehicleClass("grader", "garage", road_classes=frozenset({"primary"}))
        problem = dataclasses.replace(problem, vehicles=(TRUCK, grader))
    elif (
        name == "unknown vehicle"
        or name == "wrong reported total"
        or name == "refill at a depot that is not a refill depot"
    ):
        pass
    routes = [_route(**a)] if b is None else [_route(**a), _route(**b)]
    if name == "after the deadline":
        routes = [_route(**a, finish_s={"emergency": 60.0})]
    if name == "incompatible road":
        routes[1] = dataclasses.replace(routes[1], vehicle="grader")
    if name == "unknown vehicle":
        routes[1] = dataclasses.replace(routes[1], vehicle="rotary")
    if name == "wrong reported total":
        routes[0] = dataclasses.replace(routes[0], deadhead_s=routes[0].deadhead_s + 5)
    if name == "refill at a depot that is not a refill depot":
        routes[0] = dataclasses.replace(routes[0], refills=(Refill(1, "garage"),))
    return problem, routes


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("missing service", "served 0 forward and 0 reverse"),
        ("gap between arcs", "jumps from arc 2"),
        ("not from the depot", "starts at vertex 3"),
        ("not back to the depot", "ends at vertex 3"),
        ("wrong direction", "not an allowed direction"),
        ("served twice", "served 1 forward and 1 reverse, but needs 1 in either"),
        ("over capacity", "carries 10, more than its capacity 7"),
        ("over the shift", "longer than its shift"),
        ("after the deadline", "after its deadline"),
        ("too many routes", "drives 2 routes but has only 1"),
        ("incompatible road", "may not serve"),
        ("unknown vehicle", "unknown vehicle class 'rotary'"),
        ("wrong reported total", "reports deadhead_s"),
        ("refill at a depot that is not a refill depot", "not a refill depot"),
    ],
)
def test_validator_catches_a_broken_plan(name, match):
    problem, routes = _broken(name)
    report = validate(problem, routes)
    assert not report.valid
    assert any(match in v for v in report.violations), report.violations


def test_refill_resets_the_load():
    problem = _problem(capacity=8, refill_depots=("garage",))
    problem = dataclasses.replace(problem, deadlines={"emergency": 50.0})
    # Route A carries 5 x 2 = 10 > 8 without a refill; here it serves 0>1, drives
    # back to the garage, refills, and serves the other four (8).
    arcs = [0, 1, 0, 2, 7, 12, 6, 1]
    serving = [0, -1, -1, 1, 4, 6, 3, -1]
    ok = _route(
        arcs,
        serving,
        refills=(Refill(2, "garage"),),
        peak_load=8.0,
        finish_s={"emergency": 40.0},
    )
    report = validate(problem, [ok, _route(**ROUTE_B)])
    assert report.valid, report.violations
    without = dataclasses.replace(ok, refills=(), peak_load=10.0)
    report = validate(problem, [without, _route(**ROUTE_B)])
    assert any("carries 10, more than its capacity 8" in v for v in report.violations)
