"""Patrol scope: which road sections the patrol covers, and why.

The patrolling administrator's own roads (``admin_id`` equal to ``PatrolSpec.admin``)
plus municipal roads that carry the network with them (国県道と一体となって重要な
ネットワークを担う市町村道): by the rule ``network_roads = "link"``, for every municipal
route and every pair of the administrator's routes it touches, the shortest run of
that municipal route between them; and every route or section listed in
``network_road_ids``. The unit is the route section (``section_id``): a section is
patrolled whole. Winter-closed edges (冬期閉鎖) cannot be driven and are left out.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import networkx as nx

from snowroute._errors import ScenarioError
from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey
from snowroute.scenario.model import PatrolSpec

__all__ = ["EdgeKey", "PatrolScope", "Section", "patrol_scope"]

logger = logging.getLogger(__name__)

Reason = Literal["own", "link", "listed"]


@dataclass(frozen=True, slots=True)
class Section:
    """
    A patrolled route section.

    Parameters
    ----------
    section_id, route_id, route_name, admin_id
        Identity of the section (see :mod:`snowroute.network.attributes`).
    priority, road_class
        Priority class and OSM highway class of its longest edge.
    edges
        Its directed edges (both directions of a two-way road).
    road_km
        Length, a two-way road counted once.
    reason
        ``"own"`` (the patrolling administrator's road), ``"link"`` (a municipal
        road linking two of its routes) or ``"listed"`` (``network_road_ids``).
    """

    section_id: str
    route_id: str
    route_name: str
    admin_id: str
    priority: str
    road_class: str
    edges: tuple[EdgeKey, ...]
    road_km: float
    reason: Reason

    def __post_init__(self) -> None:
        if not self.edges:
            msg = f"Section {self.section_id!r} has no edges."
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class PatrolScope:
    """The patrolled sections, keyed by section id, in a stable order."""

    sections: Mapping[str, Section] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", MappingProxyType(dict(self.sections)))

    @property
    def road_km(self) -> float:
        """Total patrolled road length."""
        return sum(s.road_km for s in self.sections.values())

    def km_by_reason(self) -> dict[str, float]:
        """Patrolled km by reason (own, link, listed)."""
        out: dict[str, float] = defaultdict(float)
        for s in self.sections.values():
            out[s.reason] += s.road_km
        return dict(out)


def _link_edges(G: nx.MultiDiGraph, admin: str) -> set[EdgeKey]:
    """Edges of municipal routes on the shortest run between two ``admin`` routes."""
    own_routes_at: defaultdict[Hashable, set[str]] = defaultdict(set)
    municipal: defaultdict[str, list[EdgeKey]] = defaultdict(list)
    for u, v, k, data in G.edges(keys=True, data=True):
        if A.parse_bool(data.get(A.WINTER_CLOSED, False)):
            continue
        if str(data.get(A.ADMIN_ID)) == admin:
            own_routes_at[u].add(str(data[A.ROUTE_ID]))
            own_routes_at[v].add(str(data[A.ROUTE_ID]))
        elif data.get(A.ROUTE_KIND) == "municipal":
            municipal[str(data[A.ROUTE_ID])].append((u, v, k))
    out: set[EdgeKey] = set()
    for route in sorted(municipal):
        edges = municipal[route]
        H = nx.Graph()
        for u, v, k in edges:
            length = float(G.edges[u, v, k]["length"])
            if not H.has_edge(u, v) or H.edges[u, v]["length"] > length:
                H.add_edge(u, v, length=length)
        touching: defaultdict[str, list[Hashable]] = defaultdict(list)
        for node in sorted(H.nodes, key=str):
            for own in own_routes_at.get(node, ()):
                touching[own].append(node)
        pairs = itertools.combinations(sorted(touching), 2)
        chosen: set[frozenset[Hashable]] = set()
        for first, second in pairs:
            best: list[Hashable] | None = None
            best_len = float("inf")
            lengths = nx.multi_source_dijkstra(H, set(touching[first]), weight="length")
            dist, paths = lengths
            for node in touching[second]:
                if node in dist and dist[node] < best_len:
                    best_len, best = dist[node], paths[node]
            if best is not None:
                chosen |= {frozenset(p) for p in itertools.pairwise(best)}
        out |= {e for e in edges if frozenset(e[:2]) in chosen}
    return out


def patrol_scope(G: nx.MultiDiGraph, spec: PatrolSpec) -> PatrolScope:
    """
    Return the sections of ``G`` that the patrol of ``spec`` covers.

    Parameters
    ----------
    G
        A tagged road network (``admin_id``, ``route_id``, ``section_id`` on every
        edge).
    spec
        The patrol settings (``admin``, ``network_roads``, ``network_road_ids``).

    Returns
    -------
    PatrolScope
        The patrolled sections, ordered by section id.

    Raises
    ------
    ScenarioError
        When the network is not tagged, the administrator has no road in it, or an
        id of ``network_road_ids`` names no route or section.
    """
    _check_network(G, spec)
    admin = spec.admin
    links = _link_edges(G, admin) if spec.network_roads == "link" else set()
    reasons, edges_of = _reasons(G, admin, set(spec.network_road_ids), links)
    if not any(r == "own" for r in reasons.values()):
        msg = f"Administrator {admin!r} (`patrol.admin`) has no road in the network."
        raise ScenarioError(msg)
    sections: dict[str, Section] = {}
    closed = 0
    for section_id in sorted(reasons):
        edges = []
        for edge in edges_of[section_id]:
            if A.parse_bool(G.edges[edge].get(A.WINTER_CLOSED, False)):
                closed += 1
            else:
                edges.append(edge)
        if edges:
            sections[section_id] = _section(G, section_id, edges, reasons[section_id])
    if closed:
        logger.info("%d winter-closed edges of patrolled sections left out", closed)
    return PatrolScope(sections)


def _check_network(G: nx.MultiDiGraph, spec: PatrolSpec) -> None:
    """Raise unless ``G`` is tagged and every ``network_road_ids`` entry is in it.

    Raises
    ------
    ScenarioError
        Naming the untagged network or the unknown id.
    """
    if not G.graph.get(A.TAGGED):
        msg = "The network is not tagged with administrators; run `network tag` first."
        raise ScenarioError(msg)
    known = {str(d[A.ROUTE_ID]) for *_, d in G.edges(data=True)} | {
        str(d[A.SECTION_ID]) for *_, d in G.edges(data=True)
    }
    for i, road_id in enumerate(spec.network_road_ids):
        if road_id not in known:
            msg = (
                f"Scenario field `patrol.network_road_ids[{i}]`: {road_id!r} is no "
                "route or section id of the network."
            )
            raise ScenarioError(msg)


def _reasons(
    G: nx.MultiDiGraph, admin: str, listed: set[str], links: set[EdgeKey]
) -> tuple[dict[str, Reason], defaultdict[str, list[EdgeKey]]]:
    """Return why each patrolled section is in, and the edges of every section.

    A section is ``own`` when one of its open edges is ``admin``'s, else
    ``listed`` or ``link``, whichever of its edges comes first.
    """
    reasons: dict[str, Reason] = {}
    edges_of: defaultdict[str, list[EdgeKey]] = defaultdict(list)
    for u, v, k, data in G.edges(keys=True, data=True):
        section = str(data[A.SECTION_ID])
        edges_of[section].append((u, v, k))
        if A.parse_bool(data.get(A.WINTER_CLOSED, False)):
            continue
        if str(data.get(A.ADMIN_ID)) == admin:
            reasons[section] = "own"
        elif section in listed or str(data[A.ROUTE_ID]) in listed:
            reasons.setdefault(section, "listed")
        elif (u, v, k) in links:
            reasons.setdefault(section, "link")
    return reasons, edges_of


def _section(
    G: nx.MultiDiGraph, section_id: str, edges: list[EdgeKey], reason: Reason
) -> Section:
    """Return the section of open ``edges``, named after its longest edge."""
    longest = max(edges, key=lambda e: float(G.edges[e]["length"]))
    data = G.edges[longest]
    return Section(
        section_id=section_id,
        route_id=str(data[A.ROUTE_ID]),
        route_name=str(data.get(A.ROUTE_NAME, "")),
        admin_id=str(data[A.ADMIN_ID]),
        priority=str(data.get(A.PRIORITY, "")),
        road_class=str(data.get(A.ROAD_CLASS, "")),
        edges=tuple(edges),
        road_km=sum(A.road_km(G.edges[e]) for e in edges),
        reason=reason,
    )
