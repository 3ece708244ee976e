"""Re-check benchmark solution files against their instance files and the CSV.

Usage: python benchmarks/carp/check_solutions.py RESULTS.csv SOLUTIONS_DIR [CARP_DIR]

For every CSV row, reads ``SOLUTIONS_DIR/<instance>.sol``, recomputes its cost from
the instance file alone (``snowroute.bench.carp.evaluate_solution``: every required
edge served once, capacity, shortest-path deadheads) and compares it with the CSV's
cost and route count. Prints one line per mismatch and a count; exit 1 on any.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from snowroute.bench.carp import evaluate_solution, instance_paths, read_carp


def main(argv: list[str]) -> int:
    """Check every row of the CSV; return the exit code."""
    results, folder = Path(argv[0]), Path(argv[1])
    carp = Path(argv[2]) if len(argv) > 2 else Path("../shared/benchmarks/carp")
    with results.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    bad = 0
    for row in rows:
        (path,) = instance_paths(carp / row["set"], names=[row["instance"]])
        lines = (folder / f"{row['instance']}.sol").read_text().splitlines()
        try:
            cost = evaluate_solution(read_carp(path), lines)
        except ValueError as exc:
            print(f"{row['instance']}: {exc}")
            bad += 1
            continue
        routes = sum(1 for line in lines if line.strip())
        if abs(cost - float(row["cost"])) > 1e-6 * max(1.0, cost) or routes != int(
            row["routes"]
        ):
            print(
                f"{row['instance']}: file gives {cost:g} in {routes} routes, CSV says "
                f"{row['cost']} in {row['routes']}"
            )
            bad += 1
    print(f"{len(rows) - bad} of {len(rows)} solution files agree with {results}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
