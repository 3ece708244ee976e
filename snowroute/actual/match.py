"""Hidden-Markov map matching of GPS tracks to the directed road graph (Newson-Krumm).

Each GPS fix is a noisy observation of a position on a directed edge. Candidates
are the edges within a radius (a shapely ``STRtree``); a candidate is likely in
proportion to a Gaussian of its distance to the fix, and a move between two
candidates in proportion to ``exp(-|route - straight| / beta)`` where ``route`` is
the driving distance between them on the graph (``scipy.sparse.csgraph`` Dijkstra,
bounded by the fastest plausible speed) and ``straight`` the distance between the
fixes. Viterbi finds the likeliest candidate sequence; a step no candidate pair can
make (a long gap, a jump) ends one matched piece and starts the next. Fixes closer
than ``min_step_m`` to the last kept fix are not matched themselves (stops, slow
plowing), as Newson and Krumm advise; they count as matched when they lie within a
matched piece.

References
----------
P. Newson and J. Krumm, "Hidden Markov map matching through noise and sparseness",
ACM SIGSPATIAL GIS 2009.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse.csgraph import dijkstra

from snowroute.actual.roads import RoadIndex

__all__ = ["MatchParams", "Matched", "match_points"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Steps per block of the transition computation (bounds memory on long tracks).
_BLOCK = 2048
#: Sources per Dijkstra call (bounds the dense distance rows kept at once).
_SOURCES = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchParams:
    """
    Settings of the map matcher.

    Parameters
    ----------
    sigma_m
        Standard deviation of the GPS noise, metres.
    radius_m
        Candidate edges lie within this distance of a fix (default ``4 * sigma_m``,
        at least 50 m); fixes farther from every road are unmatched.
    beta_m
        Scale of the difference between driving and straight distance, metres.
    max_candidates
        Nearest candidate edges kept per fix (each direction of a road counts).
    min_step_m
        Fixes closer than this to the last kept fix are skipped (default
        ``1.5 * sigma_m``).
    max_speed_kph
        Fastest plausible speed; moves that would need more end a matched piece.
    max_gap_s
        A gap in the log longer than this ends a matched piece.
    min_cover
        Share of an edge a pass must cover to count as driving it (its ends may
        be missed by ``2 * sigma_m``, see :func:`_full`).
    u_turn
        Log-likelihood penalty of turning round onto the reverse edge (plows turn
        round at dead ends, seldom mid-route). 10 rather than 8: on synthetic
        logs of the demo's baseline and pooled plans (4 noise seeds each, a fix
        every 5 s) at 30 m noise 97.5 % of the passes read as plowed were
        plowed, against 97.3 % (worst log 96.2 % against 95.8 %: fewer in-and-out
        detours into side streets), recall 99.4 % against 99.5 %; at 15 m 99.8 %
        either way (on the plans of an earlier search: 97.3 % against 96.9 %).
    dead_end_turn
        Share of ``u_turn`` charged for turning round at a dead end.
    back_slip
        A fix may lie this many ``sigma_m`` behind the previous one on the same
        edge and still count as standing or moving on (noise, not a U-turn).
    """

    sigma_m: float = 20.0
    radius_m: float | None = None
    beta_m: float = 15.0
    max_candidates: int = 16
    min_step_m: float | None = None
    max_speed_kph: float = 80.0
    max_gap_s: float = 300.0
    min_cover: float = 0.5
    back_slip: float = 4.0
    u_turn: float = 10.0
    dead_end_turn: float = 0.0

    def __post_init__(self) -> None:
        for name in ("sigma_m", "beta_m", "max_speed_kph", "max_gap_s"):
            if not getattr(self, name) > 0:
                msg = f"`{name}` must be positive, got {getattr(self, name)}."
                raise ValueError(msg)
        if self.max_candidates < 1:
            msg = f"`max_candidates` must be at least 1, got {self.max_candidates}."
            raise ValueError(msg)
        if not 0 < self.min_cover <= 1:
            msg = f"`min_cover` must lie in (0, 1], got {self.min_cover}."
            raise ValueError(msg)

    @property
    def radius(self) -> float:
        """Candidate radius in metres."""
        return (
            self.radius_m if self.radius_m is not None else max(50.0, 4 * self.sigma_m)
        )

    @property
    def back_m(self) -> float:
        """Metres a fix may slip back on an edge without a U-turn."""
        return self.back_slip * self.sigma_m

    @property
    def step(self) -> float:
        """Smallest distance between two matched fixes, metres."""
        return self.min_step_m if self.min_step_m is not None else 1.5 * self.sigma_m


@dataclass(frozen=True, slots=True, eq=False)
class Matched:
    """
    One track matched to the network.

    Parameters
    ----------
    edge
        Edge index (into :attr:`RoadIndex.edges`) of each pass, in driving order.
    t_enter, t_exit
        Times entering and leaving the pass (the time unit of the input).
    covered_m
        Metres of the edge the pass covers.
    full
        Whether the pass covers at least ``min_cover`` of the edge.
    point_matched
        Per input fix, whether it lies on a matched piece of the track.
    """

    edge: IntArray
    t_enter: FloatArray
    t_exit: FloatArray
    covered_m: FloatArray
    full: BoolArray
    point_matched: BoolArray


@dataclass(slots=True)
class _Candidates:
    point: IntArray  # kept-fix index of each candidate
    edge: IntArray
    offset: FloatArray
    log_e: FloatArray  # emission log-likelihood
    start: IntArray  # first candidate of each kept fix
    count: IntArray


def _near_road(
    index: RoadIndex, x: FloatArray, y: FloatArray, radius: float
) -> BoolArray:
    pts = shapely.points(x, y)
    hit = index.tree.query_nearest(pts, max_distance=radius, all_matches=False)
    near = np.zeros(len(x), dtype=bool)
    near[hit[0]] = True
    return near


def _decimate(
    x: FloatArray,
    y: FloatArray,
    t: FloatArray,
    step: float,
    gap: float,
    must: BoolArray | None = None,
) -> IntArray:
    """Return the indices of the fixes to match.

    Those at least ``step`` from the last kept one, after a gap, or marked in
    ``must``.
    """
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    keep = [0]
    xs, ys, ts = x.tolist(), y.tolist(), t.tolist()
    marked = set(np.flatnonzero(must).tolist()) if must is not None else set()
    lx, ly, _lt = xs[0], ys[0], ts[0]
    step2 = step * step
    for i in range(1, len(xs)):
        xi, yi, ti = xs[i], ys[i], ts[i]
        if (
            (xi - lx) ** 2 + (yi - ly) ** 2 >= step2
            or ti - ts[i - 1] > gap / 2
            or i in marked
        ):
            keep.append(i)
            lx, ly, _lt = xi, yi, ti
    if keep[-1] != len(xs) - 1:
        keep.append(len(xs) - 1)
    return np.array(keep, dtype=np.int64)


def _candidates(
    index: RoadIndex, x: FloatArray, y: FloatArray, params: MatchParams
) -> _Candidates:
    pts = shapely.points(x, y)
    pi, ei = index.tree.query(pts, predicate="dwithin", distance=params.radius)
    dist = shapely.distance(index.lines[ei], pts[pi])
    order = np.lexsort((dist, pi))
    pi, ei, dist = pi[order], ei[order], dist[order]
    first = np.searchsorted(pi, pi, side="left")
    keep = (np.arange(len(pi)) - first) < params.max_candidates
    pi, ei, dist = pi[keep], ei[keep].astype(np.int64), dist[keep]
    offset = shapely.line_locate_point(index.lines[ei], pts[pi])
    start = np.searchsorted(pi, np.arange(len(x)), side="left")
    count = np.searchsorted(pi, np.arange(len(x)), side="right") - start
    return _Candidates(
        point=pi.astype(np.int64),
        edge=ei,
        offset=np.asarray(offset, dtype=float),
        log_e=-0.5 * (dist / params.sigma_m) ** 2,
        start=start.astype(np.int64),
        count=count.astype(np.int64),
    )


def _route_lengths(
    index: RoadIndex, src: IntArray, dst: IntArray, limit: FloatArray
) -> FloatArray:
    """Driving metres from node ``src[i]`` to ``dst[i]`` (inf beyond ``limit[i]``)."""
    out = np.full(len(src), np.inf)
    same = src == dst
    out[same] = 0.0
    todo = np.flatnonzero(~same)
    if len(todo) == 0:
        return out
    sources, inverse = np.unique(src[todo], return_inverse=True)
    reach = np.zeros(len(sources))
    np.maximum.at(reach, inverse, limit[todo])
    by_reach = np.argsort(reach)
    rank = np.empty_like(by_reach)
    rank[by_reach] = np.arange(len(by_reach))
    pair_rank = rank[inverse]
    order = np.argsort(pair_rank, kind="stable")
    for c0 in range(0, len(sources), _SOURCES):
        chunk = by_reach[c0 : c0 + _SOURCES]
        lo, hi = np.searchsorted(pair_rank[order], [c0, c0 + len(chunk)])
        pairs = order[lo:hi]
        rows = dijkstra(
            index.graph, indices=sources[chunk], limit=float(reach[chunk].max())
        )
        out[todo[pairs]] = rows[pair_rank[pairs] - c0, dst[todo[pairs]]]
    return out


@dataclass(slots=True)
class _Steps:
    log_t: FloatArray  # transition log-likelihood of every candidate pair
    start: IntArray  # first pair of each step of the block
    na: IntArray
    nb: IntArray


def _transitions(
    index: RoadIndex,
    cand: _Candidates,
    xyt: tuple[FloatArray, FloatArray, FloatArray],
    steps: IntArray,
    params: MatchParams,
) -> _Steps:
    """Transition log-likelihoods of the steps ``s -> s + 1`` for ``s`` in ``steps``."""
    x, y, t = xyt
    na, nb = cand.count[steps], cand.count[steps + 1]
    n = na * nb
    start = np.concatenate([[0], np.cumsum(n)]).astype(np.int64)
    step_of = np.repeat(steps, n)
    local = np.arange(start[-1]) - np.repeat(start[:-1], n)
    width = np.repeat(nb, n)
    a = cand.start[step_of] + local // width
    b = cand.start[step_of + 1] + local % width
    ea, eb, oa, ob = cand.edge[a], cand.edge[b], cand.offset[a], cand.offset[b]
    dt = t[step_of + 1] - t[step_of]
    straight = np.hypot(x[step_of + 1] - x[step_of], y[step_of + 1] - y[step_of])
    limit = params.max_speed_kph / 3.6 * dt + 2 * params.radius
    forward = (ea == eb) & (ob >= oa - params.back_m)
    route = np.where(forward, np.maximum(ob - oa, 0.0), np.inf)
    other = ~forward
    fa, fb, lim = ea[other], eb[other], limit[other]
    h1, t1, h2, t2 = index.head[fa], index.tail[fa], index.head[fb], index.tail[fb]
    k = len(fa)
    sp = _route_lengths(
        index,
        np.concatenate([h1, t1, h1]),
        np.concatenate([t2, t2, h2]),
        np.concatenate([lim, lim, lim]),
    )
    between, from_tail, to_head = sp[:k], sp[k : 2 * k], sp[2 * k :]
    route[other] = index.length_m[fa] - oa[other] + between + ob[other]
    log_t = -np.abs(route - straight) / params.beta_m
    # turning round: straight onto the reverse edge, or a shortest path that
    # starts back along the edge left or ends coming along the edge entered
    ra, rb = index.reverse[fa], index.reverse[fb]
    # turning round at a dead end costs only ``dead_end_turn`` of a turn elsewhere
    free = np.where(index.dead_end, params.dead_end_turn, 1.0)
    turns = ((ra == fb) & (ra >= 0)) * free[h1]
    with np.errstate(invalid="ignore"):
        turns += (
            (ra >= 0) & (np.abs(between - index.length_m[fa] - from_tail) < 1e-3)
        ) * free[h1]
        turns += (
            (rb >= 0) & (np.abs(between - to_head - index.length_m[fb]) < 1e-3)
        ) * free[t2]
    log_t[other] -= params.u_turn * turns
    log_t[(route > limit) | (dt > params.max_gap_s)] = -np.inf
    return _Steps(log_t=log_t, start=start, na=na, nb=nb)


def _viterbi(
    index: RoadIndex,
    cand: _Candidates,
    xyt: tuple[FloatArray, FloatArray, FloatArray],
    params: MatchParams,
) -> tuple[IntArray, list[tuple[int, int]]]:
    """Return the likeliest candidate per kept fix and the pieces ``(first, last)``."""
    n = len(cand.count)
    back: list[IntArray | None] = [None] * n
    ends: dict[int, FloatArray] = {}
    first = cand.start[0]
    score = cand.log_e[first : first + cand.count[0]]
    for s0 in range(0, n - 1, _BLOCK):
        steps = np.arange(s0, min(s0 + _BLOCK, n - 1), dtype=np.int64)
        block = _transitions(index, cand, xyt, steps, params)
        for i, s in enumerate(steps.tolist()):
            na, nb = int(block.na[i]), int(block.nb[i])
            move = block.log_t[block.start[i] : block.start[i + 1]].reshape(na, nb)
            total = score[:, None] + move
            best = total.argmax(axis=0)
            value = total[best, np.arange(nb)]
            lo = cand.start[s + 1]
            emit = cand.log_e[lo : lo + nb]
            if np.isfinite(value).any():
                back[s + 1] = best
                score = value + emit
            else:
                ends[s] = score
                score = emit
    ends[n - 1] = score
    chosen = np.full(n, -1, dtype=np.int64)
    pieces = []
    for end in sorted(ends, reverse=True):
        j = int(np.argmax(ends[end]))
        s = end
        chosen[s] = cand.start[s] + j
        while (bp := back[s]) is not None:
            j = int(bp[j])
            s -= 1
            chosen[s] = cand.start[s] + j
        pieces.append((s, end))
    return chosen, pieces[::-1]


def _node_paths(
    index: RoadIndex, src: IntArray, dst: IntArray, reach: FloatArray
) -> dict[tuple[int, int], list[int]]:
    """Edge indices of the shortest path of each node pair, each within ``reach``."""
    out: dict[tuple[int, int], list[int]] = {}
    wanted: dict[int, set[int]] = {}
    far: dict[int, float] = {}
    for s, d, r in zip(src.tolist(), dst.tolist(), reach.tolist(), strict=True):
        if s != d and np.isfinite(r):
            wanted.setdefault(s, set()).add(d)
            far[s] = max(far.get(s, 0.0), r)
    sources = sorted(wanted, key=far.__getitem__)
    for c0 in range(0, len(sources), _SOURCES):
        chunk = sources[c0 : c0 + _SOURCES]
        _, pred = dijkstra(
            index.graph,
            indices=chunk,
            limit=far[chunk[-1]] + 1.0,
            return_predecessors=True,
        )
        for row, s in enumerate(chunk):
            for d in wanted[s]:
                nodes = [d]
                while nodes[-1] != s and nodes[-1] >= 0:
                    nodes.append(int(pred[row, nodes[-1]]))
                if nodes[-1] == s:
                    nodes.reverse()
                    out[(s, d)] = [
                        index.edge_between[(p, q)] for p, q in itertools.pairwise(nodes)
                    ]
    return out


def _pieces(
    index: RoadIndex,
    cand: _Candidates,
    chosen: IntArray,
    segments: list[tuple[int, int]],
    t: FloatArray,
    params: MatchParams,
) -> list[tuple[int, float, float, float, float, int]]:
    """Driven pieces ``(edge, from_m, to_m, t_from, t_to, segment)`` in order."""
    steps = np.array([s for a, b in segments for s in range(a, b)], dtype=np.int64)
    ca, cb = chosen[steps], chosen[steps + 1]
    ea, eb, oa, ob = cand.edge[ca], cand.edge[cb], cand.offset[ca], cand.offset[cb]
    forward = (ea == eb) & (ob >= oa - params.back_m)
    src, dst = index.head[ea], index.tail[eb]
    limit = params.max_speed_kph / 3.6 * (t[steps + 1] - t[steps]) + 2 * params.radius
    reach = np.where(forward, np.inf, _route_lengths(index, src, dst, limit))
    paths = _node_paths(index, src, dst, reach)
    out: list[tuple[int, float, float, float, float, int]] = []
    seg_of = np.zeros(len(chosen), dtype=np.int64)
    for k, (a, b) in enumerate(segments):
        seg_of[a : b + 1] = k
        if a == b:
            c = chosen[a]
            o = float(cand.offset[c])
            out.append((int(cand.edge[c]), o, o, float(t[a]), float(t[a]), k))
    length = index.length_m
    for i, s in enumerate(steps.tolist()):
        e1, e2, o1, o2 = int(ea[i]), int(eb[i]), float(oa[i]), float(ob[i])
        t1, t2, k = float(t[s]), float(t[s + 1]), int(seg_of[s])
        if forward[i]:
            out.append((e1, o1, max(o1, o2), t1, t2, k))
            continue
        path = [] if src[i] == dst[i] else paths.get((int(src[i]), int(dst[i])))
        if path is None:  # pragma: no cover - the transition had a finite route
            continue
        legs = [(e1, o1, float(length[e1]))]
        legs += [(e, 0.0, float(length[e])) for e in path]
        legs.append((e2, 0.0, o2))
        total = sum(hi - lo for _, lo, hi in legs) or 1.0
        done = 0.0
        for e, lo, hi in legs:
            t_lo = t1 + (t2 - t1) * done / total
            done += hi - lo
            out.append((e, lo, hi, t_lo, t1 + (t2 - t1) * done / total, k))
    return out


def _merge(
    pieces: list[tuple[int, float, float, float, float, int]],
) -> list[list[float]]:
    """Consecutive pieces on one edge as one pass ``[edge, from, to, t_in, t_out]``."""
    passes: list[list[float]] = []
    last: tuple[int, int] | None = None
    for e, lo, hi, t_lo, t_hi, k in pieces:
        if last == (e, k):
            row = passes[-1]
            row[1], row[2], row[4] = min(row[1], lo), max(row[2], hi), t_hi
        else:
            passes.append([e, lo, hi, t_lo, t_hi])
        last = (e, k)
    return passes


def _full(
    lo: FloatArray, hi: FloatArray, length: FloatArray, params: MatchParams
) -> BoolArray:
    """Tell the passes that drive their edge: entered near one end, left near the other.

    Each end may be missed by ``2 * sigma_m`` or half of ``1 - min_cover`` of the
    edge, whichever is more (a vehicle standing mid-edge drives no edge).
    """
    slack = np.maximum(2 * params.sigma_m, (1 - params.min_cover) / 2 * length)
    return np.asarray((lo <= slack) & (hi >= length - slack))


def match_points(
    index: RoadIndex,
    x: FloatArray,
    y: FloatArray,
    t: FloatArray,
    *,
    params: MatchParams | None = None,
    keep: BoolArray | None = None,
) -> Matched:
    """
    Match one vehicle's fixes (projected metres, times in seconds) to the network.

    Parameters
    ----------
    index
        The network (:func:`~snowroute.actual.roads.road_index`).
    x, y
        Fixes in the index's projected CRS, in time order.
    t
        Time of each fix, seconds, non-decreasing.
    params
        Matcher settings (default :class:`MatchParams`).
    keep
        Fixes to match whatever their distance to the last one (for example where
        the plow goes down or up, so that the passes are timed there).

    Returns
    -------
    Matched
        The passes over edges in driving order and which fixes were matched.
    """
    params = params or MatchParams()
    near = _near_road(index, x, y, params.radius)
    idx = np.flatnonzero(near)
    must = None if keep is None else keep[idx]
    kept = idx[_decimate(x[idx], y[idx], t[idx], params.step, params.max_gap_s, must)]
    cand = _candidates(index, x[kept], y[kept], params)
    if (cand.count == 0).any():
        kept = kept[cand.count > 0]
        cand = _candidates(index, x[kept], y[kept], params)
    point_matched = np.zeros(len(x), dtype=bool)
    if len(kept) == 0:
        empty = np.zeros(0)
        return Matched(
            edge=np.zeros(0, dtype=np.int64),
            t_enter=empty,
            t_exit=empty,
            covered_m=empty,
            full=np.zeros(0, dtype=bool),
            point_matched=point_matched,
        )
    xyt = (x[kept], y[kept], t[kept])
    chosen, segments = _viterbi(index, cand, xyt, params)
    passes = np.array(
        _merge(_pieces(index, cand, chosen, segments, t[kept], params)), dtype=float
    ).reshape(-1, 5)
    for a, b in segments:
        if b > a:
            point_matched[kept[a] : kept[b] + 1] = True
    point_matched &= near
    edge = passes[:, 0].astype(np.int64)
    covered = passes[:, 2] - passes[:, 1]
    return Matched(
        edge=edge,
        t_enter=passes[:, 3],
        t_exit=passes[:, 4],
        covered_m=covered,
        full=_full(passes[:, 1], passes[:, 2], index.length_m[edge], params),
        point_matched=point_matched,
    )
