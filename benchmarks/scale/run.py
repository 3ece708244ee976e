"""Scale benchmark: the whole pipeline on Middleton (OSM) and a generated city (ledger).

Prints, per stage (ingest, tag, shortest paths, solve, export), seconds and peak
memory (resident set of this process and, separately, of the solver's worker
processes), and the deadhead share of the plans; every plan is checked by the
validator inside ``solve`` and mid-block U-turns are counted on the routes.

The plan is the *baseline* (each administrator plows its own roads); an
administrator with several depots is split into depot districts (nearest depot by
road distance, each district on the network around it, borders repaired).

    .venv/bin/python benchmarks/scale/run.py middleton
    .venv/bin/python benchmarks/scale/run.py city --work /tmp/city
    .venv/bin/python benchmarks/scale/run.py compare --work /tmp/small
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import sys
import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
from shapely import LineString

from snowroute.datasets.city import write_city_network
from snowroute.network import (
    graph_from_file,
    tag_network,
)
from snowroute.network.attributes import EdgeKey
from snowroute.prepare import (
    depot_nodes,
    graph_from_scenario,
    plow_edges,
    plow_problem,
    solve_params,
    tagging_inputs,
    vehicle_classes,
)
from snowroute.routing import ArcRoutingProblem, Solution, solve
from snowroute.routing.budget import Budget
from snowroute.routing.transform import transform
from snowroute.routing.validate import mid_block_u_turns
from snowroute.scenario import scenario_from_toml
from snowroute.scenario.model import Scenario

ROOT = Path(__file__).resolve().parents[2]
MIDDLETON = ROOT / "scenarios" / "middleton.toml"
sys.path.insert(0, str(ROOT / "benchmarks" / "realnet"))  # the shared district code

from districts import depot_districts, district_graph, repair_borders  # noqa: E402


def _rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


class Stages:
    """Accumulates seconds per stage and records the peak memory after each."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak: dict[str, tuple[float, float]] = {}

    def add(self, name: str, seconds: float) -> None:
        """Add ``seconds`` to stage ``name`` and note the peak memory so far."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.peak[name] = _rss_mb()


def read_network(scenario: Scenario, stages: Stages) -> nx.MultiDiGraph:
    """Read (ingest) and tag the scenario's network, timing both stages."""
    spec = scenario.network
    t = time.perf_counter()
    if spec.format == "centerline":
        G = graph_from_scenario(scenario)
        stages.add("ingest", time.perf_counter() - t)
        stages.add("tag", 0.0)  # a ledger carries its administrators
        return G
    G = graph_from_file(scenario.resolve(spec.source), largest=spec.largest_component)
    stages.add("ingest", time.perf_counter() - t)
    t = time.perf_counter()
    rules, boundaries, overrides = tagging_inputs(scenario)
    tag_network(G, rules, boundaries=boundaries, overrides=overrides)
    stages.add("tag", time.perf_counter() - t)
    return G


def district_jobs(
    G: nx.MultiDiGraph,
    scenario: Scenario,
    depots: dict[str, Hashable],
    *,
    split: bool,
) -> list[tuple[str, Any, list[EdgeKey], str | None]]:
    """(name, graph, edges, depot or None for all the admin's fleet) per model."""
    edges = plow_edges(G, scenario)
    jobs: list[tuple[str, Any, list[EdgeKey], str | None]] = []
    for admin in scenario.plow_admins:
        own = {e: a for e, a in edges.items() if a == admin}
        admin_depots = [
            d.id
            for d in scenario.depots
            if d.admin == admin and any(v.depot == d.id for v in scenario.vehicles)
        ]
        if not split or len(admin_depots) < 2:
            jobs.append((admin, G, sorted(own, key=str), None))
            continue
        assignment = depot_districts(
            G,
            own,
            {d: depots[d] for d in admin_depots},
            dict.fromkeys(admin_depots, admin),
        )
        graphs = {
            d: district_graph(
                G, [e for e, x in assignment.items() if x == d], depots[d]
            )
            for d in admin_depots
        }
        assignment, lost = repair_borders(assignment, graphs)
        for d in admin_depots:
            mine = sorted((e for e, x in assignment.items() if x == d), key=str)
            if mine:
                jobs.append((f"{admin}:{d}", graphs[d], mine, d))
        if lost:
            jobs.append((f"{admin}:rest", G, sorted(lost, key=str), admin_depots[0]))
    return jobs


