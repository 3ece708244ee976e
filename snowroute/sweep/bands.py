"""Noise bands from a sweep over seeds: which savings exceed the search's noise.

When a sweep varies ``solver.seed``, the variants that differ only in the seed show
how much the search itself moves a plan. For each combination of the other values
and each plan, :func:`seed_bands` gives the plan's saving against the baseline per
seed (same seed on both sides), and the **band**: how far the baseline's own total
moves between seeds. A saving is *significant* only when every seed's saving is
larger than the band (a loss, when every seed's is below minus the band); otherwise
it is *within noise* and must not be reported as a gain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

__all__ = ["SEED_KEY", "seed_bands"]

#: The scenario field whose values are the seeds.
SEED_KEY = "solver.seed"

_FIGURES = (("hours", "total_hours"), ("km", "deadhead_km"))


def _numbers(values: Sequence[Any]) -> TypeGuard[Sequence[float]]:
    return all(isinstance(v, int | float) for v in values)


def _spread(values: Sequence[float]) -> float:
    return max(values) - min(values)


def _verdict(savings: Sequence[float], band: float) -> str:
    if min(savings) > band:
        return "significant"
    if max(savings) < -band:
        return "significant loss"
    return "within noise"


def _group_band(group: Sequence[Mapping[str, Any]], plan: str) -> dict[str, Any] | None:
    """One plan's savings and the baseline's band over the seeds of one group."""
    out: dict[str, Any] = {"plan": plan, "seeds": len(group)}
    for unit, figure in _FIGURES:
        base = [row.get(f"baseline.{figure}") for row in group]
        other = [row.get(f"{plan}.{figure}") for row in group]
        if not _numbers(base) or not _numbers(other):
            return None  # a variant that could not be planned
        savings = [b - o for b, o in zip(base, other, strict=True)]
        band = _spread(base)
        out |= {
            f"saving_{unit}_mean": round(sum(savings) / len(savings), 4),
            f"saving_{unit}_min": round(min(savings), 4),
            f"saving_{unit}_max": round(max(savings), 4),
            f"band_{unit}": round(band, 4),
            f"verdict_{unit}": _verdict(savings, band),
        }
    return out


def seed_bands(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> list[dict[str, Any]]:
    """Return the savings against the baseline and their noise band, per group.

    ``rows`` are the sweep table's rows, ``keys`` its varied fields. Returns one
    row per combination of the other keys' values and per plan other than the
    baseline (nothing when the seed is not varied over at least two values, or
    there is no baseline).

    >>> rows = [
    ...     {"solver.seed": s, "baseline.total_hours": b, "baseline.deadhead_km": 9.0,
    ...      "optimized.total_hours": o, "optimized.deadhead_km": 8.0}
    ...     for s, b, o in [(1, 10.0, 9.9), (2, 10.2, 10.0), (3, 10.1, 10.0)]
    ... ]
    >>> band = seed_bands(rows, ["solver.seed"])[0]
    >>> band["saving_hours_mean"], band["band_hours"], band["verdict_hours"]
    (0.1333, 0.2, 'within noise')
    >>> band["verdict_km"]  # 1 km less on every seed, the baseline's km never moved
    'significant'
    """
    if SEED_KEY not in keys:
        return []
    others = [k for k in keys if k != SEED_KEY]
    groups: defaultdict[tuple[Any, ...], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row.get(k) for k in others)].append(row)
    plans = sorted(
        {c.split(".", 1)[0] for row in rows for c in row if c.endswith(".total_hours")}
        - {"baseline", "patrol"}
    )
    out = []
    for values, group in groups.items():
        if len(group) < 2:
            continue
        for plan in plans:
            band = _group_band(group, plan)
            if band is not None:
                out.append({**dict(zip(others, values, strict=True)), **band})
    return out
