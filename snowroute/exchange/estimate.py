"""Estimates that rank and value exchange moves before any routing.

On the pooled problem (every road, every fleet): the time each fleet needs to plow
each exchange unit, each partner's round trip to reach it (in seconds and in
metres driven), and each administrator's cut-off pieces (its roads away from its
depot and from its other roads) with the round trip their owner saves when the
whole piece goes. :func:`estimated_gain` ranks moves for measuring; the model of
:mod:`snowroute.exchange.model` values every move with them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from snowroute.exchange.moves import Move
from snowroute.exchange.plans import ExchangeContext, required_edges
from snowroute.routing import ArcRoutingProblem

__all__ = ["Estimates", "estimate", "estimated_gain", "move_of"]


@dataclass(frozen=True, slots=True, eq=False)
class Estimates:
    """
    Marginal estimates (seconds, and metres driven) that value and rank moves.

    Parameters
    ----------
    options
        Unit id → administrators that may plow it (owner first).
    service_s
        (unit id, admin) → plowing time of the unit with that fleet.
    access_s
        (unit id, taker) → round trip from the taker's roads or depot to the unit.
    pieces
        Per owner, its cut-off pieces and their clusters: (unit ids, round trip
        saved when all of them go), smallest first.
    access_m, pieces_m
        ``access_s`` and ``pieces`` in metres driven (deadhead) instead of seconds.
    """

    options: Mapping[str, tuple[str, ...]]
    service_s: Mapping[tuple[str, str], float]
    access_s: Mapping[tuple[str, str], float]
    pieces: Mapping[str, tuple[tuple[tuple[str, ...], float], ...]]
    access_m: Mapping[tuple[str, str], float]
    pieces_m: Mapping[str, tuple[tuple[tuple[str, ...], float], ...]]


def _min_csr(n: int, tail: np.ndarray, head: np.ndarray, w: np.ndarray) -> csr_matrix:
    """Sparse matrix keeping the cheapest of parallel arcs (csr would sum them)."""
    order = np.lexsort((w, head, tail))
    t, h, c = tail[order], head[order], w[order]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    # zero-cost arcs would vanish from a sparse matrix: give them a tiny cost
    return csr_matrix((np.maximum(c[first], 1e-6), (t[first], h[first])), shape=(n, n))


def estimate(ctx: ExchangeContext, problem: ArcRoutingProblem) -> Estimates:
    """Marginal-time estimates on the pooled ``problem`` (every road, every fleet)."""
    graph = problem.graph
    assert graph.vertex_refs is not None
    vertex = {node: i for i, node in enumerate(graph.vertex_refs)}
    classes: defaultdict[str, list[int]] = defaultdict(list)
    for c, vc in enumerate(problem.vehicles):
        classes[ctx.admin_of_vehicle[vc.name]].append(c)
    unit_vertices = {
        u.id: sorted({vertex[n] for e in u.edges for n in e[:2]})
        for u in ctx.units.values()
    }
    service = _service_times(ctx, problem, classes)
    depot_vertex = {d.id: d.vertex for d in problem.depots}
    home = {a: {depot_vertex[v.depot] for v in ctx.fleets[a]} for a in ctx.admins}
    args = (ctx, problem, classes, unit_vertices, home)
    access, pieces = _access_and_pieces(*args)
    access_m, pieces_m = _access_and_pieces(*args, metres=True)
    return Estimates(
        options=_options(ctx, service, access),
        service_s=service,
        access_s=access,
        pieces=pieces,
        access_m=access_m,
        pieces_m=pieces_m,
    )


def _service_times(
    ctx: ExchangeContext,
    problem: ArcRoutingProblem,
    classes: Mapping[str, list[int]],
) -> dict[tuple[str, str], float]:
    """Return the time to plow each unit with each fleet, by (unit id, admin)."""
    req_of: defaultdict[str, list[int]] = defaultdict(list)
    for i in range(problem.num_required):
        req_of[ctx.unit_of[required_edges(problem, i)[0]]].append(i)
    return {
        (unit_id, admin): _service_time(problem, reqs, classes[admin])
        for unit_id, reqs in req_of.items()
        for admin in ctx.admins
    }


def _service_time(
    problem: ArcRoutingProblem, reqs: list[int], classes: list[int]
) -> float:
    """Time to plow required arcs ``reqs``, each pass by its fastest class able to.

    Infinite when no class of ``classes`` can plow one of them.
    """
    total = 0.0
    for i in reqs:
        times = [
            float(np.nanmin(problem.service_s[c, i]))
            for c in classes
            if problem.compatible[c, i]
        ]
        if not times:
            return math.inf
        total += min(times) * problem.required[i].num_services
    return total


def _access_and_pieces(
    ctx: ExchangeContext,
    problem: ArcRoutingProblem,
    classes: Mapping[str, list[int]],
    unit_vertices: Mapping[str, list[int]],
    home: Mapping[str, set[int]],
    *,
    metres: bool = False,
) -> tuple[
    dict[tuple[str, str], float],
    dict[str, tuple[tuple[tuple[str, ...], float], ...]],
]:
    """Round trips of every taker to other owners' units, and every owner's pieces.

    A taker's trips start and end at its own roads or depots, over deadhead times
    of its first vehicle class (``metres``: over road lengths).
    """
    graph = problem.graph
    own_vertices: defaultdict[str, set[int]] = defaultdict(set)
    for unit in ctx.units.values():
        own_vertices[unit.owner].update(unit_vertices[unit.id])
    n = graph.num_vertices
    access: dict[tuple[str, str], float] = {}
    pieces: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = {}
    for admin in ctx.admins:
        w = graph.length_m if metres else problem.deadhead_s(classes[admin][0])
        fwd = _min_csr(n, graph.tail, graph.head, w)
        bwd = _min_csr(n, graph.head, graph.tail, w)
        sources = sorted(own_vertices[admin] | home[admin])
        d_to = dijkstra(fwd, indices=sources, min_only=True)
        d_from = dijkstra(bwd, indices=sources, min_only=True)
        for unit in ctx.units.values():
            if unit.owner == admin:
                continue
            vs = unit_vertices[unit.id]
            access[(unit.id, admin)] = float(d_to[vs].min() + d_from[vs].min())
        pieces[admin] = _pieces(ctx, admin, unit_vertices, home[admin], fwd)
    return access, pieces


def _options(
    ctx: ExchangeContext,
    service: Mapping[tuple[str, str], float],
    access: Mapping[tuple[str, str], float],
) -> dict[str, tuple[str, ...]]:
    """Return each unit's owner, then every partner able to plow and reach it."""
    options: dict[str, tuple[str, ...]] = {}
    for unit in ctx.units.values():
        takers = [
            p
            for p in ctx.partners_of(unit.owner)
            if math.isfinite(service[(unit.id, p)])
            and math.isfinite(access.get((unit.id, p), math.inf))
        ]
        options[unit.id] = (unit.owner, *takers)
    return options


