r"""Real-network routing benchmark: solve the instances of ``instances.py`` per seed.

Each (instance, seed) is one ``solve(problem, SolveParams(time_limit_s=T,
seed=s, objective=...))`` in this process, the instances one after the other.
``middleton-city-4trucks`` also runs, per seed, the plan confined to its 4
districts (``solve_in_districts``, recorded as ``...-districts``) and the free
search started from that plan (``solve(..., initial=carry_over(...))``, recorded
as ``...-from-districts``; its seconds are those of the free search alone, the
district search before it is the ``...-districts`` row of the same seed).

Every plan is checked by the validator (``solution.feasible``) and once more here
(``validate`` on the routes, whose cost must equal the solution's); a run with an
invalid plan or an error is recorded as invalid and makes the script exit 1.

Per run (one CSV row, appended as soon as the run ends): wall and CPU seconds
of the solve (CPU: this process and its finished workers, ``getrusage``), the
time of the last new best plan the search reported (``last_improvement_s``),
peak memory (``ru_maxrss`` of this process so far plus the solve's
``worker_peak_kb``; the district-confined plan reports no worker peak), total
time (``cost`` in s, ``hours``), makespan, deadhead km, the lower bounds and
gaps, and ``value``: the objective (``cost`` in s for ``total_time`` instances,
the makespan in h for ``makespan`` ones), compared with ``references.csv``.

A reference is the best ``value`` known for the problem: ``--reference`` writes
the best valid value of this run into ``references.csv`` (kept when the file
already has a better one); the district variants share the reference of
``middleton-city-4trucks``, since they are plans of the same problem.

``--solutions DIR`` also writes every plan (``plans.py``), which
``check_solutions.py`` validates again against the CSV.

    .venv/bin/python benchmarks/realnet/run.py --list
    .venv/bin/python benchmarks/realnet/run.py --instances middleton-state \
        --seeds 1 --time-limit 3 --out /tmp/smoke.csv
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import importlib.metadata
import os
import platform
import resource
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instances import Instance, build, districts, instance_names
from plans import plan_path, write_plan

from snowroute.routing import Progress, Solution, SolveParams, solve, validate
from snowroute.routing.districts import solve_in_districts
from snowroute.routing.warm import carry_over

HERE = Path(__file__).resolve().parent
REFERENCES = HERE / "references.csv"
REFERENCE_COLUMNS = ("instance", "objective", "reference", "seconds", "seeds", "notes")

FOUR_TRUCKS = "middleton-city-4trucks"
#: Plans of the 4-truck problem: instance name -> plan kind.
PLAN_NAMES = {
    FOUR_TRUCKS: "free",
    f"{FOUR_TRUCKS}-districts": "districts",
    f"{FOUR_TRUCKS}-from-districts": "from-districts",
}

COLUMNS = (
    "instance",
    "objective",
    "seed",
    "time_limit_s",
    "stall",
    "seconds",
    "cpu_s",
    "last_improvement_s",
    "peak_mb",
    "cost",
    "hours",
    "makespan_h",
    "deadhead_km",
    "lower_bound",
    "gap_bound_pct",
    "makespan_bound_h",
    "makespan_gap_bound_pct",
    "value",
    "reference",
    "gap_ref_pct",
    "valid",
    "routes",
    "iterations",
    "load_1min",
    "violations",
)


@dataclass
class Measured:
    """One solve: its plan (``None`` when it raised) and what it cost to find."""

    solution: Solution | None
    seconds: float
    cpu_s: float
    last_improvement_s: float | None = None
    error: str | None = None


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(run: Callable[[Callable[[Progress], None]], Solution]) -> Measured:
    """Call ``run(callback)``, timing it and noting the last progress report."""
    reports: list[float] = []

    def callback(p: Progress) -> None:
        reports.append(p.elapsed_s)

    cpu, start = _cpu_s(), time.perf_counter()
    solution, error = None, None
    try:
        solution = run(callback)
    except Exception:  # a crash is a result: record it, go on
        traceback.print_exc()
        error = traceback.format_exc().strip().splitlines()[-1]
    return Measured(
        solution,
        time.perf_counter() - start,
        _cpu_s() - cpu,
        reports[-1] if reports else None,
        error,
    )


def run_seed(
    inst: Instance, kinds: set[str], params: SolveParams
) -> list[tuple[str, Measured]]:
    """Run the plans ``kinds`` of ``inst`` with ``params``; (row name, run) each."""
    problem = inst.problem
    out: list[tuple[str, Measured]] = []
    if "free" in kinds:
        free = measure(lambda cb: solve(problem, params, callback=cb))
        out.append((inst.name, free))
    if not kinds & {"districts", "from-districts"}:
        return out
    labels = districts(inst.name)
    confined = measure(lambda cb: solve_in_districts(problem, labels, params))
    out.append((f"{inst.name}-districts", confined))
    if "from-districts" in kinds:
        start = confined.solution
        if start is None:
            failed = Measured(None, 0.0, 0.0, error="no district plan to start from")
            out.append((f"{inst.name}-from-districts", failed))
            return out
        warm = carry_over(problem, start, problem)
        warmed = measure(lambda cb: solve(problem, params, initial=warm, callback=cb))
        out.append((f"{inst.name}-from-districts", warmed))
    return out


def check(inst: Instance, solution: Solution) -> tuple[bool, list[str]]:
    """Return the validator's verdict, confirmed by validating the routes again."""
    report = validate(inst.problem, solution.routes)
    problems = list(solution.violations)
    if not report.valid and solution.feasible:
        problems += report.violations
    if abs(report.cost - solution.cost) > 1e-6 * max(1.0, abs(solution.cost)):
        problems.append(f"validator cost {report.cost:.3f} != {solution.cost:.3f}")
    ok = solution.feasible and report.valid and len(problems) == 0
    return ok, problems


