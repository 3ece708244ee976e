import itertools

import numpy as np
import pytest

from snowroute.routing import VehicleClass, _tour, transform
from snowroute.routing.expand import expand_route
from snowroute.routing.improve import (
    best_directions,
    load_kernel,
    move_stretches,
    node_route_s,
    polish_route,
    reorder_route,
    reverse_stretches,
    route_lateness_s,
)
from snowroute.routing.transform import NodeRoute

from .helpers import all_roads, either, grid_problem, grid_with_deadlines, toy_problem

RING = [either(0, 1), all_roads()[1], either(7, 8), either(11, 12), either(9, 10)]
RING.append(either(3, 4))  # 0>1>2>5>4>3>0: the toy network's outer ring


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


def _node(tr, service, direction):
    return next(
        int(n) for n in tr.service_nodes(service) if tr.node_direction[n] == direction
    )


def test_a_stretch_served_backwards_is_turned_round():
    # around the ring 0>1>2>5>4>3>0 the plow serves 2>5, 5>4, 4>3 backwards
    # (3>4, 4>5, 5>2): it drives 2>5>4>3 empty before the stretch and again after
    tr = transform(toy_problem(RING))
    a, b, c, d, e, f = range(6)
    bad = NodeRoute(
        0,
        (
            _node(tr, a, 0),
            _node(tr, b, 0),
            _node(tr, e, 0),
            _node(tr, d, 0),
            _node(tr, c, 1),
            _node(tr, f, 1),
        ),
    )
    served = sum(float(tr.node_service_s[0, n]) for n in bad.nodes)
    # one service at a time cannot fix it: the best directions still drive empty
    assert node_route_s(tr, best_directions(tr, bad)) > served + 1
    turned = reverse_stretches(tr, bad)
    assert node_route_s(tr, turned) == pytest.approx(served)
    assert [int(tr.node_service[n]) for n in turned.nodes] == [a, b, c, d, e, f]
    assert node_route_s(tr, polish_route(tr, bad)) == pytest.approx(served)


def _random_route_with_deadlines(seed, refills):
    """Two emergency roads with a tight deadline; every service once, at random."""
    roads = all_roads()
    roads[3] = either(5, 6, priority="emergency", ref="1-4")
    roads[6] = either(11, 12, priority="emergency", ref="4-5")
    tr = transform(toy_problem(roads, deadlines={"emergency": 0.02}))
    rng = np.random.default_rng(seed)
    nodes = tuple(int(rng.choice(tr.service_nodes(int(s)))) for s in rng.permutation(7))
    return tr, NodeRoute(0, nodes, refills)


# seeds whose routes have a stretch that is shorter reversed but then misses the
# deadline later: the test fails when the deadline check is taken away
@pytest.mark.parametrize(
    ("seed", "refills"), [(9, ()), (14, ()), (35, ()), (3, ((3, 0),))]
)
def test_polishing_never_lengthens_a_route_nor_makes_it_later(seed, refills):
    tr, route = _random_route_with_deadlines(seed, refills)
    better = polish_route(tr, route)
    assert node_route_s(tr, better) <= node_route_s(tr, route) + 1e-9
    assert route_lateness_s(tr, better) <= route_lateness_s(tr, route) + 1e-9
    assert better.refills == route.refills
    assert sorted(int(tr.node_service[n]) for n in better.nodes) == list(range(7))


# around the ring the plow serves a, then d and e (5>4, 4>3 or 3>4, 4>5), then
# b and c: the stretch d-e belongs after c, as it is or turned round
@pytest.mark.parametrize("stretch", [((3, 1), (4, 1)), ((4, 0), (3, 0))])
def test_a_stretch_out_of_place_is_moved(stretch):
    tr = transform(toy_problem(RING))
    a, b, c, d, e, f = range(6)
    middle = tuple(_node(tr, s, way) for s, way in stretch)
    bad = NodeRoute(
        0,
        (_node(tr, a, 0), *middle, _node(tr, b, 0), _node(tr, c, 0), _node(tr, f, 1)),
    )
    served = sum(float(tr.node_service_s[0, n]) for n in bad.nodes)
    # neither flips nor reversals get there
    reversed_ = reverse_stretches(tr, best_directions(tr, bad))
    assert node_route_s(tr, best_directions(tr, reversed_)) > served + 1
    moved = move_stretches(tr, bad)
    assert node_route_s(tr, moved) == pytest.approx(served)
    assert [int(tr.node_service[n]) for n in moved.nodes] == [a, b, c, d, e, f]


