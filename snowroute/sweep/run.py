"""Run a sweep: every variant of a scenario, on Dask or in this process, one table.

:func:`run_sweep` reads each distinct network once, runs every variant as a task
(:func:`snowroute.sweep.task.run_variant`) and writes, all at once into the output
folder, each variant's outputs in ``variants/<name>/`` and the comparison table,
charts and report page (:func:`snowroute.outputs.save_sweep`). An error or an
interrupt leaves no folder behind.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute._errors import ScenarioError, SnowrouteError
from snowroute._io import atomic_directory, check_output_path
from snowroute.outputs.sweep import save_sweep
from snowroute.prepare import graph_from_scenario
from snowroute.sweep.bands import seed_bands
from snowroute.sweep.cluster import dask_client, run_tasks, scheduler_address
from snowroute.sweep.task import VariantOutcome, run_variant
from snowroute.sweep.vary import Variant

__all__ = ["SweepResult", "run_sweep"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, eq=False)
class SweepResult:
    """
    What a sweep computed and where it ran.

    Parameters
    ----------
    rows
        The comparison table: one row per variant, in variant order.
    scheduler
        ``serial``, ``local`` or the scheduler's address.
    workers
        Worker processes that ran the tasks (1 when serial).
    runtime_s
        Wall seconds of the whole sweep (network reading and writing included).
    task_runtime_s
        Seconds each variant's task took, by variant number.
    worker_peak_mb
        Peak resident memory of each worker process, MB.
    files
        Every file written, relative to the output folder.
    bands
        Savings against the baseline and their noise band over seeds
        (:func:`~snowroute.sweep.bands.seed_bands`; empty unless the seed varies).
    """

    rows: tuple[dict[str, Any], ...]
    scheduler: str
    workers: int
    runtime_s: float
    task_runtime_s: dict[int, float] = field(default_factory=dict)
    worker_peak_mb: dict[str, float] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    bands: tuple[dict[str, Any], ...] = ()

    @property
    def valid(self) -> bool:
        """Whether every variant ran and every plan passed its validator."""
        return all(row.get("valid") is True for row in self.rows)

    def timing(self) -> dict[str, Any]:
        """Where and how long it ran (kept out of the table, which must not vary)."""
        return {
            "scheduler": self.scheduler,
            "workers": self.workers,
            "runtime_s": round(self.runtime_s, 1),
            "task_runtime_s": {
                str(k): round(v, 1) for k, v in sorted(self.task_runtime_s.items())
            },
            "worker_peak_mb": {
                k: round(v, 1) for k, v in sorted(self.worker_peak_mb.items())
            },
        }


def _networks(
    variants: Sequence[Variant],
) -> list[tuple[nx.MultiDiGraph, list[Variant]]]:
    """Read each distinct network of the variants once; the variants of each."""
    groups: dict[str, tuple[nx.MultiDiGraph, list[Variant]]] = {}
    for variant in variants:
        scenario = variant.scenario
        key = repr((scenario.network, scenario.base_dir))
        if key not in groups:
            groups[key] = (graph_from_scenario(scenario), [])
        groups[key][1].append(variant)
    return list(groups.values())


def _check_not_all_failed(rows: Sequence[dict[str, Any]]) -> None:
    """Raise the error every variant failed with, when they all failed alike.

    Raises
    ------
    SnowrouteError
        Then: the input, not a value of the sweep, is at fault.
    """
    errors = {row.get("error") for row in rows}
    if len(errors) == 1 and None not in errors:
        msg = f"Every variant failed: {errors.pop()}"
        raise SnowrouteError(msg)


@contextmanager
def _quiet_runs() -> Iterator[None]:
    """Keep each variant's own progress lines out of the sweep's (unless -v)."""
    root = logging.getLogger("snowroute")
    level = root.level
    if level > logging.DEBUG:
        for name in ("snowroute.pipeline", "snowroute.exchange", "snowroute.patrol"):
            logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name in ("snowroute.pipeline", "snowroute.exchange", "snowroute.patrol"):
            logging.getLogger(name).setLevel(logging.NOTSET)


class _Saver:
    """Writes each variant's files into ``variants/<name>/`` as its outcome arrives."""

    def __init__(self, folder: Path, total: int) -> None:
        self.folder = folder
        self.total = total
        self.outcomes: dict[int, VariantOutcome] = {}

    def __call__(self, outcome: VariantOutcome) -> None:
        self.outcomes[outcome.number] = outcome
        folder = self.folder / "variants" / outcome.name
        for rel, data in outcome.files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        logger.info(
            "variant %d/%d done (%s): %.0f s",
            len(self.outcomes),
            self.total,
            outcome.row.get("label", ""),
            outcome.runtime_s,
        )


def run_sweep(
    variants: Sequence[Variant],
    out: str | os.PathLike[str],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    plans: Sequence[str] | None = None,
    lang: str = "en",
    force: bool = False,
) -> SweepResult:
    """Run every variant and write their outputs and the comparison into ``out``.

    Parameters
    ----------
    variants
        From :func:`snowroute.sweep.sweep_variants`.
    out
        Output folder (written all at once; see the module notes).
    scheduler
        ``None``/``"local"`` (a local Dask cluster), ``"serial"`` (this process,
        no Dask) or a scheduler address; default from ``SNOWROUTE_SCHEDULER``.
    workers
        Worker processes of the local cluster (default: one per core).
    plans, lang
        Exchange plans to compute and the outputs' language, for every variant.

    Raises
    ------
    SnowrouteError
        On a bad network, an unreachable scheduler (:class:`ClusterError`), or an
        output folder that exists without ``force``.
    """
    if not variants:
        msg = "A sweep needs at least one variant."
        raise ScenarioError(msg)
    start = time.perf_counter()
    address = scheduler_address(scheduler)
    check_output_path(Path(out), force=force, kind="folder")
    groups = _networks(variants)
    with atomic_directory(out, force=force) as tmp:
        saver = _Saver(tmp, len(variants))
        if address == "serial":
            with _quiet_runs():
                for G, jobs in groups:
                    for job in jobs:
                        saver(run_variant(job, G, plans=plans, lang=lang))
            peaks = {"serial": max(o.peak_mb for o in saver.outcomes.values())}
        else:
            with dask_client(address, workers=workers) as client:
                kwargs = {"plans": plans, "lang": lang}
                peaks = run_tasks(client, run_variant, groups, saver, **kwargs)
        rows = tuple(saver.outcomes[v.number].row for v in variants)
        _check_not_all_failed(rows)
        result = SweepResult(
            rows=rows,
            scheduler=address or "local",
            workers=len(peaks),
            runtime_s=time.perf_counter() - start,
            task_runtime_s={n: o.runtime_s for n, o in saver.outcomes.items()},
            worker_peak_mb=peaks,
        )
        keys = [k for k, _ in variants[0].values]
        bands = seed_bands(rows, keys)
        save_sweep(rows, tmp, keys=keys, timing=result.timing(), bands=bands, lang=lang)
        files = tuple(sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file()))
    return dataclasses.replace(
        result,
        runtime_s=time.perf_counter() - start,
        files=files,
        bands=tuple(bands),
    )
