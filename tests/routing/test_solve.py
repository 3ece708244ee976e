import dataclasses
import importlib
import time
from types import SimpleNamespace

import numpy as np
import pytest

from snowroute import InfeasibleError, ProblemError
from snowroute.routing import RequiredArc, SolveParams, VehicleClass, solve, validate
from snowroute.routing.params import MAX_SEED
from snowroute.routing.together import JOINT_KICKS
from snowroute.routing.transform import NodeRoute, transform

from .helpers import (
    all_roads,
    either,
    grid_problem,
    grid_with_deadlines,
    served_counts,
    toy_graph,
    toy_problem,
)

ENGINES = ["pyvrp", "ortools"]

# Short runs: PyVRP stops after a fixed number of iterations, OR-Tools at the limit.
RUN = {"time_limit_s": 3.0, "seed": 1, "workers": 1}


def _solve(problem, engine, **kw):
    options = {**RUN, **kw}
    if engine == "pyvrp":
        options.setdefault("max_iterations", 400)
    solution = solve(problem, engine=engine, **options)
    report = validate(problem, solution.routes)
    assert report.valid == solution.feasible
    assert report.cost == pytest.approx(solution.cost)
    return solution


@pytest.mark.parametrize("engine", ENGINES)
def test_every_road_is_served_once_and_the_one_way_only_forward(engine):
    problem = toy_problem()
    solution = _solve(problem, engine)
    assert solution.feasible, solution.violations
    counts = served_counts(solution, problem)
    assert counts[2] == 1  # the one-way road 1 -> 2
    for a, b in [(0, 1), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12)]:
        assert counts.get(a, 0) + counts.get(b, 0) == 1
    assert solution.lower_bound <= solution.cost + 1e-9
    # Total service time is every road's travel time once.
    assert solution.service_s == pytest.approx(85.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_both_direction_passes_are_each_served(engine):
    required = [
        RequiredArc(arc=9, reverse_arc=10, mode="both", passes=2, ref="3-4"),
        either(0, 1),
    ]
    problem = toy_problem(required)
    solution = _solve(problem, engine)
    assert solution.feasible, solution.violations
    counts = served_counts(solution, problem)
    assert counts[9] == 2
    assert counts[10] == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_multi_lane_one_way_gets_one_pass_per_lane(engine):
    required = [RequiredArc(arc=2, mode="forward", passes=3, ref="1>2")]
    problem = toy_problem(required)
    solution = _solve(problem, engine)
    assert solution.feasible, solution.violations
    assert served_counts(solution, problem) == {2: 3}
    # Each extra pass needs the loop 2 -> 5 -> 4 -> 1 back (40 s).
    assert solution.cost == pytest.approx(10 + 3 * 10 + 2 * 40 + 10 + 40)


@pytest.mark.parametrize("engine", ENGINES)
def test_capacity_is_respected(engine):
    truck = VehicleClass("truck", "garage", capacity=7)
    problem = toy_problem(all_roads(demand=3.0), [truck])
    solution = _solve(problem, engine)
    assert solution.feasible, solution.violations
    assert all(r.peak_load <= 7 for r in solution.routes)
    assert solution.num_routes >= 4


@pytest.mark.parametrize("engine", ENGINES)
def test_shift_length_is_respected(engine):
    truck = VehicleClass("truck", "garage", shift_s=70.0)
    problem = toy_problem(vehicles=[truck])
    solution = _solve(problem, engine)
    assert solution.feasible, solution.violations
    assert all(r.duration_s <= 70.0 + 1e-9 for r in solution.routes)
    assert solution.num_routes >= 2


@pytest.mark.parametrize("engine", ENGINES)
def test_deadline_of_a_priority_class_is_met(engine):
    roads = all_roads()
    roads[-1] = either(11, 12, priority="emergency", ref="4-5")
    truck = VehicleClass("truck", "garage", count=1)
    problem = toy_problem(roads, [truck], deadlines={"emergency": 40.0})
    solution = _solve(problem, engine)
    assert solution.feasible, solution.violations
    assert solution.finish_s()["emergency"] <= 40.0


@pytest.mark.parametrize("engine", ENGINES)
def test_refills_let_one_vehicle_serve_more_than_its_capacity(engine):
    truck = VehicleClass(
        "truck", "garage", count=1, capacity=7, refill_depots=("barn",)
    )
    problem = toy_problem(all_roads(demand=3.0), [truck])
    solution = _solve(problem, engine)
    assert solution.feasible, solution.violations
    assert solution.num_routes == 1
    route = solution.routes[0]
    assert len(route.refills) >= 2
    assert {r.depot for r in route.refills} == {"barn"}
    assert route.load == pytest.approx(21.0)
    assert route.peak_load <= 7


def test_refill_trips_count_in_a_shift_without_deadlines():
    # the shift goes to PyVRP as a route length: the refill trips are in it
    def problem(shift_s):
        truck = VehicleClass(
            "truck",
            "garage",
            count=1,
            capacity=7,
            refill_depots=("barn",),
            shift_s=shift_s,
        )
        return toy_problem(all_roads(demand=3.0), [truck])

    needed = _solve(problem(None), "pyvrp").routes[0].duration_s
    enough = _solve(problem(needed), "pyvrp")
    assert enough.feasible, enough.violations
    assert len(enough.routes[0].refills) >= 2
    short = _solve(problem(0.9 * needed), "pyvrp")  # one truck cannot do it all
    assert not short.feasible


@pytest.mark.parametrize("engine", ENGINES)
def test_vehicles_serve_only_compatible_roads(engine):
    roads = [dataclasses.replace(r, road_class="residential") for r in all_roads()]
    roads[0] = dataclasses.replace(roads[0], road_class="primary")
    grader = VehicleClass(
        "grader", "garage", road_classes=frozenset({"primary"}), fixed_cost=0
    )
    dozer = VehicleClass("dozer", "garage", fixed_cost=5.0)
    problem = toy_problem(roads, [grader, dozer])
    solution = _solve(problem, engine)
    assert solution.feasible, solution.violations
    for route in solution.routes:
        if route.vehicle == "grader":
            assert all(
                problem.required[v.required].road_class == "primary"
                for v in route.services
            )


@pytest.mark.parametrize("engine", ENGINES)
def test_too_few_vehicles_gives_a_plan_that_says_so(engine):
    truck = VehicleClass("truck", "garage", count=1, capacity=7)
    problem = toy_problem(all_roads(demand=3.0), [truck])
    solution = _solve(problem, engine)
    assert not solution.feasible
    assert solution.violations


def test_same_seed_gives_the_same_plan():
    problem = toy_problem(
        all_roads(demand=3.0), [VehicleClass("truck", "garage", capacity=7)]
    )
    plans = [
        solve(problem, time_limit_s=30, seed=5, workers=2, max_iterations=300)
        for _ in range(2)
    ]
    first, second = ([r.arcs.tolist() for r in p.routes] for p in plans)
    assert first == second
    assert plans[0].cost == plans[1].cost


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_the_largest_seed_gives_a_plan(engine):
    # the engines' generators take 32-bit seeds derived from this one
    problem = toy_problem(all_roads(demand=3.0), [VehicleClass("t", "garage", 7)])
    assert _solve(problem, engine, seed=MAX_SEED, workers=2).feasible


def test_more_processes_than_cores_are_warned_of_once(caplog, monkeypatch):
    solve_module = importlib.import_module("snowroute.routing.solve")
    solve_module._warn_oversubscribed.cache_clear()
    monkeypatch.setattr(solve_module.os, "cpu_count", lambda: 1)
    problem = toy_problem(all_roads(demand=3.0), [VehicleClass("t", "garage", 7)])
    for _ in range(2):
        _solve(problem, "pyvrp", workers=2, max_iterations=20)
    warned = [r for r in caplog.records if "2 search processes on 1 core:" in r.message]
    assert len(warned) == 1
    solve_module._warn_oversubscribed.cache_clear()


def test_solve_raises_when_required_arc_unreachable():
    graph = toy_graph(extra=[(6, 7, 50), (7, 6, 50)], vertices=8)
    required = [*all_roads(), either(13, 14, ref="island")]
    problem = toy_problem(required, graph=graph)
    with pytest.raises(InfeasibleError, match="island"):
        solve(problem, time_limit_s=1)


def _bound_aside_from(monkeypatch, arcs: int) -> list[int]:
    """Let problems of ``arcs`` required arcs compute their bound aside; count it."""
    module = importlib.import_module("snowroute.routing.solve")
    monkeypatch.setattr(module, "BOUND_ASIDE_ARCS", arcs)
    started: list[int] = []
    real = module.Forked

    def counted(*args, **kwargs):
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "Forked", counted)
    return started


