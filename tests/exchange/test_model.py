"""The estimated model: every move valued, pieces and valleys as synergies."""

from __future__ import annotations

import pytest

from snowroute.exchange import run_exchange
from snowroute.exchange.estimate import estimate
from snowroute.exchange.model import model_moves
from snowroute.exchange.moves import combine, set_value
from snowroute.exchange.optimize import exchange_rules
from snowroute.exchange.plans import (
    ExchangeContext,
    pooled_problem,
)

from .test_estimate import _valley
from .test_run import H_ROUTE, PREF, S_ROUTE, TOWN, _moved, _network, _scenario

H2_ROUTE = f"{TOWN}/municipal/H2"


def _model(G, objective="hours"):
    scenario = _scenario(unit="route", objective=objective)
    ctx = ExchangeContext.from_scenario(G, scenario, time_limit_s=5.0)
    est = estimate(ctx, pooled_problem(ctx))
    return ctx, model_moves(ctx, est, must={}, objective=objective)


def test_every_move_is_valued_and_a_piece_saves_its_trip():
    _ctx, (moves, values, synergy) = _model(_network())
    index = {(m.unit, m.taker): i for i, m in enumerate(moves)}
    assert {(H_ROUTE, PREF), (S_ROUTE, TOWN)} <= set(index)  # and the main roads
    # the same plow speed, and H touches the prefecture's road: worth nothing
    # alone; the town's trip out to it (3 km each way at the deadhead speed) is
    # the synergy of handing the piece over whole
    assert values[index[(H_ROUTE, PREF)]] == pytest.approx(0.0, abs=1.0)
    [(group, trip_s)] = [s for s in synergy if index[(H_ROUTE, PREF)] in s[0]]
    assert group == {index[(H_ROUTE, PREF)]}
    assert trip_s > 0
    # the spur starts at the town's street 22: nothing to reach it either
    assert values[index[(S_ROUTE, TOWN)]] == pytest.approx(0.0, abs=1.0)


def test_in_km_the_model_counts_only_metres_driven_empty():
    _, (moves, _values, synergy) = _model(_network(), objective="km")
    index = {(m.unit, m.taker): i for i, m in enumerate(moves)}
    [(_, trip_m)] = [s for s in synergy if index[(H_ROUTE, PREF)] in s[0]]
    assert trip_m == pytest.approx(6000, rel=1e-6)


def test_a_valley_is_worth_its_trip_only_when_all_of_it_goes():
    ctx, (moves, values, synergy) = _model(_valley())
    rules = exchange_rules(ctx)
    index = {(m.unit, m.taker): i for i, m in enumerate(moves)}
    one = frozenset({index[(H_ROUTE, PREF)]})
    both = one | {index[(H2_ROUTE, PREF)]}
    alone = set_value(one, moves, values, rules, synergy)
    together = set_value(both, moves, values, rules, synergy)
    assert together > alone + 3600 * 0.05  # the 2 km each way to the valley
    chosen = combine(moves, values, rules, synergy=synergy)
    assert chosen is not None
    assert both <= chosen


def test_the_optimizer_hands_over_the_whole_valley():
    result = run_exchange(_valley(), _scenario(balance_tolerance=None))
    assert {(H_ROUTE, TOWN, PREF), (H2_ROUTE, TOWN, PREF)} <= _moved(
        result, "optimized"
    )
    report = result.reports["optimized"]
    assert report.valid
    assert report.total.total_h < result.reports["baseline"].total.total_h
