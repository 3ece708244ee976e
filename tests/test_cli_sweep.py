"""``snowroute sweep`` from the command line: table, closing line, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from snowroute.cli import main
from tests.helpers import DATA

SWEEP = DATA / "scenario_sweep.toml"


def test_sweep_prints_the_table_and_names_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    argv = ["-q", "sweep", str(SWEEP), "--out", str(out), "--scheduler", "serial"]
    argv += ["--vary", "solver.seed=1,2", "--set", 'exchange.plans=["pooled"]']
    assert main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["#", "seed", "baseline", "h", "pooled", "h", "valid"]
    assert [line.split()[0] for line in lines[1:3]] == ["1", "2"]
    assert lines[4].startswith("Savings against the baseline over seeds")
    assert lines[5].startswith("pooled: saves ")
    assert " over 2 seeds, band " in lines[5]
    assert lines[-1].startswith("2 variants on serial (1 workers) in ")
    assert lines[-1].endswith(f"Wrote {out}/ (open sweep.html)")
    assert (out / "sweep_bands.csv").is_file()
    html = (out / "sweep.html").read_text("utf-8")
    assert 'href="variants/01_solver.seed=1/report.html"' in html
    assert "band_hours" in html
    assert "<svg" in html


def test_a_variant_that_cannot_be_planned_is_a_row_that_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a fleet too slow for its shift: the variant's plan breaks a constraint
    out = tmp_path / "sweep"
    argv = ["-q", "sweep", str(SWEEP), "--out", str(out), "--scheduler", "serial"]
    argv += ["--vary", "vehicles.gojome-dozer.shift_h=8.0,0.2"]
    assert main(argv) == 1
    text = capsys.readouterr().out
    rows = (out / "sweep.csv").read_text("utf-8-sig").splitlines()
    assert len(rows) == 3
    assert ",true" in rows[1]
    assert ",false" in rows[2]
    assert "shift" in rows[2]  # the violation, in words
    assert "NO" in text.splitlines()[2]
