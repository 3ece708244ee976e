"""Running CARP benchmark sets: one isolated process per instance, results and files."""

from __future__ import annotations

import csv
import importlib.metadata
import logging
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from snowroute._errors import InputFileError, SnowrouteError
from snowroute._io import atomic_directory, atomic_file
from snowroute.bench.carp import (
    CarpResult,
    bks_name,
    carp_problem,
    instance_paths,
    read_bks,
    read_carp,
    solution_lines,
)
from snowroute.routing._pool import WorkerCrashed, run_forked

__all__ = [
    "CSV_COLUMNS",
    "SetSummary",
    "environment",
    "run_carp",
    "summarise",
    "write_csv",
    "write_solutions",
]

logger = logging.getLogger(__name__)

#: Columns of the results CSV, in order.
CSV_COLUMNS = (
    "set",
    "instance",
    "engine",
    "cost",
    "bks",
    "gap_pct",
    "seconds",
    "peak_mb",
    "valid",
    "routes",
)


def _solve_one(
    path: str,
    set_name: str,
    engine: str,
    time_limit_s: float,
    seed: int,
    cap_fleet: bool,
    workers: int | None,
    max_iterations: int | None,
    bks: float | None,
) -> CarpResult:
    from snowroute.routing.solve import solve

    start = time.perf_counter()
    instance = read_carp(path)
    problem = carp_problem(instance, cap_fleet=cap_fleet)
    remaining = time_limit_s - (time.perf_counter() - start)
    solution = solve(
        problem,
        engine=engine,
        time_limit_s=max(0.5, remaining),
        seed=seed,
        workers=workers,
        max_iterations=max_iterations,
        # the CARP protocol is a wall-clock limit per instance: no stall stop
        stall_iterations=None,
    )
    seconds = time.perf_counter() - start
    own_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = (own_kb + solution.stats.get("worker_peak_kb", 0.0)) / 1024.0
    gap = None if bks is None else 100.0 * (solution.cost - bks) / bks
    return CarpResult(
        set=set_name,
        instance=instance.name,
        engine=engine,
        cost=solution.cost,
        bks=bks,
        gap_pct=gap,
        seconds=seconds,
        peak_mb=peak_mb,
        valid=solution.feasible,
        routes=solution.num_routes,
        lower_bound=solution.lower_bound,
        lines=tuple(solution_lines(problem, solution)),
        violations=solution.violations,
    )


def _solve_job(args: tuple[Any, ...]) -> CarpResult:
    return _solve_one(*args)


def _solve_isolated(args: tuple[Any, ...], name: str) -> CarpResult:
    """Solve one instance in a fresh worker process (its own peak memory).

    Raises
    ------
    SnowrouteError
        The one solving raised, or one saying that solving crashed.
    """
    try:
        return run_forked(_solve_job, [args], passthrough=(SnowrouteError,))[0]
    except WorkerCrashed as exc:
        detail = exc.detail or "the solving process died without a result"
        msg = f"Solving {name} failed: {detail.strip().splitlines()[-1]}."
        raise SnowrouteError(msg) from None


