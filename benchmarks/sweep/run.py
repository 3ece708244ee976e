"""Sweep benchmark: a 12-variant sweep of the demo on 1 and on 2 Dask workers.

Prints, per worker count, the wall time of the whole sweep, each worker's peak
resident memory and the speed-up, checks that both give the same table, and
measures what travels (the network scattered once, each task's scenario, each
result) for the estimate in docs/sweep.md::

    .venv/bin/python benchmarks/sweep/run.py --csv benchmarks/sweep/sweep-demo-12.csv

The variants: seeds 1-3 x Akita city's dozers 3 or 4 x balance tolerance 0.2 or
0.3, every search capped at 500 iterations (so the table cannot depend on the
machine's load). Run it alone: it times how two cores share the work.
"""

from __future__ import annotations

import argparse
import csv
import os
import pickle
import platform
import statistics
import tempfile
import time
from pathlib import Path

from snowroute.prepare import graph_from_scenario
from snowroute.sweep import parse_vary, run_sweep, sweep_variants

ROOT = Path(__file__).resolve().parents[2]
VARY = (
    "solver.seed=1,2,3",
    "vehicles.akita-dozer.count=3,4",
    "exchange.balance_tolerance=0.2,0.3",
)
FIXED = {"solver.max_iterations": 500}


def _load() -> float:
    return os.getloadavg()[0]


def main() -> None:
    """Run the sweep on 1 and 2 workers; print and optionally append CSV rows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--csv", type=Path, help="append one row per worker count")
    parser.add_argument("--workers", default="1,2", help="worker counts to time")
    args = parser.parse_args()
    variants = sweep_variants(
        ROOT / "scenarios" / "demo.toml", [parse_vary(v) for v in VARY], fixed=FIXED
    )
    G = graph_from_scenario(variants[0].scenario)
    sizes = {
        "network_bytes": len(pickle.dumps(G)),
        "task_bytes": max(len(pickle.dumps(v)) for v in variants),
    }
    print(f"{len(variants)} variants; {platform.processor() or platform.machine()}")
    print(
        f"pickled network {sizes['network_bytes'] / 1e6:.1f} MB (sent once per "
        f"worker), largest task {sizes['task_bytes'] / 1e3:.0f} kB"
    )
    rows, tables = [], {}
    for workers in (int(w) for w in args.workers.split(",")):
        load = _load()
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            result = run_sweep(variants, Path(tmp) / "out", workers=workers)
            wall = time.perf_counter() - start
            out = Path(tmp) / "out"
            tables[workers] = (out / "sweep.csv").read_text("utf-8-sig")
            result_bytes = sum(
                p.stat().st_size for p in (out / "variants").rglob("*") if p.is_file()
            ) / len(variants)
        tasks = list(result.task_runtime_s.values())
        row = {
            "workers": workers,
            "variants": len(variants),
            "wall_s": round(wall, 1),
            "task_s_mean": round(statistics.mean(tasks), 1),
            "task_s_max": round(max(tasks), 1),
            "worker_peak_mb_max": round(max(result.worker_peak_mb.values()), 0),
            "result_mb_per_task": round(result_bytes / 1e6, 2),
            "all_valid": result.valid,
            "load_before": round(load, 2),
            "load_after": round(_load(), 2),
            **sizes,
        }
        rows.append(row)
        print(row)
    if len(rows) > 1:
        print(f"speed-up {rows[0]['wall_s'] / rows[-1]['wall_s']:.2f}")
        print("same table on every worker count:", len(set(tables.values())) == 1)
    if args.csv:
        new = not args.csv.exists()
        with args.csv.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            if new:
                writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
