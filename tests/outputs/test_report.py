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
        entry["total"] = {
            "finish": {"emergency": "05:10", "arterial": "06:20"},
            "finish_s": {"emergency": 7800.0, "arterial": 12000.0},
        }
    base = plans["baseline"]
    swapped = plans["swapped"]
    # the few-iteration fixture plans are not converged: a saving as a run gives it
    swapped["saving"] = {
        "deadhead_km": 1.5,
        "hours": 0.4,
        "hours_pct": 100 * 0.4 / base["total_hours"],
    }
    swapped["pooled_share"] = 0.5
    swapped["balance"] = {
        "05-05201": {
            "a": "05",
            "b": "05201",
            "a_to_b_km": demo.exchanged[0].km,
            "b_to_a_km": 0.0,
            "a_to_b_routes": 1,
            "b_to_a_routes": 0,
            "ok": False,
        },
        "05-05211": {
            "a": "05",
            "b": "05211",
            "a_to_b_km": 0.0,
            "b_to_a_km": 0.0,
            "a_to_b_routes": 0,
            "b_to_a_routes": 0,
            "ok": True,
        },
    }
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
        "balance_tolerance": 0.2,
        "unit": "route",
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


#: What the plans assume (as pipeline.report_assumptions gives it).
FACTS = {
    "start": "03:00",
    "deadlines": {"emergency": "06:30", "arterial": "06:00"},
    "plowing_days": 40,
    "vehicles": [
        {
            "id": "akita-dozer",
            "admin": "05201",
            "kind": "dozer",
            "count": 3,
            "depot": "秋田市 中央除雪センター",
            "plow_speed_kph": 12.0,
            "deadhead_speed_kph": 30.0,
            "shift_h": 6.0,
        }
    ],
}


def _visible(page: str) -> str:
    """The text a reader sees: no tags, no style sheet."""
    import re

    body = page.split("</style>", 1)[1]
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            [
                "In short",
                "Assumptions",
                "wheel-loader dozer",
                "Balance between partners",
                "OUT OF TOLERANCE",
                "no exchange",
                "Finish time per priority class",
                "MISSED",
                "Exchange list",
                "秋田県 roads plowed by 秋田市",
                "FY2008, Akita",
                "per season of 40 plowing days",
            ],
        ),
        (
            "ja",
            [
                "要旨",
                "前提条件",
                "除雪ドーザ",
                "相手方ごとの均衡",
                "許容範囲外",
                "優先区分別の完了時刻",
                "緊急路線",
                "未達",
                "達成",
                "交換除雪路線一覧",
                "秋田県の道路を秋田市が除雪",
                "平成20年度（秋田県）",
                "現行",
                "交換案",
            ],
        ),
    ],
)
def test_report_renders_headline_assumptions_balance_deadlines_and_agreement(
    demo: Demo, lang: str, words: list[str]
) -> None:
    page = render_report(
        _summary(demo), lang=lang, admin_names=NAMES, assumptions=FACTS
    )
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page, word
    # two charts: hours by plan, deadhead per administrator by plan
    assert page.count("<svg") == 2
    assert page.count("<rect") >= 2 * 4 + 2  # bars (both plans x 4 admins) + legend
    assert "05:10" in page
    if lang == "ja":  # Japanese throughout: no plan, class or year ids in the text
        text = _visible(page)
        for english in ("baseline", "swapped", "emergency", "arterial", "H20", "FY"):
            assert english not in text, english


def test_report_balance_has_its_own_verdict_apart_from_validity(demo: Demo) -> None:
    from snowroute.outputs.report import balance_rows, finish_rows

    summary = _summary(demo)
    rows = balance_rows(summary["plans"], 0.2)
    assert [r["verdict"] for r in rows] == ["unbalanced", "no_exchange"]
    assert summary["plans"]["swapped"]["valid"] is True  # valid, yet lopsided
    finish = {
        (r["plan"], r["priority"]): r["met"]
        for r in finish_rows(summary["plans"], FACTS)
    }
    assert finish[("baseline", "emergency")] is True
    assert finish[("baseline", "arterial")] is False  # 06:20 against 06:00


