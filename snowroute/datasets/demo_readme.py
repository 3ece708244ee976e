"""The demo folder's note: figures measured from the network, prose from a template.

The prose lives in ``templates/demo_readme.md.j2``; this module measures the
network (as OSMnx reads it and from the generator's ways) and turns the figures
into the strings and Markdown tables the template places.
"""

from __future__ import annotations

import re
import tempfile
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import networkx as nx
from jinja2 import Environment, PackageLoader

from snowroute.datasets.blocks import route_class
from snowroute.datasets.demo import (
    DEMO_EXTENT,
    DEMO_HORIZON,
    MLIT_ROUTES,
    ROUTES,
    WINTER_CLOSED_TAG,
)
from snowroute.datasets.model import SyntheticNetwork, admin_at, write_osm_xml
from snowroute.datasets.osm import Way, _pairs, _point_at

__all__ = ["DemoFigures", "demo_readme", "measure_demo_network"]


@dataclass(frozen=True, slots=True)
class DemoFigures:
    """Size of a generated network: graph counts and road km by class and owner."""

    nodes: int
    edges: int
    oneway_edges: int
    km_class: dict[str, float]
    km_admin: dict[str, float]
    km_route: dict[str, float]


def measure_demo_network(network: SyntheticNetwork) -> DemoFigures:
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
    return DemoFigures(
        G.number_of_nodes(), G.number_of_edges(), oneway, km_class, km_admin, km_route
    )


def demo_readme(network: SyntheticNetwork, figures: DemoFigures, *, seed: int) -> str:
    """Return the demo folder's note: how it is built, what it holds, its size."""
    template = _environment().get_template("demo_readme.md.j2")
    return template.render(
        seed=seed,
        **_area_facts(network),
        **_street_facts(network),
        **_size_facts(figures),
        **_structure_facts(network),
        tables={
            **_situation_tables(network),
            "depots": _depot_table(network),
            "structures": _structure_table(network),
            **_km_tables(network, figures),
        },
    )


