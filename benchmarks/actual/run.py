"""Map-matching benchmark: a day of logs (100 vehicles, 8 h, 1 Hz) on a generated city.

Each vehicle drives a random 8-hour tour of the generated city (about 14,000
junctions, 52,000 directed edges; ``snowroute.datasets.write_city_network``):
edge after edge, no turning round except at dead ends, plowing at 10-25 km/h or
driving empty at 30-45 km/h, with Gaussian GPS noise, a fix every second and two
one-minute gaps. The tracks are matched with ``snowroute.actual.match_points``
(two worker processes by default; the time counted per vehicle includes projecting
the WGS84 fixes, matching and classifying each pass as plowing or empty) and the
matched passes are checked against the truth: precision and recall of the edges
driven (direction included) and of the edges plowed (the log's plow flag). Prints
seconds and peak memory and appends one row to ``--csv``.

    .venv/bin/python benchmarks/actual/run.py --work /tmp/city-actual
    .venv/bin/python benchmarks/actual/run.py --vehicles 10 --hours 1   # quick look
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from snowroute.actual.coverage import plowing_flags
from snowroute.actual.logs import Track
from snowroute.actual.match import MatchParams, match_points
from snowroute.actual.roads import RoadIndex, road_index
from snowroute.actual.synth import SyntheticParams, drive_fixes
from snowroute.datasets.city import write_city_network
from snowroute.prepare import graph_from_scenario
from snowroute.scenario import scenario_from_toml

HERE = Path(__file__).resolve().parent

#: The index the worker processes inherit (forked after it is built).
_INDEX: RoadIndex | None = None


def random_tour(
    index: RoadIndex, hours: float, rng: np.random.Generator
) -> list[tuple[int, bool, float]]:
    """Drive at random for ``hours``: ``(edge, plowing, seconds)``, few turns."""
    out_edges: dict[int, list[int]] = {}
    for e, a in enumerate(index.tail.tolist()):
        out_edges.setdefault(a, []).append(e)
    edge = int(rng.integers(len(index.edges)))
    total, drive = 0.0, []
    plowing = True
    while total < hours * 3600:
        if rng.random() < 0.1:
            plowing = not plowing
        kph = rng.uniform(10, 25) if plowing else rng.uniform(30, 45)
        seconds = float(index.length_m[edge]) / (kph / 3.6)
        drive.append((edge, plowing, seconds))
        total += seconds
        nexts = out_edges.get(int(index.head[edge]), [])
        onward = [e for e in nexts if e != index.reverse[edge]] or nexts
        if not onward:
            break
        edge = int(onward[int(rng.integers(len(onward)))])
    return drive


def _match(
    job: tuple[int, float, float, int],
) -> tuple[int, int, int, int, int, int, int, float]:
    """Make and match one vehicle's track; counts of true/false passes and seconds."""
    vehicle, hours, sigma, seed = job
    index = _INDEX
    assert index is not None
    rng = np.random.default_rng([seed, vehicle])
    drive = random_tour(index, hours, rng)
    params = SyntheticParams(
        sigma_m=sigma, interval_s=1.0, gaps=2, gap_s=60.0, stop_s=0.0
    )
    t, x, y, plow = drive_fixes(index, drive, params, rng)
    track = Track(
        str(vehicle), t, *index.to_xy.transform(x, y, direction="INVERSE"), plow
    )
    start = time.perf_counter()
    x, y = index.project(track.lon, track.lat)
    change = np.flatnonzero(plow[1:] != plow[:-1])
    keep = np.zeros(len(t), dtype=bool)
    keep[change] = keep[change + 1] = True
    matched = match_points(
        index, x, y, t, params=MatchParams(sigma_m=max(sigma, 10.0)), keep=keep
    )
    plowing = plowing_flags(track, matched, threshold_kph=27.5)
    seconds = time.perf_counter() - start
    found = {int(e) for e, ok in zip(matched.edge, matched.full, strict=True) if ok}
    found_plowed = {
        int(e)
        for e, ok, p in zip(matched.edge, matched.full, plowing, strict=True)
        if ok and p
    }
    truth = {e for e, _, _ in drive}
    truth_plowed = {e for e, p, _ in drive if p}
    return (
        len(t),
        len(found & truth),
        len(found - truth),
        len(truth - found),
        len(found_plowed & truth_plowed),
        len(found_plowed - truth_plowed),
        len(truth_plowed - found_plowed),
        seconds,
    )


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and append its row to the CSV."""
    global _INDEX
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/snowroute-actual-city"))
    parser.add_argument("--vehicles", type=int, default=100)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--sigma", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", type=Path, default=HERE / "results.csv")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    files = args.work / "city.toml"
    if not files.is_file():
        write_city_network(args.work)
    G = graph_from_scenario(scenario_from_toml(files))
    _INDEX = road_index(G)
    t_index = time.perf_counter() - t0
    print(
        f"network: {G.number_of_nodes()} nodes, {len(_INDEX.edges)} edges "
        f"({t_index:.1f} s)"
    )
    jobs = [(v, args.hours, args.sigma, args.seed) for v in range(args.vehicles)]
    t1 = time.perf_counter()
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            rows = list(pool.map(_match, jobs))
    else:
        rows = [_match(job) for job in jobs]
    wall = time.perf_counter() - t1
    sums = np.array(rows).sum(axis=0)
    points, tp, fp, fn, ptp, pfp, pfn, match_s = sums.tolist()
    own, kids = _peak_mb()
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "vehicles": args.vehicles,
        "hours": args.hours,
        "points": int(points),
        "sigma_m": args.sigma,
        "workers": args.workers,
        "wall_s": round(wall, 1),
        "match_cpu_s": round(match_s, 1),
        "points_per_s": round(points / wall),
        "peak_mb_main": round(own),
        "peak_mb_worker": round(kids),
        "driven_precision": round(tp / max(tp + fp, 1), 4),
        "driven_recall": round(tp / max(tp + fn, 1), 4),
        "plowed_precision": round(ptp / max(ptp + pfp, 1), 4),
        "plowed_recall": round(ptp / max(ptp + pfn, 1), 4),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
    }
    for key, value in result.items():
        print(f"{key}: {value}")
    new = not args.csv.exists()
    with args.csv.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(result))
        if new:
            writer.writeheader()
        writer.writerow(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
