"""Network report: km and routes per administrator and road class, gaps, pieces."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx

from snowroute._errors import TaggingError
from snowroute.network import attributes as A
from snowroute.network.ownership import administrators

__all__ = ["AdminSummary", "ClassSummary", "NetworkReport", "network_report"]


@dataclass(frozen=True, slots=True)
class AdminSummary:
    """Road length and route count of one administrator."""

    admin_id: str
    admin_class: str
    name: str
    km: float
    routes: int
    edges: int


@dataclass(frozen=True, slots=True)
class ClassSummary:
    """Road length and edge count of one road class or route kind."""

    key: str
    km: float
    edges: int


@dataclass(frozen=True, slots=True)
class NetworkReport:
    """What a planner checks against official totals after tagging a network.

    Lengths are road km: a two-way road counts once, not once per direction.
    """

    source: str
    rules: str
    nodes: int
    edges: int
    km: float
    admins: tuple[AdminSummary, ...]
    admin_classes: tuple[ClassSummary, ...]
    road_classes: tuple[ClassSummary, ...]
    route_kinds: tuple[ClassSummary, ...]
    unknown_edges: int
    unknown_km: float
    unknown_examples: tuple[dict[str, str], ...]
    winter_closed_km: float
    weak_pieces: int
    strong_pieces: int
    largest_piece_share: float
    small_pieces: tuple[dict[str, Any], ...]
    dropped_edges: int = 0
    dropped_km: float = 0.0
    dropped_examples: tuple[str, ...] = ()
    layer: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready data."""
        return asdict(self)

    def __str__(self) -> str:
        lines = [
            f"Network {self.source} (rules: {self.rules})",
            f"  {self.nodes:,} nodes, {self.edges:,} directed edges, "
            f"{self.km:,.1f} km of road",
            "",
            "By administrator:",
            f"  {'id':<10} {'class':<13} {'km':>9} {'routes':>7}  name",
        ]
        for a in self.admins:
            lines.append(
                f"  {a.admin_id:<10} {a.admin_class:<13} {a.km:>9.1f} "
                f"{a.routes:>7}  {a.name}"
            )
        for title, rows in (
            ("By administrator class:", self.admin_classes),
            ("By route kind:", self.route_kinds),
            ("By road class (OSM highway):", self.road_classes),
        ):
            lines += ["", title]
            lines += [
                f"  {r.key:<18} {r.km:>9.1f} km  {r.edges:>6} edges" for r in rows
            ]
        lines += [
            "",
            f"Unknown administrator: {self.unknown_edges} edges, "
            f"{self.unknown_km:.1f} km",
        ]
        lines += [
            "  e.g. " + ", ".join(f"{k}={v}" for k, v in ex.items())
            for ex in self.unknown_examples
        ]
        lines += [
            f"Winter-closed: {self.winter_closed_km:.1f} km",
            f"Connectivity: {self.weak_pieces} piece(s); {self.strong_pieces} "
            f"strongly connected piece(s); the largest holds "
            f"{100 * self.largest_piece_share:.1f} % of the road length",
        ]
        lines += [
            f"  piece of {p['edges']} edges, {p['km']:.2f} km near node {p['node']}"
            for p in self.small_pieces
        ]
        if self.dropped_edges:
            lines.append(
                f"Left out: {self.dropped_edges} edges, {self.dropped_km:.2f} km cut "
                "off from the largest connected piece (e.g. "
                f"{', '.join(self.dropped_examples)})"
            )
        return "\n".join([*lines, *self._layer_lines()])

    def _layer_lines(self) -> list[str]:
        """List what reading a centerline layer merged and left without owner."""
        if not self.layer:
            return []
        lay = self.layer
        kind = "a directed export" if lay["directed"] else "one line per road"
        differ = lay["disagreeing"]
        unknown, dropped = lay["unknown_fids"], lay["dropped_fids"]
        return [
            f"Centerline layer read as {kind}: {lay['twins']} reversed twins merged "
            f"into two-way roads, {lay['duplicates']} duplicate lines dropped",
            f"  {len(differ)} copies differ from the copy kept"
            + (f" (fids {', '.join(differ[:5])})" if differ else ""),
            f"  {lay['unknown_features']} features, {lay['unknown_km']:.2f} km "
            "without an administrator"
            + (f" (fids {', '.join(unknown[:5])})" if unknown else ""),
            f"  {lay['dropped_features']} features left out without a usable line"
            + (f" (fids {', '.join(dropped[:5])})" if dropped else ""),
        ]


def _summaries(groups: dict[str, list[float]]) -> tuple[ClassSummary, ...]:
    rows = [ClassSummary(k, round(sum(v), 3), len(v)) for k, v in groups.items()]
    return tuple(sorted(rows, key=lambda r: (-r.km, r.key)))


