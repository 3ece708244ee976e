"""The council report: report.html from a run's summary, in Japanese or English.

Reads the ``summary.json`` data of the exchange planner (``plans.<name>`` with
``deadhead_km``, ``service_km``, ``total_hours``, ``valid``, ``per_admin``,
``saving``, ``pooled_share``, ``exchanged``; ``comparison`` rows) and renders tables
and inline SVG bar charts with jinja2 (autoescape on), so names from the data are
escaped. Missing parts are left out of the page rather than invented.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snowroute._errors import OutputError
from snowroute.outputs.sheets import template_environment
from snowroute.outputs.webmap import PALETTE

__all__ = ["render_report", "save_report"]

_TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Snow clearing plans: report",
        "scenario": "Scenario",
        "plans": "Plans",
        "plan": "Plan",
        "deadhead_km": "Deadhead km",
        "service_km": "Plowed km",
        "total_hours": "Total hours",
        "vehicles": "Vehicles",
        "valid": "Checked",
        "yes": "valid",
        "no": "NOT valid",
        "saving": "Saving vs baseline (deadhead km, time %)",
        "whole_route": "whole route",
        "pooled_share": "Share of pooled saving",
        "per_admin": "Per administrator",
        "admin": "Administrator",
        "own_km": "Own roads km",
        "for_others_km": "For others km",
        "handed_over_km": "Handed over km",
        "finish": "Finish by priority class",
        "chart_deadhead": "Deadhead km per administrator by plan",
        "chart_hours": "Total hours by plan",
        "exchanged": "Exchanged sections",
        "route": "Route",
        "section": "Section",
        "from": "From",
        "to": "To",
        "km": "km",
        "comparison": "Exchange each way: published figures and this scenario",
        "label": "",
        "up": "Prefecture plows municipal roads",
        "down": "Municipalities plow prefectural roads",
        "routes": "routes",
        "deadhead_saved": "Deadhead saved km",
        "hours_saved": "Hours saved",
        "map": "Map",
        "violations": "Violations",
        "none": "none",
        "patrol": "Road patrol",
        "days": "days",
        "sections_compliant": "Sections meeting their frequency",
        "structures_scheduled": "Structures due and scheduled",
        "total_km": "Total km driven",
        "day_spread": "km per patrol day (min-max)",
        "date": "Date",
        "sections": "Sections",
        "structures": "Structures",
    },
    "ja": {
        "title": "除雪計画レポート",
        "scenario": "シナリオ",
        "plans": "計画",
        "plan": "計画",
        "deadhead_km": "回送距離 km",
        "service_km": "除雪距離 km",
        "total_hours": "総作業時間 h",
        "vehicles": "車両数",
        "valid": "検証",
        "yes": "適合",
        "no": "不適合",
        "saving": "基準計画からの削減（回送 km、時間 %）",
        "whole_route": "路線全体",
        "pooled_share": "共同化効果の達成率",
        "per_admin": "道路管理者別",
        "admin": "道路管理者",
        "own_km": "自管理道路 km",
        "for_others_km": "他管理者分 km",
        "handed_over_km": "委託した道路 km",
        "finish": "優先区分別の完了時刻",
        "chart_deadhead": "計画別・道路管理者別の回送距離 km",
        "chart_hours": "計画別の総作業時間 h",
        "exchanged": "交換区間",
        "route": "路線",
        "section": "区間",
        "from": "管理者",
        "to": "作業担当",
        "km": "km",
        "comparison": "交換除雪の規模：公表値と本シナリオ",
        "label": "",
        "up": "県が市町村道を除雪",
        "down": "市町村が県道を除雪",
        "routes": "路線",
        "deadhead_saved": "回送削減 km",
        "hours_saved": "時間削減 h",
        "map": "地図",
        "violations": "違反",
        "none": "なし",
        "patrol": "道路パトロール",
        "days": "日間",
        "sections_compliant": "頻度を満たす区間",
        "structures_scheduled": "点検予定の構造物（期限内）",
        "total_km": "総走行距離 km",
        "day_spread": "1日あたり走行距離 km（最小-最大）",
        "date": "日付",
        "sections": "区間数",
        "structures": "構造物",
    },
}


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


def render_report(
    summary: Mapping[str, Any],
    *,
    lang: str = "en",
    admin_names: Mapping[str, str] | None = None,
    map_file: str | None = None,
    patrol: Mapping[str, Any] | None = None,
) -> str:
    """Render the report page of ``summary`` (the data of ``summary.json``).

    Parameters
    ----------
    summary
        Run summary with ``plans`` (and optionally ``scenario``, ``comparison``).
    lang
        ``"en"`` or ``"ja"``.
    admin_names
        Display names of administrator ids.
    map_file
        Relative path of the web map to embed (``"map.html"``), or ``None``.
    patrol
        The patrol plan (the data of ``patrol.json``): compliance and days.

    Raises
    ------
    OutputError
        When ``summary`` has no ``plans`` mapping.
    ValueError
        When ``lang`` is not ``en`` or ``ja``.
    """
    if lang not in _TEXT:
        msg = f"`lang` must be one of {', '.join(_TEXT)}, got {lang!r}."
        raise ValueError(msg)
    plans = summary.get("plans")
    if not isinstance(plans, Mapping) or not plans:
        msg = "The summary has no `plans` to report."
        raise OutputError(msg)
    names = admin_names or {}
    admins = _first_seen(
        admin for plan in plans.values() for admin in plan.get("per_admin") or {}
    )
    priorities = _first_seen(
        key
        for plan in plans.values()
        for row in (plan.get("per_admin") or {}).values()
        for key in row.get("finish") or {}
    )
    deadhead, hours = _chart_values(plans, names)
    labels = [f"{a} {names.get(a, '')}".strip() for a in admins]
    env = template_environment()
    return env.get_template("report.html.j2").render(
        t=_TEXT[lang],
        lang=lang,
        summary=summary,
        plans=plans,
        admins=admins,
        names=names,
        priorities=priorities,
        chart_deadhead=bar_chart(labels, list(plans), deadhead) if deadhead else None,
        chart_hours=bar_chart([""], list(plans), hours, height=220) if hours else None,
        comparison=summary.get("comparison") or [],
        map_file=map_file,
        patrol=patrol,
        number=_number,
    )


def _first_seen(items: Iterable[str]) -> list[str]:
    """Return the distinct ``items`` in the order they first appear."""
    return list(dict.fromkeys(items))


def _chart_values(
    plans: Mapping[str, Any], names: Mapping[str, str]
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Deadhead km per (administrator, plan) and total hours per plan."""
    deadhead = {
        (f"{a} {names.get(a, '')}".strip(), name): float(row["deadhead_km"])
        for name, plan in plans.items()
        for a, row in (plan.get("per_admin") or {}).items()
        if _number(row.get("deadhead_km")) is not None
    }
    hours = {
        ("", name): float(plan["total_hours"])
        for name, plan in plans.items()
        if _number(plan.get("total_hours")) is not None
    }
    return deadhead, hours


def save_report(
    summary: Mapping[str, Any],
    path: str | Path,
    *,
    lang: str = "en",
    admin_names: Mapping[str, str] | None = None,
    map_file: str | None = None,
    patrol: Mapping[str, Any] | None = None,
) -> Path:
    """Write :func:`render_report` to ``path``.

    Raises
    ------
    OutputError, ValueError
        As :func:`render_report`.
    """
    text = render_report(
        summary, lang=lang, admin_names=admin_names, map_file=map_file, patrol=patrol
    )
    target = Path(path)
    target.write_text(text, encoding="utf-8")
    return target
