import pytest

from snowroute import ProblemError
from snowroute.routing import PyVRPParams, SolveParams
from snowroute.routing.params import per_perturbations


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"engine": "gurobi"}, "engine"),
        ({"objective": "fastest"}, "objective"),
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"workers": 0}, "workers"),
        ({"max_iterations": 0}, "max_iterations"),
        ({"stall_iterations": 0}, "stall_iterations"),
        ({"stall_iterations": "soon"}, "stall_iterations"),
        ({"first_plan": "greedy"}, "first_plan"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**31}, "seed"),
    ],
)
def test_solve_params_reject_values_out_of_range(changes, match):
    with pytest.raises(ProblemError, match=match):
        SolveParams(**changes)


def test_with_returns_a_validated_copy():
    params = SolveParams(seed=3)
    changed = params.with_(time_limit_s=5.0)
    assert (changed.seed, changed.time_limit_s, params.time_limit_s) == (3, 5.0, 10.0)
    with pytest.raises(ProblemError, match="time_limit_s"):
        params.with_(time_limit_s=-1)
    with pytest.raises(ProblemError, match="`timelimit` is not a solve setting"):
        params.with_(timelimit=5)


def test_stall_rule_scales_with_the_problem():
    assert SolveParams().stall_for(50) == 2000
    assert SolveParams().stall_for(1500) == 15_000
    assert SolveParams(stall_iterations=700).stall_for(1500) == 700
    assert SolveParams(stall_iterations=None).stall_for(1500) is None


def test_iteration_limits_are_counted_in_clients_perturbed():
    assert per_perturbations(15_000, 10) == 37_500
    assert per_perturbations(300, 25) == 300
    assert per_perturbations(None, 10) is None


def test_each_worker_gets_its_own_perturbation():
    mixed = PyVRPParams(max_perturbations=(10, 25))
    assert [mixed.for_worker(w).max_perturbations for w in range(3)] == [10, 25, 10]
    assert PyVRPParams().for_worker(1).perturbations == (25,)
    with pytest.raises(ProblemError, match="max_perturbations"):
        PyVRPParams(max_perturbations=(10, 0))


@pytest.mark.parametrize(
    ("clients", "max_iterations", "expected"),
    [
        (300, None, 1000),  # CARP-sized: PyVRP history as tuned on egl
        (800, None, 250),  # (400 / 800)^2 * 1000
        (2900, None, 19),  # a city: short history
        (20_000, None, 10),  # never below 10
        (2900, 1000, 19),
        (300, 1000, 300),
    ],
)
def test_late_acceptance_history_shrinks_on_large_problems(
    clients, max_iterations, expected
):
    from snowroute.routing._pyvrp import _history_length

    assert _history_length(PyVRPParams(), max_iterations, clients) == expected


def test_new_bests_are_searched_exhaustively_on_small_problems_only():
    assert PyVRPParams().exhaustive_for(380)  # egl-s4: as tuned on CARP
    assert not PyVRPParams().exhaustive_for(2900)  # a city
    assert PyVRPParams(exhaustive_best=True).exhaustive_for(2900)
    assert not PyVRPParams(
        history_full_clients=None, exhaustive_best=False
    ).exhaustive_for(10)
