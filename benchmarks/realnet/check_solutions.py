"""Validate the stored plans of a real-network benchmark CSV again.

Usage:
    python benchmarks/realnet/check_solutions.py RESULTS.csv SOLUTIONS_DIR

``SOLUTIONS_DIR`` holds the plans ``run.py --solutions`` wrote. For every valid row
of the CSV the instance is built afresh (``instances.py``) and its plan checked by
the independent validator (``plans.check_plan``: valid, the route totals as
stored, the cost the CSV says). Prints one line per problem and a count; exit 1
on any, 2 on a usage error.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from instances import Instance, build
from plans import check_plan, plan_path
from run import FOUR_TRUCKS, PLAN_NAMES


def _instance_of(row: str) -> str:
    """Return the instance a CSV row's plan is for (the 4-truck variants share one)."""
    return FOUR_TRUCKS if row in PLAN_NAMES else row


def check_rows(rows: list[dict[str, str]], folder: Path) -> list[str]:
    """Return what is wrong with the plans of the valid ``rows``."""
    built: dict[str, Instance] = {}
    problems = []
    for row in rows:
        if row.get("valid") != "True":
            continue
        name = _instance_of(row["instance"])
        if name not in built:
            built[name] = build(name)
        path = plan_path(folder, row["instance"], int(row["seed"]))
        found = check_plan(built[name].problem, path, float(row["cost"]))
        if found is not None:
            problems.append(found)
    return problems


def main(argv: list[str]) -> int:
    """Check every valid row's plan; return the exit code."""
    if len(argv) != 2:
        print(__doc__)
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    try:
        with Path(argv[0]).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        print(f"Cannot read the results CSV `{argv[0]}`: {exc.strerror}.")
        return 2
    problems = check_rows(rows, Path(argv[1]))
    for line in problems:
        print(line)
    checked = sum(1 for r in rows if r.get("valid") == "True")
    print(f"{checked} plans checked, {len(problems)} with a problem")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
