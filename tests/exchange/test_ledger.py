"""The ledger: exchanged roads, pair balance and the balance rule."""

from __future__ import annotations

import pytest

from snowroute.exchange.ledger import Exchange, balance_ok, exchanged, pair_balance
from snowroute.exchange.plans import ExchangeContext, agreement_lines

from .test_run import H_ROUTE, PREF, S_ROUTE, TOWN, _network, _scenario


def _ctx(**exchange: object) -> ExchangeContext:
    return ExchangeContext.from_scenario(_network(), _scenario(**exchange))


@pytest.mark.parametrize(
    ("given", "received", "tolerance", "ok"),
    [
        (1.0, 1.0, 0.0, True),  # equal
        (1.0, 0.8, 0.2, True),  # 20 % apart, at the tolerance
        (1.0, 0.7, 0.2, False),  # 30 % apart
        (5.0, 0.0, None, True),  # no rule
        (0.0, 0.0, 0.1, True),  # nothing exchanged
    ],
)
def test_balance_ok_is_relative_to_the_larger_side(given, received, tolerance, ok):
    assert balance_ok(given, received, tolerance) is ok


def test_a_whole_route_is_one_line_and_a_part_one_line_per_section():
    ctx = _ctx()
    route = f"{PREF}/prefectural/1"
    assignment = dict(ctx.plow)
    for e in ctx.plow:
        if ctx.G.edges[e]["route_id"] == H_ROUTE:
            assignment[e] = PREF
        if ctx.G.edges[e]["section_id"] == f"{route}@2":
            assignment[e] = TOWN
    lines = exchanged(ctx, assignment)
    assert lines == (
        Exchange(route, "1", f"{route}@2", PREF, TOWN, pytest.approx(2.0)),
        Exchange(H_ROUTE, "H", None, TOWN, PREF, pytest.approx(1.0)),
    )


def test_pair_balance_counts_km_and_routes_each_way():
    ctx = _ctx(balance_tolerance=0.1)
    lines = (
        Exchange(S_ROUTE, "9", None, PREF, TOWN, 1.0),
        Exchange(H_ROUTE, "H", None, TOWN, PREF, 0.95),
    )
    (balance,) = pair_balance(ctx, lines)
    assert (balance.a, balance.b) == (PREF, TOWN)
    assert balance.a_to_b_km == 1.0
    assert balance.b_to_a_km == 0.95
    assert (balance.a_to_b_routes, balance.b_to_a_routes) == (1, 1)
    assert balance.ok
    (one_way,) = pair_balance(ctx, lines[:1])
    assert not one_way.ok
    (nothing,) = pair_balance(ctx, ())
    assert nothing.ok


def test_an_exchange_outside_the_partner_pairs_is_never_in_balance():
    ctx = _ctx(balance_tolerance=None)
    lines = (Exchange(S_ROUTE, "9", None, PREF, "05888", 1.0),)
    balances = {(b.a, b.b): b for b in pair_balance(ctx, lines)}
    assert balances[(PREF, TOWN)].ok
    assert not balances[("05", "05888")].ok


def test_the_admin_cost_is_paid_per_agreement_line_not_per_section():
    ctx = _ctx(unit="section")
    route = f"{PREF}/prefectural/1"  # two sections, @1 and @2

    def moving(*sections: str, to: str = TOWN) -> dict:
        return {
            e: to if ctx.G.edges[e]["section_id"] in sections else owner
            for e, owner in ctx.plow.items()
        }

    assert agreement_lines(ctx, dict(ctx.plow)) == 0
    assert agreement_lines(ctx, moving(f"{route}@2")) == 1
    assert agreement_lines(ctx, moving(f"{route}@1", f"{route}@2")) == 1  # whole
    both = moving(f"{route}@2") | {
        e: PREF for e in ctx.plow if ctx.G.edges[e]["route_id"] == H_ROUTE
    }
    assert agreement_lines(ctx, both) == 2
