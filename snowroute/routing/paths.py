"""Shortest deadhead paths between service end points, computed once and vectorised.

The engines never see vertices: they ask a :class:`DeadheadPaths` for the time of
the deadhead leg from the *exit point* of one service (or a depot) to the *entry
point* of the next, and for the arcs of that leg. In :class:`VertexPaths` a point is
a vertex (the head of the arc just served, the tail of the arc about to be served),
so a leg costs the shortest path between two vertices. A turn-aware implementation
can make a point an arc (paths on the line graph, with turn penalties) behind the
same three point functions, and nothing downstream changes.
"""

from __future__ import annotations

import logging
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from snowroute.routing.problem import DeadheadGraph

__all__ = ["DeadheadPaths", "VertexPaths"]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class DeadheadPaths(Protocol):
    """Shortest deadhead legs between points (see the module notes)."""

    def entry_point(self, arcs: IntArray) -> IntArray:
        """Points where serving each of ``arcs`` starts."""
        ...

    def exit_point(self, arcs: IntArray) -> IntArray:
        """Points where serving each of ``arcs`` ends."""
        ...

    def depot_point(self, vertices: IntArray) -> IntArray:
        """Points of depots at ``vertices``."""
        ...

    def leg_s(self, exits: IntArray, entries: IntArray) -> FloatArray:
        """Shortest leg times, ``(len(exits), len(entries))`` (``inf``: no path)."""
        ...

    def leg_arcs(self, exit: int, entry: int) -> list[int]:
        """Arc indices of one shortest leg, in driving order (empty when equal)."""
        ...


class VertexPaths:
    """
    Vertex-to-vertex shortest paths from a fixed set of source vertices.

    Parallel arcs keep only the cheapest one (ties: the lowest index) and self-loops
    are never used for deadheading.

    Parameters
    ----------
    graph
        The deadhead graph.
    arc_s
        Deadhead time of every arc (per vehicle profile).
    sources
        Vertices legs may start from; every ``exits`` point passed to
        :meth:`leg_s` and :meth:`leg_arcs` must be one of them.

    Attributes
    ----------
    sources
        Sorted unique source vertices.
    dist
        ``(len(sources), num_vertices)`` shortest times.
    pred
        Predecessor vertex on a shortest path (``-9999`` where none), as in
        :func:`scipy.sparse.csgraph.dijkstra`.
    """

    def __init__(
        self, graph: DeadheadGraph, arc_s: FloatArray, sources: IntArray
    ) -> None:
        n = graph.num_vertices
        tail, head = graph.tail, graph.head
        keep = np.flatnonzero(tail != head)
        # Cheapest arc per (tail, head): sort by pair then time then index.
        order = keep[np.lexsort((keep, arc_s[keep], head[keep], tail[keep]))]
        pair = tail[order] * n + head[order]
        first = np.ones(order.size, dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        best = order[first]
        self._best_arc = best
        self._best_pair = pair[first]  # sorted ascending
        # Explicit zeros in a CSR matrix are edges for csgraph (zero-time arcs).
        matrix = csr_matrix((arc_s[best], (tail[best], head[best])), shape=(n, n))
        self.sources: IntArray = np.unique(np.asarray(sources, dtype=np.int64))
        self._row = np.full(n, -1, dtype=np.int64)
        self._row[self.sources] = np.arange(self.sources.size)
        dist, pred = dijkstra(
            matrix, directed=True, indices=self.sources, return_predecessors=True
        )
        self.dist: FloatArray = np.asarray(dist, dtype=np.float64).reshape(
            self.sources.size, n
        )
        self.pred = np.asarray(pred, dtype=np.int32).reshape(self.sources.size, n)
        self._n = n
        self._tail = graph.tail
        self._head = graph.head
        logger.debug(
            "shortest paths from %d sources over %d vertices", self.sources.size, n
        )

    def entry_point(self, arcs: IntArray) -> IntArray:  # noqa: D102
        return self._tail[arcs]

    def exit_point(self, arcs: IntArray) -> IntArray:  # noqa: D102
        return self._head[arcs]

    def depot_point(self, vertices: IntArray) -> IntArray:  # noqa: D102
        return np.asarray(vertices, dtype=np.int64)

    def _rows(self, exits: IntArray) -> IntArray:
        rows = self._row[np.asarray(exits, dtype=np.int64)]
        if np.any(rows < 0):
            missing = np.asarray(exits)[rows < 0][0]
            msg = f"Vertex {missing} is not a source of these shortest paths."
            raise ValueError(msg)
        return rows

    def leg_s(self, exits: IntArray, entries: IntArray) -> FloatArray:  # noqa: D102
        rows = self._rows(exits)
        cols = np.asarray(entries, dtype=np.int64)
        return self.dist[rows[:, None], cols[None, :]]

    def leg_arcs(self, exit: int, entry: int) -> list[int]:  # noqa: D102
        row = int(self._rows(np.array([exit]))[0])
        if not np.isfinite(self.dist[row, entry]):
            msg = f"No deadhead path from vertex {exit} to vertex {entry}."
            raise ValueError(msg)
        vertices = [int(entry)]
        pred = self.pred[row]
        v = int(entry)
        while v != exit:
            v = int(pred[v])
            vertices.append(v)
        vertices.reverse()
        pairs = np.array(vertices[:-1], dtype=np.int64) * self._n + np.array(
            vertices[1:], dtype=np.int64
        )
        pos = np.searchsorted(self._best_pair, pairs)
        return [int(a) for a in self._best_arc[pos]]
