"""Polishing of fixed routes: service directions, stretches reversed, moved, reordered.

A node-routing engine flips one service at a time; here, for a fixed order of the
services of a route, every service picks among its alternatives (both directions of
an ``"either"`` arc) so that the route time is minimal, in ``O(n)`` per route with
two states per service (:func:`best_directions`, dynamic programming). A stretch of
a route served backwards is turned round as a whole (:func:`reverse_stretches`, the
arc-routing 2-opt), which no sequence of single flips or moves reaches without
first making the route worse. A short stretch is moved elsewhere in its route, as
it is or turned round (:func:`move_stretches`, the or-opt with reversal), which a
node-routing engine does only for stretches of one to three services, one
direction at a time, and only between a service's nearest neighbours. A route at
the local optimum of those moves is reordered further by an iterated local search
(:func:`reorder_route`: ruin-and-recreate kicks, each followed by the same
moves, compiled). Refill stops stay where they are.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from snowroute.routing.transform import NodeRoute, Transformation

#: A move of a round: a reversal or a relocation.
_Move = TypeVar("_Move")

__all__ = [
    "alternatives",
    "best_directions",
    "improve_routes",
    "move_stretches",
    "node_route_s",
    "polish_route",
    "reorder_route",
    "reverse_stretches",
    "route_lateness_s",
    "search_block",
]


def node_route_s(tr: Transformation, route: NodeRoute) -> float:
    """Service plus deadhead time of ``route`` from the transformation's matrices."""
    return math.fsum(_arc_times(tr, route.vehicle, route.locations(tr)).tolist())


def route_lateness_s(tr: Transformation, route: NodeRoute) -> float:
    """Sum over services of the time by which each misses its deadline."""
    seq = np.asarray(route.locations(tr))
    arrive = np.cumsum(_arc_times(tr, route.vehicle, seq))  # at seq[1:]
    nd = tr.num_depots
    at_node = seq[1:] >= nd
    node = seq[1:][at_node] - nd
    # arrival at a node is the start of its service; completion adds its time
    done = arrive[at_node] + tr.node_service_s[route.vehicle, node]
    with np.errstate(invalid="ignore"):  # inf - inf: never late, as max(0, nan)
        late = np.fmax(0.0, done - tr.service_deadline[tr.node_service[node]])
    return math.fsum(late.tolist())


def _arc_times(
    tr: Transformation, vehicle: int, seq: Sequence[int] | np.ndarray
) -> np.ndarray:
    """:meth:`Transformation.arc_s` of each consecutive pair of locations ``seq``."""
    locs = np.asarray(seq)
    legs = tr.legs[int(tr.vehicle_profile[vehicle])]
    return np.asarray(
        _time_at(tr, vehicle, locs[:-1]) + legs[locs[:-1], locs[1:]], dtype=np.float64
    )


def _time_at(tr: Transformation, vehicle: int, locs: np.ndarray) -> np.ndarray:
    """Service time of ``vehicle`` at each location (0 at a depot)."""
    nd = tr.num_depots
    return np.where(
        locs >= nd, tr.node_service_s[vehicle][np.maximum(locs - nd, 0)], 0.0
    )


def best_directions(tr: Transformation, route: NodeRoute) -> NodeRoute:
    """
    Return the same route with every service in its best alternative (direction).

    Exact for the fixed service order (dynamic programming over the alternatives of
    each service). Where the problem has deadlines, the result is kept only if it
    misses them by no more than ``route`` does.

    Parameters
    ----------
    tr
        The transformation ``route`` refers to.
    route
        The route to improve.

    Returns
    -------
    NodeRoute
        A route at most as long, with the same services, order and refills.
    """
    if not route.nodes:
        return route
    c = route.vehicle
    nd = tr.num_depots
    legs = tr.legs[int(tr.vehicle_profile[c])]
    loc = _stages(tr, route)
    out = _time_at(tr, c, loc)
    moves = legs[loc[:-1, :, None], loc[1:, None, :]]  # stage k to stage k + 1
    cost, back = _cheapest_path(out[:-1].tolist(), moves.tolist())
    choice = [0]
    for arg in reversed(back):
        choice.append(arg[choice[-1]])
    choice.reverse()
    chosen = loc[np.arange(len(loc)), choice].tolist()
    nodes = tuple(x - nd for x in chosen if x >= nd)
    better = NodeRoute(route.vehicle, nodes, route.refills)
    if not math.isfinite(cost) or cost >= node_route_s(tr, route) - 1e-9:
        return route
    if _has_deadlines(tr) and route_lateness_s(tr, better) > route_lateness_s(
        tr, route
    ):
        return route
    return better


