"""The layout of the built-in demo network: an Akita-like area at real coordinates."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import split

from snowroute.datasets.blocks import (
    River,
    add_hamlet,
    add_river,
    add_road,
    add_route_road,
    declare_routes,
    meander,
    nearest_junction,
    nearest_node,
)
from snowroute.datasets.grid import (
    GridNodes,
    StreetGrid,
    add_grid_nodes,
    add_grid_streets,
)
from snowroute.datasets.model import (
    Depot,
    Municipality,
    Situation,
    Structure,
    SyntheticNetwork,
    admin_at,
)
from snowroute.datasets.osm import XY, LocalFrame, OsmBuilder, Way, _point_at

__all__ = [
    "AKITA_FRAME",
    "DEMO_EXTENT",
    "DEMO_HORIZON",
    "DEMO_SEED",
    "MLIT_ROUTES",
    "ROUTES",
    "WINTER_CLOSED_TAG",
    "build_demo_network",
]

#: Seed of the committed demo network (the FY2009 plan year, H21).
DEMO_SEED: Final = 2009


#: Local frame of the demo: origin near Akita city centre.
AKITA_FRAME: Final = LocalFrame(lon0=140.10, lat0=39.72)


#: Extent of the demo's boundary polygons in local metres (xmin, ymin, xmax, ymax).
DEMO_EXTENT: Final = (-5200.0, -4200.0, 5200.0, 6400.0)


#: Patrol horizon the demo's inspection dates are chosen around (two weeks).
DEMO_HORIZON: Final = (dt.date(2026, 12, 1), dt.date(2026, 12, 14))


#: Winter closure (冬期閉鎖) as tagged in Japanese OSM practice.
WINTER_CLOSED_TAG: Final = ("motor_vehicle:conditional", "no @ (Dec 1-Apr 30)")


#: National route numbers administered by MLIT in Akita (指定区間).
MLIT_ROUTES: Final = frozenset({"7", "13", "46"})

_PREF_NETWORK: Final = "JP:prefectural:akita"


#: Route relations of the demo: key -> (network, ref, relation name, way name).
ROUTES: Final = {
    "n7": ("JP:national", "7", "国道7号", "国道7号"),
    "n285": ("JP:national", "285", "国道285号", "国道285号"),
    "p7": (_PREF_NETWORK, "7", "秋田県道7号秋田岩城線", "秋田岩城線"),
    "p56": (_PREF_NETWORK, "56", "秋田県道56号秋田天王線", "秋田天王線"),
    "p233": (_PREF_NETWORK, "233", "秋田県道233号太平山線", "太平山線"),
    "p301": (_PREF_NETWORK, "301", "秋田県道301号天王停車場線", "天王停車場線"),
    "p302": (_PREF_NETWORK, "302", "秋田県道302号五城目上町線", "五城目上町線"),
    "p303": (_PREF_NETWORK, "303", "秋田県道303号秋田停車場線", "秋田停車場線"),
}


_GRIDS: Final = {
    "akita_north": StreetGrid(
        "秋田市中央",
        (-480.0, 0.0),
        21,
        14,
        spacing_m=160.0,
        rotation_deg=3.0,
        districts=("保戸野", "旭北", "大町", "中通", "南通", "楢山"),
        oneway_share=0.35,
        n_cul_de_sacs=10,
    ),
    "akita_south": StreetGrid(
        "秋田市南部",
        (-200.0, -2600.0),
        16,
        9,
        spacing_m=160.0,
        rotation_deg=-3.0,
        districts=("牛島", "仁井田", "御野場"),
        oneway_share=0.25,
        n_cul_de_sacs=6,
    ),
    "katagami": StreetGrid(
        "潟上市天王",
        (-2600.0, 4750.0),
        11,
        8,
        spacing_m=140.0,
        rotation_deg=-8.0,
        districts=("二田", "天王", "追分"),
        collector_every=4,
        oneway_share=0.25,
        n_cul_de_sacs=5,
    ),
    "gojome": StreetGrid(
        "五城目町",
        (2900.0, 5000.0),
        10,
        8,
        spacing_m=140.0,
        rotation_deg=10.0,
        districts=("神明前", "上町", "下夕町"),
        collector_every=4,
        oneway_share=0.25,
        n_cul_de_sacs=5,
    ),
}


def _route_road(
    b: OsmBuilder,
    key: str,
    waypoints: Sequence[int | XY],
    extra: Mapping[str, str],
    *,
    rng: np.random.Generator,
    wiggle_m: float = 25.0,
    group: str = "",
) -> list[int]:
    """Add a section of a demo route with the tags OSM Japan gives it."""
    return add_route_road(
        b,
        ROUTES,
        key,
        waypoints,
        extra,
        rng=rng,
        wiggle_m=wiggle_m,
        group=group,
        mlit_routes=MLIT_ROUTES,
    )


@dataclass(frozen=True, slots=True)
class _Layout:
    """Node lists of the demo's main roads, for attaching other roads to them."""

    n7_north: list[int]
    n285: list[int]
    p56: list[int]
    p7: list[int]
    p233_south: list[int]
    p233_north: list[int]


