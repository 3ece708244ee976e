"""The real-network benchmark's command line turns into the solve settings it says."""

from __future__ import annotations

import csv
import json
from types import ModuleType, SimpleNamespace

import pytest

from snowroute.routing import PyVRPParams, SolveParams
from tests.helpers import ROOT, load_script

FOLDER = ROOT / "benchmarks" / "realnet"


@pytest.fixture(scope="module")
def run_module() -> ModuleType:
    return load_script(FOLDER / "run.py", "realnet_run")


def test_default_settings_are_the_engine_defaults(run_module: ModuleType) -> None:
    args = run_module.parse_args(["--seeds", "3", "--time-limit", "36"])
    params = run_module.solve_params(SimpleNamespace(objective="makespan"), 3, args)
    assert (params.seed, params.time_limit_s, params.objective) == (3, 36.0, "makespan")
    assert params.stall_iterations == "auto"
    assert params.phases_from == SolveParams().phases_from
    assert params.pyvrp == PyVRPParams()


def test_the_scenario_search_settings_reach_the_engine(run_module: ModuleType) -> None:
    argv = ["--perturbations", "10,25", "--relocate3", "--neighbours", "40"]
    args = run_module.parse_args([*argv, "--no-stall", "--no-phases"])
    params = run_module.solve_params(SimpleNamespace(objective="total_time"), 1, args)
    assert params.pyvrp == PyVRPParams(
        max_perturbations=(10, 25), relocate3=True, num_neighbours=40
    )
    assert params.stall_iterations is None
    assert params.phases_from is None


@pytest.fixture(scope="module")
def plans_module() -> ModuleType:
    return load_script(FOLDER / "plans.py", "realnet_plans")


def test_a_stored_plan_is_validated_again(plans_module: ModuleType, tmp_path) -> None:
    from snowroute.routing import solve
    from tests.routing.helpers import toy_problem

    problem = toy_problem()
    solution = solve(problem, seed=1, workers=1, max_iterations=200)
    path = plans_module.plan_path(tmp_path, "toy", 1)
    plans_module.write_plan(path, "toy", 1, solution)
    assert plans_module.check_plan(problem, path, solution.cost) is None
    # a cost other than the plan's, a route's totals changed, a file cut short
    wrong = plans_module.check_plan(problem, path, solution.cost + 1.0)
    assert "the validator gives" in str(wrong)
    body = json.loads(path.read_text())
    body["routes"][0]["deadhead_s"] += 60.0
    path.write_text(json.dumps(body))
    changed = plans_module.check_plan(problem, path, solution.cost)
    assert "invalid" in str(changed)
    path.write_text(path.read_text()[:-20])
    cut = plans_module.check_plan(problem, path, solution.cost)
    assert "cannot be read" in str(cut)


@pytest.mark.parametrize(
    ("table", "folder", "count"),
    [
        ("realnet-36s-middleton-checked.csv", "solutions", 15),
        ("reference-city-together.csv", "solutions/reference", 1),
    ],
)
def test_the_stored_plans_are_valid(shared_dir, table, folder, count) -> None:
    check = load_script(FOLDER / "check_solutions.py", "realnet_check")
    with (FOLDER / table).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == count
    assert check.check_rows(rows, FOLDER / folder) == []
