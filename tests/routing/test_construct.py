import dataclasses
import itertools

import numpy as np
import pytest

from snowroute.routing import Depot, RequiredArc, SolveParams, VehicleClass, validate
from snowroute.routing.construct import (
    giant_tour,
    initial_routes,
    postman_applies,
    postman_tour,
    split_tour,
)
from snowroute.routing.solve import _finish, _first_plan
from snowroute.routing.transform import transform

from .helpers import grid_problem, toy_problem


def test_the_giant_tour_serves_every_service_once():
    tr = transform(grid_problem(4, 5))
    tour = giant_tour(tr, 0, np.random.default_rng(1))
    assert sorted(int(tr.node_service[n]) for n in tour) == list(range(tr.num_services))


def _route_s(tr, nodes):
    seq = [0, *(tr.num_depots + n for n in nodes), 0]
    return sum(tr.arc_s(0, a, b) for a, b in itertools.pairwise(seq))


def test_split_is_the_cheapest_cut_of_the_tour_within_the_shift():
    tr = transform(grid_problem(3, 3))
    tour = giant_tour(tr, 0, np.random.default_rng(2))[:7]
    shift = 110.0
    routes = split_tour(tr, tour, 0, shift)
    assert [n for r in routes for n in r] == tour
    assert all(_route_s(tr, r) <= shift + 1e-9 for r in routes)
    best = np.inf
    for k in range(len(tour)):  # every set of cut points, by brute force
        for cuts in itertools.combinations(range(1, len(tour)), k):
            parts = [tour[a:b] for a, b in itertools.pairwise((0, *cuts, len(tour)))]
            times = [_route_s(tr, p) for p in parts]
            if max(times) <= shift + 1e-9:
                best = min(best, sum(times))
    assert sum(_route_s(tr, r) for r in routes) == pytest.approx(best)


def test_the_first_plan_is_valid_and_within_the_shift():
    vehicles = [VehicleClass("truck", "yard", count=6, shift_s=300.0)]
    problem = grid_problem(4, 5, vehicles=vehicles)
    tr = transform(problem)
    routes, report = _finish(tr, initial_routes(tr, seed=1))
    assert report.valid, report.violations
    assert validate(problem, routes).valid
    assert len(routes) > 1


def test_the_first_plan_never_needs_more_vehicles_than_the_fleet():
    # a shift that fits a few streets: the split wants many routes, the fleet has 3
    vehicles = [VehicleClass("truck", "yard", count=3, shift_s=150.0)]
    tr = transform(grid_problem(4, 5, vehicles=vehicles))
    routes = initial_routes(tr, seed=2)
    assert len(routes) == 3
    served = sorted(int(tr.node_service[n]) for r in routes for n in r.nodes)
    assert served == list(range(tr.num_services))


def test_a_makespan_start_spreads_the_work_over_the_whole_fleet():
    from snowroute.routing.construct import balanced_routes

    tr = transform(grid_problem(5, 6))  # four trucks, no shift
    routes = balanced_routes(tr, seed=1)
    assert len(routes) == 4
    times = [_route_s(tr, list(r.nodes)) for r in routes]
    whole = initial_routes(tr, seed=1)  # least total time: one long route
    assert max(times) < 0.5 * max(_route_s(tr, list(r.nodes)) for r in whole)


def _both_ways(problem):
    """The same streets, each plowed once in each direction."""
    required = tuple(
        RequiredArc(arc=r.arc, reverse_arc=r.reverse_arc, mode="both", ref=r.ref)
        for r in problem.required
    )
    return dataclasses.replace(problem, required=required)


def test_the_postman_tour_drives_empty_nowhere_when_the_streets_allow_it():
    # every street plowed once each way: every corner has as many streets in as
    # out, so one tour from the yard serves them all without an empty metre (the
    # successor assignment leaves dozens of out-and-back cycles to patch)
    tr = transform(_both_ways(grid_problem(4, 5)))
    tour = postman_tour(tr, 0)
    assert sorted(int(tr.node_service[n]) for n in tour) == list(range(tr.num_services))
    service = sum(float(tr.node_service_s[0, n]) for n in tour)
    assert _route_s(tr, tour) == pytest.approx(service)
    nearest = giant_tour(tr, 0, np.random.default_rng(1))
    assert _route_s(tr, nearest) > service


def test_the_postman_tour_turns_two_way_streets_to_balance_the_corners():
    # a grid of two-way streets plowed once in either direction: an odd corner
    # needs one empty block at least; the tour needs no more than the streets
    # with odd corners force (each pair of odd corners one block apart here)
    tr = transform(grid_problem(2, 3))  # odd corners: 1 and 4, one block apart
    tour = postman_tour(tr, 0)
    service = sum(float(tr.node_service_s[0, n]) for n in tour)
    assert _route_s(tr, tour) == pytest.approx(service + 10.0)


def test_every_first_route_gets_a_class_that_may_serve_all_of_it():
    # one big truck for the main street, small trucks for the side streets only;
    # a short shift makes the split cut the tour into several routes with main
    # street on more than one of them, more than the one big truck can drive
    base = grid_problem(3, 4)
    main = {0, 2, 4}  # the top row's streets
    required = tuple(
        dataclasses.replace(r, road_class="primary" if k in main else "residential")
        for k, r in enumerate(base.required)
    )
    vehicles = (
        VehicleClass("big", "yard", count=1, shift_s=120.0),
        VehicleClass(
            "small",
            "yard",
            count=4,
            shift_s=120.0,
            road_classes=frozenset({"residential"}),
        ),
    )
    tr = transform(dataclasses.replace(base, required=required, vehicles=vehicles))
    routes = initial_routes(tr, seed=1)
    served = sorted(int(tr.node_service[n]) for r in routes for n in r.nodes)
    assert served == list(range(tr.num_services))
    for r in routes:
        assert not np.isnan(tr.node_service_s[r.vehicle, list(r.nodes)]).any()
    assert sum(r.vehicle == 0 for r in routes) == 1


def test_the_postman_tour_competes_only_where_the_fleet_is_at_one_depot():
    # one circuit from one yard: trucks at two yards keep the nearest-street tours
    one_yard = [VehicleClass("a", "garage"), VehicleClass("b", "garage")]
    two_yards = [VehicleClass("a", "garage"), VehicleClass("b", "barn")]
    assert postman_applies(transform(toy_problem(vehicles=one_yard)))
    assert not postman_applies(transform(toy_problem(vehicles=two_yards)))


def test_a_fleet_at_one_yard_starts_from_a_tour_from_fewer_streets():
    # 264 streets: enough for a tour from one yard (the postman tour competes),
    # not for a fleet at two yards, which keeps the larger threshold
    base = grid_problem(12, 12)
    two_yards = dataclasses.replace(
        base,
        depots=(Depot("yard", 0), Depot("shed", 143)),
        vehicles=(
            VehicleClass("a", "yard", count=2),
            VehicleClass("b", "shed", count=2),
        ),
    )
    auto = SolveParams()
    assert _first_plan(transform(base), auto, None)
    assert _first_plan(transform(two_yards), auto, None) is None
    assert _first_plan(transform(two_yards), auto.with_(first_plan="tour"), None)