# seeds 14, 70, 24: a stretch is shorter elsewhere but then misses the deadline;
# seeds 0, 4: a stretch is shorter across the refill stop. Each fails when its
# check is taken away
@pytest.mark.parametrize(
    ("seed", "refills"),
    [(14, ()), (70, ()), (24, ((3, 0),)), (0, ((3, 0),)), (4, ((2, 1),))],
)
def test_moving_stretches_never_makes_a_route_later(seed, refills):
    tr, route = _random_route_with_deadlines(seed, refills)
    moved = move_stretches(tr, route)
    assert node_route_s(tr, moved) <= node_route_s(tr, route) + 1e-9
    assert route_lateness_s(tr, moved) <= route_lateness_s(tr, route) + 1e-9
    # a stretch stays between the same refill stops: every load is unchanged
    cut = [k for k, _ in refills]
    assert [
        sorted(int(tr.node_service[n]) for n in part)
        for part in np.split(np.array(moved.nodes), cut)
    ] == [
        sorted(int(tr.node_service[n]) for n in part)
        for part in np.split(np.array(route.nodes), cut)
    ]


def _blocks(tr, route):
    """The services of each block of ``route`` between refill stops, as sets."""
    cut = [k for k, _ in route.refills]
    parts = np.split(np.array(route.nodes, dtype=np.int64), cut)
    return [sorted(int(tr.node_service[n]) for n in part) for part in parts]


def _scrambled(problem, seed, refills=()):
    """A route of ``problem``'s services in a random order and directions."""
    tr = transform(problem)
    rng = np.random.default_rng(seed)
    order = rng.permutation(tr.num_services)
    nodes = tuple(int(rng.choice(tr.service_nodes(int(s)))) for s in order)
    return tr, NodeRoute(0, nodes, refills)


def test_reordering_shortens_a_polished_route_further():
    truck = VehicleClass("truck", "yard", count=1)
    tr, route = _scrambled(grid_problem(6, 7, vehicles=[truck]), seed=3)
    polished = polish_route(tr, route)
    reordered = reorder_route(tr, polished, seed=0)
    # the polish's moves are at a local optimum; kicks and descents go beyond it
    assert node_route_s(tr, reordered) < node_route_s(tr, polished) - 10
    assert _blocks(tr, reordered) == _blocks(tr, polished)
    assert reorder_route(tr, polished, seed=0) == reordered


# seeds 5 and 2 (with refill stops): a kept kick would be shorter but later;
# the test fails when the deadline checks (the compiled search's, and the final
# one on the whole route) are taken away. With refill stops each block keeps its
# services (every load unchanged)
@pytest.mark.parametrize(
    ("seed", "refills"),
    [(5, ()), (9, ()), (2, ((20, 0), (45, 0))), (0, ((20, 0), (45, 0)))],
)
def test_reordering_never_lengthens_a_route_nor_makes_it_later(seed, refills):
    truck = VehicleClass("truck", "yard", count=1)
    problem = grid_with_deadlines([truck], deadline_s=300.0)
    tr, route = _scrambled(problem, seed, refills)
    route = polish_route(tr, route)
    reordered = reorder_route(tr, route, seed=seed)
    assert node_route_s(tr, reordered) <= node_route_s(tr, route) + 1e-9
    assert route_lateness_s(tr, reordered) <= route_lateness_s(tr, route) + 1e-9
    assert reordered.refills == route.refills
    assert _blocks(tr, reordered) == _blocks(tr, route)


def test_long_blocks_are_reordered_in_windows(monkeypatch):
    # windows of 15 services: each ends at the next one's first service
    monkeypatch.setattr("snowroute.routing.improve._LONGEST", 15)
    truck = VehicleClass("truck", "yard", count=1)
    problem = grid_with_deadlines([truck], deadline_s=300.0)
    tr, route = _scrambled(problem, 5, ((20, 0), (45, 0)))
    route = polish_route(tr, route)
    reordered = reorder_route(tr, route, seed=1)
    assert node_route_s(tr, reordered) < node_route_s(tr, route) - 10
    assert route_lateness_s(tr, reordered) <= route_lateness_s(tr, route) + 1e-9
    assert _blocks(tr, reordered) == _blocks(tr, route)


def test_the_kernel_loaded_ahead_is_the_one_the_reordering_calls():
    # load_kernel compiles (or loads) the kernel for search_block's argument
    # types: a reordering after it compiles nothing more, so no compilation is
    # left to come after a solve's search
    load_kernel()
    compiled = list(_tour.iterated_search.signatures)
    truck = VehicleClass("truck", "yard", count=1)
    problem = grid_with_deadlines([truck], deadline_s=300.0)
    tr, route = _scrambled(problem, 5, ((20, 0), (45, 0)))
    reorder_route(tr, polish_route(tr, route), seed=1)
    assert len(compiled) == 1
    assert list(_tour.iterated_search.signatures) == compiled
