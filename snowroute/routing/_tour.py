"""Compiled kernel of :func:`snowroute.routing.improve.reorder_route` (numba).

An iterated local search on the order of the services of one block of a route (a
path between two fixed stops), or of several routes of one vehicle class with a
depot stop between each two (:func:`snowroute.routing.together.reorder_together`:
a service then moves between routes as it moves inside one). Each kick is a small
ruin and recreate: a random service and a near neighbour each lose a stretch of
services around them, and the services taken out go back one by one where each
adds least (the string removals of SISR, Christiaens and Vanden Berghe 2020). A
descent follows, with stretches turned round and stretches moved next to a near
neighbour. The result is kept when it is no longer than the current order plus a
threshold that falls to zero over the kicks (record-to-record travel) and misses
no deadline by more (nor makes a route longer than its cap); the best order is
returned. Each service has one or two locations (its directions); a
stretch turned round serves each of its services in the other direction where it
has one.

Local numbering: location 0 is the block's start, 1 its end, ``2 + 2 s + d``
direction ``d`` of service ``s`` (a service with one direction repeats it). The
numba functions are untyped for mypy; :func:`iterated_search` is the only entry.
Compiled on first use and cached beside this file (``cache=True``); it releases
the GIL (``nogil=True``), so blocks can be searched in threads side by side.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Smallest saving that counts (seconds), above the rounding of sums of legs.
EPS = 1e-6
#: Most moves of one descent, per service of the block.
_MOVES_PER_SERVICE = 20


@njit(cache=True, nogil=True)
def _refresh(order, dr, nalt, D, out, st):
    """Recompute the derived arrays ``st = (cl, al, pos, f, b)`` of an order.

    ``cl[k + 1]`` / ``al[k + 1]``: location of position ``k`` as driven / turned
    round (``cl[0]``, ``cl[m + 1]``: start and end); ``pos``: position of each
    service; ``f[k]``: time from position 0 to position ``k`` as driven;
    ``b[j] - b[i]``: time from position ``j`` back to ``i`` turned round.
    """
    cl, al, pos, f, b = st
    m = order.size
    cl[0] = al[0] = 0
    cl[m + 1] = al[m + 1] = 1
    for k in range(m):
        s = order[k]
        cl[k + 1] = 2 + 2 * s + dr[k]
        al[k + 1] = 2 + 2 * s + (1 - dr[k] if nalt[s] == 2 else dr[k])
        pos[s] = k
    f[0] = 0.0
    for k in range(m):
        f[k + 1] = f[k] + out[cl[k + 1]] + D[cl[k + 1], cl[k + 2]]
    b[0] = 0.0
    for k in range(1, m):
        b[k] = b[k - 1] + out[al[k + 1]] + D[al[k + 1], al[k]]


@njit(cache=True, nogil=True)
def _new_state(m):
    """Return the derived arrays of an order of ``m`` services, unfilled."""
    return (
        np.empty(m + 2, np.int64),
        np.empty(m + 2, np.int64),
        np.empty(m, np.int64),
        np.empty(m + 1),
        np.empty(max(m, 1)),
    )


@njit(cache=True, nogil=True)
def _cost(order, dr, D, out):
    """Time of the block: from the start through every service to the end."""
    m = order.size
    here = 0
    total = 0.0
    for k in range(m):
        loc = 2 + 2 * order[k] + dr[k]
        total += out[here] + D[here, loc]
        here = loc
    return total + out[here] + D[here, 1]


@njit(cache=True, nogil=True)
def _lateness(order, dr, D, out, deadline, t0, restart, cap, keep):
    """Sum of the times by which services finish after their deadlines.

    A ``restart`` service ends a route and starts the next at ``t0`` (its
    location is the depot); ``inf`` when a route takes longer than ``cap``, or
    with ``keep`` when a route is left empty.
    """
    here = 0
    t = t0
    late = 0.0
    served = 0
    for k in range(order.size):
        loc = 2 + 2 * order[k] + dr[k]
        t += out[here] + D[here, loc] + out[loc]
        if restart[order[k]]:
            if t - t0 > cap or (keep and served == 0):
                return np.inf
            t = t0 + out[loc]
            served = -1
        served += 1
        if t > deadline[order[k]]:
            late += t - deadline[order[k]]
        t -= out[loc]
        here = loc
    if t + out[here] + D[here, 1] - t0 > cap or (keep and served == 0):
        return np.inf
    return late


@njit(cache=True, nogil=True)
def _turn_round(order, dr, nalt, i, j):
    """Serve positions ``i..j`` backwards, each in its other direction if any."""
    for k in range(i, j + 1):
        if nalt[order[k]] == 2:
            dr[k] = 1 - dr[k]
    while i < j:
        order[i], order[j] = order[j], order[i]
        dr[i], dr[j] = dr[j], dr[i]
        i += 1
        j -= 1


@njit(cache=True, nogil=True)
def _move(order, dr, nalt, i, j, p, rev, tmp_o, tmp_d):
    """Put positions ``i..j`` after position ``p`` (-1: first), turned if ``rev``."""
    m = order.size
    n = 0
    for k in range(-1, m):
        if k >= 0 and not i <= k <= j:
            tmp_o[n], tmp_d[n] = order[k], dr[k]
            n += 1
        if k == p:
            for q in range(j - i + 1):
                src = j - q if rev else i + q
                tmp_o[n], tmp_d[n] = order[src], dr[src]
                if rev and nalt[order[src]] == 2:
                    tmp_d[n] = 1 - dr[src]
                n += 1
    order[:] = tmp_o
    dr[:] = tmp_d


@njit(cache=True, nogil=True)
def _reversal(D, out, st, i, j):
    """Return what turning positions ``i..j`` round adds to the block's time."""
    cl, al, _, f, b = st
    li, ci, cj, lj = cl[i], cl[i + 1], cl[j + 1], cl[j + 2]
    ai, aj = al[i + 1], al[j + 1]
    old = D[li, ci] + f[j] - f[i] + out[cj] + D[cj, lj]
    return D[li, aj] + b[j] - b[i] + out[ai] + D[ai, lj] - old


