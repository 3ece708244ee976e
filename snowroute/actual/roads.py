"""The network as the map matcher sees it: edge lines in metres, an index, a graph."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from scipy.sparse import csr_matrix
from shapely import LineString, STRtree

from snowroute.network.attributes import EdgeKey

__all__ = ["RoadIndex", "road_index"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class RoadIndex:
    """
    Every directed edge of a road network as a line in metres, with lookups.

    Parameters
    ----------
    edges
        Edge keys ``(u, v, key)``; edge ``i`` of every array below is ``edges[i]``.
    lines
        Each edge's line in the projected CRS, drawn from ``u`` to ``v``.
    tail, head
        Node index of each edge's ``u`` and ``v``.
    length_m
        Length of each line in metres.
    nodes
        Node ids; node ``j`` of :attr:`graph` is ``nodes[j]``.
    graph
        Node-to-node distances in metres (the shortest parallel edge).
    dead_end
        Per node, whether the only way on is back (a dead end: turning round
        there is expected).
    reverse
        Index of the edge driving the same road the other way (same length
        within a metre), or -1.
    edge_between
        ``(tail, head)`` node indices to the shortest edge between them.
    tree
        Spatial index over :attr:`lines`.
    to_xy
        Transformer from WGS84 longitude/latitude to the projected CRS.
    crs
        The projected CRS.
    """

    edges: tuple[EdgeKey, ...]
    lines: npt.NDArray[np.object_]
    tail: IntArray
    head: IntArray
    length_m: FloatArray
    nodes: tuple[Hashable, ...]
    graph: csr_matrix
    reverse: IntArray
    dead_end: npt.NDArray[np.bool_]
    edge_between: dict[tuple[int, int], int]
    tree: STRtree
    to_xy: pyproj.Transformer
    crs: pyproj.CRS

    def project(
        self, lon: FloatArray, lat: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Return WGS84 ``lon``/``lat`` as projected ``x``/``y`` in metres."""
        x, y = self.to_xy.transform(lon, lat)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _metric_crs(G: nx.MultiDiGraph) -> pyproj.CRS:
    crs = pyproj.CRS.from_user_input(G.graph.get("crs", "EPSG:4326"))
    if crs.is_projected:
        return crs
    xs = [d["x"] for _, d in G.nodes(data=True)]
    ys = [d["y"] for _, d in G.nodes(data=True)]
    lon = (min(xs) + max(xs)) / 2 if xs else 0.0
    lat = (min(ys) + max(ys)) / 2 if ys else 0.0
    zone = math.floor((lon + 180) / 6) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def road_index(G: nx.MultiDiGraph) -> RoadIndex:
    """Build the :class:`RoadIndex` of ``G`` (every directed edge, in metres).

    Edge lines come from the edge ``geometry`` (turned to run from ``u`` to ``v``)
    or else the straight line between the nodes; they are projected to the
    graph's CRS when it is projected, else to the UTM zone of its centre.
    """
    crs = _metric_crs(G)
    source = pyproj.CRS.from_user_input(G.graph.get("crs", "EPSG:4326"))
    to_metric = pyproj.Transformer.from_crs(source, crs, always_xy=True)
    nodes = tuple(G.nodes)
    where = {n: i for i, n in enumerate(nodes)}
    nx_, ny_ = to_metric.transform(
        np.array([G.nodes[n]["x"] for n in nodes], dtype=float),
        np.array([G.nodes[n]["y"] for n in nodes], dtype=float),
    )
    edges: list[EdgeKey] = []
    lines: list[LineString] = []
    for u, v, k, data in G.edges(keys=True, data=True):
        geom = data.get("geometry")
        if geom is None:
            coords = np.array(
                [[nx_[where[u]], ny_[where[u]]], [nx_[where[v]], ny_[where[v]]]]
            )
        else:
            xs, ys = to_metric.transform(*np.asarray(geom.coords, dtype=float).T[:2])
            coords = np.column_stack([xs, ys])
            start = np.array([nx_[where[u]], ny_[where[u]]])
            if np.hypot(*(coords[0] - start)) > np.hypot(*(coords[-1] - start)):
                coords = coords[::-1]
        edges.append((u, v, int(k)))
        lines.append(LineString(coords))
    tail = np.array([where[u] for u, _, _ in edges], dtype=np.int64)
    head = np.array([where[v] for _, v, _ in edges], dtype=np.int64)
    line_array = np.array(lines, dtype=object)
    length = np.maximum(shapely.length(line_array), 0.01).astype(float)
    best: dict[tuple[int, int], int] = {}
    for i, (a, b) in enumerate(zip(tail.tolist(), head.tolist(), strict=True)):
        j = best.get((a, b))
        if j is None or length[i] < length[j]:
            best[(a, b)] = i
    reverse = np.full(len(edges), -1, dtype=np.int64)
    for i, (a, b) in enumerate(zip(tail.tolist(), head.tolist(), strict=True)):
        j = best.get((b, a))
        if j is not None and j != i and abs(length[j] - length[i]) < 1.0:
            reverse[i] = j
    onward = np.zeros(len(nodes), dtype=np.int64)
    for a, _ in best:
        onward[a] += 1
    back = np.zeros(len(nodes), dtype=np.int64)
    for a, b in best:
        if (b, a) in best:
            back[a] += 1
    dead_end = (onward <= 1) & (onward == back)
    pairs = np.array(list(best), dtype=np.int64).reshape(-1, 2)
    weights = length[np.fromiter(best.values(), dtype=np.int64, count=len(best))]
    graph = csr_matrix(
        (weights, (pairs[:, 0], pairs[:, 1])), shape=(len(nodes), len(nodes))
    )
    return RoadIndex(
        edges=tuple(edges),
        lines=line_array,
        tail=tail,
        head=head,
        length_m=length,
        nodes=nodes,
        graph=graph,
        reverse=reverse,
        dead_end=dead_end,
        edge_between=best,
        tree=STRtree(line_array),
        to_xy=pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True),
        crs=crs,
    )
