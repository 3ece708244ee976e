import dataclasses
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from snowroute.bench.carp import (
    bks_name,
    carp_problem,
    instance_paths,
    read_bks,
    read_carp,
)
from snowroute.routing import (
    ArcRoutingProblem,
    DeadheadGraph,
    Depot,
    Refill,
    RequiredArc,
    Route,
    ServiceVisit,
    TurnRules,
    VehicleClass,
    bound,
    lower_bound,
    solve,
)
from snowroute.routing.bound import (
    deadhead_bounds,
    makespan_bound,
    min_routes,
    service_bound,
    turn_bound,
)
from snowroute.routing.turns import TurnModel
from snowroute.routing.validate import validate

from .helpers import all_roads, either, grid_problem, toy_problem


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


# -- turn-aware bound and makespan bound ------------------------------------------

SOLVE = {"time_limit_s": 2.0, "seed": 1, "workers": 1, "max_iterations": 300}


def _old_bound(problem: ArcRoutingProblem) -> float:
    """The turn-blind bound: service plus the parity or balance deadhead bound."""
    dead = deadhead_bounds(problem)
    fixed = min_routes(problem) * min(vc.fixed_cost for vc in problem.vehicles)
    return service_bound(problem) + max(dead["parity"], dead["balance"]) + fixed


def _bearings(graph: DeadheadGraph, xy: np.ndarray) -> np.ndarray:
    """Compass heading of every straight arc between vertices at ``xy`` (metres)."""
    d = xy[graph.head] - xy[graph.tail]
    return np.degrees(np.arctan2(d[:, 0], d[:, 1])) % 360.0


def _with_turns(
    problem: ArcRoutingProblem, xy: np.ndarray, rules: TurnRules | None = None
) -> ArcRoutingProblem:
    heading = _bearings(problem.graph, xy)
    return ArcRoutingProblem(
        graph=problem.graph,
        required=problem.required,
        depots=problem.depots,
        vehicles=problem.vehicles,
        turns=TurnModel(rules or TurnRules(), heading, heading),
    )


def _dead_end(
    mode: str = "either", vehicle: VehicleClass | None = None, demand: float = 0.0
) -> ArcRoutingProblem:
    """One 100 m two-way street A (vertex 0, depot yard) - B (vertex 1, barn).

    Arc 0 is A -> B, arc 1 is B -> A; 10 s each way, service at the road's speed;
    both ends are dead ends, so turning round there is allowed (60 s).
    """
    graph = DeadheadGraph(
        tail=np.array([0, 1]),
        head=np.array([1, 0]),
        length_m=np.array([100.0, 100.0]),
        travel_s=np.array([10.0, 10.0]),
        num_vertices=2,
    )
    problem = ArcRoutingProblem(
        graph=graph,
        required=(
            RequiredArc(arc=0, reverse_arc=1, mode=mode, demand=demand, ref="AB"),  # type: ignore[arg-type]
        ),
        depots=(Depot("yard", 0), Depot("barn", 1)),
        vehicles=(vehicle or VehicleClass("truck", "yard"),),
    )
    return _with_turns(problem, np.array([[0.0, 0.0], [100.0, 0.0]]))


def _turned_grid(rows: int = 3, cols: int = 4, **kw: Any) -> ArcRoutingProblem:
    problem = grid_problem(rows, cols, **kw)
    xy = np.array([(100.0 * c, 100.0 * r) for r in range(rows) for c in range(cols)])
    return _with_turns(problem, xy)


def test_turn_bound_pays_the_dead_end_u_turn_exactly():
    # By hand: serve A -> B (10 s), turn round at the dead end B (60 s), drive
    # back (10 s): 80 s, and no plan does better. The turn LP's only circulation
    # through the street is D -> 0 -> 1 -> D: 10 + (60 + 10) + 0 s, and the
    # served pass costs its deadhead time (svc - dh = 0).
    problem = _dead_end()
    assert service_bound(problem) == pytest.approx(10.0)
    assert _old_bound(problem) == pytest.approx(20.0)
    assert turn_bound(problem) == pytest.approx(80.0, rel=1e-5)
    assert deadhead_bounds(problem)["turns"] == pytest.approx(70.0, rel=1e-5)
    assert lower_bound(problem) == pytest.approx(80.0, rel=1e-5)
    solution = solve(problem, **SOLVE)
    assert solution.feasible
    assert solution.cost == pytest.approx(80.0)
    assert lower_bound(problem) <= solution.cost