def test_the_bound_computed_aside_is_the_bound(monkeypatch):
    problem = toy_problem(all_roads(demand=3.0), [VehicleClass("truck", "garage")])
    options = {"time_limit_s": 30, "seed": 5, "workers": 2, "max_iterations": 50}
    here = solve(problem, **options)
    started = _bound_aside_from(monkeypatch, 1)  # every problem
    aside = solve(problem, **options)
    assert started == [1]
    assert aside.lower_bound == here.lower_bound > 0
    assert aside.cost == here.cost
    solve(problem, **{**options, "workers": 1})  # one process: nothing aside
    assert started == [1]


def test_an_unreachable_arc_is_named_with_the_bound_aside(monkeypatch):
    started = _bound_aside_from(monkeypatch, 1)
    graph = toy_graph(extra=[(6, 7, 50), (7, 6, 50)], vertices=8)
    problem = toy_problem([*all_roads(), either(13, 14, ref="island")], graph=graph)
    with pytest.raises(InfeasibleError, match="island"):
        solve(problem, time_limit_s=1, workers=2)
    assert started == [1]


def test_problem_raises_when_no_vehicle_may_serve_an_arc():
    roads = [dataclasses.replace(r, road_class="residential") for r in all_roads()]
    grader = VehicleClass("grader", "garage", road_classes=frozenset({"primary"}))
    with pytest.raises(InfeasibleError, match="No vehicle class"):
        toy_problem(roads, [grader])


