"""The council report: report.html from a run's summary, in Japanese or English.

Reads the ``summary.json`` data of the exchange planner (``plans.<name>`` with
``deadhead_km``, ``service_km``, ``total_hours``, ``valid``, ``per_admin``,
``saving``, ``exchanged``; ``comparison`` rows) and renders tables
and inline SVG bar charts with jinja2 (autoescape on), so names from the data are
escaped. Missing parts are left out of the page rather than invented.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jpholiday

from snowroute._clock import parse_clock
from snowroute._errors import OutputError
from snowroute.outputs.figure import ExchangeFigure
from snowroute.outputs.network import excel_text
from snowroute.outputs.text import (
    PLAN_TEXTS,
    PRIORITY_TEXTS,
    REFERENCE_PLANS,
    check_lang,
    date_text,
    fiscal_year_text,
    plan_name,
    template_environment,
    texts,
)
from snowroute.outputs.webmap import PALETTE

__all__ = [
    "agreement",
    "balance_rows",
    "comparison_label",
    "finish_rows",
    "headline",
    "patrol_calendar",
    "render_report",
    "save_exchange_list",
    "save_report",
]


@dataclass(frozen=True, slots=True)
class _Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True, slots=True)
class _Chart:
    """Geometry of a grouped bar chart, drawn as SVG by the template."""

    width: int
    height: int
    bars: tuple[_Bar, ...]
    groups: tuple[tuple[float, str], ...]
    ticks: tuple[tuple[float, str], ...]
    legend: tuple[tuple[str, str], ...]
    top: int
    bottom: int
    left: int


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return float(step * exponent)
    return float(10 * exponent)


def bar_chart(
    groups: Sequence[str],
    series: Sequence[str],
    values: Mapping[tuple[str, str], float],
    *,
    width: int = 720,
    height: int = 280,
) -> _Chart:
    """Lay out a grouped bar chart.

    One group per ``groups`` entry, one bar per ``series`` entry in it; missing
    values are not drawn.
    """
    top, bottom, left, right = 28, 40, 56, 12
    plot_w = width - left - right
    plot_h = height - top - bottom
    peak = _nice_max(max(values.values(), default=0.0))
    group_w = plot_w / max(len(groups), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    bars = []
    for g, group in enumerate(groups):
        for s, name in enumerate(series):
            if (group, name) not in values:
                continue
            value = values[(group, name)]
            h = plot_h * value / peak
            bars.append(
                _Bar(
                    x=left + g * group_w + group_w * 0.1 + s * bar_w,
                    y=top + plot_h - h,
                    width=bar_w * 0.92,
                    height=h,
                    colour=PALETTE[s % len(PALETTE)],
                    title=f"{group} · {name}: {value:,.2f}",
                )
            )
    ticks = tuple(
        (top + plot_h - plot_h * i / 4, f"{peak * i / 4:g}") for i in range(5)
    )
    return _Chart(
        width=width,
        height=height,
        bars=tuple(bars),
        groups=tuple(
            (left + (g + 0.5) * group_w, group) for g, group in enumerate(groups)
        ),
        ticks=ticks,
        legend=tuple(
            (PALETTE[s % len(PALETTE)], name) for s, name in enumerate(series)
        ),
        top=top,
        bottom=height - bottom,
        left=left,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


#: Plans that are exchanges between partners (not the baseline, not the reference).
_EXCHANGE_PLANS = ("given", "optimized", "swapped")


def _clock_s(text: str) -> float:
    """Seconds after midnight of ``HH:MM`` or ``HH:MM+1d``."""
    day = 86_400.0 if text.endswith("+1d") else 0.0
    return float(parse_clock(text.removesuffix("+1d"))) + day


def finish_rows(
    plans: Mapping[str, Any], assumptions: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Return each plan's finish time per priority class against its deadline.

    Rows ``plan, priority, finish, deadline, met, reference`` (``met`` None: no
    deadline; ``reference``: the finish of the plan's same-effort reference, which
    the exchange's service rule compared it with, or empty).
    """
    start = _clock_s(str(assumptions.get("start", "00:00")))
    deadlines = assumptions.get("deadlines") or {}
    rows = []
    for name, plan in plans.items():
        total = plan.get("total") or {}
        finish = total.get("finish") or {}
        finish_s = total.get("finish_s") or {}
        reference = (plan.get("saving") or {}).get("reference_finish") or {}
        for priority, seconds in finish_s.items():
            deadline = deadlines.get(priority)
            met = None
            if deadline:
                due = _clock_s(str(deadline)) - start
                met = float(seconds) <= (due if due >= 0 else due + 86_400.0) + 1e-6
            rows.append(
                {
                    "plan": name,
                    "priority": priority,
                    "finish": finish.get(priority, ""),
                    "deadline": deadline or "",
                    "met": met,
                    "reference": reference.get(priority, ""),
                }
            )
    return rows