def build_demo_network(*, seed: int = DEMO_SEED) -> SyntheticNetwork:
    """Generate the built-in demo network: an Akita-like area at real coordinates.

    The prefecture (秋田県) and three municipalities (秋田市, 潟上市, 五城目町)
    share about 2,000 directed edges: 国道7号 (MLIT, four lanes through the
    city), 国道285号 (run by the prefecture), 主要地方道 and 一般県道 including a
    県道7号 (the same number as 国道7号) and a mountain road closed in winter,
    four town grids with one-way streets and dead ends, two rivers crossed only on
    bridges, hamlets off prefectural routes and prefectural spurs inside the towns
    (the cases that make exchange snow clearing pay), municipal roads linking
    prefectural routes (patrol network roads), a private yard and farm tracks
    that ingestion must drop, depots and inspected structures.

    Parameters
    ----------
    seed
        Seed of the one random generator every random choice is drawn from.

    Returns
    -------
    SyntheticNetwork
        Everything the demo files are written from.

    Raises
    ------
    ValueError
        When ``seed`` is negative.
    RuntimeError
        When the generated layout breaks one of its invariants (a bug).
    """
    if seed < 0:
        msg = f"`seed` must be a non-negative integer, got {seed}."
        raise ValueError(msg)
    rng = np.random.default_rng(seed)
    b = OsmBuilder()
    declare_routes(b, ROUTES)

    # rivers first: the town grids keep clear of the water
    rivers = _demo_rivers(rng)
    for river in rivers:
        add_river(b, river)
    keep_out = shapely.union_all([r.water() for r in rivers]).buffer(60.0)
    grids = {
        key: add_grid_nodes(b, g, rng=rng, avoid=keep_out) for key, g in _GRIDS.items()
    }

    # routes through the towns first, then the roads hanging off them
    layout = _add_routes(b, grids, rng)
    spurs = _add_town_spurs(b, grids, rng)
    links = _add_municipal_roads(b, grids, layout, rng)
    hamlets = _add_hamlets(b, layout, rng)
    _add_private_yard(b, grids["akita_south"], rng)
    for g in grids.values():
        add_grid_streets(b, g, rng=rng)
    structures = _add_bridges_and_tunnels(b, rivers)

    outline = shapely.box(*DEMO_EXTENT)
    problems = b.problems(outline=outline)
    if problems:
        msg = f"The demo layout (seed {seed}) is broken: {problems[0]}"
        raise RuntimeError(msg)

    municipalities = _demo_municipalities(rng, outline)
    situations = (
        *(Situation("hamlet", n, f"hamlet:{n}", (r,)) for n, r in hamlets.items()),
        *(Situation("town_spur", ROUTES[k][3], f"spur:{k}", (k,)) for k in spurs),
        *(Situation("network_road", n, f"link:{n}", h) for n, h in links.items()),
    )
    return SyntheticNetwork(
        frame=AKITA_FRAME,
        builder=b,
        prefecture_name="秋田県",
        municipalities=municipalities,
        depots=_demo_depots(b, layout),
        structures=_demo_structures(b, municipalities, structures, rng),
        situations=situations,
        generator=f"snowroute demo network generator (seed {seed})",
    )


