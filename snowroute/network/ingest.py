"""Reading road networks from OSM XML or PBF, GraphML or an online OSM query.

Every reader returns an OSMnx-compatible ``nx.MultiDiGraph`` holding drivable public
roads only: node ``x``/``y`` in EPSG:4326, edge ``length`` in metres, ``geometry``
where the road bends, ``osmid``, the OSM tags that later steps read (``highway``,
``name``, ``ref``, ``lanes``, ``maxspeed``, ``width``, ``bridge``, conditional
access, ...), ``oneway`` and ``reversed`` as OSMnx sets them, and ``rel_routes``: the
``network=ref`` pairs of the road route relations the way belongs to (OSMnx itself
does not read relations). Turn restrictions (``type=restriction`` relations with a
via node) are kept as the graph attribute ``turn_restrictions``, a JSON list of
``[restriction, from_way, via_node, to_way]`` that routing with turn rules honours.
"""

from __future__ import annotations

import bz2
import gzip
import json
import logging
import lzma
from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError, iterparse

import networkx as nx
import osmnx as ox

from snowroute._errors import InputFileError
from snowroute._io import check_input_file
from snowroute.network import attributes as A
from snowroute.network.tags import first

__all__ = [
    "DRIVABLE_HIGHWAYS",
    "OSM_ROAD_CLASSES",
    "graph_from_bbox",
    "graph_from_file",
    "graph_from_osm_xml",
    "graph_from_place",
    "largest_component",
    "load_graphml",
]

logger = logging.getLogger(__name__)

#: ``highway`` values of public roads a plow or patrol car may drive.
DRIVABLE_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "road",
    }
)

#: ``highway`` values of roads: the drivable ones, and those an OSM file's network
#: drops but a GraphML file or a centerline ledger may carry.
OSM_ROAD_CLASSES = DRIVABLE_HIGHWAYS | frozenset(
    ("service", "track", "pedestrian", "busway", "bus_guideway", "escape", "raceway")
)

#: Way tags kept on edges; everything else in the OSM file is dropped.
KEPT_WAY_TAGS = (
    "highway",
    "name",
    "ref",
    "lanes",
    "maxspeed",
    "width",
    "est_width",
    "bridge",
    "tunnel",
    "layer",
    "junction",
    "access",
    "seasonal",
    "motor_vehicle:conditional",
    "vehicle:conditional",
    "access:conditional",
    "motorcar:conditional",
)

#: Edge attributes whose change along a street keeps a node as an edge end when
#: the graph is simplified, so each edge has one value of each.
_SIMPLIFY_DIFFER = (
    "highway",
    "name",
    "ref",
    "rel_routes",
    "lanes",
    "maxspeed",
    "bridge",
    "tunnel",
    "seasonal",
    "motor_vehicle:conditional",
    "access:conditional",
)

_NOT_PUBLIC = frozenset({"private", "no"})
_OSM_SUFFIXES = (
    ".osm",
    ".osm.bz2",
    ".osm.gz",
    ".osm.xz",
    ".xml",
    ".xml.bz2",
    ".osm.pbf",
    ".pbf",
)


def _is_public_drivable(tags: dict[str, str]) -> bool:
    if first(tags.get("highway")) not in DRIVABLE_HIGHWAYS:
        return False
    if first(tags.get("area")) == "yes":
        return False
    return all(
        first(tags.get(key)).lower() not in _NOT_PUBLIC
        for key in ("access", "vehicle", "motor_vehicle", "motorcar")
    )


class _OsmData:
    """Nodes, drivable ways and road route relations read from one OSM XML file."""

    def __init__(self) -> None:
        self.nodes: dict[int, tuple[float, float]] = {}
        # way id -> (node refs in driving order, kept tags, oneway)
        self.ways: dict[int, tuple[list[int], dict[str, str], bool, bool]] = {}
        self.way_routes: defaultdict[int, list[str]] = defaultdict(list)
        # (restriction, from way, via node, to way) of turn restriction relations
        self.restrictions: list[tuple[str, int, int, int]] = []
        self.n_ways = 0


