"""Exchange benchmark: every plan and reference on shipped scenarios.

Prints, per scenario, each plan's deadhead km, total hours, its saving against the
baseline and (for exchange plans) against its same-effort reference, the noise
band and its verdict, the km exchanged each way per partner pair and validity; then
the price of fairness and the seconds taken, as a Markdown table for RESULTS.md::

    .venv/bin/python benchmarks/exchange/run.py scenarios/demo.toml \
        scenarios/middleton.toml

Uses each scenario's own solver settings (engine, time limit, iteration budget,
seed), so the figures are those of ``snowroute run``.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import resource
import time
from pathlib import Path

from snowroute.exchange import run_exchange
from snowroute.prepare import graph_from_scenario
from snowroute.scenario import scenario_from_toml

PLANS = ("baseline", "optimized", "unbalanced", "pooled", "pooled_equal_speed")


def bench(
    path: Path, time_limit_s: float | None = None, json_dir: Path | None = None
) -> list[str]:
    """Run the three plans of the scenario at ``path``; return its table rows."""
    scenario = scenario_from_toml(path)
    start = time.perf_counter()
    G = graph_from_scenario(scenario)
    read_s = time.perf_counter() - start
    result = run_exchange(G, scenario, plans=PLANS, time_limit_s=time_limit_s)
    seconds = time.perf_counter() - start
    summary = result.to_dict()
    if json_dir is not None:  # every figure and each plan's search notes
        json_dir.mkdir(parents=True, exist_ok=True)
        text = json.dumps(summary, ensure_ascii=False, indent=1)
        (json_dir / f"{scenario.name}.json").write_text(text, encoding="utf-8")
    rows = []
    for name in PLANS:
        p = summary["plans"][name]
        each_way = "; ".join(
            f"{b['a']}→{b['b']} {b['a_to_b_km']:.2f} km/{b['a_to_b_routes']} "
            f"{b['b']}→{b['a']} {b['b_to_a_km']:.2f} km/{b['b_to_a_routes']}"
            for b in (p.get("balance") or {}).values()
            if b["a_to_b_km"] or b["b_to_a_km"]
        )
        rows.append(
            f"| {scenario.name} | {name} | {p['deadhead_km']:.2f} | "
            f"{p['total_hours']:.2f} | {_saving(p.get('saving'))} | "
            f"{_band(p.get('saving'))} | {p['units_exchanged']} | "
            f"{each_way or '—'} | {'yes' if p['valid'] else 'NO'} |"
        )
    price = summary.get("price_of_fairness")
    if price is not None:
        rows.append(
            f"| {scenario.name} | *price of fairness* | {price['km']:.2f} | "
            f"{price['hours']:.3f} | unbalanced less optimized | | | | |"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(
        f"| {scenario.name} | *run* | {G.number_of_edges():,} edges, "
        f"{len(result.context.plow):,} to plow | read {read_s:.1f} s | "
        f"total {seconds:.0f} s | {result.extra.get('routing_solves', 0)} routing "
        f"solves | peak {peak:.0f} MB | | | |"
    )
    return rows


def _saving(saving: dict[str, float] | None) -> str:
    """Return the hours saved against the baseline (and against the reference)."""
    if not saving:
        return "—"
    text = f"{saving['hours']:+.3f}"
    if "attributable_hours" in saving:
        text += f" ({saving['attributable_hours']:+.3f})"
    return text


def _band(saving: dict[str, object] | None) -> str:
    """Return the noise band in hours and its verdict."""
    if not saving or "band_hours" not in saving:
        return "—"
    verdict = "significant" if saving["significant"] else "not significant"
    return f"{saving['band_hours']:.3f} h, {verdict}"


def main() -> None:
    """Benchmark every scenario given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="+", type=Path)
    parser.add_argument(
        "--time-limit",
        type=float,
        help="the run's routing budget (seconds) instead of the scenario's",
    )
    parser.add_argument("--json", type=Path, help="folder for each summary.json")
    parser.add_argument("-v", "--verbose", action="store_true", help="log the search")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}, "
        f"load average at start {Path('/proc/loadavg').read_text().split()[:3]}"
    )
    print(
        "| scenario | plan | deadhead km | total h | saving h (attributable) | "
        "noise band | units exchanged | exchanged each way (km/routes) | valid |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for path in args.scenarios:
        for row in bench(path, args.time_limit, args.json):
            print(row, flush=True)


if __name__ == "__main__":
    main()
