"""``snowroute bench``: run the public benchmarks and print gaps, seconds and memory."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import snowroute
from snowroute._errors import InputFileError
from snowroute._io import check_output_path
from snowroute.bench.carp import CarpResult
from snowroute.bench.harness import (
    environment,
    run_carp,
    summarise,
    write_csv,
    write_solutions,
)

__all__ = ["register"]


def _default_carp_dir() -> Path:
    """``../shared/benchmarks/carp`` beside the working folder or the project."""
    candidates = [
        Path.cwd().parent / "shared" / "benchmarks" / "carp",
        Path(snowroute.__file__).resolve().parents[2]
        / "shared"
        / "benchmarks"
        / "carp",
    ]
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[0]


def register(subparsers: Any) -> None:
    """Add the ``bench`` command group."""
    bench = subparsers.add_parser("bench", help="run public benchmarks")
    sub = bench.add_subparsers(dest="bench_command", metavar="BENCHMARK", required=True)
    carp = sub.add_parser(
        "carp",
        help="CARP benchmark sets (gdb, val, egl, hefei, beijing, ...)",
        description=(
            "Solve CARPLIB instances and print cost, best-known, gap, seconds, peak "
            "memory and the validator's verdict per instance, then a summary per set."
        ),
    )
    carp.add_argument(
        "--set", required=True, help="set folder(s), comma-separated: gdb,val,egl"
    )
    carp.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="seconds per instance (default 60)",
    )
    carp.add_argument("--engine", choices=("pyvrp", "ortools"), default="pyvrp")
    carp.add_argument("--seed", type=int, default=1)
    carp.add_argument(
        "--workers",
        type=int,
        default=None,
        help="search processes (default: cores, at most 2)",
    )
    carp.add_argument(
        "--max-iterations",
        type=int,
        default=None,
        help="stop each search after this many iterations (reproducible on any "
        "machine; the time limit still applies)",
    )
    carp.add_argument(
        "--instances", default=None, help="comma-separated instance names"
    )
    carp.add_argument(
        "--cap-fleet", action="store_true", help="limit the fleet to VEHICULOS"
    )
    carp.add_argument(
        "--csv", type=Path, default=None, help="write results to this CSV"
    )
    carp.add_argument(
        "--solutions", type=Path, default=None, help="write <instance>.sol files here"
    )
    carp.add_argument(
        "--data",
        type=Path,
        default=None,
        help="CARP folder (default ../shared/benchmarks/carp)",
    )
    carp.add_argument("--force", action="store_true", help="replace existing outputs")
    carp.set_defaults(handler=_carp)


def _row(r: CarpResult) -> str:
    bks = "" if r.bks is None else f"{r.bks:,.0f}"
    gap = "" if r.gap_pct is None else f"{r.gap_pct:7.3f}"
    valid = "valid" if r.valid else f"INVALID ({len(r.violations)})"
    return (
        f"{r.set:8} {r.instance:12} {r.engine:7} {r.cost:>12,.0f} {bks:>12} {gap:>8} "
        f"{r.seconds:8.1f} {r.peak_mb:8.0f}  {valid}"
    )


def _carp(args: argparse.Namespace) -> int:
    if not args.time_limit > 0:
        msg = f"`--time-limit` must be positive, got {args.time_limit}."
        raise InputFileError(msg)
    if args.max_iterations is not None and args.max_iterations < 1:
        msg = f"`--max-iterations` must be at least 1, got {args.max_iterations}."
        raise InputFileError(msg)
    if args.csv is not None:
        check_output_path(args.csv, force=args.force, kind="file")
    if args.solutions is not None:
        check_output_path(args.solutions, force=args.force, kind="folder")
    sets = [s.strip() for s in args.set.split(",") if s.strip()]
    instances = (
        None
        if args.instances is None
        else [s.strip() for s in args.instances.split(",") if s.strip()]
    )
    data = args.data or _default_carp_dir()
    env = environment()
    print(f"machine: {env['machine']}; load average at start: {env['load']}")
    print(f"libraries: {env['libraries']}")
    fleet = (
        "fleet capped at VEHICULOS"
        if args.cap_fleet
        else "fleet unlimited (as the published best-known values)"
    )
    stop = (
        ""
        if args.max_iterations is None
        else f", at most {args.max_iterations} iterations"
    )
    print(
        f"engine {args.engine}, {args.time_limit:g} s per instance{stop}, "
        f"seed {args.seed}, {fleet}"
    )
    print(
        f"{'set':8} {'instance':12} {'engine':7} {'cost':>12} {'bks':>12} {'gap %':>8} "
        f"{'seconds':>8} {'peak MB':>8}  validator"
    )

    def show(r: CarpResult) -> None:
        print(_row(r), flush=True)
        for v in r.violations[:3]:
            print(f"    {v}")

    results = run_carp(
        data,
        sets,
        engine=args.engine,
        time_limit_s=args.time_limit,
        seed=args.seed,
        cap_fleet=args.cap_fleet,
        instances=instances,
        workers=args.workers,
        max_iterations=args.max_iterations,
        on_result=show,
    )
    print()
    print(
        f"{'set':8} {'engine':7} {'n':>3} {'valid':>5} {'mean gap %':>10} "
        f"{'max gap %':>9} {'at bks':>6} {'mean s':>7} {'peak MB':>8}"
    )
    for s in summarise(results):
        mean = "" if math.isnan(s.mean_gap_pct) else f"{s.mean_gap_pct:.3f}"
        top = "" if math.isnan(s.max_gap_pct) else f"{s.max_gap_pct:.3f}"
        print(
            f"{s.set:8} {s.engine:7} {s.instances:3d} {s.valid:5d} {mean:>10} {top:>9} "
            f"{s.at_bks:6d} {s.mean_seconds:7.1f} {s.peak_mb:8.0f}"
        )
    print(f"{fleet}; load average at end: {environment()['load']}")
    if args.csv is not None:
        write_csv(results, args.csv, force=args.force)
        print(f"results: {args.csv}")
    if args.solutions is not None:
        write_solutions(results, args.solutions, force=args.force)
        print(f"solutions: {args.solutions}")
    return 0 if all(r.valid for r in results) else 1