def _read_osm_xml(path: Path) -> _OsmData:
    """Read ``path``: PBF, or XML decompressing ``.bz2``, ``.gz`` and ``.xz`` files."""
    if path.name.lower().endswith(".pbf"):
        return _read_osm_pbf(path)
    suffix = path.suffix.lower()
    if suffix == ".bz2":
        with bz2.open(path, "rb") as handle:
            return _parse_osm_xml(handle)
    if suffix == ".gz":
        with gzip.open(path, "rb") as gz_handle:
            return _parse_osm_xml(gz_handle)
    if suffix == ".xz":
        with lzma.open(path, "rb") as handle:
            return _parse_osm_xml(handle)
    with path.open("rb") as handle:
        return _parse_osm_xml(handle)


def _parse_osm_xml(handle: IO[bytes] | gzip.GzipFile) -> _OsmData:
    data = _OsmData()
    tags: dict[str, str] = {}
    refs: list[int] = []
    members: list[int] = []
    roles: dict[str, tuple[str, int]] = {}
    for _event, elem in iterparse(handle, events=("end",)):
        tag = elem.tag
        if tag == "tag":
            tags[elem.get("k", "")] = elem.get("v", "")
        elif tag == "nd":
            refs.append(int(elem.get("ref", "0")))
        elif tag == "member":
            if elem.get("type") == "way":
                members.append(int(elem.get("ref", "0")))
            role = elem.get("role", "")
            if role in {"from", "via", "to"}:
                roles[role] = (elem.get("type", ""), int(elem.get("ref", "0")))
        elif tag == "node":
            data.nodes[int(elem.get("id", "0"))] = (
                float(elem.get("lon", "nan")),
                float(elem.get("lat", "nan")),
            )
            tags, refs, members = {}, [], []
            elem.clear()
        elif tag == "way":
            _add_way(data, int(elem.get("id", "0")), refs, tags)
            tags, refs, members = {}, [], []
            elem.clear()
        elif tag == "relation":
            _add_relation(data, tags, members, roles)
            tags, refs, members, roles = {}, [], [], {}
            elem.clear()
    return data


def _read_osm_pbf(path: Path) -> _OsmData:
    """Read an OSM PBF file (pyosmium) into the same data as the XML reader."""
    import osmium  # imported here: only PBF input needs it

    data = _OsmData()
    kinds = {"n": "node", "w": "way", "r": "relation"}
    objects: Iterable[Any] = osmium.FileProcessor(str(path))
    for obj in objects:
        if obj.is_node():
            data.nodes[obj.id] = (obj.location.lon, obj.location.lat)
        elif obj.is_way():
            refs = [n.ref for n in obj.nodes]
            _add_way(data, obj.id, refs, {t.k: t.v for t in obj.tags})
        elif obj.is_relation():
            members = [m.ref for m in obj.members if m.type == "w"]
            roles = {
                m.role: (kinds.get(m.type, m.type), m.ref)
                for m in obj.members
                if m.role in {"from", "via", "to"}
            }
            _add_relation(data, {t.k: t.v for t in obj.tags}, members, roles)
    return data


def _add_way(
    data: _OsmData, way_id: int, refs: list[int], tags: dict[str, str]
) -> None:
    """Count a way and keep it when it is a drivable public road."""
    data.n_ways += 1
    if _is_public_drivable(tags) and len(refs) >= 2:
        kept = {k: tags[k] for k in KEPT_WAY_TAGS if k in tags}
        oneway, rev = _oneway(tags)
        data.ways[way_id] = (refs, kept, oneway, rev)


def _add_relation(
    data: _OsmData,
    tags: dict[str, str],
    members: list[int],
    roles: dict[str, tuple[str, int]],
) -> None:
    """Keep road route relations (on their ways) and turn restrictions."""
    if tags.get("type") == "route" and tags.get("route") == "road":
        network = tags.get("network", "")
        ref = tags.get("ref", "")
        if network and ref:
            for way_id in members:
                data.way_routes[way_id].append(f"{network}={ref}")
    elif tags.get("type") == "restriction":
        _add_restriction(data, tags, roles)


