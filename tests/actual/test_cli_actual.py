"""``snowroute actual``: logs against a written plan; bad logs end with exit 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from snowroute.actual import (
    RoadIndex,
    SyntheticParams,
    synthetic_logs,
    write_log_folder,
)
from snowroute.cli import main
from snowroute.pipeline import RunResult, plan_of_run
from tests.actual.conftest import START
from tests.helpers import ROOT

SCENARIO = ROOT / "scenarios" / "demo.toml"
ROW = "pref-truck-1,2026-12-01T03:00:{s:02d},39.6993,140.0725,1\n"
HEADER = "vehicle,time,lat,lon,plow\n"


@pytest.fixture(scope="module")
def logs_dir(
    demo_run: RunResult, demo_index: RoadIndex, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, object]:
    """Synthetic logs of the baseline plan (15 m noise, a road skipped)."""
    logs = synthetic_logs(
        demo_index,
        plan_of_run(demo_run, "baseline"),
        start=START,
        params=SyntheticParams(),
    )
    folder = tmp_path_factory.mktemp("logs")
    write_log_folder(folder, logs.tracks, logs.fleets)
    return folder, logs


def _args(logs: Path, plan: Path, out: Path, *extra: str) -> list[str]:
    return [
        "-q", "actual", str(SCENARIO), "--logs", str(logs), "--plan", str(plan),
        "--out", str(out), "--workers", "1", *extra,
    ]  # fmt: skip


def test_actual_writes_every_file_and_reports_the_skipped_road(
    logs_dir: tuple[Path, object],
    demo_run_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, logs = logs_dir
    out = tmp_path / "out"
    code = main(
        _args(
            folder,
            demo_run_dir,
            out,
            "--plan-name",
            "baseline",
            "--sigma",
            "15",
            "--lang",
            "ja",
        )
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "actual.gpkg", "actual.json", "actual_map.html", "actual_report.html",
    ]  # fmt: skip
    data = json.loads((out / "actual.json").read_text(encoding="utf-8"))
    assert data["plan"] == "baseline"
    points = data["points"]
    assert points["in"] == points["matched"] + points["unmatched"]
    _, edge = logs.skipped  # type: ignore[attr-defined]
    missed = {(m["u"], m["v"], m["key"]) for m in data["missed"]}
    assert (str(edge[0]), str(edge[1]), edge[2]) in missed
    assert "計画と実績の比較" in (out / "actual_report.html").read_text(
        encoding="utf-8"
    )
    assert "against the logs of" in capsys.readouterr().out


def _logs(tmp: Path, name: str, content: str | bytes, table: str | None = None) -> Path:
    folder = tmp / "logs"
    folder.mkdir()
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    if table is not None:
        (folder / "vehicles.csv").write_text(table, encoding="utf-8")
    return folder


TABLE = "vehicle,fleet\npref-truck-1,pref-truck\n"
Case = Callable[[Path], Path]

CASES: dict[str, tuple[Case, str]] = {
    "malformed GPX": (
        lambda tmp: _logs(tmp, "a.gpx", "<gpx><trk><trkseg><trkpt lat=", TABLE),
        "is not valid GPX",
    ),
    "times going back": (
        lambda tmp: _logs(
            tmp, "a.csv", HEADER + ROW.format(s=5) + ROW.format(s=1), TABLE
        ),
        "goes back in time",
    ),
    "neither UTF-8 nor Shift_JIS": (
        lambda tmp: _logs(tmp, "a.csv", HEADER.encode() + b"\x81\x20\xff\n", TABLE),
        "neither UTF-8 nor Shift_JIS",
    ),
    "a vehicle the table lacks": (
        lambda tmp: _logs(
            tmp, "a.csv", HEADER + ROW.format(s=1), "vehicle,fleet\nx,pref-truck\n"
        ),
        "does not list",
    ),
    "a fleet the scenario lacks": (
        lambda tmp: _logs(
            tmp, "a.csv", HEADER + ROW.format(s=1), "vehicle,fleet\npref-truck-1,bus\n"
        ),
        "fleet 'bus'",
    ),
    "no vehicle table": (
        lambda tmp: _logs(tmp, "a.csv", HEADER + ROW.format(s=1)),
        "does not exist",
    ),
    "no logs": (
        lambda tmp: _logs(tmp, "notes.txt", "nothing", TABLE),
        "holds no GPS log",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_logs_end_with_exit_2_and_one_sentence(
    case: str, demo_run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, expected = CASES[case]
    out = tmp_path / "out"
    code = main(_args(make(tmp_path), demo_run_dir, out))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1, err
    assert err[0].startswith("snowroute: error: "), err
    assert expected in err[0]
    assert "Traceback" not in err[0]
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--plan-name", "given"], "has no plan 'given'"),  # a plan the run lacks
        (["--sigma", "0"], "`--sigma` must be positive"),
    ],
)
def test_bad_options_end_with_exit_2(
    extra: list[str],
    expected: str,
    logs_dir: tuple[Path, object],
    demo_run_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    assert main(_args(logs_dir[0], demo_run_dir, out, *extra)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert expected in err[0]
    assert not out.exists()


def test_a_folder_that_is_no_run_is_refused(
    logs_dir: tuple[Path, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(_args(logs_dir[0], tmp_path, out)) == 2
    assert "give the output folder of `snowroute run`" in capsys.readouterr().err
