"""Measuring an exchange: warm from the baseline routes, afresh when much changes."""

from __future__ import annotations

import dataclasses

from snowroute.exchange.measure import FRESH_SHARE, FRESH_TIMES, Measurer, _cut_short
from snowroute.exchange.plans import (
    ExchangeContext,
    Router,
    assignment_plan,
    roads_by_admin,
)
from snowroute.routing import solve

from .test_run import PREF, TOWN, _network, _scenario


def _measurer() -> Measurer:
    ctx = ExchangeContext.from_scenario(_network(), _scenario(), time_limit_s=60.0)
    baseline = assignment_plan("baseline", Router(ctx), dict(ctx.plow))
    return Measurer(ctx, baseline)


def test_an_administrator_taking_every_road_is_also_routed_afresh():
    measurer = _measurer()
    ctx = measurer.context
    everything = {edge: PREF for edge in ctx.plow}
    found = measurer.measure(everything)
    assert found.admins == (PREF, TOWN)
    # the prefecture's new roads: warm and fresh; the town (no roads left) and
    # both references warm only
    roads = roads_by_admin(everything)[PREF]
    assert len(roads ^ measurer.base_roads[PREF]) > FRESH_SHARE * len(roads)
    assert measurer.solves == 5
    problem, kept = found.parts[PREF]
    fresh = solve(problem, measurer.fresh_params)
    assert kept.feasible
    assert kept.cost <= fresh.cost + 1e-6


def test_the_baseline_roads_measure_nothing_and_route_nothing():
    measurer = _measurer()
    found = measurer.measure(dict(measurer.context.plow))
    assert found.admins == ()
    assert found.hours_saved == 0.0
    assert measurer.solves == 0


def test_a_search_that_hit_its_time_limit_early_is_cut_short():
    measurer = _measurer()
    found = measurer.measure({edge: PREF for edge in measurer.context.plow})
    _, solution = found.parts[PREF]
    params = measurer.fresh_params.with_(max_iterations=1000, time_limit_s=2.0)
    done = {**solution.stats, "workers": 2.0, "iterations": 2000.0}
    stopped = {**solution.stats, "workers": 2.0, "iterations": 1500.0}
    timed_out = dataclasses.replace(solution, runtime_s=2.0, stats=stopped)
    assert _cut_short(params, timed_out)
    # all its iterations, or stopped early at the lower bound (not at the limit)
    assert not _cut_short(params, dataclasses.replace(timed_out, stats=done))
    assert not _cut_short(params, dataclasses.replace(timed_out, runtime_s=0.3))
    assert not found.cut_short
    assert not dataclasses.replace(found, cut_short=True).ok


def test_a_fresh_search_has_the_runs_effort_up_to_five_measurements():
    measurer = _measurer()
    ctx, baseline = measurer.context, measurer.baseline
    measuring = ctx.scenario.exchange.measure_iterations
    for run_iterations, fresh in [
        (300, 300),  # the run's own effort, as its baseline had
        (20_000, FRESH_TIMES * measuring),  # capped: the demo's 20,000
        (None, FRESH_TIMES * measuring),
    ]:
        params = ctx.params.with_(max_iterations=run_iterations)
        m = Measurer(dataclasses.replace(ctx, params=params), baseline)
        assert m.fresh_params.max_iterations == fresh