def _add_restriction(
    data: _OsmData, tags: dict[str, str], roles: dict[str, tuple[str, int]]
) -> None:
    """Keep a ``no_*``/``only_*`` turn restriction with a via node (for cars)."""
    kind = tags.get("restriction") or tags.get("restriction:motorcar", "")
    if not kind.startswith(("no_", "only_")) or tags.get("except", ""):
        return
    from_, via, to = roles.get("from"), roles.get("via"), roles.get("to")
    if from_ is None or via is None or to is None:
        return
    if from_[0] != "way" or to[0] != "way" or via[0] != "node":
        return  # via-way restrictions are rare and not modelled
    data.restrictions.append((kind, from_[1], via[1], to[1]))


def _oneway(tags: dict[str, str]) -> tuple[bool, bool]:
    """Return ``(oneway, reversed)`` as OSMnx reads the ``oneway`` tag."""
    value = first(tags.get("oneway")).lower()
    if value in {"-1", "reverse"}:
        return True, True
    if value in {"yes", "true", "1"}:
        return True, False
    if first(tags.get("junction")).lower() in {"roundabout", "circular"}:
        return value not in {"no", "false", "0"}, False
    if first(tags.get("highway")) == "motorway" and value not in {"no", "false", "0"}:
        return True, False
    return False, False


def _build_graph(data: _OsmData, source: str) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(crs="epsg:4326", snowroute_source=source)
    missing: list[int] = []
    for way_id, (refs, tags, oneway, rev) in data.ways.items():
        if any(ref not in data.nodes for ref in refs):
            missing.append(way_id)
            continue
        attrs: dict[str, Any] = dict(tags)
        if way_id in data.way_routes:
            attrs["rel_routes"] = ";".join(sorted(data.way_routes[way_id]))
        nodes = list(reversed(refs)) if rev else refs
        for u, v in pairwise(nodes):
            if u == v:
                continue
            G.add_edge(u, v, osmid=way_id, oneway=oneway, reversed=rev, **attrs)
            if not oneway:
                G.add_edge(v, u, osmid=way_id, oneway=False, reversed=True, **attrs)
    if missing:
        logger.warning(
            "Dropped %d ways whose nodes are missing from the file (e.g. way %d).",
            len(missing),
            missing[0],
        )
    if data.restrictions:
        kept = [r for r in data.restrictions if r[2] in G]
        G.graph["turn_restrictions"] = json.dumps(kept)
        logger.info("Kept %d turn restrictions", len(kept))
    for node in G.nodes:
        lon, lat = data.nodes[node]
        G.nodes[node]["x"] = lon
        G.nodes[node]["y"] = lat
    return G


def graph_from_osm_xml(
    path: str | Path, *, simplify: bool = True, largest: bool = False
) -> nx.MultiDiGraph:
    """Read the drivable public roads of an OSM file (``.osm[.bz2]``, ``.osm.pbf``).

    Parameters
    ----------
    path
        OSM XML file, optionally bzip2, gzip or xz compressed, or OSM PBF (read
        with pyosmium; route relations and turn restrictions are read as well).
    simplify
        Merge chains of degree-2 nodes into single edges (OSMnx simplification),
        keeping a node wherever a street's tags change.
    largest
        Keep only the largest strongly connected component.

    Returns
    -------
    nx.MultiDiGraph
        The road network (OSMnx conventions, see module docstring).

    Raises
    ------
    InputFileError
        When the file is missing, truncated or not OSM XML, or has no drivable road.
    """
    path = Path(path)
    check_input_file(path, "OSM file")
    kind = "OSM PBF" if path.name.lower().endswith(".pbf") else "OSM XML"
    logger.info("Reading %s %s", kind, path)
    try:
        data = _read_osm_xml(path)
    except (ParseError, EOFError, OSError, ValueError, RuntimeError) as exc:
        reason = str(exc).rstrip(".") or type(exc).__name__
        msg = f"`{path}` is not valid {kind} (truncated or corrupted: {reason})."
        raise InputFileError(msg) from exc
    if not data.ways:
        msg = (
            f"`{path}` contains no drivable public roads "
            f"({len(data.nodes)} nodes, {data.n_ways} ways read)."
        )
        raise InputFileError(msg)
    logger.info(
        "Read %d nodes, %d ways (%d drivable public roads, %d in route relations)",
        len(data.nodes),
        data.n_ways,
        len(data.ways),
        sum(1 for w in data.ways if w in data.way_routes),
    )
    G = _build_graph(data, str(path))
    if G.number_of_edges() == 0:
        msg = f"`{path}` contains no drivable public roads with usable geometry."
        raise InputFileError(msg)
    return _finish(G, simplify=simplify, largest=largest)


