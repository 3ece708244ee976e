r"""The whole Middleton pipeline per seed: ``snowroute run scenarios/middleton.toml``.

Runs the command once per seed under ``/usr/bin/time`` (wall seconds, peak
resident memory of the command and its workers), reads each run's
``summary.json`` and writes one CSV row per seed: validity, the baseline's
hours, deadhead and lower bound, and per administrator its hours, its gap to its
lower bound and its gap to the long-run reference of ``references.csv``
(``middleton-city``, ``-county``, ``-state``). It prints the spread of the
baseline's hours over the seeds and each administrator's gaps.

    .venv/bin/python benchmarks/realnet/pipeline.py --seeds 1,2,3,4,5 \
        --out benchmarks/realnet/middleton-run.csv

Time it alone on the machine: the run's two search workers use both cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIO = ROOT / "scenarios" / "middleton.toml"
SNOWROUTE = ROOT / ".venv" / "bin" / "snowroute"
#: Administrator in the scenario -> instance name in references.csv.
ADMINS = {
    "middleton": "middleton-city",
    "dane": "middleton-county",
    "WI": "middleton-state",
}


def references() -> dict[str, float]:
    """Return the reference value (seconds) per administrator."""
    with (HERE / "references.csv").open(newline="", encoding="utf-8") as f:
        refs = {r["instance"]: float(r["reference"]) for r in csv.DictReader(f)}
    return {admin: refs[name] for admin, name in ADMINS.items()}


def run_seed(seed: int, out: Path, scenario: Path = SCENARIO) -> tuple[float, int]:
    """Run the scenario with ``seed`` into ``out``; return wall s and peak MB."""
    timing = out.parent / f"time-{seed}.txt"
    command = [
        "/usr/bin/time", "-f", "%e %M", "-o", str(timing),
        str(SNOWROUTE), "-q", "run", str(scenario),
        "--seed", str(seed), "--out", str(out), "--force",
    ]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall, rss_kb = timing.read_text().split()[-2:]
    return float(wall), round(int(rss_kb) / 1024)


def load_now() -> float:
    """Return the 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def row(
    seed: int, wall: float, mb: int, load: float, summary: dict, refs: dict[str, float]
) -> dict:
    """One CSV row from a run's ``summary.json`` (``refs``: :func:`references`)."""
    base = summary["plans"]["baseline"]
    out = {
        "seed": seed,
        "wall_s": wall,
        "max_rss_mb": mb,
        "load_start": load,
        "valid": summary["valid"],
        "total_hours": base["total_hours"],
        "deadhead_km": base["deadhead_km"],
        "lower_bound_h": base["lower_bound_h"],
        "gap_to_bound_pct": base["gap_to_bound_pct"],
    }
    for admin, figures in base["per_admin"].items():
        hours = figures["total_hours"]
        out[f"{admin}_hours"] = hours
        out[f"{admin}_gap_to_bound_pct"] = figures["gap_to_bound_pct"]
        gap = 100 * (hours * 3600 - refs[admin]) / refs[admin]
        out[f"{admin}_gap_to_reference_pct"] = round(gap, 2)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the seeds, write the CSV, print the spread and gaps; 1 if any invalid."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--out", type=Path, required=True, help="CSV to write")
    parser.add_argument(
        "--scenario", type=Path, default=SCENARIO, help="default: middleton.toml"
    )
    args = parser.parse_args(argv)
    rows = []
    refs = references()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (int(s) for s in args.seeds.split(",")):
            load = load_now()
            folder = Path(tmp) / f"run-{seed}"
            wall, mb = run_seed(seed, folder, args.scenario)
            summary = json.loads((folder / "summary.json").read_text())
            rows.append(row(seed, wall, mb, load, summary, refs))
            print({k: rows[-1][k] for k in list(rows[-1])[:6]}, flush=True)
    with args.out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    hours = [r["total_hours"] for r in rows]
    spread = 100 * (max(hours) - min(hours)) / min(hours)
    print(f"baseline hours {min(hours):.2f}-{max(hours):.2f}, spread {spread:.2f} %")
    for admin in ADMINS:
        gaps = [r[f"{admin}_gap_to_reference_pct"] for r in rows]
        print(f"{admin}: {min(gaps):.2f}-{max(gaps):.2f} % above its reference")
    return 0 if all(r["valid"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
