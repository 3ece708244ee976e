"""Named arc-routing instances on real street networks, for ``run.py``.

Every instance is one :class:`~snowroute.routing.ArcRoutingProblem` built through
the same scenario code the planner uses (``snowroute.prepare``), plus
the objective it is solved for. The numbers (roads, fleets, speeds, deadlines,
turn rules) all come from the shipped scenarios; nothing is tuned here.

Middleton, WI (``scenarios/middleton.toml``; OSM drive network in
``../shared/networks/middleton-wi``), one problem per administrator, each with its
own depot and fleet, objective ``total_time``:

- ``middleton-city``: City of Middleton streets (``middleton``), 3 tandems and 4
  one-ton trucks; ``middleton-county``: Dane County trunk highways (``dane``);
  ``middleton-state``: US 12/14 (``WI``, WisDOT).
- ``...-noturns``: the same without the scenario's ``[turns]`` rules (no turn
  costs, U-turns anywhere).
- ``middleton-city-4trucks``: the city's streets with 4 identical trucks (the
  ``city-tandem`` class with ``count = 4`` and a 12 h shift, so that any split
  fits), objective ``makespan``. :func:`districts` cuts its required arcs into 4
  quadrants at the median x and y of their midpoints: a stand-in for the
  hand-drawn plow districts of a road authority, not Middleton's real ones.

Demo (``scenarios/demo.toml``, synthetic Akita-like OSM network in
``networks/demo``), no turn rules: ``demo-<admin>`` for the prefecture (``05``)
and each municipality, objective ``total_time``.

Generated city (``snowroute.datasets.city``, the 52 k-edge ledger of
``benchmarks/scale``: 118 x 118 blocks, 5 x 5 municipal depot districts and 4
prefectural ones, turn rules on), split into depot districts as
``benchmarks/scale/run.py`` does (nearest depot by road distance, district graph
cut around it, borders repaired). Three districts, objective ``total_time``
(sizes when written):

- ``city-d1``: municipal district C22, downtown (one-way pairs), 912 services,
  smallest municipal district.
- ``city-d2``: municipal district C33, 978 services on a 5.7 k-arc graph,
  largest municipal district.
- ``city-d3``: prefectural district P0, arterials plowed lane by lane: 715 roads,
  2,860 services on a 16.5 k-arc graph.

The generated city (files, tagged graph, district split) is cached under
``$TMPDIR/snowroute-realnet/`` in a folder named after its parameters and a hash
of the generator, reader and districting code; delete it to rebuild. Within a
process each source (Middleton, demo, city) is read once, and each instance is
built once.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import statistics
import tempfile
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import networkx as nx

import snowroute
from snowroute.network.attributes import EdgeKey
from snowroute.prepare import (
    depot_nodes,
    graph_from_scenario,
    plow_edges,
    plow_problem,
    vehicle_classes,
)
from snowroute.routing import ArcRoutingProblem, Objective, VehicleClass
from snowroute.scenario.load import scenario_from_toml
from snowroute.scenario.model import Scenario

__all__ = ["Instance", "build", "districts", "instance_names"]

ROOT = Path(__file__).resolve().parents[2]
MIDDLETON = ROOT / "scenarios" / "middleton.toml"
DEMO = ROOT / "scenarios" / "demo.toml"
CACHE = Path(tempfile.gettempdir()) / "snowroute-realnet"

#: Middleton administrator id -> instance label.
MIDDLETON_ADMINS = {"middleton": "city", "dane": "county", "WI": "state"}
#: The 4-truck instance: vehicle class, fleet size, shift.
FOUR_TRUCKS = ("city-tandem", 4, 12 * 3600.0)
#: Generated city: layout parameters and the depot district of each instance.
CITY = {"blocks": 118, "districts": 5, "seed": 0}
CITY_DISTRICTS = {"city-d1": "C22", "city-d2": "C33", "city-d3": "P0"}


@dataclass(frozen=True)
class Instance:
    """One benchmark instance: the problem, its objective and its road network."""

    name: str
    problem: ArcRoutingProblem
    objective: Objective
    graph: nx.MultiDiGraph  # the network the problem is built on (coordinates)
    about: str


@dataclass(frozen=True)
class _Source:
    """A scenario with its network read once: everything a problem is built from."""

    scenario: Scenario
    graph: nx.MultiDiGraph
    depots: dict[str, Hashable]
    edges: dict[EdgeKey, str]  # edges to plow -> administrator


def _read_source(path: Path) -> _Source:
    sc = scenario_from_toml(path)
    G = graph_from_scenario(sc)
    return _Source(sc, G, depot_nodes(G, sc), plow_edges(G, sc))


@functools.cache
def _middleton() -> _Source:
    return _read_source(MIDDLETON)


@functools.cache
def _demo() -> _Source:
    return _read_source(DEMO)


@functools.cache
def _admins(path: Path) -> tuple[str, ...]:
    return scenario_from_toml(path).plow_admins


def _admin_problem(
    src: _Source,
    admin: str,
    *,
    turns: bool = True,
    vehicles: tuple[VehicleClass, ...] | None = None,
) -> ArcRoutingProblem:
    """Build the problem of plowing ``admin``'s roads (its own fleet by default)."""
    sc = src.scenario if turns else dataclasses.replace(src.scenario, turns=None)
    edges = sorted([e for e, o in src.edges.items() if o == admin], key=str)
    fleet = vehicle_classes(sc, admins=[admin]) if vehicles is None else vehicles
    return plow_problem(src.graph, sc, src.depots, edges, fleet)