def _finish(G: nx.MultiDiGraph, *, simplify: bool, largest: bool) -> nx.MultiDiGraph:
    G = ox.distance.add_edge_lengths(G)
    if simplify:
        G = ox.simplify_graph(G, edge_attrs_differ=list(_SIMPLIFY_DIFFER))
    if largest:
        G = largest_component(G)
    counts = ox.stats.count_streets_per_node(G)
    nx.set_node_attributes(G, counts, name="street_count")
    logger.info(
        "Network has %d nodes and %d directed edges",
        G.number_of_nodes(),
        G.number_of_edges(),
    )
    return G


def largest_component(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return a copy of ``G`` restricted to its largest strongly connected component.

    Vehicles must be able to drive from any road to any other and back, so routing
    uses strong connectivity (one-way streets matter). What is left out is counted
    in the graph attributes ``dropped_km``, ``dropped_edges`` and
    ``dropped_examples`` (up to five edge ids), and ``dropped_lines`` keeps their
    lines (JSON: id, km, WGS84 coordinates) for a layer of what was left out.
    """
    if G.number_of_nodes() == 0:
        return G.copy()
    nodes = max(nx.strongly_connected_components(G), key=len)
    kept = G.subgraph(nodes).copy()
    dropped = [
        (u, v, d) for u, v, d in G.edges(data=True) if u not in nodes or v not in nodes
    ]
    km = sum(A.road_km(d) for _, _, d in dropped)
    examples = list(
        dict.fromkeys(str(d.get("osmid", f"{u}-{v}")) for u, v, d in dropped)
    )
    kept.graph.update(
        dropped_km=round(km, 3),
        dropped_edges=len(dropped),
        dropped_examples=",".join(examples[:5]),
        dropped_lines=json.dumps(
            [_line_record(G, u, v, d) for u, v, d in dropped[:MAX_DROPPED_LINES]]
        ),
    )
    if dropped:
        logger.info(
            "Left out %d edges (%.2f km) cut off from the largest connected piece",
            len(dropped),
            km,
        )
    return kept


#: Most left-out edges whose lines :func:`largest_component` keeps for a layer.
MAX_DROPPED_LINES = 10_000


def _line_record(
    G: nx.MultiDiGraph, u: Any, v: Any, data: dict[str, Any]
) -> dict[str, Any]:
    geom = data.get("geometry")
    coords = (
        [list(c) for c in geom.coords]
        if geom is not None
        else [[G.nodes[n]["x"], G.nodes[n]["y"]] for n in (u, v)]
    )
    edge_id = str(data.get("osmid", f"{u}-{v}"))
    return {"id": edge_id, "km": A.road_km(data), "coords": coords}


def load_graphml(path: str | Path) -> nx.MultiDiGraph:
    """Read a GraphML network (as written by OSMnx or :func:`save_network`).

    Attributes of the snowroute schema are converted back to their types.

    Raises
    ------
    InputFileError
        When the file is missing, not GraphML, or lacks node coordinates.
    """
    path = Path(path)
    check_input_file(path, "GraphML file")
    dtypes = {name: spec.parse for name, spec in A.EDGE_SCHEMA.items()}
    logger.info("Reading GraphML %s", path)
    try:
        G = ox.load_graphml(path, edge_dtypes=dtypes)
    except Exception as exc:  # the GraphML reader raises many types on bad files
        _raise_missing_attributes(path, _raw_graphml(path))
        reason = str(exc).rstrip(".") or type(exc).__name__
        msg = f"`{path}` is not a readable GraphML road network ({reason})."
        raise InputFileError(msg) from exc
    if not isinstance(G, nx.MultiDiGraph) or G.number_of_edges() == 0:
        msg = f"`{path}` holds no road edges."
        raise InputFileError(msg)
    _raise_missing_attributes(path, G)
    G.graph.setdefault("snowroute_source", str(path))
    if A.TAGGED in G.graph:
        G.graph[A.TAGGED] = str(G.graph[A.TAGGED]).lower() == "true"
    return G


def _raw_graphml(path: Path) -> nx.MultiDiGraph | None:
    try:
        return nx.read_graphml(path)
    except Exception:  # the caller reports the reader's original error
        return None


def _raise_missing_attributes(path: Path, G: nx.MultiDiGraph | None) -> None:
    """Name the first node without ``x``/``y`` or edge without ``length``."""
    if G is None:
        return
    for node, data in G.nodes(data=True):
        for name in ("x", "y"):
            if data.get(name) in (None, ""):
                msg = (
                    f"GraphML file `{path}`: node {node} has no `{name}` coordinate "
                    "(every node needs x and y, every edge a length)."
                )
                raise InputFileError(msg)
    for u, v, data in G.edges(data=True):
        if data.get("length") in (None, ""):
            msg = (
                f"GraphML file `{path}`: edge {u}-{v} has no `length` (every node "
                "needs x and y, every edge a length)."
            )
            raise InputFileError(msg)


def graph_from_file(
    path: str | Path, *, simplify: bool = True, largest: bool = False
) -> nx.MultiDiGraph:
    """Read a road network from a file, choosing the reader by its name.

    ``.osm``/``.osm.bz2``/``.osm.gz``/``.xml`` are OSM XML, ``.osm.pbf`` is OSM PBF;
    ``.graphml`` is GraphML.

    Raises
    ------
    InputFileError
        When the file kind is not known or the file cannot be read.
    """
    path = Path(path)
    name = path.name.lower()
    if name.endswith(_OSM_SUFFIXES):
        return graph_from_osm_xml(path, simplify=simplify, largest=largest)
    if name.endswith(".graphml"):
        G = load_graphml(path)
        return largest_component(G) if largest else G
    msg = (
        f"Cannot tell the format of `{path}`; expected .osm, .osm.bz2, .osm.gz, "
        ".osm.pbf or .graphml."
    )
    raise InputFileError(msg)


def _graph_from_osmnx(G: nx.MultiDiGraph, source: str, *, largest: bool) -> Any:
    drop = [
        (u, v, k)
        for u, v, k, d in G.edges(keys=True, data=True)
        if not _is_public_drivable({key: d.get(key) for key in ("highway", "access")})
    ]
    G.remove_edges_from(drop)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    G.graph["snowroute_source"] = source
    return _finish(G, simplify=True, largest=largest)


def graph_from_place(
    query: str, *, largest: bool = False
) -> nx.MultiDiGraph:  # pragma: no cover - needs internet
    """Download the drivable public roads of a named place from OpenStreetMap.

    Needs internet access (never used in tests). Route relations are not read by
    the online path; use an OSM XML extract to get them.
    """
    ox.settings.useful_tags_way = sorted(
        set(ox.settings.useful_tags_way) | set(KEPT_WAY_TAGS)
    )
    try:
        G = ox.graph_from_place(query, network_type="drive", simplify=False)
    except Exception as exc:  # network errors, unknown places, empty answers
        msg = f"Could not download the roads of `{query}` from OpenStreetMap ({exc})."
        raise InputFileError(msg) from exc
    return _graph_from_osmnx(G, f"osm:place:{query}", largest=largest)


def graph_from_bbox(
    bbox: tuple[float, float, float, float], *, largest: bool = False
) -> nx.MultiDiGraph:  # pragma: no cover - needs internet
    """Download the drivable public roads inside ``(west, south, east, north)``.

    Needs internet access (never used in tests).
    """
    ox.settings.useful_tags_way = sorted(
        set(ox.settings.useful_tags_way) | set(KEPT_WAY_TAGS)
    )
    try:
        G = ox.graph_from_bbox(bbox, network_type="drive", simplify=False)
    except Exception as exc:  # network errors, empty answers
        msg = f"Could not download the roads in {bbox} from OpenStreetMap ({exc})."
        raise InputFileError(msg) from exc
    return _graph_from_osmnx(G, f"osm:bbox:{bbox}", largest=largest)
