"""Reorder stored Middleton city plans together again, with many kicks: the reference.

Usage:
    python benchmarks/realnet/reorder_again.py KICKS OUT.json PLAN.json [PLAN.json ...]

Each stored plan (``run.py --solutions``) of the city is searched again by
:func:`snowroute.routing.together.reorder_together` with ``KICKS`` kicks per stop,
seeds 1 and 2, in two threads; every result is checked by the validator and
printed, and the shortest valid one written to ``OUT.json`` (row
``middleton-city``, seed 0), ready for ``check_solutions.py``. The city's
reference (``reference-city-together.csv``) is the best of the five 36 s plans of
``realnet-36s-middleton-checked.csv`` and one 600 s plan, 20 kicks per stop
(12 searches of 50-60 s).
"""

from __future__ import annotations

import json
import sys
import time
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from instances import build
from plans import read_routes, write_plan

from snowroute.routing import together, validate
from snowroute.routing.expand import expand_routes
from snowroute.routing.transform import NodeRoute, Transformation, transform


def _node_routes(tr: Transformation, path: Path) -> list[NodeRoute]:
    """Return the stored plan's routes as the search sees them."""
    node = {
        (int(r), int(d), int(p)): k
        for k, (r, d, p) in enumerate(
            zip(tr.node_required, tr.node_direction, tr.node_pass, strict=True)
        )
    }
    names = [v.name for v in tr.problem.vehicles]
    return [
        NodeRoute(
            names.index(route.vehicle),
            tuple(
                node[(s.required, s.direction, s.pass_index)] for s in route.services
            ),
        )
        for route in read_routes(json.loads(path.read_text(encoding="utf-8")))
    ]


def main(argv: list[str]) -> int:
    """Search every plan again; write the best; return the exit code."""
    if len(argv) < 3:
        print(__doc__)
        return 2
    together.JOINT_KICKS = int(argv[0])
    tr = transform(build("middleton-city").problem)
    jobs = [(Path(p), seed) for p in argv[2:] for seed in (1, 2)]

    def search(job: tuple[Path, int]) -> tuple[list[NodeRoute], float]:
        start = time.perf_counter()
        routes = _node_routes(tr, job[0])
        found = together.reorder_together(tr, routes, seed=job[1])
        return found, time.perf_counter() - start

    best = None
    with ThreadPoolExecutor(2) as pool:
        for (path, seed), (found, seconds) in zip(
            jobs, pool.map(search, jobs), strict=True
        ):
            routes = list(expand_routes(tr, found))
            report = validate(tr.problem, routes)
            print(
                f"{path} seed {seed}: {report.cost:.1f} s, valid {report.valid}, "
                f"{seconds:.0f} s"
            )
            if report.valid and (best is None or report.cost < best.cost):
                best = types.SimpleNamespace(cost=report.cost, routes=routes)
    if best is None:
        return 1
    write_plan(Path(argv[1]), "middleton-city", 0, best)  # type: ignore[arg-type]
    print(f"best {best.cost:.6f} s -> {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
