from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from snowroute._errors import ProblemError
from snowroute.network import graph_from_osm_xml
from snowroute.routing import TurnRules, VehicleClass, problem_from_graph, solve
from snowroute.routing.transform import transform
from snowroute.routing.turns import (
    ACROSS_TRAFFIC,
    STRAIGHT,
    U_TURN,
    WITH_TRAFFIC,
    turn_table,
)
from snowroute.routing.validate import mid_block_u_turns, validate

LON0, LAT0 = 140.1, 39.7
M_PER_DEG_LAT = 111_320.0


def _road_graph(
    nodes: dict[Any, tuple[float, float]], streets: list[tuple[Any, Any]]
) -> nx.MultiDiGraph:
    """Two-way streets between nodes given in metres east/north of an origin."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    for n, (east, north) in nodes.items():
        G.add_node(
            n,
            x=LON0 + east / (M_PER_DEG_LAT * math.cos(math.radians(LAT0))),
            y=LAT0 + north / M_PER_DEG_LAT,
        )
    for i, (u, v) in enumerate(streets):
        (x1, y1), (x2, y2) = nodes[u], nodes[v]
        length = math.hypot(x2 - x1, y2 - y1)
        for a, b in ((u, v), (v, u)):
            G.add_edge(a, b, length=length, speed_kph=36.0, oneway=False, osmid=i)
    return G


def _grid() -> nx.MultiDiGraph:
    """A 3 x 3 street grid (100 m blocks) with a dead-end spur east of (2, 1)."""
    nodes = {(i, j): (100.0 * i, 100.0 * j) for i in range(3) for j in range(3)}
    nodes["spur"] = (300.0, 100.0)
    streets = [((i, j), (i + 1, j)) for i in range(2) for j in range(3)]
    streets += [((i, j), (i, j + 1)) for i in range(3) for j in range(2)]
    streets.append(((2, 1), "spur"))
    return _road_graph(nodes, streets)


def _both_ways(*streets: tuple[Any, Any]) -> Any:
    wanted = {frozenset(s) for s in streets}

    def required(u: Any, v: Any, k: int, data: Any) -> bool:
        return frozenset((u, v)) in wanted

    return required


def test_no_mid_block_u_turn_with_turn_rules() -> None:
    G = _grid()
    kwargs: dict[str, Any] = {
        "required": _both_ways(((1, 1), (1, 2)), ((2, 1), "spur")),
        "depots": {"yard": (0, 0)},
        "vehicles": [VehicleClass("truck", "yard", plow_speed_kph=36.0)],
        "both_directions": True,
    }
    free = problem_from_graph(G, **kwargs)
    ruled = problem_from_graph(G, turns=TurnRules(drive_side="left"), **kwargs)
    options = {"time_limit_s": 5.0, "seed": 1, "workers": 1, "max_iterations": 200}

    plain = solve(free, **options)
    assert plain.feasible
    # Without rules the cheapest plan turns round in the middle of the grid ...
    assert sum(mid_block_u_turns(free, r.arcs) for r in plain.routes) > 0
    # ... which the validator rejects once the rules apply.
    report = validate(ruled, plain.routes)
    assert any("mid-block U-turn" in v for v in report.violations)

    turned = solve(ruled, **options)
    assert turned.feasible, turned.violations
    assert sum(mid_block_u_turns(ruled, r.arcs) for r in turned.routes) == 0
    assert validate(ruled, turned.routes).totals["mid_block_u_turns"] == 0
    # The spur is a dead end: turning round there is allowed and needed.
    spur = ruled.graph.vertex_refs.index("spur")  # type: ignore[union-attr]
    arcs = np.concatenate([r.arcs for r in turned.routes])
    assert np.any(ruled.graph.head[arcs] == spur)
    assert turned.cost > plain.cost


@pytest.mark.parametrize(
    ("drive_side", "served_from", "served_to"),
    [
        # Traffic keeps right: left turns cross it, so go round clockwise.
        ("right", "B", "C"),
        # Traffic keeps left (Japan): right turns cross it, so go anticlockwise.
        ("left", "C", "B"),
    ],
)
def test_turn_penalty_picks_the_direction_round_the_block(
    drive_side: str, served_from: str, served_to: str
) -> None:
    #  B ---- C     depot at A; the street B-C must be plowed once, either way
    #  |      |
    #  A ---- D
    nodes = {"A": (0.0, 0.0), "B": (0.0, 100.0), "C": (100.0, 100.0), "D": (100.0, 0.0)}
    G = _road_graph(nodes, [("A", "B"), ("B", "C"), ("C", "D"), ("D", "A")])
    problem = problem_from_graph(
        G,
        required=_both_ways(("B", "C")),
        depots={"yard": "A"},
        vehicles=[VehicleClass("truck", "yard")],
        turns=TurnRules(drive_side=drive_side),  # type: ignore[arg-type]
    )
    solution = solve(problem, time_limit_s=3.0, seed=0, workers=1, max_iterations=50)
    assert solution.feasible
    (route,) = solution.routes
    served = int(route.arcs[route.serving >= 0][0])
    refs = problem.graph.edge_refs
    assert refs is not None
    assert refs[served][:2] == (served_from, served_to)
    # Three turns, all with traffic: 3 x 6 s on top of 400 m at 36 km/h.
    assert solution.cost == pytest.approx(40.0 + 3 * 6.0)


def test_turn_table_classifies_turns_at_a_crossroads() -> None:
    nodes = {"c": (0.0, 0.0), "s": (0.0, -100.0), "n": (0.0, 100.0)}
    nodes |= {"e": (100.0, 0.0), "w": (-100.0, 0.0)}
    G = _road_graph(nodes, [("s", "c"), ("c", "n"), ("c", "e"), ("c", "w")])
    problem = problem_from_graph(
        G,
        required=[],
        depots={"d": "s"},
        vehicles=[VehicleClass("t", "d")],
        turns=TurnRules(drive_side="left"),
    )
    assert problem.turns is not None
    table = turn_table(problem.graph, problem.turns)
    refs = problem.graph.edge_refs
    assert refs is not None
    kinds = {
        (refs[a][0], refs[a][1], refs[b][1]): int(k)
        for a, b, k in zip(table.src, table.dst, table.kind, strict=True)
    }
    assert kinds[("s", "c", "n")] == STRAIGHT
    assert kinds[("s", "c", "e")] == ACROSS_TRAFFIC  # right turn, keep-left traffic
    assert kinds[("s", "c", "w")] == WITH_TRAFFIC
    assert ("s", "c", "s") not in kinds  # mid-block U-turn: not allowed
    assert kinds[("c", "n", "c")] == U_TURN  # dead end: allowed


def test_default_problem_has_no_turn_model_and_vertex_paths() -> None:
    G = _grid()
    problem = problem_from_graph(
        G,
        required=_both_ways(((1, 1), (1, 2))),
        depots={"yard": (0, 0)},
        vehicles=[VehicleClass("truck", "yard")],
    )
    assert problem.turns is None
    assert type(transform(problem).paths[0]).__name__ == "VertexPaths"


def test_turn_rules_reject_bad_values() -> None:
    with pytest.raises(ProblemError, match="drive_side"):
        TurnRules(drive_side="middle")  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match="u_turn_s"):
        TurnRules(u_turn_s=-1.0)


OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="39.7000" lon="140.1000"/>
  <node id="2" lat="39.7009" lon="140.1000"/>
  <node id="3" lat="39.7018" lon="140.1000"/>
  <node id="4" lat="39.7009" lon="140.1012"/>
  <node id="5" lat="39.7018" lon="140.1012"/>
  <node id="6" lat="39.7000" lon="140.1012"/>
  <way id="10"><nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="residential"/><tag k="name" v="North St"/></way>
  <way id="13"><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="North St"/></way>
  <way id="11"><nd ref="2"/><nd ref="4"/>
    <tag k="highway" v="residential"/><tag k="name" v="Cross St"/></way>
  <way id="12"><nd ref="3"/><nd ref="5"/><nd ref="4"/><nd ref="6"/><nd ref="1"/>
    <tag k="highway" v="residential"/><tag k="name" v="Ring St"/></way>
  <relation id="20">
    <member type="way" ref="10" role="from"/>
    <member type="node" ref="2" role="via"/>
    <member type="way" ref="11" role="to"/>
    <tag k="type" v="restriction"/><tag k="restriction" v="no_right_turn"/>
  </relation>
</osm>
"""


def test_osm_turn_restrictions_are_kept_and_honoured(tmp_path: Path) -> None:
    path = tmp_path / "r.osm"
    path.write_text(OSM, encoding="utf-8")
    G = graph_from_osm_xml(path)
    assert G.graph["turn_restrictions"] == '[["no_right_turn", 10, 2, 11]]'
    for _, _, data in G.edges(data=True):
        data["speed_kph"] = 36.0
    problem = problem_from_graph(
        G,
        required=lambda u, v, k, d: d["osmid"] == 11,
        depots={"yard": 1},
        vehicles=[VehicleClass("truck", "yard")],
        turns=TurnRules(drive_side="right"),
    )
    assert problem.turns is not None
    refs = problem.graph.edge_refs
    assert refs is not None
    banned = {(refs[a][:2], refs[b][:2]) for a, b in problem.turns.banned}
    assert banned == {((1, 2), (2, 4))}
    solution = solve(problem, time_limit_s=3.0, seed=0, workers=1, max_iterations=50)
    assert solution.feasible, solution.violations
    (route,) = solution.routes
    steps = [refs[int(a)][:2] for a in route.arcs]
    assert all((x, y) != ((1, 2), (2, 4)) for x, y in itertools.pairwise(steps))
