"""From a scenario to road networks and arc-routing problems.

The bridge that the exchange and patrol planners share: read and tag the network a
scenario names, snap its depots to road nodes, turn its vehicle classes into
routing :class:`~snowroute.routing.VehicleClass` objects, pick the roads that must be
plowed and build one :class:`~snowroute.routing.ArcRoutingProblem` for any subset
of roads and fleet.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Collection, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from snowroute._errors import ScenarioError, TaggingError
from snowroute.network import (
    Boundaries,
    Override,
    RuleSet,
    largest_component,
    load_boundaries,
    load_overrides,
    load_rules,
    tagged_graph_from_file,
)
from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey
from snowroute.network.centerline import CenterlineColumns, graph_from_centerline
from snowroute.network.ingest import OSM_ROAD_CLASSES
from snowroute.routing import (
    ArcRoutingProblem,
    PyVRPParams,
    SolveParams,
    TurnRules,
    VehicleClass,
    problem_from_graph,
)
from snowroute.scenario.model import Scenario

__all__ = [
    "MAX_DEPOT_SNAP_M",
    "check_network_limits",
    "check_patrol_frequencies",
    "check_plow_admins",
    "check_road_classes",
    "depot_nodes",
    "graph_from_scenario",
    "km",
    "plow_edges",
    "plow_problem",
    "pyvrp_params",
    "solve_params",
    "tagging_inputs",
    "vehicle_classes",
]

logger = logging.getLogger(__name__)


#: Farthest a depot may lie from its nearest road node, in metres.
MAX_DEPOT_SNAP_M = 500.0


def graph_from_scenario(scenario: Scenario) -> nx.MultiDiGraph:
    """Read and tag the road network of ``scenario`` (its ``[network]`` table).

    Raises
    ------
    InputFileError
        When a file cannot be read.
    TaggingError
        When the rules, boundaries or overrides cannot be applied.
    """
    spec = scenario.network
    if spec.format == "centerline":
        G = _centerline_network(scenario)
    else:
        rules, boundaries, overrides = tagging_inputs(scenario)
        G = tagged_graph_from_file(
            scenario.resolve(spec.source),
            rules=rules,
            boundaries=boundaries,
            overrides=overrides,
            largest=spec.largest_component,
        )
    check_network_limits(G, scenario)
    check_plow_admins(G, scenario)
    check_road_classes(G, scenario)
    check_patrol_frequencies(G, scenario)
    return G


def check_plow_admins(G: nx.MultiDiGraph, scenario: Scenario) -> None:
    """Refuse a scenario that plows for an administrator owning no road of ``G``.

    Such an id is nearly always a typo (``dane2`` for ``dane``): its fleet would
    sit idle and the roads meant for it would silently go unplowed.

    Raises
    ------
    ScenarioError
        Naming the field, the id and the administrators that do own roads.
    """
    owners = {str(d.get(A.ADMIN_ID, "")) for _, _, d in G.edges(data=True)}
    owners -= {A.UNKNOWN, ""}
    for admin in scenario.plow_admins:
        if admin in owners:
            continue
        if scenario.service.admins is not None:
            where = f"service.admins[{scenario.service.admins.index(admin)}]"
        else:
            i = next(i for i, d in enumerate(scenario.depots) if d.admin == admin)
            where = f"depots[{i}].admin"
        msg = (
            f"Scenario field `{where}`: administrator {admin!r} owns no road of the "
            f"network (administrators with roads: {_listed(owners)})."
        )
        raise ScenarioError(msg)


def check_road_classes(G: nx.MultiDiGraph, scenario: Scenario) -> None:
    """Refuse a road class that neither the network nor OSM knows (a typo).

    A vehicle's ``road_classes`` and ``service.exclude_road_classes`` may name
    OSM classes the network happens not to have; anything else is a mistake
    that would silently keep a vehicle off roads it should plow, or plow roads
    meant to be left out.

    Raises
    ------
    ScenarioError
        Naming the field, the class and the network's own classes.
    """
    present = {_road_class(d) for _, _, d in G.edges(data=True)}
    fields = [
        (f"vehicles[{i}].road_classes", v.road_classes or ())
        for i, v in enumerate(scenario.vehicles)
    ]
    fields.append(
        ("service.exclude_road_classes", scenario.service.exclude_road_classes)
    )
    for name, classes in fields:
        for j, road_class in enumerate(classes):
            if road_class in present or road_class in OSM_ROAD_CLASSES:
                continue
            msg = (
                f"Scenario field `{name}[{j}]`: road class {road_class!r} is neither "
                f"a class of the network's roads nor an OSM highway class (the "
                f"network's: {_listed(present - {''})})."
            )
            raise ScenarioError(msg)


def check_patrol_frequencies(G: nx.MultiDiGraph, scenario: Scenario) -> None:
    """Refuse a ``patrol.frequency_days`` key that names nothing (a typo).

    A key may be a priority class, an OSM road class, or a road class, route id
    or section id of the network; any other key would be ignored without a
    word, and its roads patrolled at another key's frequency.

    Raises
    ------
    ScenarioError
        Naming the key and what a key may be.
    """
    if scenario.patrol is None:
        return
    known = set(A.PRIORITY_CLASSES) | OSM_ROAD_CLASSES
    names = (A.ROUTE_ID, A.ROAD_CLASS, A.SECTION_ID)
    for *_, data in G.edges(data=True):
        known.update(str(data.get(name, "")) for name in names)
    for key in scenario.patrol.frequency_days:
        if key not in known:
            msg = (
                f"Scenario field `patrol.frequency_days.{key}` names no priority "
                f"class ({', '.join(A.PRIORITY_CLASSES)}), road class, route or "
                f"section of the network."
            )
            raise ScenarioError(msg)


def _road_class(data: Mapping[str, Any]) -> str:
    """Return an edge's road class (its OSM ``highway`` where it has none)."""
    return str(data.get(A.ROAD_CLASS, data.get("highway", "")))


