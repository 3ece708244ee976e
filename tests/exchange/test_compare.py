"""The comparison with the prefecture's H20/H21 exchange figures."""

from __future__ import annotations

import pytest

from snowroute.exchange.compare import REFERENCE, comparison_rows, in_akita
from snowroute.exchange.ledger import Exchange

from .reports import report

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
    reports = {
        "given": report("given", deadhead_km=1.0, total_h=1.0, exchanges=(DOWN,))
    }
    rows = comparison_rows(reports, upper="WI", reference=in_akita(["WI", "dane"]))
    assert [r.label for r in rows] == ["scenario: given"]
    assert in_akita(["05", "05201"])
    assert not in_akita(["050", "15201", "middleton"])
