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
from snowroute.outputs.text import check_lang, template_environment, texts
from snowroute.outputs.webmap import PALETTE

__all__ = ["render_report", "save_report"]


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
    check_lang(lang)
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
        t=texts(lang, "report"),
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
