"""A generated network with its municipalities, depots and structures; their files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import Point, Polygon
from shapely.geometry.polygon import orient

from snowroute.datasets.osm import (
    XY,
    LocalFrame,
    OsmBuilder,
    Way,
    _fmt,
    _pairs,
    _point_at,
)

__all__ = [
    "Depot",
    "Municipality",
    "Situation",
    "Structure",
    "SyntheticNetwork",
    "admin_at",
    "write_boundaries_geojson",
    "write_depots_csv",
    "write_osm_xml",
    "write_structures_csv",
]


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality (市町村) with an N03-style code and a polygon in local metres."""

    code: str
    name: str
    polygon: Polygon
    county: str = ""

    def __post_init__(self) -> None:
        if len(self.code) != 5 or not self.code.isdigit():
            msg = f"Municipal code must have 5 digits, got {self.code!r}."
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Depot:
    """A depot (除雪基地) of one administrator, placed on a road node."""

    depot_id: str
    admin_id: str
    name: str
    node: int


@dataclass(frozen=True, slots=True)
class Structure:
    """A bridge or tunnel on a road, with its inspection cycle (定期点検)."""

    structure_id: str
    kind: str
    name: str
    admin_id: str
    xy: XY
    last_inspection: dt.date
    interval_years: int
    minutes_on_site: int

    def __post_init__(self) -> None:
        if self.kind not in {"bridge", "tunnel"}:
            msg = f"`kind` must be 'bridge' or 'tunnel', got {self.kind!r}."
            raise ValueError(msg)
        if self.interval_years <= 0 or self.minutes_on_site <= 0:
            msg = (
                f"Structure `{self.structure_id}` needs a positive interval "
                "and time on site."
            )
            raise ValueError(msg)

    @property
    def due(self) -> dt.date:
        """Date the next inspection falls due."""
        last = self.last_inspection
        return last.replace(year=last.year + self.interval_years)


@dataclass(frozen=True, slots=True)
class Situation:
    """A part of a generated network worth pointing out to its users.

    Parameters
    ----------
    kind
        ``"hamlet"`` (municipal roads off a prefectural route), ``"town_spur"``
        (a prefectural road inside a town grid) or ``"network_road"`` (a
        municipal road linking prefectural routes).
    name
        Name of the place or road.
    group
        The ``Way.group`` label of its ways.
    hosts
        Route keys it hangs off or links.
    """

    kind: str
    name: str
    group: str
    hosts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SyntheticNetwork:
    """A generated network with everything its files are written from."""

    frame: LocalFrame
    builder: OsmBuilder
    prefecture_name: str
    municipalities: tuple[Municipality, ...]
    depots: tuple[Depot, ...]
    structures: tuple[Structure, ...]
    situations: tuple[Situation, ...] = ()
    generator: str = "snowroute synthetic network"

    def admin_of(self, way: Way, xy: XY) -> str:
        """Administrator of ``way`` at ``xy`` (see :func:`admin_at`)."""
        return admin_at(way, xy, self.municipalities)

    def situation_roads(
        self, situation: Situation
    ) -> tuple[list[Way], dict[str, float]]:
        """Return a situation's public ways and their road km by administrator."""
        b = self.builder
        ways = [w for w in b.ways if w.group == situation.group and w.is_public]
        km_by_admin: dict[str, float] = {}
        for way in ways:
            for u, v in _pairs(way.nodes):
                seg = b.line((u, v))
                admin = self.admin_of(way, _point_at(seg, seg.length / 2.0))
                km_by_admin[admin] = km_by_admin.get(admin, 0.0) + seg.length / 1000.0
        return ways, km_by_admin


def admin_at(way: Way, xy: XY, municipalities: Sequence[Municipality]) -> str:
    """Administrator of ``way`` at local point ``xy``.

    The way's intended administrator, else the code of the municipality whose
    polygon contains ``xy``, else ``"unknown"``.
    """
    if way.admin_id:
        return way.admin_id
    point = Point(xy)
    for m in municipalities:
        if m.polygon.contains(point):
            return m.code
    return "unknown"


def write_osm_xml(
    network: SyntheticNetwork, path: Path, *, public_only: bool = False
) -> None:
    """Write ``network`` as OSM XML 0.6 (nodes, ways and route relations).

    With ``public_only`` only public roads and their nodes are written (what
    ingestion keeps), without relations.
    """
    xml = network.builder.to_osm_xml(
        network.frame, generator=network.generator, public_only=public_only
    )
    path.write_text(xml, encoding="utf-8")


def write_boundaries_geojson(network: SyntheticNetwork, path: Path) -> None:
    """Write the municipal polygons as GeoJSON (EPSG:4326) with N03 columns.

    Columns: ``N03_001`` prefecture, ``N03_002`` (empty), ``N03_003`` county
    (郡) or empty, ``N03_004`` municipality, ``N03_007`` 5-digit code.
    """
    features = []
    for m in network.municipalities:
        ring = orient(m.polygon, sign=1.0).exterior.coords
        coords = [list(network.frame.to_lonlat(x, y)) for x, y in ring]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "N03_001": network.prefecture_name,
                    "N03_002": None,
                    "N03_003": m.county or None,
                    "N03_004": m.name,
                    "N03_007": m.code,
                },
                "geometry": {"type": "Polygon", "coordinates": [coords]},
            }
        )
    doc = {"type": "FeatureCollection", "name": "boundaries", "features": features}
    lines = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    path.write_text(lines + "\n", encoding="utf-8")


def write_depots_csv(network: SyntheticNetwork, path: Path) -> None:
    """Write ``depot_id,admin_id,name,lon,lat`` (the exact coordinates of a node)."""
    rows = []
    for d in network.depots:
        lon, lat = network.frame.to_lonlat(*network.builder.xy(d.node))
        rows.append([d.depot_id, d.admin_id, d.name, _fmt(lon), _fmt(lat)])
    _write_csv(path, ["depot_id", "admin_id", "name", "lon", "lat"], rows)


def write_structures_csv(network: SyntheticNetwork, path: Path) -> None:
    """Write the structures as CSV, one row per bridge or tunnel.

    Columns: ``structure_id,kind,name,admin_id,lon,lat,last_inspection,
    interval_years,minutes_on_site``; dates in ISO format.
    """
    header = [
        "structure_id",
        "kind",
        "name",
        "admin_id",
        "lon",
        "lat",
        "last_inspection",
        "interval_years",
        "minutes_on_site",
    ]
    rows = []
    for s in network.structures:
        lon, lat = network.frame.to_lonlat(*s.xy)
        rows.append(
            [
                s.structure_id,
                s.kind,
                s.name,
                s.admin_id,
                _fmt(lon),
                _fmt(lat),
                s.last_inspection.isoformat(),
                str(s.interval_years),
                str(s.minutes_on_site),
            ]
        )
    _write_csv(path, header, rows)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
