"""``snowroute sweep``: every combination of ``--vary`` values, on Dask."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from snowroute._errors import ClusterError
from snowroute._io import check_output_path
from snowroute.cli._run import add_plan_options
from snowroute.scenario.model import PLAN_NAMES

__all__ = ["bands_text", "register", "sweep_text"]


def sweep_text(rows: list[dict[str, Any]], keys: list[str]) -> str:
    """Return the sweep table in short: each variant's values and plan hours."""
    from snowroute.sweep.vary import short_key

    plans = [p for p in PLAN_NAMES if any(f"{p}.total_hours" in r for r in rows)]
    head = [
        "#",
        *(short_key(k) for k in keys),
        *(f"{p} h" for p in plans),
        "valid",
    ]
    lines = [head]
    for row in rows:
        hours = [row.get(f"{p}.total_hours") for p in plans]
        lines.append(
            [
                str(row["variant"]),
                *(str(row.get(k)) for k in keys),
                *("—" if h is None else f"{h:.2f}" for h in hours),
                "yes" if row.get("valid") else f"NO {row.get('error', '')}".strip(),
            ]
        )
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in lines
    )


def bands_text(bands: list[dict[str, Any]], keys: list[str]) -> str:
    """Return one line per noise band: the saving over seeds against its band."""
    from snowroute.sweep.vary import short_key

    others = [k for k in keys if k != "solver.seed"]
    lines = []
    for b in bands:
        where = ", ".join(f"{short_key(k)}={b[k]}" for k in others)
        lines.append(
            f"{b['plan']}{f' ({where})' if where else ''}: saves "
            f"{b['saving_hours_mean']:.2f} h ({b['saving_hours_min']:.2f} to "
            f"{b['saving_hours_max']:.2f}) over {b['seeds']} seeds, band "
            f"{b['band_hours']:.2f} h: {b['verdict_hours']}; deadhead "
            f"{b['saving_km_mean']:.1f} km, band {b['band_km']:.1f} km: "
            f"{b['verdict_km']}"
        )
    return "\n".join(lines)


def _sweep(args: argparse.Namespace) -> int:
    from snowroute.sweep import parse_set, parse_vary, run_sweep, sweep_variants
    from snowroute.sweep.cluster import scheduler_address

    check_output_path(args.out, force=args.force, kind="folder")
    if args.workers is not None and args.workers < 1:
        msg = f"`--workers` must be at least 1, got {args.workers}."
        raise ClusterError(msg)
    variations = [parse_vary(text) for text in args.vary]
    fixed = dict(parse_set(text) for text in args.set or ())
    scheduler_address(args.scheduler)  # a bad address stops here, before any work
    variants = sweep_variants(args.scenario, variations, fixed=fixed)
    result = run_sweep(
        variants,
        args.out,
        scheduler=args.scheduler,
        workers=args.workers,
        plans=args.plans,
        lang=args.lang,
        force=args.force,
    )
    keys = [v.key for v in variations]
    print(sweep_text(list(result.rows), keys))
    if result.bands:
        print("\nSavings against the baseline over seeds (band: the baseline's spread)")
        print(bands_text(list(result.bands), keys))
    n = len(result.rows)
    print(
        f"\n{n} variant{'' if n == 1 else 's'} on {result.scheduler} "
        f"({result.workers} workers) in {result.runtime_s / 60:.1f} min. "
        f"Wrote {args.out}/ (open sweep.html)"
    )
    return 0 if result.valid else 1


def register(subparsers: Any) -> None:
    """Register ``snowroute sweep``."""
    sweep = subparsers.add_parser(
        "sweep",
        help="run a scenario for every combination of --vary values (on Dask)",
        description=(
            "Run the scenario once per combination of the --vary values, as tasks "
            "on a Dask cluster: a local one sized to this machine by default, or "
            "the scheduler given by --scheduler or SNOWROUTE_SCHEDULER. Writes "
            "sweep.csv, sweep.json, sweep.svg, sweep.html and each variant's "
            "outputs in variants/<name>/. Each variant runs as one task with one "
            "search process (solver.workers = 1). Exit code 1 when a variant's "
            "plan violates a constraint or cannot be made, 2 on bad input."
        ),
    )
    sweep.add_argument("scenario", type=Path, help="scenario TOML file")
    sweep.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=V1,V2,...",
        help=(
            "a scenario field and its values, e.g. solver.seed=1,2,3, "
            "exchange.balance_tolerance=0.2,0.3, vehicles.akita-dozer.count=3,4, "
            "service.start=03:00,04:00 (repeat for more fields)"
        ),
    )
    sweep.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="a scenario field set alike for every variant (repeat for more)",
    )
    sweep.add_argument("--out", type=Path, required=True, help="output folder")
    sweep.add_argument(
        "--force", action="store_true", help="replace an existing folder"
    )
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=(
            "Dask scheduler (tcp://HOST:PORT), `local` (default: a local cluster) "
            "or `serial` (this process, no Dask); default from SNOWROUTE_SCHEDULER"
        ),
    )
    sweep.add_argument(
        "--workers",
        type=int,
        help="worker processes of the local cluster (default: cores)",
    )
    add_plan_options(sweep)
    sweep.set_defaults(handler=_sweep)