def _listed(values: Collection[str], most: int = 12) -> str:
    """Sorted ``values``, comma-separated, the first ``most`` and how many more."""
    names = sorted(values)
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def check_network_limits(G: nx.MultiDiGraph, scenario: Scenario) -> None:
    """Refuse a network with more unknown or cut-off road km than the scenario allows.

    Raises
    ------
    TaggingError
        Naming the km, the limit and example edges (``network.max_unknown_km``,
        ``network.max_dropped_km``).
    """
    spec = scenario.network
    unknown = [
        (d, str(d.get("osmid", f"{u}-{v}")))
        for u, v, d in G.edges(data=True)
        if d.get(A.ADMIN_ID) == A.UNKNOWN
    ]
    unknown_km = sum(A.road_km(d) for d, _ in unknown)
    if spec.max_unknown_km is not None and unknown_km > spec.max_unknown_km:
        examples = ", ".join(list(dict.fromkeys(e for _, e in unknown))[:5])
        msg = (
            f"{unknown_km:.2f} km of roads have no known administrator (limit "
            f"`network.max_unknown_km` = {spec.max_unknown_km:g} km; e.g. {examples})."
        )
        raise TaggingError(msg)
    dropped_km = float(G.graph.get("dropped_km", 0.0))
    if spec.max_dropped_km is not None and dropped_km > spec.max_dropped_km:
        msg = (
            f"{dropped_km:.2f} km of roads are cut off from the largest connected "
            f"piece (limit `network.max_dropped_km` = {spec.max_dropped_km:g} km; "
            f"e.g. {G.graph.get('dropped_examples', '')})."
        )
        raise TaggingError(msg)


def tagging_inputs(
    scenario: Scenario,
) -> tuple[RuleSet, Boundaries | None, tuple[Override, ...]]:
    """Load the rule set, boundaries and overrides that tag an OSM network.

    Raises
    ------
    InputFileError
        When a file cannot be read.
    TaggingError
        When the rule set cannot be loaded.
    """
    spec = scenario.network
    rules = load_rules(
        scenario.resolve(Path(spec.rules))
        if spec.rules.endswith(".toml")
        else spec.rules,
        **spec.params,
    )
    boundaries = (
        None
        if spec.boundaries is None
        else load_boundaries(
            scenario.resolve(spec.boundaries),
            code_col=spec.boundary_code,
            name_col=spec.boundary_name,
        )
    )
    overrides = (
        ()
        if spec.overrides is None
        else load_overrides(scenario.resolve(spec.overrides))
    )
    return rules, boundaries, tuple(overrides)


