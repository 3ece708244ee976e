"""Checking a network graph against the schema: collect every problem, raise once."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from snowroute._errors import NetworkValidationError
from snowroute.network import attributes as A

__all__ = ["validate_network"]

_SHOWN = 8


def _check_edge(
    u: Any, v: Any, k: Any, data: dict[str, Any], tagged: bool
) -> list[str]:
    where = f"edge ({u}, {v}, {k})"
    problems = []
    length = data.get("length")
    if not isinstance(length, int | float) or not math.isfinite(length) or length < 0:
        problems.append(f"{where} has no valid `length` ({length!r})")
    if not tagged:
        return problems
    for name, spec in A.EDGE_SCHEMA.items():
        if name not in data:
            problems.append(f"{where} has no `{name}`")
        elif not isinstance(data[name], spec.kind) or (
            spec.kind is int and isinstance(data[name], bool)
        ):
            problems.append(
                f"{where} has `{name}` of type {type(data[name]).__name__}, "
                f"expected {spec.kind.__name__}"
            )
    if problems:
        return problems
    if not data[A.ADMIN_ID]:
        problems.append(f"{where} has an empty `{A.ADMIN_ID}`")
    if data[A.PRIORITY] not in A.PRIORITY_CLASSES:
        problems.append(f"{where} has unknown `priority` {data[A.PRIORITY]!r}")
    if data[A.SERVICE_GRADE] not in (0, 1, 2, 3):
        problems.append(f"{where} has `service_grade` {data[A.SERVICE_GRADE]} not 0-3")
    if data[A.N_LANES] < 1:
        problems.append(f"{where} has `n_lanes` {data[A.N_LANES]} < 1")
    if not data[A.SPEED_KPH] > 0:
        problems.append(f"{where} has `speed_kph` {data[A.SPEED_KPH]} <= 0")
    return problems


def validate_network(G: nx.MultiDiGraph, *, strict: bool = True) -> list[str]:
    """Check ``G`` against the snowroute network schema.

    Checks the graph type and ``crs``, node coordinates, edge lengths and, once the
    network is tagged (graph attribute ``snowroute_tagged``), every attribute of
    :data:`attributes.EDGE_SCHEMA` with its type and range.

    Parameters
    ----------
    G
        The network.
    strict
        Raise when a problem is found; otherwise return the problems.

    Returns
    -------
    list[str]
        Every problem found (empty when the network is valid).

    Raises
    ------
    NetworkValidationError
        When ``strict`` and a problem is found; the message counts every problem and
        shows the first few.
    """
    problems: list[str] = []
    if not isinstance(G, nx.MultiDiGraph):
        problems.append(f"the network is a {type(G).__name__}, not a MultiDiGraph")
    else:
        if "crs" not in G.graph:
            problems.append("the graph has no `crs`")
        for node, data in G.nodes(data=True):
            x, y = data.get("x"), data.get("y")
            if not all(isinstance(c, int | float) and math.isfinite(c) for c in (x, y)):
                problems.append(f"node {node} has no valid `x`/`y`")
        tagged = bool(G.graph.get(A.TAGGED))
        for u, v, k, data in G.edges(keys=True, data=True):
            problems.extend(_check_edge(u, v, k, data, tagged))
    if problems and strict:
        shown = "; ".join(problems[:_SHOWN])
        more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        msg = f"The network has {len(problems)} problem(s): {shown}{more}."
        raise NetworkValidationError(msg)
    return problems
