"""A first plan for large problems: one giant tour, split into routes.

On a city of a thousand streets a search from a random plan spends most of its
first minutes undoing the randomness. A driver's plan is built the other way:
one tour through every street, cut into depot-to-depot routes where cutting
costs least (Prins' split: a shortest path over the cut points, each route within
the shift). The engine then improves this plan; the search can only keep or
beat it.

Two kinds of tour compete (the cheapest plan after the split wins; the postman
tour only where the fleet is at one depot, :func:`postman_applies`):

- the *postman tour* (:func:`postman_tour`), the rural-postman construction:
  each two-way street gets the direction that balances the street ends, every
  street is given the successor that is cheapest to reach (an assignment over
  the turn-aware legs, which is the rural-postman balancing with turns priced),
  and the cycles this leaves are patched into one tour where joining them costs
  least (Karp's patching). As one route, the Middleton city's tour takes 62,965 s
  against 78,675 s for a nearest-street tour, the county's 6,340 s against
  10,166 s (``benchmarks/realnet/RESULTS.md``);
- *nearest-street tours* (:func:`giant_tour`), always the nearest unplowed street
  next, near-ties broken at random.

Heterogeneous fleets: the tour and the cuts use the *lead* class (compatible
with the most services, fastest among those). At one depot each route then goes
to an available class that may serve every road on it (the routes fewest classes
may serve choose first, the lead class first), and neighbouring routes are joined
while some route has no such class left; with several yards routes take classes
in order, and a plan where some route got a class that may not serve it is not
used (:func:`_best_of_tours`).
"""

from __future__ import annotations

import collections
import itertools
import math

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from snowroute.routing.engine import fleet_sizes
from snowroute.routing.improve import node_route_s
from snowroute.routing.transform import NodeRoute, Transformation

