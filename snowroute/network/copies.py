"""Copies of one road in a centerline layer: duplicates and reversed twins.

City layers exported from a routing graph (OSMnx's ``graph_to_gdfs``, a GIS
network dataset) hold every two-way street twice, once in each direction, and
often leave the one-way column empty: the direction of travel is the digitising
direction of each copy. Read as a plain ledger, such a layer doubles the city's
km. :func:`find_copies` groups the pieces of a repaired topology that join the
same two junctions along the same line (within a distance), and decides:

- copies digitised the same way are *duplicates*: the first is kept;
- a piece with a copy digitised the other way is one *two-way road* when the layer
  is a directed export (both directions kept, km counted once);
- in a directed export a piece without a reversed copy is *one-way* along its
  digitising direction.

A layer is a directed export when ``directed`` says so, or (``"auto"``) when its
one-way column is unmapped or empty and at least :data:`DIRECTED_SHARE` of its
pieces have a reversed copy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import shapely

__all__ = ["DIRECTED_SHARE", "Copies", "Directed", "find_copies"]

#: Share of pieces with a reversed copy from which an unmarked layer is taken to be a
#: directed export (``directed = "auto"``).
DIRECTED_SHARE = 0.3

Directed = Literal["auto", "yes", "no"]


@dataclass(frozen=True, slots=True)
class Copies:
    """What :func:`find_copies` decided for the pieces of a centerline topology.

    Attributes
    ----------
    directed
        Whether the layer was read as a directed export.
    kept_of
        Each piece left out (a duplicate, or the second piece of a reversed twin
        whose first piece carries both directions) and the piece kept for it.
    direction
        Direction forced on a kept piece: ``0`` two-way (a twin), ``1`` one-way
        along its digitising direction (a directed export's single piece).
    duplicates, twins
        How many duplicates were dropped and reversed twins merged.
    """

    directed: bool
    kept_of: dict[int, int] = field(default_factory=dict)
    direction: dict[int, int] = field(default_factory=dict)
    duplicates: int = 0
    twins: int = 0

    def summary(self) -> str:
        """Return one line for the log and the report."""
        kind = "directed export" if self.directed else "one line per road"
        return (
            f"{kind}: {self.twins} reversed twins merged into two-way roads, "
            f"{self.duplicates} duplicate lines dropped"
        )


def find_copies(
    pieces: gpd.GeoDataFrame,
    *,
    tolerance_m: float,
    directed: Directed = "auto",
    oneway_given: bool = False,
) -> Copies:
    """
    Group the pieces that are copies of one road and decide what to keep.

    Parameters
    ----------
    pieces
        The topology's pieces (``u``, ``v``, ``row`` and a metric geometry).
    tolerance_m
        Largest Hausdorff distance between two copies of one road.
    directed
        ``"yes"``/``"no"`` to say whether the layer is a directed export,
        ``"auto"`` to decide from the layer.
    oneway_given
        Whether the layer has a one-way column with any value (then ``"auto"``
        never reads it as a directed export).
    """
    groups = _groups(pieces, tolerance_m)
    reversed_pieces = {
        i
        for g in groups
        for o in g[1:]
        if _reversed(pieces, g[0], o)
        for i in (g[0], o)
    }
    share = len(reversed_pieces) / max(1, len(pieces))
    is_directed = directed == "yes" or (
        directed == "auto" and not oneway_given and share >= DIRECTED_SHARE
    )
    kept_of: dict[int, int] = {}
    direction: dict[int, int] = {}
    n_duplicates = n_twins = 0
    for group in groups:
        first = group[0]
        for other in group[1:]:
            kept_of[other] = first
            if _reversed(pieces, first, other) and is_directed:
                direction[first] = 0
                n_twins += 1
            else:
                n_duplicates += 1
    if is_directed:
        for i in range(len(pieces)):
            if i not in kept_of and i not in direction:
                direction[i] = 1
    return Copies(
        directed=is_directed,
        kept_of=kept_of,
        direction=direction,
        duplicates=n_duplicates,
        twins=n_twins,
    )


def _groups(pieces: gpd.GeoDataFrame, tolerance_m: float) -> list[list[int]]:
    """Pieces between the same two junctions whose lines lie within the tolerance."""
    by_ends: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (u, v) in enumerate(zip(pieces["u"], pieces["v"], strict=True)):
        by_ends[(min(u, v), max(u, v))].append(i)
    geoms = pieces.geometry.to_numpy()
    groups = []
    for members in by_ends.values():
        while members:
            first, rest = members[0], members[1:]
            same = [
                i
                for i in rest
                if shapely.hausdorff_distance(geoms[first], geoms[i]) <= tolerance_m
            ]
            groups.append([first, *same])
            members = [i for i in rest if i not in same]
    return groups


def _reversed(pieces: gpd.GeoDataFrame, a: int, b: int) -> bool:
    """Whether piece ``b`` runs from ``a``'s end to its start."""
    u_a, u_b = pieces["u"].iat[a], pieces["u"].iat[b]
    return bool(u_a == pieces["v"].iat[b] and u_a != u_b)
