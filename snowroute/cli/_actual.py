"""``snowroute actual``: the GPS logs of a day against the plan they followed."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from snowroute._errors import InputFileError
from snowroute._io import check_output_path
from snowroute.scenario.load import scenario_from_toml

__all__ = ["register"]


def _workers(args: argparse.Namespace) -> int:
    if args.workers is not None:
        if args.workers < 1:
            msg = f"`--workers` must be at least 1, got {args.workers}."
            raise InputFileError(msg)
        return int(args.workers)
    return min(2, os.cpu_count() or 1)


def _actual(args: argparse.Namespace) -> int:
    from snowroute.actual.compare import compare_actual
    from snowroute.actual.logs import FLEET_FILE, read_fleet_table, read_logs
    from snowroute.actual.match import MatchParams
    from snowroute.actual.plan import read_plan
    from snowroute.pipeline import write_actual
    from snowroute.prepare import graph_from_scenario

    check_output_path(args.out, force=args.force, kind="folder")
    if not args.sigma > 0:
        msg = f"`--sigma` must be positive, got {args.sigma}."
        raise InputFileError(msg)
    scenario = scenario_from_toml(args.scenario)
    tracks = read_logs(args.logs, tz=args.tz)
    fleets = read_fleet_table(
        args.fleets or Path(args.logs) / FLEET_FILE,
        fleets=[v.id for v in scenario.vehicles],
    )
    G = graph_from_scenario(scenario)
    plan = read_plan(args.plan, G, name=args.plan_name)
    result = compare_actual(
        G,
        scenario,
        plan,
        tracks,
        fleets,
        params=MatchParams(sigma_m=args.sigma),
        tz=args.tz,
        workers=_workers(args),
    )
    print(result.summary())
    written = write_actual(result, args.out, lang=args.lang, force=args.force)
    print(
        f"\nWrote {args.out}/ ({len(written)} files; open actual_report.html, "
        "actual_map.html)"
    )
    return 0


def register(subparsers: Any) -> None:
    """Register ``snowroute actual``."""
    cmd = subparsers.add_parser(
        "actual",
        help="compare the GPS logs of plow vehicles with the plan",
        description=(
            "Match the GPS logs (GPX or CSV) of a day to the scenario's network and "
            "compare them with a plan written by `snowroute run`: roads plowed, "
            "missed and plowed unplanned, empty driving, finish times per priority "
            "class, and the settlement of the exchange per partner pair. Writes "
            "actual.json, actual.gpkg, actual_map.html and actual_report.html."
        ),
    )
    cmd.add_argument("scenario", type=Path, help="scenario TOML file")
    cmd.add_argument(
        "--logs",
        type=Path,
        required=True,
        help="folder of GPS logs (*.gpx, *.csv) and vehicles.csv",
    )
    cmd.add_argument(
        "--plan", type=Path, required=True, help="output folder of `snowroute run`"
    )
    cmd.add_argument("--out", type=Path, required=True, help="output folder")
    cmd.add_argument(
        "--plan-name",
        help="plan to compare with (default: given, else optimized, baseline, pooled)",
    )
    cmd.add_argument(
        "--fleets",
        type=Path,
        help="vehicle table: vehicle,fleet[,route_no] (default: LOGS/vehicles.csv)",
    )
    cmd.add_argument(
        "--tz",
        default="Asia/Tokyo",
        help="time zone of log times without an offset (default: Asia/Tokyo)",
    )
    cmd.add_argument(
        "--sigma",
        type=float,
        default=20.0,
        help="GPS noise (standard deviation, m) the matcher expects (default: 20)",
    )
    cmd.add_argument(
        "--workers", type=int, help="processes matching tracks (default: cores, max 2)"
    )
    cmd.add_argument(
        "--lang", choices=("en", "ja"), default="en", help="report language"
    )
    cmd.add_argument("--force", action="store_true", help="replace an existing folder")
    cmd.set_defaults(handler=_actual)