def test_turn_bound_is_valid_and_beats_the_turn_blind_bound_on_a_grid():
    # A 3 x 4 street grid, every street once either way, traffic keeps right:
    # every corner of the grid forces a turn that the old bound does not see.
    problem = _turned_grid()
    solution = solve(problem, **SOLVE)
    assert solution.feasible, solution.violations
    report = validate(problem, solution.routes)
    bound = lower_bound(problem)
    assert bound <= report.cost + 1e-6
    assert bound == pytest.approx(solution.lower_bound)
    assert bound > _old_bound(problem) + 6.0  # at least one turn with traffic


def test_parity_cuts_lift_the_turn_lp(monkeypatch):
    # 2 x 3 grid: the two middle vertices have three streets each. Without the
    # cuts the LP drives every street half each way and never deadheads.
    problem = _turned_grid(2, 3)
    full = turn_bound(problem)
    monkeypatch.setattr(bound, "_CUT_ROUNDS", 1)
    monkeypatch.setattr(
        bound,
        "_vertex_cuts",
        lambda p: (csr_matrix((0, p.graph.num_arcs)), np.zeros(0)),
    )
    bare = turn_bound(problem)
    assert bare < full - 10.0  # at least one street deadheaded
    solution = solve(problem, **SOLVE)
    assert full <= validate(problem, solution.routes).cost + 1e-6


def test_turn_bound_is_valid_with_one_way_and_both_way_services():
    # Some streets one-way, some in each direction, two passes on one: the
    # coverage rows of every mode, on a plan the validator recomputes.
    base = _turned_grid(2, 3)
    required = list(base.required)
    required[0] = RequiredArc(arc=required[0].arc, mode="forward", ref="f")
    r = required[1]
    required[1] = RequiredArc(arc=r.arc, reverse_arc=r.reverse_arc, mode="both")
    required[2] = dataclasses.replace(required[2], passes=2)
    problem = ArcRoutingProblem(
        graph=base.graph,
        required=tuple(required),
        depots=base.depots,
        vehicles=base.vehicles,
        turns=base.turns,
    )
    solution = solve(problem, **SOLVE)
    assert solution.feasible, solution.violations
    assert lower_bound(problem) <= validate(problem, solution.routes).cost + 1e-6
    assert turn_bound(problem) > _old_bound(problem)


def test_a_refill_stop_turns_round_for_free():
    # Capacity for one pass: the truck serves A -> B, refills at the barn (B) and
    # serves B -> A. The validator charges no turn across a refill stop, so the
    # plan costs 20 s, not 80 s; a bound that ignored the refill depot would be 80.
    truck = VehicleClass(
        "truck", "yard", count=1, capacity=1.0, refill_depots=("barn",)
    )
    problem = _dead_end("both", truck, demand=1.0)
    route = Route(
        vehicle="truck",
        services=(ServiceVisit(0, 0), ServiceVisit(0, 1)),
        arcs=np.array([0, 1]),
        serving=np.array([0, 0]),
        refills=(Refill(1, "barn"),),
        served_m=200.0,
        service_s=20.0,
        load=2.0,
        peak_load=1.0,
    )
    report = validate(problem, [route])
    assert report.valid, report.violations
    assert report.cost == pytest.approx(20.0)
    assert lower_bound(problem) <= report.cost
    assert lower_bound(problem) == pytest.approx(20.0, rel=1e-5)


def test_no_turn_entry_without_a_turn_model():
    assert "turns" not in deadhead_bounds(toy_problem())
    assert turn_bound(toy_problem()) == 0.0


def test_makespan_bound_is_the_round_trip_of_a_single_service():
    # Toy network, depot at vertex 0, serve 3-4 once: 0 -> 3 (15 s), serve
    # 3 -> 4 (10 s), back 4 -> 3 -> 0 (25 s), 50 s either way round.
    problem = toy_problem([either(9, 10)])
    assert makespan_bound(problem) == pytest.approx(50.0)
    assert solve(problem, **SOLVE).makespan_s == pytest.approx(50.0)
    # With turns: out, U-turn at the dead end, back.
    turned = _dead_end()
    assert makespan_bound(turned) == pytest.approx(80.0)
    assert solve(turned, **SOLVE).makespan_s == pytest.approx(80.0)


def test_makespan_bound_never_exceeds_a_plans_makespan():
    truck = VehicleClass("truck", "yard", count=2, fixed_cost=1000.0)
    problem = _turned_grid(vehicles=[truck])
    solution = solve(problem, **SOLVE)
    assert solution.feasible, solution.violations
    bound = makespan_bound(problem)
    assert bound <= solution.makespan_s + 1e-6
    # The fleet share of the route time (fixed costs are not route time).
    assert bound >= (lower_bound(problem) - 1000.0) / 2 - 1e-6
    # the caller's lower bound, when given, stands for the LPs solved again
    assert makespan_bound(problem, lower=lower_bound(problem)) == bound
    assert makespan_bound(toy_problem([])) == 0.0
