"""CARPLIB benchmark instances: reading, turning into routing problems, running sets.

CARPLIB files (``../shared/benchmarks/carp/README_CARPLIB_format.txt``) list
undirected edges ``( u, v) coste c demanda d``; vertices are numbered from 1 (gdb,
val, egl) or from 0 (Hefei, Beijing) and the depot is wherever ``DEPOSITO`` says.
Vertex numbers are kept as they are (vertex ``k`` of the file is vertex ``k`` of the
deadhead graph), so solution files use the instance's own numbers. Every edge
becomes two arcs; a required edge is an ``"either"`` required arc whose service
cost is its traversal cost; parallel edges are kept (the shortest paths use the
cheapest).
"""

from __future__ import annotations

import csv
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from snowroute._errors import InputFileError
from snowroute.routing.problem import (
    ArcRoutingProblem,
    DeadheadGraph,
    Depot,
    RequiredArc,
    VehicleClass,
)
from snowroute.routing.solution import Solution

__all__ = [
    "CarpInstance",
    "bks_name",
    "carp_problem",
    "evaluate_solution",
    "instance_paths",
    "read_bks",
    "read_carp",
    "solution_lines",
]

logger = logging.getLogger(__name__)

_NUMBER = r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"
_EDGE = re.compile(
    rf"^\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*coste\s+({_NUMBER})(?:\s+demanda\s+({_NUMBER}))?\s*$",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^([A-Z_]+)\s*:\s*(.*)$")
_INTEGER_KEYS = ("VERTICES", "ARISTAS_REQ", "ARISTAS_NOREQ", "VEHICULOS", "DEPOSITO")


@dataclass(frozen=True, slots=True)
class CarpInstance:
    """
    A CARPLIB instance as written in its file.

    Parameters
    ----------
    name
        File name without extension (``egl-e1-A``, ``1A``, ``Hefei-10``).
    vertices
        ``VERTICES`` of the file.
    vehicles
        ``VEHICULOS`` (the minimum number of vehicles).
    capacity
        ``CAPACIDAD``.
    depot
        ``DEPOSITO``, in the file's vertex numbers.
    required
        ``(u, v, cost, demand)`` of each required edge, in file order.
    other
        ``(u, v, cost)`` of each non-required edge.
    """

    name: str
    vertices: int
    vehicles: int
    capacity: float
    depot: int
    required: tuple[tuple[int, int, float, float], ...]
    other: tuple[tuple[int, int, float], ...]


def read_carp(path: str | Path) -> CarpInstance:
    """
    Read a CARPLIB instance file.

    Parameters
    ----------
    path
        The ``.dat`` or ``.txt`` file.

    Returns
    -------
    CarpInstance
        The instance.

    Raises
    ------
    InputFileError
        When the file is missing, unreadable or not a well-formed CARPLIB file.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        msg = f"Cannot read CARP instance `{path}`: {exc.strerror or exc}."
        raise InputFileError(msg) from None
    header, required, other = _parse(path, text)
    values, capacity = _numbers(path, header)
    _check(path, values, capacity, required, other)
    return CarpInstance(
        name=path.stem,
        vertices=values["VERTICES"],
        vehicles=values["VEHICULOS"],
        capacity=capacity,
        depot=values["DEPOSITO"],
        required=tuple(required),
        other=tuple(other),
    )


_Required = list[tuple[int, int, float, float]]
_Other = list[tuple[int, int, float]]


def _parse(path: Path, text: str) -> tuple[dict[str, str], _Required, _Other]:
    """Return the header keywords, the required and the other edges of a file."""
    header: dict[str, str] = {}
    required: _Required = []
    other: _Other = []
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("("):
            _edge(path, number, line, section, required, other)
            continue
        match = _HEADER.match(line)
        if match is None:
            msg = (
                f"`{path}` line {number} is neither a CARPLIB keyword nor an edge: "
                f"{line[:60]!r}."
            )
            raise InputFileError(msg)
        key, value = match.group(1).upper(), match.group(2).strip()
        if key.startswith("LISTA_ARISTAS"):
            section = key
        else:
            header[key] = value
    return header, required, other


def _edge(
    path: Path,
    number: int,
    line: str,
    section: str | None,
    required: _Required,
    other: _Other,
) -> None:
    """Read edge line ``number`` into the list of its ``section``."""
    match = _EDGE.match(line)
    if match is None or section is None:
        msg = f"`{path}` line {number} is not a CARPLIB edge line: {line[:60]!r}."
        raise InputFileError(msg)
    u, v = int(match.group(1)), int(match.group(2))
    cost = float(match.group(3))
    if section == "LISTA_ARISTAS_REQ":
        if match.group(4) is None:
            msg = f"`{path}` line {number}: required edge without `demanda`."
            raise InputFileError(msg)
        required.append((u, v, cost, float(match.group(4))))
    else:
        other.append((u, v, cost))


def _numbers(path: Path, header: dict[str, str]) -> tuple[dict[str, int], float]:
    """Return the integer header values and the capacity."""
    for key in (*_INTEGER_KEYS, "CAPACIDAD"):
        if key not in header:
            msg = f"`{path}` has no `{key}` line; it is not a CARPLIB instance."
            raise InputFileError(msg)
    values: dict[str, int] = {}
    for key in _INTEGER_KEYS:
        try:
            values[key] = int(header[key].split()[0])
        except (ValueError, IndexError):
            msg = f"`{path}`: `{key}` must be an integer, got {header[key]!r}."
            raise InputFileError(msg) from None
    try:
        capacity = float(header["CAPACIDAD"].split()[0])
    except (ValueError, IndexError):
        msg = f"`{path}`: `CAPACIDAD` must be a number, got {header['CAPACIDAD']!r}."
        raise InputFileError(msg) from None
    return values, capacity


def _check(
    path: Path,
    values: dict[str, int],
    capacity: float,
    required: _Required,
    other: _Other,
) -> None:
    """Check the edges against the header: counts, vertices, signs."""
    if len(required) != values["ARISTAS_REQ"]:
        msg = (
            f"`{path}` declares {values['ARISTAS_REQ']} required edges but lists "
            f"{len(required)}."
        )
        raise InputFileError(msg)
    if len(other) != values["ARISTAS_NOREQ"]:
        msg = (
            f"`{path}` declares {values['ARISTAS_NOREQ']} non-required edges but lists "
            f"{len(other)}."
        )
        raise InputFileError(msg)
    if capacity <= 0 or not math.isfinite(capacity):
        msg = f"`{path}`: `CAPACIDAD` must be positive, got {capacity}."
        raise InputFileError(msg)
    ids = [x for e in required for x in e[:2]] + [x for e in other for x in e[:2]]
    top = max([values["DEPOSITO"], *ids], default=0)
    if top > values["VERTICES"]:
        msg = (
            f"`{path}` uses vertex {top}, but declares only {values['VERTICES']} "
            "vertices."
        )
        raise InputFileError(msg)
    if (
        any(e[2] < 0 for e in required)
        or any(e[3] < 0 for e in required)
        or any(e[2] < 0 for e in other)
    ):
        msg = f"`{path}` has a negative cost or demand."
        raise InputFileError(msg)


def carp_problem(
    instance: CarpInstance, *, cap_fleet: bool = False
) -> ArcRoutingProblem:
    """
    Build the routing problem of a CARP instance.

    Parameters
    ----------
    instance
        The instance.
    cap_fleet
        Limit the fleet to ``VEHICULOS`` vehicles; by default the fleet is
        unlimited, as in the published best-known values.

    Returns
    -------
    ArcRoutingProblem
        Arcs ``2 k`` and ``2 k + 1`` are edge ``k`` (required edges first, then the
        others, in file order) in the file's and the opposite direction;
        ``RequiredArc.ref`` is ``(u, v)`` as written in the file.
    """
    edges = [(u, v, c) for u, v, c, _ in instance.required] + list(instance.other)
    tail, head, cost = [], [], []
    for u, v, c in edges:
        tail += [u, v]
        head += [v, u]
        cost += [c, c]
    n = max([instance.vertices + 1, *(x + 1 for x in tail)])
    graph = DeadheadGraph(
        tail=np.array(tail, dtype=np.int64),
        head=np.array(head, dtype=np.int64),
        length_m=np.array(cost, dtype=np.float64),
        travel_s=np.array(cost, dtype=np.float64),
        num_vertices=n,
    )
    required = tuple(
        RequiredArc(
            arc=2 * k,
            reverse_arc=2 * k + 1 if u != v else None,
            mode="either" if u != v else "forward",
            service_s=c,
            demand=d,
            ref=(u, v),
        )
        for k, (u, v, c, d) in enumerate(instance.required)
    )
    fleet = VehicleClass(
        name="truck",
        depot="depot",
        count=instance.vehicles if cap_fleet else None,
        capacity=instance.capacity,
    )
    return ArcRoutingProblem(
        graph=graph,
        required=required,
        depots=(Depot("depot", instance.depot),),
        vehicles=(fleet,),
    )


def solution_lines(problem: ArcRoutingProblem, solution: Solution) -> list[str]:
    """One line per route: served edges ``u-v`` in the direction served."""
    graph = problem.graph
    lines = []
    for route in solution.routes:
        served = [
            f"{int(graph.tail[a])}-{int(graph.head[a])}"
            for a, s in zip(route.arcs, route.serving, strict=True)
            if s >= 0
        ]
        lines.append(" ".join(served))
    return lines


def evaluate_solution(instance: CarpInstance, lines: Sequence[str]) -> float:
    """
    Cost of a solution file's routes, recomputed from the instance file alone.

    A check of the written files that shares nothing with the routing code: each
    line is a route from the depot through the served edges ``u-v`` in order and
    back, joined by shortest paths of the instance's own edges.

    Parameters
    ----------
    instance
        The instance.
    lines
        The solution file's lines (blank lines are ignored).

    Returns
    -------
    float
        Total cost: service of every required edge plus the shortest deadhead
        paths between them.

    Raises
    ------
    InputFileError
        When a line names an edge that is not required (or served too often), a
        required edge is not served, or a route carries more than the capacity.
    """
    dist = _distances(instance)
    todo: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for u, v, c, d in instance.required:
        todo.setdefault((min(u, v), max(u, v)), []).append((c, d))
    # Demands of the required edges that share their ends with another one.
    parallel = {k: [d for _, d in cd] for k, cd in todo.items() if len(cd) > 1}
    total = 0.0
    loads: list[float] = []  # per route, parallel required edges left out
    served: list[list[tuple[int, int]]] = []  # per route, its parallel edges
    for number, line in enumerate((x for x in lines if x.strip()), start=1):
        served.append([])
        total, load = _route_cost(
            instance, dist, (number, line), todo, parallel, served[-1], total
        )
        loads.append(load)
    if any(served):
        _check_parallel_loads(instance.capacity, loads, served, parallel)
    missing = [k for k, left in todo.items() if left]
    if missing:
        u, v = missing[0]
        msg = f"Required edge {u}-{v} is not served ({len(missing)} edges missing)."
        raise InputFileError(msg)
    if not math.isfinite(total):
        msg = "A route needs a path the instance's edges do not give."
        raise InputFileError(msg)
    return round(total, 6)


def _distances(instance: CarpInstance) -> np.ndarray:
    """Return the shortest-path costs between all vertices (the cheapest edges)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    edges = [(u, v, c) for u, v, c, _ in instance.required] + list(instance.other)
    n = max([instance.vertices + 1, *(max(u, v) + 1 for u, v, _ in edges)])
    weight: dict[tuple[int, int], float] = {}
    for u, v, c in edges:
        if u != v:
            key = (min(u, v), max(u, v))
            weight[key] = min(c, weight.get(key, math.inf))
    rows = [a for a, _ in weight] + [b for _, b in weight]
    cols = [b for _, b in weight] + [a for a, _ in weight]
    # A zero-cost edge would vanish from the sparse matrix: give it a tiny weight.
    vals = [w if w > 0 else 1e-12 for w in weight.values()] * 2
    matrix = coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    return np.asarray(dijkstra(matrix, directed=True))


def _route_cost(
    instance: CarpInstance,
    dist: np.ndarray,
    route: tuple[int, str],
    todo: dict[tuple[int, int], list[tuple[float, float]]],
    parallel: dict[tuple[int, int], list[float]],
    served: list[tuple[int, int]],
    total: float,
) -> tuple[float, float]:
    """Return ``total`` plus the cost of a route (number, line), and its load.

    The load leaves out parallel edges. Each edge the route serves is taken off
    ``todo``; its parallel edges go to ``served``. The cost is added to ``total``
    edge by edge, in the file's order.
    """
    number, line = route
    at, load = instance.depot, 0.0
    for token in line.split():
        try:
            u, v = (int(x) for x in token.split("-"))
        except ValueError:
            msg = f"Route {number}: {token!r} is not an edge `u-v`."
            raise InputFileError(msg) from None
        left = todo.get((min(u, v), max(u, v)))
        if not left:
            msg = (
                f"Route {number} serves {token}, which is not a required edge "
                "or is served more than once."
            )
            raise InputFileError(msg)
        cost, demand = left.pop(0)
        total += float(dist[at, u]) + cost
        key = (min(u, v), max(u, v))
        if key in parallel:
            served.append(key)
        else:
            load += demand
        at = v
    total += float(dist[at, instance.depot])
    if load > instance.capacity + 1e-9:
        msg = (
            f"Route {number} carries {load:g}, more than the capacity "
            f"{instance.capacity:g}."
        )
        raise InputFileError(msg)
    return total, load


def _check_parallel_loads(
    capacity: float,
    loads: list[float],
    served: list[list[tuple[int, int]]],
    parallel: dict[tuple[int, int], list[float]],
) -> None:
    """
    Raise unless the parallel required edges can be given to routes within capacity.

    A file names an edge by its ends, so when several required edges join the same
    two vertices (Beijing and Hefei have such pairs, with different demands) it
    does not say which route served which of them. The total cost does not depend
    on that; the loads do: the check passes when some assignment of the parallel
    edges to the routes that serve their ends keeps every route within the
    capacity (CP-SAT). ``loads`` are the routes' loads without those edges.
    """
    from ortools.sat.python import cp_model

    values = [*loads, capacity, *(d for ds in parallel.values() for d in ds)]
    scale = 1 if all(float(x).is_integer() for x in values) else 1000
    model = cp_model.CpModel()
    route_load: list[list[Any]] = [[round(load * scale)] for load in loads]
    for key in {k for keys in served for k in keys}:
        slots = [r for r, keys in enumerate(served) for k in keys if k == key]
        copies = parallel[key]
        x = {
            (s, c): model.new_bool_var(f"x{key}_{s}_{c}")
            for s in range(len(slots))
            for c in range(len(copies))
        }
        for s in range(len(slots)):
            model.add_exactly_one(x[s, c] for c in range(len(copies)))
        for c in range(len(copies)):
            model.add_exactly_one(x[s, c] for s in range(len(slots)))
        for (s, c), var in x.items():
            route_load[slots[s]].append(round(copies[c] * scale) * var)
    limit = math.floor(capacity * scale + 1e-6)
    for terms in route_load:
        model.add(sum(terms) <= limit)
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False  # Ctrl-C stays with Python
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60.0
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    msg = (
        "No assignment of the parallel required edges to their routes keeps every "
        f"route within the capacity {capacity:g}"
        + ("." if status == cp_model.INFEASIBLE else " (none found within 60 s).")
    )
    raise InputFileError(msg)


def read_bks(
    path: str | Path,
) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """Best-known value and lower bound per ``(set, instance)`` from ``bks.csv``.

    Raises
    ------
    InputFileError
        When the file is missing or lacks the ``set``, ``instance``, ``bks`` columns.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        msg = f"Cannot read `{path}`: {exc.strerror or exc}."
        raise InputFileError(msg) from None
    if rows and not {"set", "instance", "bks", "lb"} <= set(rows[0]):
        msg = f"`{path}` lacks the columns set, instance, bks, lb."
        raise InputFileError(msg)
    out: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for row in rows:
        bks = float(row["bks"]) if row["bks"] else None
        lb = float(row["lb"]) if row["lb"] else None
        out[(row["set"], row["instance"])] = (bks, lb)
    return out


def _instance_key(path: Path) -> tuple[str, int, str]:
    digits = re.findall(r"\d+", path.stem)
    return (re.sub(r"\d+", "", path.stem), int(digits[0]) if digits else 0, path.stem)


def instance_paths(folder: Path, *, names: Sequence[str] | None = None) -> list[Path]:
    """
    Instance files of a set folder in natural order, or the ``names`` asked for.

    ``val`` files are named ``1A.dat`` but listed in ``bks.csv`` as ``val1A``;
    both spellings are accepted in ``names``.

    Raises
    ------
    InputFileError
        When the folder is missing or a requested instance is not in it.
    """
    if not folder.is_dir():
        msg = f"Benchmark set folder `{folder}` does not exist."
        raise InputFileError(msg)
    files = sorted(
        (p for p in folder.iterdir() if p.suffix in {".dat", ".txt"}), key=_instance_key
    )
    if names is None:
        return files
    by_name = {p.stem: p for p in files}
    chosen = []
    for name in names:
        key = name[3:] if folder.name == "val" and name.startswith("val") else name
        if key not in by_name:
            msg = f"Instance {name!r} is not in `{folder}`."
            raise InputFileError(msg)
        chosen.append(by_name[key])
    return chosen


def bks_name(set_name: str, instance: str) -> str:
    """Return the instance's name in ``bks.csv`` (``val`` file ``1A`` is ``val1A``)."""
    return f"val{instance}" if set_name == "val" else instance


@dataclass(frozen=True, slots=True)
class CarpResult:
    """
    Outcome of one benchmark run.

    Parameters
    ----------
    set
        Benchmark set (folder name).
    instance
        File name without extension.
    engine
        Engine used.
    cost
        Cost recomputed by the validator.
    bks
        Best-known cost from ``bks.csv`` (``None`` when unknown).
    gap_pct
        ``100 * (cost - bks) / bks`` (``None`` when ``bks`` is unknown).
    seconds
        Wall-clock seconds: reading, building and solving.
    peak_mb
        Peak resident memory of the run: the solving process plus its search
        workers (pages shared copy-on-write are counted in each process, so this
        is an upper bound).
    valid
        Whether the validator found the plan feasible.
    routes
        Number of routes.
    lower_bound
        The plan's lower bound.
    lines
        Solution file lines (see :func:`solution_lines`).
    violations
        The validator's violations.
    """

    set: str
    instance: str
    engine: str
    cost: float
    bks: float | None
    gap_pct: float | None
    seconds: float
    peak_mb: float
    valid: bool
    routes: int
    lower_bound: float
    lines: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()
