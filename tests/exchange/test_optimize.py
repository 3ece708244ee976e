"""The optimised exchange's candidate moves."""

from __future__ import annotations

from snowroute.exchange.optimize import candidate_moves, estimate
from snowroute.exchange.plans import (
    ExchangeContext,
    pooled_problem,
)

from .test_run import H_ROUTE, PREF, S_ROUTE, TOWN, _network, _scenario


def _ctx(**exchange: object) -> ExchangeContext:
    return ExchangeContext.from_scenario(
        _network(), _scenario(unit="route", **exchange), time_limit_s=5.0
    )


def test_candidate_moves_take_each_direction_in_turn():
    ctx = _ctx()
    est = estimate(ctx, pooled_problem(ctx))
    moves = candidate_moves(ctx, est, must={}, limit=2)
    assert {(m.owner, m.taker) for m in moves} == {(PREF, TOWN), (TOWN, PREF)}
    # the best estimated of each direction: the spur and the hamlet road
    assert {m.unit for m in moves} == {H_ROUTE, S_ROUTE}
    must = candidate_moves(ctx, est, must={H_ROUTE: PREF}, limit=1)
    assert (must[0].unit, must[0].taker) == (H_ROUTE, PREF)
    assert len(must) == 2