def balance_rows(
    plans: Mapping[str, Any], tolerance: float | None
) -> list[dict[str, Any]]:
    """Return the balance of every exchange plan, one row per partner pair.

    ``verdict``: ``balanced``, ``unbalanced`` or ``no_exchange``, whatever the
    plan's validity (a plan can pass every constraint and still be lopsided).
    ``by``: the figure the balance rule compares (``km`` or ``hours`` of the
    taker's fleet); ``difference_pct`` is on that figure.
    """
    rows = []
    for name, plan in plans.items():
        if name not in _EXCHANGE_PLANS:
            continue
        for pair in (plan.get("balance") or {}).values():
            ab, ba = float(pair["a_to_b_km"]), float(pair["b_to_a_km"])
            by = str(pair.get("by") or "km")
            x, y = (
                (float(pair["a_to_b_hours"]), float(pair["b_to_a_hours"]))
                if by == "hours" and "a_to_b_hours" in pair
                else (ab, ba)
            )
            if ab == 0 and ba == 0:
                verdict = "no_exchange"
            else:
                verdict = "balanced" if pair.get("ok") else "unbalanced"
            rows.append(
                {
                    "plan": name,
                    "a": pair["a"],
                    "b": pair["b"],
                    "a_to_b_km": ab,
                    "b_to_a_km": ba,
                    "a_to_b_hours": pair.get("a_to_b_hours"),
                    "b_to_a_hours": pair.get("b_to_a_hours"),
                    "a_to_b_routes": pair.get("a_to_b_routes", 0),
                    "b_to_a_routes": pair.get("b_to_a_routes", 0),
                    "by": by,
                    "difference_pct": 100 * abs(x - y) / max(x, y, 1e-9),
                    "verdict": verdict,
                    "tolerance_pct": None if tolerance is None else 100 * tolerance,
                }
            )
    return rows


