"""report.html from a summary in the exchange planner's summary.json shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from snowroute._errors import OutputError
from snowroute.outputs import render_report, save_outputs, save_report
from snowroute.outputs.report import bar_chart
from tests.outputs.chromium import check_page, chromium_path
from tests.outputs.conftest import XSS, XSS_ROUTE, Demo


def _summary(demo: Demo) -> dict[str, Any]:
    """A summary built from the demo plans, as the exchange planner writes it."""
    plans: dict[str, Any] = {}
    for plan in demo.plans:
        entry = plans.setdefault(
            plan.name,
            {
                "deadhead_km": 0.0,
                "service_km": 0.0,
                "total_hours": 0.0,
                "vehicles": 0,
                "valid": True,
                "violations": [],
                "per_admin": {},
                "exchanged": [],
                "pooled_share": None,
            },
        )
        admin = next(iter(plan.vehicle_admin.values()))
        s = plan.solution
        entry["deadhead_km"] += s.deadhead_km
        entry["service_km"] += s.served_km
        entry["total_hours"] += s.duration_s / 3600
        entry["vehicles"] += s.num_routes
        entry["per_admin"][admin] = {
            "own_km": s.served_km,
            "for_others_km": 0.0,
            "handed_over_km": 0.0,
            "deadhead_km": s.deadhead_km,
            "total_hours": s.duration_s / 3600,
            "vehicles": s.num_routes,
            "finish": {"emergency": "05:10", "arterial": "06:20"},
        }
    base = plans["baseline"]
    swapped = plans["swapped"]
    swapped["saving"] = {
        "deadhead_km": base["deadhead_km"] - swapped["deadhead_km"],
        "hours_pct": 100
        * (base["total_hours"] - swapped["total_hours"])
        / base["total_hours"],
    }
    swapped["pooled_share"] = 0.5
    swapped["exchanged"] = [
        {
            "route_id": x.route_id,
            "route_name": XSS_ROUTE,
            "section": x.section,
            "from_admin": x.from_admin,
            "to_admin": x.to_admin,
            "km": x.km,
        }
        for x in demo.exchanged
    ]
    return {
        "scenario": "demo",
        "plans": plans,
        "comparison": [
            {
                "label": "H20 (FY2008, Akita)",
                "up_routes": 44,
                "up_km": 51.2,
                "down_routes": 32,
                "down_km": 42.7,
                "deadhead_saved_km": None,
                "hours_saved": None,
            },
            {
                "label": XSS,
                "up_routes": 0,
                "up_km": 0.0,
                "down_routes": 1,
                "down_km": demo.exchanged[0].km,
                "deadhead_saved_km": 1.5,
                "hours_saved": 0.2,
            },
        ],
    }


NAMES = {
    "05": "秋田県",
    "05201": "秋田市",
    "05211": "<i>潟上市</i>",
    "05361": "五城目町",
}


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Deadhead km", "Per administrator"]),
        ("ja", ["回送距離", "道路管理者別"]),
    ],
)
def test_report_renders_tables_and_charts(
    demo: Demo, lang: str, words: list[str]
) -> None:
    page = render_report(_summary(demo), lang=lang, admin_names=NAMES)
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page
    # two charts: hours by plan, deadhead per administrator by plan
    assert page.count("<svg") == 2
    assert page.count("<rect") >= 2 * 4 + 2  # bars (both plans x 4 admins) + legend
    assert "baseline" in page
    assert "swapped" in page
    assert "H20 (FY2008, Akita)" in page
    assert "05:10" in page


def test_report_escapes_text_from_the_data(demo: Demo) -> None:
    page = render_report(_summary(demo), admin_names=NAMES)
    assert XSS not in page
    assert "<i>潟上市</i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;i&gt;潟上市&lt;/i&gt;" in page
    assert "&#34;q&#34; &#39;r&#39;" in page  # the hostile route name, escaped


def test_report_without_plans_is_an_error() -> None:
    with pytest.raises(OutputError, match="no `plans`"):
        render_report({"scenario": "x"})
    with pytest.raises(ValueError, match="`lang`"):
        render_report({"plans": {"a": {}}}, lang="de")


def test_bar_chart_scales_bars_to_a_round_maximum() -> None:
    chart = bar_chart(["a", "b"], ["x"], {("a", "x"): 30.0, ("b", "x"): 60.0})
    heights = [bar.height for bar in chart.bars]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert chart.ticks[-1][1] == "100"  # 60 rounds up to 100
    assert chart.bars[1].y == pytest.approx(
        chart.top + (chart.bottom - chart.top) * 0.4
    )


def test_report_with_the_map_renders_in_headless_chromium(
    demo: Demo, tmp_path: Path
) -> None:
    if chromium_path() is None:
        pytest.skip(
            "Debian package chromium is not installed; `make test` installs it "
            "(make system-tools)"
        )
    save_outputs(tmp_path, demo.G, demo.plans[2:3])
    path = save_report(
        _summary(demo), tmp_path / "report.html", lang="ja", map_file="map.html"
    )
    report = check_page(
        path.as_uri(),
        expression="({svg: document.querySelectorAll('svg rect').length,"
        " frame: document.querySelector('iframe').getAttribute('src')})",
        screenshot=tmp_path / "report.png",
    )
    assert report.errors == []
    assert report.value["svg"] > 8
    assert report.value["frame"] == "map.html"
