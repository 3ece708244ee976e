"""A tiny hand-made road network for the routing tests.

::

    0 ---- 1 ---> 2          horizontal edges 100 m, vertical 150 m,
    |      |      |          10 m/s (36 km/h): 10 s and 15 s;
    3 ---- 4 ---- 5          1 -> 2 is one-way, everything else two-way.

Arc indices (tail -> head): 0: 0>1, 1: 1>0, 2: 1>2, 3: 0>3, 4: 3>0, 5: 1>4, 6: 4>1,
7: 2>5, 8: 5>2, 9: 3>4, 10: 4>3, 11: 4>5, 12: 5>4. Depot ``garage`` at 0 and
``barn`` at 5.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from snowroute.routing import (
    ArcRoutingProblem,
    DeadheadGraph,
    Depot,
    RequiredArc,
    VehicleClass,
)

ARCS = [
    (0, 1, 100),
    (1, 0, 100),
    (1, 2, 100),
    (0, 3, 150),
    (3, 0, 150),
    (1, 4, 150),
    (4, 1, 150),
    (2, 5, 150),
    (5, 2, 150),
    (3, 4, 100),
    (4, 3, 100),
    (4, 5, 100),
    (5, 4, 100),
]


def toy_graph(
    extra: Sequence[tuple[int, int, float]] = (), vertices: int = 6
) -> DeadheadGraph:
    arcs = ARCS + list(extra)
    return DeadheadGraph(
        tail=np.array([a[0] for a in arcs]),
        head=np.array([a[1] for a in arcs]),
        length_m=np.array([a[2] for a in arcs], dtype=float),
        travel_s=np.array([a[2] / 10 for a in arcs], dtype=float),
        num_vertices=vertices,
    )


def either(arc: int, reverse: int, **kw: Any) -> RequiredArc:
    return RequiredArc(
        arc=arc, reverse_arc=reverse, mode="either", ref=kw.pop("ref", arc), **kw
    )


def all_roads(**kw: Any) -> list[RequiredArc]:
    """Every road once: the one-way 1>2 forward, the rest in either direction."""
    return [
        either(0, 1, **kw),
        RequiredArc(arc=2, mode="forward", ref=2, **kw),
        either(3, 4, **kw),
        either(5, 6, **kw),
        either(7, 8, **kw),
        either(9, 10, **kw),
        either(11, 12, **kw),
    ]


def toy_problem(
    required: Sequence[RequiredArc] | None = None,
    vehicles: Sequence[VehicleClass] | None = None,
    deadlines: dict[str, float] | None = None,
    graph: DeadheadGraph | None = None,
) -> ArcRoutingProblem:
    return ArcRoutingProblem(
        graph=graph or toy_graph(),
        required=tuple(required if required is not None else all_roads()),
        depots=(Depot("garage", 0), Depot("barn", 5)),
        vehicles=tuple(vehicles or (VehicleClass("truck", "garage"),)),
        deadlines=deadlines or {},
    )


def served_counts(solution: Any, problem: ArcRoutingProblem) -> dict[int, int]:
    """How many times each arc index is driven while serving."""
    counts: dict[int, int] = {}
    for route in solution.routes:
        for a, s in zip(route.arcs, route.serving, strict=True):
            if s >= 0:
                counts[int(a)] = counts.get(int(a), 0) + 1
    return counts


def grid_problem(
    rows: int = 5,
    cols: int = 6,
    *,
    vehicles: Sequence[VehicleClass] | None = None,
    block_m: float = 100.0,
) -> ArcRoutingProblem:
    """A ``rows`` x ``cols`` street grid, every street two-way and required once.

    Vertex ``r * cols + c``; blocks of ``block_m`` at 10 m/s; depot ``yard`` at the
    corner vertex 0; arcs carry ``edge_refs`` ``(u, v, 0)`` so plans carry over.
    """
    tail: list[int] = []
    head: list[int] = []
    for r in range(rows):
        for c in range(cols):
            v = r * cols + c
            for w in ([v + 1] if c + 1 < cols else []) + (
                [v + cols] if r + 1 < rows else []
            ):
                tail += [v, w]
                head += [w, v]
    n_arcs = len(tail)
    graph = DeadheadGraph(
        tail=np.array(tail),
        head=np.array(head),
        length_m=np.full(n_arcs, block_m),
        travel_s=np.full(n_arcs, block_m / 10),
        num_vertices=rows * cols,
        edge_refs=tuple((t, h, 0) for t, h in zip(tail, head, strict=True)),
    )
    required = tuple(either(a, a + 1, ref=a) for a in range(0, n_arcs, 2))
    return ArcRoutingProblem(
        graph=graph,
        required=required,
        depots=(Depot("yard", 0),),
        vehicles=tuple(vehicles or (VehicleClass("truck", "yard", count=4),)),
    )


def grid_with_deadlines(
    vehicles: Sequence[VehicleClass], deadline_s: float
) -> ArcRoutingProblem:
    """:func:`grid_problem` with every fifth street in class ``main``, due by
    ``deadline_s``."""
    problem = grid_problem(vehicles=vehicles)
    required = tuple(
        dataclasses.replace(r, priority="main") if k % 5 == 0 else r
        for k, r in enumerate(problem.required)
    )
    return dataclasses.replace(
        problem, required=required, deadlines={"main": deadline_s}
    )
