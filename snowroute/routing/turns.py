"""Turn rules: U-turns, turns across oncoming traffic, restrictions, turn-aware paths.

A plow driver does not turn round mid-block, avoids turning across oncoming traffic
(right turns where traffic keeps left, as in Japan; left turns elsewhere) and goes
straight on where it can. With a :class:`TurnModel` on the problem, every deadhead
leg runs from the arc just served to the arc about to be served on the *line graph*
(states are arcs, transitions are turns with their penalties), so legs honour the
rules and their times include the penalties. Without one, nothing changes: legs run
vertex to vertex (:class:`~snowroute.routing.paths.VertexPaths`).

A turn from arc ``a`` into arc ``b`` (``head(a) == tail(b)``) is classified by the
change of heading ``angle`` (degrees, positive to the right):

- a **U-turn** when ``b`` leads back to where ``a`` came from
  (``head(b) == tail(a)``); allowed only where ``u_turns`` says so: ``"dead_ends"``
  (default) where the vertex has no other way out, ``"anywhere"``, or ``"never"``;
- **straight** when ``|angle| <= straight_deg``;
- **across traffic** when turning to the side of oncoming traffic;
- otherwise a turn **with traffic**.

Turn restrictions (``(from_arc, to_arc)`` pairs that are banned) come from OSM
``type=restriction`` relations (:func:`snowroute.routing.graph.problem_from_graph`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from snowroute._errors import ProblemError
from snowroute.routing.problem import DeadheadGraph

__all__ = ["TurnModel", "TurnPaths", "TurnRules", "TurnTable", "turn_table"]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

UTurns = Literal["dead_ends", "anywhere", "never"]
DriveSide = Literal["left", "right"]

#: Turn kinds in :attr:`TurnTable.kind`.
STRAIGHT, WITH_TRAFFIC, ACROSS_TRAFFIC, U_TURN = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class TurnRules:
    """
    How turns are charged, as a driver would plan them.

    Parameters
    ----------
    drive_side
        Side of the road traffic keeps to: ``"left"`` (Japan, UK) makes right turns
        cross oncoming traffic; ``"right"`` makes left turns cross it.
    u_turns
        Where a vehicle may turn round: ``"dead_ends"`` (only where there is no
        other way on), ``"anywhere"`` or ``"never"``.
    u_turn_s
        Time charged for a U-turn where one is allowed.
    across_s
        Time charged for a turn across oncoming traffic.
    with_s
        Time charged for a turn with traffic.
    straight_s
        Time charged for going straight on.
    straight_deg
        Largest change of heading (degrees) that still counts as straight on.

    Raises
    ------
    ProblemError
        When a value is invalid.
    """

    drive_side: DriveSide = "right"
    u_turns: UTurns = "dead_ends"
    u_turn_s: float = 60.0
    across_s: float = 20.0
    with_s: float = 6.0
    straight_s: float = 0.0
    straight_deg: float = 30.0

    def __post_init__(self) -> None:
        if self.drive_side not in get_args(DriveSide):
            msg = f"`drive_side` must be left or right, got {self.drive_side!r}."
            raise ProblemError(msg)
        if self.u_turns not in get_args(UTurns):
            msg = (
                f"`u_turns` must be dead_ends, anywhere or never, got {self.u_turns!r}."
            )
            raise ProblemError(msg)
        for name in ("u_turn_s", "across_s", "with_s", "straight_s"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                msg = f"`{name}` must be finite and >= 0, got {value!r}."
                raise ProblemError(msg)
        if not 0 <= self.straight_deg < 180:
            msg = f"`straight_deg` must be in [0, 180), got {self.straight_deg!r}."
            raise ProblemError(msg)


@dataclass(frozen=True, slots=True, eq=False)
class TurnModel:
    """
    Turn rules plus the per-arc headings and banned turns of one deadhead graph.

    Parameters
    ----------
    rules
        The rules.
    in_bearing
        Per arc, compass heading (degrees, 0 north, 90 east) on arriving at its
        head; ``nan`` where unknown (such turns count as straight on).
    out_bearing
        Per arc, compass heading on leaving its tail.
    banned
        ``(from_arc, to_arc)`` turns that are not allowed (turn restrictions).

    Raises
    ------
    ProblemError
        When the arrays differ in length or a banned pair is not a pair of arcs.
    """

    rules: TurnRules
    in_bearing: FloatArray
    out_bearing: FloatArray
    banned: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in ("in_bearing", "out_bearing"):
            values = np.array(getattr(self, name), dtype=np.float64, copy=True)
            values.flags.writeable = False
            object.__setattr__(self, name, values)
        if len(self.in_bearing) != len(self.out_bearing):
            msg = (
                f"`in_bearing` has {len(self.in_bearing)} entries, `out_bearing` "
                f"{len(self.out_bearing)}."
            )
            raise ProblemError(msg)
        banned = frozenset((int(a), int(b)) for a, b in self.banned)
        n = len(self.in_bearing)
        for a, b in sorted(banned):
            if not (0 <= a < n and 0 <= b < n):
                msg = f"Banned turn ({a}, {b}) names an arc outside [0, {n})."
                raise ProblemError(msg)
        object.__setattr__(self, "banned", banned)

    @property
    def num_arcs(self) -> int:
        """Number of arcs the headings describe."""
        return len(self.in_bearing)


@dataclass(frozen=True, slots=True, eq=False)
class TurnTable:
    """Every allowed turn of a graph: ``src`` arc into ``dst`` arc, kind, penalty."""

    src: IntArray
    dst: IntArray
    kind: IntArray
    penalty_s: FloatArray


def _angles(model: TurnModel, a: IntArray, b: IntArray) -> FloatArray:
    raw = model.out_bearing[b] - model.in_bearing[a]
    angle = (raw + 180.0) % 360.0 - 180.0
    return np.where(np.isnan(angle), 0.0, angle)


def turn_table(graph: DeadheadGraph, model: TurnModel) -> TurnTable:
    """
    List every allowed turn of ``graph`` under ``model``, with its kind and penalty.

    Self-loops are arcs like any other; a turn from a self-loop is never a U-turn.

    Raises
    ------
    ProblemError
        When ``model`` describes a different number of arcs than ``graph`` has.
    """
    if model.num_arcs != graph.num_arcs:
        msg = (
            f"The turn model describes {model.num_arcs} arcs, the graph has "
            f"{graph.num_arcs}."
        )
        raise ProblemError(msg)
    tail, head = graph.tail, graph.head
    n = graph.num_vertices
    rules = model.rules
    order = np.argsort(tail, kind="stable")
    start = np.searchsorted(tail[order], np.arange(n + 1))
    out_deg = np.diff(start)
    # Pairs (a, b) with head(a) == tail(b).
    reps = out_deg[head]
    a = np.repeat(np.arange(graph.num_arcs, dtype=np.int64), reps)
    offset = np.arange(a.size) - np.repeat(np.cumsum(reps) - reps, reps)
    b = order[start[head[a]] + offset]
    back = (head[b] == tail[a]) & (tail[a] != head[a])
    # A dead end: every arc out of head(a), self-loops aside, leads back to tail(a).
    leaves = (tail[b] != head[b]) & ~back
    has_other = np.zeros(graph.num_arcs, dtype=bool)
    np.logical_or.at(has_other, a, leaves)
    angle = _angles(model, a, b)
    across = angle < 0 if rules.drive_side == "right" else angle > 0
    kind = np.where(
        back,
        U_TURN,
        np.where(
            np.abs(angle) <= rules.straight_deg,
            STRAIGHT,
            np.where(across, ACROSS_TRAFFIC, WITH_TRAFFIC),
        ),
    ).astype(np.int64)
    penalty = np.array(
        [rules.straight_s, rules.with_s, rules.across_s, rules.u_turn_s]
    )[kind]
    keep = np.ones(a.size, dtype=bool)
    if rules.u_turns == "never":
        keep &= ~back
    elif rules.u_turns == "dead_ends":
        keep &= ~back | ~has_other[a]
    if model.banned:
        pairs = a * graph.num_arcs + b
        banned = np.array(
            [x * graph.num_arcs + y for x, y in model.banned], dtype=np.int64
        )
        keep &= ~np.isin(pairs, banned)
    logger.debug("turn table: %d of %d turns allowed", int(keep.sum()), keep.size)
    return TurnTable(src=a[keep], dst=b[keep], kind=kind[keep], penalty_s=penalty[keep])


class TurnPaths:
    """
    Arc-to-arc shortest deadhead legs on the line graph (see the module notes).

    Points: arc ``a`` is point ``a`` (its entry and its exit are the arc itself);
    the depot at vertex ``v`` is point ``num_arcs + v``. A leg from an arc starts
    with a turn out of it; a leg into an arc ends with the turn into it (the arc's
    own time is service, not part of the leg). A leg out of or into a depot has no
    turn there (the vehicle may turn round in the yard).

    Parameters
    ----------
    graph
        The deadhead graph.
    arc_s
        Deadhead time of every arc (per vehicle profile).
    table
        The allowed turns (:func:`turn_table`).
    sources
        Points legs may start from.
    depot_vertices
        Vertices of the depots legs may end at.
    """

    #: Sources per Dijkstra batch (bounds the dense distance block in memory).
    BATCH = 256

    def __init__(
        self,
        graph: DeadheadGraph,
        arc_s: FloatArray,
        table: TurnTable,
        sources: Iterable[int] | IntArray,
        depot_vertices: Iterable[int] | IntArray,
    ) -> None:
        m = graph.num_arcs
        self._m = m
        self._tail, self._head = graph.tail, graph.head
        self.sources: IntArray = np.unique(np.asarray(sources, dtype=np.int64))
        self._depots: IntArray = np.unique(np.asarray(depot_vertices, dtype=np.int64))
        s, k = self.sources.size, self._depots.size
        self._row = {int(p): i for i, p in enumerate(self.sources)}
        self._sink = {int(v): m + s + i for i, v in enumerate(self._depots)}
        self._size = m + s + k
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        vals: list[FloatArray] = []
        # entry x -> entry y: drive x, then turn into y.
        rows.append(table.src)
        cols.append(table.dst)
        vals.append(arc_s[table.src] + table.penalty_s)
        # entry x -> sink(d): drive x into the depot.
        sink_col = np.full(graph.num_vertices, -1, dtype=np.int64)
        sink_col[self._depots] = m + s + np.arange(k)
        into = np.flatnonzero(sink_col[self._head] >= 0)
        rows.append(into)
        cols.append(sink_col[self._head[into]])
        vals.append(arc_s[into])
        # Source copies: out of arc a (turns only) or out of a depot (any arc).
        order = np.argsort(table.src, kind="stable")
        by_src = np.searchsorted(table.src[order], np.arange(m + 1))
        out_order = np.argsort(self._tail, kind="stable")
        by_tail = np.searchsorted(
            self._tail[out_order], np.arange(graph.num_vertices + 1)
        )
        for i, p in enumerate(self.sources.tolist()):
            node = m + i
            if p < m:
                picked = order[by_src[p] : by_src[p + 1]]
                rows.append(np.full(picked.size, node, dtype=np.int64))
                cols.append(table.dst[picked])
                vals.append(table.penalty_s[picked])
                end = int(self._head[p])
            else:
                end = p - m
                arcs = out_order[by_tail[end] : by_tail[end + 1]]
                rows.append(np.full(arcs.size, node, dtype=np.int64))
                cols.append(arcs)
                vals.append(np.zeros(arcs.size))
            if end in self._sink:
                rows.append(np.array([node]))
                cols.append(np.array([self._sink[end]]))
                vals.append(np.zeros(1))
        # Leg times of the last leg_s call: exit -> row, entry -> column, values.
        self._cache: tuple[dict[int, int], dict[int, int], FloatArray] | None = None
        self._matrix = csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(self._size, self._size),
        )
        logger.debug(
            "turn-aware paths: %d states, %d transitions, %d sources",
            self._size,
            self._matrix.nnz,
            s,
        )

    def entry_point(self, arcs: IntArray) -> IntArray:  # noqa: D102
        return np.asarray(arcs, dtype=np.int64)

    def exit_point(self, arcs: IntArray) -> IntArray:  # noqa: D102
        return np.asarray(arcs, dtype=np.int64)

    def depot_point(self, vertices: IntArray) -> IntArray:  # noqa: D102
        return self._m + np.asarray(vertices, dtype=np.int64)

    def _target(self, point: int) -> int:
        if point < self._m:
            return point
        vertex = point - self._m
        if vertex not in self._sink:
            msg = f"Vertex {vertex} is not a depot of these shortest paths."
            raise ValueError(msg)
        return self._sink[vertex]

    def _source(self, point: int) -> int:
        if point not in self._row:
            msg = f"Point {point} is not a source of these shortest paths."
            raise ValueError(msg)
        return self._m + self._row[point]

    def leg_s(self, exits: IntArray, entries: IntArray) -> FloatArray:  # noqa: D102
        exits = np.asarray(exits, dtype=np.int64)
        cols = np.array([self._target(int(p)) for p in entries], dtype=np.int64)
        unique, inverse = np.unique(exits, return_inverse=True)
        src = np.array([self._source(int(p)) for p in unique], dtype=np.int64)
        out = np.empty((unique.size, cols.size), dtype=np.float64)
        for lo in range(0, unique.size, self.BATCH):
            block = dijkstra(
                self._matrix, directed=True, indices=src[lo : lo + self.BATCH]
            )
            out[lo : lo + self.BATCH] = np.asarray(block).reshape(-1, self._size)[
                :, cols
            ]
        self._cache = (
            {int(p): i for i, p in enumerate(unique)},
            {int(p): j for j, p in enumerate(np.asarray(entries).tolist())},
            out,
        )
        return out[inverse]

    def leg_arcs(self, exit: int, entry: int) -> list[int]:  # noqa: D102
        src, dst = self._source(int(exit)), self._target(int(entry))
        # A Dijkstra bounded by the leg's known time explores only around it.
        known = math.inf
        if self._cache is not None:
            rows, cols, values = self._cache
            if int(exit) in rows and int(entry) in cols:
                known = float(values[rows[int(exit)], cols[int(entry)]])
        limit = known * (1 + 1e-9) + 1e-6 if math.isfinite(known) else np.inf
        dist, pred = dijkstra(
            self._matrix,
            directed=True,
            indices=src,
            return_predecessors=True,
            limit=limit,
        )
        if not np.isfinite(dist[dst]):
            msg = f"No turn-aware deadhead path from point {exit} to point {entry}."
            raise ValueError(msg)
        states = []
        v = int(pred[dst])
        while v != src:
            states.append(v)
            v = int(pred[v])
        states.reverse()
        return [s for s in states if s < self._m]