def _environment() -> Environment:
    """Return the jinja2 environment of the note (Markdown: no autoescape)."""
    env = Environment(
        loader=PackageLoader("snowroute.datasets", "templates"),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["paragraph"] = _paragraph
    env.filters["item"] = _item
    return env


def _wrap(text: str, *, first: str, rest: str) -> str:
    """Rejoin the lines of ``text`` with single spaces and wrap it to 88 columns."""
    joined = re.sub(r"[ \t]*\n[ \t]*", " ", text.strip())
    lines = textwrap.wrap(
        joined,
        width=88,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines) + "\n"


def _paragraph(text: str) -> str:
    """Wrap one Markdown paragraph to 88 columns."""
    return _wrap(text, first="", rest="")


def _item(text: str) -> str:
    """Wrap one Markdown list item to 88 columns."""
    return _wrap(text, first="- ", rest="  ")


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _area_facts(network: SyntheticNetwork) -> dict[str, str]:
    """Where the demo lies: origin, extent, size, municipalities, winter closure."""
    frame = network.frame
    xmin, ymin, xmax, ymax = DEMO_EXTENT
    west, south = frame.to_lonlat(xmin, ymin)
    east, north = frame.to_lonlat(xmax, ymax)
    return {
        "origin": f"{frame.lon0:.2f} E, {frame.lat0:.2f} N",
        "extent": f"{west:.3f}-{east:.3f} E, {south:.3f}-{north:.3f} N",
        "size": f"{(xmax - xmin) / 1000:.1f} km x {(ymax - ymin) / 1000:.1f} km",
        "municipalities": ", ".join(
            f"{m.name} `{m.code}`" for m in network.municipalities
        ),
        "closure": f"`{WINTER_CLOSED_TAG[0]}={WINTER_CLOSED_TAG[1]}`",
    }


def _street_facts(network: SyntheticNetwork) -> dict[str, int]:
    """Count the one-way and dead-end public ways."""
    public = [w for w in network.builder.ways if w.is_public]
    return {
        "n_oneway": sum("oneway" in w.tags for w in public),
        "n_reverse": sum(w.tags.get("oneway") == "-1" for w in public),
        "n_noexit": sum(w.tags.get("noexit") == "yes" for w in public),
    }


def _size_facts(figures: DemoFigures) -> dict[str, str]:
    """Graph counts and public road km, formatted."""
    public_km = sum(v for k, v in figures.km_class.items() if not k.endswith("*"))
    return {
        "nodes": f"{figures.nodes:,}",
        "edges": f"{figures.edges:,}",
        "oneway_edges": f"{figures.oneway_edges}",
        "public_km": f"{public_km:.1f}",
    }


def _structure_facts(network: SyntheticNetwork) -> dict[str, str]:
    """How many structures fall due in the patrol horizon."""
    start, end = DEMO_HORIZON
    n_due = sum(start <= s.due <= end for s in network.structures)
    return {
        "n_due": f"{n_due}",
        "n_structures": f"{len(network.structures)}",
        "horizon": f"{start}..{end}",
    }


def _road_km(G: nx.DiGraph, source: int, targets: Iterable[int]) -> float:
    """Return the shortest driving distance in km from ``source`` to ``targets``."""
    dist = nx.single_source_dijkstra_path_length(G, source, weight="length")
    return float(min(dist[t] for t in targets)) / 1000.0


def _situation_tables(network: SyntheticNetwork) -> dict[str, str]:
    """Tables of the exchange and patrol situations, with depot distances."""
    b = network.builder
    G = b.road_graph()
    depot = {d.admin_id: d.node for d in network.depots}
    names = {m.code: m.name for m in network.municipalities}
    rows: dict[str, list[list[str]]] = {}
    for sit in network.situations:
        ways, km_by_admin = network.situation_roads(sit)
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


def _depot_table(network: SyntheticNetwork) -> str:
    """One row per depot: id, administrator, name."""
    rows = [[f"`{d.depot_id}`", f"`{d.admin_id}`", d.name] for d in network.depots]
    return _table(["depot_id", "admin_id", "name"], rows)


def _structure_table(network: SyntheticNetwork) -> str:
    """One row per bridge or tunnel, marking the ones due in the patrol horizon."""
    start, end = DEMO_HORIZON
    rows = [
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
    header = ["id", "kind", "name", "admin_id", "last inspection", "due", "minutes"]
    return _table(header, rows)


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


def _km_tables(network: SyntheticNetwork, figures: DemoFigures) -> dict[str, str]:
    """Road km per highway class, per administrator and per route."""
    km_class = [
        (k.rstrip("*") + (" (not public: dropped)" if k.endswith("*") else ""), v)
        for k in _HIGHWAY_ORDER
        if (v := figures.km_class.get(k)) is not None
    ]
    names = {m.code: m.name for m in network.municipalities}
    admin_rows = [
        [f"`{a}`", _ADMIN_LABELS.get(a, names.get(a, a)), f"{figures.km_admin[a]:.1f}"]
        for a in sorted(figures.km_admin, key=lambda a: (a != "mlit", len(a), a))
    ]
    route_rows = []
    for key, (net, ref, relation_name, _) in ROUTES.items():
        highway, admin = route_class(
            (net, ref, relation_name, ""), mlit_routes=MLIT_ROUTES
        )
        km = f"{figures.km_route[key]:.2f}"
        tags = f"`highway={highway}` `ref={ref}`"
        route_rows.append([relation_name, tags, f"`{net}`", f"`{admin}`", km])
    return {
        "km_class": _table(["highway", "km"], [(k, f"{v:.1f}") for k, v in km_class]),
        "km_admin": _table(["admin_id", "administrator", "km"], admin_rows),
        "km_route": _table(
            ["route (路線)", "way tags", "relation", "admin_id", "km"], route_rows
        ),
    }
