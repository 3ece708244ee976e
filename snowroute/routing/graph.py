"""Building an arc-routing problem from an OSMnx-style road graph.

Only generic edge attributes are read (``length``, ``oneway``, ``n_lanes``,
``speed_kph`` or ``travel_time``, ``road_class``, ``width_m``, ``priority``,
``winter_closed``; see :mod:`snowroute.network.attributes`), so any
``networkx.MultiDiGraph`` with lengths and speeds works.

Rules (each documented where it is applied):

- **Deadhead graph**: every edge except ``winter_closed`` ones, with travel time
  ``travel_time`` when present, else ``length / speed_kph``.
- **Two-way roads** are stored by OSMnx as two directed edges. An edge ``(u, v, k)``
  with ``oneway`` false is paired with a twin ``(v, u, k')`` that has the same
  ``osmid`` and a length within 1 m; when both are required they form one
  :class:`RequiredArc` (mode ``"either"``, or ``"both"`` when ``both_directions``
  says so). A required edge without a required twin is served in its own
  direction only (mode ``"forward"``).
- **Passes** per served direction: ``ceil(lanes / lanes_per_pass)`` where
  ``lanes`` is ``n_lanes`` on a one-way road and ``ceil(n_lanes / 2)`` (the lanes of
  one direction) on a two-way road; in ``"either"`` mode those passes clear the
  whole road. A missing ``n_lanes`` counts as 1 lane per direction. Pass a
  callable as ``passes`` to use another rule.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from snowroute._errors import ProblemError
from snowroute.network.attributes import (
    N_LANES,
    ONEWAY,
    PRIORITY,
    ROAD_CLASS,
    ROUTE_NAME,
    SPEED_KPH,
    WIDTH_M,
    WINTER_CLOSED,
    EdgeKey,
    parse_bool,
)
from snowroute.routing.problem import (
    ArcRoutingProblem,
    DeadheadGraph,
    Depot,
    RequiredArc,
    VehicleClass,
)
from snowroute.routing.turns import TurnModel, TurnRules

__all__ = [
    "TURN_RESTRICTIONS",
    "EdgeKey",
    "problem_from_graph",
    "turn_model_from_graph",
]

#: Graph attribute holding OSM turn restrictions, a JSON list of
#: ``[restriction, from_way, via_node, to_way]`` (see :mod:`snowroute.network.ingest`).
TURN_RESTRICTIONS = "turn_restrictions"

logger = logging.getLogger(__name__)

#: An edge of a MultiDiGraph, ``(u, v, key)`` as in OSMnx.
EdgeFunction = Callable[[Hashable, Hashable, int, Mapping[str, Any]], Any]


def _value(
    spec: str | EdgeFunction | None,
    edge: EdgeKey,
    data: Mapping[str, Any],
    default: Any,
) -> Any:
    if spec is None:
        return default
    if callable(spec):
        return spec(*edge, data)
    return data.get(spec, default)


def _osmid(data: Mapping[str, Any]) -> Hashable:
    osmid = data.get("osmid")
    if isinstance(osmid, list | tuple | set):
        return tuple(sorted(str(x) for x in osmid))
    return None if osmid is None else str(osmid)


def _float(data: Mapping[str, Any], name: str, edge: EdgeKey, default: float) -> float:
    value = data.get(name, default)
    try:
        out = float(value)
    except (TypeError, ValueError):
        msg = f"Edge {edge} has a non-numeric `{name}`: {value!r}."
        raise ProblemError(msg) from None
    return out


def _travel_s(edge: EdgeKey, data: Mapping[str, Any]) -> float:
    if "travel_time" in data:
        return _float(data, "travel_time", edge, math.nan)
    speed = _float(data, SPEED_KPH, edge, math.nan)
    if not speed > 0:
        msg = (
            f"Edge {edge} has no positive `{SPEED_KPH}` or `travel_time`; cannot time "
            "deadheading."
        )
        raise ProblemError(msg)
    return _float(data, "length", edge, math.nan) * 3.6 / speed


def problem_from_graph(
    G: Any,
    *,
    required: Iterable[EdgeKey] | EdgeFunction | None = None,
    depots: Mapping[str, Hashable],
    vehicles: Sequence[VehicleClass],
    deadlines: Mapping[str, float] | None = None,
    both_directions: bool | EdgeFunction = False,
    lanes_per_pass: float = 1.0,
    passes: EdgeFunction | None = None,
    demand: str | EdgeFunction | None = None,
    service_s: str | EdgeFunction | None = None,
    extra_service_s: str | EdgeFunction | None = None,
    turns: TurnRules | None = None,
) -> ArcRoutingProblem:
    """
    Build an :class:`ArcRoutingProblem` from a road graph.

    Parameters
    ----------
    G
        A ``networkx.MultiDiGraph`` with OSMnx conventions (edge ``length`` in
        metres, ``oneway``, ``osmid``) and speeds (``speed_kph`` or ``travel_time``).
    required
        Edges to serve: ``(u, v, key)`` triples, a callable
        ``(u, v, key, data) -> bool``, or ``None`` for every edge.
        ``winter_closed`` edges are never served (they are logged and skipped).
    depots
        Depot id to graph node.
    vehicles
        The vehicle classes (their ``depot`` names a key of ``depots``).
    deadlines
        Completion deadline in seconds per priority class (edge ``priority``).
    both_directions
        Serve two-way roads once in each direction (mode ``"both"``) instead of
        once in either direction; a bool or a callable ``(u, v, key, data) -> bool``.
    lanes_per_pass
        Lanes one pass clears (see the module notes).
    passes
        Callable ``(u, v, key, data) -> int`` overriding the lane rule.
    demand
        Demand of one pass: an edge attribute name or a callable (default 0).
    service_s
        Explicit service time of one pass: an attribute name or a callable;
        default ``None`` (length at the vehicle's plow speed).
    extra_service_s
        Fixed extra time per pass: an attribute name or a callable (default 0).
    turns
        Turn rules; when given, the problem carries a turn model built by
        :func:`turn_model_from_graph` (headings from edge geometry, OSM turn
        restrictions from the graph attribute ``turn_restrictions``).

    Returns
    -------
    ArcRoutingProblem
        The problem; ``graph.edge_refs[a]`` is the ``(u, v, key)`` of arc ``a``,
        ``RequiredArc.ref`` the ``(u, v, key)`` of its forward edge, and
        ``graph.vertex_refs`` the graph node of each vertex.

    Raises
    ------
    ProblemError
        When a depot node is not in ``G``, a required edge is not in ``G``, or an
        edge lacks a length or a speed.
    """
    rules = _PassRules(
        both_directions, lanes_per_pass, passes, demand, service_s, extra_service_s
    )
    index = _vertex_index(G, depots)
    graph, arc_of, closed = _deadhead_graph(G, index)
    wanted = _wanted_edges(G, required, arc_of, closed)
    return ArcRoutingProblem(
        graph=graph,
        required=rules.required_arcs(G, wanted, arc_of),
        depots=tuple(Depot(depot_id, index[node]) for depot_id, node in depots.items()),
        vehicles=tuple(vehicles),
        deadlines=dict(deadlines or {}),
        turns=None if turns is None else turn_model_from_graph(G, graph, turns),
    )


def _vertex_index(G: Any, depots: Mapping[str, Hashable]) -> dict[Hashable, int]:
    """Return each graph node's number (graph order); every depot must be one."""
    index = {node: i for i, node in enumerate(G.nodes)}
    for depot_id, node in depots.items():
        if node not in index:
            msg = f"Depot {depot_id!r} is at node {node!r}, which is not in the graph."
            raise ProblemError(msg)
    return index


def _deadhead_graph(
    G: Any, index: Mapping[Hashable, int]
) -> tuple[DeadheadGraph, dict[EdgeKey, int], set[EdgeKey]]:
    """Build the deadhead graph of the open edges, their arcs and the closed edges."""
    refs: list[EdgeKey] = []
    tail, head, length, travel = [], [], [], []
    arc_of: dict[EdgeKey, int] = {}
    closed: set[EdgeKey] = set()
    for u, v, k, data in G.edges(keys=True, data=True):
        edge = (u, v, k)
        if parse_bool(data.get(WINTER_CLOSED, False)):
            closed.add(edge)
            continue
        arc_of[edge] = len(refs)
        refs.append(edge)
        tail.append(index[u])
        head.append(index[v])
        length.append(_float(data, "length", edge, math.nan))
        travel.append(_travel_s(edge, data))
    graph = DeadheadGraph(
        tail=np.array(tail, dtype=np.int64),
        head=np.array(head, dtype=np.int64),
        length_m=np.array(length, dtype=np.float64),
        travel_s=np.array(travel, dtype=np.float64),
        num_vertices=len(index),
        edge_refs=tuple(refs),
        vertex_refs=tuple(index),
    )
    return graph, arc_of, closed


def _wanted_edges(
    G: Any,
    required: Iterable[EdgeKey] | EdgeFunction | None,
    arc_of: Mapping[EdgeKey, int],
    closed: Collection[EdgeKey],
) -> list[EdgeKey]:
    """Return the open edges to serve, in the order given (graph order by default)."""
    if required is None:
        wanted = list(arc_of)
    elif callable(required):
        wanted = [e for e in arc_of if required(*e, G.edges[e])]
    else:
        wanted = []
        for raw in required:
            edge = (raw[0], raw[1], raw[2])
            if edge in closed:
                continue
            if edge not in arc_of:
                msg = f"Required edge {edge} is not in the graph."
                raise ProblemError(msg)
            wanted.append(edge)
    if closed:
        logger.debug("%d winter-closed edges left out of the plan", len(closed))
    return wanted


def _twins(G: Any, wanted: Sequence[EdgeKey]) -> dict[EdgeKey, EdgeKey]:
    """Pair the two directions of each two-way road among the required edges.

    Twins are opposite edges of one OSM way whose lengths differ by at most 1 m
    (the closest when several do); one-way edges and loops have none.
    """
    wanted_set = set(wanted)
    twin: dict[EdgeKey, EdgeKey] = {}
    for edge in wanted:
        if edge in twin:
            continue
        u, v, _ = edge
        data = G.edges[edge]
        if parse_bool(data.get(ONEWAY, False)) or u == v:
            continue
        osmid, own = _osmid(data), _float(data, "length", edge, math.nan)
        best: EdgeKey | None = None
        for k2, d2 in G.get_edge_data(v, u, default={}).items():
            other = (v, u, k2)
            if other not in wanted_set or other in twin or _osmid(d2) != osmid:
                continue
            if parse_bool(d2.get(ONEWAY, False)):
                continue
            diff = abs(_float(d2, "length", other, math.nan) - own)
            if diff <= 1.0 and (
                best is None or diff < abs(G.edges[best]["length"] - own)
            ):
                best = other
        if best is not None:
            twin[edge] = best
            twin[best] = edge
    return twin


@dataclass(frozen=True, slots=True)
class _PassRules:
    """How many passes a road needs and what one pass costs (see problem_from_graph)."""

    both_directions: bool | EdgeFunction
    lanes_per_pass: float
    passes: EdgeFunction | None
    demand: str | EdgeFunction | None
    service_s: str | EdgeFunction | None
    extra_service_s: str | EdgeFunction | None

    def __post_init__(self) -> None:
        if not self.lanes_per_pass > 0:
            msg = f"`lanes_per_pass` must be positive, got {self.lanes_per_pass!r}."
            raise ProblemError(msg)

    def required_arcs(
        self, G: Any, wanted: Sequence[EdgeKey], arc_of: Mapping[EdgeKey, int]
    ) -> tuple[RequiredArc, ...]:
        """Return one required arc per road: a wanted edge and its twin, if any."""
        twin = _twins(G, wanted)
        arcs: list[RequiredArc] = []
        done: set[EdgeKey] = set()
        for edge in wanted:
            if edge not in done:
                partner = twin.get(edge)
                done.update((edge,) if partner is None else (edge, partner))
                arcs.append(self.required_arc(edge, G.edges[edge], partner, arc_of))
        return tuple(arcs)

    def required_arc(
        self,
        edge: EdgeKey,
        data: Mapping[str, Any],
        partner: EdgeKey | None,
        arc_of: Mapping[EdgeKey, int],
    ) -> RequiredArc:
        """Return the required arc of ``edge`` and its twin ``partner`` (if any)."""
        if partner is not None:
            both = (
                _value(self.both_directions, edge, data, False)
                if callable(self.both_directions)
                else self.both_directions
            )
            mode = "both" if both else "either"
            lanes_total = _float(data, N_LANES, edge, 2.0)
            lanes: float = math.ceil(max(lanes_total, 1.0) / 2)
        else:
            mode = "forward"
            lanes = max(_float(data, N_LANES, edge, 1.0), 1.0)
        count = (
            int(self.passes(*edge, data))
            if self.passes is not None
            else max(1, math.ceil(lanes / self.lanes_per_pass - 1e-9))
        )
        explicit = _value(self.service_s, edge, data, None)
        return RequiredArc(
            arc=arc_of[edge],
            reverse_arc=None if partner is None else arc_of[partner],
            mode=mode,  # type: ignore[arg-type]
            passes=count,
            service_s=None if explicit is None else float(explicit),
            extra_service_s=float(_value(self.extra_service_s, edge, data, 0.0)),
            demand=float(_value(self.demand, edge, data, 0.0)),
            road_class=_road_class(data.get(ROAD_CLASS)),
            width_m=_float(data, WIDTH_M, edge, math.nan),
            priority=None if data.get(PRIORITY) in (None, "") else str(data[PRIORITY]),
            ref=edge,
            label=_road_name(data),
        )


def _road_name(data: Mapping[str, Any]) -> str | None:
    """Return the road's route name, else its OSM name (the first of several)."""
    name = data.get(ROUTE_NAME) or data.get("name")
    if isinstance(name, list | tuple):
        name = name[0] if name else None
    return str(name) if name else None


def _bearing(p: tuple[float, float], q: tuple[float, float]) -> float:
    """Compass heading from ``p`` to ``q`` (lon/lat, local flat approximation)."""
    dx = (q[0] - p[0]) * math.cos(math.radians((p[1] + q[1]) / 2))
    dy = q[1] - p[1]
    if dx == 0 and dy == 0:
        return math.nan
    return math.degrees(math.atan2(dx, dy)) % 360.0


def _end_points(G: Any, edge: EdgeKey) -> tuple[tuple[float, float], ...] | None:
    data = G.edges[edge]
    geom = data.get("geometry")
    if geom is not None:
        coords = [tuple(c[:2]) for c in geom.coords]
    else:
        nu, nv = G.nodes[edge[0]], G.nodes[edge[1]]
        if "x" not in nu or "x" not in nv:
            return None
        coords = [(nu["x"], nu["y"]), (nv["x"], nv["y"])]
    coords = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
    if len(coords) < 2:
        return None
    return (coords[0], coords[1], coords[-2], coords[-1])


def turn_model_from_graph(G: Any, graph: DeadheadGraph, rules: TurnRules) -> TurnModel:
    """
    Build the turn model of a deadhead graph built from ``G``.

    Headings come from each edge's ``geometry`` (else its end nodes' ``x``/``y``;
    ``nan`` where neither is known, which counts as straight on). OSM turn
    restrictions stored on ``G.graph["turn_restrictions"]`` become banned turns:
    ``no_*`` bans the turn from the ``from`` way into the ``to`` way at the ``via``
    node; ``only_*`` bans every other turn out of the ``from`` way there.

    Parameters
    ----------
    G
        The road graph.
    graph
        The deadhead graph built from ``G`` (its ``edge_refs`` and
        ``vertex_refs`` name edges and nodes of ``G``).
    rules
        The turn rules.

    Raises
    ------
    ProblemError
        When ``graph`` has no edge or vertex references.
    """
    if graph.edge_refs is None or graph.vertex_refs is None:
        msg = "The deadhead graph needs `edge_refs` and `vertex_refs` for turns."
        raise ProblemError(msg)
    m = graph.num_arcs
    in_b = np.full(m, np.nan)
    out_b = np.full(m, np.nan)
    for a, ref in enumerate(graph.edge_refs):
        edge = cast("EdgeKey", ref)
        ends = _end_points(G, edge)
        if ends is not None:
            out_b[a] = _bearing(ends[0], ends[1])
            in_b[a] = _bearing(ends[2], ends[3])
    banned = _restrictions(G, graph)
    return TurnModel(rules=rules, in_bearing=in_b, out_bearing=out_b, banned=banned)


def _restrictions(G: Any, graph: DeadheadGraph) -> frozenset[tuple[int, int]]:
    raw = G.graph.get(TURN_RESTRICTIONS)
    if not raw:
        return frozenset()
    rows = json.loads(raw) if isinstance(raw, str) else raw
    assert graph.edge_refs is not None
    assert graph.vertex_refs is not None
    vertex = {node: i for i, node in enumerate(graph.vertex_refs)}
    by_way: dict[str, list[int]] = {}
    for a, ref in enumerate(graph.edge_refs):
        osmid = _osmid(G.edges[cast("EdgeKey", ref)])
        ways = osmid if isinstance(osmid, tuple) else (osmid,)
        for way in ways:
            by_way.setdefault(str(way), []).append(a)
    banned: set[tuple[int, int]] = set()
    unused = 0
    for kind, from_way, via_node, to_way in rows:
        via = vertex.get(via_node, vertex.get(str(via_node)))
        if via is None:
            unused += 1
            continue
        froms = [a for a in by_way.get(str(from_way), []) if graph.head[a] == via]
        tos = {a for a in by_way.get(str(to_way), []) if graph.tail[a] == via}
        if not froms or not tos:
            unused += 1
            continue
        if str(kind).startswith("only_"):
            outs = [int(b) for b in np.flatnonzero(graph.tail == via)]
            banned.update((a, b) for a in froms for b in outs if b not in tos)
        else:
            banned.update((a, b) for a in froms for b in tos)
    if unused:
        logger.info("%d turn restrictions do not match the routing graph", unused)
    return frozenset(banned)


def _road_class(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple) and value:
        return str(value[0])
    if isinstance(value, Collection) and not isinstance(value, str):
        return None
    return str(value)
