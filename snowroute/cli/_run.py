"""``snowroute run`` (the whole pipeline of a scenario) and ``snowroute compare``."""

from __future__ import annotations

import argparse
import json
import logging
import math
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from snowroute._errors import InputFileError
from snowroute._io import check_output_path
from snowroute.cli._exchange import print_exchange
from snowroute.cli._summary import closing_line, patrol_lines
from snowroute.scenario.load import scenario_from_toml
from snowroute.scenario.model import PLAN_NAMES

__all__ = [
    "add_plan_options",
    "add_run_options",
    "compare_text",
    "print_run",
    "register",
]

logger = logging.getLogger(__name__)


def print_run(result: Any, *, verbose: bool = False) -> None:
    """Print the plans, the partners' balance and the patrol headline.

    ``verbose``: the full exchange ledger, the comparison table and every patrol day.
    """
    print_exchange(result.exchange, verbose=verbose)
    if result.patrol is not None:
        print()
        if verbose:
            print(result.patrol.summary())
        else:
            print("\n".join(patrol_lines(result.patrol)))


def _run(args: argparse.Namespace) -> int:
    from snowroute.pipeline import run_scenario, write_run

    check_output_path(args.out, force=args.force, kind="folder")
    scenario = scenario_from_toml(args.scenario)
    with _executor(args.scheduler) as executor:
        result = run_scenario(
            scenario,
            plans=args.plans,
            time_limit_s=args.time_limit,
            seed=args.seed,
            executor=executor,
        )
    logger.info("writing the outputs")
    written = write_run(result, args.out, lang=args.lang, force=args.force)
    print_run(result, verbose=args.verbose > 0)
    print()
    print(closing_line(args.out, len(written)))
    return 0 if result.valid else 1


@contextmanager
def _executor(scheduler: str | None) -> Iterator[Executor | None]:
    """Nothing (routing in this process), or a Dask client's executor."""
    if scheduler is None:
        yield None
        return
    from snowroute.sweep.cluster import dask_executor, scheduler_address

    address = scheduler_address(scheduler)
    if address == "serial":
        yield None
        return
    with dask_executor(address) as executor:
        yield executor