def run_carp(
    carp_dir: str | Path,
    sets: Sequence[str],
    *,
    engine: Literal["pyvrp", "ortools"] = "pyvrp",
    time_limit_s: float = 60.0,
    seed: int = 1,
    cap_fleet: bool = False,
    instances: Sequence[str] | None = None,
    workers: int | None = None,
    max_iterations: int | None = None,
    on_result: Callable[[CarpResult], None] | None = None,
) -> list[CarpResult]:
    """
    Solve every instance of the CARP sets, each in a fresh process.

    Every instance file is read before the first solve, so a malformed file
    stops the run before any time is spent.

    Parameters
    ----------
    carp_dir
        The CARP benchmark folder (set folders and ``bks.csv``).
    sets
        Set folder names (``gdb``, ``val``, ``egl``, ``hefei``, ...).
    engine
        ``"pyvrp"`` or ``"ortools"``.
    time_limit_s
        Wall-clock limit per instance (reading and building included).
    seed
        Seed of every run.
    cap_fleet
        Limit the fleet to the file's ``VEHICULOS`` (default: unlimited).
    instances
        Only these instances (file names without extension; ``val1A`` or ``1A``).
    workers
        Search processes per instance (default: cores, at most 2).
    max_iterations
        Stop each search after this many iterations (PyVRP) or solutions
        (OR-Tools) instead of at the time limit, for runs that do not depend on
        the machine's speed or load (the time limit still applies).
    on_result
        Called with each result as it comes.

    Returns
    -------
    list of CarpResult
        In set and natural instance order.

    Raises
    ------
    InputFileError
        When a folder, ``bks.csv`` or an instance file is missing or malformed.
    SnowrouteError
        When solving an instance raises one (for example an unreachable edge).
    """
    carp_dir = Path(carp_dir)
    bks = read_bks(carp_dir / "bks.csv")
    jobs = _instances(carp_dir, sets, instances)
    results = []
    for set_name, path in jobs:
        known = bks.get((set_name, bks_name(set_name, path.stem)), (None, None))[0]
        args = (
            str(path),
            set_name,
            engine,
            time_limit_s,
            seed,
            cap_fleet,
            workers,
            max_iterations,
            known,
        )
        result = _solve_isolated(args, path.stem)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _instances(
    carp_dir: Path, sets: Sequence[str], instances: Sequence[str] | None
) -> list[tuple[str, Path]]:
    """Return the (set, file) of every instance to solve, each file read once.

    Raises
    ------
    InputFileError
        When a folder or an instance file is missing or malformed, or a wanted
        instance is in none of the sets.
    """
    jobs: list[tuple[str, Path]] = []
    for set_name in sets:
        wanted = None
        if instances is not None:
            names = {p.stem for p in instance_paths(carp_dir / set_name)}
            wanted = [
                n
                for n in instances
                if n in names or (set_name == "val" and n[3:] in names)
            ]
        for path in instance_paths(carp_dir / set_name, names=wanted):
            read_carp(path)  # fail fast on a malformed file
            jobs.append((set_name, path))
    if instances is not None:
        found = {p.stem for _, p in jobs} | {
            f"val{p.stem}" for s, p in jobs if s == "val"
        }
        missing = [n for n in instances if n not in found]
        if missing:
            msg = f"Instance {missing[0]!r} is in none of the sets {', '.join(sets)}."
            raise InputFileError(msg)
    return jobs


@dataclass(frozen=True, slots=True)
class SetSummary:
    """Per-set figures: mean and max gap, instances at bks, mean seconds, peak MB."""

    set: str
    engine: str
    instances: int
    valid: int
    mean_gap_pct: float
    max_gap_pct: float
    at_bks: int
    mean_seconds: float
    peak_mb: float


def summarise(results: Sequence[CarpResult]) -> list[SetSummary]:
    """Summaries per (set, engine), in first-seen order."""
    keys: list[tuple[str, str]] = []
    for r in results:
        if (r.set, r.engine) not in keys:
            keys.append((r.set, r.engine))
    out = []
    for set_name, engine in keys:
        rows = [r for r in results if r.set == set_name and r.engine == engine]
        gaps = [r.gap_pct for r in rows if r.gap_pct is not None]
        out.append(
            SetSummary(
                set=set_name,
                engine=engine,
                instances=len(rows),
                valid=sum(r.valid for r in rows),
                mean_gap_pct=statistics.fmean(gaps) if gaps else float("nan"),
                max_gap_pct=max(gaps) if gaps else float("nan"),
                at_bks=sum(
                    1 for r in rows if r.bks is not None and r.cost <= r.bks + 1e-6
                ),
                mean_seconds=statistics.fmean(r.seconds for r in rows),
                peak_mb=max(r.peak_mb for r in rows),
            )
        )
    return out


def environment() -> dict[str, str]:
    """Machine and library versions to print beside benchmark figures."""
    versions = {}
    for name in ("pyvrp", "ortools", "numpy", "scipy"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}"
        ),
        "libraries": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _fmt(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def write_csv(
    results: Sequence[CarpResult], path: str | Path, *, force: bool = True
) -> None:
    """Write the results CSV (columns :data:`CSV_COLUMNS`) atomically."""
    with (
        atomic_file(path, force=force) as tmp,
        tmp.open("w", newline="", encoding="utf-8") as fh,
    ):
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for r in results:
            writer.writerow(
                [
                    r.set,
                    r.instance,
                    r.engine,
                    f"{r.cost:.6g}" if r.cost != int(r.cost) else str(int(r.cost)),
                    "" if r.bks is None else f"{r.bks:g}",
                    _fmt(r.gap_pct, 4),
                    f"{r.seconds:.1f}",
                    f"{r.peak_mb:.0f}",
                    "yes" if r.valid else "no",
                    r.routes,
                ]
            )


def write_solutions(
    results: Sequence[CarpResult], folder: str | Path, *, force: bool = True
) -> None:
    """Write ``<instance>.sol`` files into ``folder`` atomically (replacing it)."""
    with atomic_directory(folder, force=force) as tmp:
        for r in results:
            (tmp / f"{r.instance}.sol").write_text(
                "\n".join(r.lines) + "\n", encoding="utf-8"
            )
