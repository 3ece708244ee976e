"""Parametric building blocks of a generated network: roads, rivers and hamlets."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, Polygon

from snowroute.datasets.osm import XY, OsmBuilder, Way, _pairs

__all__ = [
    "River",
    "RouteSpec",
    "add_hamlet",
    "add_river",
    "add_road",
    "add_route_road",
    "declare_routes",
    "meander",
    "nearest_junction",
    "nearest_node",
    "route_class",
]


def _wiggle(rng: np.random.Generator, wiggle_m: float, t: np.ndarray) -> np.ndarray:
    """Return a smooth sideways offset that is zero at both ends (t in [0, 1])."""
    a1, a2 = rng.normal(0.0, 1.0, size=2)
    a1 = float(np.clip(a1, -2.0, 2.0)) * wiggle_m
    a2 = float(np.clip(a2, -2.0, 2.0)) * wiggle_m / 2.0
    return np.asarray(a1 * np.sin(np.pi * t) + a2 * np.sin(2.0 * np.pi * t))


def add_road(
    builder: OsmBuilder,
    waypoints: Sequence[int | XY],
    tags: Mapping[str, str],
    *,
    rng: np.random.Generator,
    step_m: float = 120.0,
    wiggle_m: float = 0.0,
    routes: Sequence[str] = (),
    admin_id: str = "",
    group: str = "",
) -> list[int]:
    """Add a road through ``waypoints`` as one way and return its node ids.

    A waypoint is an existing node id (the road joins it: a junction) or a local
    point (a new node). Between waypoints farther apart than ``1.5 * step_m`` the
    road gets intermediate nodes every ``step_m`` metres, offset sideways by a
    smooth random curve of about ``wiggle_m`` metres so it does not look ruled.

    Raises
    ------
    ValueError
        When fewer than two waypoints are given or ``step_m`` is not positive.
    """
    if len(waypoints) < 2:
        msg = f"A road needs two or more waypoints, got {len(waypoints)}."
        raise ValueError(msg)
    if step_m <= 0:
        msg = f"`step_m` must be positive, got {step_m}."
        raise ValueError(msg)
    ids = [w if isinstance(w, int) else builder.add_node(*w) for w in waypoints]
    nodes = [ids[0]]
    for a, b in _pairs(ids):
        pa = np.array(builder.xy(a))
        pb = np.array(builder.xy(b))
        delta = pb - pa
        dist = float(np.hypot(*delta))
        n_seg = max(1, round(dist / step_m)) if dist > 1.5 * step_m else 1
        if n_seg > 1:
            t = np.arange(1, n_seg) / n_seg
            normal = np.array([-delta[1], delta[0]]) / dist
            offset = _wiggle(rng, wiggle_m, t)
            for ti, oi in zip(t.tolist(), offset.tolist(), strict=True):
                p = pa + ti * delta + oi * normal
                nodes.append(builder.add_node(float(p[0]), float(p[1])))
        nodes.append(b)
    builder.add_way(nodes, tags, routes=routes, admin_id=admin_id, group=group)
    return nodes


#: A route relation (路線) of a generated network: network, ref, relation name and
#: the name its ways carry.
RouteSpec = tuple[str, str, str, str]


def route_class(
    spec: RouteSpec, *, mlit_routes: Collection[str], prefecture_id: str = "05"
) -> tuple[str, str]:
    """Return the ``highway`` tag and administrator OSM Japan gives a route's ways.

    National routes are ``trunk`` (MLIT's when their number is in
    ``mlit_routes``, else the prefecture's); prefectural roads ``primary``
    (主要地方道, 1-2 digit ref) or ``secondary`` (一般県道).

    >>> route_class(("JP:national", "13", "国道13号", "国道13号"), mlit_routes={"13"})
    ('trunk', 'mlit')
    >>> route_class(("JP:prefectural:akita", "301", "", ""), mlit_routes={"13"})
    ('secondary', '05')
    """
    network, ref, _, _ = spec
    if network == "JP:national":
        return "trunk", "mlit" if ref in mlit_routes else prefecture_id
    return ("primary" if len(ref) <= 2 else "secondary"), prefecture_id


def declare_routes(builder: OsmBuilder, routes: Mapping[str, RouteSpec]) -> None:
    """Declare the route relations of ``routes`` (key -> :data:`RouteSpec`)."""
    for key, (network, ref, relation_name, _) in routes.items():
        builder.add_route(
            key,
            {
                "type": "route",
                "route": "road",
                "network": network,
                "ref": ref,
                "name": relation_name,
            },
        )


def add_route_road(
    builder: OsmBuilder,
    routes: Mapping[str, RouteSpec],
    key: str,
    waypoints: Sequence[int | XY],
    extra: Mapping[str, str],
    *,
    rng: np.random.Generator,
    mlit_routes: Collection[str],
    wiggle_m: float = 25.0,
    step_m: float = 120.0,
    group: str = "",
) -> list[int]:
    """Add a section of route ``key`` with the tags OSM Japan gives it.

    The way gets ``highway`` and the administrator from :func:`route_class`,
    the route's ``ref`` and way name, and ``extra`` (lanes, speed, ...).
    """
    spec = routes[key]
    highway, admin = route_class(spec, mlit_routes=mlit_routes)
    tags = {"highway": highway, "ref": spec[1], "name": spec[3], **extra}
    return add_road(
        builder,
        waypoints,
        tags,
        rng=rng,
        step_m=step_m,
        wiggle_m=wiggle_m,
        routes=[key],
        admin_id=admin,
        group=group,
    )


def nearest_node(builder: OsmBuilder, nodes: Sequence[int], point: XY) -> int:
    """Return the node of ``nodes`` nearest to local ``point`` (first one on ties)."""
    xy = np.array([builder.xy(n) for n in nodes])
    d = np.hypot(xy[:, 0] - point[0], xy[:, 1] - point[1])
    return nodes[int(np.argmin(d))]


def nearest_junction(builder: OsmBuilder, point: XY) -> int:
    """Return the public road node with three or more neighbours nearest to ``point``.

    Such a node survives OSMnx's topology simplification, so an object placed on
    it (a depot) is an exact node of the ingested graph.

    Raises
    ------
    ValueError
        When the builder has no junction.
    """
    G = builder.road_graph().to_undirected()
    junctions = sorted(n for n in G.nodes if G.degree(n) >= 3)
    if not junctions:
        msg = "The network has no junction with three or more roads."
        raise ValueError(msg)
    return nearest_node(builder, junctions, point)


@dataclass(frozen=True, slots=True)
class River:
    """A river as a centreline and a width; roads crossing it become bridges.

    Parameters
    ----------
    name
        Name of the river (written on the waterway).
    centerline
        Local points from upstream to downstream.
    width_m
        Width of the water in metres.
    bridge_names
        Names given to the bridges over it, from west to east; further bridges
        are called ``<name>第<n>橋``.

    Raises
    ------
    ValueError
        When the centreline has fewer than two points or the width is not positive.
    """

    name: str
    centerline: tuple[XY, ...]
    width_m: float
    bridge_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.centerline) < 2:
            msg = f"River `{self.name}` needs two or more centreline points."
            raise ValueError(msg)
        if self.width_m <= 0:
            msg = (
                f"`width_m` of river `{self.name}` must be positive, "
                f"got {self.width_m}."
            )
            raise ValueError(msg)

    def water(self) -> Polygon:
        """Return the water surface (the centreline buffered by half the width)."""
        return LineString(self.centerline).buffer(self.width_m / 2.0, cap_style="flat")

    def bridge_name(self, index: int) -> str:
        """Name of the ``index``-th bridge from the west."""
        if index < len(self.bridge_names):
            return self.bridge_names[index]
        return f"{self.name}第{index + 1}橋"


def meander(
    start: XY,
    end: XY,
    *,
    rng: np.random.Generator,
    amplitude_m: float,
    wavelength_m: float,
    step_m: float = 100.0,
) -> tuple[XY, ...]:
    """Return a sinuous line from ``start`` to ``end``, e.g. a river's centreline."""
    pa, pb = np.array(start), np.array(end)
    delta = pb - pa
    dist = float(np.hypot(*delta))
    normal = np.array([-delta[1], delta[0]]) / dist
    phase = float(rng.uniform(0.0, 2.0 * np.pi))
    s = np.linspace(0.0, dist, max(2, round(dist / step_m) + 1))
    offset = amplitude_m * np.sin(2.0 * np.pi * s / wavelength_m + phase)
    points = pa + np.outer(s / dist, delta) + np.outer(offset, normal)
    return tuple((float(x), float(y)) for x, y in points)


def add_river(builder: OsmBuilder, river: River) -> Way:
    """Add ``river`` as a ``waterway=river`` way (its nodes are never road nodes)."""
    nodes = [builder.add_node(x, y) for x, y in river.centerline]
    return builder.add_way(nodes, {"waterway": "river", "name": river.name})


def add_hamlet(
    builder: OsmBuilder,
    road: Sequence[int],
    near: XY,
    *,
    rng: np.random.Generator,
    name: str,
    side: int = 1,
    width_m: float = 260.0,
    depth_m: float = 200.0,
    n_spurs: int = 2,
    track_m: float = 0.0,
) -> list[Way]:
    """Add a hamlet (集落) beside a road: a loop of municipal road and dead ends.

    The loop (``unclassified``, named ``<name>線``) leaves ``road`` at the node
    nearest ``near``, runs ``depth_m`` away on the left (``side=1``) or right
    (``side=-1``) and rejoins the road about ``width_m`` further on.
    ``n_spurs`` short dead ends (``residential``, ``noexit=yes``) leave the loop,
    and a farm track (``highway=track``, not a public road) of ``track_m`` metres
    continues the first one when ``track_m`` is positive. Every way is labelled
    ``group="hamlet:<name>"``.

    Returns
    -------
    list of Way
        The ways added, the loop first.

    Raises
    ------
    ValueError
        When ``road`` has too few nodes around ``near`` to hold the loop.
    """
    group = f"hamlet:{name}"
    i, j = _hamlet_span(builder, road, near, name=name, width_m=width_m)
    pa, pb = np.array(builder.xy(road[i])), np.array(builder.xy(road[j]))
    t = (pb - pa) / np.hypot(*(pb - pa))
    normal = side * np.array([-t[1], t[0]])
    corners = [builder.add_node(*map(float, p + depth_m * normal)) for p in (pa, pb)]
    start = len(builder.ways)
    add_road(
        builder,
        [road[i], *corners, road[j]],
        {"highway": "unclassified", "name": f"{name}線"},
        rng=rng,
        step_m=70.0,
        wiggle_m=8.0,
        group=group,
    )
    for k in range(n_spurs):
        # odd spurs leave the second corner; the third and later ones slant along
        along = -t if k % 2 == 0 else t
        direction = normal if k < 2 else 0.6 * normal + 0.8 * along
        track = normal * track_m if k == 0 and track_m > 0 else None
        _add_hamlet_spur(
            builder,
            corners[k % 2],
            direction,
            rng=rng,
            name=f"{name}{k + 1}号線",
            group=group,
            track=track,
        )
    return builder.ways[start:]


def _hamlet_span(
    builder: OsmBuilder, road: Sequence[int], near: XY, *, name: str, width_m: float
) -> tuple[int, int]:
    """Return the indices along ``road`` where a hamlet loop leaves and rejoins it.

    Raises
    ------
    ValueError
        When ``road`` has too few nodes around ``near`` to hold the loop.
    """
    i = road.index(nearest_node(builder, road, near))
    pa = np.array(builder.xy(road[i]))
    j = i
    while (
        j < len(road) - 1 and np.hypot(*(np.array(builder.xy(road[j])) - pa)) < width_m
    ):
        j += 1
    if i == 0 or j == i or j == len(road) - 1:
        msg = f"Hamlet `{name}` does not fit on the road near {near}."
        raise ValueError(msg)
    return i, j


def _add_hamlet_spur(
    builder: OsmBuilder,
    corner: int,
    direction: np.ndarray,
    *,
    rng: np.random.Generator,
    name: str,
    group: str,
    track: np.ndarray | None = None,
) -> None:
    """Add a short dead end from ``corner``, or a spur that a farm track continues.

    The spur runs 80-140 m along ``direction`` and is named ``name`` half the
    time; ``track`` is the farm track's offset from the spur's end (None: none).
    """
    end = np.array(builder.xy(corner)) + float(rng.uniform(80.0, 140.0)) * direction
    tags = {"highway": "residential"}
    if rng.random() < 0.5:
        tags["name"] = name
    if track is None:
        tags["noexit"] = "yes"
    spur = add_road(
        builder, [corner, (float(end[0]), float(end[1]))], tags, rng=rng, group=group
    )
    if track is not None:
        far = end + track
        add_road(
            builder,
            [spur[-1], (float(far[0]), float(far[1]))],
            {"highway": "track", "tracktype": "grade3"},
            rng=rng,
            step_m=80.0,
            wiggle_m=10.0,
            group=group,
        )
