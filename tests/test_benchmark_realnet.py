"""The real-network benchmark's command line turns into the solve settings it says."""

from __future__ import annotations

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