def _stages(tr: Transformation, route: NodeRoute) -> np.ndarray:
    """Candidate locations per stage of ``route``, one row per stage.

    Stages are the depot, each service (its alternatives the vehicle may serve,
    at most two: the directions of an ``"either"`` arc) and each refill stop,
    and the depot again; a stage of one candidate repeats it (a repeated
    candidate changes no minimum).
    """
    nodes = np.asarray(route.nodes, dtype=np.int64)
    service = tr.node_service[nodes]
    first, count = tr.service_ptr[service], np.diff(tr.service_ptr)[service]
    width = 2
    alts = first[:, None] + np.arange(width)[None, :]
    usable = np.arange(width)[None, :] < count[:, None]
    times = tr.node_service_s[route.vehicle]
    usable &= ~np.isnan(times[np.where(usable, alts, first[:, None])])
    lead = alts[np.arange(len(alts)), np.argmax(usable, axis=1)]
    rows = np.where(usable, alts, lead[:, None]) + tr.num_depots
    if route.refills:
        at, depot = zip(*route.refills, strict=True)
        rows = np.insert(rows, list(at), np.array(depot)[:, None], axis=0)
    home = np.full((1, width), tr.vehicle_depot(route.vehicle))
    return np.concatenate([home, rows, home])


def _cheapest_path(
    out: list[list[float]], moves: list[list[list[float]]]
) -> tuple[float, list[tuple[int, int]]]:
    """Cheapest pass through stages of two candidates, from and to candidate 0.

    ``out[k][i]``: time spent at candidate ``i`` of stage ``k``; ``moves[k][i][j]``:
    leg from it to candidate ``j`` of stage ``k + 1``. Returns the cost and, per
    step, the best predecessor of each candidate (ties: the first). Plain Python:
    two candidates are too few for numpy to pay.
    """
    c0 = c1 = 0.0
    back = []
    for (o0, o1), ((m00, m01), (m10, m11)) in zip(out, moves, strict=True):
        l0, l1 = c0 + o0, c1 + o1
        a0, b0, a1, b1 = l0 + m00, l1 + m10, l0 + m01, l1 + m11
        arg = (int(b0 < a0), int(b1 < a1))
        c0, c1 = (b0 if arg[0] else a0), (b1 if arg[1] else a1)
        back.append(arg)
    return c0, back


def improve_routes(tr: Transformation, routes: Sequence[NodeRoute]) -> list[NodeRoute]:
    """Apply :func:`best_directions` to every route."""
    return [best_directions(tr, r) for r in routes]


def polish_route(tr: Transformation, route: NodeRoute) -> NodeRoute:
    """Best directions, stretches reversed, stretches moved; again while it pays.

    :func:`~snowroute.routing.solve` polishes every final route so. The search
    itself polishes its new best plans by directions only: reversals there too
    cost the Middleton city search 8-10 % of its iterations and moved its 60 s
    plans by less than their seed spread (``benchmarks/realnet/RESULTS.md``).
    """
    route = best_directions(tr, route)
    for _ in range(_POLISH_ROUNDS):
        changed = reverse_stretches(tr, route)
        changed = move_stretches(tr, changed)
        if changed is route:
            break
        route = best_directions(tr, changed)
    return route


