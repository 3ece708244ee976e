"""Transformations derived from another for a search in phases.

A large problem with deadlines is searched in three phases (``solve``): first
without its deadlines, then on *chunks* of that plan, then as it is. Two views of
a :class:`~snowroute.routing.transform.Transformation` serve the first two:

- :func:`without_deadlines`: the same nodes and legs, no deadline. PyVRP then
  prices a move by route length alone, about twice as fast on routes of
  hundreds of streets (``benchmarks/realnet/RESULTS.md``).
- :func:`coarsen`: each route of a plan cut into chunks of consecutive nodes,
  each chunk one node of a smaller transformation; every node with a deadline is
  a chunk of its own. The chunk's service time is the exact time from the start
  of its first node to the end of its last, so a plan of chunks, expanded
  (:meth:`Coarsened.expand`), costs what its chunk plan costs. Its routes are
  a quarter as long, and a timed search on them repairs the deadlines that the
  first phase broke.

The derived transformations are for engines only: their ``paths`` and per-node
arc fields still describe the original nodes (those of a chunk's first node),
and plans are expanded and checked on the original.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from snowroute.routing.transform import NodeRoute, Transformation

__all__ = ["Coarsened", "coarsen", "without_deadlines"]


def without_deadlines(tr: Transformation) -> Transformation:
    """Return ``tr`` with no service deadline (every other figure the same)."""
    return replace(tr, service_deadline=np.full(tr.num_services, np.inf))


@dataclass(frozen=True, slots=True, eq=False)
class Coarsened:
    """
    A transformation whose nodes are chunks of another's plan.

    Attributes
    ----------
    tr
        The transformation of chunks: one single-node service per chunk.
    chunks
        Per chunk node, the original nodes it serves, in order.
    routes
        The plan it was cut from, in chunk nodes.
    """

    tr: Transformation
    chunks: tuple[tuple[int, ...], ...]
    routes: tuple[NodeRoute, ...]

    def expand(self, routes: Sequence[NodeRoute]) -> list[NodeRoute]:
        """Return chunk routes as routes of the original nodes (refills kept)."""
        out = []
        for r in routes:
            at = np.cumsum([0] + [len(self.chunks[n]) for n in r.nodes])
            nodes = tuple(n for c in r.nodes for n in self.chunks[c])
            refills = tuple((int(at[k]), depot) for k, depot in r.refills)
            out.append(NodeRoute(r.vehicle, nodes, refills))
        return out


def coarsen(tr: Transformation, routes: Sequence[NodeRoute], size: int) -> Coarsened:
    """
    Cut every route of a plan into chunks of at most ``size`` consecutive nodes.

    A node whose service has a deadline is a chunk of its own, and no chunk spans
    a refill stop.

    Parameters
    ----------
    tr
        The transformation ``routes`` refer to.
    routes
        A plan serving every service of ``tr`` once.
    size
        Largest number of nodes in a chunk.

    Returns
    -------
    Coarsened
        The chunk transformation and the plan in chunks.
    """
    timed = np.isfinite(tr.service_deadline[tr.node_service])
    chunks: list[tuple[int, ...]] = []
    cut: list[NodeRoute] = []
    for r in routes:
        stops = dict(r.refills)
        seq: list[int] = []
        refills: list[tuple[int, int]] = []
        run: list[int] = []
        for k, node in enumerate((*r.nodes, -1)):
            if run and (k in stops or node < 0 or timed[node] or len(run) == size):
                seq.append(len(chunks))
                chunks.append(tuple(run))
                run = []
            if k in stops:
                refills.append((len(seq), stops[k]))
            if node >= 0:
                run.append(node)
                if timed[node]:
                    seq.append(len(chunks))
                    chunks.append(tuple(run))
                    run = []
        cut.append(NodeRoute(r.vehicle, tuple(seq), tuple(refills)))
    return Coarsened(_chunk_transformation(tr, chunks), tuple(chunks), tuple(cut))


def _chunk_transformation(
    tr: Transformation, chunks: Sequence[tuple[int, ...]]
) -> Transformation:
    """Return the transformation whose node ``i`` serves ``chunks[i]`` in order."""
    nd, n = tr.num_depots, len(chunks)
    first = np.array([c[0] for c in chunks], dtype=np.int64)
    last = np.array([c[-1] for c in chunks], dtype=np.int64)
    depots = np.arange(nd)
    exits = np.concatenate([depots, nd + last])
    entries = np.concatenate([depots, nd + first])
    legs = tuple(leg[np.ix_(exits, entries)] for leg in tr.legs)
    flat = np.concatenate([np.asarray(c, dtype=np.int64) for c in chunks])
    owner = np.repeat(np.arange(n), [len(c) for c in chunks])
    inside = owner[1:] == owner[:-1]  # consecutive nodes of one chunk
    service_s = np.empty((len(tr.problem.vehicles), n))
    for c, profile in enumerate(tr.vehicle_profile):
        leg = tr.legs[int(profile)]
        steps = leg[nd + flat[:-1][inside], nd + flat[1:][inside]]
        own = np.bincount(owner, weights=tr.node_service_s[c, flat], minlength=n)
        service_s[c] = own + np.bincount(owner[1:][inside], weights=steps, minlength=n)
    demand = np.bincount(
        owner, weights=tr.service_demand[tr.node_service[flat]], minlength=n
    ).astype(np.float64)
    # a chunk of several nodes has none with a deadline: its first node's is inf
    deadline = tr.service_deadline[tr.node_service[first]]
    return replace(
        tr,
        node_required=tr.node_required[first],
        node_direction=tr.node_direction[first],
        node_pass=tr.node_pass[first],
        node_arc=tr.node_arc[first],
        node_service=np.arange(n, dtype=np.int64),
        service_ptr=np.arange(n + 1, dtype=np.int64),
        service_required=tr.node_required[first],
        service_demand=demand,
        service_deadline=deadline,
        legs=legs,
        node_service_s=service_s,
    )
