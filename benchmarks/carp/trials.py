"""PyVRP searches on egl instances, to compare search settings.

A time-limited search is a draw from a wide distribution (one seed against another
moves an egl-s gap by up to 0.7 points), so settings are compared on several
instances and seeds, one worker per search, two searches side by side on the two
cores. Every search logs its best cost over time; every final plan is checked by
snowroute's validator.

Usage (from the project root, after ``make test``)::

    .venv/bin/python benchmarks/carp/trials.py run OUT.jsonl --seconds 60 \
        --instances egl-s2-B,egl-s4-A --seeds 1,2 \
        --variant base --variant '{"history_length": 3000}'
    .venv/bin/python benchmarks/carp/trials.py summary OUT.jsonl [MORE.jsonl ...]

``--workers 2 --parallel 1`` runs each search as the benchmark does (two search
workers, best of the two), without the cost-over-time log.

A variant is ``base`` (``PyVRPParams()``) or a JSON object of ``PyVRPParams`` fields,
plus optionally ``"penalty"``: an object of ``pyvrp.PenaltyParams`` fields. A
single-worker search uses the first of the ``target_feasible`` shares (PyVRP's 0.65
by default); ``--workers 2`` gives worker 1 the second.
"""

# The searches are instrumented from inside the engine adapter on purpose:
# ruff: noqa: SLF001

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CARP = ROOT.parent / "shared" / "benchmarks" / "carp"


def load(instance: str):
    """Read an egl instance; return its problem and transformation."""
    sys.path.insert(0, str(ROOT))
    from snowroute.bench.carp import carp_problem, read_carp
    from snowroute.routing.transform import transform

    problem = carp_problem(read_carp(CARP / "egl" / f"{instance}.dat"))
    return problem, transform(problem)


def logged_search(tr, *, seed: int, deadline: float, t0: float, params=None):
    """
    Run one PyVRP search in this process (the engine's own loop, one worker).

    Returns its routes, its iterations, and its best cost over time as (seconds
    since ``t0``, cost in seconds) pairs.
    """
    from snowroute.routing import _pyvrp

    data, classes = _pyvrp.build_data(tr)
    trajectory: list[tuple[float, float]] = []

    def report(cost_s, iterations):  # every new best of the search, in seconds
        if math.isfinite(cost_s):
            trajectory.append((round(time.perf_counter() - t0, 2), cost_s))

    stop = _pyvrp._Stop(
        deadline=deadline, max_iterations=None, stall=None, target_s=None
    )
    best, iterations = _pyvrp._search(
        tr,
        data,
        classes,
        seed=seed,
        stop=stop,
        params=params or _pyvrp.PyVRPParams(),
        initial=None,
        report=report,
    )
    return _pyvrp._to_node_routes(best, classes), iterations, trajectory


def one(instance: str, variant: str, seed: int, seconds: float, workers: int) -> dict:
    """One search (``workers`` > 1: the engine's own parallel search); its record."""
    t0 = time.perf_counter()
    problem, tr = load(instance)
    from snowroute.bench.carp import bks_name, read_bks
    from snowroute.routing import _pyvrp
    from snowroute.routing.expand import expand_routes
    from snowroute.routing.improve import best_directions
    from snowroute.routing.validate import validate

    kw = {} if variant == "base" else json.loads(variant)
    if "penalty" in kw:  # PyVRP's penalty manager settings, not a PyVRPParams field
        import pyvrp

        penalty = kw.pop("penalty")  # these fields win over the engine's own

        def penalty_params(**engine: object) -> pyvrp.PenaltyParams:
            return pyvrp.PenaltyParams(**{**engine, **penalty})

        _pyvrp.PenaltyParams = penalty_params  # type: ignore[assignment,misc]
    if "target_feasible" in kw:  # a JSON list
        kw["target_feasible"] = tuple(kw["target_feasible"])
    params = _pyvrp.PyVRPParams(**kw)
    trajectory: list[tuple[float, float]] = []
    if workers > 1:  # as the benchmark runs it; no trajectory
        from snowroute.routing import SolveParams

        found = _pyvrp.solve_pyvrp(
            tr,
            SolveParams(
                seed=seed, workers=workers, stall_iterations=None, pyvrp=params
            ),
            time_limit_s=seconds - (time.perf_counter() - t0),
        )
        node_routes, iterations = list(found.routes), found.iterations
    else:
        node_routes, iterations, trajectory = logged_search(
            tr, seed=seed, deadline=t0 + seconds - 0.3, t0=t0, params=params
        )
    routes = [best_directions(tr, r) for r in node_routes]
    report = validate(problem, expand_routes(tr, routes))
    bks = read_bks(CARP / "bks.csv")[("egl", bks_name("egl", instance))][0]
    # The trajectory's costs are true costs before direction polishing and
    # validation; align its last point with the validated plan.
    offset = report.cost - trajectory[-1][1] if trajectory else 0.0
    return dict(
        instance=instance,
        variant=variant,
        seed=seed,
        workers=workers,
        cost=report.cost,
        bks=bks,
        gap_pct=100 * (report.cost - bks) / bks,
        valid=report.ok,
        iterations=iterations,
        seconds=round(time.perf_counter() - t0, 2),
        trajectory=[(t, c + offset) for t, c in trajectory],
    )