#: Most rounds of reversals and moves in :func:`polish_route`.
_POLISH_ROUNDS = 5


def reverse_stretches(tr: Transformation, route: NodeRoute) -> NodeRoute:
    """
    Return ``route`` with stretches driven backwards wherever that is shorter.

    The arc-routing 2-opt move: a stretch of consecutive services is served in the
    opposite order, each in its other direction where it has one. A node-routing
    engine cannot make this move (it flips one service at a time, and the route is
    worse after every single flip), yet on a road network most of a stretch's
    deadheads are the same driven backwards. Every pair of ends is priced at once
    (``O(n^2)`` per round, vectorised); each round applies the best improving
    stretches that do not touch each other, until none is left. Refill stops stay
    where they are; with deadlines, a round is kept only if no deadline is missed
    by more than before.
    """
    current = route
    late = route_lateness_s(tr, route) if _has_deadlines(tr) else None
    for _ in range(_MAX_ROUNDS):
        seq, is_node, alt = _sequence(tr, current)
        moves = _reversals(tr, current.vehicle, seq, is_node, alt)
        better = _apply_reversals(tr, current, moves, (seq, is_node, alt), late)
        if better is None:
            break
        current = better
    return current


#: Most rounds of :func:`reverse_stretches` per call (each applies several moves).
_MAX_ROUNDS = 50


def _has_deadlines(tr: Transformation) -> bool:
    return bool(np.isfinite(tr.service_deadline).any())


def _other_direction(tr: Transformation, vehicle: int, nodes: np.ndarray) -> np.ndarray:
    """Per node, the node of the same service in the other direction, or itself."""
    service = tr.node_service[nodes]
    lo, hi = tr.service_ptr[service], tr.service_ptr[service + 1]
    other = np.where(hi - lo == 2, lo + hi - 1 - nodes, nodes)
    usable = ~np.isnan(tr.node_service_s[vehicle, other])
    return np.where(usable, other, nodes)


