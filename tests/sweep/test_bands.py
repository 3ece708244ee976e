"""Noise bands over seeds: a saving counts only when it is larger than the noise."""

from __future__ import annotations

from typing import Any

from snowroute.sweep.bands import seed_bands


def _row(
    seed: int, count: int, base: float, opt: float, **extra: Any
) -> dict[str, Any]:
    return {
        "solver.seed": seed,
        "vehicles.v.count": count,
        "baseline.total_hours": base,
        "baseline.deadhead_km": 10.0 + base,
        "optimized.total_hours": opt,
        "optimized.deadhead_km": 10.0 + opt,
        "patrol.total_hours": 3.0,
        **extra,
    }


KEYS = ["solver.seed", "vehicles.v.count"]


def test_each_group_of_seeds_gets_its_band_and_verdict() -> None:
    rows = [
        _row(1, 3, 10.0, 9.0),  # saves 1.0 on every seed; the baseline moves 0.2
        _row(2, 3, 10.2, 9.1),
        _row(1, 4, 10.0, 9.95),  # saves 0.05 and 0.25; the baseline moves 0.2
        _row(2, 4, 10.2, 9.95),
    ]
    bands = seed_bands(rows, KEYS)
    assert [(b["vehicles.v.count"], b["plan"], b["seeds"]) for b in bands] == [
        (3, "optimized", 2),
        (4, "optimized", 2),
    ]
    three, four = bands
    assert three["band_hours"] == 0.2
    assert (three["saving_hours_min"], three["saving_hours_max"]) == (1.0, 1.1)
    assert three["verdict_hours"] == "significant"
    assert four["verdict_hours"] == "within noise"


def test_a_loss_beyond_the_band_is_a_significant_loss() -> None:
    rows = [_row(1, 3, 10.0, 11.0), _row(2, 3, 10.1, 11.0)]
    assert seed_bands(rows, KEYS)[0]["verdict_hours"] == "significant loss"


def test_no_bands_without_two_seeds_or_with_a_failed_variant() -> None:
    rows = [_row(1, 3, 10.0, 9.0), _row(2, 3, 10.2, 9.1)]
    assert seed_bands(rows, ["vehicles.v.count"]) == []
    assert seed_bands(rows[:1], KEYS) == []
    failed = {"solver.seed": 2, "vehicles.v.count": 3, "valid": False, "error": "x"}
    assert seed_bands([rows[0], failed], KEYS) == []
