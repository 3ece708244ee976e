import itertools

import networkx as nx
import pytest

from snowroute import InfeasibleError, ProblemError
from snowroute.routing import VehicleClass, problem_from_graph, solve


def _city():
    """A small OSMnx-style street graph.

    a <-> b <-> c two-way streets (osmid 10, 11), c -> d one-way (osmid 12),
    d <-> a two-way (osmid 13) with a parallel service lane d -> a key 1 (osmid 14,
    one-way), b <-> e a 4-lane avenue (osmid 15), e <-> f winter-closed (osmid 16).
    Speeds 36 km/h (10 m/s).
    """
    G = nx.MultiDiGraph(crs="EPSG:3857")
    for node in "abcdef":
        G.add_node(node, x=0.0, y=0.0)

    def street(u, v, osmid, length, oneway=False, **kw):
        data = {
            "osmid": osmid,
            "length": length,
            "oneway": oneway,
            "speed_kph": 36.0,
            **kw,
        }
        G.add_edge(u, v, **data)
        if not oneway:
            G.add_edge(v, u, **data)

    street("a", "b", 10, 100.0, road_class="residential")
    street("b", "c", 11, 120.0, road_class="residential")
    street("c", "d", 12, 80.0, oneway=True, road_class="residential", n_lanes=2)
    street("d", "a", 13, 90.0, road_class="residential")
    G.add_edge("d", "a", osmid=14, length=95.0, oneway=True, speed_kph=36.0)
    street("b", "e", 15, 200.0, road_class="primary", n_lanes=4, priority="emergency")
    street("e", "f", 16, 50.0, winter_closed=True)
    return G


TRUCK = VehicleClass("truck", "yard")


def test_two_way_twins_become_one_required_arc():
    G = _city()
    problem = problem_from_graph(G, depots={"yard": "a"}, vehicles=[TRUCK])
    by_ref = {r.ref: r for r in problem.required}
    ab = by_ref[("a", "b", 0)]
    assert ab.mode == "either"
    assert problem.graph.edge_refs[ab.reverse_arc] == ("b", "a", 0)
    assert ("b", "a", 0) not in by_ref  # covered by its twin
    # one-way: forward, one pass per lane
    cd = by_ref[("c", "d", 0)]
    assert (cd.mode, cd.passes, cd.reverse_arc) == ("forward", 2, None)
    # the parallel one-way service lane is its own road, not a twin of a -> d
    assert by_ref[("d", "a", 1)].mode == "forward"
    # a 4-lane two-way avenue: 2 lanes per direction
    be = by_ref[("b", "e", 0)]
    assert (be.mode, be.passes, be.road_class, be.priority) == (
        "either",
        2,
        "primary",
        "emergency",
    )
    # winter-closed roads are neither served nor driven
    assert all("f" not in ref[:2] for ref in problem.graph.edge_refs)
    assert problem.graph.vertex_refs == tuple(G.nodes)


def test_messages_name_a_road_by_its_route_or_osm_name():
    G = _city()
    nx.set_edge_attributes(G, {("a", "b", 0): "Main St"}, "route_name")
    nx.set_edge_attributes(G, {("b", "c", 0): ["Elm St", "Oak St"]}, "name")
    problem = problem_from_graph(G, depots={"yard": "a"}, vehicles=[TRUCK])
    named = {r.ref: r.named for r in problem.required}
    assert named[("a", "b", 0)] == "('a', 'b', 0) on Main St"
    assert named[("b", "c", 0)] == "('b', 'c', 0) on Elm St"
    assert named[("c", "d", 0)] == "('c', 'd', 0)"  # no name
    short = VehicleClass("truck", "yard", shift_s=1.0)
    message = r"arc \('a', 'b', 0\) on Main St takes longer than the shift"
    with pytest.raises(InfeasibleError, match=message):
        problem_from_graph(G, depots={"yard": "a"}, vehicles=[short])


def test_both_directions_and_lane_rule_are_configurable():
    G = _city()
    problem = problem_from_graph(
        G,
        depots={"yard": "a"},
        vehicles=[TRUCK],
        both_directions=True,
        lanes_per_pass=2,
    )
    by_ref = {r.ref: r for r in problem.required}
    assert by_ref[("a", "b", 0)].mode == "both"
    assert by_ref[("b", "e", 0)].passes == 1  # 2 lanes per direction, 2 per pass
    assert by_ref[("c", "d", 0)].passes == 1


def test_solution_maps_back_to_exact_graph_edges():
    G = _city()
    wanted = [("a", "b", 0), ("b", "a", 0), ("c", "d", 0), ("d", "a", 1)]
    problem = problem_from_graph(
        G, required=wanted, depots={"yard": "a"}, vehicles=[TRUCK]
    )
    solution = solve(problem, time_limit_s=5, seed=1, workers=1, max_iterations=200)
    assert solution.feasible, solution.violations
    refs = problem.graph.edge_refs
    served = [
        refs[a]
        for r in solution.routes
        for a, s in zip(r.arcs, r.serving, strict=True)
        if s >= 0
    ]
    assert ("c", "d", 0) in served
    assert served.count(("c", "d", 0)) == 2  # two lanes
    assert ("d", "a", 1) in served  # the service lane, not the parallel street
    assert (("a", "b", 0) in served) != (("b", "a", 0) in served)
    for route in solution.routes:
        path = [refs[a] for a in route.arcs]
        assert path[0][0] == "a"
        assert path[-1][1] == "a"
        assert all(x[1] == y[0] for x, y in itertools.pairwise(path))
        assert all(G.has_edge(*edge) for edge in path)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"depots": {"yard": "zz"}}, "not in the graph"),  # depot off the map
        ({"required": [("a", "zz", 0)]}, "not in the graph"),  # unknown edge
        ({"lanes_per_pass": 0}, "`lanes_per_pass`"),  # no lane per pass
    ],
)
def test_problem_from_graph_rejects_bad_input(kwargs, match):
    options = {"depots": {"yard": "a"}, "vehicles": [TRUCK], **kwargs}
    with pytest.raises(ProblemError, match=match):
        problem_from_graph(_city(), **options)


def test_edge_without_speed_is_reported():
    G = _city()
    G.add_edge("a", "c", osmid=99, length=10.0, oneway=True)
    with pytest.raises(ProblemError, match="no positive `speed_kph`"):
        problem_from_graph(G, depots={"yard": "a"}, vehicles=[TRUCK])
