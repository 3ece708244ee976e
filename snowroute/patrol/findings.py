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

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute._errors import InputFileError
from snowroute._io import check_input_file, read_csv
from snowroute.network import attributes as A
from snowroute.patrol.snap import EdgeIndex, valid_lon_lat

__all__ = [
    "CATEGORIES",
    "Finding",
    "FindingsResult",
    "match_findings",
    "read_findings",
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
        """Return the output CSV row (the columns of ``outputs.notices.COLUMNS``)."""
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

    def to_dict(self) -> dict[str, Any]:
        """Return the rows of every list (``notices`` per municipality) and counts."""
        return {
            "notices": {k: [r.row() for r in v] for k, v in self.notices.items()},
            "other_roads": [r.row() for r in self.other_roads],
            "unmatched": [r.row() for r in self.unmatched],
            "counts": self.counts(),
        }

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
        return _read_geojson(path)
    if suffix != ".csv":
        msg = f"Findings file `{path}` must be .csv or .geojson."
        raise InputFileError(msg)
    rows = read_csv(
        path, what="Findings file", required=("date", "lat", "lon", "category")
    )
    return tuple(
        Finding(
            number,
            row.get("date"),
            row.get("lat"),
            row.get("lon"),
            *(row.get(c) for c in _COLUMNS[1:]),
        )
        for number, row in enumerate(rows, start=1)
    )


def _read_geojson(path: Path) -> tuple[Finding, ...]:
    check_input_file(path, "Findings file")
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
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
