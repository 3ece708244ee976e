"""Estimates on the pooled problem: service times, access, pieces and clusters."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest

from snowroute.exchange.estimate import (
    _min_csr,
    _spanning_tree,
    _subtree,
    estimate,
)
from snowroute.exchange.plans import (
    ExchangeContext,
    pooled_plan,
    pooled_problem,
)
from snowroute.scenario.model import DepotSpec, VehicleSpec
from tests.helpers import add_two_way_road

from .test_run import H_ROUTE, PREF, S_ROUTE, TOWN, _network, _scenario


def test_min_csr_keeps_the_cheapest_parallel_arc_and_no_zero():
    tail = np.array([0, 0, 1])
    head = np.array([1, 1, 0])
    w = np.array([5.0, 2.0, 0.0])
    m = _min_csr(2, tail, head, w).toarray()
    assert m[0, 1] == 2.0
    assert 0 < m[1, 0] < 1e-3  # a zero-cost arc stays in the matrix


def test_estimates_on_the_pooled_problem():
    ctx = ExchangeContext.from_scenario(
        _network(), _scenario(unit="route"), time_limit_s=5.0
    )
    _, problem = pooled_plan(ctx)
    est = estimate(ctx, problem)
    assert est.options[H_ROUTE] == (TOWN, PREF)
    assert est.options[S_ROUTE] == (PREF, TOWN)
    # plowing H (1 km at 20 km/h) takes either fleet the same time
    assert est.service_s[(H_ROUTE, TOWN)] == pytest.approx(3600 / 20)
    assert est.service_s[(H_ROUTE, PREF)] == pytest.approx(3600 / 20)
    # the prefecture's road P ends where H starts: no round trip to reach it
    assert est.access_s[(H_ROUTE, PREF)] == pytest.approx(0.0, abs=1.0)
    assert est.access_m[(H_ROUTE, PREF)] == pytest.approx(0.0, abs=1.0)
    assert (H_ROUTE, TOWN) not in est.access_s  # the owner needs no access
    # H is the town's piece out on the prefecture's road: 3 km from its street 21
    [(members, trip_m)] = est.pieces_m[TOWN]
    assert members == (H_ROUTE,)
    assert trip_m == pytest.approx(6000, rel=1e-6)


def test_spanning_tree_and_its_subtrees():
    inf = np.inf
    # 0 the depot; 1 and 2 a valley far out (close to each other); 3 near 0
    w = np.array(
        [
            [0, 10, 11, 1],
            [10, 0, 2, inf],
            [11, 2, 0, inf],
            [1, inf, inf, 0],
        ]
    )
    parent = _spanning_tree(w)
    assert parent == [0, 0, 1, 0]
    assert sorted(_subtree(parent, 1)) == [1, 2]
    assert _subtree(parent, 2) == [2]
    assert _subtree(parent, 3) == [3]


def _valley() -> nx.MultiDiGraph:
    """The town's two hamlets 1 km apart at the far end of the prefecture's road."""
    G = _network()
    G.add_node(31, x=140.03, y=38.99)
    add_two_way_road(
        G,
        3,
        31,
        length_m=1000,
        admin=TOWN,
        admin_class="municipality",
        route=f"{TOWN}/municipal/H2",
        section="@1",
        road_class="residential",
        osmid=99,
    )
    return G


def test_a_valleys_hamlets_form_a_cluster_that_saves_the_trip_out():
    scenario = _scenario(unit="route")
    ctx = ExchangeContext.from_scenario(_valley(), scenario, time_limit_s=5.0)
    est = estimate(ctx, pooled_problem(ctx))
    pieces = dict(est.pieces_m[TOWN])
    h2 = f"{TOWN}/municipal/H2"
    # one hamlet hangs off the other (1 km apart: 2 km there and back); the
    # pair hangs off the town's roads: node 21 to node 3 is 2 km (via 2), and back
    assert set(pieces) == {(H_ROUTE,), tuple(sorted((H_ROUTE, h2)))}
    assert pieces[(H_ROUTE,)] == pytest.approx(2000, rel=1e-6)
    assert pieces[tuple(sorted((H_ROUTE, h2)))] == pytest.approx(4000, rel=1e-6)


def test_a_depot_on_a_piece_makes_it_home():
    scenario = _scenario(unit="route")
    depots = (*scenario.depots, DepotSpec(id="DH", admin=TOWN, node=30))
    vehicles = (*scenario.vehicles, VehicleSpec(id="dozer2", depot="DH", shift_h=8.0))
    scenario = dataclasses.replace(scenario, depots=depots, vehicles=vehicles)
    ctx = ExchangeContext.from_scenario(_network(), scenario, time_limit_s=5.0)
    est = estimate(ctx, pooled_problem(ctx))
    assert est.pieces_m[TOWN] == ()