def test_report_finish_table_shows_the_reference_the_service_was_checked_against(
    demo: Demo,
) -> None:
    from snowroute.outputs.report import finish_rows

    summary = _summary(demo)
    header = "Same-effort reference"
    assert header not in render_report(summary, admin_names=NAMES)
    reference = {"emergency": "05:20", "arterial": "06:50"}
    summary["plans"]["swapped"]["saving"]["reference_finish"] = reference
    rows = finish_rows(summary["plans"], FACTS)
    assert {(r["plan"], r["priority"]): r["reference"] for r in rows} == {
        ("baseline", "emergency"): "",
        ("baseline", "arterial"): "",
        ("swapped", "emergency"): "05:20",
        ("swapped", "arterial"): "06:50",
    }
    page = render_report(summary, admin_names=NAMES)
    assert header in page
    assert "06:50" in page


def test_report_figure_draws_the_exchanged_sections(demo: Demo) -> None:
    from snowroute.outputs import exchange_figure

    figure = exchange_figure(demo.G, list(demo.exchanged))
    assert len(figure.sections) == 1
    assert figure.network.count("M") > 500
    page = render_report(_summary(demo), admin_names=NAMES, figures={"swapped": figure})
    assert page.count("<svg") == 3
    assert 'class="figure"' in page


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
    from snowroute.outputs import exchange_figure
    from tests.outputs.test_browser import keep_screenshot

    save_outputs(tmp_path, demo.G, demo.plans[2:3])
    figures = {"swapped": exchange_figure(demo.G, list(demo.exchanged))}
    for lang in ("ja", "en"):
        path = save_report(
            _summary(demo),
            tmp_path / f"report-{lang}.html",
            lang=lang,
            map_file="map.html",
            admin_names=NAMES,
            assumptions=FACTS,
            figures=figures,
        )
        shot = tmp_path / f"report-{lang}.png"
        report = check_page(
            path.as_uri(),
            expression="({svg: document.querySelectorAll('svg rect').length,"
            " figure: document.querySelectorAll('svg.figure path').length,"
            " link: document.querySelector('a.maplink').getAttribute('href')})",
            screenshot=shot,
            pdf=tmp_path / f"report-{lang}.pdf",
            full_page=True,
        )
        keep_screenshot(shot)
        assert report.errors == []
        assert report.value["svg"] > 8
        assert report.value["figure"] >= 2  # the network and the section
        assert report.value["link"] == "map.html"
        assert report.pdf_pages is not None
        assert 2 <= report.pdf_pages <= 12


def test_figure_numbers_the_sections_as_the_exchange_list_does(demo: Demo) -> None:
    from snowroute.network import attributes as A
    from snowroute.outputs import ExchangedSection, exchange_figure
    from snowroute.outputs.report import agreement

    routes = sorted(
        {str(d[A.ROUTE_ID]) for _, _, d in demo.G.edges(data=True) if A.ROUTE_ID in d}
    )[:4]
    directions = [("05201", "05"), ("05", "05201"), ("05201", "05"), ("05", "05211")]
    rows = [
        {"route_id": r, "section": None, "from_admin": a, "to_admin": b, "km": 1.0}
        for r, (a, b) in zip(routes, directions, strict=True)
    ]
    listed = {
        x["no"]: x["route_id"] for group in agreement(rows) for x in group["rows"]
    }
    figure = exchange_figure(
        demo.G,
        [
            ExchangedSection(
                r["route_id"], r["route_id"], r["from_admin"], r["to_admin"], 1.0
            )
            for r in rows
        ],
    )
    drawn = {number: section for number, *_, section in figure.sections}
    assert drawn == listed


