"""Every constraint at once on a small network, then the plan broken by hand.

The toy network of helpers.py gets one more arc, 13: 2 > 1 (100 m), so that road
1-2 can be driven both ways but is plowed only 1 > 2 (``mode="forward"``, as a
one-way road or a carriageway whose other side is not ours): a solver that ignored
the direction could serve it 2 > 1. Road 3-4 needs a pass in each direction
(``mode="both"``). Every pass carries 3 units and a truck 7, so a route serves at
most two; a shift lasts 70 s; road 4-5 is an emergency road due within 40 s.

Each engine's plan must respect all of it (checked here directly, not only by the
validator), and each violation, made by editing one of its routes by hand, must be
caught by the validator.
"""

import dataclasses

import numpy as np
import pytest

from snowroute.routing import (
    RequiredArc,
    Route,
    ServiceVisit,
    VehicleClass,
    solve,
    validate,
)

from .helpers import either, served_counts, toy_graph, toy_problem

ONE_WAY, BOTH, URGENT = 1, 5, 6  # indices of the required arcs below
CAPACITY, SHIFT, DEADLINE = 7.0, 70.0, 40.0
LOOP = [0, 1]  # depot loop 0 > 1 > 0, 20 s of deadhead


def _problem():
    roads = [
        either(0, 1, demand=3.0, ref="0-1"),
        RequiredArc(arc=2, reverse_arc=13, mode="forward", demand=3.0, ref="1>2"),
        either(3, 4, demand=3.0, ref="0-3"),
        either(5, 6, demand=3.0, ref="1-4"),
        either(7, 8, demand=3.0, ref="2-5"),
        RequiredArc(arc=9, reverse_arc=10, mode="both", demand=3.0, ref="3-4"),
        either(11, 12, demand=3.0, priority="emergency", ref="4-5"),
    ]
    truck = VehicleClass("truck", "garage", capacity=CAPACITY, shift_s=SHIFT)
    return toy_problem(
        roads,
        [truck],
        deadlines={"emergency": DEADLINE},
        graph=toy_graph(extra=[(2, 1, 100)]),
    )


def _route(problem, arcs, serving):
    """A route with its services and figures as its arcs give them."""
    services = [
        ServiceVisit(s, 0 if problem.required[s].arc == a else 1)
        for a, s in zip(arcs, serving, strict=True)
        if s >= 0
    ]
    route = Route("truck", tuple(services), np.array(arcs), np.array(serving))
    figures = dict(validate(problem, [route]).routes[0])
    figures.pop("duration_s")
    return dataclasses.replace(route, **figures)


@pytest.fixture(scope="module", params=["pyvrp", "ortools"])
def plan(request):
    problem = _problem()
    options = {"max_iterations": 500} if request.param == "pyvrp" else {}
    solution = solve(
        problem,
        engine=request.param,
        time_limit_s=3.0,
        seed=1,
        workers=1,
        **options,
    )
    return problem, solution


def test_the_plan_respects_every_constraint(plan):
    problem, solution = plan
    assert solution.feasible, solution.violations
    counts = served_counts(solution, problem)
    assert counts.get(2) == 1  # plowed 1 > 2 ...
    assert 13 not in counts  # ... never 2 > 1
    assert counts.get(9) == 1  # 3-4 once in each direction
    assert counts.get(10) == 1
    for a, b in [(0, 1), (3, 4), (5, 6), (7, 8), (11, 12)]:
        assert counts.get(a, 0) + counts.get(b, 0) == 1
    for route in solution.routes:
        assert route.peak_load <= CAPACITY
        assert route.duration_s <= SHIFT + 1e-9
        assert int(problem.graph.tail[route.arcs[0]]) == 0
        assert int(problem.graph.head[route.arcs[-1]]) == 0
    assert solution.finish_s()["emergency"] <= DEADLINE
    # Rebuilding the routes from their arcs gives a valid plan: the edits below
    # change one thing each.
    rebuilt = [
        _route(problem, r.arcs.tolist(), r.serving.tolist()) for r in solution.routes
    ]
    assert validate(problem, rebuilt).valid


def _serving_route(solution, required):
    for k, route in enumerate(solution.routes):
        if required in route.serving.tolist():
            return k, route
    raise AssertionError(required)


