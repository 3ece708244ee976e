"""Cheap, provably valid lower bounds on the cost of any plan.

``lower_bound = route time + fixed`` where *fixed* is ``K`` times the cheapest
fixed cost (``K`` = :func:`min_routes`, a lower bound on the number of routes) and
*route time* (service plus deadhead, turn penalties included) is the largest of
``service + parity``, ``service + balance`` and, with a turn model, ``turns``:

- *service* is every required pass at the cheapest compatible class and direction;
- **parity (T-join with depot stubs)**: the routes form closed walks, so in the
  undirected multigraph of all traversals every vertex has even degree, and the
  depot has degree at least ``2 K``. The deadhead traversals therefore pair up the
  odd-degree vertices of the service multigraph and ``2 K - deg(depot)`` "stubs"
  at the depot; their cost is at least a minimum perfect matching over
  shortest-path distances (stub to stub: a closed walk from the depot, at least
  twice its cheapest edge). The matching is solved exactly when small, otherwise
  bounded by half a minimum assignment (valid: every perfect matching doubles into
  an assignment);
- **balance (LP)**: in the directed multigraph every vertex has in-degree equal to
  out-degree and at least ``K`` traversals leave the depot; a linear program with
  fractional directions for ``"either"`` services and continuous deadhead flows
  gives a bound (strong for one-way streets, weak for undirected instances, where
  the parity bound is strong);
- **turns (line-graph LP)**, only when ``problem.turns`` is set: a relaxation of
  the turn-aware mixed rural postman problem on the line graph. Its nodes are the
  arcs plus one virtual depot ``D``; ``x[a, b] >= 0`` counts the turns from ``a``
  into ``b`` (every turn of :func:`~snowroute.routing.turns.turn_table`: banned
  turns and forbidden U-turns are absent, as the validator rejects them),
  ``x[D, a]`` the route starts (and restarts after a refill) on an arc leaving a
  home or refill depot, ``x[a, D]`` the route ends (and stops to refill) on an arc
  entering one; the validator charges no turn there. The traversals of arc ``a``
  are ``t[a] = sum_in x = sum_out x``; they cover the served passes (``"either"``
  with a fractional number ``f`` of forward passes, the rest reversed) and at
  least ``K`` routes leave ``D``. Any plan gives such a flow, and its route time is
  at least ``sum_a dh[a] t[a] + sum_ab turn_s[a, b] x[a, b] + sum_passes (svc -
  dh)``, with ``dh`` the fastest deadhead time of the arc and ``svc`` the cheapest
  compatible service time of the pass in its direction (a served traversal costs
  ``svc``, not ``dh``). The LP minimum is therefore a bound on the route time
  itself (service included), never below the service bound.

  Alone, the LP serves a two-way street half in each direction and so ignores
  parity. Cuts on vertex sets ``S`` restore it: closed walks cross the boundary
  of ``S`` an even number of times, at least ``R(S)`` times (the served passes
  of required arcs with one end in ``S``, whatever their directions) and at
  least twice if ``S`` holds a required arc but no home depot. The LP starts
  with the cuts on single vertices with odd ``R(v)`` and adds, for a few rounds,
  the violated cuts on connected components of the arcs it drives and of the
  arcs it drives more often than it serves (cheap odd-set separation).

Deadhead times use, per arc, the fastest vehicle class. :func:`deadhead_bounds`
gives each candidate minus the service bound.

:func:`makespan_bound` bounds the duration of the longest route: at least the
cheapest round trip from a depot that serves any one service, and at least the
route-time bound shared over the whole fleet.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import coo_matrix, csr_matrix, vstack
from scipy.sparse.csgraph import connected_components, dijkstra

from snowroute.routing.problem import ArcRoutingProblem
from snowroute.routing.turns import TurnTable, turn_table

__all__ = [
    "deadhead_bounds",
    "lower_bound",
    "makespan_bound",
    "min_routes",
    "service_bound",
    "turn_bound",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Largest matching solved exactly (networkx blossom); above it, assignment / 2.
_EXACT_MATCHING_MAX = 100
#: Relative and absolute slack taken off an LP optimum (solver tolerances).
_LP_REL_SLACK, _LP_ABS_SLACK = 1e-6, 1e-6
#: Most solves of the turn LP (each adds the set cuts the last one violates).
_CUT_ROUNDS = 8
#: Cut rounds stop when one raises the bound by less than this share.
_CUT_MIN_GAIN = 1e-3
#: Flow below which an arc counts as unused when looking for violated cuts.
_CUT_EPS = 1e-6


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
    depot = problem.depots[problem.depot_index(problem.vehicles[0].depot)].vertex
    stubs = 0
    if problem.single_depot and routes > 0:
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
    if problem.single_depot and routes > 0:
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


def _depot_vertices(problem: ArcRoutingProblem) -> IntArray:
    """Vertices of the home and refill depots of every vehicle class."""
    ids = {vc.depot for vc in problem.vehicles}
    ids.update(d for vc in problem.vehicles for d in vc.refill_depots)
    vertices = {problem.depots[problem.depot_index(i)].vertex for i in ids}
    return np.array(sorted(vertices), dtype=np.int64)


def _direction_arcs(problem: ArcRoutingProblem) -> IntArray:
    """Per required arc, the arc served in direction 0 and in direction 1.

    Direction 1 repeats ``arc`` for a one-way road (its service time is ``nan``).
    """
    arcs = [
        (r.arc, r.arc if r.reverse_arc is None else r.reverse_arc)
        for r in problem.required
    ]
    return np.array(arcs, dtype=np.int64).reshape(-1, 2)


def _pass_gain(problem: ArcRoutingProblem, arc_s: FloatArray) -> FloatArray:
    """Per required arc and direction: cheapest pass minus the arc's deadhead time.

    The cheapest pass is over the compatible classes; ``inf`` where the direction
    may not be served.
    """
    svc = np.where(problem.compatible[:, :, None], problem.service_s, np.inf)
    best = np.where(np.isnan(svc), np.inf, svc).min(axis=0)
    gain: FloatArray = best - arc_s[_direction_arcs(problem)]
    return gain


def _coverage(
    problem: ArcRoutingProblem, gain: FloatArray
) -> tuple[FloatArray, IntArray, IntArray, FloatArray, FloatArray, float]:
    """Count the passes served along each arc, for the turn LP.

    Returns ``need`` (passes every plan serves along each arc, counting every
    ``"either"`` pass as reversed), the forward and reverse arcs of the
    ``"either"`` arcs, their passes, the cost of one pass switched forward, and
    the constant ``sum (svc - dh)`` of the passes as counted in ``need``. With
    ``f`` forward passes of an ``"either"`` arc, its arc serves ``f`` and its
    reverse ``need - f``.
    """
    need = np.zeros(problem.graph.num_arcs)
    const = 0.0
    fwd: list[int] = []
    rev: list[int] = []
    passes: list[float] = []
    f_cost: list[float] = []
    for i, r in enumerate(problem.required):
        p = r.passes
        if r.mode == "either":
            assert r.reverse_arc is not None
            need[r.reverse_arc] += p
            const += p * float(gain[i, 1])
            fwd.append(r.arc)
            rev.append(r.reverse_arc)
            passes.append(p)
            f_cost.append(float(gain[i, 0] - gain[i, 1]))
            continue
        need[r.arc] += p
        const += p * float(gain[i, 0])
        if r.mode == "both":
            assert r.reverse_arc is not None
            need[r.reverse_arc] += p
            const += p * float(gain[i, 1])
    ints = (np.array(fwd, dtype=np.int64), np.array(rev, dtype=np.int64))
    return need, *ints, np.array(passes, dtype=float), np.array(f_cost), const


@dataclass(slots=True)
class _TurnLP:
    """The turn LP in ``linprog`` form (``A_ub x <= b_ub``, ``balance x = 0``).

    ``inflow @ x`` gives the traversals ``t`` per arc; ``constant`` is added to
    the minimum (the served passes' ``svc - dh`` as counted in the coverage).
    """

    cost: FloatArray
    upper: FloatArray
    A_ub: csr_matrix
    b_ub: FloatArray
    balance: csr_matrix
    inflow: csr_matrix
    constant: float

    def solve(self) -> tuple[float, FloatArray] | None:
        """Return the minimum (constant included) and the traversals ``t``."""
        res = linprog(
            self.cost,
            A_ub=self.A_ub,
            b_ub=self.b_ub,
            A_eq=self.balance,
            b_eq=np.zeros(self.balance.shape[0]),
            bounds=np.column_stack([np.zeros(self.cost.size), self.upper]),
            method="highs",
        )
        if res.status != 0:
            logger.debug("turn bound LP not solved: %s", res.message)
            return None
        t = np.asarray(self.inflow @ res.x, dtype=np.float64)
        return float(res.fun) + self.constant, t

    def add_cuts(self, rows: csr_matrix, at_least: FloatArray) -> None:
        """Add the constraints ``rows @ t >= at_least`` on the traversals."""
        self.A_ub = vstack([self.A_ub, -(rows @ self.inflow)]).tocsr()
        self.b_ub = np.concatenate([self.b_ub, -at_least])


def _flow_matrices(
    problem: ArcRoutingProblem, table: TurnTable, num_vars: int
) -> tuple[csr_matrix, csr_matrix, IntArray]:
    """Inflow and flow-balance matrices of the turn LP, and the arcs leaving ``D``.

    Columns: the turns of ``table``, then one start per arc leaving a depot
    (``D -> a``), one end per arc entering one (``a -> D``), then the forward
    passes of the ``"either"`` arcs. Row ``a`` of the inflow gives ``t[a]``.
    """
    graph = problem.graph
    m, nt = graph.num_arcs, table.src.size
    ends = _depot_vertices(problem)
    starts = np.flatnonzero(np.isin(graph.tail, ends))
    stops = np.flatnonzero(np.isin(graph.head, ends))
    x_cols = np.arange(nt)
    s_cols = nt + np.arange(starts.size)
    e_cols = nt + starts.size + np.arange(stops.size)

    def matrix(arcs: IntArray, cols: IntArray) -> csr_matrix:
        ones = np.ones(arcs.size)
        return coo_matrix((ones, (arcs, cols)), shape=(m, num_vars)).tocsr()

    inflow = matrix(np.concatenate([table.dst, starts]), np.r_[x_cols, s_cols])
    outflow = matrix(np.concatenate([table.src, stops]), np.r_[x_cols, e_cols])
    return inflow, (inflow - outflow).tocsr(), starts


def _turn_lp_model(
    problem: ArcRoutingProblem, arc_s: FloatArray, routes: int
) -> _TurnLP:
    """Build the line-graph LP of the module notes (without cuts)."""
    assert problem.turns is not None
    graph = problem.graph
    m = graph.num_arcs
    table = turn_table(graph, problem.turns)
    need, fwd, rev, passes, f_cost, const = _coverage(
        problem, _pass_gain(problem, arc_s)
    )
    ends = _depot_vertices(problem)
    ns = int(np.isin(graph.tail, ends).sum())
    ne = int(np.isin(graph.head, ends).sum())
    nt, nf = table.src.size, fwd.size
    n = nt + ns + ne + nf
    inflow, balance, starts = _flow_matrices(problem, table, n)
    f_cols = nt + ns + ne + np.arange(nf)
    forward = coo_matrix(
        (np.r_[np.ones(nf), -np.ones(nf)], (np.r_[fwd, rev], np.r_[f_cols, f_cols])),
        shape=(m, n),
    ).tocsr()
    # Served along a <= t[a]:  need[a] + (forward f)[a] - t[a] <= 0.
    covered = np.union1d(np.flatnonzero(need > 0), fwd)
    A_ub = (forward - inflow)[covered]
    b_ub = -need[covered]
    if routes > 0:
        row = np.zeros((1, n))
        row[0, nt : nt + ns] = -1.0
        A_ub = vstack([A_ub, csr_matrix(row)]).tocsr()
        b_ub = np.append(b_ub, -float(routes))
    cost = np.concatenate(
        [table.penalty_s + arc_s[table.dst], arc_s[starts], np.zeros(ne), f_cost]
    )
    upper = np.concatenate([np.full(nt + ns + ne, np.inf), passes])
    return _TurnLP(cost, upper, A_ub, b_ub, balance, inflow, const)


def _set_cuts(
    problem: ArcRoutingProblem, label: IntArray, count: int
) -> tuple[csr_matrix, FloatArray, FloatArray]:
    """Crossings of the vertex sets ``label == k``, and two bounds on them.

    Returns the rows (one per set, marking the arcs with one end inside), the
    least number of crossings of the set by any plan, and the served crossings
    ``R(S)`` (crossings the coverage already forces). Valid: closed walks cross
    a set's boundary an even number of times, ``R(S)`` of them serve a required
    arc with one end inside (whatever its direction), and a set holding a
    required arc but no home depot is entered and left at least once.
    """
    graph = problem.graph
    tail, head = label[graph.tail], label[graph.head]
    cross = np.flatnonzero(tail != head)
    rows = csr_matrix(
        (
            np.ones(2 * cross.size),
            (np.r_[tail[cross], head[cross]], np.r_[cross, cross]),
        ),
        shape=(count, graph.num_arcs),
    )
    arcs = np.array([r.arc for r in problem.required], dtype=np.int64)
    services = np.array([r.num_services for r in problem.required], dtype=np.float64)
    rt, rh = label[graph.tail[arcs]], label[graph.head[arcs]]
    apart = rt != rh
    served = np.bincount(rt[apart], services[apart], minlength=count)
    served += np.bincount(rh[apart], services[apart], minlength=count)
    visited = np.bincount(rt[~apart], minlength=count) > 0
    homes = [
        problem.depots[problem.depot_index(vc.depot)].vertex for vc in problem.vehicles
    ]
    visited[label[homes]] = False
    least: FloatArray = np.maximum(served + served % 2, np.where(visited, 2.0, 0.0))
    return rows, least, np.asarray(served, dtype=np.float64)


def _vertex_cuts(problem: ArcRoutingProblem) -> tuple[csr_matrix, FloatArray]:
    """Cuts on single vertices that the coverage does not imply (odd ``R(v)``)."""
    n = problem.graph.num_vertices
    rows, least, served = _set_cuts(problem, np.arange(n), n)
    keep = np.flatnonzero(least > served)
    return rows[keep], least[keep]


def _violated_cuts(
    problem: ArcRoutingProblem, t: FloatArray, surplus: FloatArray
) -> tuple[csr_matrix, FloatArray]:
    """Set cuts violated by ``t``: components of the driven and the surplus arcs.

    A component of the arcs driven more often than served has no surplus
    crossing, so it is violated when its served crossings are odd; a component
    of all driven arcs has no crossing at all, so it is violated when it must
    be visited.
    """
    graph = problem.graph
    n = graph.num_vertices
    found: list[tuple[csr_matrix, FloatArray]] = []
    for values in (t, surplus):
        used = np.flatnonzero(values > _CUT_EPS)
        links = coo_matrix(
            (np.ones(used.size), (graph.tail[used], graph.head[used])), shape=(n, n)
        )
        count, label = connected_components(links, directed=False)
        rows, least, _ = _set_cuts(problem, np.asarray(label, dtype=np.int64), count)
        bad = np.flatnonzero(rows @ t < least - _CUT_EPS)
        found.append((rows[bad], least[bad]))
    return vstack([r for r, _ in found]).tocsr(), np.concatenate([b for _, b in found])


def _surplus(problem: ArcRoutingProblem, t: FloatArray) -> FloatArray:
    """Per arc, traversals beyond the services of its road (shared by both arcs)."""
    surplus = np.array(t, dtype=np.float64)
    for r in problem.required:
        pair = [r.arc] if r.reverse_arc is None else [r.arc, r.reverse_arc]
        surplus[pair] = float(t[pair].sum()) - r.num_services
    return surplus


def _turn_lp(problem: ArcRoutingProblem, arc_s: FloatArray, routes: int) -> float:
    """Minimum route time of the turn LP with its cuts; 0 when not solved."""
    lp = _turn_lp_model(problem, arc_s, routes)
    lp.add_cuts(*_vertex_cuts(problem))
    best = 0.0
    for k in range(_CUT_ROUNDS):
        solved = lp.solve()
        if solved is None:
            break
        total, t = solved
        gain, best = total - best, max(best, total)
        rows, least = _violated_cuts(problem, t, _surplus(problem, t))
        logger.debug("turn LP round %d: %.1f, %d violated cuts", k, total, least.size)
        if not least.size or (k > 0 and gain < _CUT_MIN_GAIN * total):
            break
        lp.add_cuts(rows, least)
    return max(0.0, best - _LP_REL_SLACK * abs(best) - _LP_ABS_SLACK)


def turn_bound(problem: ArcRoutingProblem) -> float:
    """
    Bound the route time (service, deadhead and turn penalties) with the turn LP.

    Parameters
    ----------
    problem
        The arc-routing problem.

    Returns
    -------
    float
        The optimum of the line-graph LP (see the module notes), a lower bound on
        the total route time of any plan, fixed costs excluded; 0 when the problem
        has no turn model, nothing to serve, or the LP is not solved.
    """
    if problem.turns is None or problem.num_services == 0:
        return 0.0
    return _turn_lp(problem, _fastest_arc_s(problem), min_routes(problem))


def _bounds(problem: ArcRoutingProblem) -> tuple[float, dict[str, float]]:
    """Return the service bound and the deadhead candidates by name."""
    names = (
        ("parity", "balance")
        if problem.turns is None
        else ("parity", "balance", "turns")
    )
    if problem.num_services == 0:
        return 0.0, dict.fromkeys(names, 0.0)
    service = service_bound(problem)
    arc_s = _fastest_arc_s(problem)
    routes = min_routes(problem)
    dead = {
        "parity": _parity_bound(problem, arc_s, routes),
        "balance": _balance_bound(problem, arc_s, routes),
    }
    if problem.turns is not None:
        dead["turns"] = max(0.0, _turn_lp(problem, arc_s, routes) - service)
    return service, dead


def deadhead_bounds(problem: ArcRoutingProblem) -> dict[str, float]:
    """
    Compute the deadhead candidates of the module notes, by name.

    Parameters
    ----------
    problem
        The arc-routing problem.

    Returns
    -------
    dict of str to float
        ``"parity"`` and ``"balance"`` bound the deadhead time (turn penalties
        aside); with a turn model, ``"turns"`` is the turn LP's route-time bound
        minus the service bound, so that the service bound plus any entry bounds
        the route time. ``"turns"`` alone is not a bound on the deadhead time (a
        plan may serve at more than the cheapest service time).
    """
    return _bounds(problem)[1]


def _fixed_bound(problem: ArcRoutingProblem) -> float:
    """Return the fixed costs of the fewest possible routes at the cheapest class."""
    return min_routes(problem) * min(vc.fixed_cost for vc in problem.vehicles)


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
        The largest route-time candidate (service plus parity or balance deadhead,
        or the turn LP) plus the fixed costs of the fewest possible routes (see
        the module notes).
    """
    if problem.num_services == 0:
        return 0.0
    service, dead = _bounds(problem)
    logger.debug("service bound %.1f, deadhead bounds: %s", service, dead)
    return service + max(dead.values()) + _fixed_bound(problem)


def _path_arc_s(problem: ArcRoutingProblem, vehicle: int) -> FloatArray:
    """Least time class ``vehicle`` spends on each arc: deadhead, or serving it."""
    w = np.array(problem.deadhead_s(vehicle), dtype=np.float64)
    svc = np.where(
        problem.compatible[vehicle][:, None], problem.service_s[vehicle], np.nan
    )
    ok = np.isfinite(svc)
    np.minimum.at(w, _direction_arcs(problem)[ok], svc[ok])
    return w


def _depot_legs(
    problem: ArcRoutingProblem, vehicle: int, w: FloatArray, table: TurnTable | None
) -> tuple[FloatArray, FloatArray]:
    """Per arc, least time from the class's depot to its start and from its end back.

    With a turn model, paths run on the line graph with the turn penalties; a
    refill depot of the class is a free turn (the validator charges no turn
    across a refill stop).
    """
    graph = problem.graph
    vc = problem.vehicles[vehicle]
    home = problem.depots[problem.depot_index(vc.depot)].vertex
    if table is None:
        g = _simple_csr(graph.tail, graph.head, w, graph.num_vertices, directed=True)
        out = np.asarray(dijkstra(g, directed=True, indices=home))
        back = np.asarray(dijkstra(g.T.tocsr(), directed=True, indices=home))
        return out[graph.tail], back[graph.head]
    m = graph.num_arcs
    refills = [problem.depots[problem.depot_index(d)].vertex for d in vc.refill_depots]
    stops = list(dict.fromkeys([home, *refills]))  # home first: node m
    node = np.full(graph.num_vertices, -1, dtype=np.int64)
    node[stops] = m + np.arange(len(stops))
    # state a: at the start of arc a; a -> b drives a and turns into b.
    leave = np.flatnonzero(node[graph.tail] >= 0)
    enter = np.flatnonzero(node[graph.head] >= 0)
    rows = np.concatenate([table.src, node[graph.tail[leave]], enter])
    cols = np.concatenate([table.dst, leave, node[graph.head[enter]]])
    vals = np.concatenate(
        [w[table.src] + table.penalty_s, np.zeros(leave.size), w[enter]]
    )
    size = m + len(stops)
    g = csr_matrix((vals, (rows, cols)), shape=(size, size))
    out = np.asarray(dijkstra(g, directed=True, indices=m))
    back = np.asarray(dijkstra(g.T.tocsr(), directed=True, indices=m))
    return out[:m], back[:m] - w


def _round_trips(problem: ArcRoutingProblem) -> FloatArray:
    """Per required arc and direction, the cheapest route serving one pass of it."""
    table = None if problem.turns is None else turn_table(problem.graph, problem.turns)
    arcs = _direction_arcs(problem)
    best = np.full(arcs.shape, np.inf)
    for c in range(len(problem.vehicles)):
        w = _path_arc_s(problem, c)
        to, back = _depot_legs(problem, c, w, table)
        svc = np.where(problem.compatible[c][:, None], problem.service_s[c], np.nan)
        best = np.fmin(best, to[arcs] + svc + back[arcs])
    return best


def makespan_bound(problem: ArcRoutingProblem, *, lower: float | None = None) -> float:
    """
    Bound from below the duration of the longest route of any plan.

    The larger of (a) for every service, the cheapest route of a compatible class
    from its depot that serves it and comes back (paths may serve other arcs on
    the way, so an arc costs its deadhead or its service time, whichever is
    less; with turns, on the line graph with the penalties) and (b) the
    route-time bound (:func:`lower_bound` without the fixed costs: durations
    exclude them) over the fleet size, when every class has a ``count``.

    Parameters
    ----------
    problem
        The arc-routing problem.
    lower
        ``lower_bound(problem)`` when the caller has it already (its LPs are
        then not solved again).

    Returns
    -------
    float
        A lower bound on the makespan in seconds (0 when nothing to serve).
    """
    if problem.num_services == 0:
        return 0.0
    trips = _round_trips(problem)
    floor = 0.0
    for i, r in enumerate(problem.required):
        if r.mode == "forward":
            t = trips[i, 0]
        elif r.mode == "either":
            t = min(trips[i, 0], trips[i, 1])
        else:
            t = max(trips[i, 0], trips[i, 1])
        if math.isfinite(t):
            floor = max(floor, float(t))
    counts = [vc.count for vc in problem.vehicles]
    if all(c is not None for c in counts):
        fleet = sum(c for c in counts if c is not None)
        total = lower_bound(problem) if lower is None else lower
        floor = max(floor, (total - _fixed_bound(problem)) / fleet)
    return floor
