"""The layout of the built-in demo region: a regional office's area at real coordinates.

A prefecture-scale companion to the small demo (:mod:`snowroute.datasets.demo`):
the area of a regional office (地域振興局) of Akita prefecture around 大曲, with
three municipalities, two of them merged rural cities whose former town centres
(旧町村の中心) lie kilometres from the city's one snow-clearing yard. Hamlets
(集落) hang off the prefectural routes between the towns; short prefectural routes
(停車場線 and other 一般県道) run inside the towns, reached only through municipal
streets or the MLIT national route, and too narrow for the prefecture's plow
trucks: it sends a dozer from its yard for them, while the towns' dozers are
there anyway. These are the two situations exchange snow clearing (交換除雪) is
made for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon

from snowroute.datasets.blocks import (
    RouteSpec,
    add_hamlet,
    add_route_road,
    declare_routes,
    nearest_junction,
    nearest_node,
)
from snowroute.datasets.demo import MLIT_ROUTES
from snowroute.datasets.grid import (
    GridNodes,
    StreetGrid,
    add_grid_nodes,
    add_grid_streets,
)
from snowroute.datasets.model import Depot, Municipality, Situation, SyntheticNetwork
from snowroute.datasets.osm import XY, LocalFrame, OsmBuilder

__all__ = [
    "OMAGARI_FRAME",
    "REGION_EXTENT",
    "REGION_MUNICIPALITIES",
    "REGION_ROUTES",
    "REGION_SEED",
    "TOWN_ROUTE_WIDTH_M",
    "build_region_network",
]

#: Seed of the committed demo region (the FY2009 plan year, H21, as the demo).
REGION_SEED: Final = 2009

#: Local frame of the region: origin at 大曲 (大仙市), the regional office's town.
OMAGARI_FRAME: Final = LocalFrame(lon0=140.48, lat0=39.45)

#: Extent of the region's boundary polygons in local metres (xmin, ymin, xmax, ymax).
REGION_EXTENT: Final = (-20000.0, -17000.0, 19000.0, 25500.0)

#: Municipalities of the region: code -> (name, county).
REGION_MUNICIPALITIES: Final = {
    "05212": ("大仙市", ""),
    "05215": ("仙北市", ""),
    "05434": ("美郷町", "仙北郡"),
}

_PREF: Final = "JP:prefectural:akita"

#: Route relations of the region: key -> (network, ref, relation name, way name).
#: Through routes first, then the short prefectural routes inside the towns.
REGION_ROUTES: Final[dict[str, RouteSpec]] = {
    "n13": ("JP:national", "13", "国道13号", "国道13号"),
    "n105": ("JP:national", "105", "国道105号", "国道105号"),
    "n341": ("JP:national", "341", "国道341号", "国道341号"),
    "p30": (_PREF, "30", "秋田県道30号西木南外線", "西木南外線"),
    "p36": (_PREF, "36", "秋田県道36号大曲大森線", "大曲大森線"),
    "p49": (_PREF, "49", "秋田県道49号六郷大曲線", "六郷大曲線"),
    "p50": (_PREF, "50", "秋田県道50号角館六郷線", "角館六郷線"),
    "p253": (_PREF, "253", "秋田県道253号六郷仙南線", "六郷仙南線"),
    "p255": (_PREF, "255", "秋田県道255号協和大曲線", "協和大曲線"),
    "p256": (_PREF, "256", "秋田県道256号神岡太田線", "神岡太田線"),
    "p258": (_PREF, "258", "秋田県道258号南外千屋線", "南外千屋線"),
    # valley roads into the hills, ending at a gorge, a spa or a ski field
    "p261": (_PREF, "261", "秋田県道261号抱返り線", "抱返り線"),
    "p262": (_PREF, "262", "秋田県道262号夏瀬線", "夏瀬線"),
    "p263": (_PREF, "263", "秋田県道263号真木線", "真木線"),
    "p264": (_PREF, "264", "秋田県道264号荒川大台線", "荒川大台線"),
    "p265": (_PREF, "265", "秋田県道265号中里湯ノ沢線", "中里湯ノ沢線"),
    "p266": (_PREF, "266", "秋田県道266号大沢郷線", "大沢郷線"),
    "p267": (_PREF, "267", "秋田県道267号川口線", "川口線"),
}

#: Valley roads: key -> (through route it leaves, where, then its way up the
#: valley). A prefectural dead end kilometres long with hamlets along it: the
#: prefecture's trucks plow it anyway, a town's dozer drives up it only for them.
_VALLEYS: Final[dict[str, tuple[str, XY, tuple[XY, ...]]]] = {
    "p261": ("p50", (11250.0, 10250.0), ((14500.0, 11500.0), (18000.0, 13500.0))),
    "p262": ("n105", (3400.0, 23300.0), ((6500.0, 23800.0), (10000.0, 24800.0))),
    "p263": ("p50", (13500.0, -5000.0), ((16000.0, -5300.0), (18700.0, -6500.0))),
    "p264": ("p255", (-14500.0, 2500.0), ((-17000.0, 2300.0), (-19700.0, 1000.0))),
    "p265": ("p30", (-5750.0, 13500.0), ((-9000.0, 14200.0), (-12000.0, 15500.0))),
    "p266": ("p256", (-1000.0, 8750.0), ((-1200.0, 11500.0), (-1500.0, 14500.0))),
    "p267": ("p36", (-5250.0, -5250.0), ((-4200.0, -7500.0), (-3000.0, -10000.0))),
}

#: Town grids: the three municipal centres, then the former town centres.
_GRIDS: Final = {
    "omagari": StreetGrid(
        "大仙市大曲",
        (0.0, 0.0),
        11,
        7,
        spacing_m=170.0,
        rotation_deg=4.0,
        districts=("大曲通町", "大曲上栄町", "大曲中通町", "大曲大町", "大曲須和町"),
        oneway_share=0.2,
        n_cul_de_sacs=8,
    ),
    "kakunodate": StreetGrid(
        "仙北市角館",
        (3000.0, 19000.0),
        9,
        6,
        spacing_m=160.0,
        rotation_deg=-5.0,
        districts=("角館町東勝楽丁", "角館町表町", "角館町岩瀬", "角館町中菅沢"),
        collector_every=4,
        oneway_share=0.2,
        n_cul_de_sacs=6,
    ),
    "rokugo": StreetGrid(
        "美郷町六郷",
        (10000.0, -7000.0),
        8,
        5,
        spacing_m=150.0,
        rotation_deg=8.0,
        districts=("六郷", "六郷東根", "本町", "米町"),
        collector_every=4,
        oneway_share=0.1,
        n_cul_de_sacs=5,
    ),
    **{
        key: StreetGrid(
            name,
            centre,
            7,
            5,
            spacing_m=140.0,
            rotation_deg=rotation,
            districts=districts,
            collector_every=3,
            oneway_share=0.0,
            n_cul_de_sacs=3,
        )
        for key, (name, centre, rotation, districts) in {
            "kamioka": ("大仙市神岡", (-7000.0, 6000.0), 3.0, ("神宮寺", "北楢岡")),
            "kariwano": ("大仙市西仙北", (-12000.0, -2000.0), -4.0, ("刈和野",)),
            "kyowa": ("大仙市協和", (-17000.0, 9000.0), 2.0, ("境", "協和境")),
            "nakasen": ("大仙市中仙", (5000.0, 9000.0), -3.0, ("長野", "北長野")),
            "nangai": ("大仙市南外", (-9000.0, -11000.0), 5.0, ("南外", "湯神台")),
            "ota": ("大仙市太田", (14000.0, 4000.0), -2.0, ("太田町横沢",)),
            "nishiki": ("仙北市西木", (-4000.0, 22000.0), 4.0, ("西木町門屋",)),
            "senhata": ("美郷町千畑", (15000.0, -2500.0), 6.0, ("土崎", "千屋")),
            "sennan": ("美郷町仙南", (7000.0, -13500.0), -6.0, ("飯詰", "金沢東根")),
        }.items()
    },
}

#: Municipality of each grid, and the seeds of the municipal polygons (the
#: former municipalities merged into each: their centres and outlying areas).
_GRID_MUNICIPALITY: Final = {
    "omagari": "05212",
    "kamioka": "05212",
    "kariwano": "05212",
    "kyowa": "05212",
    "nakasen": "05212",
    "nangai": "05212",
    "ota": "05212",
    "kakunodate": "05215",
    "nishiki": "05215",
    "rokugo": "05434",
    "senhata": "05434",
    "sennan": "05434",
}
_EXTRA_SEEDS: Final = (
    ("05212", (-16000.0, -8000.0)),
    ("05212", (-17000.0, 1000.0)),
    ("05212", (-13000.0, 14000.0)),
    ("05212", (-1000.0, 12500.0)),
    ("05212", (10000.0, 8500.0)),
    ("05212", (18000.0, 9000.0)),
    ("05212", (-3000.0, -15000.0)),
    ("05215", (-11000.0, 22500.0)),
    ("05215", (10000.0, 21000.0)),
    ("05215", (16000.0, 17000.0)),
    ("05434", (17500.0, -9000.0)),
    ("05434", (13000.0, -15000.0)),
)

#: Hamlet (集落) names, given in the order hamlets are placed along the routes.
_HAMLET_NAMES: Final = (
    "長野",
    "高畑",
    "杉山田",
    "荒川",
    "宮田",
    "堀見内",
    "外小友",
    "内小友",
    "四ツ屋",
    "藤木",
    "角間川",
    "豊川",
    "野田",
    "峰吉川",
    "土川",
    "強首",
    "心像",
    "淀川",
    "船岡",
    "小種",
    "楢岡",
    "湯元",
    "杉沢",
    "上桧木内",
    "西明寺",
    "小山田",
    "雲然",
    "白岩",
    "卒田",
    "梅沢",
    "中里",
    "広久内",
    "金沢",
    "本堂城回",
    "野荒町",
    "畑屋",
    "黒沢",
    "大森",
    "北野",
    "鑓見内",
    "清水",
    "寺館",
    "八幡",
    "川目",
    "小杉山",
    "下延",
    "鬼川",
    "田屋",
    "稲沢",
    "松倉",
    "夏瀬",
    "田沢",
    "神代",
    "大威徳",
    "真木",
    "善知鳥",
    "荒沢",
    "大台",
    "湯ノ沢",
    "中村",
    "大沢郷",
    "寺沢",
    "川口",
    "岩見",
    "新田",
    "桧木",
    "戸沢",
    "滝ノ沢",
    "大畑",
    "上野台",
    "栗沢",
    "大向",
    "猿田",
    "日三市",
    "小沢",
)

#: Short prefectural routes inside the towns: key -> (grid, ref, name, path).
#: The path runs along grid row ``row`` between columns ``cols``, then out to the
#: grid positions ``out`` (a station, a park, an industrial estate): a road the
#: prefecture reaches only over municipal streets (or MLIT's 国道13号). They are
#: old town roads, :data:`TOWN_ROUTE_WIDTH_M` wide: too narrow for a plow truck,
#: so whoever plows them sends a dozer.
_TOWN_ROUTES: Final[
    dict[
        str, tuple[str, str, str, int, tuple[int, int], tuple[tuple[float, float], ...]]
    ]
] = {
    "p301": ("omagari", "301", "大曲停車場線", 0, (2, 0), ((-2.0, -2.0), (-3.5, -2.5))),
    "p302": ("omagari", "302", "大曲中央線", 5, (1, 4), ()),
    "p303": ("omagari", "303", "大曲公園線", 6, (7, 9), ((8.0, 9.5), (9.5, 10.0))),
    "p304": (
        "omagari",
        "304",
        "大曲工業団地線",
        0,
        (7, 9),
        ((-2.0, 9.5), (-3.5, 10.5)),
    ),
    "p305": (
        "kakunodate",
        "305",
        "角館停車場線",
        0,
        (1, 3),
        ((-2.0, 2.0), (-3.5, 2.5)),
    ),
    "p306": ("kakunodate", "306", "角館公園線", 5, (6, 8), ((6.5, 9.5), (8.0, 10.5))),
    "p307": ("kakunodate", "307", "角館中央線", 4, (0, 3), ()),
    "p308": ("rokugo", "308", "六郷中央線", 1, (0, 3), ()),
    "p309": ("rokugo", "309", "六郷公園線", 4, (5, 7), ((5.5, 8.0), (7.0, 8.5))),
    "p310": ("kamioka", "310", "神宮寺停車場線", 0, (4, 6), ((-2.0, 7.0), (-4.0, 7.5))),
    "p311": ("kamioka", "311", "神岡中央線", 4, (0, 2), ((6.0, -1.5),)),
    "p312": (
        "kariwano",
        "312",
        "刈和野停車場線",
        0,
        (0, 2),
        ((-2.0, -1.0), (-4.0, -1.5)),
    ),
    "p313": ("kariwano", "313", "西仙北中央線", 4, (4, 6), ((6.0, 7.5),)),
    "p314": ("kyowa", "314", "羽後境停車場線", 0, (4, 6), ((-2.0, 7.0), (-4.0, 7.5))),
    "p315": ("kyowa", "315", "協和中央線", 4, (0, 2), ((6.0, -1.5),)),
    "p316": ("nakasen", "316", "中仙中央線", 0, (0, 2), ((-2.0, -1.0), (-3.5, -1.5))),
    "p317": ("nakasen", "317", "中仙公園線", 4, (4, 6), ((6.0, 7.5),)),
    "p318": ("nangai", "318", "南外中央線", 0, (4, 6), ((-2.0, 7.0),)),
    "p319": ("nangai", "319", "南外温泉線", 4, (0, 2), ((6.0, -1.5), (7.5, -2.5))),
    "p320": ("ota", "320", "太田中央線", 0, (0, 2), ((-2.0, -1.0),)),
    "p321": ("ota", "321", "太田公園線", 4, (4, 6), ((6.0, 7.5), (7.5, 8.5))),
    "p322": ("nishiki", "322", "西木中央線", 0, (4, 6), ((-2.0, 7.0),)),
    "p323": ("nishiki", "323", "西木温泉線", 4, (0, 2), ((6.0, -1.5), (7.5, -2.5))),
    "p324": ("senhata", "324", "千畑中央線", 0, (0, 2), ((-2.0, -1.0),)),
    "p325": ("senhata", "325", "千畑公園線", 4, (4, 6), ((6.0, 7.5),)),
    "p326": ("sennan", "326", "仙南中央線", 4, (0, 2), ((6.0, -1.5),)),
    "p327": ("sennan", "327", "飯詰停車場線", 0, (4, 6), ((-2.0, 7.0), (-3.5, 7.5))),
}

#: Carriageway width of the town routes (metres, OSM ``width``): narrower than a
#: plow truck with its blade needs (about 5.5 m).
TOWN_ROUTE_WIDTH_M: Final = 5.0

#: Depots: id, administrator, name, grid and grid position it sits nearest to.
_DEPOTS: Final = (
    (
        "D05-omagari",
        "05",
        "仙北地域振興局建設部 大曲道路維持基地",
        "omagari",
        (4.0, 10.0),
    ),
    (
        "D05-kariwano",
        "05",
        "仙北地域振興局建設部 西仙北除雪基地",
        "kariwano",
        (2.0, 3.0),
    ),
    (
        "D05-kakunodate",
        "05",
        "仙北地域振興局建設部 角館除雪基地",
        "kakunodate",
        (0.0, 4.0),
    ),
    ("D05212", "05212", "大仙市 大曲除雪センター", "omagari", (2.0, 3.0)),
    ("D05215", "05215", "仙北市 角館除雪基地", "kakunodate", (4.0, 2.0)),
    ("D05434", "05434", "美郷町 六郷除雪基地", "rokugo", (3.0, 2.0)),
    # the merged municipalities keep a yard at each former town's office (支所)
    ("D05212-kamioka", "05212", "大仙市 神岡除雪基地", "kamioka", (2.0, 3.0)),
    ("D05212-kariwano", "05212", "大仙市 西仙北除雪基地", "kariwano", (3.0, 2.0)),
    ("D05212-kyowa", "05212", "大仙市 協和除雪基地", "kyowa", (2.0, 3.0)),
    ("D05212-nakasen", "05212", "大仙市 中仙除雪基地", "nakasen", (2.0, 3.0)),
    ("D05212-nangai", "05212", "大仙市 南外除雪基地", "nangai", (2.0, 3.0)),
    ("D05212-ota", "05212", "大仙市 太田除雪基地", "ota", (2.0, 3.0)),
    ("D05215-nishiki", "05215", "仙北市 西木除雪基地", "nishiki", (2.0, 3.0)),
    ("D05434-senhata", "05434", "美郷町 千畑除雪基地", "senhata", (2.0, 3.0)),
    ("D05434-sennan", "05434", "美郷町 仙南除雪基地", "sennan", (2.0, 3.0)),
)

#: Hamlets are this far apart along a route, and keep this far from towns and from
#: other roads (metres).
_HAMLET_SPACING_M: Final = 3200.0
_HAMLET_TOWN_CLEARANCE_M: Final = 2200.0
_HAMLET_ROAD_CLEARANCE_M: Final = 900.0


@dataclass(frozen=True, slots=True)
class _Gates:
    """The main street row and column of a grid, where routes pass through."""

    nodes: GridNodes

    @property
    def rm(self) -> int:
        return self.nodes.grid.n_rows // 2

    @property
    def cm(self) -> int:
        return self.nodes.grid.n_cols // 2

    def row(self, first: int | None = None, last: int | None = None) -> list[int]:
        """Return the main row from column ``first`` to ``last`` (default: W to E)."""
        n = self.nodes.grid.n_cols - 1
        return self.nodes.row(
            self.rm, 0 if first is None else first, n if last is None else last
        )

    def col(self, first: int | None = None, last: int | None = None) -> list[int]:
        """Return the main column from row ``first`` to ``last`` (default: S to N)."""
        n = self.nodes.grid.n_rows - 1
        return self.nodes.col(
            self.cm, 0 if first is None else first, n if last is None else last
        )

    def flip(self, path: list[int]) -> list[int]:
        """``path`` reversed."""
        return path[::-1]


def build_region_network(*, seed: int = REGION_SEED) -> SyntheticNetwork:
    """Generate the built-in demo region: one regional office's area, deterministically.

    秋田県 (its roads from three 道路維持基地 yards) and three municipalities
    (大仙市 and 仙北市, merged cities, and 美郷町), each with a yard in its
    centre and one at each former town's office (支所): 国道13号 (MLIT, not
    plowed by any of them), the prefecture's 国道105号 and 国道341号, seven
    主要地方道/一般県道 through routes between twelve town grids, hamlets (集落)
    hanging off the through routes kilometres from the town yards, and short
    prefectural routes (停車場線 and the like) inside the towns that the
    prefecture reaches only over municipal streets, too narrow for a plow truck
    (:data:`TOWN_ROUTE_WIDTH_M`).

    Parameters
    ----------
    seed
        Seed of the one random generator every random choice is drawn from.

    Returns
    -------
    SyntheticNetwork
        Everything the region's files are written from.

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
    declare_routes(b, {**REGION_ROUTES, **_town_route_specs()})
    grids = {key: add_grid_nodes(b, g, rng=rng) for key, g in _GRIDS.items()}

    # through routes first, then the roads inside and off the towns
    through = _add_through_routes(b, grids, rng)
    valleys = _add_valley_roads(b, through, rng)
    _add_town_routes(b, grids, rng)
    for g in grids.values():
        add_grid_streets(b, g, rng=rng)
    hamlets = _add_hamlets(b, valleys, through, rng)

    outline = shapely.box(*REGION_EXTENT)
    problems = b.problems(outline=outline)
    if problems:
        msg = f"The region layout (seed {seed}) is broken: {problems[0]}"
        raise RuntimeError(msg)
    situations = (
        *(Situation("hamlet", n, f"hamlet:{n}", (r,)) for n, r in hamlets.items()),
        *(
            Situation("town_spur", spec[3], f"spur:{key}", (key,))
            for key, spec in _town_route_specs().items()
        ),
    )
    return SyntheticNetwork(
        frame=OMAGARI_FRAME,
        builder=b,
        prefecture_name="秋田県",
        municipalities=_region_municipalities(outline),
        depots=_region_depots(b, grids),
        structures=(),
        situations=situations,
        generator=f"snowroute demo region generator (seed {seed})",
    )


