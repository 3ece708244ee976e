"""The settlement table: work each way per partner pair, the net and who pays."""

from __future__ import annotations

import pytest

from snowroute.actual.settle import Plowing, road_differences, settlement_rows


def _p(
    by: str,
    owner: str,
    road: int,
    km: float = 1.0,
    hours: float = 0.1,
    section: str = "",
) -> Plowing:
    route = f"{owner}/r{road}"
    return Plowing(
        by, owner, ("a", str(road), 0), route, route, section or route, km, hours
    )


AGREED = [
    _p("05", "05201", 1, km=2.0),  # the prefecture plows a municipal road
    _p("05", "05201", 1, km=2.0),  # (a second pass: km once, hours twice)
    _p("05201", "05", 2, km=1.5),  # the city plows a prefectural road
    _p("05201", "05201", 3, km=9.0),  # own roads count for nobody
]


def test_the_plan_against_itself_settles_its_own_figures() -> None:
    (row,) = settlement_rows(AGREED, AGREED, basis="km", rate=1000.0, upper="05")
    assert (row.a, row.b) == ("05", "05201")
    assert row.a_for_b_km_agreed == row.a_for_b_km_actual == 2.0
    assert row.a_for_b_h_actual == pytest.approx(0.2)
    assert row.b_for_a_km_actual == 1.5
    assert row.net == pytest.approx(0.5)
    assert (row.payer, row.payee, row.amount) == ("05201", "05", 500.0)


def test_a_road_left_undone_moves_the_money() -> None:
    actual = [p for p in AGREED if p.by != "05"]
    (row,) = settlement_rows(AGREED, actual, basis="km", rate=1000.0, upper="05")
    assert row.a_for_b_km_actual == 0.0
    assert (row.payer, row.payee, row.amount) == ("05", "05201", 1500.0)
    (diff, *_) = road_differences(AGREED, actual)
    assert (diff.route_id, diff.km_agreed, diff.km_actual) == ("05201/r1", 2.0, 0.0)


def test_a_section_nearly_done_counts_in_full_with_complete_share() -> None:
    agreed = [_p("05", "05201", i, km=1.0, section="s") for i in range(10)]
    actual = agreed[:9]  # 90 % of the section
    (row,) = settlement_rows(agreed, actual, upper="05", complete_share=0.9)
    assert row.a_for_b_km_actual == pytest.approx(10.0)
    (row,) = settlement_rows(agreed, actual, upper="05", complete_share=1.0)
    assert row.a_for_b_km_actual == pytest.approx(9.0)


def test_hours_basis_and_even_pairs() -> None:
    even = [_p("05", "05201", 1, hours=1.0), _p("05201", "05", 2, hours=1.0)]
    (row,) = settlement_rows(even, even, basis="hours", rate=9000.0, upper="05")
    assert row.net == 0.0
    assert (row.payer, row.payee, row.amount) == ("", "", 0.0)
