"""``snowroute patrol``: plan patrols over a horizon, and findings notices."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from snowroute._errors import InputFileError
from snowroute._io import atomic_directory, check_output_path
from snowroute.network import administrators, load_boundaries, tagged_graph_from_file
from snowroute.outputs.notices import save_notices
from snowroute.outputs.patrol import save_patrol
from snowroute.patrol import plan_patrol
from snowroute.patrol.findings import (
    DEFAULT_TOLERANCE_M,
    match_findings,
    read_findings,
)
from snowroute.prepare import graph_from_scenario
from snowroute.scenario.load import scenario_from_toml

__all__ = ["register"]

logger = logging.getLogger(__name__)


def _plan(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_output_path(args.out, force=args.force, kind="folder")
    scenario = scenario_from_toml(args.scenario)
    G = graph_from_scenario(scenario)
    plan = plan_patrol(
        G,
        scenario,
        time_limit_s=args.time_limit,
        seed=args.seed,
        max_iterations=args.max_iterations,
    )
    print(plan.summary())
    if args.out is not None:
        with atomic_directory(args.out, force=args.force) as tmp:
            save_patrol(G, plan, tmp)
        print(f"\nWrote {args.out}/")
    return 0 if plan.valid else 1


def _notices(args: argparse.Namespace) -> int:
    check_output_path(args.out, force=args.force, kind="folder")
    if (args.scenario is None) == (args.network is None):
        msg = "Give exactly one of --scenario or --network."
        raise InputFileError(msg)
    sender = args.sender
    if args.scenario is not None:
        scenario = scenario_from_toml(args.scenario)
        G = graph_from_scenario(scenario)
        if sender is None and scenario.patrol is not None:
            sender = scenario.patrol.admin
    else:
        boundaries = (
            None if args.boundaries is None else load_boundaries(args.boundaries)
        )
        G = tagged_graph_from_file(args.network, boundaries=boundaries)
    admins = administrators(G)
    names = {k: v.get("name", "") for k, v in admins.items()}
    sender = sender or "patrol"
    sender_text = f"{names.get(sender, '')} ({sender})" if names.get(sender) else sender
    findings = read_findings(args.findings)
    result = match_findings(
        G,
        findings,
        tolerance_m=args.tolerance_m,
        municipal={k: v.get("class") == "municipality" for k, v in admins.items()},
    )
    data = result.to_dict()
    counts = data.pop("counts")
    with atomic_directory(args.out, force=args.force) as tmp:
        save_notices(**data, counts=counts, folder=tmp, sender=sender_text, names=names)
    print(f"{counts['findings']} findings:")
    for admin, n in counts["to_municipalities"].items():
        print(f"  {n:4d} to {names.get(admin, '')} ({admin}): notice_{admin}.html/.csv")
    print(
        f"  {counts['other_roads']:4d} on other administrators' roads: other_roads.csv"
    )
    print(f"  {counts['unmatched']:4d} unmatched: unmatched.csv")
    print(f"\nWrote {args.out}/")
    return 0


def register(subparsers: Any) -> None:
    """Register ``snowroute patrol plan`` and ``snowroute patrol notices``."""
    patrol = subparsers.add_parser(
        "patrol",
        help="road patrol: day-by-day schedules and findings notices",
        description="Road patrol planning (道路パトロール).",
    )
    sub = patrol.add_subparsers(dest="patrol_command", metavar="ACTION", required=True)

    plan = sub.add_parser(
        "plan",
        help="plan patrol routes over the scenario's horizon",
        description=(
            "Plan the [patrol] of a scenario: which days each section and due "
            "structure is visited, and each day's car routes; checked by an "
            "independent validator (exit code 1 when the plan violates a frequency, "
            "a structure due date or a shift)."
        ),
    )
    plan.add_argument("scenario", type=Path, help="scenario TOML file")
    plan.add_argument("--out", type=Path, help="output folder")
    plan.add_argument("--force", action="store_true", help="replace an existing folder")
    plan.add_argument(
        "--time-limit",
        type=float,
        help="routing seconds for all days (default: scenario)",
    )
    plan.add_argument("--seed", type=int, help="random seed (default: scenario)")
    plan.add_argument(
        "--max-iterations",
        type=int,
        help="routing iterations per day (same seed, same plan)",
    )
    plan.set_defaults(handler=_plan)

    notices = sub.add_parser(
        "notices",
        help="turn patrol findings into notices to each municipality",
        description=(
            "Snap findings (CSV with date, lat, lon, category, severity, note, photo; "
            "or GeoJSON points) to the nearest road; write one notice per "
            "municipality (CSV + printable HTML), the findings on other roads and the "
            "unmatched ones with their reason."
        ),
    )
    notices.add_argument("findings", type=Path, help="findings CSV or GeoJSON")
    notices.add_argument("--scenario", type=Path, help="scenario TOML (its network)")
    notices.add_argument(
        "--network", type=Path, help="network file (tagged GraphML or OSM)"
    )
    notices.add_argument(
        "--boundaries", type=Path, help="municipal polygons for an untagged --network"
    )
    notices.add_argument("--out", type=Path, required=True, help="output folder")
    notices.add_argument(
        "--force", action="store_true", help="replace an existing folder"
    )
    notices.add_argument(
        "--tolerance-m",
        type=float,
        default=DEFAULT_TOLERANCE_M,
        help=f"farthest a finding may lie from a road, m ({DEFAULT_TOLERANCE_M:g})",
    )
    notices.add_argument("--sender", help="sending administrator id (default: patrol)")
    notices.set_defaults(handler=_notices)
