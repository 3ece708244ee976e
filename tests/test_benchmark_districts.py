"""The depot-district splitting that benchmarks/realnet and benchmarks/scale share."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from snowroute.datasets.city import write_city_network
from snowroute.prepare import depot_nodes, graph_from_scenario, plow_edges
from snowroute.scenario import scenario_from_toml
from tests.helpers import ROOT, load_script

_districts = load_script(
    ROOT / "benchmarks" / "realnet" / "districts.py", "benchmark_districts"
)
depot_districts = _districts.depot_districts
district_graph = _districts.district_graph
repair_borders = _districts.repair_borders


@pytest.fixture(scope="module")
def city(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[nx.MultiDiGraph, dict, dict]:
    folder: Path = tmp_path_factory.mktemp("city")
    scenario = scenario_from_toml(write_city_network(folder, blocks=16).scenario)
    G = graph_from_scenario(scenario)
    depots = depot_nodes(G, scenario)
    admin = {d.id: d.admin for d in scenario.depots}
    return G, plow_edges(G, scenario), {"depots": depots, "admin": admin}


def test_every_road_goes_to_the_nearest_depot_of_its_administrator(city) -> None:  # type: ignore[no-untyped-def]
    G, edges, info = city
    assignment = depot_districts(G, edges, info["depots"], info["admin"])
    assert set(assignment) == set(edges)
    for edge, depot in assignment.items():
        assert info["admin"][depot] == edges[edge]
    # Both directions of a two-way road share a district.
    for (u, v, k), depot in assignment.items():
        if (v, u, k) in assignment:
            assert assignment[(v, u, k)] == depot
    # Roads leaving a municipal depot belong to it.
    near = [
        (e, depot)
        for depot, node in info["depots"].items()
        for e in edges
        if e[0] == node and edges[e] == info["admin"][depot]
    ]
    assert near
    assert all(assignment[e] == depot for e, depot in near)
    assert len(set(assignment.values())) == len(info["depots"])


def test_district_graphs_hold_their_roads_and_borders_are_repaired(city) -> None:  # type: ignore[no-untyped-def]
    G, edges, info = city
    city_depots = {
        d: n for d, n in info["depots"].items() if info["admin"][d] == "05201"
    }
    own = {e: a for e, a in edges.items() if a == "05201"}
    assignment = depot_districts(G, own, city_depots, info["admin"])
    graphs = {
        d: district_graph(
            G, [e for e, x in assignment.items() if x == d], node, buffer_m=200
        )
        for d, node in city_depots.items()
    }
    for d, g in graphs.items():
        assert city_depots[d] in g
        assert nx.is_strongly_connected(g)
        assert g.number_of_edges() < G.number_of_edges()
    repaired, lost = repair_borders(assignment, graphs)
    assert not lost
    for edge, depot in repaired.items():
        assert graphs[depot].has_edge(*edge)
    # A district graph cut too tight loses roads; repair hands them on.
    tight = dict(graphs)
    first = sorted(tight)[0]
    tight[first] = G.subgraph([city_depots[first]])
    moved, lost = repair_borders(assignment, tight)
    assert all(d != first for d in moved.values())
    assert set(moved) | set(lost) == set(assignment)