def _town_route_specs() -> dict[str, RouteSpec]:
    """Route relations of the short prefectural routes inside the towns."""
    return {
        key: (_PREF, ref, f"秋田県道{ref}号{name}", name)
        for key, (_, ref, name, *_) in _TOWN_ROUTES.items()
    }


def _road(
    b: OsmBuilder,
    key: str,
    waypoints: Sequence[int | XY],
    extra: Mapping[str, str],
    *,
    rng: np.random.Generator,
    group: str = "",
) -> list[int]:
    """Add a section of a region route (rural: nodes every 200 m)."""
    return add_route_road(
        b,
        {**REGION_ROUTES, **_town_route_specs()},
        key,
        waypoints,
        extra,
        rng=rng,
        mlit_routes=MLIT_ROUTES,
        wiggle_m=60.0,
        step_m=200.0,
        group=group,
    )


def _add_through_routes(
    b: OsmBuilder, grids: Mapping[str, GridNodes], rng: np.random.Generator
) -> dict[str, list[int]]:
    """Add the national and prefectural through routes; return their nodes by key.

    Each town grid's main row and main column carry at most one route each; a
    route that only reaches a town ends on one of them.
    """
    out: dict[str, list[int]] = {}
    for legs in (_national_legs, _main_legs, _general_legs):
        for key, waypoints, extra in legs(b, grids, out):
            out.setdefault(key, []).extend(_road(b, key, waypoints, extra, rng=rng))
    return out


