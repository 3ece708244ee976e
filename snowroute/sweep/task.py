"""One variant of a sweep, as a worker runs it: plans, outputs, one table row.

:func:`run_variant` is the task a Dask worker (or the serial loop) runs. It needs
no file system shared with the caller: the network comes as an argument, the
scenario carries its side files, and the outputs come back as bytes, written by
the caller into the variant's folder.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute._errors import SnowrouteError
from snowroute.pipeline import run_scenario, write_run
from snowroute.sweep.vary import Variant

__all__ = ["VariantOutcome", "plan_columns", "run_variant"]

#: Figures of each plan in the sweep table (``summary.json`` ``plans.<plan>``).
PLAN_FIGURES = (
    "total_hours",
    "deadhead_km",
    "service_km",
    "vehicles",
    "units_exchanged",
    "gap_to_bound_pct",
    "valid",
)


#: ``summary.json`` saving figures in the table: (key, column suffix).
_SAVING_COLUMNS = (
    ("hours", "saving_hours"),
    ("band_hours", "noise_band_hours"),
    ("significant", "saving_significant"),
)


@dataclass(frozen=True, slots=True, eq=False)
class VariantOutcome:
    """What one variant's task sends back.

    Parameters
    ----------
    number, name
        The variant's number and folder name.
    row
        Its line of the sweep table (figures only, no timing).
    files
        Every output file, by path relative to the variant's folder.
    runtime_s
        Seconds the task took on its worker.
    peak_mb
        The worker process's peak resident memory so far, MB.
    """

    number: int
    name: str
    row: dict[str, Any]
    files: dict[str, bytes]
    runtime_s: float
    peak_mb: float


def plan_columns(summary: dict[str, Any]) -> dict[str, Any]:
    """Return the table columns of a run's ``summary.json`` data (plan figures)."""
    row: dict[str, Any] = {}
    for plan, figures in summary.get("plans", {}).items():
        for name in PLAN_FIGURES:
            row[f"{plan}.{name}"] = figures.get(name)
        row[f"{plan}.violations"] = " | ".join(figures.get("violations", ()))
        saving = figures.get("saving") or {}
        for name, column in _SAVING_COLUMNS:
            if name in saving:
                row[f"{plan}.{column}"] = saving[name]
        finish = figures.get("total", {}).get("finish", {})
        for cls, clock in finish.items():
            row[f"{plan}.finish.{cls}"] = clock
    patrol = summary.get("patrol")
    if patrol is not None:
        for name in ("total_km", "total_hours", "sections_compliant", "valid"):
            row[f"patrol.{name}"] = patrol.get(name)
    row["valid"] = summary.get("valid")
    return row


def run_variant(
    variant: Variant,
    G: nx.MultiDiGraph,
    *,
    plans: Sequence[str] | None = None,
    lang: str = "en",
) -> VariantOutcome:
    """Run one variant's scenario on ``G`` and collect its outputs and row.

    ``G`` is only read: the planners copy what they change.

    Raises
    ------
    SnowrouteError
        When the variant's plans cannot be computed (as :func:`run_scenario`).
    """
    start = time.perf_counter()
    try:
        result = run_scenario(variant.scenario, G=G, plans=plans)
    except SnowrouteError as exc:  # this variant cannot be planned: say why
        return VariantOutcome(
            number=variant.number,
            name=variant.name,
            row={**_head(variant), "valid": False, "error": str(exc)},
            files={},
            runtime_s=time.perf_counter() - start,
            peak_mb=_peak_mb(),
        )
    row = {**_head(variant), **plan_columns(result.to_dict())}
    with tempfile.TemporaryDirectory(prefix="snowroute-variant-") as tmp:
        folder = Path(tmp) / "out"
        written = write_run(result, folder, lang=lang)
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in written}
    return VariantOutcome(
        number=variant.number,
        name=variant.name,
        row=row,
        files=files,
        runtime_s=time.perf_counter() - start,
        peak_mb=_peak_mb(),
    )


def _head(variant: Variant) -> dict[str, Any]:
    return {
        "variant": variant.number,
        "label": variant.label,
        "name": variant.name,
        **dict(variant.values),
    }


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