def _pct(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base <= 0:
        return None
    return 100.0 * (value - base) / base


def objective_value(objective: str, solution: Solution) -> float:
    """Return the objective: total cost (s), or the makespan in hours."""
    return solution.makespan_s / 3600 if objective == "makespan" else solution.cost


def solution_figures(
    inst: Instance, s: Solution, makespan_bound_s: float | None
) -> dict[str, Any]:
    """Return the CSV figures of one plan (all but timing and reference)."""
    own_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    bound_h = None if makespan_bound_s is None else makespan_bound_s / 3600
    valid, problems = check(inst, s)
    return {
        "peak_mb": (own_kb + s.stats.get("worker_peak_kb", 0.0)) / 1024,
        "cost": s.cost,
        "hours": s.duration_s / 3600,
        "makespan_h": s.makespan_s / 3600,
        "deadhead_km": s.deadhead_km,
        "lower_bound": s.lower_bound,
        "gap_bound_pct": _pct(s.cost, s.lower_bound),
        "makespan_bound_h": bound_h,
        "makespan_gap_bound_pct": _pct(s.makespan_s / 3600, bound_h),
        "value": objective_value(inst.objective, s),
        "valid": valid,
        "routes": s.num_routes,
        "iterations": s.stats.get("iterations"),
        "violations": " | ".join(problems)[:300],
    }


def make_row(
    name: str,
    inst: Instance,
    params: SolveParams,
    m: Measured,
    reference: float | None,
    makespan_bound_s: float | None,
) -> dict[str, Any]:
    """Return the CSV row of one run."""
    row: dict[str, Any] = {
        "instance": name,
        "objective": inst.objective,
        "seed": params.seed,
        "time_limit_s": params.time_limit_s,
        "stall": "off" if params.stall_iterations is None else "auto",
        "seconds": m.seconds,
        "cpu_s": m.cpu_s,
        "last_improvement_s": m.last_improvement_s,
        "reference": reference,
        "load_1min": os.getloadavg()[0],
    }
    if m.solution is None:
        own_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        row.update(valid=False, violations=m.error, peak_mb=own_kb / 1024)
        return row
    row.update(solution_figures(inst, m.solution, makespan_bound_s))
    row["gap_ref_pct"] = _pct(row["value"], reference)
    return row


def _makespan_bound(runs: Sequence[tuple[str, Measured]]) -> float | None:
    """Return the problem's makespan lower bound from any run that reports it."""
    for _, m in runs:
        if m.solution is not None and "makespan_lower_bound" in m.solution.stats:
            return float(m.solution.stats["makespan_lower_bound"])
    return None


class RowWriter:
    """Appends rows to a CSV file, one open-write-close per row."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.exists() and path.stat().st_size > 0:
            with path.open(encoding="utf-8") as f:
                header = f.readline().strip().split(",")
            if tuple(header) != COLUMNS:
                msg = f"{path} has other columns than this script writes"
                raise SystemExit(msg)

    def write(self, row: dict[str, Any]) -> None:
        """Append ``row`` (the header first when the file is new)."""
        new = not self.path.exists() or self.path.stat().st_size == 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            if new:
                writer.writeheader()
            writer.writerow({k: _cell(row.get(k)) for k in COLUMNS})


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 4)
    return value


def read_references(path: Path) -> dict[str, dict[str, str]]:
    """Return the rows of ``references.csv`` by instance (empty when absent)."""
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as f:
        return {r["instance"]: r for r in csv.DictReader(f)}


def update_reference(
    inst: Instance, rows: Sequence[dict[str, Any]], args: argparse.Namespace
) -> None:
    """Write the best valid value of ``rows`` as ``inst``'s reference if better."""
    values = [r["value"] for r in rows if r["valid"]]
    if not values:
        print(f"{inst.name}: no valid run, reference left as it was")
        return
    best = min(values)
    refs = read_references(args.references)
    old = refs.get(inst.name)
    if old is not None and float(old["reference"]) <= best:
        print(f"{inst.name}: kept reference {old['reference']} (this run: {best:.6g})")
        return
    kinds = sorted({r["instance"] for r in rows})
    refs[inst.name] = {
        "instance": inst.name,
        "objective": inst.objective,
        "reference": f"{best:.6f}",
        "seconds": f"{args.time_limit:g}",
        "seeds": " ".join(str(s) for s in args.seeds),
        "notes": f"best of {len(values)} valid runs ({', '.join(kinds)}), "
        f"stall {'off' if args.no_stall else 'auto'}, {args.workers or 2} workers, "
        f"{dt.date.today()}",
    }
    tmp = args.references.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=REFERENCE_COLUMNS)
        writer.writeheader()
        writer.writerows(refs[k] for k in sorted(refs))
    tmp.replace(args.references)
    print(f"{inst.name}: reference {best:.6g} written to {args.references}")


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def summary_line(name: str, rows: Sequence[dict[str, Any]]) -> str:
    """Return one table line: the runs of instance ``name``."""
    valid = [r for r in rows if r["valid"]]
    values = [r["value"] for r in valid]
    makespan = rows[0]["objective"] == "makespan"
    unit, spec = ("h", ".3f") if makespan else ("s", ",.0f")
    mean = _mean(values)
    spread = None
    if values and mean:
        spread = 100 * (max(values) - min(values)) / mean
    bound_key = "makespan_gap_bound_pct" if makespan else "gap_bound_pct"
    cells = [
        f"{name:<38}",
        f"{len(rows):>4}",
        f"{len(valid):>5}",
        f"{unit:>4}",
        f"{_fmt(mean, spec):>10}",
        f"{_fmt(min(values, default=None), spec):>10}",
        f"{_fmt(max(values, default=None), spec):>10}",
        f"{_fmt(spread, '.2f'):>8}",
        f"{_fmt(_mean([r.get('gap_ref_pct') for r in valid]), '.2f'):>8}",
        f"{_fmt(_mean([r.get(bound_key) for r in valid]), '.2f'):>8}",
        f"{_fmt(_mean([r['last_improvement_s'] for r in rows]), '.1f'):>8}",
        f"{_fmt(_mean([r['seconds'] for r in rows]), '.1f'):>7}",
        f"{_fmt(_mean([r['cpu_s'] for r in rows]), '.1f'):>7}",
        f"{max(r['peak_mb'] for r in rows):>8.0f}",
    ]
    return " ".join(cells)