#: A section of a route: its key, waypoints and extra tags.
_Leg = tuple[str, list[int | XY], Mapping[str, str]]
_TWO_LANES: Final = {"lanes": "2", "maxspeed": "50"}


def _national_legs(
    b: OsmBuilder, grids: Mapping[str, GridNodes], out: Mapping[str, list[int]]
) -> Iterator[_Leg]:
    """Yield the sections of 県道258号 (国道13号 crosses it) and the national routes."""
    g = {key: _Gates(nodes) for key, nodes in grids.items()}
    om, ka = g["omagari"], g["kakunodate"]
    two = _TWO_LANES
    # 南外千屋線 first: 国道13号 crosses it south of 大曲 at a junction
    yield (
        "p258",
        [
            g["nangai"].row()[-1],
            (-4000.0, -12500.0),
            (1500.0, -13500.0),
            *g["sennan"].row(),
            (12000.0, -13000.0),
            (16000.0, -11000.0),
            (18800.0, -10000.0),
        ],
        two,
    )
    crossing = nearest_node(b, out["p258"], (2650.0, -13500.0))
    # 国道13号 (MLIT): four lanes through 大曲, on to 神岡 and 協和
    yield (
        "n13",
        [(3000.0, -16800.0), crossing, (2000.0, -8000.0), *om.col()],
        {"lanes": "4", "maxspeed": "50"},
    )
    yield (
        "n13",
        [
            om.col()[-1],
            (-2500.0, 3000.0),
            *g["kamioka"].flip(g["kamioka"].row()),
            (-11000.0, 7500.0),
            *g["kyowa"].flip(g["kyowa"].row()),
            (-19800.0, 10000.0),
        ],
        {"lanes": "2", "maxspeed": "60"},
    )
    # 国道105号 (prefecture): 大曲 east, north through 中仙 to 角館
    yield (
        "n105",
        [
            *om.row(om.cm),
            (3500.0, 2500.0),
            (4800.0, 6000.0),
            *g["nakasen"].col(),
            (4000.0, 13000.0),
            (3200.0, 16500.0),
            *ka.col(),
            (3500.0, 22500.0),
            (3000.0, 25300.0),
        ],
        two,
    )
    # 国道341号 (prefecture): 角館 west to 西木
    yield (
        "n341",
        [
            *ka.flip(ka.row(0, ka.cm)),
            (-500.0, 20000.0),
            *g["nishiki"].flip(g["nishiki"].row()),
            (-7000.0, 23500.0),
            (-9000.0, 25300.0),
        ],
        two,
    )