def _broken(problem, solution, name):
    routes = [
        _route(problem, r.arcs.tolist(), r.serving.tolist()) for r in solution.routes
    ]
    if name == "one-way served against its direction":
        # Instead of plowing 1 > 2, drive 1 > 4 > 5 > 2, plow 2 > 1, drive 1 > 2.
        k, route = _serving_route(solution, ONE_WAY)
        arcs, serving = route.arcs.tolist(), route.serving.tolist()
        i = serving.index(ONE_WAY)
        arcs[i : i + 1] = [5, 11, 8, 13, 2]
        serving[i : i + 1] = [-1, -1, -1, ONE_WAY, -1]
        routes[k] = _route(problem, arcs, serving)
    elif name == "both-direction road served one way only":
        k, route = _serving_route(solution, BOTH)
        serving = route.serving.tolist()
        serving[serving.index(BOTH)] = -1  # drive that pass without plowing
        routes[k] = _route(problem, route.arcs.tolist(), serving)
    elif name == "over capacity":
        # Join the two fullest routes into one (both start and end at the garage).
        order = sorted(range(len(routes)), key=lambda j: -routes[j].load)
        a, b = routes[order[0]], routes[order[1]]
        joined = _route(
            problem,
            [*a.arcs.tolist(), *b.arcs.tolist()],
            [*a.serving.tolist(), *b.serving.tolist()],
        )
        assert joined.peak_load > CAPACITY
        routes = [r for j, r in enumerate(routes) if j not in order[:2]] + [joined]
    elif name == "over the shift":
        # Drive the depot loop at the end of a route until it outlasts the shift.
        route = routes[0]
        loops = int((SHIFT - route.duration_s) // 20) + 1
        routes[0] = _route(
            problem,
            route.arcs.tolist() + LOOP * loops,
            route.serving.tolist() + [-1, -1] * loops,
        )
    elif name == "after the deadline":
        # Drive the depot loop twice before the emergency road's route starts.
        k, route = _serving_route(solution, URGENT)
        routes[k] = _route(
            problem,
            LOOP * 2 + route.arcs.tolist(),
            [-1, -1] * 2 + route.serving.tolist(),
        )
    return routes


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("one-way served against its direction", "not an allowed direction"),
        (
            "both-direction road served one way only",
            "but needs 1 in each direction",
        ),
        ("over capacity", f"more than its capacity {CAPACITY:g}"),
        ("over the shift", "longer than its shift"),
        ("after the deadline", "after its deadline"),
    ],
)
def test_the_validator_catches_each_hand_made_violation(plan, name, match):
    problem, solution = plan
    routes = _broken(problem, solution, name)
    report = validate(problem, routes)
    assert not report.valid
    assert any(match in v for v in report.violations), report.violations


@pytest.mark.parametrize("slow_class", [False, True])
def test_a_shift_without_deadlines_is_a_route_length_pyvrp_keeps(slow_class):
    from snowroute.routing import _pyvrp
    from snowroute.routing.transform import transform

    problem = dataclasses.replace(_problem(), deadlines={})
    fleet = [VehicleClass("truck", "garage", shift_s=SHIFT)]
    if slow_class:  # a second service speed: the distances carry its whole time
        fleet.append(VehicleClass("slow", "garage", shift_s=SHIFT, plow_speed_kph=10.0))
    problem = dataclasses.replace(problem, vehicles=tuple(fleet))
    data, classes = _pyvrp.build_data(transform(problem))
    for c in classes:
        vehicle_type = data.vehicle_type(c)
        assert vehicle_type.max_distance == SHIFT * _pyvrp.TIME_SCALE
        assert vehicle_type.shift_duration > 10**9  # PyVRP's "none"
    solution = solve(problem, seed=1, workers=1, max_iterations=500)
    assert solution.feasible, solution.violations
    durations = [r.duration_s for r in solution.routes]
    assert max(durations) <= SHIFT + 1e-9
    assert sum(durations) > SHIFT  # the shift binds: at least two routes


def test_a_shift_with_deadlines_stays_a_shift_duration():
    from snowroute.routing import _pyvrp
    from snowroute.routing.transform import transform

    data, _ = _pyvrp.build_data(transform(_problem()))
    assert data.vehicle_type(0).shift_duration == SHIFT * _pyvrp.TIME_SCALE
    assert data.vehicle_type(0).max_distance > 10**9