def _sequence(
    tr: Transformation, route: NodeRoute
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Locations of ``route``, which of them are nodes, and each one reversed."""
    nd = tr.num_depots
    seq = np.array(route.locations(tr), dtype=np.int64)
    is_node = seq >= nd
    alt = seq.copy()
    alt[is_node] = _other_direction(tr, route.vehicle, seq[is_node] - nd) + nd
    return seq, is_node, alt


def _reversals(
    tr: Transformation,
    c: int,
    seq: np.ndarray,
    is_node: np.ndarray,
    alt: np.ndarray,
) -> list[tuple[float, int, int]]:
    """Improving reversals ``(saving, i, j)`` of locations ``i..j``, best first.

    ``c`` is the route's vehicle class, ``seq``, ``is_node`` and ``alt`` its
    :func:`_sequence`.

    For each first position ``i`` the best last position ``j``, the pairs priced
    :data:`_ROWS` first positions at a time so that memory stays linear in the
    route's length.
    """
    legs = tr.legs[int(tr.vehicle_profile[c])]
    svc, asvc, forward, back = _running_times(tr, c, seq, is_node, alt)
    pos = np.flatnonzero(is_node)
    block = np.cumsum(~is_node)[pos]  # stretches never cross a depot or refill
    out: list[tuple[float, int, int]] = []
    for lo in range(0, pos.size, _ROWS):
        i = pos[lo : lo + _ROWS]
        saving = (
            forward[pos + 1][None, :]
            - forward[i - 1][:, None]
            - (svc[i - 1] + asvc[i] - back[i])[:, None]
            - legs[np.ix_(seq[i - 1], alt[pos])]
            - legs[np.ix_(alt[i], seq[pos + 1])]
            - back[pos][None, :]
        )
        later = pos[None, :] > i[:, None]
        saving[~(later & (block[lo : lo + _ROWS, None] == block[None, :]))] = 0.0
        best = np.argmax(saving, axis=1)
        gain = saving[np.arange(i.size), best]
        out.extend(
            (float(g), int(a), int(pos[b]))
            for g, a, b in zip(gain, i, best, strict=True)
            if g > _EPS
        )
    out.sort(key=lambda m: -m[0])
    return out


_EPS = 1e-6


def _running_times(
    tr: Transformation,
    c: int,
    seq: np.ndarray,
    is_node: np.ndarray,
    alt: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Service times and running times of a route, as driven and turned round.

    ``c`` is the route's vehicle class, ``seq``, ``is_node`` and ``alt`` its
    :func:`_sequence`. Returns each position's service time as driven and turned
    round, the time from the start to each position as driven (``forward``), and
    ``back``: ``back[j] - back[i]`` is the time from ``alt[j]`` back to ``alt[i]``
    driven in reverse.
    """
    nd = tr.num_depots
    legs = tr.legs[int(tr.vehicle_profile[c])]
    svc_of = np.nan_to_num(tr.node_service_s[c], nan=0.0)
    svc = np.where(is_node, svc_of[np.maximum(seq - nd, 0)], 0.0)
    asvc = np.where(is_node, svc_of[np.maximum(alt - nd, 0)], 0.0)
    forward = np.concatenate([[0.0], np.cumsum(svc[:-1] + legs[seq[:-1], seq[1:]])])
    # a reversed leg may be impossible (a turn ban): priced prohibitively, not inf,
    # so that differences of the running sums stay finite
    reverse = np.minimum(legs[alt[1:], alt[:-1]], _PROHIBITIVE_S)
    back = np.concatenate([[0.0], np.cumsum(asvc[1:] + reverse)])
    return svc, asvc, forward, back


#: Price of an impossible reversed leg (seconds).
_PROHIBITIVE_S = 1e9
#: First positions priced together by :func:`_reversals`.
_ROWS = 256


def _apply_reversals(
    tr: Transformation,
    route: NodeRoute,
    moves: Sequence[tuple[float, int, int]],
    sequence: tuple[np.ndarray, np.ndarray, np.ndarray],
    late: float | None,
) -> NodeRoute | None:
    """Return the route with the best non-touching ``moves``; ``None``: no gain.

    ``sequence`` is the route's :func:`_sequence`; ``late`` its lateness, which
    the result may not exceed (``None``: the problem has no deadlines).
    """
    if not moves:
        return None
    seq, is_node, alt = sequence
    taken = np.zeros(seq.size + 1, dtype=bool)
    chosen: list[tuple[int, int]] = []
    for _, i, j in moves:
        if not taken[i - 1 : j + 2].any():
            taken[i : j + 1] = True
            chosen.append((i, j))

    def reversed_(batch: Sequence[tuple[int, int]]) -> NodeRoute:
        out = seq.copy()
        for i, j in batch:
            out[i : j + 1] = alt[i : j + 1][::-1]
        nodes = tuple(int(x) - tr.num_depots for x in out[is_node])
        return NodeRoute(route.vehicle, nodes, route.refills)

    return _first_in_time(tr, chosen, reversed_, late)


def _first_in_time(
    tr: Transformation,
    chosen: Sequence[_Move],
    apply: Callable[[Sequence[_Move]], NodeRoute],
    late: float | None,
) -> NodeRoute | None:
    """Return ``apply(chosen)``, or else the first single move's route, in time.

    In time: missing no deadline by more than ``late`` in all (``None``: the
    problem has no deadlines, every route is in time). Of the single moves the
    first :data:`_SINGLE_TRIES` are tried; ``None`` when none is in time.
    """
    for batch in (chosen, *([m] for m in chosen[:_SINGLE_TRIES])):
        cand = apply(batch)
        if late is None or route_lateness_s(tr, cand) <= late + _EPS:
            return cand
        if len(chosen) == 1:
            break
    return None


#: With deadlines, single moves tried when the whole round misses one.
_SINGLE_TRIES = 5


def move_stretches(tr: Transformation, route: NodeRoute) -> NodeRoute:
    """
    Return ``route`` with short stretches moved wherever that makes it shorter.

    The or-opt move with reversal: a stretch of up to :data:`_MOVE_LENGTH`
    consecutive services is taken out and put back between two other stops of
    the same route, as it was or turned round (each service in its other
    direction where it has one). Every stretch and every place is priced at once
    (``O(n^2)`` per stretch length and round, vectorised); each round applies the
    best improving moves that do not touch each other, until none is left. A
    stretch stays between the same refill stops, so every load is unchanged; with
    deadlines, a round is kept only if no deadline is missed by more than before.
    """
    current = route
    late = route_lateness_s(tr, route) if _has_deadlines(tr) else None
    for _ in range(_MAX_ROUNDS):
        sequence = _sequence(tr, current)
        moves = _relocations(tr, current.vehicle, *sequence)
        better = _apply_relocations(tr, current, moves, sequence, late)
        if better is None:
            break
        current = better
    return current


#: Longest stretch :func:`move_stretches` moves (services).
_MOVE_LENGTH = 10

#: A relocation: saving, first and last position of the stretch, the position
#: it goes after, and whether it is turned round.
Relocation = tuple[float, int, int, int, bool]


def _relocations(
    tr: Transformation,
    c: int,
    seq: np.ndarray,
    is_node: np.ndarray,
    alt: np.ndarray,
) -> list[Relocation]:
    """Improving relocations of stretches of ``seq``, best first.

    For each stretch (first position and length) the best place, forwards or
    turned round; ``c`` is the route's vehicle class, ``seq``, ``is_node`` and
    ``alt`` its :func:`_sequence`. The legs between the route's positions are
    gathered once (three square matrices of the route's length: 70 MB for 1,700
    stops, the longest routes of the benchmarks); stretches are then priced
    :data:`_ROWS` at a time.
    """
    svc, asvc, forward, back = _running_times(tr, c, seq, is_node, alt)
    block = np.cumsum(~is_node)
    # legs between positions: to each as driven, to and from each turned round;
    # gathered, then an impossible one priced prohibitively (not the whole matrix)
    legs = tr.legs[int(tr.vehicle_profile[c])]
    between = tuple(
        np.minimum(legs[np.ix_(a, b)], _PROHIBITIVE_S)
        for a, b in ((seq, seq), (seq, alt), (alt, seq))
    )
    to_fwd = between[0]
    out: list[Relocation] = []
    for length in range(1, _MOVE_LENGTH + 1):
        i = np.arange(1, seq.size - length)
        j = i + length - 1
        keep = is_node[i] & is_node[j] & (block[i] == block[j])
        i, j = i[keep], j[keep]
        for lo in range(0, i.size, _ROWS):
            first, last = i[lo : lo + _ROWS], j[lo : lo + _ROWS]
            closed = (
                to_fwd[first - 1, last + 1]
                - to_fwd[first - 1, first]
                - to_fwd[last, last + 1]
            )
            turned = (back[last] - back[first] + asvc[first]) - (
                forward[last] - forward[first] + svc[last]
            )
            out.extend(_best_places(between, block, (first, last), closed, turned))
    out.sort(key=lambda m: -m[0])
    return out


def _best_places(
    between: tuple[np.ndarray, np.ndarray, np.ndarray],
    block: np.ndarray,
    stretch: tuple[np.ndarray, np.ndarray],
    closed: np.ndarray,
    turned: np.ndarray,
) -> list[Relocation]:
    """Return the best improving place of each stretch, as it is or turned round.

    ``between`` holds the legs between the route's positions (:func:`_relocations`),
    ``block`` each position's block between refill stops; ``stretch`` the first
    and last positions of stretches of one length; ``closed`` is what taking each
    out changes, ``turned`` what turning it round adds inside it. A place is
    after a position of the stretch's block, not inside or beside it.
    """
    first, last = stretch
    to_fwd, to_alt, alt_to = between
    after = np.arange(block.size - 1)  # between `after` and `after + 1`
    opened = to_fwd[after, after + 1][:, None]
    elsewhere = (block[after][:, None] == block[first][None, :]) & (
        (after[:, None] < first[None, :] - 1) | (after[:, None] > last[None, :])
    )
    out: list[Relocation] = []
    for way, into, out_of, extra in (
        (False, to_fwd[:-1, first], to_fwd[last, 1:], 0.0),
        (True, to_alt[:-1, last], alt_to[first, 1:], turned),
    ):
        added = into + out_of.T - opened
        saving = np.where(elsewhere, -(added + closed + extra), 0.0)
        best = np.argmax(saving, axis=0)
        gain = saving[best, np.arange(first.size)]
        out.extend(
            (float(g), int(a), int(b), int(k), way)
            for g, a, b, k in zip(gain, first, last, after[best], strict=True)
            if g > _EPS
        )
    return out


def _apply_relocations(
    tr: Transformation,
    route: NodeRoute,
    moves: Sequence[Relocation],
    sequence: tuple[np.ndarray, np.ndarray, np.ndarray],
    late: float | None,
) -> NodeRoute | None:
    """Return the route with the best non-touching ``moves``; ``None``: no gain.

    ``sequence`` is the route's :func:`_sequence`; ``late`` its lateness, which
    the result may not exceed (``None``: the problem has no deadlines).
    """
    if not moves:
        return None
    seq = sequence[0]
    taken = np.zeros(seq.size + 1, dtype=bool)
    chosen: list[Relocation] = []
    for move in moves:
        _, i, j, k, _ = move
        if not (taken[i - 1 : j + 2].any() or taken[k : k + 2].any()):
            taken[i - 1 : j + 2] = taken[k : k + 2] = True
            chosen.append(move)
    return _first_in_time(
        tr, chosen, lambda batch: _relocated(tr, route, batch, sequence), late
    )


def _relocated(
    tr: Transformation,
    route: NodeRoute,
    moves: Sequence[Relocation],
    sequence: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> NodeRoute:
    """``route`` with non-touching ``moves`` applied (refill stops kept)."""
    seq, is_node, alt = sequence
    locs = seq.copy()
    key = np.arange(seq.size, dtype=np.float64)
    for _, i, j, k, way in moves:
        span = np.arange(i, j + 1)
        if way:
            locs[span] = alt[span]
            span = span[::-1]
        # between positions k and k + 1, in the order the stretch is driven
        key[span] = k + (1 + np.arange(span.size)) / (span.size + 1)
    order = np.argsort(key, kind="stable")
    nodes = tuple(int(x) - tr.num_depots for x in locs[order][is_node[order]])
    return NodeRoute(route.vehicle, nodes, route.refills)


def reorder_route(tr: Transformation, route: NodeRoute, *, seed: int = 0) -> NodeRoute:
    """
    Return ``route`` with its services reordered by an iterated local search.

    Between refill stops, the order of the services is kicked (around
    :data:`ANCHORS` services near each other, stretches of up to
    :data:`STRING_LENGTH` services are taken out and put back one service at a
    time where each adds least) and improved again by stretches turned round and
    stretches of up to :data:`_MOVE_LENGTH` moved next to one of their
    :data:`NEAR` nearest services. The search goes on from an order at most
    :data:`THRESHOLD` of the best time longer, falling to zero over the kicks,
    and returns the shortest (:mod:`snowroute.routing._tour`, compiled). A route
    :func:`polish_route` leaves has no single improving move left; the kicks
    reach orders beyond it (on five of the Middleton city's 36 s plans
    0.79-0.99 % shorter, ``benchmarks/realnet/RESULTS.md``). :data:`KICKS` kicks
    per service, drawn from a generator seeded with ``seed``: the same route and
    seed give the same result. With deadlines, no block misses them by more
    than before; a shorter block lets the blocks after it start no later.

    Parameters
    ----------
    tr
        The transformation ``route`` refers to.
    route
        The route to improve.
    seed
        Seed of the kicks.

    Returns
    -------
    NodeRoute
        A route at most as long, with the same services and refill stops.
    """
    nd, n = tr.num_depots, len(route.nodes)
    home = tr.vehicle_depot(route.vehicle)
    refill_at = dict(route.refills)
    # blocks between refill stops, long ones cut into windows of _LONGEST
    cuts = sorted({0, n, *refill_at, *range(_LONGEST, n, _LONGEST)})
    located = [home, *([refill_at[0]] if 0 in refill_at else [])]
    done: list[int] = []
    for a, b in itertools.pairwise(cuts):
        # a window ends at the next one's first service, as it stands
        end = refill_at.get(b, nd + route.nodes[b] if b < n else home)
        t0 = float(np.sum(_arc_times(tr, route.vehicle, located)))
        block = route.nodes[a:b]
        nodes = _reorder_block(
            tr, route.vehicle, (located[-1], end), block, t0, seed + a
        )
        done.extend(nodes)
        located.extend(nd + x for x in nodes)
        if b in refill_at:
            located.append(refill_at[b])
    better = best_directions(tr, NodeRoute(route.vehicle, tuple(done), route.refills))
    if node_route_s(tr, better) >= node_route_s(tr, route) - _EPS:
        return route
    if (
        _has_deadlines(tr)
        and route_lateness_s(tr, better) > route_lateness_s(tr, route) + _EPS
    ):
        return route
    return better


#: Kicks per service of :func:`reorder_route`.
KICKS = 5
#: Services near each other around which a kick of :func:`reorder_route` takes
#: stretches out.
ANCHORS = 2
#: Longest stretch a kick of :func:`reorder_route` takes out (services).
STRING_LENGTH = 20
#: Of the best time, how much longer an order :func:`reorder_route` goes on from
#: may be at first (falling to zero over the kicks).
THRESHOLD = 1e-3
#: Nearest services next to which :func:`reorder_route` moves stretches.
NEAR = 8
#: Fewest services of a block that :func:`reorder_route` searches.
_FEWEST = 8
#: Most services searched together: a longer block is searched in windows (its
#: leg matrix grows with the square: 128 MB for 2,000 services).
_LONGEST = 2000
#: Price of an impossible leg in the compiled search (seconds): far above any
#: route, and small enough that sums of legs keep their fractions.
_IMPOSSIBLE_S = 1e6


def _reorder_block(
    tr: Transformation,
    vehicle: int,
    ends: tuple[int, int],
    block: Sequence[int],
    t0: float,
    seed: int,
) -> list[int]:
    """Return the nodes of one block between two stops, searched (compiled)."""
    m = len(block)
    if m < _FEWEST:
        return list(block)
    nodes = np.asarray(block, dtype=np.int64)
    stops, dr = alternatives(tr, vehicle, nodes)
    order, dr = search_block(
        tr,
        vehicle,
        ends,
        stops,
        dr,
        tr.service_deadline[tr.node_service[nodes]].astype(np.float64),
        t0,
        KICKS * m,
        seed,
    )
    return [int(x) - tr.num_depots for x in stops[order, dr]]


def alternatives(
    tr: Transformation, vehicle: int, nodes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each node's service as a stop: its locations ``(m, 2)`` and which is ``nodes``.

    The locations of the service's directions for ``vehicle``, the lower first
    (equal for a service with one); the second array is 1 where the node is the
    second.
    """
    other = _other_direction(tr, vehicle, nodes)
    first = np.minimum(nodes, other)
    stops = np.stack([first, np.maximum(nodes, other)], axis=1) + tr.num_depots
    return stops, (nodes != first).astype(np.int64)


def search_block(
    tr: Transformation,
    vehicle: int,
    ends: tuple[int, int],
    alternatives: np.ndarray,
    dr: np.ndarray,
    deadline: np.ndarray,
    t0: float,
    kicks: int,
    seed: int,
    routes: tuple[np.ndarray, float, bool] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Search the order of a block of stops (compiled); return ``(order, dr)``.

    Stop ``k`` may be made at ``alternatives[k, 0]`` or ``alternatives[k, 1]``
    (location indices; equal for a stop with one), at first in the order given
    and at ``alternatives[k, dr[k]]``; the block runs between the locations
    ``ends`` and starts at ``t0``. Returns the stops by position and the
    alternative taken at each position. ``routes``: see
    :func:`snowroute.routing._tour.iterated_search` (``None``: one route).
    """
    from snowroute.routing import _tour  # compiled on first use

    m, nd = len(alternatives), tr.num_depots
    nalt = np.where(alternatives[:, 1] != alternatives[:, 0], 2, 1).astype(np.int64)
    locs = np.concatenate([list(ends), alternatives.ravel()])
    legs = tr.legs[int(tr.vehicle_profile[vehicle])]
    D = np.minimum(legs[np.ix_(locs, locs)], _IMPOSSIBLE_S).astype(np.float64)
    svc = np.nan_to_num(tr.node_service_s[vehicle], nan=0.0)
    out = np.where(locs >= nd, svc[np.maximum(locs - nd, 0)], 0.0)
    order = np.arange(m, dtype=np.int64)
    dr = dr.astype(np.int64)
    _tour.iterated_search(
        order,
        dr,
        nalt,
        _nearest(D, m),
        D,
        out,
        deadline,
        t0,
        kicks,
        (ANCHORS, STRING_LENGTH, THRESHOLD),
        _MOVE_LENGTH,
        seed,
        routes or (np.zeros(m, dtype=np.bool_), np.inf, False),
    )
    return order, dr


def load_kernel() -> None:
    """Load the compiled kernel of :func:`search_block`, compiling it if need be.

    numba compiles it on first use and keeps it in a cache beside its source
    (about 9 s on a 2-core machine, once per installation; loading it from the
    cache takes under a second). :func:`snowroute.routing.solve` calls this
    first, so that the compilation is counted in its ``time_limit_s`` instead of
    coming after the search (a 5 s solve of a small grid took 12.4 s on a fresh
    installation); a solve bound by ``max_iterations`` calls it before its clock
    starts, so that a first use cannot cut its search short (its plan must not
    depend on it). Calls the kernel on a block of three services with the
    argument types :func:`search_block` passes.
    """
    from snowroute.routing import _tour  # compiled on first use

    if _tour.iterated_search.signatures:
        return
    m = 3
    D = np.ones((2 * m + 2, 2 * m + 2))
    _tour.iterated_search(
        np.arange(m, dtype=np.int64),
        np.zeros(m, dtype=np.int64),
        np.ones(m, dtype=np.int64),
        _nearest(D, m),
        D,
        np.zeros(2 * m + 2),
        np.full(m, np.inf),
        0.0,
        0,
        (ANCHORS, STRING_LENGTH, THRESHOLD),
        _MOVE_LENGTH,
        0,
        (np.zeros(m, dtype=np.bool_), np.inf, False),
    )


def _nearest(legs: np.ndarray, m: int) -> np.ndarray:
    """Per service its :data:`NEAR` nearest predecessors, then successors."""
    between = legs[2:, 2:].reshape(m, 2, m, 2).min(axis=(1, 3))
    np.fill_diagonal(between, np.inf)
    n = min(NEAR, m - 1)
    before = np.argsort(between, axis=0, kind="stable")[:n].T
    after = np.argsort(between, axis=1, kind="stable")[:, :n]
    return np.ascontiguousarray(np.concatenate([before, after], axis=1), dtype=np.int64)