def _main_legs(
    b: OsmBuilder, grids: Mapping[str, GridNodes], out: Mapping[str, list[int]]
) -> Iterator[_Leg]:
    """Yield the sections of the 主要地方道 through routes."""
    g = {key: _Gates(nodes) for key, nodes in grids.items()}
    om, ka, ro = g["omagari"], g["kakunodate"], g["rokugo"]
    two = _TWO_LANES
    # 主要地方道: 大曲大森線 south-west, 六郷大曲線 south-east, 角館六郷線 east
    yield (
        "p36",
        [
            *om.flip(om.row(0, om.cm)),
            (-4000.0, -3000.0),
            (-6500.0, -7500.0),
            *g["nangai"].flip(g["nangai"].row()),
            (-13000.0, -12000.0),
            (-15500.0, -15500.0),
        ],
        two,
    )
    yield (
        "p49",
        [om.row()[-1], (3500.0, -2000.0), (7000.0, -4500.0), *ro.row()],
        two,
    )
    yield (
        "p50",
        [
            ro.row()[-1],
            (12500.0, -6000.0),
            (14500.0, -4000.0),
            *g["senhata"].col(),
            (14500.0, 1000.0),
            *g["ota"].col(),
            (13500.0, 8000.0),
            (9000.0, 12500.0),
            *ka.flip(ka.row(ka.cm)),
        ],
        two,
    )
    # 西木南外線: the long north-south route of the western hills
    yield (
        "p30",
        [
            (-3500.0, 25300.0),
            *g["nishiki"].flip(g["nishiki"].col()),
            (-5500.0, 16000.0),
            (-6000.0, 11000.0),
            *g["kamioka"].flip(g["kamioka"].col()),
            (-9000.0, 3000.0),
            (-11500.0, 0.0),
            *g["kariwano"].flip(g["kariwano"].col()),
            (-11000.0, -5000.0),
            (-10000.0, -8000.0),
            *g["nangai"].flip(g["nangai"].col()),
            (-8500.0, -14000.0),
            (-8000.0, -16800.0),
        ],
        two,
    )


