"""Patrol findings: reading, snapping to roads and notices to each municipality.

Findings (potholes, fallen objects, damaged guardrails, snow hazards, ...) come as
CSV or GeoJSON with ``date``, a location (``lat``/``lon`` columns or a point
geometry), ``category``, ``severity``, ``note`` and ``photo``. Each finding is
snapped to the nearest road edge within a tolerance and goes to exactly one place:
the notice of the municipality that administers that road, the list of findings
on other administrators' roads (the patrol's own, MLIT), or the unmatched list with
its reason (bad coordinates or date, unknown category, no road within the
tolerance). Nothing is dropped: the counts out add up to the count in.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute._errors import InputFileError
from snowroute.network import attributes as A
from snowroute.patrol.snap import EdgeIndex, valid_lon_lat

__all__ = [
    "CATEGORIES",
    "Finding",
    "FindingsResult",
    "match_findings",
    "notice_html",
    "read_findings",
    "write_notices",
]

#: Finding categories and their Japanese labels.
CATEGORIES: Mapping[str, str] = {
    "pothole": "ポットホール",
    "crack": "舗装のひび割れ",
    "fallen_object": "落下物",
    "guardrail": "防護柵の損傷",
    "sign": "標識の損傷",
    "drainage": "排水施設の不良",
    "snow_hazard": "雪害・雪庇・倒木",
    "lighting": "照明の不点灯",
    "other": "その他",
}

#: Default snapping tolerance, metres.
DEFAULT_TOLERANCE_M = 30.0

_COLUMNS = ("date", "category", "severity", "note", "photo")
_OUT_COLUMNS = (
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


@dataclass(frozen=True, slots=True)
class Finding:
    """
    One finding as read, before any check (text kept as given).

    Parameters
    ----------
    number
        1-based position in the input (row or feature).
    date, lat, lon, category, severity, note, photo
        The fields as text.
    """

    number: int
    date: str
    lat: str
    lon: str
    category: str
    severity: str
    note: str
    photo: str


@dataclass(frozen=True, slots=True)
class MatchedFinding:
    """A finding with the road it lies on, or the reason it has none."""

    finding: Finding
    admin_id: str = ""
    route_id: str = ""
    route_name: str = ""
    section_id: str = ""
    distance_m: float = math.nan
    reason: str = ""

    def row(self) -> dict[str, str]:
        """Return the output CSV row."""
        f = self.finding
        return {
            "finding": str(f.number),
            "date": f.date,
            "lat": f.lat,
            "lon": f.lon,
            "category": f.category,
            "category_ja": CATEGORIES.get(f.category, ""),
            "severity": f.severity,
            "note": f.note,
            "photo": f.photo,
            "admin_id": self.admin_id,
            "route_id": self.route_id,
            "route_name": self.route_name,
            "section_id": self.section_id,
            "distance_m": ""
            if math.isnan(self.distance_m)
            else f"{self.distance_m:.1f}",
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class FindingsResult:
    """Findings split into municipal notices, other roads and unmatched."""

    total: int
    notices: Mapping[str, tuple[MatchedFinding, ...]] = field(default_factory=dict)
    other_roads: tuple[MatchedFinding, ...] = ()
    unmatched: tuple[MatchedFinding, ...] = ()

    def __post_init__(self) -> None:
        out = sum(map(len, self.notices.values()))
        out += len(self.other_roads) + len(self.unmatched)
        if out != self.total:
            msg = f"{self.total} findings in but {out} out."
            raise ValueError(msg)

    def counts(self) -> dict[str, Any]:
        """Return the counts in and out, per municipality."""
        return {
            "findings": self.total,
            "to_municipalities": {k: len(v) for k, v in sorted(self.notices.items())},
            "other_roads": len(self.other_roads),
            "unmatched": len(self.unmatched),
        }


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_findings(path: Path) -> tuple[Finding, ...]:
    """
    Read findings from a CSV (``lat``/``lon`` columns) or GeoJSON (points) file.

    Raises
    ------
    InputFileError
        When the file is not readable as CSV or GeoJSON or lacks a column.
    """
    suffix = path.suffix.lower()
    if suffix in {".geojson", ".json"}:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            msg = f"Findings file `{path}` is not valid JSON ({exc})."
            raise InputFileError(msg) from None
        features = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(features, list):
            msg = f"Findings file `{path}` is not a GeoJSON FeatureCollection."
            raise InputFileError(msg)
        out = []
        for number, feature in enumerate(features, start=1):
            feature = feature if isinstance(feature, dict) else {}
            props = feature.get("properties") or {}
            geom = feature.get("geometry") or {}
            coords = geom.get("coordinates") if geom.get("type") == "Point" else None
            lon, lat = (
                (coords[0], coords[1])
                if isinstance(coords, list) and len(coords) >= 2
                else (props.get("lon"), props.get("lat"))
            )
            out.append(
                Finding(
                    number,
                    *(_text(v) for v in (props.get("date"), lat, lon)),
                    *(_text(props.get(c)) for c in _COLUMNS[1:]),
                )
            )
        return tuple(out)
    if suffix != ".csv":
        msg = f"Findings file `{path}` must be .csv or .geojson."
        raise InputFileError(msg)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        missing = [c for c in ("date", "lat", "lon", "category") if c not in columns]
        if missing:
            msg = f"Findings file `{path}` lacks the column {missing[0]!r}."
            raise InputFileError(msg)
        return tuple(
            Finding(
                number,
                _text(row.get("date")),
                _text(row.get("lat")),
                _text(row.get("lon")),
                *(_text(row.get(c)) for c in _COLUMNS[1:]),
            )
            for number, row in enumerate(reader, start=1)
        )


def _problem(f: Finding) -> str:
    try:
        lat, lon = float(f.lat), float(f.lon)
    except ValueError:
        return f"coordinates {f.lat!r}, {f.lon!r} are not numbers"
    if not valid_lon_lat(lon, lat):
        return f"coordinates {f.lat}, {f.lon} are not a WGS84 latitude and longitude"
    try:
        dt.date.fromisoformat(f.date[:10])
    except ValueError:
        return f"date {f.date!r} is not a date (YYYY-MM-DD)"
    if f.category not in CATEGORIES:
        return f"unknown category {f.category!r} (known: {', '.join(CATEGORIES)})"
    return ""


def match_findings(
    G: nx.MultiDiGraph,
    findings: Sequence[Finding],
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    municipal: Mapping[str, bool] | None = None,
) -> FindingsResult:
    """
    Snap findings to roads and sort them into municipal notices.

    Parameters
    ----------
    G
        A tagged road network in WGS84.
    findings
        The findings as read.
    tolerance_m
        Farthest a finding may lie from its road.
    municipal
        Optional ``admin_id -> is a municipality``; by default an administrator
        is a municipality when its roads are of route kind ``municipal``.

    Returns
    -------
    FindingsResult
        Every finding in exactly one of notices, other roads, unmatched.
    """
    if not tolerance_m > 0:
        msg = f"`tolerance_m` must be positive, got {tolerance_m!r}."
        raise ValueError(msg)
    if municipal is None:
        kinds: defaultdict[str, set[str]] = defaultdict(set)
        for *_, attrs in G.edges(data=True):
            kinds[str(attrs.get(A.ADMIN_ID))].add(str(attrs.get(A.ROUTE_KIND)))
        municipal = {a: k == {"municipal"} for a, k in kinds.items()}
    index = EdgeIndex(G)
    notices: defaultdict[str, list[MatchedFinding]] = defaultdict(list)
    other: list[MatchedFinding] = []
    unmatched: list[MatchedFinding] = []
    for f in findings:
        problem = _problem(f)
        if problem:
            unmatched.append(MatchedFinding(f, reason=problem))
            continue
        snap = index.nearest(float(f.lon), float(f.lat), max_m=tolerance_m)
        if snap is None:
            reason = f"no road within {tolerance_m:g} m"
            unmatched.append(MatchedFinding(f, reason=reason))
            continue
        data: Mapping[Hashable, Any] = G.edges[snap.edge]
        admin = str(data.get(A.ADMIN_ID, ""))
        matched = MatchedFinding(
            f,
            admin_id=admin,
            route_id=str(data.get(A.ROUTE_ID, "")),
            route_name=str(data.get(A.ROUTE_NAME, "")),
            section_id=str(data.get(A.SECTION_ID, "")),
            distance_m=snap.distance_m,
        )
        (notices[admin] if municipal.get(admin, False) else other).append(matched)
    return FindingsResult(
        total=len(findings),
        notices={k: tuple(v) for k, v in sorted(notices.items())},
        other_roads=tuple(other),
        unmatched=tuple(unmatched),
    )


def _csv_text(rows: Sequence[MatchedFinding]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_OUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(r.row())
    return buffer.getvalue()


def notice_html(
    admin_id: str, rows: Sequence[MatchedFinding], *, admin_name: str = "", sender: str
) -> str:
    """
    Render a printable notice to one municipality (every data text escaped).

    Parameters
    ----------
    admin_id, admin_name
        The municipality.
    rows
        Its findings.
    sender
        The patrolling administrator.
    """
    e = html.escape
    who = f"{admin_name} ({admin_id})" if admin_name else admin_id
    body = []
    for r in sorted(rows, key=lambda r: (r.finding.date, r.finding.number)):
        f = r.finding
        cells = (
            f.date,
            f"{CATEGORIES[f.category]} ({f.category})",
            f.severity,
            r.route_name or r.route_id,
            f"{float(f.lat):.6f}, {float(f.lon):.6f}",
            f.note,
            f.photo,
        )
        body.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    heads = (
        "日付 date",
        "種別 category",
        "程度 severity",
        "路線 route",
        "位置 lat, lon",
        "内容 note",
        "写真 photo",
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="ja"><head><meta charset="utf-8">',
            f"<title>道路パトロール発見事項 {e(who)}</title>",
            "<style>body{font-family:sans-serif;margin:2em}"
            "table{border-collapse:collapse;width:100%}"
            "td,th{border:1px solid #444;padding:4px;font-size:10pt;vertical-align:top}"
            "@media print{body{margin:0}}</style></head><body>",
            "<h1>道路パトロール発見事項のお知らせ</h1>",
            f"<p>宛先 To: {e(who)}<br>発信 From: {e(sender)}<br>"
            f"件数 Findings: {len(rows)}</p>",
            "<p>貴管理道路でのパトロール発見事項をお知らせします。"
            "Findings of our road patrol on roads you administer.</p>",
            "<table><thead><tr>"
            + "".join(f"<th>{e(h)}</th>" for h in heads)
            + "</tr></thead><tbody>",
            *body,
            "</tbody></table></body></html>",
            "",
        ]
    )


def write_notices(
    result: FindingsResult,
    folder: Path,
    *,
    sender: str,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """
    Write one notice per municipality (CSV and HTML), the other and unmatched lists.

    Files: ``notice_<admin>.csv``, ``notice_<admin>.html``, ``other_roads.csv``,
    ``unmatched.csv`` and ``findings_summary.json`` (the counts). Returns the counts.
    """
    names = names or {}
    for admin, rows in result.notices.items():
        (folder / f"notice_{admin}.csv").write_text(_csv_text(rows), encoding="utf-8")
        text = notice_html(admin, rows, admin_name=names.get(admin, ""), sender=sender)
        (folder / f"notice_{admin}.html").write_text(text, encoding="utf-8")
    (folder / "other_roads.csv").write_text(
        _csv_text(result.other_roads), encoding="utf-8"
    )
    (folder / "unmatched.csv").write_text(_csv_text(result.unmatched), encoding="utf-8")
    counts = result.counts()
    (folder / "findings_summary.json").write_text(
        json.dumps(counts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return counts
