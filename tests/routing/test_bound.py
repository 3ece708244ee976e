import pytest

from snowroute.bench.carp import (
    bks_name,
    carp_problem,
    instance_paths,
    read_bks,
    read_carp,
)
from snowroute.routing import VehicleClass, lower_bound, solve
from snowroute.routing.bound import deadhead_bounds, min_routes, service_bound

from .helpers import all_roads, toy_problem


@pytest.mark.shared
@pytest.mark.parametrize("set_name", ["gdb", "val", "egl"])
def test_lower_bound_never_exceeds_the_best_known(shared_dir, set_name):
    carp = shared_dir / "benchmarks" / "carp"
    bks = read_bks(carp / "bks.csv")
    for path in instance_paths(carp / set_name):
        best, _ = bks[(set_name, bks_name(set_name, path.stem))]
        assert best is not None
        bound = lower_bound(carp_problem(read_carp(path)))
        assert 0 < bound <= best + 1e-6, path.stem


def test_lower_bound_is_tight_on_an_eulerian_toy():
    # A single one-way loop 0>1>2 ... here: serve the square 0-1-4-3 both ways.
    problem = toy_problem()
    bound = lower_bound(problem)
    assert service_bound(problem) == pytest.approx(85.0)
    assert bound >= 85.0
    solution = solve(problem, time_limit_s=3, seed=1, workers=1, max_iterations=300)
    assert bound <= solution.cost + 1e-9


def test_depot_degree_raises_the_bound_with_more_routes():
    one = toy_problem(
        all_roads(demand=1.0), [VehicleClass("truck", "garage", capacity=100)]
    )
    many = toy_problem(
        all_roads(demand=1.0), [VehicleClass("truck", "garage", capacity=1)]
    )
    assert min_routes(one) == 1
    assert min_routes(many) == 7
    assert deadhead_bounds(many)["parity"] > deadhead_bounds(one)["parity"]
