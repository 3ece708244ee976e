"""The optimised exchange's parts: sparse graph, estimates and assignment model."""

from __future__ import annotations

import numpy as np
import pytest

from snowroute.exchange.optimize import Estimates, _min_csr, estimate, solve_assignment
from snowroute.exchange.plans import (
    ExchangeContext,
    Router,
    assignment_plan,
    pooled_plan,
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


def _estimates(ctx: ExchangeContext, gain_s: float = 3600.0) -> Estimates:
    """Each unit costs 1 h to its owner; a taker saves ``gain_s`` on H and S."""
    options, service, access = {}, {}, {}
    for unit in ctx.units.values():
        taker = TOWN if unit.owner == PREF else PREF
        options[unit.id] = (unit.owner, taker)
        service[(unit.id, unit.owner)] = 3600.0
        good = unit.id in (H_ROUTE, S_ROUTE)
        service[(unit.id, taker)] = 3600.0 - gain_s if good else 7200.0
        access[(unit.id, taker)] = 0.0
    return Estimates(
        options=options,
        service_s=service,
        access_s=access,
        pieces={},
        fleet_s={PREF: 1e6, TOWN: 1e6},
    )


def test_the_model_takes_balanced_exchanges_that_pay():
    ctx = _ctx(balance_tolerance=0.1)
    found = solve_assignment(ctx, _estimates(ctx))
    assert found is not None
    moved = {u for u, admin in found.items() if admin != ctx.units[u].owner}
    assert moved == {H_ROUTE, S_ROUTE}  # 1 km each way, within 10 %


def test_the_model_keeps_roads_when_the_admin_cost_outweighs_the_gain():
    ctx = _ctx(admin_cost_h=2.0)
    found = solve_assignment(ctx, _estimates(ctx))
    assert found == {u: ctx.units[u].owner for u in ctx.units}


def test_forbid_and_fixed_are_respected():
    ctx = _ctx(balance_tolerance=None)
    est = _estimates(ctx)
    found = solve_assignment(ctx, est, forbid={H_ROUTE: PREF})
    assert found is not None
    assert found[H_ROUTE] == TOWN
    assert found[S_ROUTE] == TOWN
    assert solve_assignment(ctx, est, fixed={H_ROUTE: "05888"}) is None


def test_a_one_way_exchange_cannot_be_balanced():
    ctx = _ctx(balance_tolerance=0.2)
    est = _estimates(ctx)
    assert solve_assignment(ctx, est, fixed={H_ROUTE: PREF, S_ROUTE: PREF}) is None


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
