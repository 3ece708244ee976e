"""Turn-by-turn directions: which way a driver turns from one edge into the next.

The heading on arriving at a junction and on leaving it come from the edges'
geometry, as the routing core's turn model takes them
(:func:`snowroute.routing.graph.turn_model_from_graph`): the change of heading,
positive to the right, is *straight* within ``straight_deg`` (30°, the turn model's
default), *slight* up to 60°, a *turn* up to 150° and *sharp* beyond; driving back
along the edge just driven is a *U-turn* (at a dead end where the junction has no
other way out).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
from pyproj import CRS

from snowroute.network.attributes import EdgeKey
from snowroute.outputs.drive import edge_line, street_name

__all__ = ["TURNS", "Turn", "cross_streets", "is_junction", "turn_between"]

#: Turn kinds, in the order of the texts of route sheets.
TURNS: tuple[str, ...] = (
    "depart",
    "straight",
    "slight_right",
    "right",
    "sharp_right",
    "slight_left",
    "left",
    "sharp_left",
    "uturn",
    "uturn_dead_end",
)


@dataclass(frozen=True, slots=True)
class Turn:
    """
    The turn from one edge into the next at their shared node.

    Parameters
    ----------
    kind
        One of :data:`TURNS`.
    angle
        Change of heading in degrees, positive to the right (``nan`` unknown).
    node
        The junction.
    """

    kind: str
    angle: float
    node: Hashable

    @property
    def straight(self) -> bool:
        """Whether the driver goes straight on."""
        return self.kind == "straight"


def _geographic(G: nx.MultiDiGraph) -> bool:
    crs = G.graph.get("crs", "EPSG:4326")
    try:
        return bool(CRS.from_user_input(crs).is_geographic)
    except Exception:
        return True


def _heading(p: tuple[float, float], q: tuple[float, float], lonlat: bool) -> float:
    """Compass heading from ``p`` to ``q`` (0 north, 90 east), ``nan`` if equal."""
    dx = q[0] - p[0]
    if lonlat:
        dx *= math.cos(math.radians((p[1] + q[1]) / 2))
    dy = q[1] - p[1]
    if dx == 0 and dy == 0:
        return math.nan
    return math.degrees(math.atan2(dx, dy)) % 360.0


def _end_headings(
    G: nx.MultiDiGraph, edge: EdgeKey, lonlat: bool
) -> tuple[float, float]:
    """Heading leaving the edge's first node and arriving at its last node."""
    coords = [tuple(c[:2]) for c in edge_line(G, edge).coords]
    coords = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
    if len(coords) < 2:
        return math.nan, math.nan
    return (
        _heading(coords[0], coords[1], lonlat),
        _heading(coords[-2], coords[-1], lonlat),
    )


def _ways_on(G: nx.MultiDiGraph, node: Hashable, came_from: Hashable) -> int:
    """Count the other nodes a vehicle at ``node`` can drive on to."""
    return len({v for v in G.successors(node) if v not in (node, came_from)})


def turn_between(
    G: nx.MultiDiGraph,
    a: EdgeKey,
    b: EdgeKey,
    *,
    straight_deg: float = 30.0,
) -> Turn:
    """Return the turn from edge ``a`` into edge ``b`` (``a``'s head is ``b``'s tail).

    >>> G = nx.MultiDiGraph(crs="EPSG:32654")
    >>> for n, (x, y) in enumerate([(0, 0), (0, 100), (100, 100), (0, 200)]):
    ...     G.add_node(n, x=x, y=y)
    >>> for u, v in [(0, 1), (1, 2), (1, 3), (1, 0), (2, 1)]:
    ...     _ = G.add_edge(u, v, length=100.0)
    >>> turn_between(G, (0, 1, 0), (1, 2, 0)).kind
    'right'
    >>> turn_between(G, (0, 1, 0), (1, 3, 0)).kind
    'straight'
    >>> turn_between(G, (1, 2, 0), (2, 1, 0)).kind
    'uturn_dead_end'
    """
    lonlat = _geographic(G)
    node = a[1]
    back = b[1] == a[0] and a[0] != a[1]
    if back:
        dead_end = _ways_on(G, node, a[0]) == 0
        return Turn("uturn_dead_end" if dead_end else "uturn", 180.0, node)
    arrive = _end_headings(G, a, lonlat)[1]
    leave = _end_headings(G, b, lonlat)[0]
    angle = (leave - arrive + 180.0) % 360.0 - 180.0
    if math.isnan(angle) or abs(angle) <= straight_deg:
        return Turn("straight", angle, node)
    side = "right" if angle > 0 else "left"
    size = abs(angle)
    if size >= 165.0:
        return Turn("uturn", angle, node)
    if size <= 60.0:
        return Turn(f"slight_{side}", angle, node)
    if size > 150.0:
        return Turn(f"sharp_{side}", angle, node)
    return Turn(side, angle, node)


def is_junction(G: nx.MultiDiGraph, a: EdgeKey) -> bool:
    """Whether the head of ``a`` offers more than one way on (not a bend)."""
    return _ways_on(G, a[1], a[0]) >= 2


def cross_streets(
    G: nx.MultiDiGraph, node: Hashable, *, skip: tuple[str, ...] = ()
) -> list[str]:
    """Names of the streets meeting at ``node``, except those in ``skip``."""
    names: dict[str, None] = {}
    for _, _, data in G.out_edges(node, data=True):
        names.setdefault(street_name(data), None)
    for _, _, data in G.in_edges(node, data=True):
        names.setdefault(street_name(data), None)
    return [n for n in names if n and n not in skip]
