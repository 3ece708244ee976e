"""What the visit-day search places: sections and due structures, and their distances.

Each section becomes an item whose options are its visit days from each possible
first day (:func:`~snowroute.patrol.days.greedy_visits`); each due structure an
item whose options are the patrol days up to its due date. Each item has a unit
(its roads); :func:`unit_distances` gives the shortest-path times between units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from snowroute.network.attributes import EdgeKey
from snowroute.patrol.days import FloatArray, Item, greedy_visits
from snowroute.patrol.frequency import Calendar
from snowroute.patrol.routes import road_edges
from snowroute.patrol.scope import PatrolScope
from snowroute.patrol.structures import PlacedStructure
from snowroute.routing import ArcRoutingProblem

__all__ = ["unit_distances", "visit_items"]


def unit_distances(
    base: ArcRoutingProblem, units: list[list[int]], depot_vertex: int
) -> FloatArray:
    """Return symmetric shortest-path times between vertex sets (row 0: the depot).

    Deadhead times of the first vehicle class of ``base``; unreachable pairs get
    ``1e9`` seconds.
    """
    graph = base.graph
    times = base.deadhead_s(0)
    n = graph.num_vertices
    order = np.lexsort((times, graph.head, graph.tail))
    tail, head, cost = graph.tail[order], graph.head[order], times[order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    # tiny floor: csgraph drops explicit zeros
    matrix = csr_matrix(
        (np.maximum(cost[first], 1e-6), (tail[first], head[first])), shape=(n, n)
    )
    sets = [[depot_vertex], *units]
    out = np.zeros((len(sets), len(sets)), dtype=np.float64)
    for i, vertices in enumerate(sets):
        dist = dijkstra(matrix, indices=vertices, min_only=True)
        for j, other in enumerate(sets):
            out[i, j] = float(np.min(dist[other]))
    sym: FloatArray = (out + out.T) / 2
    sym[~np.isfinite(sym)] = 1e9
    return sym


def visit_items(
    G: nx.MultiDiGraph,
    scope: PatrolScope,
    frequencies: Mapping[str, int],
    last_visits: Mapping[str, dt.date],
    structures: Sequence[PlacedStructure],
    calendar: Calendar,
    speed_kph: float,
) -> tuple[list[Item], list[list[EdgeKey]]]:
    """Return the items to place on days, and the edges of each item's unit.

    Units are numbered from 1 in the order returned (0 is the depot): sections
    in scope order, then ``structures``.
    """
    positions = [calendar.day_position(d) for d in range(calendar.days + 1)]
    items: list[Item] = []
    unit_edges: list[list[EdgeKey]] = []
    unit_of: dict[str, int] = {}
    for section in scope.sections.values():
        unit_edges.append(list(section.edges))
        unit_of[section.section_id] = len(unit_edges)
        prev = calendar.previous_position(last_visits.get(section.section_id))
        options = _section_options(
            frequencies[section.section_id], prev, calendar, positions
        )
        items.append(
            Item(
                name=section.section_id,
                unit=len(unit_edges),
                service_s=section.road_km * 3600.0 / speed_kph,
                options=options,
            )
        )
    last_day = calendar.days - 1
    patrol_days = calendar.patrol_days
    for placed in structures:
        s = placed.structure
        due_day = (s.due - calendar.start).days
        limit = max(min(due_day, last_day), patrol_days[0])
        unit_edges.append(road_edges(G, placed.edge))
        road_m = float(G.edges[placed.edge]["length"])
        items.append(
            Item(
                name=s.structure_id,
                unit=len(unit_edges),
                service_s=road_m * 3.6 / speed_kph,
                options=tuple((d,) for d in patrol_days if d <= limit),
                extra_s=60.0 * s.minutes_on_site,
                covered_by=unit_of.get(placed.section_id, -1),
            )
        )
    return items, unit_edges


def _section_options(
    frequency: int, prev: int, calendar: Calendar, positions: Sequence[int]
) -> tuple[tuple[int, ...], ...]:
    """Return a section's visit days from each first day that keeps its first gap.

    The first day must lie within ``frequency`` of the last visit (at position
    ``prev``); when none does, the first patrol day (the validator then reports
    the gap). ``positions[d]`` is day ``d`` on the gap axis.
    """
    patrol_days = calendar.patrol_days
    firsts = [d for d in patrol_days if positions[d] <= prev + frequency]
    if not firsts:
        firsts = list(patrol_days[:1])
    return tuple(
        greedy_visits(
            d,
            frequency=frequency,
            positions=positions,
            patrol_days=patrol_days,
            end_position=positions[calendar.days],
        )
        for d in firsts
    )
