"""The noise band beside an exchange plan's saving."""

from __future__ import annotations

import dataclasses

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


@pytest.mark.parametrize("iterations", [300, None])
def test_band_searches_have_the_baselines_effort(monkeypatch, iterations):
    from snowroute.exchange.noise import SLACK, noise_band
    from snowroute.exchange.plans import ExchangeContext, Router, assignment_plan
    from snowroute.routing.budget import MIN_SEARCH_S
    from snowroute.scenario.model import SolverSpec

    scenario = _scenario()
    solver = SolverSpec(time_limit_s=60.0, seed=3, max_iterations=iterations)
    scenario = dataclasses.replace(scenario, solver=solver)
    ctx = ExchangeContext.from_scenario(_network(), scenario)
    baseline = assignment_plan("baseline", Router(ctx), dict(ctx.plow))
    caps: list[float] = []
    submit = ExchangeContext.submit

    def recorded(self, problem, **kwargs):
        caps.append(kwargs["budget"].remaining())
        return submit(self, problem, **kwargs)

    monkeypatch.setattr(ExchangeContext, "submit", recorded)
    assert noise_band(ctx, baseline, (PREF, TOWN), seeds=1) is not None
    took = [baseline.parts[a][1].runtime_s for a in (PREF, TOWN)]
    assert len(caps) == 2
    expected = [max(MIN_SEARCH_S, t) for t in took]
    if iterations is None:  # the time the baseline's search took
        assert caps == pytest.approx(expected, abs=0.05)
    else:  # the iterations bind; the time only stops a search on a slowed machine
        slack = [max(MIN_SEARCH_S, SLACK * t) for t in took]
        assert caps == pytest.approx(slack, abs=0.05)