def _load(folder: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    path = folder / "summary.json"
    if not path.is_file():
        msg = f"`{folder}` has no summary.json; is it the output folder of a run?"
        raise InputFileError(msg)
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        patrol_path = folder / "patrol.json"
        patrol = (
            json.loads(patrol_path.read_text(encoding="utf-8"))
            if patrol_path.is_file()
            else None
        )
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"`{folder}` holds a malformed JSON file ({exc})."
        raise InputFileError(msg) from None
    if not isinstance(summary, dict) or not isinstance(summary.get("plans"), dict):
        msg = f"`{path}` has no `plans`; is it the output folder of a run?"
        raise InputFileError(msg)
    return summary, patrol


def _cell(value: Any, fmt: str) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else ("yes" if value else "NO")
    if isinstance(value, int | float) and math.isfinite(value):
        return format(value, fmt)
    return str(value)


def compare_text(
    a: tuple[dict[str, Any], dict[str, Any] | None],
    b: tuple[dict[str, Any], dict[str, Any] | None],
    *,
    labels: tuple[str, str] = ("A", "B"),
) -> str:
    """Two runs side by side: every plan's figures and the patrol headline."""
    rows: list[tuple[str, str, str, str]] = []
    metrics = (
        ("deadhead_km", ".2f"),
        ("service_km", ".2f"),
        ("total_hours", ".2f"),
        ("vehicles", "d"),
        ("objective_hours", ".2f"),
        ("valid", ""),
    )
    sa, sb = a[0], b[0]
    rows.append(
        ("scenario", "", str(sa.get("scenario", "")), str(sb.get("scenario", "")))
    )
    for key in _RUN_SETTINGS:
        rows.append(("run", key, _cell(sa.get(key), "g"), _cell(sb.get(key), "g")))
    plans = [p for p in PLAN_NAMES if p in sa["plans"] or p in sb["plans"]]
    for plan in plans:
        pa, pb = sa["plans"].get(plan, {}), sb["plans"].get(plan, {})
        for key, fmt in metrics:
            if key not in pa and key not in pb:
                continue
            va, vb = pa.get(key), pb.get(key)
            diff = ""
            if (
                isinstance(va, int | float)
                and isinstance(vb, int | float)
                and not isinstance(va, bool)
                and not isinstance(vb, bool)
            ):
                diff = f" ({vb - va:+.2f})"
            rows.append((plan, key, _cell(va, fmt), _cell(vb, fmt) + diff))
        for key in ("exchanged",):
            if key in pa or key in pb:
                na, nb = len(pa.get(key) or []), len(pb.get(key) or [])
                rows.append((plan, "exchanged units", str(na), str(nb)))
    pa_, pb_ = a[1], b[1]
    if pa_ is not None or pb_ is not None:
        for key, fmt in (
            ("sections_compliant", "d"),
            ("sections_total", "d"),
            ("structures_scheduled", "d"),
            ("structures_due", "d"),
            ("total_km", ".1f"),
            ("day_km_spread", ".1f"),
            ("valid", ""),
        ):
            va = None if pa_ is None else pa_.get(key)
            vb = None if pb_ is None else pb_.get(key)
            rows.append(("patrol", key, _cell(va, fmt), _cell(vb, fmt)))
    widths = [
        max(len(r[i]) for r in [("plan", "figure", *labels), *rows]) for i in range(4)
    ]
    lines = [
        "  ".join(
            h.ljust(w) for h, w in zip(("plan", "figure", *labels), widths, strict=True)
        )
    ]
    lines.append("-" * (sum(widths) + 6))
    for r in rows:
        lines.append(
            f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  "
            f"{r[2].rjust(widths[2])}  {r[3].rjust(widths[3])}"
        )
    return "\n".join([*lines, "", difference_note(sa, sb)])


#: Settings of a run that a command line may override (summary.json keys).
_RUN_SETTINGS = ("engine", "time_limit_s", "seed")


def difference_note(sa: dict[str, Any], sb: dict[str, Any]) -> str:
    """Say what differs between two runs' inputs, so a difference is read right.

    Runs record a hash per scenario table (``inputs`` in summary.json); two runs
    that differ only in their seed differ by the search's own variation.
    """
    ia, ib = sa.get("inputs"), sb.get("inputs")
    if not isinstance(ia, dict) or not isinstance(ib, dict):
        return "One run records no hash of its inputs: what differs is not known."
    parts = sorted(k for k in set(ia) | set(ib) if ia.get(k) != ib.get(k))
    settings = [k for k in _RUN_SETTINGS if sa.get(k) != sb.get(k)]
    if parts:
        also = f"; run settings: {', '.join(settings)}" if settings else ""
        return f"Inputs that differ: {', '.join(parts)}{also}."
    if settings == ["seed"]:
        return (
            "Only the seed differs: every difference above is the search's own "
            "variation between seeds, not an effect of the inputs."
        )
    if not settings:
        return (
            "Same inputs and settings: the plans differ only where a time limit "
            "stopped the searches on machines of different speed or load."
        )
    return f"Same scenario; run settings that differ: {', '.join(settings)}."


def _compare(args: argparse.Namespace) -> int:
    a, b = _load(args.a), _load(args.b)
    print(compare_text(a, b, labels=(str(args.a), str(args.b))))
    return 0


def add_plan_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``run``, ``demo`` and ``sweep``: language and plans."""
    parser.add_argument(
        "--lang", choices=("en", "ja"), default="en", help="language of the outputs"
    )
    parser.add_argument(
        "--plans",
        nargs="+",
        choices=PLAN_NAMES,
        help="exchange plans to compute (default: the scenario's)",
    )


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``run`` and ``demo``: language, plans, limits, seed."""
    add_plan_options(parser)
    parser.add_argument(
        "--time-limit",
        type=float,
        help="routing seconds for every search of the run (override)",
    )
    parser.add_argument("--seed", type=int, help="random seed (override)")


def register(subparsers: Any) -> None:
    """Register ``snowroute run`` and ``snowroute compare``."""
    run = subparsers.add_parser(
        "run",
        help="run a scenario: exchange plans, patrol, layers, map, sheets, report",
        description=(
            "Run the whole pipeline of a scenario file and write summary.json, "
            "patrol.json, routes.gpkg, GeoJSON, GPX tracks, route sheets, map.html "
            "and report.html into a new folder (replaced only with --force). Exit "
            "code 1 when a plan violates a constraint, 2 on bad input."
        ),
    )
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--out", type=Path, required=True, help="output folder")
    run.add_argument("--force", action="store_true", help="replace an existing folder")
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=(
            "route the independent problems (each plan's administrators, the "
            "patrol days) side by side as Dask tasks, one search process each: "
            "on the scheduler at tcp://HOST:PORT, or `local` for a local cluster "
            "(default: one after another in this process)"
        ),
    )
    add_run_options(run)
    run.set_defaults(handler=_run)
    compare = subparsers.add_parser(
        "compare",
        help="two run folders side by side",
        description="Print the plans and patrol figures of two runs side by side.",
    )
    compare.add_argument("a", type=Path, help="first run folder")
    compare.add_argument("b", type=Path, help="second run folder")
    compare.set_defaults(handler=_compare)
