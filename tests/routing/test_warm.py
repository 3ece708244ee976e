"""Warm starts: a related plan's routes carried into a changed problem."""

from __future__ import annotations

import pytest

from snowroute.prepare import (
    depot_nodes,
    graph_from_scenario,
    plow_edges,
    plow_problem,
    vehicle_classes,
)
from snowroute.routing import solve
from snowroute.routing.transform import transform
from snowroute.routing.warm import carry_over, warm_routes
from snowroute.scenario.load import scenario_from_toml
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def katagami():
    """潟上市 plowing its roads, then the same without its 大崎 hamlet."""
    scenario = scenario_from_toml(ROOT / "scenarios" / "demo.toml")
    G = graph_from_scenario(scenario)
    depots = depot_nodes(G, scenario)
    fleet = vehicle_classes(scenario, admins=["05211"])
    edges = [e for e, a in plow_edges(G, scenario).items() if a == "05211"]
    hamlet = {e for e in edges if "大崎" in str(G.edges[e].get("route_name", ""))}
    assert hamlet
    full = plow_problem(G, scenario, depots, edges, fleet)
    less = plow_problem(
        G, scenario, depots, [e for e in edges if e not in hamlet], fleet
    )
    before = solve(full, time_limit_s=20, seed=1, workers=1, max_iterations=300)
    assert before.feasible
    return full, less, before


def test_carry_over_keeps_only_services_still_required(katagami) -> None:
    full, less, before = katagami
    routes = carry_over(full, before, less)
    kept = sum(len(r.services) for r in routes)
    assert 0 < kept < sum(len(r.services) for r in before.routes)
    assert kept == less.num_services  # the hamlet was the only change
    back = carry_over(full, before, full)
    assert [r.services for r in back] == [r.services for r in before.routes]


def test_warm_routes_insert_what_is_missing(katagami) -> None:
    full, less, before = katagami
    tr = transform(full)
    start = warm_routes(tr, carry_over(full, before, less))  # hamlet missing
    nodes = [n for r in start for n in r.nodes]
    assert sorted(int(tr.node_service[n]) for n in nodes) == list(
        range(tr.num_services)
    )


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_warm_start_is_never_worse_than_its_start(katagami, engine) -> None:
    full, less, before = katagami
    after = solve(
        less,
        engine=engine,
        time_limit_s=20,
        seed=1,
        workers=1,
        max_iterations=5,
        initial=carry_over(full, before, less),
    )
    assert after.feasible
    # Dropping roads from a plan can only shorten it; the search keeps that.
    assert after.cost <= before.cost + 1e-6
