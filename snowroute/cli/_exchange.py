"""``snowroute exchange``: exchange snow clearing plans (交換除雪) for a scenario."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from snowroute._io import atomic_directory, check_output_path
from snowroute.cli._summary import exchange_lines
from snowroute.network import administrators
from snowroute.outputs.write import save_summary
from snowroute.prepare import graph_from_scenario
from snowroute.scenario.load import scenario_from_toml
from snowroute.scenario.model import PLAN_NAMES

__all__ = ["print_exchange", "register"]


def print_exchange(result: Any, *, verbose: bool = False) -> None:
    """Print every plan in one line, the partners' balance and every violation.

    ``verbose``: the full ledger per administrator and the comparison with the
    prefecture's published figures instead.
    """
    if not verbose:
        names = {
            a: info.get("name", "")
            for a, info in administrators(result.context.G).items()
        }
        print("\n".join(exchange_lines(result.to_dict(), names)))
        return
    print(result.ledger_text())
    print()
    print(result.comparison_text())
    for name, report in result.reports.items():
        for violation in report.violations:
            print(f"{name}: violation: {violation}")


def _exchange(args: argparse.Namespace) -> int:
    from snowroute.exchange import run_exchange

    if args.out is not None:
        check_output_path(args.out, force=args.force, kind="folder")
    scenario = scenario_from_toml(args.scenario)
    G = graph_from_scenario(scenario)
    result = run_exchange(
        G,
        scenario,
        plans=args.plans,
        time_limit_s=args.time_limit,
        seed=args.seed,
    )
    print_exchange(result, verbose=args.verbose > 0)
    if args.out is not None:
        with atomic_directory(args.out, force=args.force) as tmp:
            save_summary(result.to_dict(), tmp)
        print(f"\nWrote {args.out}/summary.json")
    return 0 if result.valid else 1


def register(subparsers: Any) -> None:
    """Register ``snowroute exchange``."""
    parser = subparsers.add_parser(
        "exchange",
        help="exchange snow clearing (交換除雪): baseline, given, optimized, pooled",
        description=(
            "Plan exchange snow clearing for a scenario: each administrator alone "
            "(baseline), an agreed exchange list (given), the best balanced exchange "
            "(optimized) and every fleet on every road (pooled); print the ledger "
            "and the comparison with the H20/H21 figures. Exit code 1 when a plan "
            "breaks a constraint."
        ),
    )
    parser.add_argument("scenario", type=Path, help="scenario TOML file")
    parser.add_argument("--out", type=Path, help="output folder (summary.json)")
    parser.add_argument(
        "--force", action="store_true", help="replace an existing folder"
    )
    parser.add_argument(
        "--plans",
        nargs="+",
        choices=PLAN_NAMES,
        help="plans to compute (default: the scenario's exchange.plans)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        help="routing seconds for every search of the run (default: the scenario's)",
    )
    parser.add_argument("--seed", type=int, help="seed (default: the scenario's)")
    parser.set_defaults(handler=_exchange)