def _middleton_admin(name: str, admin: str, turns: bool) -> Instance:
    src = _middleton()
    about = f"Middleton, administrator {admin!r}, own fleet" + (
        ", turn rules" if turns else ", no turn rules"
    )
    problem = _admin_problem(src, admin, turns=turns)
    return Instance(name, problem, "total_time", src.graph, about)


def _middleton_four_trucks(name: str) -> Instance:
    src = _middleton()
    vehicle, count, shift_s = FOUR_TRUCKS
    base = next(v for v in vehicle_classes(src.scenario) if v.name == vehicle)
    fleet = (dataclasses.replace(base, count=count, shift_s=shift_s),)
    problem = _admin_problem(src, "middleton", vehicles=fleet)
    about = (
        f"Middleton city streets, {count} x {vehicle} ({shift_s / 3600:.0f} h shift), "
        "turn rules"
    )
    return Instance(name, problem, "makespan", src.graph, about)


def _demo_admin(name: str, admin: str) -> Instance:
    src = _demo()
    problem = _admin_problem(src, admin)
    about = f"demo network, administrator {admin!r}, own fleet"
    return Instance(name, problem, "total_time", src.graph, about)


def _city_folder() -> Path:
    """Cache folder of the generated city: its parameters and a code hash."""
    package = Path(snowroute.__file__).parent
    code = hashlib.sha1(usedforsecurity=False)
    for path in (
        package / "datasets" / "city.py",
        package / "network" / "centerline.py",
        Path(__file__).with_name("districts.py"),
    ):
        code.update(path.read_bytes())
    label = "-".join(f"{k}{v}" for k, v in CITY.items())
    return CACHE / f"city-{label}-{code.hexdigest()[:10]}"


def _city_districts(src: _Source) -> dict[str, tuple[list[EdgeKey], list[Hashable]]]:
    """Depot districts of the city's administrators, as ``scale/run.py`` splits them.

    Returns the chosen depots' edges to plow and the nodes of their district graph.
    """
    from districts import (
        depot_districts,
        district_graph,
        repair_borders,
    )

    sc, G = src.scenario, src.graph
    wanted = set(CITY_DISTRICTS.values())
    out: dict[str, tuple[list[EdgeKey], list[Hashable]]] = {}
    for admin in sc.plow_admins:
        own = {e: a for e, a in src.edges.items() if a == admin}
        ids = [
            d.id
            for d in sc.depots
            if d.admin == admin and any(v.depot == d.id for v in sc.vehicles)
        ]
        depots = {d: src.depots[d] for d in ids}
        assignment = depot_districts(G, own, depots, dict.fromkeys(ids, admin))
        graphs = {
            d: district_graph(G, [e for e, x in assignment.items() if x == d], n)
            for d, n in depots.items()
        }
        assignment, _ = repair_borders(assignment, graphs)
        for d in wanted.intersection(ids):
            mine = sorted((e for e, x in assignment.items() if x == d), key=str)
            out[d] = (mine, list(graphs[d].nodes))
    return out