def _add_hamlets(
    b: OsmBuilder, layout: _Layout, rng: np.random.Generator
) -> dict[str, str]:
    """Add the hamlets off the routes; return the route key each hangs off."""
    hamlets = {
        "大崎": ("p56", layout.p56, (-2700.0, 1600.0), 1, 250.0),
        "富津内": ("n285", layout.n285, (1560.0, 2000.0), 1, 0.0),
        "豊岩": ("p7", layout.p7, (-3750.0, -3150.0), -1, 250.0),
        "黒沢": ("p233", layout.p233_south, (2850.0, 130.0), -1, 200.0),
        "内川": ("p233", layout.p233_north, (3050.0, 3030.0), 1, 0.0),
    }
    for name, (_, road, near, side, track_m) in hamlets.items():
        add_hamlet(b, road, near, rng=rng, name=name, side=side, track_m=track_m)
    return {name: hamlet[0] for name, hamlet in hamlets.items()}


def _add_private_yard(b: OsmBuilder, gs: GridNodes, rng: np.random.Generator) -> None:
    """Add a private factory yard south of the southern grid (not a public road)."""
    south = gs.grid
    add_road(
        b,
        [gs.at(0, 3), south.position(-1, 3), south.position(-1, 4), gs.at(0, 4)],
        {"highway": "service", "access": "private"},
        rng=rng,
    )


def _demo_depots(b: OsmBuilder, layout: _Layout) -> tuple[Depot, ...]:
    """Place one depot per administrator on a junction (MLIT has none here)."""
    pref_yard = nearest_node(b, layout.p7, (-2350.0, -2300.0))
    return (
        Depot(
            "D05",
            "05",
            "秋田地域振興局建設部 道路維持基地",
            nearest_junction(b, b.xy(pref_yard)),
        ),
        *(
            Depot(
                f"D{code}", code, name, nearest_junction(b, _GRIDS[grid].position(*rc))
            )
            for code, name, grid, rc in (
                ("05201", "秋田市 中央除雪センター", "akita_north", (8, 6)),
                ("05211", "潟上市 除雪基地", "katagami", (5, 4)),
                ("05361", "五城目町 除雪基地", "gojome", (5, 6)),
            )
        ),
    )


def _demo_rivers(rng: np.random.Generator) -> tuple[River, ...]:
    """雄物川 south of the city centre and 馬场目川 south of the northern towns."""
    omono = meander(
        (5150.0, -1450.0),
        (-5150.0, -1550.0),
        rng=rng,
        amplitude_m=110.0,
        wavelength_m=3600.0,
    )
    babame = meander(
        (5150.0, 3900.0),
        (-5150.0, 3400.0),
        rng=rng,
        amplitude_m=80.0,
        wavelength_m=2800.0,
    )
    return (
        River("雄物川", omono, 170.0, ("雄物新橋", "川尻大橋", "雄物川大橋")),
        River("馬場目川", babame, 60.0, ("天王大橋", "八郎橋", "馬場目橋", "上町橋")),
    )


def _add_routes(
    b: OsmBuilder, grids: Mapping[str, GridNodes], rng: np.random.Generator
) -> _Layout:
    """Add the national and prefectural routes, through the towns they serve."""
    n7_north, n285 = _add_national_routes(b, grids, rng)
    p56, p7 = _add_main_prefectural_routes(b, grids, rng)
    p233_south, p233_north = _add_mountain_route(b, grids["akita_north"], n285, rng)
    return _Layout(n7_north, n285, p56, p7, p233_south, p233_north)