def test_problem_raises_when_one_pass_exceeds_every_shift():
    truck = VehicleClass("truck", "garage", shift_s=5.0)
    with pytest.raises(InfeasibleError, match="longer than the shift"):
        toy_problem(vehicles=[truck])


def test_solve_raises_when_a_pass_cannot_fit_a_shift_with_its_deadheads():
    truck = VehicleClass("truck", "garage", shift_s=30.0)  # 0 -> 2 -> 5 -> ... too far
    with pytest.raises(InfeasibleError, match="within the shift"):
        solve(toy_problem(vehicles=[truck]), time_limit_s=1)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"engine": "gurobi"}, "engine"),  # unknown engine
        ({"time_limit_s": 0}, "time_limit_s"),  # no time
        ({"workers": 0}, "workers"),  # no worker
        ({"max_iterations": 0}, "max_iterations"),  # no iteration
    ],
)
def test_solve_rejects_bad_options(options, match):
    with pytest.raises(ProblemError, match=match):
        solve(toy_problem(), **options)


def test_empty_problem_gives_an_empty_feasible_plan():
    solution = solve(toy_problem(required=[]), time_limit_s=1)
    assert solution.feasible
    assert solution.routes == ()
    assert solution.cost == 0


@pytest.mark.parametrize(
    ("max_iterations", "expected"),
    [(None, 1000), (1000, 300), (5000, 500), (50_000, 1000)],
)
def test_late_acceptance_history_is_at_most_a_tenth_of_an_iteration_budget(
    max_iterations, expected
):
    from snowroute.routing._pyvrp import PyVRPParams, _history_length

    assert _history_length(PyVRPParams(), max_iterations) == expected


def test_pyvrp_workers_cycle_through_their_feasible_targets():
    from snowroute.routing._pyvrp import PyVRPParams

    params = PyVRPParams(target_feasible=(0.65, 0.4))
    targets = [params.for_worker(w).target_feasible for w in range(3)]
    assert targets == [(0.65,), (0.4,), (0.65,)]
    assert params.for_worker(1).history_length == params.history_length


@pytest.mark.parametrize("targets", [(), (0.5, 1.5), (-0.1,)])
def test_pyvrp_feasible_targets_must_be_shares(targets):
    from snowroute.routing._pyvrp import PyVRPParams

    with pytest.raises(ValueError, match="target_feasible"):
        PyVRPParams(target_feasible=targets)