def _write_pickle(path: Path, value: object) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


@functools.cache
def _city() -> tuple[_Source, dict[str, tuple[list[EdgeKey], list[Hashable]]]]:
    """Return the generated city and its chosen districts (cached under /tmp)."""
    from snowroute.datasets.city import write_city_network

    folder = _city_folder()
    cached = folder / "city.pkl"
    scenario_path = folder / "city.toml"
    if cached.exists() and scenario_path.exists():
        with cached.open("rb") as f:  # our own cache file
            G, split = pickle.load(f)
        sc = scenario_from_toml(scenario_path)
        return _Source(sc, G, depot_nodes(G, sc), plow_edges(G, sc)), split
    write_city_network(folder, **CITY)
    src = _read_source(scenario_path)
    split = _city_districts(src)
    _write_pickle(cached, (src.graph, split))
    return src, split


def _city_district(name: str, depot: str) -> Instance:
    src, split = _city()
    edges, nodes = split[depot]
    graph = src.graph.subgraph(nodes)
    fleet = tuple(v for v in vehicle_classes(src.scenario) if v.depot == depot)
    problem = plow_problem(graph, src.scenario, src.depots, edges, fleet)
    admin = src.scenario.depot(depot).admin
    about = f"generated city, depot district {depot} (administrator {admin!r})"
    return Instance(name, problem, "total_time", graph, about)


def _builders() -> dict[str, Callable[[], Instance]]:
    """Instance name -> function that builds it, in listing order."""
    out: dict[str, Callable[[], Instance]] = {}
    for admin, label in MIDDLETON_ADMINS.items():
        for turns in (True, False):
            name = f"middleton-{label}" + ("" if turns else "-noturns")
            out[name] = functools.partial(_middleton_admin, name, admin, turns)
    name = "middleton-city-4trucks"
    out[name] = functools.partial(_middleton_four_trucks, name)
    for admin in _admins(DEMO):
        name = f"demo-{admin}"
        out[name] = functools.partial(_demo_admin, name, admin)
    for name, depot in CITY_DISTRICTS.items():
        out[name] = functools.partial(_city_district, name, depot)
    return out


def instance_names() -> list[str]:
    """Every instance name, in listing order (reads no network)."""
    return list(_builders())


@functools.cache
def build(name: str) -> Instance:
    """Build the instance called ``name`` (once per process).

    Raises
    ------
    KeyError
        When no instance has that name.
    """
    builders = _builders()
    if name not in builders:
        msg = f"no instance {name!r}; instances: {', '.join(builders)}"
        raise KeyError(msg)
    return builders[name]()


def districts(instance_name: str) -> list[str]:
    """District label (``NE``, ``NW``, ``SE``, ``SW``) of each required arc.

    Quadrants at the median x and median y of the required arcs' midpoints (in
    ``problem.required`` order): a stand-in for hand-drawn plow districts, meant
    for ``middleton-city-4trucks`` (one truck per quadrant) but defined for any
    instance.
    """
    inst = build(instance_name)
    refs = inst.problem.graph.edge_refs
    assert refs is not None  # built from a graph: every arc has its edge
    nodes = inst.graph.nodes
    mids = []
    for r in inst.problem.required:
        u, v, _ = cast("EdgeKey", refs[r.arc])
        mx = (nodes[u]["x"] + nodes[v]["x"]) / 2
        my = (nodes[u]["y"] + nodes[v]["y"]) / 2
        mids.append((mx, my))
    x0 = statistics.median(x for x, _ in mids)
    y0 = statistics.median(y for _, y in mids)
    return [("N" if y > y0 else "S") + ("E" if x > x0 else "W") for x, y in mids]
