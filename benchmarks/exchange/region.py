"""Exchange benchmark on the demo region: the scenario's plans, then a longer search.

Prints, as Markdown rows for RESULTS.md, the baseline, given and optimized plans of
``scenarios/region.toml`` (hours, deadhead km, routes and km each way, the saving
and its noise band, seconds, peak memory, machine load), and with ``--long F`` the
optimized plan again from an independent search: ``F`` times the routing iterations
and time, the measuring iterations, the candidate moves and the rounds, another
seed, and its saving beside the first; then both runs' exchanges measured by one
measurer (the long run's), so that the choice is compared apart from the routing
noise each run's own figure carries::

    .venv/bin/python benchmarks/exchange/region.py scenarios/region.toml --long 5

With ``--out DIR`` it also writes the figures as CSV (``region.csv``, one row per
run and plan; ``region-same-yardstick.csv``) and each run's exchange lists, the
agreement's table of its validated plans (``region-exchange-list-<run>.csv``).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import logging
import os
import resource
import time
from pathlib import Path
from typing import Any

from snowroute.exchange import run_exchange
from snowroute.exchange.measure import Measurer
from snowroute.exchange.plans import ExchangeContext
from snowroute.exchange.result import ExchangeResult
from snowroute.network import administrators
from snowroute.outputs import save_exchange_list
from snowroute.prepare import graph_from_scenario
from snowroute.scenario import scenario_from_toml
from snowroute.scenario.model import Scenario

PLANS = ("baseline", "given", "optimized")


def _load() -> str:
    """Return the load averages over 1, 5 and 15 minutes."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _pair(label: str, plan: str) -> str:
    """Return the partners of a comparison row of ``plan`` (unnamed: pref↔muni)."""
    return label.removeprefix(f"scenario: {plan}").lstrip(", ") or "pref↔muni"


