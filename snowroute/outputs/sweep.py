"""A sweep's comparison: ``sweep.csv``, ``sweep.json``, ``sweep.svg``, ``sweep.html``.

The table has one row per variant: the varied values, then each plan's figures
(``<plan>.total_hours``, ``<plan>.deadhead_km``, ``<plan>.finish.<class>`` ...)
as :func:`snowroute.sweep.task.plan_columns` takes them from ``summary.json``.
Timings live in ``sweep.json`` only, so the table of the same sweep is the same
wherever it ran.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from snowroute._io import write_json
from snowroute.outputs.text import check_lang, template_environment

__all__ = ["save_sweep", "sweep_columns"]

_TEXTS = {
    "en": {
        "title": "Sweep",
        "variant": "variant",
        "hours": "plow-hours (all vehicles)",
        "deadhead": "empty driving, km",
        "outputs": "outputs",
        "ran": "Ran {n} variants on {where} ({workers} workers) in {minutes} min.",
        "error": "error",
        "bands": "Savings against the baseline and the search's noise",
        "bands_note": (
            "Per plan and combination of the other values, over the seeds: the "
            "saving against the baseline with the same seed, and the band (how far "
            "the baseline itself moves between seeds). Only a saving larger than "
            "the band on every seed is significant."
        ),
    },
    "ja": {
        "title": "条件比較",
        "variant": "ケース",
        "hours": "作業時間 (全車両, 時間)",
        "deadhead": "回送距離 (km)",
        "outputs": "出力",
        "ran": "{n} ケースを {where} ({workers} ワーカー) で {minutes} 分で計算。",
        "error": "エラー",
        "bands": "基準計画に対する削減量と探索のばらつき",
        "bands_note": (
            "計画ごと・他の条件の組合せごとに、乱数シード間で比較。削減量は同じ"
            "シードの基準計画との差、幅は基準計画自体のシード間の変動。全シードで"
            "幅を超える削減だけが有意です。"
        ),
    },
}


def sweep_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every column of ``rows``, in the order they first appear."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def _csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _plans(columns: Sequence[str]) -> list[str]:
    """Return the exchange plans of the table (not the patrol, which has hours)."""
    plans = [
        c.removesuffix(".total_hours") for c in columns if c.endswith(".total_hours")
    ]
    return [p for p in plans if p != "patrol"]


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def _chart_svg(
    rows: Sequence[Mapping[str, Any]], plans: Sequence[str], lang: str
) -> str:
    """Plow-hours and empty-driving km of each plan per variant, as SVG text."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    text = _TEXTS[lang]
    labels = [str(row.get("variant")) for row in rows]
    width = 0.8 / max(1, len(plans))
    fig, axes = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    try:
        for ax, figure, title in zip(
            axes,
            ("total_hours", "deadhead_km"),
            (text["hours"], text["deadhead"]),
            strict=True,
        ):
            for k, plan in enumerate(plans):
                values = [_number(row.get(f"{plan}.{figure}")) for row in rows]
                xs = [i + (k - (len(plans) - 1) / 2) * width for i in range(len(rows))]
                ax.bar(xs, values, width=width, label=plan)
            ax.set_ylabel(title)
            ax.grid(axis="y", alpha=0.3)
        if plans:
            axes[0].legend(loc="upper right", fontsize="small")
        axes[-1].set_xticks(range(len(rows)), labels)
        axes[-1].set_xlabel(text["variant"])
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    return buffer.getvalue()


def save_sweep(
    rows: Sequence[Mapping[str, Any]],
    folder: Path,
    *,
    keys: Sequence[str],
    timing: Mapping[str, Any],
    bands: Sequence[Mapping[str, Any]] = (),
    lang: str = "en",
) -> list[Path]:
    """Write a sweep's table (CSV with BOM, JSON), chart (SVG) and page (HTML).

    ``rows`` have a ``variant`` number, a ``label``, the varied ``keys`` and the
    figures; ``timing`` (where it ran, seconds, memory) goes to ``sweep.json``.
    ``bands`` (savings against the baseline and their noise band over seeds, see
    :func:`snowroute.sweep.bands.seed_bands`) go to ``sweep_bands.csv``, the JSON
    and the page when there are any.
    Variant folders are linked as ``variants/<name>/report.html`` when a row has
    a ``name``.

    Raises
    ------
    ValueError
        When ``lang`` is not a known language.
    """
    check_lang(lang)
    columns = sweep_columns(rows)
    plans = _plans(columns)
    paths = [folder / f"sweep.{ext}" for ext in ("csv", "json", "svg", "html")]
    paths[0].write_text(_csv_text(rows, columns), encoding="utf-8-sig")
    data = {"keys": list(keys), "rows": list(rows), "bands": list(bands)}
    write_json(paths[1], {**data, "timing": timing})
    band_columns = sweep_columns(bands)
    if bands:
        paths.append(folder / "sweep_bands.csv")
        paths[-1].write_text(_csv_text(bands, band_columns), encoding="utf-8-sig")
    svg = _chart_svg(rows, plans, lang)
    paths[2].write_text(svg, encoding="utf-8")
    text = _TEXTS[lang]
    ran = text["ran"].format(
        n=len(rows),
        where=timing.get("scheduler", ""),
        workers=timing.get("workers", ""),
        minutes=round(float(timing.get("runtime_s", 0)) / 60, 1),
    )
    html = (
        template_environment()
        .get_template("sweep.html.j2")
        .render(
            lang=lang,
            text=text,
            ran=ran,
            columns=columns,
            rows=[{c: _cell(row.get(c)) for c in columns} for row in rows],
            names=[row.get("name") for row in rows],
            band_columns=band_columns,
            bands=[{c: _cell(b.get(c)) for c in band_columns} for b in bands],
            svg=svg[svg.find("<svg") :],
        )
    )
    paths[3].write_text(html, encoding="utf-8")
    return paths
