"""The comparison with the prefecture's H20/H21 exchange figures."""

from __future__ import annotations

import dataclasses

import pytest

from snowroute.exchange.compare import REFERENCE, comparison_rows, in_akita
from snowroute.exchange.ledger import Exchange
from snowroute.exchange.summary import comparison_text

from .reports import report, row

UP = Exchange("05201/municipal/a", "a", None, "05201", "05", 2.0)
UP_PART = Exchange("05201/municipal/b", "b", "05201/municipal/b@1", "05201", "05", 0.5)
DOWN = Exchange("05/prefectural/9", "9", None, "05", "05201", 1.5)


def test_published_rows_come_first_then_given_and_optimized():
    reports = {
        "baseline": report("baseline", deadhead_km=10.0, total_h=5.0),
        "optimized": report(
            "optimized", deadhead_km=7.5, total_h=4.25, exchanges=(UP, UP_PART, DOWN)
        ),
        "pooled": report("pooled", deadhead_km=5.0, total_h=4.0),
    }
    rows = comparison_rows(reports, upper="05")
    assert rows[: len(REFERENCE)] == REFERENCE
    (mine,) = rows[len(REFERENCE) :]
    assert mine.label == "scenario: optimized"
    assert (mine.up_routes, mine.up_km) == (2, pytest.approx(2.5))
    assert (mine.down_routes, mine.down_km) == (1, pytest.approx(1.5))
    assert mine.deadhead_saved_km == pytest.approx(2.5)
    assert mine.hours_saved == pytest.approx(0.75)


def test_without_a_prefecture_up_is_towards_the_smaller_id():
    reports = {
        "given": report("given", deadhead_km=1.0, total_h=1.0, exchanges=(DOWN,))
    }
    (mine,) = comparison_rows(reports, upper=None)[len(REFERENCE) :]
    assert (mine.up_routes, mine.down_routes) == (0, 1)
    assert mine.deadhead_saved_km is None  # no baseline to save against
    assert mine.hours_saved is None


def test_akitas_figures_stand_only_beside_akitas_administrators():
    state_down = Exchange("WI/state/12", "12", None, "WI", "dane", 1.5)
    reports = {
        "given": report("given", deadhead_km=1.0, total_h=1.0, exchanges=(state_down,))
    }
    rows = comparison_rows(reports, upper="WI", reference=in_akita(["WI", "dane"]))
    assert [r.label for r in rows] == ["scenario: given"]
    assert in_akita(["05", "05201"])
    assert not in_akita(["050", "15201", "middleton"])


def test_published_shares_use_the_only_road_km_given_and_say_so():
    h21 = REFERENCE[1]
    assert h21.up_share == pytest.approx(71.5 / 19966.0)
    assert h21.down_share == pytest.approx(51.9 / (879.0 + 2372.0))
    assert "2016-04-01" in h21.road_km_basis
    assert "not given" in h21.road_km_basis


def _with_roads(name: str, exchanges: tuple[Exchange, ...] = ()):
    """A report whose rows give the prefecture 100 km and two towns 150 and 50 km."""
    base = report(name, deadhead_km=10.0, total_h=5.0, exchanges=exchanges)
    rows = (
        row("05", deadhead_km=5.0, total_h=2.0, own_km=100.0),
        row("05201", deadhead_km=3.0, total_h=2.0, own_km=150.0),
        row("05211", deadhead_km=2.0, total_h=1.0, own_km=50.0),
    )
    return dataclasses.replace(base, rows=rows)


def test_municipal_exchanges_get_a_line_of_their_own_with_shares():
    between = Exchange("05211/municipal/c", "c", None, "05211", "05201", 1.0)
    reports = {
        "baseline": _with_roads("baseline"),
        "optimized": _with_roads("optimized", (UP, DOWN, between)),
    }
    main, towns = comparison_rows(reports, upper="05", reference=False)
    assert (main.up_routes, main.down_routes) == (1, 1)
    assert main.up_share == pytest.approx(2.0 / 200.0)  # of the towns' 200 km
    assert main.down_share == pytest.approx(1.5 / 100.0)  # of the prefecture's km
    assert towns.between == "municipalities"
    assert towns.label == "scenario: optimized, municipality↔municipality"
    assert (towns.up_routes, towns.up_km) == (1, pytest.approx(1.0))  # to 05201
    assert towns.down_routes == 0
    assert towns.hours_saved is None  # the plan's saving stands on its main line
    text = comparison_text((*REFERENCE, main, towns))
    assert "1.00 %" in text  # 2 km of the towns' 200
    assert "municipality↔municipality" in text
    assert "FY2008/FY2009 km are not given" in text


def test_without_municipal_exchanges_there_is_no_municipal_line():
    reports = {
        "baseline": _with_roads("baseline"),
        "given": _with_roads("given", (UP,)),
    }
    (line,) = comparison_rows(reports, upper="05", reference=False)
    assert line.between == "prefecture"