def _general_legs(
    b: OsmBuilder, grids: Mapping[str, GridNodes], out: Mapping[str, list[int]]
) -> Iterator[_Leg]:
    """Yield the sections of the 一般県道 through routes."""
    g = {key: _Gates(nodes) for key, nodes in grids.items()}
    om, ro = g["omagari"], g["rokugo"]
    two = _TWO_LANES
    # 一般県道: 協和大曲線, 神岡太田線, 六郷仙南線
    yield (
        "p255",
        [
            (-17500.0, 13500.0),
            *g["kyowa"].flip(g["kyowa"].col()),
            (-15500.0, 4000.0),
            (-13500.0, 1000.0),
            *g["kariwano"].row(),
            (-9000.0, -1000.0),
            (-5000.0, -1500.0),
            om.row()[0],
        ],
        two,
    )
    yield (
        "p256",
        [
            g["kamioka"].row()[-1],
            (-3000.0, 8000.0),
            (1000.0, 9500.0),
            *g["nakasen"].row(),
            (9000.0, 7500.0),
            *g["ota"].row(),
            (17000.0, 5000.0),
            (18800.0, 6000.0),
        ],
        two,
    )
    yield (
        "p253",
        [*ro.flip(ro.col()), (8000.0, -10500.0), *g["sennan"].flip(g["sennan"].col())],
        two,
    )
    yield ("p253", [g["sennan"].col()[0], (6500.0, -16800.0)], two)


