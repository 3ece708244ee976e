"""Depot districts: splitting one administrator's roads into one model per depot.

A city with several snow-clearing centres (除雪センター) plows each district from its
own centre. :func:`depot_districts` gives every road to the nearest depot of its
administrator (road distance, either direction); :func:`district_graph` cuts the
network around a district (its bounding box plus a buffer) so the district's
model stays small; roads the cut leaves unreachable are handed back by
:func:`repair_borders` to a neighbouring district whose cut holds them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from snowroute.network.attributes import EdgeKey

__all__ = ["depot_districts", "district_graph", "repair_borders"]

logger = logging.getLogger(__name__)


def depot_districts(
    G: nx.MultiDiGraph,
    edges: Mapping[EdgeKey, str],
    depots: Mapping[str, Hashable],
    depot_admin: Mapping[str, str],
) -> dict[EdgeKey, str]:
    """
    Assign every edge to the nearest depot of its administrator.

    Parameters
    ----------
    G
        The road network.
    edges
        Edges to assign, each with its administrator id.
    depots
        Depot id to network node.
    depot_admin
        Depot id to the administrator that runs it.

    Returns
    -------
    dict
        Edge to depot id; edges of an administrator without a depot, or that no
        depot of it reaches, are left out.
    """
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    u = np.array([index[a] for a, _, _ in G.edges(keys=True)], dtype=np.int64)
    v = np.array([index[b] for _, b, _ in G.edges(keys=True)], dtype=np.int64)
    w = np.array([float(d) for _, _, d in G.edges(data="length")])
    matrix = csr_matrix((w + 1e-6, (u, v)), shape=(len(nodes), len(nodes)))
    out: dict[EdgeKey, str] = {}
    by_admin: dict[str, list[str]] = {}
    for depot_id, admin in depot_admin.items():
        if depot_id in depots:
            by_admin.setdefault(admin, []).append(depot_id)
    for admin, ids in sorted(by_admin.items()):
        sources = np.array([index[depots[d]] for d in ids], dtype=np.int64)
        dist, _, nearest = dijkstra(
            matrix,
            directed=False,
            indices=sources,
            min_only=True,
            return_predecessors=True,
        )
        depot_of = {int(s): d for s, d in zip(sources, ids, strict=True)}
        for edge, edge_admin in edges.items():
            if edge_admin != admin:
                continue
            a, b = index[edge[0]], index[edge[1]]
            end = a if dist[a] <= dist[b] else b
            if math.isfinite(dist[end]) and nearest[end] >= 0:
                out[edge] = depot_of[int(nearest[end])]
    return out


def district_graph(
    G: nx.MultiDiGraph,
    edges: list[EdgeKey],
    depot_node: Hashable,
    *,
    buffer_m: float = 800.0,
) -> nx.MultiDiGraph:
    """
    Cut out the part of ``G`` a district's vehicles drive on.

    Nodes inside the bounding box of the district's edges and its depot, grown by
    ``buffer_m``, restricted to the strongly connected piece holding the depot.
    Returns a subgraph view (no copy).
    """
    xs = [G.nodes[n]["x"] for e in edges for n in e[:2]] + [G.nodes[depot_node]["x"]]
    ys = [G.nodes[n]["y"] for e in edges for n in e[:2]] + [G.nodes[depot_node]["y"]]
    lat = math.radians((min(ys) + max(ys)) / 2)
    dy = buffer_m / 111_320.0
    dx = dy / max(math.cos(lat), 1e-6)
    x0, x1, y0, y1 = min(xs) - dx, max(xs) + dx, min(ys) - dy, max(ys) + dy
    inside = [
        n for n, d in G.nodes(data=True) if x0 <= d["x"] <= x1 and y0 <= d["y"] <= y1
    ]
    view = G.subgraph(inside)
    for part in nx.strongly_connected_components(view):
        if depot_node in part:
            return G.subgraph(part)
    return G.subgraph([depot_node])


def repair_borders(
    assignment: Mapping[EdgeKey, str],
    graphs: Mapping[str, Any],
) -> tuple[dict[EdgeKey, str], list[EdgeKey]]:
    """
    Move roads a district's graph cannot reach to a district whose graph holds them.

    Pass the districts of one administrator only (``graphs``: depot id to its
    district graph). Both directions of a road move together (their end nodes are
    in the same graphs). Returns the repaired assignment and the roads no district
    holds (to be planned on the whole network).
    """
    out = dict(assignment)
    lost: list[EdgeKey] = []
    moved = 0
    for edge, depot in assignment.items():
        if graphs[depot].has_edge(*edge):
            continue
        others = sorted(
            d for d, g in graphs.items() if d != depot and g.has_edge(*edge)
        )
        if others:
            out[edge] = others[0]
            moved += 1
        else:
            del out[edge]
            lost.append(edge)
    logger.info(
        "border repair: %d roads moved, %d held by no district", moved, len(lost)
    )
    return out, lost