def run(
    scenario_path: Path,
    out: Path,
    *,
    time_limit_s: float | None,
    split: bool,
    turns: bool = True,
) -> dict[str, Any]:
    """Plan the baseline of one scenario through every stage; return figures."""
    stages = Stages()
    load = os.getloadavg()
    t0 = time.perf_counter()
    scenario = scenario_from_toml(scenario_path)
    if not turns:
        import dataclasses

        scenario = dataclasses.replace(scenario, turns=None)
    G = read_network(scenario, stages)
    depots = depot_nodes(G, scenario)
    jobs = district_jobs(G, scenario, depots, split=split)
    params = solve_params(scenario, time_limit_s=time_limit_s)
    budget = Budget(params.time_limit_s)  # every solve of the run, shared by size
    sizes = [len(e) for _, _, e, _ in jobs]
    pending = sum(sizes)
    results: list[tuple[str, Any, ArcRoutingProblem, Solution]] = []
    for (name, graph, edges, depot), size in zip(jobs, sizes, strict=True):
        admin = name.split(":")[0]
        fleet = vehicle_classes(scenario, admins={admin})
        if depot is not None:
            fleet = tuple(v for v in fleet if v.depot == depot)
        t = time.perf_counter()
        problem = plow_problem(graph, scenario, depots, edges, fleet)
        tr = transform(problem)
        stages.add("shortest paths", time.perf_counter() - t)
        t = time.perf_counter()
        share = budget.share(size, pending)
        pending -= size
        solution = solve(problem, params, time_limit_s=share, transformation=tr)
        stages.add("solve", time.perf_counter() - t)
        results.append((name, graph, problem, solution))
        del tr

    t = time.perf_counter()
    rows = []
    for name, graph, problem, solution in results:
        refs = problem.graph.edge_refs
        assert refs is not None
        for k, route in enumerate(solution.routes):
            coords: list[tuple[float, float]] = []
            for a in route.arcs:
                u, v, key = refs[int(a)]  # type: ignore[misc]
                data = graph.edges[u, v, key]
                geom = data.get("geometry")
                pts = (
                    list(geom.coords)
                    if geom is not None
                    else [(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in (u, v)]
                )
                coords.extend(pts if not coords else pts[1:])
            rows.append(
                {
                    "model": name,
                    "route": k,
                    "vehicle": route.vehicle,
                    "served_km": route.served_m / 1000,
                    "deadhead_km": route.deadhead_m / 1000,
                    "hours": (route.service_s + route.deadhead_s) / 3600,
                    "geometry": LineString(coords),
                }
            )
    out.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(rows, geometry="geometry", crs="epsg:4326").to_file(
        out / "routes.gpkg", driver="GPKG"
    )
    stages.add("export", time.perf_counter() - t)

    served = sum(r.served_m for _, _, _, s in results for r in s.routes)
    dead = sum(r.deadhead_m for _, _, _, s in results for r in s.routes)
    served_s = sum(r.service_s for _, _, _, s in results for r in s.routes)
    dead_s = sum(r.deadhead_s for _, _, _, s in results for r in s.routes)
    uturns = 0
    for _, _, problem, solution in results:
        for route in solution.routes:
            uturns += mid_block_u_turns(
                problem, route.arcs, [r.position for r in route.refills]
            )
    summary = {
        "scenario": str(scenario_path),
        "nodes": G.number_of_nodes(),
        "directed_edges": G.number_of_edges(),
        "models": len(results),
        "required_arcs": sum(p.num_required for _, _, p, _ in results),
        "services": sum(p.num_services for _, _, p, _ in results),
        "routes": sum(len(s.routes) for _, _, _, s in results),
        "all_valid": all(s.feasible for _, _, _, s in results),
        "violations": [v for _, _, _, s in results for v in s.violations][:5],
        "cost_h": sum(s.cost for _, _, _, s in results) / 3600,
        "deadhead_share_km": dead / max(1e-9, served + dead),
        "deadhead_share_time": dead_s / max(1e-9, served_s + dead_s),
        "mid_block_u_turns": uturns,
        "per_model": [
            {
                "model": name,
                "arcs_in_graph": p.graph.num_arcs,
                "required_arcs": p.num_required,
                "routes": len(sol.routes),
                "cost_h": sol.cost / 3600,
                "valid": sol.feasible,
                "deadhead_share_km": sum(r.deadhead_m for r in sol.routes)
                / max(1e-9, sum(r.deadhead_m + r.served_m for r in sol.routes)),
            }
            for name, _, p, sol in results
        ],
        "turns": scenario.turns is not None,
        "seconds": stages.seconds,
        "peak_rss_mb": {k: v[0] for k, v in stages.peak.items()},
        "peak_children_rss_mb": {k: v[1] for k, v in stages.peak.items()},
        "total_s": time.perf_counter() - t0,
        "load_before": load,
        "load_after": os.getloadavg(),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def report(title: str, s: dict[str, Any]) -> None:
    """Print one run's figures."""
    print(
        f"\n== {title}: {s['nodes']:,} nodes, {s['directed_edges']:,} directed edges, "
        f"{s['required_arcs']:,} required arcs ({s['services']:,} services), "
        f"{s['models']} model(s), turns {'on' if s['turns'] else 'off'}"
    )
    print(f"{'stage':<16}{'seconds':>10}{'peak RSS MB':>14}{'workers MB':>12}")
    for name, sec in s["seconds"].items():
        print(
            f"{name:<16}{sec:>10.1f}{s['peak_rss_mb'][name]:>14.0f}"
            f"{s['peak_children_rss_mb'][name]:>12.0f}"
        )
    print(f"{'total':<16}{s['total_s']:>10.1f}")
    print(
        f"routes {s['routes']}, all valid: {s['all_valid']}, cost {s['cost_h']:.1f} h, "
        f"deadhead share {s['deadhead_share_km']:.1%} of km, "
        f"{s['deadhead_share_time']:.1%} of time, mid-block U-turns "
        f"{s['mid_block_u_turns']}"
    )
    for m in s["per_model"]:
        print(
            f"  {m['model']:<18} graph {m['arcs_in_graph']:>6} arcs, "
            f"{m['required_arcs']:>5} required, {m['routes']:>2} routes, "
            f"{m['cost_h']:>6.1f} h, deadhead {m['deadhead_share_km']:.1%}, "
            f"{'valid' if m['valid'] else 'INVALID'}"
        )
    print(
        f"load average before {s['load_before'][0]:.2f}, after {s['load_after'][0]:.2f}"
    )
    if s["violations"]:
        print("violations:", *s["violations"], sep="\n  ")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("network", choices=["middleton", "city", "compare"])
    parser.add_argument("--work", type=Path, default=Path("/tmp/snowroute-scale"))
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--blocks", type=int, default=118)
    parser.add_argument("--districts", type=int, default=5)
    parser.add_argument("--no-turns", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}"
    )
    turns = not args.no_turns
    if args.network == "middleton":
        s = run(
            MIDDLETON,
            args.work / "middleton",
            time_limit_s=args.time_limit,
            split=True,
            turns=turns,
        )
        report("Middleton, WI (OSM)", s)
    elif args.network == "city":
        t = time.perf_counter()
        files = write_city_network(
            args.work / "city",
            blocks=args.blocks,
            districts=args.districts,
            # every solve of the run shares 500 s: with reading the ledger and the
            # turn-aware shortest paths (about 60 s) the run stays within 10 min
            time_limit_s=args.time_limit or 500.0,
        )
        print(
            f"generated {files.num_features:,} features in "
            f"{time.perf_counter() - t:.1f} s"
        )
        s = run(
            files.scenario,
            args.work / "city-out",
            time_limit_s=args.time_limit,
            split=True,
            turns=turns,
        )
        report("generated city (centerline ledger)", s)
    else:
        files = write_city_network(
            args.work / "small",
            blocks=args.blocks,
            districts=args.districts,
            time_limit_s=args.time_limit or 60.0,
        )
        whole = run(
            files.scenario,
            args.work / "whole",
            time_limit_s=args.time_limit,
            split=False,
            turns=turns,
        )
        report("small city, one model per administrator", whole)
        parts = run(
            files.scenario,
            args.work / "parts",
            time_limit_s=args.time_limit,
            split=True,
            turns=turns,
        )
        report("small city, depot districts", parts)
        print(
            "\ndistricts vs undivided: cost "
            f"{parts['cost_h'] / whole['cost_h'] - 1:+.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
