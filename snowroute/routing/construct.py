"""A first plan for large problems: one giant tour, split into routes.

On a city of a thousand streets a search from a random plan spends most of its
first minutes undoing the randomness. A driver's plan is built the other way:
one tour that always plows the nearest unplowed street next (turns included,
since the legs are turn-aware), cut into depot-to-depot routes where cutting
costs least (Prins' split: a shortest path over the cut points, each route within
the shift). The engine then improves this plan; the search can only keep or
beat it.

Heterogeneous fleets: the tour and the cuts use the *lead* class (compatible
with the most services, fastest among those); each route then goes to an
available class that may serve every road on it, the lead class first.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt

from snowroute.routing.engine import fleet_sizes
from snowroute.routing.improve import node_route_s
from snowroute.routing.transform import NodeRoute, Transformation

__all__ = ["balanced_routes", "giant_tour", "initial_routes", "split_tour"]

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
    tr: Transformation, routes: list[list[int]], lead: int
) -> list[NodeRoute]:
    """Give each route an available class that may serve all of it (lead first).

    There are never more routes than vehicles (:func:`_fit_fleet`).
    """
    available = fleet_sizes(tr)
    order = [lead, *(c for c in range(len(available)) if c != lead)]
    out = []
    for nodes in routes:
        ok = [c for c in order if available[c] > 0]
        fits = [c for c in ok if not np.isnan(tr.node_service_s[c, nodes]).any()]
        choice = (fits or ok)[0]
        available[choice] -= 1
        out.append(NodeRoute(choice, tuple(nodes)))
    return out


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
    """Return the best of ``tries`` giant tours, each split for the fleet.

    ``balanced``: split for the earliest finish, keep the earliest; otherwise
    split at least total cost within the shift, keep the cheapest.
    """
    if tr.num_services == 0:
        return []
    lead = _lead_class(tr)
    limit = tr.problem.vehicles[lead].shift_s if shift_s is None else shift_s
    limit = math.inf if limit is None else limit
    fleet = sum(fleet_sizes(tr))
    rng = np.random.default_rng(seed)
    best: list[NodeRoute] = []
    best_key = math.inf
    for _ in range(max(1, tries)):
        tour = giant_tour(tr, lead, rng)
        if balanced:
            split = _balanced_split(tr, tour, lead, fleet, limit)
        else:
            split = _fit_fleet(tr, split_tour(tr, tour, lead, limit), lead, fleet)
        routes = _assign_classes(tr, split, lead)
        times = [_route_s(tr, r.vehicle, list(r.nodes)) for r in routes]
        key = max(times) if balanced else sum(times)
        if key < best_key:
            best, best_key = routes, key
    return best


def initial_routes(
    tr: Transformation,
    *,
    seed: int = 0,
    tries: int = 5,
    shift_s: float | None = None,
) -> list[NodeRoute]:
    """Build a first plan: the best of ``tries`` split giant tours.

    Parameters
    ----------
    tr
        The transformation.
    seed
        Seed of the tie-breaking between equally near services.
    tries
        Giant tours built (each split optimally); the cheapest plan wins.
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

    Each of ``tries`` giant tours is split into at most as many routes as the
    fleet has vehicles with the shortest possible longest route (within the lead
    class's shift); the plan with the earliest finish wins.
    """
    return _best_of_tours(tr, seed=seed, tries=tries, balanced=True)