__all__ = [
    "balanced_routes",
    "giant_tour",
    "initial_routes",
    "postman_applies",
    "postman_tour",
    "split_tour",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Candidates within this share of the nearest one are drawn at random.
_NEAR = 0.02
#: Bisection steps on the route cap of a balanced split.
_BISECTIONS = 30


def _lead_class(tr: Transformation) -> int:
    """Class that may serve the most nodes; the fastest of those."""
    ok = ~np.isnan(tr.node_service_s)
    counts = ok.sum(axis=1)
    total = np.where(ok, tr.node_service_s, 0.0).sum(axis=1)
    order = sorted(range(len(counts)), key=lambda c: (-int(counts[c]), total[c]))
    return order[0]


def giant_tour(tr: Transformation, vehicle: int, rng: np.random.Generator) -> list[int]:
    """One node per service: always the nearest unserved service next.

    Services with the earliest deadline come first (priority classes in order).
    Nearness is the turn-aware leg from the end of the last service plus the
    next one's service time (``inf`` where ``vehicle`` may not serve it, unless
    no compatible node is left). Near-ties are broken at random by ``rng``.
    """
    nd = tr.num_depots
    legs = tr.legs[int(tr.vehicle_profile[vehicle])][:, nd:]
    service = tr.node_service_s[vehicle]
    allowed = ~np.isnan(service)
    service = np.where(allowed, service, 0.0)
    open_node = np.ones(tr.num_nodes, dtype=bool)
    deadline = tr.service_deadline[tr.node_service]
    current = tr.vehicle_depot(vehicle)
    tour: list[int] = []
    for _ in range(tr.num_services):
        cost = legs[current] + service
        # the earliest deadline class still open comes first
        due = open_node & (deadline == deadline[open_node].min())
        mask = due & allowed
        if not mask.any():
            mask = due
        cost = np.where(mask, cost, np.inf)
        best = float(cost.min())
        if not math.isfinite(best):
            cost = np.where(open_node, 0.0, np.inf)
            best = 0.0
        near = np.flatnonzero(cost <= best * (1 + _NEAR) + 1e-9)
        node = int(near[rng.integers(near.size)])
        tour.append(node)
        s = int(tr.node_service[node])
        open_node[tr.service_ptr[s] : tr.service_ptr[s + 1]] = False
        current = nd + node
    return tour


#: Leg cost standing in for an unreachable one in the successor assignment.
_UNREACHABLE = 1e12
#: Largest problem (services) that gets a postman tour: its patching holds a few
#: dense matrices of this size squared (4,000: about 130 MB each).
_POSTMAN_MAX = 4000
#: A join of two cycles at most this dear (seconds) is free (see :func:`_patch`).
_FREE_JOIN = 1e-9


def postman_applies(tr: Transformation) -> bool:
    """Whether the postman tour competes for the first plan of ``tr``.

    When the whole fleet is at one depot, and up to :data:`_POSTMAN_MAX`
    services. The tour is one circuit from one depot: with trucks at several
    yards the split gave routes from the first yard to the others' trucks, and
    the demo region's prefecture (3 yards, 690 services) ended 1.1-2.0 h worse
    over seeds 1-3 than from the nearest-street tours
    (``benchmarks/realnet/RESULTS.md``).
    """
    return tr.problem.single_depot and tr.num_services <= _POSTMAN_MAX


def postman_tour(tr: Transformation, vehicle: int) -> list[int]:
    """One node per service: a rural-postman tour, earliest deadline class first.

    Within each class: two-way services turned to balance the street ends
    (:func:`_oriented_nodes`), every service given the successor cheapest to
    reach from its end (an assignment over ``vehicle``'s turn-aware legs; the
    class's start is the depot or the end of the previous class, and the tour
    may end anywhere), and the cycles of that assignment joined into one path
    where joining costs least (:func:`_patch`).
    """
    nd = tr.num_depots
    legs = tr.legs[int(tr.vehicle_profile[vehicle])]
    nodes = _oriented_nodes(tr, vehicle)
    deadline = tr.service_deadline[tr.node_service[nodes]]
    start = tr.vehicle_depot(vehicle)
    tour: list[int] = []
    for due in np.unique(deadline):
        part = nodes[deadline == due]
        tour += [int(part[k]) for k in _patched_path(legs, start, nd + part)]
        start = nd + tour[-1]
    return tour


def _oriented_nodes(tr: Transformation, vehicle: int) -> IntArray:
    """One node per service; two-way services turned to balance the street ends.

    The imbalance of a street end is its arrivals minus its departures. Turning
    every two-way service on a path of them (as they are driven now) moves two
    departures from the path's first end to its last and leaves the ends between
    as they were; from each end with too many departures, paths are turned while
    that lowers the imbalance summed over the ends (:func:`_turning_path`). A
    service is taken in a direction ``vehicle`` may serve where it has one.
    """
    graph = tr.problem.graph
    pick, other = [], []
    for s in range(tr.num_services):
        alts = [int(n) for n in tr.service_nodes(s)]
        ok = [n for n in alts if not math.isnan(tr.node_service_s[vehicle, n])]
        ok = ok or alts
        pick.append(ok[0])
        other.append(ok[-1])
    nodes, alt = np.array(pick, dtype=np.int64), np.array(other, dtype=np.int64)
    tail, head = graph.tail[tr.node_arc], graph.head[tr.node_arc]
    excess = np.zeros(graph.num_vertices, dtype=np.int64)
    np.add.at(excess, head[nodes], 1)
    np.add.at(excess, tail[nodes], -1)
    # two-way services whose other direction is the same street driven back
    flexible = np.flatnonzero(
        (nodes != alt) & (tail[alt] == head[nodes]) & (head[alt] == tail[nodes])
    )
    for source in sorted(np.flatnonzero(excess < 0).tolist(), key=excess.__getitem__):
        while excess[source] < 0:
            found = _turning_path(source, excess, tail[nodes], head[nodes], flexible)
            if found is None:
                break
            path, end = found
            nodes[path], alt[path] = alt[path], nodes[path]
            excess[source] += 2
            excess[end] -= 2
    return nodes


def _turning_path(
    source: int,
    excess: IntArray,
    tails: IntArray,
    heads: IntArray,
    flexible: IntArray,
) -> tuple[list[int], int] | None:
    """Fewest two-way services from ``source`` to an end worth turning them for.

    ``tails`` and ``heads`` are the services' ends as driven now. Turning the
    path lowers the summed imbalance when ``source`` has two departures too many
    and the end one arrival too many, or one and two. Returns the services and
    the end, or ``None``.
    """
    need = 1 if excess[source] <= -2 else 2
    out: dict[int, list[int]] = {}
    for k in flexible.tolist():
        out.setdefault(int(tails[k]), []).append(k)
    arrived_by = {source: -1}  # street end -> service driven into it
    queue = collections.deque([source])
    while queue:
        v = queue.popleft()
        if v != source and excess[v] >= need:
            path, end = [], v
            while v != source:
                path.append(arrived_by[v])
                v = int(tails[arrived_by[v]])
            return path, end
        for k in out.get(v, ()):
            w = int(heads[k])
            if w not in arrived_by:
                arrived_by[w] = k
                queue.append(w)
    return None


def _patched_path(legs: FloatArray, start: int, locations: IntArray) -> list[int]:
    """Order of ``locations`` in a cheap open path from ``start`` (indices)."""
    loc = np.concatenate([[start], locations])
    cost = legs[np.ix_(loc, loc)]
    cost = np.where(np.isfinite(cost), cost, _UNREACHABLE)
    cost[:, 0] = 0.0  # the path may end anywhere
    np.fill_diagonal(cost, _UNREACHABLE)
    rows, cols = linear_sum_assignment(cost)
    succ = np.empty(loc.size, dtype=np.int64)
    succ[rows] = cols
    succ = _patch(cost, succ)
    order, k = [], 0
    for _ in range(locations.size):
        k = int(succ[k])
        order.append(k - 1)
    return order


def _cycles(succ: IntArray) -> tuple[IntArray, int]:
    """Cycle label of every element of a permutation, and the number of cycles."""
    label = np.full(succ.size, -1, dtype=np.int64)
    count = 0
    for first in range(succ.size):
        k = first
        while label[k] < 0:
            label[k] = count
            k = int(succ[k])
        count += label[first] == count
    return label, count


def _patch(cost: FloatArray, succ: IntArray) -> IntArray:
    """Join the cycles of a successor assignment into one (Karp's patching).

    Swapping the successors of ``i`` and ``j`` joins their cycles for
    ``cost[i, succ[j]] + cost[j, succ[i]] - cost[i, succ[i]] - cost[j, succ[j]]``.
    Each round takes the cheapest swaps first, every node in at most one swap
    and every swap joining two cycles not yet joined in that round; while some
    join is free (cycles through the same street end), a round takes only free
    ones, so that no paid join is made that later free ones would have spared.
    """
    n = succ.size
    while True:
        label, count = _cycles(succ)
        if count == 1:
            return succ
        kept = cost[np.arange(n), succ]
        after = cost[:, succ]  # after[i, j] = cost[i, succ[j]]
        delta = after + after.T - kept[:, None] - kept[None, :]
        delta[label[:, None] == label[None, :]] = np.inf
        free = float(delta.min()) <= _FREE_JOIN
        _swap_round(delta, succ, label, count, _FREE_JOIN if free else math.inf)


def _swap_round(
    delta: FloatArray, succ: IntArray, label: IntArray, count: int, limit: float
) -> None:
    """Apply the cheapest cycle-joining swaps of ``delta`` up to ``limit``.

    See :func:`_patch`.
    """
    n = succ.size
    size = min(delta.size, 8 * n)
    flat = np.argpartition(delta, size - 1, axis=None)[:size]
    flat = flat[np.argsort(delta.ravel()[flat], kind="stable")]
    parent = list(range(count))

    def root(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    used = np.zeros(n, dtype=bool)
    for f in flat.tolist():
        i, j = divmod(f, n)
        if delta[i, j] > limit:
            break
        if used[i] or used[j]:
            continue
        a, b = root(int(label[i])), root(int(label[j]))
        if a == b:
            continue
        parent[a] = b
        succ[i], succ[j] = succ[j], succ[i]
        used[i] = used[j] = True


def split_tour(
    tr: Transformation, tour: list[int], vehicle: int, shift_s: float
) -> list[list[int]]:
    """Cut ``tour`` into routes of at most ``shift_s`` at least total cost.

    Prins' split: ``f[b]`` is the cheapest way to serve the first ``b`` nodes in
    whole routes, each within the shift and every service by its deadline; a
    single node that fits no route still forms its own.
    """
    nd = tr.num_depots
    legs = tr.legs[int(tr.vehicle_profile[vehicle])]
    depot = tr.vehicle_depot(vehicle)
    nodes = np.asarray(tour, dtype=np.int64)
    n = nodes.size
    service = np.nan_to_num(tr.node_service_s[vehicle, nodes], nan=0.0)
    between = legs[nd + nodes[:-1], nd + nodes[1:]] if n > 1 else np.zeros(0)
    # prefix[k]: time from the start of node 0 to the start of node k
    prefix = np.concatenate([[0.0], np.cumsum(service[:-1] + between)])
    out_leg = legs[depot, nd + nodes]
    back_leg = legs[nd + nodes, depot]
    head = out_leg - prefix  # route a..b lasts head[a] + tail[b]
    tail = prefix + service + back_leg
    # a route from a meets every deadline up to b while head[a] <= slack[a..b]
    slack = tr.service_deadline[tr.node_service[nodes]] - prefix - service
    tightest = np.full(n, np.inf)
    f = np.full(n + 1, np.inf)
    f[0] = 0.0
    cut = np.zeros(n + 1, dtype=np.int64)
    for b in range(n):
        tightest[: b + 1] = np.minimum(tightest[: b + 1], slack[b])
        length = head[: b + 1] + tail[b]
        cost = f[: b + 1] + length
        cost[(length > shift_s) | (head[: b + 1] > tightest[: b + 1] + 1e-6)] = np.inf
        a = int(np.argmin(cost))
        if not math.isfinite(cost[a]):
            a = b  # the node alone, even beyond the shift
            cost[a] = f[b] + length[b]
        f[b + 1], cut[b + 1] = cost[a], a
    routes: list[list[int]] = []
    b = n
    while b > 0:
        a = int(cut[b])
        routes.append([int(x) for x in nodes[a:b]])
        b = a
    return routes[::-1]


def _fit_fleet(
    tr: Transformation, routes: list[list[int]], vehicle: int, fleet: int
) -> list[list[int]]:
    """Join neighbouring routes (shortest pair first) until the fleet suffices.

    A joined route may break the shift, which the search repairs.
    """
    routes = [list(r) for r in routes]
    while len(routes) > max(1, fleet):
        joined = [_route_s(tr, vehicle, a + b) for a, b in itertools.pairwise(routes)]
        k = int(np.argmin(joined))
        routes[k : k + 2] = [routes[k] + routes[k + 1]]
    return routes


def _assign_classes(
    tr: Transformation, routes: list[list[int]], lead: int, *, fewest_first: bool
) -> list[NodeRoute]:
    """Give each route an available class that may serve all of it.

    With ``fewest_first`` the routes fewest classes may serve choose first (the
    Middleton city's arterials: tandems only), otherwise the routes in order;
    each takes the lead class where it fits, then the others in order; a route
    no available class fits gets any available one (:func:`_fit_classes` joins
    routes until none is left so). There are never more routes than vehicles
    (:func:`_fit_fleet`).
    """
    available = fleet_sizes(tr)
    order = [lead, *(c for c in range(len(available)) if c != lead)]
    fitting = [[c for c in order if _serves(tr, c, nodes)] for nodes in routes]
    chosen = [lead] * len(routes)
    turns = list(range(len(routes)))
    if fewest_first:
        turns = sorted(turns, key=lambda k: len(fitting[k]))
    for k in turns:
        free = [c for c in order if available[c] > 0]
        chosen[k] = ([c for c in fitting[k] if available[c] > 0] or free)[0]
        available[chosen[k]] -= 1
    return [NodeRoute(c, tuple(nodes)) for c, nodes in zip(chosen, routes, strict=True)]


def _serves(
    tr: Transformation, vehicle: int, nodes: list[int] | tuple[int, ...]
) -> bool:
    """Whether class ``vehicle`` may serve every node of ``nodes``."""
    return not np.isnan(tr.node_service_s[vehicle, list(nodes)]).any()


def _fit_classes(
    tr: Transformation, routes: list[list[int]], lead: int
) -> list[NodeRoute]:
    """Assign classes, joining neighbouring routes until each has one that fits.

    While some route got a class that may not serve all of it (more routes need
    a class than it has vehicles), it is joined with the neighbour that makes
    the shorter route; a joined route may break the shift, which the search
    repairs. Without this the Middleton city's first plans gave arterials to
    one-ton trucks and were never used.
    """
    routes = [list(r) for r in routes]
    while True:
        assigned = _assign_classes(tr, routes, lead, fewest_first=True)
        unfit = {
            k for k, r in enumerate(assigned) if not _serves(tr, r.vehicle, r.nodes)
        }
        pairs = [k for k in range(len(routes) - 1) if unfit & {k, k + 1}]
        if not pairs:
            return assigned
        k = min(pairs, key=lambda k: _route_s(tr, lead, routes[k] + routes[k + 1]))
        routes[k : k + 2] = [routes[k] + routes[k + 1]]


def _route_s(tr: Transformation, vehicle: int, nodes: list[int]) -> float:
    return node_route_s(tr, NodeRoute(vehicle, tuple(nodes)))


def _best_of_tours(
    tr: Transformation,
    *,
    seed: int,
    tries: int,
    balanced: bool,
    shift_s: float | None = None,
) -> list[NodeRoute]:
    """Return the best of the postman tour and ``tries`` nearest-street tours.

    Each tour is split for the fleet. ``balanced``: split for the earliest
    finish, keep the earliest; otherwise split at least total cost within the
    shift, keep the cheapest. A fleet at one depot gets classes fitted to its
    routes (:func:`_fit_classes`); a fleet at several yards keeps the earlier
    rule: routes take classes in order, and a plan in which some route got a
    class that may not serve it is not used (none left: an empty plan, the
    engine's own start). With the fitted classes the demo region ran 6.5-8
    minutes instead of 4-5 (``benchmarks/realnet/RESULTS.md``).
    """
    if tr.num_services == 0:
        return []
    lead = _lead_class(tr)
    limit = tr.problem.vehicles[lead].shift_s if shift_s is None else shift_s
    limit = math.inf if limit is None else limit
    fleet = sum(fleet_sizes(tr))
    rng = np.random.default_rng(seed)
    tours = [postman_tour(tr, lead)] if postman_applies(tr) else []
    tours += [giant_tour(tr, lead, rng) for _ in range(max(1, tries))]
    best: list[NodeRoute] = []
    best_key = math.inf
    for tour in tours:
        if balanced:
            split = _balanced_split(tr, tour, lead, fleet, limit)
        else:
            split = _fit_fleet(tr, split_tour(tr, tour, lead, limit), lead, fleet)
        if tr.problem.single_depot:
            routes = _fit_classes(tr, split, lead)
        else:
            routes = _assign_classes(tr, split, lead, fewest_first=False)
        times = [_route_s(tr, r.vehicle, list(r.nodes)) for r in routes]
        key = max(times) if balanced else sum(times)
        if key < best_key:  # nan: a route got a class that may not serve it
            best, best_key = routes, key
    return best


def initial_routes(
    tr: Transformation,
    *,
    seed: int = 0,
    tries: int = 5,
    shift_s: float | None = None,
) -> list[NodeRoute]:
    """Build a first plan: the best split of the postman tour and ``tries`` others.

    Parameters
    ----------
    tr
        The transformation.
    seed
        Seed of the tie-breaking between equally near services.
    tries
        Nearest-street tours built beside the postman tour (each split
        optimally); the cheapest plan wins.
    shift_s
        Longest route (default: the lead class's shift, unlimited without one).

    Returns
    -------
    list of NodeRoute
        Routes serving every service once, no more than the fleet has vehicles;
        they may break a shift or a deadline, which the engine's search then
        repairs.
    """
    return _best_of_tours(tr, seed=seed, tries=tries, balanced=False, shift_s=shift_s)


def _balanced_split(
    tr: Transformation, tour: list[int], vehicle: int, fleet: int, shift_s: float
) -> list[list[int]]:
    """Split ``tour`` into at most ``fleet`` routes, the longest as short as can be.

    Bisection on the route cap; each cap is split at least total cost.
    """
    whole = _route_s(tr, vehicle, tour)
    lo, hi = 0.0, min(whole, shift_s)
    best = split_tour(tr, tour, vehicle, hi)
    for _ in range(_BISECTIONS):
        if hi - lo <= 1e-3 * hi:
            break
        mid = (lo + hi) / 2
        routes = split_tour(tr, tour, vehicle, mid)
        fits = len(routes) <= fleet and all(
            _route_s(tr, vehicle, r) <= mid + 1e-6 for r in routes
        )
        if fits:
            hi, best = mid, routes
        else:
            lo = mid
    return _fit_fleet(tr, best, vehicle, fleet)


def balanced_routes(
    tr: Transformation, *, seed: int = 0, tries: int = 3
) -> list[NodeRoute]:
    """Build a first plan for the makespan: giant tours cut into equal routes.

    The postman tour and ``tries`` nearest-street tours are each split into at
    most as many routes as the fleet has vehicles with the shortest possible
    longest route (within the lead class's shift); the plan with the earliest
    finish wins.
    """
    return _best_of_tours(tr, seed=seed, tries=tries, balanced=True)