def _pieces(
    ctx: ExchangeContext,
    admin: str,
    unit_vertices: Mapping[str, list[int]],
    home: set[int],
    fwd: csr_matrix,
) -> tuple[tuple[tuple[str, ...], float], ...]:
    """Return the pieces of ``admin``'s roads away from its depot, with round trips.

    The pieces are the components of its roads that touch no depot of its, and
    the clusters they form (a valley's hamlets). Its trips out there are modelled
    as a tree: a minimum spanning tree of the round trips between the components,
    rooted at the depots and the roads joined to them. Handing over every piece
    beyond a tree edge saves that edge's round trip: each such set of units
    comes with the round trip it saves (a single component first, then larger
    clusters).
    """
    own = [u.id for u in ctx.units.values() if u.owner == admin]
    groups = _components(own, unit_vertices)
    root = set(home)
    away: list[list[str]] = []
    for members in groups:
        vs = {v for u in members for v in unit_vertices[u]}
        if vs & home:
            root |= vs
        else:
            away.append(members)
    if not away:
        return ()
    nodes = [sorted(root)] + [
        sorted({v for u in g for v in unit_vertices[u]}) for g in away
    ]
    dist = np.array(
        [dijkstra(fwd, indices=vs, min_only=True) for vs in nodes]
    )  # from node i to every vertex
    reach = np.array([[d[vs].min() for vs in nodes] for d in dist])
    trip = reach + reach.T
    parent = _spanning_tree(trip)
    out = []
    for i in range(1, len(nodes)):
        w = float(trip[i, parent[i]])
        if math.isfinite(w) and w > 0:
            members = sorted(u for j in _subtree(parent, i) for u in away[j - 1])
            out.append((tuple(members), w))
    return tuple(sorted(out, key=lambda p: (len(p[0]), p[0])))


def _components(
    own: list[str], unit_vertices: Mapping[str, list[int]]
) -> list[list[str]]:
    """Return the units ``own`` grouped by the vertices they share (components)."""
    parent = {u: u for u in own}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    first: dict[int, str] = {}
    for u in own:
        for v in unit_vertices[u]:
            if v in first:
                parent[find(u)] = find(first[v])
            else:
                first[v] = u
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for u in own:
        groups[find(u)].append(u)
    return sorted(groups.values())


def _spanning_tree(weight: np.ndarray) -> list[int]:
    """Parent of each node in a minimum spanning tree rooted at node 0 (Prim)."""
    n = len(weight)
    parent = [0] * n
    best = weight[0].astype(float).copy()
    done = np.zeros(n, dtype=bool)
    done[0] = True
    for _ in range(n - 1):
        cand = np.where(done, np.inf, best)
        j = int(np.argmin(cand))
        if not math.isfinite(cand[j]):
            break  # the rest cannot be reached
        done[j] = True
        closer = ~done & (weight[j] < best)
        best[closer] = weight[j][closer]
        for k in np.flatnonzero(closer):
            parent[k] = j
    return parent


def _subtree(parent: list[int], node: int) -> list[int]:
    """Return ``node`` and every node below it in the tree ``parent``."""
    children: defaultdict[int, list[int]] = defaultdict(list)
    for k, p in enumerate(parent):
        if k != p and k != 0:
            children[p].append(k)
    out, stack = [], [node]
    while stack:
        k = stack.pop()
        out.append(k)
        stack.extend(children[k])
    return out


def estimated_gain(est: Estimates, unit_id: str, owner: str, taker: str) -> float:
    """Estimated seconds saved when ``taker`` plows the unit instead of ``owner``."""
    gain = est.service_s[(unit_id, owner)] - est.service_s[(unit_id, taker)]
    gain -= est.access_s[(unit_id, taker)]
    for members, trip in est.pieces.get(owner, ()):
        if unit_id in members:
            gain += trip / len(members)
    return gain


def move_of(ctx: ExchangeContext, est: Estimates, unit_id: str, taker: str) -> Move:
    """Return the move handing unit ``unit_id`` to ``taker``."""
    unit = ctx.units[unit_id]
    return Move(
        unit=unit_id,
        route=unit.route_id,
        owner=unit.owner,
        taker=taker,
        km=unit.km,
        plow_s=est.service_s[(unit_id, taker)],
    )