@pytest.mark.parametrize("relocate3", [True, False])
def test_pyvrp_search_moves_chains_of_three_when_asked(relocate3):
    from pyvrp import RandomNumberGenerator
    from pyvrp.search import Relocate3

    from snowroute.routing import _pyvrp
    from snowroute.routing.transform import transform

    data, _ = _pyvrp.build_data(transform(toy_problem()))
    params = _pyvrp.PyVRPParams(relocate3=relocate3)
    ls = _pyvrp._local_search(data, RandomNumberGenerator(seed=1), params)
    kinds = [type(op) for op in ls.binary_operators]
    assert (Relocate3 in kinds) is relocate3
    solution = solve(toy_problem(), seed=1, workers=1, max_iterations=50, pyvrp=params)
    assert solution.feasible


def test_pyvrp_search_aims_at_its_workers_feasible_target(monkeypatch):
    from snowroute.routing import _pyvrp
    from snowroute.routing.transform import transform

    seen = []
    real = _pyvrp.PenaltyParams

    def spy(**kwargs):
        seen.append(kwargs.get("target_feasible"))
        return real(**kwargs)

    monkeypatch.setattr(_pyvrp, "PenaltyParams", spy)
    tr = transform(toy_problem())
    data, classes = _pyvrp.build_data(tr)
    params = _pyvrp.PyVRPParams(target_feasible=(0.65, 0.4))
    _pyvrp._search(
        tr,
        data,
        classes,
        seed=1,
        stop=_pyvrp._Stop(
            deadline=float("inf"), max_iterations=20, stall=None, target_s=None
        ),
        params=params.for_worker(1),
        initial=None,
    )
    assert seen == [0.4]


def test_a_converged_search_stops_before_its_iteration_budget():
    problem = toy_problem()
    solution = solve(
        problem, seed=1, workers=1, max_iterations=50_000, stall_iterations=200
    )
    assert solution.feasible
    # the toy converges at once: 200 idle iterations after the last new best
    assert solution.stats["iterations"] < 5_000


@pytest.mark.parametrize("shift_s", [None, 3600.0])  # a shift: a route length
def test_a_plan_at_the_lower_bound_ends_the_search(shift_s):
    # one one-way street out of the depot and one back: the bound is exact
    required = [RequiredArc(arc=0, mode="forward", ref="0>1"), either(5, 6)]
    truck = VehicleClass("truck", "garage", shift_s=shift_s)
    problem = toy_problem(required, vehicles=[truck])
    solution = solve(problem, seed=1, workers=1, stall_iterations=None)
    assert solution.cost == pytest.approx(solution.lower_bound)
    # no stall rule and no iteration cap: only the bound ended it before 10 s
    assert solution.stats["iterations"] < 50


@pytest.mark.parametrize("workers", [1, 2])
def test_the_callback_hears_every_new_best(workers):
    seen = []
    solution = solve(
        grid_problem(4, 5),
        seed=1,
        workers=workers,
        max_iterations=300,
        first_plan="engine",
        callback=seen.append,
    )
    costs = [p.cost for p in seen]
    assert costs, "no progress reported"
    assert costs == sorted(costs, reverse=True)
    assert all(p.feasible and p.stage == "search" for p in seen)
    assert costs[-1] == pytest.approx(solution.cost, rel=1e-6)


def test_makespan_plans_finish_earlier_with_the_whole_fleet():
    problem = grid_problem(4, 5)  # four trucks, no shift limit
    total = solve(problem, seed=1, workers=1, max_iterations=300)
    early = solve(problem, seed=1, workers=1, max_iterations=300, objective="makespan")
    assert early.feasible, early.violations
    assert early.objective == "makespan"
    assert early.makespan_s < 0.7 * total.makespan_s
    assert early.num_routes > total.num_routes
    assert early.makespan_s >= early.stats["makespan_lower_bound"] - 1e-6


def test_a_makespan_plan_is_polished_once_then_reordered(monkeypatch):
    module = importlib.import_module("snowroute.routing.solve")
    events, polished, joints = [], set(), []
    real_polish, real_reorder = module.polish_route, module.reorder_plan

    def spy_polish(tr, route):
        out = real_polish(tr, route)
        events.append("polish")
        polished.add(id(out))
        return out

    def spy_reorder(tr, routes, **kw):
        done = all(id(r) in polished for r in routes)
        events.append("reorder" if done else "reorder unpolished")
        joints.append(kw["joint"])
        return real_reorder(tr, routes, **kw)

    monkeypatch.setattr(module, "polish_route", spy_polish)
    monkeypatch.setattr(module, "reorder_plan", spy_reorder)
    plan = solve(
        grid_problem(4, 5), seed=1, workers=1, max_iterations=300, objective="makespan"
    )
    first = events.index("reorder")
    # every capped plan polished as it came; the best one's routes only reordered,
    # each alone
    assert events[first:] == ["reorder"]
    assert events[:first] == ["polish"] * first
    assert joints == [False]
    assert plan.feasible


