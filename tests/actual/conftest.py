"""Fixtures of the plan-against-actual tests: a demo plan computed once, its index."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from snowroute.actual import RoadIndex, road_index
from snowroute.cli._demo import demo_data_dir, demo_scenario, load_demo_network
from snowroute.pipeline import RunResult, run_scenario, write_run

#: Shift start of the synthetic logs.
START = dt.datetime(2026, 12, 1, 3, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture(scope="session")
def demo_run() -> RunResult:
    """The demo's baseline and pooled plans, short searches capped by iterations.

    The time cap is far above what 300 iterations take, so that the plans (and
    the logs made from them) are the same on a loaded machine.
    """
    folder = demo_data_dir()
    scenario = demo_scenario(folder)
    solver = dataclasses.replace(
        scenario.solver, max_iterations=300, stall_iterations=300
    )
    scenario = dataclasses.replace(scenario, patrol=None, solver=solver)
    G = load_demo_network(folder)
    return run_scenario(
        scenario, G=G, plans=["baseline", "pooled"], time_limit_s=900.0, seed=1
    )


@pytest.fixture(scope="session")
def demo_index(demo_run: RunResult) -> RoadIndex:
    """The road index of the demo network."""
    return road_index(demo_run.G)


@pytest.fixture(scope="session")
def demo_run_dir(demo_run: RunResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo run written as `snowroute run` writes it."""
    out = tmp_path_factory.mktemp("run") / "run"
    write_run(demo_run, out)
    return out