def print_summary(rows: Sequence[dict[str, Any]]) -> None:
    """Print one line per instance (plan) of ``rows``, in run order."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_name.setdefault(row["instance"], []).append(row)
    head = (
        f"{'instance':<38} {'runs':>4} {'valid':>5} {'unit':>4} {'mean':>10} "
        f"{'min':>10} {'max':>10} {'spread%':>8} {'gapref%':>8} {'gapbnd%':>8} "
        f"{'last imp':>8} {'mean s':>7} {'CPU s':>7} {'peak MB':>8}"
    )
    print("\n" + head + "\n" + "-" * len(head))
    for name, group in by_name.items():
        print(summary_line(name, group))
    print(
        "value: total time (s) of total_time instances, makespan (h) of makespan "
        "ones; gapbnd: to the lower bound of that value; spread: (max-min)/mean "
        "over seeds; last imp: mean s to the last new best plan."
    )


def loadavg() -> str:
    """Return the 1, 5 and 15 min load averages from ``/proc/loadavg``."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    """Return cores, Python and engine versions, on one line."""
    versions = []
    for package in ("pyvrp", "ortools"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} absent")
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, {', '.join(versions)}"
    )


def select(spec: str | None) -> dict[str, set[str]]:
    """Instances to run (base instance -> plan kinds) from ``--instances``.

    Raises
    ------
    SystemExit
        When a name is no instance.
    """
    names = instance_names()
    wanted = names if spec is None else [n.strip() for n in spec.split(",") if n]
    out: dict[str, set[str]] = {}
    for name in wanted:
        if name in PLAN_NAMES and name != FOUR_TRUCKS:
            kind = PLAN_NAMES[name]
            kinds = {"districts", kind}
            out.setdefault(FOUR_TRUCKS, set()).update(kinds)
        elif name in names:
            all_kinds = set(PLAN_NAMES.values()) if name == FOUR_TRUCKS else {"free"}
            out.setdefault(name, set()).update(all_kinds)
        else:
            known = ", ".join([*names, *PLAN_NAMES])
            msg = f"no instance {name!r}; instances: {known}"
            raise SystemExit(msg)
    return out


def list_instances(plan: dict[str, set[str]]) -> None:
    """Print every instance with its size, without solving."""
    print(
        f"{'instance':<24} {'objective':<10} {'required':>8} {'services':>8} "
        f"{'arcs':>6}  fleet; about"
    )
    for name, kinds in plan.items():
        inst = build(name)
        p = inst.problem
        fleet = ", ".join(f"{v.count} x {v.name}" for v in p.vehicles)
        print(
            f"{name:<24} {inst.objective:<10} {p.num_required:>8,} "
            f"{p.num_services:>8,} {p.graph.num_arcs:>6,}  {fleet}; {inst.about}"
        )
        if kinds & {"districts", "from-districts"}:
            labels = districts(name)
            sizes = ", ".join(f"{d} {labels.count(d)}" for d in sorted(set(labels)))
            print(
                f"  + {name}-districts, {name}-from-districts: arcs per district "
                f"{sizes}"
            )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", help="comma-separated names (default: all)")
    parser.add_argument(
        "--seeds",
        default=[1, 2, 3, 4, 5],
        type=lambda s: [int(x) for x in s.split(",") if x],
        help="comma-separated seeds (default 1,2,3,4,5)",
    )
    parser.add_argument("--time-limit", type=float, default=60.0, help="s per solve")
    parser.add_argument(
        "--workers", type=int, help="search processes per solve (default: 2)"
    )
    parser.add_argument(
        "--neighbours",
        type=int,
        help="PyVRP's granular neighbourhood per client (default: PyVRPParams')",
    )
    parser.add_argument(
        "--perturbations",
        type=lambda s: tuple(int(x) for x in s.split(",") if x),
        help="largest perturbation per worker, comma-separated (the scenario's "
        "[solver] perturbations; default: PyVRPParams')",
    )
    parser.add_argument(
        "--relocate3",
        action="store_true",
        help="also move chains of three (the scenario's [solver] relocate3)",
    )
    parser.add_argument(
        "--no-stall",
        action="store_true",
        help="search until the time limit (stall_iterations=None; default: 'auto')",
    )
    parser.add_argument(
        "--no-phases",
        action="store_true",
        help="one search also on large problems with deadlines (phases_from=None)",
    )
    parser.add_argument(
        "--reference",
        action="store_true",
        help="write the best value of this run into references.csv",
    )
    parser.add_argument(
        "--references",
        type=Path,
        default=REFERENCES,
        help="reference values to compare with (and to update with --reference)",
    )
    parser.add_argument("--out", type=Path, default=Path("results.csv"))
    parser.add_argument(
        "--solutions",
        type=Path,
        help="folder to write every plan to (<row>-seed<N>.json; check_solutions.py)",
    )
    parser.add_argument("--list", action="store_true", help="list instances, no solve")
    return parser.parse_args(argv)


def solve_params(inst: Instance, seed: int, args: argparse.Namespace) -> SolveParams:
    """Return the settings of one solve of ``inst`` from the command line."""
    params = SolveParams(
        time_limit_s=args.time_limit,
        seed=seed,
        objective=inst.objective,
        workers=args.workers,
    )
    if args.no_stall:
        params = params.with_(stall_iterations=None)
    if args.no_phases:
        params = params.with_(phases_from=None)
    changes: dict[str, Any] = {}
    if args.neighbours is not None:
        changes["num_neighbours"] = args.neighbours
    if args.perturbations:
        changes["max_perturbations"] = args.perturbations
    if args.relocate3:
        changes["relocate3"] = True
    if changes:
        params = params.with_(pyvrp=dataclasses.replace(params.pyvrp, **changes))
    return params


def run_instance(
    inst: Instance, kinds: set[str], args: argparse.Namespace, writer: RowWriter
) -> list[dict[str, Any]]:
    """Run every seed of ``inst``; write and return the rows."""
    ref = read_references(args.references).get(inst.name)
    reference = None if ref is None else float(ref["reference"])
    rows = []
    for seed in args.seeds:
        params = solve_params(inst, seed, args)
        runs = run_seed(inst, kinds, params)
        bound = _makespan_bound(runs)
        for name, m in runs:
            row = make_row(name, inst, params, m, reference, bound)
            writer.write(row)
            rows.append(row)
            if args.solutions is not None and m.solution is not None:
                path = plan_path(args.solutions, name, seed)
                write_plan(path, name, seed, m.solution)
            value = _fmt(row.get("value"), ".6g")
            verdict = "valid" if row["valid"] else f"INVALID: {row['violations']}"
            verdict = verdict if len(verdict) < 100 else verdict[:97] + "..."
            print(f"{name} seed {seed}: {value}, {verdict}, {m.seconds:.1f} s")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when a plan is invalid or a run failed."""
    args = parse_args(argv)
    plan = select(args.instances)
    if args.list:
        list_instances(plan)
        return 0
    if args.solutions is not None:  # before any solve: a folder plans can go to
        try:
            args.solutions.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"Cannot write plans to `{args.solutions}`: {exc.strerror}.")
            return 2
    print(machine())
    print(f"load at start: {loadavg()} ({dt.datetime.now().isoformat(' ', 'seconds')})")
    writer = RowWriter(args.out)
    rows: list[dict[str, Any]] = []
    failed = False
    for name, kinds in plan.items():
        try:
            inst = build(name)
        except Exception:
            print(f"{name}: cannot be built\n{traceback.format_exc()}")
            failed = True
            continue
        inst_rows = run_instance(inst, kinds, args, writer)
        if args.reference:
            update_reference(inst, inst_rows, args)
        rows += inst_rows
    if rows:
        print_summary(rows)
    print(machine())
    print(f"load at end: {loadavg()} ({dt.datetime.now().isoformat(' ', 'seconds')})")
    invalid = [r for r in rows if not r["valid"]]
    if invalid:
        print(f"{len(invalid)} run(s) with an invalid plan or an error")
    return 1 if failed or invalid else 0


if __name__ == "__main__":
    raise SystemExit(main())