def test_a_missed_deadline_says_which_class_and_by_how_much():
    required = [either(11, 12, priority="emergency"), *all_roads()[:3]]
    problem = toy_problem(required, deadlines={"emergency": 10.0})
    solution = _solve(problem, "pyvrp")
    assert not solution.feasible
    assert "Priority class 'emergency' is cleared" in solution.violations[0]
    assert "after its deadline" in solution.violations[0]


def test_pyvrp_classes_alike_but_for_their_depot_share_a_profile():
    from snowroute.routing import _pyvrp
    from snowroute.routing.transform import transform

    fleet = (
        VehicleClass("truck", "garage"),
        VehicleClass("truck-barn", "barn"),  # the same fleet at another depot
        VehicleClass("slow", "garage", plow_speed_kph=12.0, deadhead_speed_kph=30.0),
    )
    problem = toy_problem(vehicles=fleet)
    data, classes = _pyvrp.build_data(transform(problem))
    assert data.num_profiles == 2
    profiles = [data.vehicle_type(c).profile for c in classes]
    assert profiles == [0, 0, 1]
    assert [data.vehicle_type(c).start_depot for c in classes] == [0, 1, 0]
    solution = solve(problem, seed=1, workers=1, max_iterations=200)
    assert solution.feasible


def _grid_with_deadlines():
    """The 5 x 6 grid, three trucks, every fifth street due within 10 minutes."""
    return grid_with_deadlines((VehicleClass("truck", "yard", count=3),), 600.0)


@pytest.mark.parametrize("phases_from", [10, None])
def test_a_large_problem_with_deadlines_is_searched_in_phases(phases_from):
    seen = []
    problem = _grid_with_deadlines()
    solution = _solve(
        problem,
        "pyvrp",
        max_iterations=300,
        phases_from=phases_from,
        callback=seen.append,
    )
    assert solution.feasible, solution.violations
    assert solution.finish_s()["main"] <= 600.0
    stages = {p.stage for p in seen}
    # the plans without deadlines are not the problem's: never reported
    assert stages == ({"chunks", "search"} if phases_from else {"search"})
    # the three phases share the iteration budget
    assert solution.stats["iterations"] <= 300 + 3


def test_the_first_phase_starts_from_the_tour_without_deadlines(monkeypatch):
    from snowroute.routing import _pyvrp
    from snowroute.routing.coarsen import without_deadlines
    from snowroute.routing.construct import initial_routes
    from snowroute.routing.transform import transform

    calls = []
    real = _pyvrp.solve_pyvrp

    def spy(tr, params, **kw):
        calls.append((bool(np.isfinite(tr.service_deadline).any()), kw["initial"]))
        return real(tr, params, **kw)

    monkeypatch.setattr(_pyvrp, "solve_pyvrp", spy)
    problem = _grid_with_deadlines()
    solve(
        problem,
        seed=2,
        workers=1,
        max_iterations=100,
        phases_from=10,
        first_plan="tour",
    )
    assert [timed for timed, _ in calls] == [False, True, True]
    # one tour of the problem without deadlines, not one per priority class
    tr = transform(problem)
    tour = initial_routes(without_deadlines(tr), seed=2)
    assert list(calls[0][1]) == tour != initial_routes(tr, seed=2)


def test_the_first_phase_plan_is_reordered_before_it_is_cut_into_chunks(
    monkeypatch,
):
    module = importlib.import_module("snowroute.routing.solve")
    finished, cut = [], []
    real_finished, real_coarsen = module._finished_nodes, module.coarsen

    def spy_finished(tr, routes, *, seed, workers, **kw):
        out = real_finished(tr, routes, seed=seed, workers=workers, **kw)
        finished.append((bool(np.isfinite(tr.service_deadline).any()), seed, out))
        return out

    def spy_coarsen(tr, routes, size):
        cut.append(routes)
        return real_coarsen(tr, routes, size)

    monkeypatch.setattr(module, "_finished_nodes", spy_finished)
    monkeypatch.setattr(module, "coarsen", spy_coarsen)
    solve(_grid_with_deadlines(), seed=2, workers=1, max_iterations=100, phases_from=10)
    # first the first phase's plan, without deadlines, then the final plan:
    # each polished, then reordered (the reordering alone is timed)
    assert [(timed, seed) for timed, seed, _ in finished] == [
        (False, None),
        (False, 2 + module._FIRST_PHASE_SEED),
        (True, None),
        (True, 2),
    ]
    assert cut == [finished[1][2]]


