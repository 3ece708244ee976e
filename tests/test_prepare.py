"""Scenario → network, depots, vehicles and routing problems."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from snowroute._errors import ScenarioError
from snowroute.prepare import (
    check_plow_admins,
    depot_nodes,
    graph_from_scenario,
    km,
    plow_edges,
    plow_problem,
    vehicle_classes,
)
from snowroute.scenario.load import scenario_from_toml
from tests.helpers import DATA, ROOT

SMALL = DATA / "scenario_small.toml"

DEMO = ROOT / "scenarios" / "demo.toml"


@pytest.fixture(scope="module")
def demo():
    scenario = scenario_from_toml(DEMO)
    return scenario, graph_from_scenario(scenario)


def test_depots_snap_to_their_nodes(demo):
    scenario, G = demo
    nodes = depot_nodes(G, scenario)
    assert set(nodes) == {d.id for d in scenario.depots}
    for depot in scenario.depots:
        node = G.nodes[nodes[depot.id]]
        assert abs(node["x"] - depot.lon) < 1e-6
        assert abs(node["y"] - depot.lat) < 1e-6


def test_far_depot_is_an_error_naming_the_field(demo):
    scenario, G = demo
    far = dataclasses.replace(scenario.depots[1], lon=141.0, lat=40.5)
    moved = dataclasses.replace(
        scenario, depots=(scenario.depots[0], far, *scenario.depots[2:])
    )
    with pytest.raises(ScenarioError, match=r"depots\[1\].*from the nearest road node"):
        depot_nodes(G, moved)


def test_plow_edges_are_the_depot_owners_roads(demo):
    scenario, G = demo
    edges = plow_edges(G, scenario)
    counts = Counter(edges.values())
    assert set(counts) == {"05", "05201", "05211", "05361"}  # not MLIT's 国道7号
    for edge in edges:
        assert not G.edges[edge]["winter_closed"]
    assert 150 < km(G, edges) < 213


def test_per_admin_problem_uses_only_that_fleet(demo):
    scenario, G = demo
    edges = [e for e, a in plow_edges(G, scenario).items() if a == "05211"]
    vehicles = vehicle_classes(scenario, admins=["05211"])
    problem = plow_problem(G, scenario, depot_nodes(G, scenario), edges, vehicles)
    assert [v.name for v in problem.vehicles] == ["katagami-dozer"]
    assert [d.id for d in problem.depots] == ["D05211"]
    assert problem.num_required > 0
    assert problem.deadlines["emergency"] == 3.5 * 3600


@pytest.mark.parametrize(
    "path", sorted((ROOT / "scenarios").glob("demo*.toml")), ids=lambda p: p.name
)
def test_shipped_demo_scenarios_build_problems(path):
    scenario = scenario_from_toml(path)
    G = graph_from_scenario(scenario)
    depots = depot_nodes(G, scenario)
    edges = plow_edges(G, scenario)
    for admin in scenario.plow_admins:
        mine = [e for e, a in edges.items() if a == admin]
        problem = plow_problem(
            G, scenario, depots, mine, vehicle_classes(scenario, admins=[admin])
        )
        assert problem.num_required > 0
    known = {str(d.get("route_id")) for *_, d in G.edges(data=True)}
    for entry in scenario.exchange.given:
        assert entry.route in known


def test_the_solver_table_becomes_one_solve_params_value(tmp_path: Path) -> None:
    from snowroute.prepare import solve_params

    text = SMALL.read_text(encoding="utf-8").replace(
        "seed = 7",
        'seed = 7\nobjective = "makespan"\nstall_iterations = 0\nworkers = 1\n'
        "neighbours = 80\nperturbations = [10, 25]\nrelocate3 = true",
        1,
    )
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    for name in ("japan_roads.osm", "japan_boundaries.geojson"):
        (tmp_path / name).symlink_to(DATA / name)
    params = solve_params(scenario_from_toml(path), seed=3)
    assert (params.objective, params.stall_iterations, params.workers) == (
        "makespan",
        None,  # 0: search until the budget ends it
        1,
    )
    assert (params.seed, params.time_limit_s) == (3, 2.0)
    assert params.pyvrp.num_neighbours == 80
    assert params.pyvrp.max_perturbations == (10, 25)
    assert params.pyvrp.relocate3
    default = solve_params(scenario_from_toml(SMALL))
    assert not default.pyvrp.relocate3
    assert default.stall_iterations == "auto"
    assert (default.pyvrp.num_neighbours, default.pyvrp.max_perturbations) == (50, 25)


def test_a_listed_administrator_without_roads_is_an_error_naming_the_field(demo):
    scenario, G = demo
    renamed = dataclasses.replace(scenario.depots[1], admin="05999")
    service = dataclasses.replace(scenario.service, admins=("05", "05999"))
    changed = dataclasses.replace(
        scenario,
        depots=(scenario.depots[0], renamed, *scenario.depots[2:]),
        service=service,
    )
    with pytest.raises(ScenarioError, match=r"`service\.admins\[1\]`: .*'05999' owns"):
        check_plow_admins(G, changed)
    check_plow_admins(G, scenario)  # the shipped demo names only owners