def agreement(exchanged: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Group an exchange list by direction (owner → who plows), numbered 1..n.

    Each group: ``from``, ``to``, ``rows`` (``no``, ``route``, ``section``, ``km``,
    ``hours``: the plow-hours of the administrator who takes it over), ``km``,
    ``hours`` and ``routes`` in total.
    """
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in exchanged:
        groups.setdefault((str(row["from_admin"]), str(row["to_admin"])), []).append(
            row
        )
    out = []
    number = 0
    for (frm, to), rows in sorted(groups.items()):
        items = []
        for row in rows:  # in the summary's order, as exchange_figure numbers them
            number += 1
            items.append(
                {
                    "no": number,
                    "route": row.get("route_name") or row["route_id"],
                    "route_id": row["route_id"],
                    "section": row.get("section") or "",
                    "km": float(row.get("km") or 0.0),
                    "hours": float(row.get("hours") or 0.0),
                }
            )
        out.append(
            {
                "from": frm,
                "to": to,
                "rows": items,
                "km": math.fsum(i["km"] for i in items),
                "hours": math.fsum(i["hours"] for i in items),
                "routes": len({i["route_id"] for i in items}),
            }
        )
    return out


def headline(
    plans: Mapping[str, Any],
    assumptions: Mapping[str, Any],
    t: Mapping[str, str],
    lang: str,
) -> list[str]:
    """Return the first sentences: what the best exchange plan saves.

    The optimised plan, else the agreed list, when it saves time; otherwise the
    report says that no exchange improves on the baseline.
    """
    end = "。" if lang == "ja" else "."
    saving_plans = [
        name
        for name in ("optimized", "given", "swapped")
        if name in plans
        and float((plans[name].get("saving") or {}).get("hours") or 0.0) > 0
    ]
    candidates = [
        n for n in saving_plans if plans[n]["saving"].get("significant") is not False
    ]
    if not candidates and saving_plans:  # savings, but all inside the noise
        noisy = plans[saving_plans[0]]["saving"]
        return [
            t["headline_noise"].format(
                plan=plan_name(saving_plans[0], lang),
                hours=float(noisy["hours"]),
                band=float(noisy["band_hours"]),
                seeds=noisy["band_seeds"],
            )
            + end
        ]
    if not candidates:
        return [t["headline_none"] + end]
    name = candidates[0]
    saving = plans[name]["saving"]
    text = t["headline_saving"].format(
        plan=plan_name(name, lang),
        km=float(saving["deadhead_km"]),
        hours=float(saving["hours"]),
        pct=float(saving["hours_pct"]),
    )
    if "band_hours" in saving:
        text += t["headline_band"].format(
            band=float(saving["band_hours"]), seeds=saving["band_seeds"]
        )
    days = assumptions.get("plowing_days")
    if days:
        text += t["headline_season"].format(
            days=days,
            season_h=float(saving["hours"]) * days,
            season_km=float(saving["deadhead_km"]) * days,
        )
    lines = [text + end]
    missed = [
        r for r in finish_rows({name: plans[name]}, assumptions) if r["met"] is False
    ]
    lines.append(
        t["headline_finish_missed"].format(n=len(missed))
        if missed
        else t["headline_finish_ok"]
    )
    bad = [
        r
        for r in balance_rows({name: plans[name]}, None)
        if r["verdict"] == "unbalanced"
    ]
    lines.append(
        t["headline_balance_bad"].format(n=len(bad))
        if bad
        else t["headline_balance_ok"]
    )
    return lines


def comparison_label(label: str, lang: str) -> str:
    """Translate a comparison label: ``H20 (FY2008, Akita)`` → 平成20年度.

    >>> comparison_label("H21 (FY2009 plan, Akita)", "ja")
    '平成21年度計画（秋田県）'
    >>> comparison_label("scenario: optimized", "ja")
    '本シナリオ：最適化案'
    >>> comparison_label("scenario: given, municipality↔municipality", "ja")
    '本シナリオ：協定案（市町村間）'
    """
    match = re.fullmatch(r"H\d+ \(FY(\d{4})( plan)?, ([^)]*)\)", label)
    if match:
        year = fiscal_year_text(int(match.group(1)), lang)
        if lang == "en":
            return f"{year}{' plan' if match.group(2) else ''}, {match.group(3)}"
        place = {"Akita": "秋田県"}.get(match.group(3), match.group(3))
        return f"{year}{'計画' if match.group(2) else ''}（{place}）"
    if label.startswith("scenario: "):
        name, _, between = label.removeprefix("scenario: ").partition(", ")
        plan = plan_name(name, lang)
        if lang == "ja":
            return f"本シナリオ：{plan}" + ("（市町村間）" if between else "")
        return f"this scenario: {plan}" + (f", {between}" if between else "")
    return label


def patrol_calendar(patrol: Mapping[str, Any], lang: str) -> dict[str, Any] | None:
    """Return which section is patrolled on which day (holidays marked)."""
    days = patrol.get("days") or []
    if not days:
        return None
    dates = [dt.date.fromisoformat(str(d["date"])) for d in days]
    sections = sorted({s for d in days for s in d.get("sections") or []})
    return {
        "days": [
            {
                "date": date_text(date, lang),
                "off": bool(d.get("off")),
                "holiday": jpholiday.is_holiday(date),
                "weekend": date.weekday() >= 5,
            }
            for date, d in zip(dates, days, strict=True)
        ],
        "rows": [
            (s, [s in set(d.get("sections") or []) for d in days]) for s in sections
        ],
    }


def render_report(
    summary: Mapping[str, Any],
    *,
    lang: str = "en",
    admin_names: Mapping[str, str] | None = None,
    map_file: str | None = None,
    patrol: Mapping[str, Any] | None = None,
    assumptions: Mapping[str, Any] | None = None,
    figures: Mapping[str, ExchangeFigure] | None = None,
) -> str:
    """Render the report page of ``summary`` (the data of ``summary.json``).

    Parameters
    ----------
    summary
        Run summary with ``plans`` (and optionally ``scenario``, ``comparison``).
    lang
        ``"en"`` or ``"ja"``: every word, date, plan, class and year in it.
    admin_names
        Display names of administrator ids.
    map_file
        Relative path of the web map to link (``"map.html"``), or ``None``.
    patrol
        The patrol plan (the data of ``patrol.json``): compliance and days.
    assumptions
        What the plans assume: ``start``, ``deadlines``, ``vehicles`` (rows),
        ``plowing_days``, ``unit``, ``engine``, ``description``.
    figures
        A map figure of the exchanged sections per plan (:func:`exchange_figure`).

    Raises
    ------
    OutputError
        When ``summary`` has no ``plans`` mapping.
    ValueError
        When ``lang`` is not ``en`` or ``ja``.
    """
    check_lang(lang)
    plans = summary.get("plans")
    if not isinstance(plans, Mapping) or not plans:
        msg = "The summary has no `plans` to report."
        raise OutputError(msg)
    page = _page(summary, plans, lang, dict(admin_names or {}), dict(assumptions or {}))
    return (
        template_environment()
        .get_template("report.html.j2")
        .render(
            **page,
            figures=figures or {},
            map_file=map_file,
            patrol=patrol,
            calendar=None if patrol is None else patrol_calendar(patrol, lang),
            patrol_dates={
                str(d["date"]): date_text(dt.date.fromisoformat(str(d["date"])), lang)
                for d in (patrol or {}).get("days") or []
            },
        )
    )


def _page(
    summary: Mapping[str, Any],
    plans: Mapping[str, Any],
    lang: str,
    names: dict[str, str],
    facts: dict[str, Any],
) -> dict[str, Any]:
    """Return the template's values for the plans of ``summary``."""
    t = texts(lang, "report")
    admins = _first_seen(
        admin for plan in plans.values() for admin in plan.get("per_admin") or {}
    )
    shown = {name: plan_name(name, lang) for name in plans}
    deadhead, hours = _chart_values(plans, names, shown)
    labels = [names.get(a) or a for a in admins]
    series = list(shown.values())
    return {
        "t": t,
        "lang": lang,
        "summary": summary,
        "plans": plans,
        "admins": admins,
        "names": names,
        "plan_texts": PLAN_TEXTS[lang],
        "reference_plans": REFERENCE_PLANS,
        "priorities": PRIORITY_TEXTS[lang],
        "headline": headline(plans, facts, t, lang),
        "assumptions": facts,
        "finish": finish_rows(plans, facts),
        "balance": balance_rows(plans, summary.get("balance_tolerance")),
        "agreements": {
            name: agreement(plan.get("exchanged") or [])
            for name, plan in plans.items()
            if plan.get("exchanged")
        },
        "chart_deadhead": bar_chart(labels, series, deadhead) if deadhead else None,
        "chart_hours": bar_chart([""], series, hours, height=220) if hours else None,
        "comparison": [
            {**row, "label": comparison_label(str(row.get("label", "")), lang)}
            for row in summary.get("comparison") or []
        ],
        "number": _number,
    }


def _first_seen(items: Iterable[str]) -> list[str]:
    """Return the distinct ``items`` in the order they first appear."""
    return list(dict.fromkeys(items))


def _chart_values(
    plans: Mapping[str, Any], names: Mapping[str, str], shown: Mapping[str, str]
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Deadhead km per (administrator, plan) and total hours per plan.

    Keys hold the display names: ``names`` of administrators, ``shown`` of plans.
    """
    deadhead = {
        (names.get(a) or a, shown[name]): float(row["deadhead_km"])
        for name, plan in plans.items()
        for a, row in (plan.get("per_admin") or {}).items()
        if _number(row.get("deadhead_km")) is not None
    }
    hours = {
        ("", shown[name]): float(plan["total_hours"])
        for name, plan in plans.items()
        if _number(plan.get("total_hours")) is not None
    }
    return deadhead, hours


#: Columns of ``exchange_list.csv`` in each language (the agreement's table).
_LIST_COLUMNS = {
    "en": (
        "plan",
        "no",
        "route",
        "route_id",
        "section",
        "km",
        "plow_hours",
        "from_admin",
        "from_name",
        "to_admin",
        "to_name",
    ),
    "ja": (
        "計画",
        "番号",
        "路線",
        "路線ID",
        "区間",
        "延長km",
        "除雪時間h",
        "道路管理者",
        "道路管理者名",
        "除雪担当",
        "除雪担当名",
    ),
}


def save_exchange_list(
    summary: Mapping[str, Any],
    path: str | Path,
    *,
    lang: str = "en",
    admin_names: Mapping[str, str] | None = None,
) -> Path:
    """Write every plan's exchange list as the agreement's table (CSV for Excel).

    One row per agreement line, numbered as in the report: 路線, 区間 (empty: the
    whole route), 延長 km, the plow-hours of the administrator who takes it over,
    and from whom to whom (codes kept as text for Excel, with names). The
    reference plans (:data:`REFERENCE_PLANS`) are not agreements and are left out.

    Raises
    ------
    ValueError
        When ``lang`` is not a known language.
    """
    check_lang(lang)
    names = admin_names or {}
    rows = []
    for plan, figures in summary.get("plans", {}).items():
        if plan in REFERENCE_PLANS:
            continue
        for group in agreement(figures.get("exchanged") or []):
            for x in group["rows"]:
                rows.append(
                    (
                        plan,
                        x["no"],
                        x["route"],
                        x["route_id"],
                        x["section"],
                        round(x["km"], 3),
                        round(x["hours"], 3),
                        excel_text(group["from"]),
                        names.get(group["from"], ""),
                        excel_text(group["to"]),
                        names.get(group["to"], ""),
                    )
                )
    target = Path(path)
    with target.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_LIST_COLUMNS[lang])
        writer.writerows(rows)
    return target


def save_report(
    summary: Mapping[str, Any],
    path: str | Path,
    *,
    lang: str = "en",
    admin_names: Mapping[str, str] | None = None,
    map_file: str | None = None,
    patrol: Mapping[str, Any] | None = None,
    assumptions: Mapping[str, Any] | None = None,
    figures: Mapping[str, ExchangeFigure] | None = None,
) -> Path:
    """Write :func:`render_report` to ``path``.

    Raises
    ------
    OutputError, ValueError
        As :func:`render_report`.
    """
    text = render_report(
        summary,
        lang=lang,
        admin_names=admin_names,
        map_file=map_file,
        patrol=patrol,
        assumptions=assumptions,
        figures=figures,
    )
    target = Path(path)
    target.write_text(text, encoding="utf-8")
    return target