def _centerline_network(scenario: Scenario) -> nx.MultiDiGraph:
    spec = scenario.network
    assert spec.columns is not None  # NetworkSpec checks it
    try:
        columns = CenterlineColumns(**dataclasses.asdict(spec.columns))
    except ValueError as exc:  # ColumnsSpec checks these; a last guard
        msg = f"Scenario table `[network.columns]`: {exc}"
        raise ScenarioError(msg) from None
    G = graph_from_centerline(
        scenario.resolve(spec.source),
        columns=columns,
        layer=spec.layer,
        snap_m=spec.snap_m,
        crossings=spec.crossings,
    )
    return largest_component(G) if spec.largest_component else G


def depot_nodes(G: nx.MultiDiGraph, scenario: Scenario) -> dict[str, Hashable]:
    """Snap every depot of ``scenario`` to its road node.

    A depot given by ``node`` must be a node of ``G``; one given by ``lon``/``lat``
    goes to the nearest node (great-circle distance), which must lie within
    :data:`MAX_DEPOT_SNAP_M`.

    Raises
    ------
    ScenarioError
        When a depot's node is not in the network or its point is too far from it.
    """
    nodes = list(G.nodes)
    xs = np.array([G.nodes[n]["x"] for n in nodes], dtype=np.float64)
    ys = np.array([G.nodes[n]["y"] for n in nodes], dtype=np.float64)
    out: dict[str, Hashable] = {}
    for i, depot in enumerate(scenario.depots):
        if depot.node is not None:
            if depot.node not in G and str(depot.node) not in G:
                msg = (
                    f"Scenario field `depots[{i}].node`: node {depot.node} of depot "
                    f"{depot.id!r} is not in the road network."
                )
                raise ScenarioError(msg)
            out[depot.id] = depot.node if depot.node in G else str(depot.node)
            continue
        assert depot.lon is not None
        assert depot.lat is not None
        dist = _haversine_m(depot.lon, depot.lat, xs, ys)
        best = int(np.argmin(dist))
        if dist[best] > MAX_DEPOT_SNAP_M:
            msg = (
                f"Scenario field `depots[{i}]`: depot {depot.id!r} lies "
                f"{dist[best]:,.0f} m from the nearest road node (at most "
                f"{MAX_DEPOT_SNAP_M:,.0f} m allowed)."
            )
            raise ScenarioError(msg)
        out[depot.id] = nodes[best]
    return out


def _haversine_m(lon: float, lat: float, xs: Any, ys: Any) -> Any:
    lon1, lat1, lon2, lat2 = map(np.radians, (lon, lat, xs, ys))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


def vehicle_classes(
    scenario: Scenario, *, admins: Collection[str] | None = None
) -> tuple[VehicleClass, ...]:
    """Routing vehicle classes of ``scenario``, optionally of ``admins`` only.

    Each class keeps its scenario id as ``name``; capacity is the salt load in
    tonnes when the scenario spreads salt (``service.salt_t_per_km > 0``).
    """
    salting = scenario.service.salt_t_per_km > 0
    out = []
    for v in scenario.vehicles:
        if admins is not None and scenario.admin_of_vehicle(v) not in admins:
            continue
        out.append(
            VehicleClass(
                name=v.id,
                depot=v.depot,
                count=v.count,
                capacity=v.capacity_t if salting else None,
                shift_s=v.shift_h * 3600.0,
                plow_speed_kph=v.plow_speed_kph,
                deadhead_speed_kph=v.deadhead_speed_kph,
                road_classes=None
                if v.road_classes is None
                else frozenset(v.road_classes),
                min_width_m=v.min_width_m,
                refill_depots=v.refill_depots if salting else (),
            )
        )
    return tuple(out)


