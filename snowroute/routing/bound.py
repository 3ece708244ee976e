"""Cheap, provably valid lower bounds on the cost of any plan.

``lower_bound = service + deadhead + fixed`` where

- *service* is every required pass at the cheapest compatible class and direction;
- *deadhead* is the larger of two valid bounds on the deadhead time:

  1. **parity (T-join with depot stubs)**: the routes form closed walks, so in the
     undirected multigraph of all traversals every vertex has even degree, and the
     depot has degree at least ``2 K`` (``K`` = a lower bound on the number of
     routes). The deadhead traversals therefore pair up the odd-degree vertices of
     the service multigraph and ``2 K - deg(depot)`` "stubs" at the depot; their
     cost is at least a minimum perfect matching over shortest-path distances
     (stub to stub: a closed walk from the depot, at least twice its cheapest
     edge). The matching is solved exactly when small, otherwise bounded by half
     a minimum assignment (valid: every perfect matching doubles into an
     assignment);
  2. **balance (LP)**: in the directed multigraph every vertex has in-degree equal
     to out-degree and at least ``K`` traversals leave the depot; a linear
     program with fractional directions for ``"either"`` services and continuous
     deadhead flows gives a bound (strong for one-way streets, weak for
     undirected instances, where bound 1 is strong);

- *fixed* is ``K`` times the cheapest fixed cost.

Deadhead times use, per arc, the fastest vehicle class.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from snowroute.routing.problem import ArcRoutingProblem

__all__ = ["deadhead_bounds", "lower_bound", "min_routes", "service_bound"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: Largest matching solved exactly (networkx blossom); above it, assignment / 2.
_EXACT_MATCHING_MAX = 100


def service_bound(problem: ArcRoutingProblem) -> float:
    """Least possible total service time (cheapest compatible class and direction)."""
    total = 0.0
    for i, r in enumerate(problem.required):
        times = np.where(
            problem.compatible[:, i, None], problem.service_s[:, i, :], np.nan
        )
        if r.mode == "both":
            total += r.passes * (np.nanmin(times[:, 0]) + np.nanmin(times[:, 1]))
        elif r.mode == "either":
            total += r.passes * float(np.nanmin(times))
        else:
            total += r.passes * float(np.nanmin(times[:, 0]))
    return total


def min_routes(problem: ArcRoutingProblem) -> int:
    """Bound from below the number of routes of any plan (0 when nothing to serve)."""
    if problem.num_services == 0:
        return 0
    caps = [vc.capacity for vc in problem.vehicles]
    if any(vc.refill_depots for vc in problem.vehicles) or any(c is None for c in caps):
        return 1
    biggest = max(c for c in caps if c is not None)
    return max(1, math.ceil(problem.total_demand() / biggest - 1e-9))


def _fastest_arc_s(problem: ArcRoutingProblem) -> FloatArray:
    times = [problem.deadhead_s(c) for c in range(len(problem.vehicles))]
    return np.asarray(np.minimum.reduce(times), dtype=np.float64)


def _min_perfect_matching(cost: FloatArray) -> float:
    """Minimum perfect matching cost on a complete graph (or a valid lower bound)."""
    n = cost.shape[0]
    if n == 0:
        return 0.0
    if n <= _EXACT_MATCHING_MAX:
        import networkx as nx

        G = nx.Graph()
        iu, ju = np.triu_indices(n, k=1)
        G.add_weighted_edges_from(
            (int(i), int(j), float(cost[i, j])) for i, j in zip(iu, ju, strict=True)
        )
        matching = nx.min_weight_matching(G)
        return float(sum(cost[i, j] for i, j in matching))
    big = float(cost[np.isfinite(cost)].max(initial=0.0)) * 4 + 1
    square = np.where(np.isfinite(cost), cost, big)
    np.fill_diagonal(square, big * n)
    rows, cols = linear_sum_assignment(square)
    return float(square[rows, cols].sum()) / 2.0


def _parity_bound(problem: ArcRoutingProblem, arc_s: FloatArray, routes: int) -> float:
    graph = problem.graph
    n = graph.num_vertices
    degree = np.zeros(n, dtype=np.int64)
    for r in problem.required:
        u, v = int(graph.tail[r.arc]), int(graph.head[r.arc])
        if u != v:
            degree[u] += r.num_services
            degree[v] += r.num_services
    odd = np.flatnonzero(degree % 2 == 1)
    single_depot = len({vc.depot for vc in problem.vehicles}) == 1
    depot = problem.depots[problem.depot_index(problem.vehicles[0].depot)].vertex
    stubs = 0
    if single_depot and routes > 0:
        r0 = int(degree[depot])
        stubs = max(0, 2 * routes - r0)
        if stubs % 2 != r0 % 2:
            stubs += 1
        odd = odd[odd != depot]
    if odd.size + stubs == 0:
        return 0.0
    # Undirected shortest paths (each pair at its cheaper direction).
    keep = graph.tail != graph.head
    t, h, w = graph.tail[keep], graph.head[keep], arc_s[keep]
    und = _simple_csr(t, h, w, n, directed=False)
    sources = np.concatenate([odd, [depot]]) if stubs else odd
    dist = np.asarray(dijkstra(und, directed=False, indices=sources))
    k = odd.size
    size = k + stubs
    cost = np.empty((size, size))
    cost[:k, :k] = dist[:k][:, odd]
    if stubs:
        to_depot = dist[k][odd]
        cost[:k, k:] = to_depot[:, None]
        cost[k:, :k] = to_depot[None, :]
        incident = np.concatenate([w[t == depot], w[h == depot]])
        loops = arc_s[(graph.tail == depot) & (graph.head == depot)]
        closed = min(
            2 * float(incident.min()) if incident.size else math.inf,
            float(loops.min()) if loops.size else math.inf,
        )
        cost[k:, k:] = closed
    np.fill_diagonal(cost, math.inf)
    return _min_perfect_matching(cost)


def _simple_csr(
    t: np.ndarray, h: np.ndarray, w: np.ndarray, n: int, *, directed: bool
) -> csr_matrix:
    """CSR matrix keeping the cheapest of parallel arcs (a plain CSR would sum them)."""
    if not directed:
        t, h = np.minimum(t, h), np.maximum(t, h)
    order = np.lexsort((w, h, t))
    pair = t[order] * n + h[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    a, b, c = t[order][first], h[order][first], w[order][first]
    if not directed:
        a, b, c = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([c, c])
    return csr_matrix((c, (a, b)), shape=(n, n))


def _balance_bound(problem: ArcRoutingProblem, arc_s: FloatArray, routes: int) -> float:
    graph = problem.graph
    n, m = graph.num_vertices, graph.num_arcs
    supply = np.zeros(n)  # out-degree minus in-degree of the fixed services
    either = [r for r in problem.required if r.mode == "either"]
    for r in problem.required:
        if r.mode == "either":
            continue
        u, v = int(graph.tail[r.arc]), int(graph.head[r.arc])
        supply[u] += r.passes
        supply[v] -= r.passes
        if r.mode == "both":
            supply[u] -= r.passes
            supply[v] += r.passes
    # Variables: deadhead flow per arc, then forward count f_i in [0, passes] per
    # "either" service; balance: out - in = 0 at every vertex.
    ne = len(either)
    rows = np.concatenate([graph.tail, graph.head])
    cols = np.concatenate([np.arange(m), np.arange(m)])
    vals = np.concatenate([np.ones(m), -np.ones(m)])
    e_rows, e_cols, e_vals = [], [], []
    rhs = -supply.copy()
    for j, r in enumerate(either):
        u, v = int(graph.tail[r.arc]), int(graph.head[r.arc])
        # f forward passes and (p - f) reverse: out(u) += f - (p - f) = 2f - p.
        e_rows += [u, v]
        e_cols += [m + j, m + j]
        e_vals += [2.0, -2.0]
        rhs[u] += r.passes
        rhs[v] -= r.passes
    A = coo_matrix(
        (
            np.concatenate([vals, e_vals]),
            (np.concatenate([rows, e_rows]), np.concatenate([cols, e_cols])),
        ),
        shape=(n, m + ne),
    ).tocsr()
    c = np.concatenate([arc_s, np.zeros(ne)])
    bounds = [(0, None)] * m + [(0, r.passes) for r in either]
    A_ub = None
    b_ub = None
    single_depot = len({vc.depot for vc in problem.vehicles}) == 1
    if single_depot and routes > 0:
        depot = problem.depots[problem.depot_index(problem.vehicles[0].depot)].vertex
        # Traversals leaving the depot: deadhead flow + services starting there.
        row = np.zeros(m + ne)
        row[:m] = (graph.tail == depot).astype(float)
        fixed_out = 0.0
        for r in problem.required:
            u, v = int(graph.tail[r.arc]), int(graph.head[r.arc])
            if r.mode == "forward" and u == depot:
                fixed_out += r.passes
            if r.mode == "both":
                fixed_out += r.passes * ((u == depot) + (v == depot))
        for j, r in enumerate(either):
            u, v = int(graph.tail[r.arc]), int(graph.head[r.arc])
            # forward leaves u, reverse leaves v: (u==d) f + (v==d)(p - f)
            row[m + j] = float(u == depot) - float(v == depot)
            fixed_out += r.passes * float(v == depot)
        A_ub = -row[None, :]
        b_ub = np.array([fixed_out - routes])
    res = linprog(
        c, A_ub=A_ub, b_ub=b_ub, A_eq=A, b_eq=rhs, bounds=bounds, method="highs"
    )
    if res.status != 0:
        logger.debug("balance bound LP not solved: %s", res.message)
        return 0.0
    return max(0.0, float(res.fun) * (1 - 1e-9) - 1e-6)


def deadhead_bounds(problem: ArcRoutingProblem) -> dict[str, float]:
    """Compute the two deadhead bounds (see the module notes), by name."""
    if problem.num_services == 0:
        return {"parity": 0.0, "balance": 0.0}
    arc_s = _fastest_arc_s(problem)
    routes = min_routes(problem)
    return {
        "parity": _parity_bound(problem, arc_s, routes),
        "balance": _balance_bound(problem, arc_s, routes),
    }


def lower_bound(problem: ArcRoutingProblem) -> float:
    """
    Compute a provably valid lower bound on the cost of any plan for ``problem``.

    Parameters
    ----------
    problem
        The arc-routing problem.

    Returns
    -------
    float
        Service bound plus the best deadhead bound plus the fixed costs of the
        fewest possible routes (see the module notes).
    """
    if problem.num_services == 0:
        return 0.0
    dead = deadhead_bounds(problem)
    fixed = min_routes(problem) * min(vc.fixed_cost for vc in problem.vehicles)
    logger.debug("deadhead bounds: %s", dead)
    return service_bound(problem) + max(dead.values()) + fixed
