import itertools

import numpy as np
import pytest

from snowroute.routing import VehicleClass, transform
from snowroute.routing.expand import expand_route
from snowroute.routing.improve import best_directions, node_route_s
from snowroute.routing.transform import NodeRoute

from .helpers import all_roads, either, toy_problem


def _brute_force(tr, route):
    best = np.inf
    options = [tr.service_nodes(int(tr.node_service[n])) for n in route.nodes]
    for nodes in itertools.product(*options):
        best = min(
            best,
            node_route_s(tr, NodeRoute(route.vehicle, tuple(int(n) for n in nodes))),
        )
    return best


@pytest.mark.parametrize("seed", range(5))
def test_best_directions_is_exact_for_a_fixed_order(seed):
    tr = transform(toy_problem())
    rng = np.random.default_rng(seed)
    services = rng.permutation(tr.num_services)
    nodes = tuple(
        int(tr.service_nodes(int(s))[rng.integers(0, 2) if s != 1 else 0])
        for s in services
    )
    route = NodeRoute(0, nodes)
    better = best_directions(tr, route)
    assert node_route_s(tr, better) == pytest.approx(_brute_force(tr, route))
    assert [int(tr.node_service[n]) for n in better.nodes] == [int(s) for s in services]


def test_best_directions_keeps_refill_stops():
    truck = VehicleClass("truck", "garage", capacity=7, refill_depots=("barn",))
    tr = transform(toy_problem(all_roads(demand=3.0), [truck]))
    nodes = tuple(int(tr.service_nodes(s)[-1]) for s in range(tr.num_services))
    route = NodeRoute(0, nodes, ((2, 1), (4, 1)))
    better = best_directions(tr, route)
    assert better.refills == route.refills
    assert node_route_s(tr, better) <= node_route_s(tr, route)


def test_best_directions_does_not_make_a_deadline_later():
    roads = all_roads()
    roads[-1] = either(11, 12, priority="emergency", ref="4-5")
    tr = transform(toy_problem(roads, deadlines={"emergency": 1.0}))
    route = NodeRoute(
        0, tuple(int(tr.service_nodes(s)[0]) for s in range(tr.num_services))
    )
    better = best_directions(tr, route)
    assert node_route_s(tr, better) <= node_route_s(tr, route)


def test_expanded_route_matches_the_leg_matrix():
    tr = transform(toy_problem())
    route = NodeRoute(
        0, tuple(int(tr.service_nodes(s)[0]) for s in range(tr.num_services))
    )
    expanded = expand_route(tr, route)
    assert expanded.duration_s == pytest.approx(node_route_s(tr, route))
    graph = tr.problem.graph
    assert graph.tail[expanded.arcs[0]] == 0
    assert graph.head[expanded.arcs[-1]] == 0
    assert np.all(graph.head[expanded.arcs[:-1]] == graph.tail[expanded.arcs[1:]])
