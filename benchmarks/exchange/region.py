"""Exchange benchmark on the demo region: the scenario's plans, then a longer search.

Prints, as Markdown rows for RESULTS.md, the baseline, given and optimized plans of
``scenarios/region.toml`` (hours, deadhead km, routes and km each way, the saving
and its noise band, seconds, peak memory, machine load), and with ``--long F`` the
optimized plan again from an independent search: ``F`` times the routing iterations
and time, the measuring iterations, the candidate moves and the rounds, another
seed, and its saving beside the first::

    .venv/bin/python benchmarks/exchange/region.py scenarios/region.toml --long 5
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import resource
import time
from pathlib import Path
from typing import Any

from snowroute.exchange import run_exchange
from snowroute.prepare import graph_from_scenario
from snowroute.scenario import scenario_from_toml
from snowroute.scenario.model import Scenario

PLANS = ("baseline", "given", "optimized")


def _load() -> str:
    """Return the load averages over 1, 5 and 15 minutes."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench(scenario: Scenario, label: str, plans: tuple[str, ...]) -> list[str]:
    """Run ``plans`` of ``scenario``; return one table row per plan and a run row."""
    load_start = _load()
    start = time.perf_counter()
    G = graph_from_scenario(scenario)
    result = run_exchange(G, scenario, plans=plans)
    seconds = time.perf_counter() - start
    summary: dict[str, Any] = result.to_dict()
    base = summary["plans"]["baseline"]
    comparison = {row["label"]: row for row in summary.get("comparison") or []}
    rows = []
    for name in plans:
        p = summary["plans"][name]
        saving_h = base["total_hours"] - p["total_hours"]
        noise = (p.get("saving") or {}).get("band_hours")
        attributable = (p.get("saving") or {}).get("attributable_hours")
        each_way = "—"
        if name != "baseline":
            each_way = "; ".join(
                f"{r['label'].removeprefix(f'scenario: {name}') or 'pref↔muni'}: "
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
    rows.append(
        f"| {label} | *run* | {G.number_of_edges():,} edges, "
        f"{len(result.context.plow):,} to plow | {seconds:.0f} s | "
        f"{result.extra.get('routing_solves', 0)} routing solves | "
        f"peak {peak:.0f} MB | load {load_start} → {_load()} | | |"
    )
    return rows


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
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    scenario = scenario_from_toml(args.scenario)
    print(f"cores: {os.cpu_count()}, load at start {_load()}")
    print(
        "| run | plan | total h | deadhead km | routes and km each way | "
        "saving (attributable) | noise band | attributable / band | valid |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    if not args.skip_short:
        for row in bench(scenario, "scenario", PLANS):
            print(row, flush=True)
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
        for row in bench(long_scenario, label, ("baseline", "optimized")):
            print(row, flush=True)


if __name__ == "__main__":
    main()
