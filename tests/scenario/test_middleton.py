from __future__ import annotations

from pathlib import Path

from snowroute.prepare import (
    depot_nodes,
    graph_from_scenario,
    plow_edges,
    plow_problem,
    vehicle_classes,
)
from snowroute.routing import solve
from snowroute.routing.validate import mid_block_u_turns
from snowroute.scenario import scenario_from_toml

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "middleton.toml"


def test_middleton_scenario_plans_the_county_without_mid_block_u_turns(
    shared_dir: Path,
) -> None:
    scenario = scenario_from_toml(SCENARIO)
    assert (
        scenario.resolve(scenario.network.source)
        .resolve()
        .is_relative_to(shared_dir.resolve())
    )
    G = graph_from_scenario(scenario)
    depots = depot_nodes(G, scenario)
    # The yards sit exactly on the road nodes named in the scenario.
    assert depots == {
        "city-yard": 441984854,
        "county-shop": 3577347646,
        "state-yard": 471252011,
    }
    edges = plow_edges(G, scenario)
    assert set(edges.values()) == {"middleton", "dane", "WI"}
    county = [e for e, admin in edges.items() if admin == "dane"]
    problem = plow_problem(
        G, scenario, depots, county, vehicle_classes(scenario, admins={"dane"})
    )
    assert problem.turns is not None
    assert problem.turns.rules.drive_side == "right"
    solution = solve(problem, time_limit_s=5.0, seed=1, workers=1, max_iterations=100)
    assert solution.feasible, solution.violations
    assert all(mid_block_u_turns(problem, r.arcs) == 0 for r in solution.routes)