def test_a_search_in_phases_gives_the_same_plan_for_the_same_seed():
    problem = _grid_with_deadlines()
    plans = [
        solve(problem, seed=3, workers=2, max_iterations=200, phases_from=10)
        for _ in range(2)
    ]
    first, second = ([r.arcs.tolist() for r in p.routes] for p in plans)
    assert first == second


def test_the_search_leaves_time_to_polish_long_routes():
    module = importlib.import_module("snowroute.routing.solve")
    short, long_ = NodeRoute(0, tuple(range(100))), NodeRoute(0, tuple(range(200)))
    truck = SimpleNamespace(count=4)
    none = SimpleNamespace(num_services=0, problem=SimpleNamespace(vehicles=[truck]))
    many = SimpleNamespace(num_services=1000, problem=none.problem)
    assert module._polish_s(none, None) == 0.0
    # moving stretches and reordering price along the route: the square of length
    assert module._polish_s(none, [long_]) == pytest.approx(
        4 * module._polish_s(none, [short])
    )
    # routes reordered in threads; the longest one bounds the time from below
    one = module._polish_s(none, [long_, long_])
    assert module._polish_s(none, [long_, long_], workers=2) < one
    assert module._polish_s(none, [long_, short], workers=2) == pytest.approx(
        module.POLISH_S_PER_STOP2 * (200**2 + 100**2)
        + module.REORDER_S_PER_STOP2 * 200**2
    )
    # without a first plan: the services split evenly over the fleet of 4 and
    # searched together, each thread the square of all of them times its kicks
    per_kick = module.REORDER_S_PER_STOP2 / module.KICKS
    assert module._polish_s(many, None) == pytest.approx(
        per_kick * module.JOINT_KICKS * 1000**2
    )
    # beyond the most services searched together, each route alone
    huge = SimpleNamespace(num_services=4 * module.LONGEST, problem=none.problem)
    assert module._polish_s(huge, None) == pytest.approx(
        4 * module.LONGEST**2 * module.REORDER_S_PER_STOP2
    )
    run = module._Run(None, None, 1e9, 0.0, None, 0.0)
    left = run.remaining()
    run.polish_s = module._polish_s(many, [long_, long_])
    assert left - run.remaining() == pytest.approx(run.polish_s, abs=0.01)


def test_routes_are_finished_alike_in_one_thread_or_two():
    module = importlib.import_module("snowroute.routing.solve")
    tr = transform(
        grid_problem(6, 7, vehicles=[VehicleClass("truck", "yard", count=3)])
    )
    services = np.random.default_rng(4).permutation(tr.num_services)
    routes = [
        NodeRoute(0, tuple(int(tr.service_nodes(int(s))[0]) for s in part))
        for part in np.array_split(services, 3)
    ]
    # each route's seed is its place in the plan, whichever thread reorders it
    # (routes searched together: one seed per worker, tests/routing/test_together)
    one = module._finish(tr, routes, seed=3, workers=1, joint=False)
    two = module._finish(tr, routes, seed=3, workers=2, joint=False)
    assert [r.services for r in one[0]] == [r.services for r in two[0]]
    assert one[1] == two[1]
    assert one[1].valid
    assert one[1].cost < module._finish(tr, routes)[1].cost - 10