def plow_edges(G: nx.MultiDiGraph, scenario: Scenario) -> dict[EdgeKey, str]:
    """Edges that must be plowed, each with its administrator id.

    The roads of ``scenario.plow_admins`` except excluded road classes and
    winter-closed roads.
    """
    admins = set(scenario.plow_admins)
    excluded = set(scenario.service.exclude_road_classes)
    out: dict[EdgeKey, str] = {}
    for u, v, k, data in G.edges(keys=True, data=True):
        admin = str(data.get(A.ADMIN_ID, ""))
        if admin not in admins or A.parse_bool(data.get(A.WINTER_CLOSED, False)):
            continue
        if _road_class(data) in excluded:
            continue
        out[(u, v, k)] = admin
    return out


def plow_problem(
    G: nx.MultiDiGraph,
    scenario: Scenario,
    depots: Mapping[str, Hashable],
    edges: Iterable[EdgeKey],
    vehicles: tuple[VehicleClass, ...],
) -> ArcRoutingProblem:
    """Build the arc-routing problem of plowing ``edges`` with ``vehicles``.

    Service rules from ``scenario.service``: deadlines per priority class (seconds
    after the shift start), both directions for the listed priority classes, one
    pass per lane and direction when ``passes_per_lane``, salt demand per km.
    Only depots that ``vehicles`` use (as base or refill) enter the problem. With a
    ``[turns]`` table the problem carries turn rules.

    Raises
    ------
    ProblemError, InfeasibleError
        When the problem is invalid or a road can be served by no vehicle.
    """
    service = scenario.service
    both = set(service.both_directions)
    salt = service.salt_t_per_km
    used = {v.depot for v in vehicles} | {d for v in vehicles for d in v.refill_depots}

    def both_directions(u: Any, v: Any, k: int, data: Mapping[str, Any]) -> bool:
        return str(data.get(A.PRIORITY, "")) in both

    def demand(u: Any, v: Any, k: int, data: Mapping[str, Any]) -> float:
        return salt * float(data.get("length", 0.0)) / 1000.0

    def one_pass(u: Any, v: Any, k: int, data: Mapping[str, Any]) -> int:
        return 1

    turns = scenario.turns
    return problem_from_graph(
        G,
        required=list(edges),
        depots={d: n for d, n in depots.items() if d in used},
        vehicles=vehicles,
        deadlines=service.deadline_s(),
        both_directions=both_directions,
        passes=None if service.passes_per_lane else one_pass,
        demand=demand if salt > 0 else None,
        turns=None
        if turns is None
        else TurnRules(
            drive_side=turns.drive_side,
            u_turns=turns.u_turns,
            u_turn_s=turns.u_turn_s,
            across_s=turns.across_s,
            with_s=turns.with_s,
        ),
    )


def km(G: nx.MultiDiGraph, edges: Iterable[EdgeKey]) -> float:
    """Road km of ``edges``: a two-way road counts once (each direction ½)."""
    total = 0.0
    for edge in edges:
        data = G.edges[edge]
        share = 1.0 if A.parse_bool(data.get(A.ONEWAY, False)) else 0.5
        total += share * float(data.get("length", 0.0))
    return total / 1000.0 if math.isfinite(total) else math.nan


def solve_params(
    scenario: Scenario,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
) -> SolveParams:
    """Return the routing settings of ``scenario``'s ``[solver]`` table.

    One value for every solve of the run (``time_limit_s`` and ``seed`` replace
    the scenario's).

    ``time_limit_s`` here is the whole run's budget: planners hand each search its
    share (:class:`~snowroute.routing.budget.Budget`).
    """
    spec = scenario.solver
    stall = spec.stall_iterations
    return SolveParams(
        engine=spec.engine,
        time_limit_s=spec.time_limit_s if time_limit_s is None else time_limit_s,
        seed=spec.seed if seed is None else seed,
        workers=spec.workers,
        max_iterations=spec.max_iterations,
        stall_iterations="auto" if stall is None else (stall or None),
        objective=spec.objective,
        pyvrp=pyvrp_params(scenario),
    )


def pyvrp_params(scenario: Scenario) -> PyVRPParams:
    """Return the PyVRP engine settings of ``scenario``'s ``[solver]`` table."""
    spec = scenario.solver
    return PyVRPParams(
        num_neighbours=spec.neighbours,
        max_perturbations=spec.perturbations,
        relocate3=spec.relocate3,
    )
