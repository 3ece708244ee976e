"""The exchange figures as JSON-ready data and as text tables."""

from __future__ import annotations

from snowroute.exchange.compare import REFERENCE, ComparisonRow
from snowroute.exchange.ledger import PairBalance
from snowroute.exchange.summary import (
    clock,
    comparison_dicts,
    comparison_text,
    ledger_text,
    plan_summary,
    price_of_fairness,
)

from .reports import report

BASE = report("baseline", deadhead_km=10.0, total_h=5.0)


def test_price_of_fairness_is_unbalanced_less_optimized():
    fair = report("optimized", deadhead_km=8.0, total_h=4.5)
    free = report("unbalanced", deadhead_km=6.0, total_h=4.0)
    reports = {"baseline": BASE, "optimized": fair, "unbalanced": free}
    assert price_of_fairness(reports) == {"hours": 0.5, "km": 2.0}
    assert price_of_fairness({"baseline": BASE, "optimized": fair}) is None


def test_plan_summary_has_savings_against_the_baseline():
    plan = report(
        "optimized", deadhead_km=8.0, total_h=4.5, finish_s={"arterial": 5400.0}
    )
    data = plan_summary(plan, baseline=BASE, start_s=6 * 3600)
    assert data["saving"] == {
        "deadhead_km": 2.0,
        "deadhead_pct": 20.0,
        "hours": 0.5,
        "hours_pct": 10.0,
    }
    assert "pooled_share" not in data  # not a headline any more (issue 18)
    assert data["about"].startswith("The best exchange found")
    assert data["total"]["finish"] == {"arterial": "07:30"}
    assert data["lower_bound_h"] is None
    alone = plan_summary(plan, baseline=None, start_s=0)
    assert "saving" not in alone


def test_clock_is_hours_and_minutes_after_the_start():
    assert clock(6 * 3600, 90 * 60) == "07:30"


def test_ledger_text_marks_unknown_bounds_and_balance_out_of_tolerance():
    pair = PairBalance("05", "05201", 2.0, 0.0, 1, 0, ok=False)
    given = report("given", deadhead_km=9.0, total_h=4.0, balance=(pair,))
    text = ledger_text({"baseline": BASE, "given": given})
    lines = text.splitlines()
    assert lines[1].split()[:2] == ["plan", "admin"]
    assert "—" in lines[3]  # no lower bound on a hand-made row
    assert "saves 1.00 km deadhead, 1.00 h (20.0 %)" in text
    line = "balance 05→05201 2.00 km, 0.00 h / 05201→05 0.00 km, 0.00 h: by km OUT OF"
    assert line in text
    assert "1 partner pairs out of balance" in text


def test_comparison_table_and_rows_round_their_km():
    rows = (ComparisonRow("mine", 1, 2.34567, 0, 0.0, None, 1.23456),)
    assert comparison_dicts(rows) == [
        {
            "label": "mine",
            "up_routes": 1,
            "up_km": 2.346,
            "down_routes": 0,
            "down_km": 0.0,
            "deadhead_saved_km": None,
            "hours_saved": 1.235,
            "between": "prefecture",
            "up_share": None,
            "down_share": None,
            "road_km_basis": "",
        }
    ]
    assert comparison_dicts(REFERENCE)[1]["up_share"] == round(71.5 / 19966, 6)
    text = comparison_text(rows)
    assert text.splitlines()[-1].split()[:4] == ["mine", "1", "routes", "2.3"]
    assert text.endswith("1.23 h")  # no share, so no note on where road km come from
