"""Structures to inspect (bridges, tunnels): reading, due dates, snapping to roads.

Since 2014 every bridge of 2 m or more and every tunnel gets a close visual
inspection every 5 years (DOMAIN.md §5). A structure is due on its last inspection
plus ``interval_years`` (or on an explicit ``due_date``); one due on or before the
last day of the horizon must be inspected in it, as a stop of ``minutes_on_site``
on the road it sits on.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from snowroute._errors import InputFileError
from snowroute.network import attributes as A
from snowroute.patrol.snap import EdgeIndex, valid_lon_lat

__all__ = [
    "KINDS",
    "PlacedStructure",
    "Structure",
    "place_structures",
    "read_structures",
]

EdgeKey = tuple[Hashable, Hashable, int]

#: Structure kinds.
KINDS = ("bridge", "tunnel", "other")
_REQUIRED = ("structure_id", "kind", "lon", "lat", "minutes_on_site")


@dataclass(frozen=True, slots=True, kw_only=True)
class Structure:
    """
    A bridge, tunnel or other structure with its inspection cycle.

    Parameters
    ----------
    structure_id, kind, name, admin_id
        Identity; ``kind`` is one of :data:`KINDS`.
    lon, lat
        Location (WGS84).
    last_inspection, interval_years
        Last inspection date and the cycle in years (due = last + interval).
    due_date
        Explicit due date, instead of the cycle.
    minutes_on_site
        Time the inspection takes at the structure.

    Raises
    ------
    ValueError
        When a field is invalid or neither a due date nor a cycle is given.
    """

    structure_id: str
    kind: str
    name: str = ""
    admin_id: str = ""
    lon: float
    lat: float
    last_inspection: dt.date | None = None
    interval_years: int | None = None
    due_date: dt.date | None = None
    minutes_on_site: float

    def __post_init__(self) -> None:
        if not self.structure_id:
            msg = "`structure_id` must not be empty."
            raise ValueError(msg)
        if self.kind not in KINDS:
            msg = f"`kind` must be one of {', '.join(KINDS)}, got {self.kind!r}."
            raise ValueError(msg)
        if not valid_lon_lat(self.lon, self.lat):
            msg = f"`lon`/`lat` must be WGS84 degrees, got {self.lon}, {self.lat}."
            raise ValueError(msg)
        if not (math.isfinite(self.minutes_on_site) and self.minutes_on_site >= 0):
            msg = f"`minutes_on_site` must be >= 0, got {self.minutes_on_site}."
            raise ValueError(msg)
        if self.interval_years is not None and self.interval_years < 1:
            msg = f"`interval_years` must be at least 1, got {self.interval_years}."
            raise ValueError(msg)
        if self.due_date is None and (
            self.last_inspection is None or self.interval_years is None
        ):
            msg = "give `due_date`, or `last_inspection` and `interval_years`."
            raise ValueError(msg)

    @property
    def due(self) -> dt.date:
        """Date the next inspection is due."""
        if self.due_date is not None:
            return self.due_date
        assert self.last_inspection is not None
        assert self.interval_years is not None
        last = self.last_inspection
        year = last.year + self.interval_years
        try:
            return last.replace(year=year)
        except ValueError:  # 29 February
            return last.replace(year=year, day=28)


@dataclass(frozen=True, slots=True)
class PlacedStructure:
    """A structure with the road edge it sits on."""

    structure: Structure
    edge: EdgeKey
    distance_m: float
    section_id: str


def _date(text: str) -> dt.date | None:
    text = text.strip()
    return dt.date.fromisoformat(text) if text else None


def read_structures(path: Path) -> tuple[Structure, ...]:
    """
    Read a structures CSV.

    Columns ``structure_id, kind, name, admin_id, lon, lat, last_inspection,
    interval_years, minutes_on_site``, and optionally ``due_date``; either
    ``due_date`` or both ``last_inspection`` and ``interval_years`` per row.

    Raises
    ------
    InputFileError
        When the file lacks a column, a row has a bad value, or an id repeats; the
        message names the line.
    """
    out: list[Structure] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        missing = [c for c in _REQUIRED if c not in columns]
        if missing:
            msg = f"Structures file `{path}` lacks the column {missing[0]!r}."
            raise InputFileError(msg)
        for line, row in enumerate(reader, start=2):
            get = {k: (v or "").strip() for k, v in row.items() if k is not None}
            try:
                interval = get.get("interval_years", "")
                structure = Structure(
                    structure_id=get["structure_id"],
                    kind=get["kind"].lower(),
                    name=get.get("name", ""),
                    admin_id=get.get("admin_id", ""),
                    lon=float(get["lon"]),
                    lat=float(get["lat"]),
                    last_inspection=_date(get.get("last_inspection", "")),
                    interval_years=int(interval) if interval else None,
                    due_date=_date(get.get("due_date", "")),
                    minutes_on_site=float(get["minutes_on_site"]),
                )
            except ValueError as exc:
                reason = str(exc).rstrip(".")
                msg = f"Structures file `{path}`, line {line}: {reason}."
                raise InputFileError(msg) from None
            if structure.structure_id in seen:
                msg = (
                    f"Structures file `{path}`, line {line}: structure id "
                    f"{structure.structure_id!r} repeats."
                )
                raise InputFileError(msg)
            seen.add(structure.structure_id)
            out.append(structure)
    return tuple(out)


def place_structures(
    G: nx.MultiDiGraph, structures: tuple[Structure, ...], *, max_m: float
) -> tuple[tuple[PlacedStructure, ...], tuple[tuple[Structure, str], ...]]:
    """
    Snap each structure to the nearest drivable (not winter-closed) road edge.

    Returns
    -------
    placed, unplaced
        Structures with their edge, and ``(structure, reason)`` for those that lie
        farther than ``max_m`` metres from every drivable road.
    """
    index = EdgeIndex(
        G, keep=lambda u, v, k, d: not A.parse_bool(d.get(A.WINTER_CLOSED, False))
    )
    placed: list[PlacedStructure] = []
    unplaced: list[tuple[Structure, str]] = []
    for s in structures:
        snap = index.nearest(s.lon, s.lat, max_m=max_m)
        if snap is None:
            reason = f"more than {max_m:g} m from every road open in winter"
            unplaced.append((s, reason))
            continue
        section = str(G.edges[snap.edge].get(A.SECTION_ID, ""))
        placed.append(PlacedStructure(s, snap.edge, snap.distance_m, section))
    return tuple(placed), tuple(unplaced)