def _add_national_routes(
    b: OsmBuilder, grids: Mapping[str, GridNodes], rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """Add 国道7号 and 国道285号; return 国道7号 north of the city and 国道285号."""
    gn, gs = grids["akita_north"], grids["akita_south"]
    gk, gg = grids["katagami"], grids["gojome"]
    # 国道7号 (MLIT): four lanes through both Akita grids, two lanes further north
    n7_city: list[int | XY] = [(700.0, -3850.0), *gs.col(13, 0, 8), *gn.col(17, 0, 13)]
    _route_road(
        b, "n7", n7_city, {"lanes": "4", "maxspeed": "50"}, rng=rng, wiggle_m=20
    )
    n7_north = _route_road(
        b,
        "n7",
        [
            gn.at(13, 17),
            *[(620.0, 2000.0), (300.0, 2800.0), (-550.0, 3350.0), (-1350.0, 4050.0)],
            *gk.col(10, 0, 7),
            (-1750.0, 6050.0),
        ],
        {"lanes": "2", "maxspeed": "60"},
        rng=rng,
    )
    # 国道285号 (prefecture): north-east to 五城目, along its main street
    n285 = _route_road(
        b,
        "n285",
        [
            gn.at(13, 17),
            *[(1300.0, 1650.0), (1900.0, 2500.0), (2200.0, 3200.0), (2250.0, 4150.0)],
            *[(2080.0, 4550.0), (2120.0, 4830.0)],
            *gg.row(3, 0, 9),
            *[(4100.0, 5300.0), (4600.0, 5500.0), (5150.0, 5700.0)],
        ],
        {"lanes": "2", "maxspeed": "50"},
        rng=rng,
    )
    return n7_north, n285


def _add_main_prefectural_routes(
    b: OsmBuilder, grids: Mapping[str, GridNodes], rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """Add the 主要地方道 県道56号 and 県道7号 and return their nodes."""
    gn, gk = grids["akita_north"], grids["katagami"]
    # 主要地方道: 県道56号 to 潟上 (its main street), 県道7号 south-west over 雄物川
    two_lanes = {"lanes": "2", "maxspeed": "50"}
    p56 = _route_road(
        b,
        "p56",
        [
            gn.at(10, 0),
            *[(-2500.0, 1100.0), (-2850.0, 2000.0), (-2950.0, 2600.0)],
            *[(-3000.0, 3200.0), (-3150.0, 3950.0)],
            *gk.col(1, 0, 7),
            (-3450.0, 6050.0),
        ],
        two_lanes,
        rng=rng,
    )
    p7 = _route_road(
        b,
        "p7",
        [
            gn.at(2, 0),
            *[(-2300.0, -1000.0), (-2350.0, -2300.0), (-3300.0, -3000.0)],
            (-4850.0, -3500.0),
        ],
        two_lanes,
        rng=rng,
    )
    return p56, p7


def _add_mountain_route(
    b: OsmBuilder, gn: GridNodes, n285: Sequence[int], rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """Add 県道233号 from the city over the pass to 国道285号.

    Returns the sections south and north of the winter-closed pass.
    """
    # 一般県道233号 over the hills to 国道285号, closed in winter at the pass
    two_lanes_40 = {"lanes": "2", "maxspeed": "40"}
    p233_south = _route_road(
        b,
        "p233",
        [
            gn.at(7, 20),
            *[(1700.0, 220.0), (2300.0, 180.0), (2900.0, 120.0), (3500.0, 480.0)],
            (3900.0, 900.0),
        ],
        two_lanes_40,
        rng=rng,
        wiggle_m=20.0,
    )
    mountain = {"lanes": "1", "width": "4.5", "maxspeed": "30"}
    p233_pass = _route_road(
        b,
        "p233",
        [
            p233_south[-1],
            *[(4150.0, 1250.0), (4350.0, 1700.0), (4300.0, 2150.0), (4150.0, 2500.0)],
        ],
        {**mountain, WINTER_CLOSED_TAG[0]: WINTER_CLOSED_TAG[1]},
        rng=rng,
        wiggle_m=30.0,
    )
    end = nearest_node(b, n285, (2050.0, 2850.0))
    p233_north = _route_road(
        b,
        "p233",
        [p233_pass[-1], (3600.0, 2950.0), (2900.0, 3050.0), end],
        two_lanes_40,
        rng=rng,
        wiggle_m=20.0,
    )
    return p233_south, p233_north


def _add_town_spurs(
    b: OsmBuilder, grids: Mapping[str, GridNodes], rng: np.random.Generator
) -> tuple[str, ...]:
    """一般県道 spurs deep inside the town grids (station roads, 停車場線)."""
    spurs = {
        "p301": grids["katagami"].row(4, 1, 7),
        "p302": grids["gojome"].col(4, 3, 7),
        "p303": grids["akita_north"].row(9, 17, 11),
    }
    for key, nodes in spurs.items():
        _route_road(b, key, nodes, {}, rng=rng, group=f"spur:{key}")
    return tuple(spurs)


def _add_municipal_roads(
    b: OsmBuilder,
    grids: Mapping[str, GridNodes],
    layout: _Layout,
    rng: np.random.Generator,
) -> dict[str, tuple[str, ...]]:
    """Municipal roads between routes and towns; returns the patrol network roads.

    Two of them link prefectural routes across the countryside, the municipal
    roads a prefectural patrol covers with its own (patrol network roads).
    """
    tertiary = {"highway": "tertiary", "maxspeed": "40"}
    near = nearest_node
    links: dict[str, tuple[tuple[str, ...], list[int | XY]]] = {
        "昭和大川線": (
            ("p56", "n285"),
            [
                near(b, layout.p56, (-2950.0, 2600.0)),
                (-1500.0, 2750.0),
                near(b, layout.n7_north, (300.0, 2800.0)),
                (1100.0, 2700.0),
                near(b, layout.n285, (1950.0, 2600.0)),
            ],
        ),
        "太平中央線": (
            ("n285", "p233"),
            [
                near(b, layout.n285, (1300.0, 1650.0)),
                (1850.0, 900.0),
                near(b, layout.p233_south, (2300.0, 180.0)),
            ],
        ),
    }
    for name, (_, waypoints) in links.items():
        tags = {**tertiary, "name": name}
        add_road(b, waypoints, tags, rng=rng, wiggle_m=30.0, group=f"link:{name}")
    gn, gs, gg = grids["akita_north"], grids["akita_south"], grids["gojome"]
    others: dict[str, tuple[list[int | XY], float]] = {
        "馬場目線": (
            [near(b, layout.n285, (2280.0, 3400.0)), (3300.0, 3430.0), gg.at(0, 9)],
            25.0,
        ),
        "川尻新屋線": ([gn.at(0, 10), gs.at(8, 5)], 15.0),
        "四ツ小屋線": (
            [gs.at(4, 0), (-1900.0, -2450.0), near(b, layout.p7, (-2350.0, -2300.0))],
            20.0,
        ),
    }
    for name, (waypoints, wiggle_m) in others.items():
        add_road(b, waypoints, {**tertiary, "name": name}, rng=rng, wiggle_m=wiggle_m)
    return {name: hosts for name, (hosts, _) in links.items()}


def _add_bridges_and_tunnels(
    b: OsmBuilder, rivers: Sequence[River]
) -> list[tuple[str, Way, str]]:
    """Split every river crossing into a bridge and two ridge crossings into tunnels."""
    found: list[tuple[str, Way, str]] = []
    for river in rivers:
        crossings = b.split_at(river.water(), {"bridge": "yes", "layer": "1"})
        crossings.sort(key=lambda w: b.line(w.nodes).centroid.x)
        for k, way in enumerate(crossings):
            way.tags["bridge:name"] = river.bridge_name(k)
            found.append(("bridge", way, river.bridge_name(k)))
    ridges = (
        ("太平山トンネル", (4350.0, 1700.0), 230.0),
        ("杉沢トンネル", (4600.0, 5500.0), 200.0),
    )
    for name, centre, radius in ridges:
        ridge = Point(centre).buffer(radius)
        for way in b.split_at(ridge, {"tunnel": "yes", "layer": "-1"}):
            way.tags["tunnel:name"] = name
            found.append(("tunnel", way, name))
    return found


def _wavy(
    points: Sequence[XY], rng: np.random.Generator, *, step_m: float, sd_m: float
) -> list[XY]:
    """Densify a polyline with random sideways offsets (a natural-looking border)."""
    out: list[XY] = [points[0]]
    for (x0, y0), (x1, y1) in _pairs_xy(points):
        dist = math.hypot(x1 - x0, y1 - y0)
        n = max(1, round(dist / step_m))
        ux, uy = -(y1 - y0) / dist, (x1 - x0) / dist
        for k in range(1, n):
            t = k / n
            off = float(np.clip(rng.normal(0.0, sd_m), -2 * sd_m, 2 * sd_m))
            out.append((x0 + t * (x1 - x0) + off * ux, y0 + t * (y1 - y0) + off * uy))
        out.append((x1, y1))
    return out


def _pairs_xy(points: Sequence[XY]) -> list[tuple[XY, XY]]:
    return list(pairwise(points))


def _demo_municipalities(
    rng: np.random.Generator, outline: Polygon
) -> tuple[Municipality, ...]:
    """Split the demo area into three municipalities along two synthetic borders.

    The north-south border starts exactly on a vertex of the east-west one, so
    the three polygons share every vertex and still tile after rounding.
    """
    south_line = _wavy(
        [
            (-5300.0, 1450.0),
            (-3800.0, 1350.0),
            (-2000.0, 1500.0),
            (-600.0, 1600.0),
            (400.0, 1700.0),
            (1400.0, 1800.0),
            (2600.0, 1880.0),
            (3800.0, 1780.0),
            (5300.0, 1850.0),
        ],
        rng,
        step_m=150.0,
        sd_m=20.0,
    )
    north_line = _wavy(
        [
            (350.0, 1200.0),
            (450.0, 2600.0),
            (150.0, 3500.0),
            (400.0, 4600.0),
            (200.0, 5600.0),
            (350.0, 6500.0),
        ],
        rng,
        step_m=150.0,
        sd_m=20.0,
    )
    tee = LineString(south_line).intersection(LineString(north_line))
    if not isinstance(tee, Point):
        msg = "The demo's municipal borders must meet exactly once."
        raise RuntimeError(msg)
    t = (float(tee.x), float(tee.y))
    i = _segment_index(south_line, t)
    south_line = [*south_line[: i + 1], t, *south_line[i + 1 :]]
    j = _segment_index(north_line, t)
    north_line = [t, *north_line[j + 1 :]]
    south, north = sorted(
        split(outline, LineString(south_line)).geoms, key=lambda g: g.centroid.y
    )
    west, east = sorted(
        split(north, LineString(north_line)).geoms, key=lambda g: g.centroid.x
    )
    return (
        Municipality("05201", "秋田市", south),
        Municipality("05211", "潟上市", west),
        Municipality("05361", "五城目町", east, county="南秋田郡"),
    )


def _segment_index(points: Sequence[XY], p: XY) -> int:
    """Return the index of the segment of polyline ``points`` nearest to ``p``."""
    target = Point(p)
    distances = [LineString(pair).distance(target) for pair in _pairs_xy(points)]
    return int(np.argmin(distances))


def _demo_structures(
    b: OsmBuilder,
    municipalities: Sequence[Municipality],
    raw: Sequence[tuple[str, Way, str]],
    rng: np.random.Generator,
) -> tuple[Structure, ...]:
    """Give the bridges and tunnels inspection dates around the demo horizon.

    Structures on open roads cycle through: next inspection due inside the
    horizon, in a later year, or on the day after the horizon. Structures on
    winter-closed roads are inspected in summer and never fall due in winter.
    """
    start, end = DEMO_HORIZON
    pattern = ("due", "later", "due", "due", "later", "due", "due", "edge")
    out: list[Structure] = []
    counters = {"bridge": 0, "tunnel": 0}
    open_index = 0
    for kind, way, name in raw:
        line = b.line(way.nodes)
        mid = _point_at(line, line.length / 2.0)
        if WINTER_CLOSED_TAG[0] in way.tags:
            last = dt.date(2023, 6, 1) + dt.timedelta(days=int(rng.integers(0, 120)))
        else:
            case = pattern[open_index % len(pattern)]
            open_index += 1
            if case == "due":
                offset = int(rng.integers(0, (end - start).days + 1))
                last = start.replace(year=start.year - 5) + dt.timedelta(days=offset)
            elif case == "edge":
                last = (end + dt.timedelta(days=1)).replace(year=end.year - 5)
            else:
                last = dt.date(2022, 4, 1) + dt.timedelta(
                    days=int(rng.integers(0, 1300))
                )
        counters[kind] += 1
        if kind == "bridge":
            minutes = 30 + 5 * round(line.length / 40.0)
        else:
            minutes = 60 + 10 * round(line.length / 100.0)
        out.append(
            Structure(
                structure_id=f"{kind[0].upper()}{counters[kind]:02d}",
                kind=kind,
                name=name,
                admin_id=admin_at(way, mid, municipalities),
                xy=mid,
                last_inspection=last,
                interval_years=5,
                minutes_on_site=min(minutes, 180),
            )
        )
    return tuple(out)
