"""Patrol findings notices: one CSV and one printable HTML page per municipality.

The planner (:mod:`snowroute.patrol.findings`) sorts the findings; this module only
writes them, from plain rows (one ``dict`` of strings per finding, the columns of
:data:`COLUMNS`), so it knows nothing of the patrol planner.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from snowroute._io import write_json
from snowroute.outputs.text import NOTICE_HEADS, template_environment

__all__ = ["COLUMNS", "notice_html", "save_notices"]

#: Columns of every findings CSV (notices, other roads, unmatched).
COLUMNS = (
    "finding",
    "date",
    "lat",
    "lon",
    "category",
    "category_ja",
    "severity",
    "note",
    "photo",
    "admin_id",
    "route_id",
    "route_name",
    "section_id",
    "distance_m",
    "reason",
)

Row = Mapping[str, str]


def _csv_text(rows: Sequence[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def _cells(row: Row) -> tuple[str, ...]:
    return (
        row["date"],
        f"{row['category_ja']} ({row['category']})",
        row["severity"],
        row["route_name"] or row["route_id"],
        f"{float(row['lat']):.6f}, {float(row['lon']):.6f}",
        row["note"],
        row["photo"],
    )


def notice_html(
    admin_id: str, rows: Sequence[Row], *, admin_name: str = "", sender: str
) -> str:
    """Render the printable notice to one municipality (every text escaped).

    ``rows`` are its findings (they are listed by date, then number).
    """
    ordered = sorted(rows, key=lambda r: (r["date"], int(r["finding"])))
    return (
        template_environment()
        .get_template("notice.html.j2")
        .render(
            who=f"{admin_name} ({admin_id})" if admin_name else admin_id,
            sender=sender,
            heads=NOTICE_HEADS,
            rows=[_cells(r) for r in ordered],
        )
        + "\n"
    )


def save_notices(
    notices: Mapping[str, Sequence[Row]],
    other_roads: Sequence[Row],
    unmatched: Sequence[Row],
    counts: Mapping[str, Any],
    folder: Path,
    *,
    sender: str,
    names: Mapping[str, str] | None = None,
) -> None:
    """
    Write one notice per municipality (CSV and HTML), the other and unmatched lists.

    Files: ``notice_<admin>.csv``, ``notice_<admin>.html``, ``other_roads.csv``,
    ``unmatched.csv`` and ``findings_summary.json`` (``counts``).
    """
    names = names or {}
    for admin, rows in notices.items():
        (folder / f"notice_{admin}.csv").write_text(_csv_text(rows), encoding="utf-8")
        text = notice_html(admin, rows, admin_name=names.get(admin, ""), sender=sender)
        (folder / f"notice_{admin}.html").write_text(text, encoding="utf-8")
    (folder / "other_roads.csv").write_text(_csv_text(other_roads), encoding="utf-8")
    (folder / "unmatched.csv").write_text(_csv_text(unmatched), encoding="utf-8")
    write_json(folder / "findings_summary.json", dict(counts))
