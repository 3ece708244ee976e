"""The optimised exchange's parts: sparse graph, estimates and assignment model."""

from __future__ import annotations

import numpy as np
import pytest

from snowroute.exchange.optimize import _min_csr, candidate_moves, estimate
from snowroute.exchange.plans import (
    ExchangeContext,
    Router,
    assignment_plan,
    pooled_plan,
    pooled_problem,
)

from .test_run import H_ROUTE, PREF, S_ROUTE, TOWN, _network, _scenario


def test_min_csr_keeps_the_cheapest_parallel_arc_and_no_zero():
    tail = np.array([0, 0, 1])
    head = np.array([1, 1, 0])
    w = np.array([5.0, 2.0, 0.0])
    m = _min_csr(2, tail, head, w).toarray()
    assert m[0, 1] == 2.0
    assert 0 < m[1, 0] < 1e-3  # a zero-cost arc stays in the matrix


def _ctx(**exchange: object) -> ExchangeContext:
    return ExchangeContext.from_scenario(
        _network(), _scenario(unit="route", **exchange), time_limit_s=5.0
    )


def test_candidate_moves_take_each_direction_in_turn():
    ctx = _ctx()
    baseline = assignment_plan("baseline", Router(ctx), dict(ctx.plow))
    est = estimate(ctx, pooled_problem(ctx), baseline)
    moves = candidate_moves(ctx, est, must={}, limit=2)
    assert {(m.owner, m.taker) for m in moves} == {(PREF, TOWN), (TOWN, PREF)}
    # the best estimated of each direction: the spur and the hamlet road
    assert {m.unit for m in moves} == {H_ROUTE, S_ROUTE}
    must = candidate_moves(ctx, est, must={H_ROUTE: PREF}, limit=1)
    assert (must[0].unit, must[0].taker) == (H_ROUTE, PREF)
    assert len(must) == 2


def test_estimates_on_the_pooled_problem():
    ctx = _ctx()
    baseline = assignment_plan("baseline", Router(ctx), dict(ctx.plow))
    _, problem = pooled_plan(ctx)
    est = estimate(ctx, problem, baseline)
    assert est.options[H_ROUTE] == (TOWN, PREF)
    assert est.options[S_ROUTE] == (PREF, TOWN)
    # plowing H (1 km at 20 km/h) takes either fleet the same time
    assert est.service_s[(H_ROUTE, TOWN)] == pytest.approx(3600 / 20)
    assert est.service_s[(H_ROUTE, PREF)] == pytest.approx(3600 / 20)
    # the prefecture's road P ends where H starts: no round trip to reach it
    assert est.access_s[(H_ROUTE, PREF)] == pytest.approx(0.0, abs=1.0)
    assert (H_ROUTE, TOWN) not in est.access_s  # the owner needs no access
    assert all(v > 0 for v in est.fleet_s.values())
