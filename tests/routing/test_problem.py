import dataclasses
import math

import numpy as np
import pytest

from snowroute import ProblemError
from snowroute.routing import (
    ArcRoutingProblem,
    DeadheadGraph,
    Depot,
    RequiredArc,
    VehicleClass,
)

from .helpers import all_roads, either, toy_graph, toy_problem


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tail": [0, 1], "head": [1]}, "`head` has 1 entries"),  # ragged arrays
        ({"tail": [0, 5]}, "`tail` of arc 1 is 5"),  # vertex out of range
        ({"length_m": [1.0, -1.0]}, "`length_m` of arc 1"),  # negative length
        ({"travel_s": [1.0, math.inf]}, "`travel_s` of arc 1"),  # infinite time
        ({"num_vertices": -1}, "`num_vertices`"),  # negative vertex count
        ({"edge_refs": ("a",)}, "`edge_refs` has 1 entries"),  # refs not per arc
        ({"tail": [[0, 1]]}, "one-dimensional"),  # matrix instead of vector
    ],
)
def test_deadhead_graph_rejects_invalid_data(kwargs, match):
    base = {
        "tail": [0, 1],
        "head": [1, 0],
        "length_m": [1.0, 1.0],
        "travel_s": [1.0, 1.0],
        "num_vertices": 2,
    }
    with pytest.raises(ProblemError, match=match):
        DeadheadGraph(**{**base, **kwargs})


def test_deadhead_graph_is_read_only():
    graph = toy_graph()
    with pytest.raises(ValueError, match="read-only"):
        graph.travel_s[0] = 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "sideways"}, "`mode` must be one of"),  # unknown mode
        ({"mode": "either"}, "needs a `reverse_arc`"),  # two-way without its twin
        ({"passes": 0}, "`passes` must be a positive integer"),  # no pass
        ({"passes": 1.5}, "`passes` must be a positive integer"),  # half a pass
        ({"demand": -1.0}, "`demand` must be finite"),  # negative demand
        ({"service_s": math.nan}, "`service_s` must be finite"),  # nan time
        ({"extra_service_s": -2.0}, "`extra_service_s`"),  # negative extra time
        ({"width_m": -3.0}, "`width_m`"),  # negative width
    ],
)
def test_required_arc_rejects_invalid_fields(kwargs, match):
    with pytest.raises(ProblemError, match=match):
        RequiredArc(arc=0, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"count": 0}, "`count`"),  # no vehicle
        ({"capacity": 0.0}, "`capacity`"),  # zero capacity
        ({"shift_s": -5.0}, "`shift_s`"),  # negative shift
        ({"plow_speed_kph": 0.0}, "`plow_speed_kph`"),  # standing still
        ({"min_width_m": -1.0}, "`min_width_m`"),  # negative width
        ({"fixed_cost": -1.0}, "`fixed_cost`"),  # negative cost
        ({"road_classes": "primary"}, "not a string"),  # a string is not a set
        ({"refill_depots": "barn"}, "not a string"),  # a string is not a sequence
    ],
)
def test_vehicle_class_rejects_invalid_fields(kwargs, match):
    with pytest.raises(ProblemError, match=match):
        VehicleClass("truck", "garage", **kwargs)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"required": [RequiredArc(arc=99)]}, "not an arc index"),  # arc out of range
        ({"required": [either(0, 2)]}, "does not run opposite"),  # wrong twin
        (
            {"required": [either(0, 1), RequiredArc(arc=1)]},
            "Arc 1 belongs to",
        ),  # one arc, two tasks
        (
            {"depots": (Depot("garage", 0), Depot("garage", 5))},
            "Depot ids must be unique",
        ),
        ({"depots": (Depot("garage", 9),)}, "outside the graph"),  # depot off the graph
        ({"vehicles": ()}, "at least one vehicle class"),  # no fleet
        ({"vehicles": (VehicleClass("t", "nowhere"),)}, "unknown depot"),
        (
            {"vehicles": (VehicleClass("t", "garage", refill_depots=("x",)),)},
            "refills at unknown",
        ),
        (
            {"vehicles": (VehicleClass("t", "garage"), VehicleClass("t", "garage"))},
            "unique",
        ),
        ({"deadlines": {"emergency": -1.0}}, "Deadline of priority class"),
    ],
)
def test_problem_rejects_inconsistent_parts(change, match):
    base = toy_problem()
    parts = {
        "graph": base.graph,
        "required": base.required,
        "depots": base.depots,
        "vehicles": base.vehicles,
        "deadlines": base.deadlines,
    }
    with pytest.raises(ProblemError, match=match):
        ArcRoutingProblem(**{**parts, **change})


def test_service_times_follow_the_documented_rule():
    roads = all_roads()
    roads[0] = dataclasses.replace(roads[0], service_s=30.0, extra_service_s=5.0)
    slow = VehicleClass("dozer", "garage", plow_speed_kph=3.6)  # 1 m/s
    plain = VehicleClass("truck", "garage")
    problem = toy_problem(roads, [slow, plain])
    # explicit service time wins, plus the extra time
    assert problem.service_s[0, 0].tolist() == [35.0, 35.0]
    # else length at the plow speed (100 m at 1 m/s), else the travel time
    assert problem.service_s[0, 1, 0] == pytest.approx(100.0)
    assert problem.service_s[1, 1, 0] == pytest.approx(10.0)
    # a one-way road has no reverse direction
    assert np.isnan(problem.service_s[:, 1, 1]).all()


def test_deadhead_speed_never_beats_the_road():
    problem = toy_problem(
        vehicles=[VehicleClass("grader", "garage", deadhead_speed_kph=18.0)]
    )
    # 100 m: road 10 s, grader at 5 m/s 20 s
    assert problem.deadhead_s(0)[0] == pytest.approx(20.0)
    fast = toy_problem(
        vehicles=[VehicleClass("car", "garage", deadhead_speed_kph=200.0)]
    )
    assert fast.deadhead_s(0)[0] == pytest.approx(10.0)


def test_unknown_width_never_excludes_a_vehicle():
    narrow = RequiredArc(arc=2, width_m=2.5, ref="narrow")
    unknown = RequiredArc(arc=0, ref="unknown")
    wide_truck = VehicleClass("wide", "garage", min_width_m=3.0)
    assert not wide_truck.can_serve(narrow)
    assert wide_truck.can_serve(unknown)