def network_report(G: nx.MultiDiGraph, *, examples: int = 5) -> NetworkReport:
    """Summarise a tagged network for checking against official totals.

    Parameters
    ----------
    G
        A network tagged by :func:`tag_network`.
    examples
        How many unknown edges and small pieces to list.

    Raises
    ------
    TaggingError
        When ``G`` is not tagged.
    """
    if not G.graph.get(A.TAGGED):
        msg = "The network is not tagged; run `tag_network` first."
        raise TaggingError(msg)
    tally = _Tally(examples)
    for u, v, data in G.edges(data=True):
        tally.add(u, v, data)
    total_km = sum(sum(v) for v in tally.by_admin.values())
    weak, strong, largest, small = _pieces(G, examples)
    return NetworkReport(
        source=str(G.graph.get("snowroute_source", "")),
        rules=str(G.graph.get("snowroute_rules", "")),
        nodes=G.number_of_nodes(),
        edges=G.number_of_edges(),
        km=round(total_km, 3),
        admins=tally.admin_rows(administrators(G)),
        admin_classes=_summaries(tally.by_class),
        road_classes=_summaries(tally.by_road),
        route_kinds=_summaries(tally.by_kind),
        unknown_edges=len(tally.by_admin.get(A.UNKNOWN, [])),
        unknown_km=round(tally.unknown_km, 3),
        unknown_examples=tuple(tally.unknown),
        winter_closed_km=round(tally.winter_km, 3),
        weak_pieces=weak,
        strong_pieces=strong,
        largest_piece_share=largest / total_km if total_km else 0.0,
        small_pieces=tuple(small),
        dropped_edges=int(G.graph.get("dropped_edges", 0)),
        dropped_km=float(G.graph.get("dropped_km", 0.0)),
        dropped_examples=tuple(_split(G.graph.get("dropped_examples", ""))),
        layer=_layer_findings(G),
    )


def _split(text: Any) -> list[str]:
    return [item for item in str(text or "").split(",") if item]


def _layer_findings(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return what :func:`~snowroute.network.centerline.graph_from_centerline` noted."""
    if "centerline_twins" not in G.graph:
        return {}
    graph = G.graph
    return {
        "directed": str(graph.get("centerline_directed")).lower() == "true",
        "twins": int(graph["centerline_twins"]),
        "duplicates": int(graph.get("centerline_duplicates", 0)),
        "disagreeing": _split(graph.get("centerline_disagreeing_copies")),
        "unknown_features": int(graph.get("centerline_unknown_features", 0)),
        "unknown_km": float(graph.get("centerline_unknown_km", 0.0)),
        "unknown_fids": _split(graph.get("centerline_unknown_fids")),
        "dropped_features": int(graph.get("centerline_dropped_features", 0)),
        "dropped_fids": _split(graph.get("centerline_dropped_fids")),
    }


class _Tally:
    """Road km per administrator, class, road class and route kind, in one pass."""

    def __init__(self, examples: int) -> None:
        self.examples = examples
        self.by_admin: defaultdict[str, list[float]] = defaultdict(list)
        self.routes: defaultdict[str, set[str]] = defaultdict(set)
        self.by_class: defaultdict[str, list[float]] = defaultdict(list)
        self.by_road: defaultdict[str, list[float]] = defaultdict(list)
        self.by_kind: defaultdict[str, list[float]] = defaultdict(list)
        self.unknown: list[dict[str, str]] = []
        self.unknown_km = 0.0
        self.winter_km = 0.0

    def add(self, u: Any, v: Any, data: dict[str, Any]) -> None:
        km = A.road_km(data)
        admin = data[A.ADMIN_ID]
        self.by_admin[admin].append(km)
        self.routes[admin].add(data[A.ROUTE_ID])
        self.by_class[data[A.ADMIN_CLASS]].append(km)
        self.by_road[data[A.ROAD_CLASS]].append(km)
        self.by_kind[data[A.ROUTE_KIND]].append(km)
        if data[A.WINTER_CLOSED]:
            self.winter_km += km
        if admin != A.UNKNOWN:
            return
        self.unknown_km += km
        if len(self.unknown) < self.examples:
            self.unknown.append(
                {
                    "edge": f"{u}-{v}",
                    "osmid": str(data.get("osmid", "")),
                    "highway": str(data.get("highway", "")),
                    "ref": str(data.get("ref", "")),
                    "name": str(data.get("name", "")),
                }
            )

    def admin_rows(self, admins: dict[str, dict[str, str]]) -> tuple[AdminSummary, ...]:
        rows = [
            AdminSummary(
                admin_id=admin,
                admin_class=admins.get(admin, {}).get("class", A.UNKNOWN),
                name=admins.get(admin, {}).get("name", admin),
                km=round(sum(kms), 3),
                routes=len(self.routes[admin]),
                edges=len(kms),
            )
            for admin, kms in self.by_admin.items()
        ]
        rows.sort(key=lambda a: (a.admin_id == A.UNKNOWN, -a.km, a.admin_id))
        return tuple(rows)


def _pieces(
    G: nx.MultiDiGraph, examples: int
) -> tuple[int, int, float, list[dict[str, Any]]]:
    """Weak and strong pieces, the largest piece's km and the next-largest ones."""
    weak = nx.number_weakly_connected_components(G)
    strong = list(nx.strongly_connected_components(G))
    piece_km: defaultdict[int, float] = defaultdict(float)
    piece_edges: Counter[int] = Counter()
    piece_of = {node: i for i, nodes in enumerate(strong) for node in nodes}
    for u, v, data in G.edges(data=True):
        if piece_of[u] == piece_of[v]:
            piece_km[piece_of[u]] += A.road_km(data)
            piece_edges[piece_of[u]] += 1
    largest = max(piece_km.values(), default=0.0)
    small = [
        {
            "edges": piece_edges[i],
            "km": round(km, 3),
            "node": str(min(strong[i], key=str)),
        }
        for i, km in sorted(piece_km.items(), key=lambda item: -item[1])[1:]
    ][:examples]
    return weak, len(strong), largest, small
