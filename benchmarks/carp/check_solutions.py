"""Re-check benchmark solutions against their instance files and the CSV.

Usage:
    python benchmarks/carp/check_solutions.py RESULTS.csv SOLUTIONS [CARP_DIR]
    python benchmarks/carp/check_solutions.py --bundle SOLUTIONS_DIR OUT.sols

``SOLUTIONS`` is a folder of ``<instance>.sol`` files (as ``snowroute bench carp
--solutions`` writes them) or a bundle of them: one ``.sols`` text file in which each
instance's lines follow a ``== <instance>`` line (``--bundle`` packs a folder so).
For every CSV row the check recomputes the solution's cost from the instance file
alone (``snowroute.bench.carp.evaluate_solution``: every required edge served once,
capacity, shortest-path deadheads) and compares it with the CSV's cost and route
count. Prints one line per mismatch and a count; exit 1 on any.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from snowroute.bench.carp import evaluate_solution, instance_paths, read_carp


def read_solutions(source: Path) -> dict[str, list[str]]:
    """Instance name -> its solution lines, from a folder or a ``.sols`` bundle."""
    if source.is_dir():
        return {
            p.stem: p.read_text().splitlines() for p in sorted(source.glob("*.sol"))
        }
    out: dict[str, list[str]] = {}
    current: list[str] = []
    for line in source.read_text().splitlines():
        if line.startswith("== "):
            current = out.setdefault(line[3:].strip(), [])
        else:
            current.append(line)
    return out


def bundle(folder: Path, target: Path) -> None:
    """Pack the ``.sol`` files of ``folder`` into one ``.sols`` bundle."""
    parts = []
    for name, lines in read_solutions(folder).items():
        parts.append("\n".join([f"== {name}", *lines]))
    target.write_text("\n".join(parts) + "\n")


def _check(row: dict[str, str], lines: list[str], carp: Path) -> str | None:
    (path,) = instance_paths(carp / row["set"], names=[row["instance"]])
    try:
        cost = evaluate_solution(read_carp(path), lines)
    except ValueError as exc:
        return f"{row['instance']}: {exc}"
    routes = sum(1 for line in lines if line.strip())
    tolerance = 1e-6 * max(1.0, cost)
    if abs(cost - float(row["cost"])) > tolerance or routes != int(row["routes"]):
        return (
            f"{row['instance']}: file gives {cost:g} in {routes} routes, CSV says "
            f"{row['cost']} in {row['routes']}"
        )
    return None


def main(argv: list[str]) -> int:
    """Check every row of the CSV (or pack a bundle); return the exit code."""
    if not argv or argv[0] in {"-h", "--help"} or len(argv) < 2:
        print(__doc__)
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    if argv[0] == "--bundle":
        if len(argv) != 3:
            print(__doc__)
            return 2
        bundle(Path(argv[1]), Path(argv[2]))
        return 0
    results, solutions = Path(argv[0]), read_solutions(Path(argv[1]))
    carp = Path(argv[2]) if len(argv) > 2 else Path("../shared/benchmarks/carp")
    with results.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    problems = []
    for row in rows:
        lines = solutions.get(row["instance"])
        problem = (
            f"{row['instance']}: no solution"
            if lines is None
            else _check(row, lines, carp)
        )
        if problem is not None:
            problems.append(problem)
    for problem in problems:
        print(problem)
    print(f"{len(rows) - len(problems)} of {len(rows)} solutions agree with {results}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
