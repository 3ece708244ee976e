"""The OSM model of a generated network: local frame, ways, builder and OSM XML."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final
from xml.sax.saxutils import quoteattr

import networkx as nx
import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

__all__ = [
    "EARTH_RADIUS_M",
    "NON_PUBLIC_ACCESS",
    "NON_PUBLIC_HIGHWAYS",
    "XY",
    "LocalFrame",
    "OsmBuilder",
    "Way",
]

#: Mean earth radius in metres (the value OSMnx uses for great-circle lengths).
EARTH_RADIUS_M: Final = 6_371_009.0


#: ``highway`` values that are not public roads; ingestion drops them.
NON_PUBLIC_HIGHWAYS: Final = frozenset({"track"})


#: ``access`` values that close a way to the public.
NON_PUBLIC_ACCESS: Final = frozenset({"private", "no"})


XY = tuple[float, float]


@dataclass(frozen=True, slots=True)
class LocalFrame:
    """A local metric frame (x east, y north, metres) around a real origin.

    An equirectangular projection: exact enough over a city (errors well under
    0.1 % within 20 km of the origin). Longitudes and latitudes are rounded to 7
    decimals, OSM's precision, so a coordinate written twice reads back equal.

    Parameters
    ----------
    lon0, lat0
        Origin in degrees (EPSG:4326).

    Raises
    ------
    ValueError
        When the origin is not a valid longitude/latitude away from the poles.
    """

    lon0: float
    lat0: float

    def __post_init__(self) -> None:
        if not (-180.0 <= self.lon0 <= 180.0 and -80.0 <= self.lat0 <= 80.0):
            msg = (
                f"Origin ({self.lon0}, {self.lat0}) is not a lon/lat "
                "within 80° of the equator."
            )
            raise ValueError(msg)

    def to_lonlat(self, x: float, y: float) -> XY:
        """Longitude and latitude (rounded to 7 decimals) of local point ``(x, y)``."""
        lat = self.lat0 + math.degrees(y / EARTH_RADIUS_M)
        lon = self.lon0 + math.degrees(
            x / (EARTH_RADIUS_M * math.cos(math.radians(self.lat0)))
        )
        return round(lon, 7), round(lat, 7)

    def to_xy(self, lon: float, lat: float) -> XY:
        """Local point ``(x, y)`` in metres of a longitude and latitude."""
        x = math.radians(lon - self.lon0) * EARTH_RADIUS_M
        x *= math.cos(math.radians(self.lat0))
        return x, math.radians(lat - self.lat0) * EARTH_RADIUS_M


def _fmt(value: float) -> str:
    """Write a rounded coordinate with exactly 7 decimals."""
    return f"{value:.7f}"


@dataclass(slots=True)
class Way:
    """One OSM way while a network is being built.

    Parameters
    ----------
    nodes
        Node ids in way order (at least two).
    tags
        OSM tags.
    routes
        Keys of the route relations (路線) the way belongs to.
    admin_id
        Administrator the generator intends (``"mlit"``, ``"05"``, ...); empty for
        municipal roads, whose administrator is the municipality they lie in.
    group
        Free label of the feature the way is part of (``"hamlet:大崎"``); not
        written to OSM, kept by the pieces of a split way.
    """

    nodes: list[int]
    tags: dict[str, str]
    routes: tuple[str, ...] = ()
    admin_id: str = ""
    group: str = ""

    @property
    def is_road(self) -> bool:
        """Whether the way carries a ``highway`` tag."""
        return "highway" in self.tags

    @property
    def is_public(self) -> bool:
        """Whether the way is a public road (not a track, not private)."""
        return (
            self.is_road
            and self.tags["highway"] not in NON_PUBLIC_HIGHWAYS
            and self.tags.get("access", "") not in NON_PUBLIC_ACCESS
        )

    def directions(self) -> list[tuple[int, int]]:
        """Directed node pairs a vehicle may drive, following ``oneway``."""
        pairs = list(pairwise(self.nodes))
        oneway = self.tags.get("oneway", "no")
        if oneway == "yes":
            return pairs
        if oneway == "-1":
            return [(v, u) for u, v in pairs]
        return pairs + [(v, u) for u, v in pairs]


class OsmBuilder:
    """Mutable collection of nodes, ways and route relations in a local frame.

    The generator functions of this module add to a builder; writers turn it into
    OSM XML. Node ids count from 1 in creation order; way and relation ids are
    given in list order when written, so a builder's output is deterministic.
    """

    def __init__(self) -> None:
        self._xy: list[XY] = []
        self.ways: list[Way] = []
        self.routes: dict[str, dict[str, str]] = {}
        self._segments: set[tuple[int, int]] = set()

    # nodes
    @property
    def n_nodes(self) -> int:
        """Number of nodes created so far (including ones no longer used)."""
        return len(self._xy)

    def add_node(self, x: float, y: float) -> int:
        """Add a node at local ``(x, y)`` and return its id."""
        self._xy.append((float(x), float(y)))
        return len(self._xy)

    def xy(self, node: int) -> XY:
        """Local coordinates of ``node``.

        Raises
        ------
        KeyError
            When ``node`` does not exist.
        """
        if not 1 <= node <= len(self._xy):
            msg = f"Node {node} does not exist."
            raise KeyError(msg)
        return self._xy[node - 1]

    # ways and routes
    def add_route(self, key: str, tags: Mapping[str, str]) -> None:
        """Declare a route relation (路線) that ways can join by ``key``.

        Raises
        ------
        ValueError
            When ``key`` is already declared.
        """
        if key in self.routes:
            msg = f"Route `{key}` is already declared."
            raise ValueError(msg)
        self.routes[key] = dict(tags)

    def add_way(
        self,
        nodes: Sequence[int],
        tags: Mapping[str, str],
        *,
        routes: Sequence[str] = (),
        admin_id: str = "",
        group: str = "",
    ) -> Way:
        """Add a way through existing ``nodes`` and return it.

        Raises
        ------
        ValueError
            When the way has fewer than two nodes, repeats a node in a row, joins
            an undeclared route, or a road segment is already used by another road.
        """
        if len(nodes) < 2:
            msg = f"A way needs two or more nodes, got {len(nodes)}."
            raise ValueError(msg)
        for node in nodes:
            self.xy(node)
        unknown = [key for key in routes if key not in self.routes]
        if unknown:
            msg = f"Route `{unknown[0]}` is not declared; call `add_route` first."
            raise ValueError(msg)
        way = Way(list(nodes), dict(tags), tuple(routes), admin_id, group)
        if way.is_road:
            for u, v in pairwise(nodes):
                pair = (min(u, v), max(u, v))
                if u == v or pair in self._segments:
                    msg = f"Road segment ({u}, {v}) is repeated or already used."
                    raise ValueError(msg)
                self._segments.add(pair)
        self.ways.append(way)
        return way

    def has_segment(self, u: int, v: int) -> bool:
        """Whether a road already runs directly between nodes ``u`` and ``v``."""
        return (min(u, v), max(u, v)) in self._segments

    def line(self, nodes: Sequence[int]) -> LineString:
        """Return the polyline through ``nodes`` in local coordinates."""
        return LineString([self.xy(n) for n in nodes])

    def road_graph(self, *, public_only: bool = True) -> nx.DiGraph:
        """Directed graph of drivable node pairs with their ``length`` in metres."""
        G = nx.DiGraph()
        for way in self.ways:
            if way.is_road and (way.is_public or not public_only):
                for u, v in way.directions():
                    G.add_edge(u, v, length=self.line((u, v)).length)
        return G

    # structures
    def split_at(self, area: Polygon, tags: Mapping[str, str]) -> list[Way]:
        """Give every road crossing ``area`` a separate way there, tagged with ``tags``.

        Use it for bridges over water (``bridge=yes layer=1``) and tunnels through
        ridges (``tunnel=yes layer=-1``). New nodes are placed where the road meets
        the edge of ``area``; nodes inside it are dropped. The pieces keep the
        road's tags, routes and administrator and stay in its place in way order.

        Returns
        -------
        list of Way
            The crossing ways, in way order.

        Raises
        ------
        ValueError
            When a road starts or ends inside ``area``, or a node inside it is
            shared with another way (a junction in the water).
        """
        usage: dict[int, int] = {}
        for way in self.ways:
            for node in set(way.nodes):
                usage[node] = usage.get(node, 0) + 1
        new_ways: list[Way] = []
        crossings: list[Way] = []
        for way in self.ways:
            pieces = self._split_way(way, area, tags, usage) if way.is_road else [way]
            new_ways.extend(pieces)
            crossings.extend(p for p in pieces if p is not way and _has_tags(p, tags))
        self.ways = new_ways
        return crossings

    def _split_way(
        self,
        way: Way,
        area: Polygon,
        tags: Mapping[str, str],
        usage: Mapping[int, int],
    ) -> list[Way]:
        line = self.line(way.nodes)
        if not line.intersects(area):
            return [way]
        intervals = sorted(_inside_intervals(line, area))
        if not intervals:
            return [way]
        cum = np.concatenate(
            [[0.0], np.cumsum([self.line(p).length for p in _pairs(way.nodes)])]
        )
        pieces: list[list[int]] = [[way.nodes[0]]]
        crossing_flags = [False]
        position = 1
        for d0, d1 in intervals:
            if d0 <= 1e-6 or d1 >= line.length - 1e-6:
                msg = (
                    f"Way through node {way.nodes[0]} starts or ends inside "
                    "an area it crosses."
                )
                raise ValueError(msg)
            while position < len(way.nodes) and cum[position] < d0:
                pieces[-1].append(way.nodes[position])
                position += 1
            enter = self.add_node(*_point_at(line, d0))
            leave = self.add_node(*_point_at(line, d1))
            while position < len(way.nodes) and cum[position] <= d1:
                inner = way.nodes[position]
                if usage.get(inner, 0) > 1:
                    msg = f"Node {inner} is a junction inside an area a road crosses."
                    raise ValueError(msg)
                position += 1
            pieces[-1].append(enter)
            pieces.append([enter, leave])
            crossing_flags.append(True)
            pieces.append([leave])
            crossing_flags.append(False)
        pieces[-1].extend(way.nodes[position:])
        result: list[Way] = []
        for nodes, is_crossing in zip(pieces, crossing_flags, strict=True):
            if len(nodes) < 2:
                continue
            piece_tags = {**way.tags, **tags} if is_crossing else dict(way.tags)
            result.append(Way(nodes, piece_tags, way.routes, way.admin_id, way.group))
        for a, b in _pairs(way.nodes):
            self._segments.discard((min(a, b), max(a, b)))
        for piece in result:
            for a, b in _pairs(piece.nodes):
                self._segments.add((min(a, b), max(a, b)))
        return result

    # checks
    def problems(self, *, outline: Polygon | None = None) -> list[str]:
        """Every defect of the road layout, as one sentence each.

        Checks that the public roads form one strongly connected network, that no
        two road segments cross without a shared node, and that every road node
        lies inside ``outline`` (when given).
        """
        found: list[str] = []
        G = self.road_graph()
        if G.number_of_nodes() and not nx.is_strongly_connected(G):
            parts = nx.number_strongly_connected_components(G)
            found.append(
                f"The public roads form {parts} strongly connected parts, not 1."
            )
        seg_nodes: list[tuple[int, int]] = []
        for way in self.ways:
            if way.is_road:
                seg_nodes.extend(_pairs(way.nodes))
        geoms = np.array([self.line(pair) for pair in seg_nodes], dtype=object)
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i < j and not set(seg_nodes[i]) & set(seg_nodes[j]):
                found.append(
                    f"Road segments {seg_nodes[i]} and {seg_nodes[j]} cross "
                    "without a junction."
                )
        if outline is not None:
            used = sorted({n for w in self.ways if w.is_road for n in w.nodes})
            outside = [n for n in used if not outline.contains(Point(self.xy(n)))]
            if outside:
                found.append(
                    f"{len(outside)} road nodes lie outside the outline, "
                    f"e.g. {outside[0]}."
                )
        return found

    # output
    def to_osm_xml(
        self, frame: LocalFrame, *, generator: str, public_only: bool = False
    ) -> str:
        """Return OSM XML 0.6 of the builder: nodes, ways and route relations.

        Way and relation ids count from 1 in list order. With ``public_only``,
        only public roads and their nodes are written, without relations (what
        ingestion keeps of the file).
        """
        ways = [
            (i + 1, w)
            for i, w in enumerate(self.ways)
            if w.is_public or not public_only
        ]
        used = sorted({n for _, w in ways for n in w.nodes})
        lonlat = {n: frame.to_lonlat(*self.xy(n)) for n in used}
        lons = [p[0] for p in lonlat.values()]
        lats = [p[1] for p in lonlat.values()]
        out = io.StringIO()
        out.write("<?xml version='1.0' encoding='UTF-8'?>\n")
        out.write(f'<osm version="0.6" generator={quoteattr(generator)}>\n')
        out.write(
            f'  <bounds minlat="{_fmt(min(lats))}" minlon="{_fmt(min(lons))}" '
            f'maxlat="{_fmt(max(lats))}" maxlon="{_fmt(max(lons))}"/>\n'
        )
        for n in used:
            lon, lat = lonlat[n]
            out.write(
                f'  <node id="{n}" version="1" lat="{_fmt(lat)}" lon="{_fmt(lon)}"/>\n'
            )
        for way_id, way in ways:
            out.write(f'  <way id="{way_id}" version="1">\n')
            for n in way.nodes:
                out.write(f'    <nd ref="{n}"/>\n')
            _write_tags(out, way.tags)
            out.write("  </way>\n")
        if not public_only:
            for rel_id, (key, tags) in enumerate(self.routes.items(), start=1):
                out.write(f'  <relation id="{rel_id}" version="1">\n')
                for way_id, way in ways:
                    if key in way.routes:
                        out.write(f'    <member type="way" ref="{way_id}" role=""/>\n')
                _write_tags(out, tags)
                out.write("  </relation>\n")
        out.write("</osm>\n")
        return out.getvalue()


def _pairs(nodes: Sequence[int]) -> list[tuple[int, int]]:
    return list(pairwise(nodes))


def _has_tags(way: Way, tags: Mapping[str, str]) -> bool:
    return all(way.tags.get(k) == v for k, v in tags.items())


def _point_at(line: LineString, distance: float) -> XY:
    point = line.interpolate(distance)
    return float(point.x), float(point.y)


def _inside_intervals(line: LineString, area: Polygon) -> list[tuple[float, float]]:
    """Distances along ``line`` where it enters and leaves ``area``."""
    inside = line.intersection(area)
    parts = getattr(inside, "geoms", [inside])
    intervals = []
    for part in parts:
        if isinstance(part, LineString) and part.length > 0:
            a = line.project(Point(part.coords[0]))
            b = line.project(Point(part.coords[-1]))
            intervals.append((min(a, b), max(a, b)))
    return intervals


def _write_tags(out: io.StringIO, tags: Mapping[str, str]) -> None:
    for k in sorted(tags):
        out.write(f"    <tag k={quoteattr(k)} v={quoteattr(tags[k])}/>\n")
