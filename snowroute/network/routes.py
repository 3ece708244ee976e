"""Routes (路線): grouping tagged edges into routes with an id, a name and a length.

Edges of one administrator sharing a route ref form one route, even where another
administrator's section interrupts it (a national route through an MLIT section).
Edges without a ref but sharing a name form one route per connected piece (two
streets called 1号線 in different districts are different routes). Edges with
neither form one route per connected piece of such edges of that administrator.

Routes split into sections (:func:`add_edge_sections`), the unit of exchange.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx
import pandas as pd

from snowroute.network import attributes as A

__all__ = ["add_edge_routes", "add_edge_sections", "routes_frame", "sections_frame"]

_Edge = tuple[Any, Any, Any]


def _pieces(G: nx.MultiDiGraph, edges: list[_Edge]) -> list[list[_Edge]]:
    """Split edges into connected pieces (ignoring direction), in a stable order."""
    graph = nx.Graph()
    for u, v, _ in edges:
        graph.add_edge(u, v)
    by_node: dict[Any, int] = {}
    pieces = sorted(
        (sorted(c, key=str) for c in nx.connected_components(graph)),
        key=lambda nodes: str(nodes[0]),
    )
    for i, nodes in enumerate(pieces):
        for node in nodes:
            by_node[node] = i
    out: list[list[_Edge]] = [[] for _ in pieces]
    for edge in edges:
        out[by_node[edge[0]]].append(edge)
    return out


def add_edge_routes(G: nx.MultiDiGraph) -> None:
    """Set ``route_id`` (and a common ``route_name``) on every edge; modifies ``G``.

    Route ids read ``<admin id>/<route kind>/<ref, name or #n>``, e.g.
    ``05/prefectural_major/28``, ``05201/municipal/新屋線``,
    ``05201/municipal/#12`` (the 12th unnamed piece). A name shared by several
    disconnected pieces gets ``~2``, ``~3`` ... from the second piece on.
    """
    groups: defaultdict[tuple[str, str, str, str], list[_Edge]] = defaultdict(list)
    for u, v, k, data in G.edges(keys=True, data=True):
        ref, name = data[A.ROUTE_REF], data[A.ROUTE_NAME]
        mode, label = ("ref", ref) if ref else ("name", name) if name else ("none", "")
        groups[(data[A.ADMIN_ID], data[A.ROUTE_KIND], mode, label)].append((u, v, k))
    unnamed_counter: Counter[tuple[str, str]] = Counter()
    for (admin, kind, mode, label), edges in sorted(groups.items()):
        parts = [edges] if mode == "ref" else _pieces(G, edges)
        for i, part in enumerate(parts):
            if mode == "ref":
                route_id = f"{admin}/{kind}/{label}"
            elif mode == "name":
                route_id = f"{admin}/{kind}/{label}" + (f"~{i + 1}" if i else "")
            else:
                unnamed_counter[(admin, kind)] += 1
                route_id = f"{admin}/{kind}/#{unnamed_counter[(admin, kind)]}"
            names: defaultdict[str, float] = defaultdict(float)
            for u, v, k in part:
                data = G.edges[u, v, k]
                if data[A.ROUTE_NAME]:
                    names[data[A.ROUTE_NAME]] += float(data["length"])
            name = max(sorted(names), key=lambda n: names[n]) if names else ""
            for u, v, k in part:
                G.edges[u, v, k][A.ROUTE_ID] = route_id
                G.edges[u, v, k][A.ROUTE_NAME] = name
    add_edge_sections(G)


def add_edge_sections(G: nx.MultiDiGraph) -> None:
    """Set ``section_id`` on every edge; modifies ``G``.

    A section is a run of one route between junctions with other routes (or the
    route's own branch points and ends): the unit a route is handed over in an
    exchange agreement. Both directions of a two-way road belong to one section.
    Ids read ``<route id>@<n>``, numbered from the section holding the route's
    smallest node id.
    """
    by_route: defaultdict[str, list[_Edge]] = defaultdict(list)
    routes_at: defaultdict[Any, set[str]] = defaultdict(set)
    for u, v, k, route in G.edges(keys=True, data=A.ROUTE_ID):
        by_route[route].append((u, v, k))
        routes_at[u].add(route)
        routes_at[v].add(route)
    for route, edges in by_route.items():
        neighbours: defaultdict[Any, set[Any]] = defaultdict(set)
        for u, v, _ in edges:
            neighbours[u].add(v)
            neighbours[v].add(u)
        breaks = {
            n
            for n, nbrs in neighbours.items()
            if len(nbrs) != 2 or len(routes_at[n]) > 1
        }
        # edges join a section through a shared non-break node, or by being the two
        # directions of one road
        sets = nx.utils.UnionFind(range(len(edges)))
        first_at: dict[Any, int] = {}
        for i, (u, v, _) in enumerate(edges):
            keys = [("pair", frozenset((u, v)))]
            keys += [("node", n) for n in (u, v) if n not in breaks]
            for key in keys:
                sets.union(i, first_at.setdefault(key, i))
        groups = [[edges[i] for i in sorted(part)] for part in sets.to_sets()]
        ordered = sorted(
            groups,
            key=lambda part: min(str(n) for e in part for n in e[:2]),
        )
        for n, part in enumerate(ordered, start=1):
            for u, v, k in part:
                G.edges[u, v, k][A.SECTION_ID] = f"{route}@{n}"


def sections_frame(G: nx.MultiDiGraph) -> pd.DataFrame:
    """Return one row per route section: id, route, administrator, name, km, edges."""
    rows: dict[str, dict[str, Any]] = {}
    for _, _, data in G.edges(data=True):
        row = rows.setdefault(
            data[A.SECTION_ID],
            {
                "section_id": data[A.SECTION_ID],
                "route_id": data[A.ROUTE_ID],
                "admin_id": data[A.ADMIN_ID],
                "route_name": data[A.ROUTE_NAME],
                "km": 0.0,
                "edges": 0,
            },
        )
        row["km"] += A.road_km(data)
        row["edges"] += 1
    columns = ["section_id", "route_id", "admin_id", "route_name", "km", "edges"]
    frame = pd.DataFrame(list(rows.values()), columns=columns)
    return frame.sort_values("section_id", kind="stable").reset_index(drop=True)


def routes_frame(G: nx.MultiDiGraph) -> pd.DataFrame:
    """Return one row per route: id, administrator, kind, ref, name, km, edges.

    Lengths count a two-way road once (see :func:`attributes.road_km`).
    """
    rows: dict[str, dict[str, Any]] = {}
    for _, _, data in G.edges(data=True):
        route_id = data[A.ROUTE_ID]
        row = rows.setdefault(
            route_id,
            {
                "route_id": route_id,
                "admin_id": data[A.ADMIN_ID],
                "admin_class": data[A.ADMIN_CLASS],
                "route_kind": data[A.ROUTE_KIND],
                "route_ref": data[A.ROUTE_REF],
                "route_name": data[A.ROUTE_NAME],
                "km": 0.0,
                "edges": 0,
            },
        )
        row["km"] += A.road_km(data)
        row["edges"] += 1
    columns = [
        "route_id",
        "admin_id",
        "admin_class",
        "route_kind",
        "route_ref",
        "route_name",
        "km",
        "edges",
    ]
    frame = pd.DataFrame(list(rows.values()), columns=columns)
    return frame.sort_values("route_id", kind="stable").reset_index(drop=True)