def run(args: argparse.Namespace) -> None:
    """Run every (seed, instance, variant) search, ``--parallel`` at a time."""
    jobs = [
        (i, v, s)
        for s in args.seeds.split(",")
        for i in args.instances.split(",")
        for v in args.variant or ["base"]
    ]

    def launch(job: tuple[str, str, str]) -> None:
        cmd = [
            sys.executable,
            __file__,
            "one",
            *job,
            str(args.seconds),
            str(args.workers),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{job}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            return
        with Path(args.out).open("a", encoding="utf-8") as f:
            f.write(done.stdout.strip() + "\n")

    with ThreadPoolExecutor(args.parallel) as pool:
        list(pool.map(launch, jobs))


def summary(args: argparse.Namespace) -> None:
    """
    Mean gap per variant over the (instance, seed) pairs every variant searched.

    With ``base`` among the variants it also prints what two workers would reach
    (the better of the two plans): two default workers (the better of the seeds, per
    instance), and a default worker beside a worker with each other variant (the
    better of the two with the same seed).
    """
    rows = [
        json.loads(line)
        for p in args.files
        for line in Path(p).read_text(encoding="utf-8").splitlines()
    ]
    by: dict[str, dict[tuple[str, int], dict]] = defaultdict(dict)
    for r in rows:
        workers = r.get("workers", 1)
        label = r["variant"] if workers == 1 else f"{r['variant']} x {workers} workers"
        by[label][(r["instance"], r["seed"])] = r
    common = sorted(set.intersection(*(set(d) for d in by.values())))

    def gap_at(r: dict, t: float) -> float:
        costs = [c for s, c in r["trajectory"] if s <= t]
        return 100 * (costs[-1] - r["bks"]) / r["bks"] if costs else float("nan")

    print(f"{len(common)} (instance, seed) pairs searched with every variant")
    instances = sorted({k[0] for k in common})
    seeds = sorted({k[1] for k in common})
    base = by.get("base")
    if base is not None and len(seeds) > 1:
        # Two workers of the default on one instance: the better of two seeds.
        pairs = set(common)
        two = [
            min(base[(i, s)]["gap_pct"] for s in seeds if (i, s) in pairs)
            for i in instances
        ]
        print(f"base + base (better of seeds {seeds}): {statistics.mean(two):.3f} %")
    for variant, d in by.items():
        rs = [d[k] for k in common]
        paired = ""
        if base is not None and variant != "base":
            # A worker with the default beside one with this variant, same seed.
            both = [min(base[k]["gap_pct"], d[k]["gap_pct"]) for k in common]
            paired = f", beside base {statistics.mean(both):.3f} %"
        print(
            f"{variant:40s} mean gap {statistics.mean(r['gap_pct'] for r in rs):.3f} %"
            f" (at 30 s {statistics.mean(gap_at(r, 30) for r in rs):.3f} %),"
            f" {statistics.mean(r['iterations'] / r['seconds'] for r in rs):,.0f} it/s,"
            f" valid {sum(r['valid'] for r in rs)}/{len(rs)}{paired}"
        )
        for inst in instances:
            gaps = [f"{d[k]['gap_pct']:.2f}" for k in common if k[0] == inst]
            print(f"    {inst}: {', '.join(gaps)}")


def main() -> None:
    """Command line: ``run``, ``summary`` or (internal) ``one``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("out")
    p.add_argument("--instances", required=True)
    p.add_argument("--seeds", default="1")
    p.add_argument("--variant", action="append", default=[])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--workers", type=int, default=1, help="search workers per search")
    p.add_argument("--parallel", type=int, default=2, help="searches side by side")
    p = sub.add_parser("summary")
    p.add_argument("files", nargs="+")
    p = sub.add_parser("one")
    p.add_argument("instance")
    p.add_argument("variant")
    p.add_argument("seed", type=int)
    p.add_argument("seconds", type=float)
    p.add_argument("workers", type=int)
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    elif args.command == "summary":
        summary(args)
    else:
        print(
            json.dumps(
                one(args.instance, args.variant, args.seed, args.seconds, args.workers)
            )
        )


if __name__ == "__main__":
    main()
