"""One run's independent routing problems as Dask tasks: the same plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from snowroute.pipeline import run_scenario
from snowroute.scenario.load import scenario_from_toml
from snowroute.sweep.cluster import dask_executor
from tests.helpers import DATA

pytest.importorskip("distributed")

PATROL = """
[patrol]
admin = "05"
start_date = 2026-12-01
horizon_days = 3
frequency_days = { emergency = 1, arterial = 2, collector = 3, local = 3 }

[patrol.cars]
depot = "D05"
"""


def _summary(result: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(result.to_dict()))
    data.pop("runtime_s")
    for plan in data["plans"].values():
        plan.pop("runtime_s")
    patrol = result.patrol.to_dict()
    patrol.pop("runtime_s")
    return {"exchange": data, "patrol": patrol}


def test_administrators_and_patrol_days_as_dask_tasks_give_the_same_plans(
    tmp_path: Path,
) -> None:
    text = (DATA / "scenario_sweep.toml").read_text(encoding="utf-8")
    path = tmp_path / "with_patrol.toml"
    path.write_text(
        text.replace("../../networks", str(DATA.parents[1] / "networks")) + PATROL
    )
    scenario = scenario_from_toml(path, overrides={"solver.workers": 1})
    here = run_scenario(scenario)
    with dask_executor(None, workers=2) as executor:
        there = run_scenario(scenario, executor=executor)
    assert here.valid
    assert len(here.patrol.day_plans) == 3
    assert _summary(there) == _summary(here)