def test_a_timed_search_in_phases_gives_the_third_phase_to_the_kicks(monkeypatch):
    from snowroute.routing import _pyvrp

    module = importlib.import_module("snowroute.routing.solve")
    calls, kicks = [], []
    real, real_reorder = _pyvrp.solve_pyvrp, module.reorder_plan

    def spy(tr, params, **kw):
        calls.append(bool(np.isfinite(tr.service_deadline).any()))
        return real(tr, params, **kw)

    def spy_reorder(tr, routes, **kw):
        kicks.append(kw.get("kicks", JOINT_KICKS))
        return real_reorder(tr, routes, **kw)

    rates, real_final = [], module._Run.final_kicks

    def spy_final(run):
        rates.append((run.kick_s, real_final(run)))
        return rates[-1][1]

    monkeypatch.setattr(_pyvrp, "solve_pyvrp", spy)
    monkeypatch.setattr(module, "reorder_plan", spy_reorder)
    monkeypatch.setattr(module._Run, "final_kicks", spy_final)
    # a shift that takes two routes or more
    trucks = VehicleClass("truck", "yard", count=3, shift_s=350.0)
    problem = grid_with_deadlines((trucks,), 600.0)
    # no iteration budget and no stall: the first phase runs to its time limit
    solution = solve(
        problem,
        seed=2,
        workers=1,
        time_limit_s=3.0,
        stall_iterations=None,
        phases_from=10,
    )
    assert solution.feasible, solution.violations
    assert len(solution.routes) > 1  # the trucks' routes can go together
    # without deadlines, then the chunks; no third search
    assert calls == [False, True]
    # the first phase's reordering is timed and sets the final one's kicks; how
    # many depends on the machine's speed, so only the wiring and bounds are checked
    [(kick_s, final)] = rates
    assert kick_s is not None
    assert kick_s > 0
    assert kicks == [JOINT_KICKS, final]
    assert JOINT_KICKS <= final <= module.MOST_KICKS


def test_final_kicks_fill_the_time_left_at_the_first_phase_rate():
    module = importlib.import_module("snowroute.routing.solve")
    params = SolveParams(time_limit_s=50.0)
    run = module._Run(None, params, time.perf_counter() + 10.0, 0.0, None, 0.0)
    assert run.final_kicks() == JOINT_KICKS  # no rate: not timed
    run.kick_s = 1.0
    # 10 s less the reserve (0.3 s and 2 % of the limit), about 8.7 kicks
    assert 8.0 < run.final_kicks() < 8.71
    run.kick_s = 100.0
    assert run.final_kicks() == JOINT_KICKS
    run.kick_s = 0.01
    assert run.final_kicks() == module.MOST_KICKS


@pytest.mark.parametrize(
    ("deadline_s", "shift_s", "services", "on_time"),
    [
        (600.0, None, 6, True),
        (1.0, None, 6, False),  # a street due within a second
        (1e6, 350.0, 6, True),  # six services take 160 s
        (1e6, 350.0, None, False),  # all of them far longer
    ],
)
def test_a_plan_is_on_time_when_it_keeps_every_shift_and_deadline(
    deadline_s, shift_s, services, on_time
):
    module = importlib.import_module("snowroute.routing.solve")
    trucks = VehicleClass("truck", "yard", count=3, shift_s=shift_s)
    tr = transform(grid_with_deadlines((trucks,), deadline_s))
    served = range(services or tr.num_services)
    route = NodeRoute(0, tuple(int(tr.service_nodes(s)[0]) for s in served))
    assert module._on_time(tr, [route]) is on_time


@pytest.mark.parametrize("max_iterations", [None, 50])
def test_the_reordering_kernel_is_loaded_before_the_search(monkeypatch, max_iterations):
    # a first use compiles it (about 9 s): before the search, not after, where
    # it made a 5 s solve take 12 s. A search bound by time loses that time; one
    # bound by iterations does not (its plan must not depend on the first use)
    from snowroute.routing import _pyvrp

    module = importlib.import_module("snowroute.routing.solve")
    calls = []
    real_search = _pyvrp.solve_pyvrp

    def search(tr, params, **kw):
        calls.append(("search", kw["time_limit_s"]))
        return real_search(tr, params, **kw)

    def load():  # as the real one: slow once, then nothing to do
        if not calls:
            calls.append(("load", 0.0))
            time.sleep(0.5)

    monkeypatch.setattr(module, "load_kernel", load)
    monkeypatch.setattr(_pyvrp, "solve_pyvrp", search)
    limit = 2.0
    solve(
        grid_problem(),
        time_limit_s=limit,
        seed=1,
        workers=1,
        max_iterations=max_iterations,
    )
    assert [name for name, _ in calls[:2]] == ["load", "search"]
    if max_iterations is None:
        assert calls[1][1] < limit - 0.5
    else:
        assert calls[1][1] > limit - 0.5