def test_patrol_calendar_marks_days_off_and_public_holidays() -> None:
    from snowroute.outputs.report import patrol_calendar

    patrol = {
        "days": [
            {"date": "2026-11-22", "off": False, "sections": ["a", "b"]},
            {"date": "2026-11-23", "off": True, "sections": []},  # 勤労感謝の日
            {"date": "2026-11-24", "off": False, "sections": ["b"]},
        ]
    }
    calendar = patrol_calendar(patrol, "ja")
    assert calendar is not None
    assert [d["date"] for d in calendar["days"]] == [
        "11月22日(日)",
        "11月23日(月)",
        "11月24日(火)",
    ]
    assert [d["holiday"] for d in calendar["days"]] == [False, True, False]
    assert [d["off"] for d in calendar["days"]] == [False, True, False]
    assert calendar["rows"] == [("a", [True, False, False]), ("b", [True, False, True])]


def test_headline_says_so_when_no_exchange_saves_time() -> None:
    from snowroute.outputs.report import headline
    from snowroute.outputs.text import texts

    plans = {
        "baseline": {},
        "optimized": {"saving": {"deadhead_km": 0.0, "hours": 0.0, "hours_pct": 0.0}},
    }
    (line,) = headline(plans, {}, texts("ja", "report"), "ja")
    assert line.startswith("各管理者が自らの道路を除雪する現行の計画を改善する")
    plans["optimized"]["saving"] = {"deadhead_km": 2.0, "hours": 0.5, "hours_pct": 2.5}
    lines = headline(plans, {"plowing_days": 40}, texts("en", "report"), "en")
    assert lines[0].startswith("The Optimised exchange saves 2.0 km")
    assert "20.0 h and 80 km per season of 40 plowing days" in lines[0]


def test_headline_never_announces_a_saving_inside_the_noise() -> None:
    from snowroute.outputs.report import headline
    from snowroute.outputs.text import texts

    saving = {"deadhead_km": 2.3, "hours": 0.06, "hours_pct": 0.3}
    band = {"band_hours": 0.19, "band_seeds": 3}
    plans = {"optimized": {"saving": saving | band | {"significant": False}}}
    (line,) = headline(plans, {}, texts("en", "report"), "en")
    assert "inside the search's own noise (0.19 h over 3 seeds)" in line
    assert "not a significant saving" in line
    (ja,) = headline(plans, {}, texts("ja", "report"), "ja")
    assert "有意な削減とはいえません" in ja
    plans["optimized"]["saving"] |= {"hours": 0.5, "significant": True}
    lines = headline(plans, {}, texts("en", "report"), "en")
    assert "beyond the search's noise band of 0.19 h over 3 seeds" in lines[0]


def test_exchange_list_csv_is_the_agreements_table(tmp_path):
    from snowroute.outputs import save_exchange_list

    line = {
        "route_id": "05/prefectural/303",
        "route_name": "県道303号",
        "section": None,
        "from_admin": "05",
        "to_admin": "05201",
        "km": 0.94,
        "hours": 0.16,
    }
    back = line | {"route_id": "05201/municipal/豊岩", "route_name": "豊岩線"}
    back |= {"from_admin": "05201", "to_admin": "05", "km": 0.96, "hours": 0.04}
    summary = {
        "plans": {
            "baseline": {"exchanged": []},
            "optimized": {"exchanged": [line, back]},
            "pooled": {"exchanged": [line]},  # a reference, not an agreement
        }
    }
    names = {"05": "秋田県", "05201": "秋田市"}
    path = save_exchange_list(summary, tmp_path / "x.csv", lang="ja", admin_names=names)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = raw.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("計画,番号,路線,路線ID,区間,延長km,除雪時間h")
    assert rows[1:] == [
        'optimized,1,県道303号,05/prefectural/303,,0.94,0.16,"=""05""",秋田県,'
        '"=""05201""",秋田市',
        'optimized,2,豊岩線,05201/municipal/豊岩,,0.96,0.04,"=""05201""",秋田市,'
        '"=""05""",秋田県',
    ]
