"""``snowroute run`` on bad scenarios, and ``snowroute compare``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snowroute.cli import main
from snowroute.cli._run import compare_text
from tests.helpers import ROOT

DEMO = (ROOT / "scenarios" / "demo.toml").read_text(encoding="utf-8")


def _scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text.replace("../networks", str(ROOT / "networks")), "utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("count = 4", 'count = "four"'), "vehicles[1].count"),
        (("seed = 1", "seed = 1\nturbo = true"), "turbo"),
        (('depot = "D05211"', 'depot = "D99"'), "vehicles[2].depot"),
        (('depot = "D05361"\nkind', "kind"), "vehicles[3].depot"),
        (('[[depots]]\nid = "D05361"', '[[removed]]\nid = "D05361"'), "removed"),
    ],
    ids=["wrong type", "unknown key", "missing depot", "no depot", "unknown table"],
)
def test_bad_scenario_exits_2_naming_the_field_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, str],
    field: str,
) -> None:
    assert change[0] in DEMO
    path = _scenario(tmp_path, DEMO.replace(change[0], change[1], 1))
    out = tmp_path / "out"
    assert main(["-q", "run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert field in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path]  # no half-written folder beside it


def test_a_budget_that_is_not_positive_exits_2_before_reading_the_network(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import snowroute.pipeline

    def no_reading(*_: object) -> None:
        pytest.fail("the network was read before the budget was checked")

    monkeypatch.setattr(snowroute.pipeline, "graph_from_scenario", no_reading)
    path = _scenario(tmp_path, DEMO)
    out = tmp_path / "out"
    args = ["-q", "run", str(path), "--time-limit", "-3", "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "time budget must be positive, got -3.0 s" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def _fake_run(folder: Path, deadhead: float, *, patrol: bool) -> Path:
    folder.mkdir()
    plans = {
        "baseline": {"deadhead_km": 10.0, "total_hours": 5.0, "valid": True},
        "optimized": {"deadhead_km": deadhead, "total_hours": 4.5, "valid": True},
    }
    summary = {"scenario": folder.name, "plans": plans}
    (folder / "summary.json").write_text(json.dumps(summary), "utf-8")
    if patrol:
        data = {"sections_compliant": 72, "sections_total": 72, "valid": True}
        (folder / "patrol.json").write_text(json.dumps(data), "utf-8")
    return folder


def test_compare_prints_two_runs_side_by_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _fake_run(tmp_path / "a", 8.0, patrol=True)
    b = _fake_run(tmp_path / "b", 6.5, patrol=False)
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("optimized  deadhead_km"))
    assert "8.00" in line
    assert "6.50 (-1.50)" in line
    assert "sections_compliant" in out


INPUTS = {"network": "a1", "vehicles": "b2", "solver": "c3"}


@pytest.mark.parametrize(
    ("b_changes", "note"),
    [
        ({"seed": 2}, "Only the seed differs: every difference above is the search"),
        ({}, "Same inputs and settings: the plans differ only where a time limit"),
        ({"time_limit_s": 90}, "Same scenario; run settings that differ: time_limit"),
        (
            {"inputs": {**INPUTS, "vehicles": "zz"}, "seed": 2},
            "Inputs that differ: vehicles; run settings: seed.",
        ),
        ({"inputs": None}, "One run records no hash of its inputs"),
    ],
)
def test_compare_says_what_differs_between_the_runs(b_changes, note) -> None:
    run = {"scenario": "s", "plans": {}, "engine": "pyvrp", "time_limit_s": 60}
    a = {**run, "seed": 1, "inputs": INPUTS}
    b = {**a, **b_changes}
    text = compare_text((a, None), (b, None))
    assert text.splitlines()[-1].startswith(note)
    assert "run       seed" in text


def test_compare_rejects_a_folder_without_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _fake_run(tmp_path / "a", 8.0, patrol=False)
    assert main(["compare", str(a), str(tmp_path)]) == 2
    assert "has no summary.json" in capsys.readouterr().err
