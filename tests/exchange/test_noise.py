"""The noise band beside an exchange plan's saving."""

from __future__ import annotations

import pytest

from snowroute.exchange import run_exchange
from snowroute.exchange.noise import NoiseBand

from .test_run import PREF, TOWN, _network, _scenario


def test_an_exchange_plan_gets_the_band_of_the_administrators_it_touches():
    result = run_exchange(_network(), _scenario(noise_seeds=2))
    report = result.reports["optimized"]
    assert report.exchanges  # the obvious swap
    band = report.noise
    assert band is not None
    assert band.admins == (PREF, TOWN)
    assert band.seeds == 3
    assert band.hours >= 0
    assert result.reports["baseline"].noise is None
    saving = result.to_dict()["plans"]["optimized"]["saving"]
    assert saving["band_seeds"] == 3
    assert saving["band_hours"] == pytest.approx(band.hours, abs=1e-4)
    assert saving["significant"] is band.significant(saving["hours"])
    assert "noise band" in result.ledger_text()


def test_no_seeds_no_band():
    result = run_exchange(_network(), _scenario(noise_seeds=0))
    assert result.reports["optimized"].noise is None
    assert "band_hours" not in result.to_dict()["plans"]["optimized"]["saving"]


@pytest.mark.parametrize(
    ("saving", "significant"), [(0.5, True), (-0.5, True), (0.1, False), (0.2, False)]
)
def test_a_saving_counts_only_outside_the_band(saving, significant):
    band = NoiseBand(admins=("05201",), seeds=3, hours=0.2, km=5.8)
    assert band.significant(saving) is significant