def bench(
    scenario: Scenario, label: str, plans: tuple[str, ...]
) -> tuple[list[str], ExchangeResult]:
    """Run ``plans`` of ``scenario``; return its table rows (plans, run) and the run."""
    load_start = _load()
    start = time.perf_counter()
    G = graph_from_scenario(scenario)
    result = run_exchange(G, scenario, plans=plans)
    seconds = time.perf_counter() - start
    summary: dict[str, Any] = result.to_dict()
    base = summary["plans"]["baseline"]
    comparison = {row["label"]: row for row in summary.get("comparison") or []}
    rows = []
    records: list[dict[str, Any]] = []
    for name in plans:
        p = summary["plans"][name]
        saving_h = base["total_hours"] - p["total_hours"]
        records.append(_record(label, name, p, saving_h, comparison))
        noise = (p.get("saving") or {}).get("band_hours")
        attributable = (p.get("saving") or {}).get("attributable_hours")
        each_way = "—"
        if name != "baseline":
            each_way = "; ".join(
                f"{_pair(r['label'], name)}: "
                f"{r['up_routes']} routes {r['up_km']:.1f} km up, "
                f"{r['down_routes']} routes {r['down_km']:.1f} km down"
                for key, r in comparison.items()
                if key.startswith(f"scenario: {name}")
            )
        band = "—" if noise is None else f"{noise:.2f} h"
        measured = saving_h if attributable is None else attributable
        times = "—" if not noise else f"{measured / noise:.1f}x"
        against = "" if attributable is None else f" ({attributable:+.2f} h)"
        rows.append(
            f"| {label} | {name} | {p['total_hours']:.2f} | {p['deadhead_km']:.2f} | "
            f"{each_way} | {saving_h:.2f} h{against} | {band} | {times} | "
            f"{'yes' if p['valid'] else 'NO'} |"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if "optimized" in plans:  # how the search got there, as notes below the table
        search = summary["plans"]["optimized"].get("search") or []
        print(f"{label}, optimized search: " + "; ".join(search), flush=True)
    load_end = _load()
    rows.append(
        f"| {label} | *run* | {G.number_of_edges():,} edges, "
        f"{len(result.context.plow):,} to plow | {seconds:.0f} s | "
        f"{result.extra.get('routing_solves', 0)} routing solves | "
        f"peak {peak:.0f} MB | load {load_start} → {load_end} | | |"
    )
    for record in records:
        record |= {
            "run_s": round(seconds, 1),
            "peak_mb": round(peak),
            "load_start": load_start,
            "load_end": load_end,
        }
    return rows, records, result


def _record(
    label: str,
    name: str,
    plan: dict[str, Any],
    saving_h: float,
    comparison: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Return one CSV row: a plan's figures and its routes and km each way."""
    saving = plan.get("saving") or {}
    out: dict[str, Any] = {
        "run": label,
        "plan": name,
        "total_h": round(plan["total_hours"], 4),
        "deadhead_km": round(plan["deadhead_km"], 3),
        "saving_h": round(saving_h, 4),
        "attributable_h": saving.get("attributable_hours"),
        "band_h": saving.get("band_hours"),
        "agreement_lines": plan["agreement_lines"],
        "balanced": plan["balanced"],
        "valid": plan["valid"],
    }
    for between in ("prefecture", "municipalities"):
        rows = [
            r
            for key, r in comparison.items()
            if key.startswith(f"scenario: {name}") and r["between"] == between
        ]
        for side in ("up_routes", "up_km", "down_routes", "down_km"):
            out[f"{between}_{side}"] = round(sum(r[side] for r in rows), 3)
    return out


def same_yardstick(
    runs: dict[str, ExchangeResult], long: ExchangeResult
) -> list[dict[str, Any]]:
    """Measure each run's optimized exchange with the long run's measurer.

    The savings each run reports carry their own routing noise (the band); this
    compares the exchanges the searches chose, with one measurer: the long run's
    baseline routes, seed and measuring iterations, and one reference shared by
    every set (the baseline roads route once).
    """
    ctx = long.context
    fresh = ExchangeContext.from_scenario(ctx.G, ctx.scenario, time_limit_s=3600.0)
    measurer = Measurer(fresh, long.plans["baseline"])
    out = []
    for label, result in runs.items():
        found = measurer.measure(result.plans["optimized"].assignment)
        out.append(
            {
                "run": label,
                "hours_saved": round(found.hours_saved, 4),
                "km_saved": round(found.km_saved, 3),
                "valid": found.valid,
                "late": " ".join(found.late),
            }
        )
    return out


def write_csv(path: Path, records: list[dict[str, Any]]) -> None:
    """Write ``records`` (dicts with the same keys) as a CSV file."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)


def main() -> None:
    """Benchmark the scenario given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument(
        "--long",
        type=float,
        default=0.0,
        help="also run the optimized plan with this many times the search effort",
    )
    parser.add_argument(
        "--skip-short", action="store_true", help="only the long search"
    )
    parser.add_argument(
        "--out", type=Path, help="folder for the CSV files and the exchange lists"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    scenario = scenario_from_toml(args.scenario)
    print(f"cores: {os.cpu_count()}, load at start {_load()}")
    print(
        "| run | plan | total h | deadhead km | routes and km each way | "
        "saving (attributable) | noise band | attributable / band | valid |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    runs: dict[str, ExchangeResult] = {}
    records: list[dict[str, Any]] = []
    if not args.skip_short:
        rows, found, runs["scenario"] = bench(scenario, "scenario", PLANS)
        records += found
        print("\n".join(rows), flush=True)
    if args.long:
        solver = scenario.solver
        longer = dataclasses.replace(
            solver,
            time_limit_s=solver.time_limit_s * args.long,
            max_iterations=None
            if solver.max_iterations is None
            else round(solver.max_iterations * args.long),
            seed=solver.seed + 100,
        )
        # every search of the exchange F times longer; no noise band: the long
        # search is the reference the band is not for
        spec = scenario.exchange
        exchange = dataclasses.replace(
            spec,
            noise_seeds=0,
            measure_iterations=round(spec.measure_iterations * args.long),
            moves=round(spec.moves * args.long),
            rounds=round(spec.rounds * args.long),
        )
        long_scenario = dataclasses.replace(scenario, solver=longer, exchange=exchange)
        label = f"{args.long:g}x search, seed {longer.seed}"
        rows, found, runs[label] = bench(
            long_scenario, label, ("baseline", "optimized")
        )
        records += found
        print("\n".join(rows), flush=True)
        print(
            "\nEach run's optimized exchange measured by the long run's measurer "
            f"({exchange.measure_iterations} iterations, seed {longer.seed}, "
            "against one shared reference):"
        )
        yardstick = same_yardstick(runs, runs[label])
        for r in yardstick:
            print(
                f"- {r['run']}: {r['hours_saved']:+.2f} h, {r['km_saved']:+.1f} km "
                f"(valid: {r['valid']}, late: {r['late'] or 'none'})",
                flush=True,
            )
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            write_csv(args.out / "region-same-yardstick.csv", yardstick)
    if args.out is not None:
        _save(args.out, records, runs)


def _save(
    out: Path, records: list[dict[str, Any]], runs: dict[str, ExchangeResult]
) -> None:
    """Write the rows as CSV and each run's exchange lists (its validated plans)."""
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "region.csv", records)
    for label, result in runs.items():
        name = "scenario" if label == "scenario" else "long"
        admins = administrators(result.context.G)
        save_exchange_list(
            result.to_dict(),
            out / f"region-exchange-list-{name}.csv",
            admin_names={a: info.get("name", "") for a, info in admins.items()},
        )


if __name__ == "__main__":
    main()