def _add_valley_roads(
    b: OsmBuilder, through: Mapping[str, list[int]], rng: np.random.Generator
) -> dict[str, list[int]]:
    """Add the valley roads of :data:`_VALLEYS`; return their nodes by key."""
    out = {}
    for key, (host, mouth, way_up) in _VALLEYS.items():
        start = nearest_node(b, through[host], mouth)
        extra = {"lanes": "2", "maxspeed": "40"}
        out[key] = _road(b, key, [start, *way_up], extra, rng=rng)
    return out


def _add_town_routes(
    b: OsmBuilder, grids: Mapping[str, GridNodes], rng: np.random.Generator
) -> None:
    """Add the short prefectural routes inside the towns (see :data:`_TOWN_ROUTES`)."""
    for key, (grid, _, _, row, (c0, c1), out) in _TOWN_ROUTES.items():
        nodes = grids[grid]
        path: list[int | XY] = [*nodes.row(row, c0, c1)]
        path += [nodes.grid.position(r, c) for r, c in out]
        extra = {"lanes": "2", "maxspeed": "40", "width": f"{TOWN_ROUTE_WIDTH_M:g}"}
        _road(b, key, path, extra, rng=rng, group=f"spur:{key}")


def _add_hamlets(
    b: OsmBuilder,
    valleys: Mapping[str, list[int]],
    through: Mapping[str, list[int]],
    rng: np.random.Generator,
) -> dict[str, str]:
    """Add hamlets along the valley roads, then the through routes.

    Returns the route key each hamlet hangs off, by hamlet name. Along each road
    a hamlet every :data:`_HAMLET_SPACING_M` metres or so (closer in the
    valleys), on alternating sides, where it keeps clear of the towns, of other
    roads and of other hamlets.
    """
    names = iter(_HAMLET_NAMES)
    placed: list[Point] = []
    hamlets: dict[str, str] = {}
    roads = [(key, nodes, 0.55) for key, nodes in valleys.items()]
    roads += [
        (key, nodes, 1.0)
        for key, nodes in through.items()
        if REGION_ROUTES[key][1] not in MLIT_ROUTES
    ]
    for key, nodes, spacing in roads:
        for p, side in _hamlet_sites(b, key, nodes, placed, spacing, rng):
            name = next(names, None)
            if name is None:
                return hamlets
            add_hamlet(
                b,
                nodes,
                (p.x, p.y),
                rng=rng,
                name=name,
                side=side,
                width_m=float(rng.uniform(350.0, 550.0)),
                depth_m=float(rng.uniform(250.0, 450.0)),
                n_spurs=int(rng.integers(2, 4)),
                track_m=float(rng.choice([0.0, 250.0])),
            )
            placed.append(p)
            hamlets[name] = key
    return hamlets


