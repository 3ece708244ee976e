"""Writing the built-in demo network's files and the note that describes them."""

from __future__ import annotations

import logging
import tempfile
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import networkx as nx

from snowroute._io import atomic_directory, check_output_path
from snowroute.datasets.demo import (
    DEMO_EXTENT,
    DEMO_HORIZON,
    DEMO_SEED,
    MLIT_ROUTES,
    ROUTES,
    WINTER_CLOSED_TAG,
    build_demo_network,
)
from snowroute.datasets.model import (
    SyntheticNetwork,
    admin_at,
    write_boundaries_geojson,
    write_depots_csv,
    write_osm_xml,
    write_structures_csv,
)
from snowroute.datasets.osm import Way, _pairs, _point_at

__all__ = ["DemoNetworkFiles", "write_demo_network"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DemoNetworkFiles:
    """Paths of the files of a written demo network."""

    folder: Path
    osm: Path
    boundaries: Path
    depots: Path
    structures: Path
    readme: Path


_FILE_NAMES: Final = {
    "osm": "demo.osm",
    "boundaries": "boundaries.geojson",
    "depots": "depots.csv",
    "structures": "structures.csv",
    "readme": "README.md",
}


def write_demo_network(
    folder: Path, *, seed: int = DEMO_SEED, force: bool = False
) -> DemoNetworkFiles:
    """Generate the demo network and write its files into ``folder`` atomically.

    Writes ``demo.osm`` (OSM XML 0.6 with route relations), ``boundaries.geojson``
    (municipal polygons with N03 columns), ``depots.csv``, ``structures.csv`` and
    ``README.md``. The same seed gives the same bytes. On any failure ``folder``
    is left as it was (absent, or the previous version).

    Parameters
    ----------
    folder
        Folder to create (its parent must exist).
    seed
        Seed of the generator; the committed demo uses :data:`DEMO_SEED`.
    force
        Replace ``folder`` when it already exists.

    Returns
    -------
    DemoNetworkFiles
        The paths written.

    Raises
    ------
    InputFileError
        When ``folder`` exists and ``force`` is false, or its parent is missing.
    ValueError
        When ``seed`` is negative.
    """
    folder = Path(folder)
    check_output_path(folder, force=force)
    network = build_demo_network(seed=seed)
    figures = _figures(network)
    logger.info(
        "Demo network: %d nodes, %d directed edges", figures.nodes, figures.edges
    )
    with atomic_directory(folder, force=force) as tmp:
        write_osm_xml(network, tmp / _FILE_NAMES["osm"])
        write_boundaries_geojson(network, tmp / _FILE_NAMES["boundaries"])
        write_depots_csv(network, tmp / _FILE_NAMES["depots"])
        write_structures_csv(network, tmp / _FILE_NAMES["structures"])
        readme = _readme(network, figures, seed=seed)
        (tmp / _FILE_NAMES["readme"]).write_text(readme, encoding="utf-8")
    return DemoNetworkFiles(folder, **{k: folder / v for k, v in _FILE_NAMES.items()})


@dataclass(frozen=True, slots=True)
class _Figures:
    nodes: int
    edges: int
    oneway_edges: int
    km_class: dict[str, float]
    km_admin: dict[str, float]
    km_route: dict[str, float]


def _figures(network: SyntheticNetwork) -> _Figures:
    """Measure the network: graph counts as OSMnx reads it, km from the ways."""
    import osmnx as ox

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "public.osm"
        write_osm_xml(network, path, public_only=True)
        G = ox.graph_from_xml(path, simplify=True, retain_all=False)
    b = network.builder
    km_class: dict[str, float] = {}
    km_admin: dict[str, float] = {}
    km_route: dict[str, float] = {}
    for way in b.ways:
        if not way.is_road:
            continue
        for u, v in _pairs(way.nodes):
            seg = b.line((u, v))
            km = seg.length / 1000.0
            hw = way.tags["highway"] if way.is_public else f"{way.tags['highway']}*"
            km_class[hw] = km_class.get(hw, 0.0) + km
            if way.is_public:
                admin = network.admin_of(way, _point_at(seg, seg.length / 2.0))
                km_admin[admin] = km_admin.get(admin, 0.0) + km
                for key in way.routes:
                    km_route[key] = km_route.get(key, 0.0) + km
    oneway = sum(1 for *_, d in G.edges(data=True) if d.get("oneway"))
    return _Figures(
        G.number_of_nodes(), G.number_of_edges(), oneway, km_class, km_admin, km_route
    )


_ADMIN_LABELS: Final = {"mlit": "MLIT (国土交通省, 指定区間)", "05": "秋田県"}

_HIGHWAY_ORDER: Final = (
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "service*",
    "track*",
)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """Return the lines of a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _road_km(G: nx.DiGraph, source: int, targets: Iterable[int]) -> float:
    """Return the shortest driving distance in km from ``source`` to ``targets``."""
    dist = nx.single_source_dijkstra_path_length(G, source, weight="length")
    return float(min(dist[t] for t in targets)) / 1000.0


def _situation_tables(network: SyntheticNetwork) -> dict[str, list[str]]:
    """Tables of the exchange and patrol situations, with depot distances."""
    b = network.builder
    G = b.road_graph()
    depot = {d.admin_id: d.node for d in network.depots}
    names = {m.code: m.name for m in network.municipalities}
    rows: dict[str, list[list[str]]] = {}
    for sit in network.situations:
        ways = [w for w in b.ways if w.group == sit.group and w.is_public]
        km_by_admin: dict[str, float] = {}
        for way in ways:
            for u, v in _pairs(way.nodes):
                seg = b.line((u, v))
                admin = network.admin_of(way, _point_at(seg, seg.length / 2.0))
                km_by_admin[admin] = km_by_admin.get(admin, 0.0) + seg.length / 1000.0
        km = sum(km_by_admin.values())
        ends = {n for w in ways for n in (w.nodes[0], w.nodes[-1])}
        hosts = "、".join(ROUTES[h][2] for h in sit.hosts)
        pref_km = _road_km(G, depot["05"], ends)
        if sit.kind == "town_spur":
            town_code = _town_of(network, ways[0])
            town_km = _road_km(G, depot[town_code], ends)
            row = [ROUTES[sit.hosts[0]][2], names[town_code], f"{km:.2f}"]
            rows.setdefault(sit.kind, []).append(
                [*row, f"{pref_km:.1f}", f"{town_km:.1f}"]
            )
        else:
            owners = sorted(km_by_admin, key=lambda a: -km_by_admin[a])
            own_km = _road_km(G, depot[owners[0]], ends)
            who = "、".join(names[a] for a in owners)
            row = [sit.name, who, hosts, f"{km:.2f}", f"{own_km:.1f}", f"{pref_km:.1f}"]
            rows.setdefault(sit.kind, []).append(row)
    own = ["km", "from own depot", "from prefecture depot"]
    return {
        "hamlet": _table(
            ["hamlet (集落)", "municipality", "hangs off", *own], rows["hamlet"]
        ),
        "town_spur": _table(
            ["route", "town", "km", "from prefecture depot", "from town depot"],
            rows["town_spur"],
        ),
        "network_road": _table(
            ["municipal road", "municipality", "links", *own], rows["network_road"]
        ),
    }


def _town_of(network: SyntheticNetwork, way: Way) -> str:
    """Return the code of the municipality holding the middle of ``way``."""
    line = network.builder.line(way.nodes)
    mid = _point_at(line, line.length / 2.0)
    return admin_at(Way(way.nodes, {}), mid, network.municipalities)


def _wrap(*parts: str, bullet: bool = False) -> list[str]:
    """Wrap one Markdown paragraph (or list item, with ``bullet``) to 88 columns."""
    text = "".join(parts)
    first, rest = ("- ", "  ") if bullet else ("", "")
    return textwrap.wrap(
        text,
        width=88,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _readme(network: SyntheticNetwork, figures: _Figures, *, seed: int) -> str:
    """Write the demo folder's note: how it is built, what it holds, its size."""
    b = network.builder
    frame = network.frame
    xmin, ymin, xmax, ymax = DEMO_EXTENT
    west, south = frame.to_lonlat(xmin, ymin)
    east, north = frame.to_lonlat(xmax, ymax)
    size = f"{(xmax - xmin) / 1000:.1f} km x {(ymax - ymin) / 1000:.1f} km"
    names = {m.code: m.name for m in network.municipalities}
    start, end = DEMO_HORIZON
    n_due = sum(start <= s.due <= end for s in network.structures)
    public = [w for w in b.ways if w.is_public]
    n_oneway = sum("oneway" in w.tags for w in public)
    n_reverse = sum(w.tags.get("oneway") == "-1" for w in public)
    n_noexit = sum(w.tags.get("noexit") == "yes" for w in public)
    public_km = sum(v for k, v in figures.km_class.items() if not k.endswith("*"))
    situations = _situation_tables(network)
    km_class = [
        (k.rstrip("*") + (" (not public: dropped)" if k.endswith("*") else ""), v)
        for k in _HIGHWAY_ORDER
        if (v := figures.km_class.get(k)) is not None
    ]
    admin_rows = [
        [f"`{a}`", _ADMIN_LABELS.get(a, names.get(a, a)), f"{figures.km_admin[a]:.1f}"]
        for a in sorted(figures.km_admin, key=lambda a: (a != "mlit", len(a), a))
    ]
    route_rows = []
    for key, (net, ref, relation_name, _) in ROUTES.items():
        national = net == "JP:national"
        highway = "trunk" if national else ("primary" if len(ref) <= 2 else "secondary")
        admin = "mlit" if national and ref in MLIT_ROUTES else "05"
        km = f"{figures.km_route[key]:.2f}"
        tags = f"`highway={highway}` `ref={ref}`"
        route_rows.append([relation_name, tags, f"`{net}`", f"`{admin}`", km])
    structure_rows = [
        [
            f"`{s.structure_id}`",
            s.kind,
            s.name,
            f"`{s.admin_id}`",
            s.last_inspection,
            f"{s.due}" + (" **due**" if start <= s.due <= end else ""),
            s.minutes_on_site,
        ]
        for s in network.structures
    ]
    depot_rows = [
        [f"`{d.depot_id}`", f"`{d.admin_id}`", d.name] for d in network.depots
    ]
    municipalities = ", ".join(f"{m.name} `{m.code}`" for m in network.municipalities)
    closure = f"`{WINTER_CLOSED_TAG[0]}={WINTER_CLOSED_TAG[1]}`"
    lines = [
        "# The built-in demo network",
        "",
        *_wrap(
            "A small Akita-like road network to try snowroute on without internet. ",
            "The prefecture (秋田県 `05`) and three municipalities ",
            f"({municipalities}) ",
            "share its roads, so it exercises administrator tagging, exchange snow ",
            "clearing (交換除雪) and road patrol planning.",
        ),
        "",
        *_wrap(
            "**The coordinates are real, the roads are not.** Every road, name, route ",
            "number, bridge, depot and border is made up by a generator and laid out ",
            f"around Akita city (origin {frame.lon0:.2f} E, {frame.lat0:.2f} N; ",
            "extent ",
            f"{west:.3f}-{east:.3f} E, {south:.3f}-{north:.3f} N, {size}). The ",
            "municipal codes are the real ones of these neighbouring municipalities; ",
            "their polygons are synthetic and cover only this area.",
        ),
        "",
        "## How it is built",
        "",
        *_wrap(
            "`snowroute.datasets` generates it: ",
            f"`write_demo_network(folder, seed=...)` with seed {seed}. One numpy ",
            "Generator drives every random choice and the files are written ",
            "atomically. The same seed gives the same bytes, and a test checks that ",
            "the files here equal a fresh generation. Regenerate them with:",
        ),
        "",
        "```sh",
        "make demo-network",
        "```",
        "",
        *_wrap(
            "`demo.osm`: OSM XML 0.6. Nodes with lat/lon; ways tagged as OSM Japan ",
            "does; route relations `type=route route=road` with `network=JP:national` ",
            "or `network=JP:prefectural:akita`, `ref` and `name`; the two rivers as ",
            "`waterway=river` ways that share no node with a road.",
            bullet=True,
        ),
        *_wrap(
            "`boundaries.geojson`: the municipal polygons (EPSG:4326) with N03 ",
            "columns `N03_001` prefecture, `N03_002`, `N03_003` county (郡), ",
            "`N03_004` municipality, `N03_007` 5-digit code. They tile the area: ",
            "each road lies in exactly one.",
            bullet=True,
        ),
        *_wrap(
            "`depots.csv`: `depot_id,admin_id,name,lon,lat`, one depot per ",
            "administrator (`05` the prefecture, else the municipal code: read the ",
            "ids as text). Each sits on a road junction, with exactly that node's ",
            "coordinates.",
            bullet=True,
        ),
        *_wrap(
            "`structures.csv`: `structure_id,kind,name,admin_id,lon,lat,",
            "last_inspection,interval_years,minutes_on_site`: every bridge (one per ",
            "river crossing) and tunnel, at the middle of its way; `admin_id` is the ",
            "road's administrator.",
            bullet=True,
        ),
        "",
        "## What is in it",
        "",
        *_wrap(
            "**National routes** (`highway=trunk`): 国道7号 (`ref=7`, MLIT, ",
            "指定区間) runs north-south through both Akita grids with `lanes=4`, ",
            "`lanes=2` further north; 国道285号 (`ref=285`) is run by the ",
            "prefecture.",
            bullet=True,
        ),
        *_wrap(
            "**Prefectural routes**: 主要地方道 as `primary` with a 1-2 digit ",
            "`ref`, 一般県道 as `secondary` with a 3-digit `ref`. 県道7号 ",
            "秋田岩城線 has the number of 国道7号: the known trap, a different ",
            "route of a different administrator. 県道233号 太平山線 crosses the ",
            f"hills with a winter-closed section ({closure}, 冬期閉鎖) and a ",
            "tunnel; OSMnx keeps that tag only when it is added to ",
            "`osmnx.settings.useful_tags_way`.",
            bullet=True,
        ),
        *_wrap(
            "**Towns**: four street grids (秋田市 north and south of 雄物川, ",
            "潟上市, 五城目町) of `residential` streets and `tertiary` collectors, ",
            "named 〇〇N号線 or 〇〇通り線 or unnamed, some with `width`; ",
            f"{n_oneway} one-way ways ({n_reverse} tagged `oneway=-1`), {n_noexit} ",
            "dead ends tagged `noexit=yes`, and gaps that make T junctions.",
            bullet=True,
        ),
        *_wrap(
            "**Rivers**: 雄物川 (170 m wide) and 馬場目川 (60 m), crossed only on ",
            "bridges: separate ways tagged `bridge=yes layer=1 bridge:name=...`.",
            bullet=True,
        ),
        *_wrap(
            "**Not public roads**, for ingestion to drop: a private yard ",
            "(`highway=service access=private`) and farm tracks (`highway=track`). ",
            "The public roads form one strongly connected network; roads cut by the ",
            "extent end there.",
            bullet=True,
        ),
        "",
        "### Where exchange snow clearing pays",
        "",
        "Distances: shortest driving distance on public roads, in km, from the depot.",
        "",
        *_wrap(
            "Municipal roads off prefectural routes, far from the municipal depot ",
            "while the prefecture's plow passes anyway (県が市町村道を除雪):",
        ),
        "",
        *situations["hamlet"],
        "",
        *_wrap(
            "Prefectural spurs deep inside a town grid, far from the prefecture's ",
            "depot (市町村が県道を除雪):",
        ),
        "",
        *situations["town_spur"],
        "",
        *_wrap(
            "Municipal roads linking prefectural routes, which a prefectural patrol ",
            "covers with them (国県道と一体となって重要なネットワークを担う市町村道):",
        ),
        "",
        *situations["network_road"],
        "",
        "### Depots",
        "",
        *_table(["depot_id", "admin_id", "name"], depot_rows),
        "",
        *_wrap(
            "The prefecture's yard lies south of 雄物川, far from its spurs in ",
            "潟上市 and 五城目町. MLIT has no depot here: 国道7号 is outside the ",
            "exchange.",
        ),
        "",
        "### Structures",
        "",
        *_wrap(
            "Close visual inspection every 5 years (since 2014); the next one falls ",
            f"due on `last_inspection + interval_years`. {n_due} of ",
            f"{len(network.structures)} fall due in the two-week patrol horizon ",
            f"{start}..{end}, one on the day after it; the tunnel on the ",
            "winter-closed road is inspected in summer.",
        ),
        "",
        *_table(
            ["id", "kind", "name", "admin_id", "last inspection", "due", "minutes"],
            structure_rows,
        ),
        "",
        "## Size",
        "",
        *_wrap(
            "`osmnx.graph_from_xml(path, simplify=True, retain_all=False)` on the ",
            "public roads (without the `service` and `track` ways) gives ",
            f"**{figures.nodes:,} nodes and {figures.edges:,} directed edges**, ",
            f"{figures.oneway_edges} of them one-way. Road length counts each road ",
            f"once: {public_km:.1f} km of public roads.",
        ),
        "",
        *_table(["highway", "km"], [(k, f"{v:.1f}") for k, v in km_class]),
        "",
        *_wrap(
            "Road length per administrator as the generator intends it (DOMAIN.md §3 ",
            "rules; municipal roads by the polygon that holds each segment). A ",
            "tagger should agree:",
        ),
        "",
        *_table(["admin_id", "administrator", "km"], admin_rows),
        "",
        *_table(["route (路線)", "way tags", "relation", "admin_id", "km"], route_rows),
        "",
        "## Licence",
        "",
        *_wrap(
            "Generated by the snowroute project. It holds no third-party data (no ",
            "OpenStreetMap or MLIT data): only place names, municipal codes and the ",
            "coordinate frame are real. Distributed under the project's licence (MIT).",
        ),
        "",
    ]
    return "\n".join(lines)