@njit(cache=True, nogil=True)
def _best_reversal(near, D, out, st, m, k):
    """Return the best reversal with ``k`` as one end, the other near a neighbour."""
    cl, pos = st[0], st[2]
    n = near.shape[1] // 2
    best, bi, bj = -EPS, -1, -1
    for q in range(4 * n + 2):
        i, j = k, k
        if q == 4 * n:
            j = m - 1
        elif q == 4 * n + 1:
            i = 0
        elif q < n:  # k first: k's predecessor then meets the last one
            if k == 0:
                continue
            j = pos[near[(cl[k] - 2) // 2, n + q]]
        elif q < 2 * n:  # k first: k then leads to the one after the last
            j = pos[near[(cl[k + 1] - 2) // 2, q]] - 1
        elif q < 3 * n:  # k last: the one before the first leads to k
            i = pos[near[(cl[k + 1] - 2) // 2, q - 2 * n]] + 1
        else:  # k last: the first then meets k's successor
            if k == m - 1:
                continue
            i = pos[near[(cl[k + 2] - 2) // 2, q - 3 * n]]
        if i > j or i < 0 or j >= m:
            continue
        d = _reversal(D, out, st, i, j)
        if d < best:
            best, bi, bj = d, i, j
    return best, bi, bj


@njit(cache=True, nogil=True)
def _best_move(near, D, out, st, m, k, longest):
    """Return the best move of a stretch starting or ending at ``k``."""
    cl, al, pos, f, b = st
    n = near.shape[1] // 2
    best, bi, bj, bp, brev = -EPS, -1, -1, -1, False
    for length in range(1, min(longest, m - 1) + 1):
        for i in (k, k - length + 1):
            j = i + length - 1
            if i < 0 or j >= m:
                continue
            li, ci, cj, lj = cl[i], cl[i + 1], cl[j + 1], cl[j + 2]
            ai, aj = al[i + 1], al[j + 1]
            closed = D[li, lj] - D[li, ci] - D[cj, lj]
            turned = b[j] - b[i] + out[ai] - (f[j] - f[i] + out[cj])
            for q in range(4 * n + 2):
                if q == 4 * n:
                    p = -1
                elif q == 4 * n + 1:
                    p = m - 1
                else:
                    end = (ci if (q // n) % 2 == 0 else cj) - 2
                    t = near[end // 2, q % n + (n if q >= 2 * n else 0)]
                    p = pos[t] if q < 2 * n else pos[t] - 1
                if i - 1 <= p <= j:
                    continue
                lp, lq = cl[p + 1], cl[p + 2]
                base = closed - D[lp, lq]
                d = base + D[lp, ci] + D[cj, lq]
                if d < best:
                    best, bi, bj, bp, brev = d, i, j, p, False
                d = base + D[lp, aj] + D[ai, lq] + turned
                if d < best:
                    best, bi, bj, bp, brev = d, i, j, p, True
    return best, bi, bj, bp, brev


@njit(cache=True, nogil=True)
def _descend(order, dr, nalt, near, D, out, st, active, longest, tmp):
    """Apply the best move around each active service until none improves."""
    m = order.size
    stack = np.empty(m, np.int64)
    top = 0
    for s in range(m):
        if active[s]:
            stack[top] = s
            top += 1
    touched = np.empty(8, np.int64)
    # a bound on the moves: prices of impossible legs summed over long stretches
    # carry rounding errors, which must not let two moves undo each other forever
    moves_left = _MOVES_PER_SERVICE * m + 100
    while top > 0 and moves_left > 0:
        top -= 1
        s = stack[top]
        active[s] = False
        k = st[2][s]
        rev, ri, rj = _best_reversal(near, D, out, st, m, k)
        mov, i, j, p, turned = _best_move(near, D, out, st, m, k, longest)
        if rev >= -EPS and mov >= -EPS:
            continue
        moves_left -= 1
        if rev <= mov:
            i, j, p = ri, rj, ri - 1
        # the ends of the legs the move changes, before it
        ends = (i - 1, i, j, j + 1, p, p + 1, k, k)
        for q in range(8):
            touched[q] = order[ends[q]] if 0 <= ends[q] < m else -1
        if rev <= mov:
            _turn_round(order, dr, nalt, i, j)
        else:
            _move(order, dr, nalt, i, j, p, turned, tmp[0], tmp[1])
        _refresh(order, dr, nalt, D, out, st)
        for q in range(8):
            t = touched[q]
            if t >= 0 and not active[t]:
                active[t] = True
                stack[top] = t
                top += 1
        if not active[s]:
            active[s] = True
            stack[top] = s
            top += 1


@njit(cache=True, nogil=True)
def _insert_best(order, dr, nalt, D, out, m, s):
    """Insert service ``s`` where it adds least to ``order[:m]``; return its place."""
    best, bp, bd = np.inf, 0, 0
    for p in range(m + 1):
        prev = 0 if p == 0 else 2 + 2 * order[p - 1] + dr[p - 1]
        nxt = 1 if p == m else 2 + 2 * order[p] + dr[p]
        base = out[prev] - D[prev, nxt]
        for d in range(nalt[s]):
            loc = 2 + 2 * s + d
            c = base + D[prev, loc] + out[loc] + D[loc, nxt]
            if c < best:
                best, bp, bd = c, p, d
    for q in range(m, bp, -1):
        order[q] = order[q - 1]
        dr[q] = dr[q - 1]
    order[bp] = s
    dr[bp] = bd
    return bp


@njit(cache=True, nogil=True)
def _ruin_recreate(order, dr, nalt, near, D, out, active, anchors, string_len):
    """Take out stretches around ``anchors`` near services and insert them again.

    A random service and ``anchors - 1`` of its near neighbours each lose a
    stretch of 1 to ``string_len`` services around them; the services taken out
    go back one by one, in random order, each where it adds least. They and
    their new neighbours become active for the descent.
    """
    m = order.size
    pos = np.empty(m, np.int64)
    for k in range(m):
        pos[order[k]] = k
    gone = np.zeros(m, np.bool_)
    s = np.random.randint(0, m)  # noqa: NPY002
    for a in range(anchors):
        t = s if a == 0 else near[s, np.random.randint(0, near.shape[1])]  # noqa: NPY002
        length = np.random.randint(1, string_len + 1)  # noqa: NPY002
        first = max(pos[t] - np.random.randint(0, length), 0)  # noqa: NPY002
        for k in range(first, min(first + length, m)):
            gone[order[k]] = True
    taken = np.empty(m, np.int64)
    nt = kept = 0
    for k in range(m):
        if gone[order[k]]:
            taken[nt] = order[k]
            nt += 1
        else:
            order[kept], dr[kept] = order[k], dr[k]
            kept += 1
    np.random.shuffle(taken[:nt])  # noqa: NPY002
    for q in range(nt):
        p = _insert_best(order, dr, nalt, D, out, kept, taken[q])
        kept += 1
        for k in (p - 1, p, p + 1):
            if 0 <= k < kept:
                active[order[k]] = True


@njit(cache=True, nogil=True)
def iterated_search(
    order, dr, nalt, near, D, out, deadline, t0, kicks, ruin, longest, seed, routes
):
    """Improve ``order`` and ``dr`` in place; return how many kicked orders were kept.

    ``order``: services by position; ``dr``: the direction of each position;
    ``nalt``: directions of each service (1 or 2); ``near``: per service its
    nearest predecessors then its nearest successors (equal halves); ``D``, ``out``:
    legs between and times at the local locations; ``deadline``: per service
    (``inf``: none), measured from ``t0`` at the block's start; ``routes =
    (restart, cap, keep)``: per service whether it is a depot stop between two
    routes (the block then holds several routes, and services move between
    them), the longest a route may take (``inf``: any), and whether every route
    must keep a service. ``kicks`` ruin and
    recreate kicks, ``ruin = (anchors, longest stretch taken out, threshold as a
    fraction of the cost)``, from a generator seeded with ``seed``; moved
    stretches are at most ``longest`` long. A kept order is the one the search
    goes on from, not always a new best.
    """
    # numba compiles numpy's legacy generator (seeded per thread), not Generator
    np.random.seed(seed)  # noqa: NPY002
    anchors, string_len, threshold = ruin
    restart, cap, keep = routes
    m = order.size
    st = _new_state(m)
    tmp = (np.empty(m, np.int64), np.empty(m, np.int64))
    late = _lateness(order, dr, D, out, deadline, t0, restart, cap, keep)
    best_o, best_d = order.copy(), dr.copy()
    best = _cost(order, dr, D, out)
    active = np.ones(m, np.bool_)
    _refresh(order, dr, nalt, D, out, st)
    _descend(order, dr, nalt, near, D, out, st, active, longest, tmp)
    cur_o, cur_d = best_o.copy(), best_d.copy()
    current = best
    kept = 0
    for kick in range(kicks + 1):
        cost = _cost(order, dr, D, out)
        # record-to-record travel: a threshold falling to zero over the kicks
        limit = current + threshold * best * (1.0 - kick / (kicks + 1))
        if cost < limit - EPS and (
            _lateness(order, dr, D, out, deadline, t0, restart, cap, keep) <= late + EPS
        ):
            current = cost
            cur_o[:] = order
            cur_d[:] = dr
            kept += kick > 0
            if cost < best - EPS:
                best = cost
                best_o[:] = order
                best_d[:] = dr
        else:
            order[:] = cur_o
            dr[:] = cur_d
        if kick == kicks or m < 4:
            break
        _ruin_recreate(order, dr, nalt, near, D, out, active, anchors, string_len)
        _refresh(order, dr, nalt, D, out, st)
        _descend(order, dr, nalt, near, D, out, st, active, longest, tmp)
    order[:] = best_o
    dr[:] = best_d
    return kept