def _hamlet_sites(
    b: OsmBuilder,
    key: str,
    nodes: Sequence[int],
    placed: Sequence[Point],
    spacing: float,
    rng: np.random.Generator,
) -> list[tuple[Point, int]]:
    """Return where hamlets fit along route ``key`` (point, side), in order."""
    towns = [Point(g.center) for g in _GRIDS.values()]
    line = b.line(nodes)
    others = shapely.union_all(
        [b.line(w.nodes) for w in b.ways if w.is_road and key not in w.routes]
    )
    step = spacing * _HAMLET_SPACING_M
    sites: list[tuple[Point, int]] = []
    s = max(0.6 * step, 1500.0)
    side = 1
    while s < line.length - 900.0:
        p = line.interpolate(s)
        s += step * float(rng.uniform(0.8, 1.2))
        if (
            min(p.distance(t) for t in towns) < _HAMLET_TOWN_CLEARANCE_M
            or p.distance(others) < _HAMLET_ROAD_CLEARANCE_M
            or any(p.distance(q) < 1200.0 for q in [*placed, *(q for q, _ in sites)])
        ):
            continue
        sites.append((p, side))
        side = -side
    return sites


def _region_municipalities(outline: Polygon) -> tuple[Municipality, ...]:
    """Split the region into its municipalities: Voronoi cells of former towns.

    Each merged city is the union of the cells of its former municipalities'
    centres (and of a few outlying seeds), so borders run between the towns.
    """
    seeds = [(code, _GRIDS[g].center) for g, code in _GRID_MUNICIPALITY.items()]
    seeds += list(_EXTRA_SEEDS)
    cells = shapely.voronoi_polygons(
        MultiPoint([xy for _, xy in seeds]), extend_to=outline
    )
    parts: dict[str, list[Polygon]] = {code: [] for code in REGION_MUNICIPALITIES}
    for cell in cells.geoms:
        code = next(c for c, xy in seeds if cell.contains(Point(xy)))
        parts[code].append(cell.intersection(outline))
    out = []
    for code, (name, county) in REGION_MUNICIPALITIES.items():
        polygon = shapely.union_all(parts[code])
        if not isinstance(polygon, Polygon):
            msg = f"Municipality {code} of the region is not one polygon."
            raise RuntimeError(msg)
        out.append(Municipality(code, name, polygon, county=county))
    return tuple(out)


def _region_depots(b: OsmBuilder, grids: Mapping[str, GridNodes]) -> tuple[Depot, ...]:
    """Place the prefecture's yards and each municipality's yard on junctions."""
    return tuple(
        Depot(
            depot_id,
            admin,
            name,
            nearest_junction(b, grids[grid].grid.position(*rc)),
        )
        for depot_id, admin, name, grid, rc in _DEPOTS
    )
