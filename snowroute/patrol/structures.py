"""Structures to inspect (bridges, tunnels): reading, due dates, snapping to roads.

Since 2014 every bridge of 2 m or more and every tunnel gets a close visual
inspection every 5 years (DOMAIN.md §5). A structure is due on its last inspection
plus ``interval_years`` (or on an explicit ``due_date``); one due on or before the
last day of the horizon must be inspected in it, as a stop of ``minutes_on_site``
on the road it sits on.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey
from snowroute.patrol.snap import EdgeIndex
from snowroute.scenario.side import KINDS, Structure

__all__ = [
    "KINDS",
    "PlacedStructure",
    "Structure",
    "place_structures",
]


@dataclass(frozen=True, slots=True)
class PlacedStructure:
    """A structure with the road edge it sits on."""

    structure: Structure
    edge: EdgeKey
    distance_m: float
    section_id: str


def place_structures(
    G: nx.MultiDiGraph, structures: tuple[Structure, ...], *, max_m: float
) -> tuple[tuple[PlacedStructure, ...], tuple[tuple[Structure, str], ...]]:
    """
    Snap each structure to the nearest drivable (not winter-closed) road edge.

    Returns
    -------
    placed, unplaced
        Structures with their edge, and ``(structure, reason)`` for those that lie
        farther than ``max_m`` metres from every drivable road.
    """
    index = EdgeIndex(
        G, keep=lambda u, v, k, d: not A.parse_bool(d.get(A.WINTER_CLOSED, False))
    )
    placed: list[PlacedStructure] = []
    unplaced: list[tuple[Structure, str]] = []
    for s in structures:
        snap = index.nearest(s.lon, s.lat, max_m=max_m)
        if snap is None:
            reason = f"more than {max_m:g} m from every road open in winter"
            unplaced.append((s, reason))
            continue
        section = str(G.edges[snap.edge].get(A.SECTION_ID, ""))
        placed.append(PlacedStructure(s, snap.edge, snap.distance_m, section))
    return tuple(placed), tuple(unplaced)
