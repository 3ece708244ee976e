"""Map matchers on synthetic logs of the demo plan: snowroute's HMM, leuvenmapmatching.

Both match the same synthetic logs (the demo's baseline plan, GPS noise ``--sigma``,
a fix every 5 s, one one-minute gap per route) on the demo network, in metres
(UTM 54N). Printed per matcher: seconds, fixes per second and the precision and
recall of the directed edges driven (whole passes against the truth).

leuvenmapmatching is not a dependency of snowroute; install it to run this:

    .venv/bin/python -m pip install leuvenmapmatching
    .venv/bin/python benchmarks/actual/compare_libraries.py --sigma 15
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import logging
import sys
import time
from collections.abc import Hashable
from zoneinfo import ZoneInfo

import numpy as np

from snowroute.actual.match import MatchParams, match_points
from snowroute.actual.roads import RoadIndex, road_index
from snowroute.actual.synth import SyntheticParams, synthetic_logs
from snowroute.cli._demo import demo_data_dir, demo_scenario, load_demo_network
from snowroute.pipeline import plan_of_run, run_scenario


def _score(
    found: set[tuple[str, int]], truth: set[tuple[str, int]]
) -> tuple[float, float]:
    tp = len(found & truth)
    return tp / max(len(found), 1), tp / max(len(truth), 1)


def _leuven_map(index: RoadIndex) -> object:
    from leuvenmapmatching.map.inmem import InMemMap

    graph = InMemMap("demo", use_latlon=False, index_edges=True)
    extra = len(
        index.nodes
    )  # ids of the vertices inside edges (all ints: leuven sorts them)
    for e, line in enumerate(index.lines):
        coords = np.asarray(line.coords)
        names: list[Hashable] = [int(index.tail[e])]
        names += list(range(extra, extra + len(coords) - 2))
        extra += len(coords) - 2
        names.append(int(index.head[e]))
        for name, (x, y) in zip(names, coords, strict=True):
            graph.add_node(name, (float(y), float(x)))
        for a, b in itertools.pairwise(names):
            graph.add_edge(a, b)
    return graph


def _leuven_edges(index: RoadIndex, nodes: list[Hashable]) -> set[int]:
    real = [n for n in nodes if isinstance(n, int) and n < len(index.nodes)]
    out = set()
    for a, b in itertools.pairwise(real):
        e = index.edge_between.get((a, b))
        if e is not None:
            out.add(e)
    return out


def main(argv: list[str] | None = None) -> int:
    """Match the demo logs with both matchers and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sigma", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    folder = demo_data_dir()
    G = load_demo_network(folder)
    scenario = demo_scenario(folder)
    run = run_scenario(scenario, G=G, plans=["baseline"], time_limit_s=4.0, seed=1)
    index = road_index(G)
    start = dt.datetime(2026, 12, 1, 3, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    logs = synthetic_logs(
        index,
        plan_of_run(run, "baseline"),
        start=start,
        params=SyntheticParams(sigma_m=args.sigma, skip=False, seed=args.seed),
    )
    where = {e: i for i, e in enumerate(index.edges)}
    truth = {(v, where[e]) for v, e in logs.driven}
    fixes = sum(len(t) for t in logs.tracks.values())
    print(f"{len(logs.tracks)} tracks, {fixes} fixes, sigma {args.sigma} m")

    t0 = time.perf_counter()
    ours: set[tuple[str, int]] = set()
    for vehicle, track in logs.tracks.items():
        x, y = index.project(track.lon, track.lat)
        m = match_points(index, x, y, track.t, params=MatchParams(sigma_m=args.sigma))
        ours |= {(vehicle, int(e)) for e, ok in zip(m.edge, m.full, strict=True) if ok}
    seconds = time.perf_counter() - t0
    p, r = _score(ours, truth)
    print(
        f"snowroute HMM:     {seconds:6.1f} s  {fixes / seconds:8.0f} fixes/s  "
        f"P {p:.4f}  R {r:.4f}"
    )

    from leuvenmapmatching.matcher.distance import DistanceMatcher

    graph = _leuven_map(index)
    t0 = time.perf_counter()
    theirs: set[tuple[str, int]] = set()
    for vehicle, track in logs.tracks.items():
        x, y = index.project(track.lon, track.lat)
        matcher = DistanceMatcher(
            graph,
            max_dist=4 * args.sigma + 50,
            obs_noise=args.sigma,
            obs_noise_ne=2 * args.sigma,
            non_emitting_states=True,
            max_lattice_width=8,
        )
        matcher.match(list(zip(y.tolist(), x.tolist(), strict=True)))
        edges = _leuven_edges(index, matcher.path_pred_onlynodes)
        theirs |= {(vehicle, e) for e in edges}
    seconds = time.perf_counter() - t0
    p, r = _score(theirs, truth)
    print(
        f"leuvenmapmatching: {seconds:6.1f} s  {fixes / seconds:8.0f} fixes/s  "
        f"P {p:.4f}  R {r:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
