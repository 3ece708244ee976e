"""The real-network benchmark's command line turns into the solve settings it says."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType, SimpleNamespace

import pytest

from snowroute.routing import PyVRPParams
from tests.helpers import ROOT

FOLDER = ROOT / "benchmarks" / "realnet"


@pytest.fixture(scope="module")
def run_module() -> ModuleType:
    sys.path.insert(0, str(FOLDER))  # run.py imports instances.py beside it
    try:
        spec = importlib.util.spec_from_file_location("realnet_run", FOLDER / "run.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(FOLDER))
        sys.modules.pop("instances", None)  # a name other folders may use
    return module


def test_default_settings_are_the_engine_defaults(run_module: ModuleType) -> None:
    args = run_module.parse_args(["--seeds", "3", "--time-limit", "36"])
    params = run_module.solve_params(SimpleNamespace(objective="makespan"), 3, args)
    assert (params.seed, params.time_limit_s, params.objective) == (3, 36.0, "makespan")
    assert params.stall_iterations == "auto"
    assert params.pyvrp == PyVRPParams()


def test_the_scenario_search_settings_reach_the_engine(run_module: ModuleType) -> None:
    argv = ["--perturbations", "10,25", "--relocate3", "--neighbours", "40"]
    args = run_module.parse_args([*argv, "--no-stall"])
    params = run_module.solve_params(SimpleNamespace(objective="total_time"), 1, args)
    assert params.pyvrp == PyVRPParams(
        max_perturbations=(10, 25), relocate3=True, num_neighbours=40
    )
    assert params.stall_iterations is None
