import pytest

from snowroute import ProblemError
from snowroute.routing import SolveParams, VehicleClass, solve
from snowroute.routing.districts import district_fleets, solve_in_districts
from snowroute.routing.warm import carry_over

from .helpers import grid_problem

RUN = {"seed": 1, "workers": 1, "max_iterations": 300}


def _quadrants(problem, cols):
    """District of each required arc: the grid cut into four corners."""
    out = []
    for r in problem.required:
        u = int(problem.graph.tail[r.arc])
        row, col = divmod(u, cols)
        out.append((row >= 2, col >= cols // 2))
    return out


@pytest.mark.parametrize("objective", ["total_time", "makespan"])
def test_free_plans_are_never_worse_than_the_districted_one(objective):
    """From the district plan by construction, from scratch by search."""
    problem = grid_problem(4, 6)
    districts = _quadrants(problem, 6)
    confined = solve_in_districts(
        problem, districts, SolveParams(objective=objective, **RUN)
    )
    assert confined.feasible, confined.violations
    assert confined.stats["districts"] == 4
    free = solve(
        problem,
        objective=objective,
        initial=carry_over(problem, confined, problem),
        **RUN,
    )
    scratch = solve(problem, objective=objective, **RUN)
    for plan in (free, scratch):
        assert plan.feasible
        if objective == "makespan":
            assert plan.makespan_s <= confined.makespan_s + 1e-6
        else:
            assert plan.cost <= confined.cost + 1e-6


def test_each_district_gets_its_share_of_every_class():
    problem = grid_problem(
        3,
        3,
        vehicles=[
            VehicleClass("truck", "yard", count=5),
            VehicleClass("grader", "yard", count=2),
        ],
    )
    fleets = district_fleets(problem, ["a", "b"])
    assert [(v.name, v.count) for v in fleets["a"]] == [("truck", 3), ("grader", 1)]
    assert [(v.name, v.count) for v in fleets["b"]] == [("truck", 2), ("grader", 1)]
    with pytest.raises(ProblemError, match="gets no vehicle"):
        district_fleets(problem, list("abcdef"))


def test_district_labels_must_match_the_required_arcs():
    problem = grid_problem(3, 3)
    with pytest.raises(ProblemError, match="district_of"):
        solve_in_districts(problem, ["a"])


def test_districts_routed_side_by_side_give_the_same_plan():
    from concurrent.futures import ThreadPoolExecutor

    problem = grid_problem(4, 6)
    districts = _quadrants(problem, 6)
    params = SolveParams(**RUN)
    here = solve_in_districts(problem, districts, params)
    with ThreadPoolExecutor(max_workers=2) as executor:
        there = solve_in_districts(problem, districts, params, executor=executor)
    assert there.feasible
    assert [list(r.arcs) for r in there.routes] == [list(r.arcs) for r in here.routes]
    assert there.cost == here.cost
