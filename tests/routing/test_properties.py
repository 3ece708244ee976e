"""Property test: on 1,000 random small networks every plan is valid, or says why not.

Random road graphs (a spanning tree, mostly two-way, plus random one-way links),
random required roads, one or two vehicle classes with random shifts and plow
speeds, sometimes a deadline on emergency roads. Whatever comes out must be one of:
a plan the independent validator accepts; a plan that is reported infeasible with
the violations the validator finds; or a one-sentence ``InfeasibleError`` /
``ProblemError`` before any search (a road no vehicle can reach, say).
"""

from __future__ import annotations

import random

import networkx as nx
import pytest

import snowroute
from snowroute import InfeasibleError, ProblemError

CASES = 1000
CHUNK = 100


def _case(seed: int) -> dict:
    rng = random.Random(seed)
    n = rng.randint(3, 9)
    G = nx.MultiDiGraph()
    for i in range(n):
        G.add_node(i, x=140 + rng.random() * 0.01, y=39.7 + rng.random() * 0.01)
    for i in range(1, n):
        j = rng.randrange(i)
        length = rng.uniform(20, 400)
        priority = rng.choice(["emergency", "local"])
        G.add_edge(i, j, length=length, speed_kph=30.0, priority=priority)
        if rng.random() < 0.8:
            G.add_edge(j, i, length=length, speed_kph=30.0, priority=priority)
    for _ in range(rng.randint(0, n)):
        u, v = rng.randrange(n), rng.randrange(n)
        if u != v:
            G.add_edge(u, v, length=rng.uniform(20, 400), speed_kph=30.0)
    edges = list(G.edges(keys=True))
    vehicles = [
        snowroute.VehicleClass(
            name=f"v{k}",
            depot="d",
            count=rng.randint(1, 2),
            shift_s=rng.uniform(120, 4000),
            plow_speed_kph=rng.uniform(8, 30),
        )
        for k in range(rng.randint(1, 2))
    ]
    return {
        "G": G,
        "required": rng.sample(edges, rng.randint(1, len(edges))),
        "depots": {"d": 0},
        "vehicles": vehicles,
        "deadlines": {"emergency": rng.uniform(60, 3000)}
        if rng.random() < 0.5
        else None,
    }


def _outcome(seed: int) -> tuple[str, float]:
    case = _case(seed)
    try:
        problem = snowroute.problem_from_graph(case.pop("G"), **case)
        solution = snowroute.solve(
            problem, seed=seed, max_iterations=5, workers=1, time_limit_s=10
        )
    except (InfeasibleError, ProblemError) as exc:
        message = str(exc)
        assert message.endswith("."), (seed, message)
        assert "\n" not in message, (seed, message)
        return type(exc).__name__, 0.0
    report = snowroute.validate(problem, solution.routes)
    assert report.valid == solution.feasible, (seed, report.violations)
    assert solution.feasible or solution.violations, seed
    assert set(report.violations) <= set(solution.violations), seed
    return ("feasible" if solution.feasible else "violated"), solution.cost


@pytest.mark.parametrize("start", range(0, CASES, CHUNK))
def test_every_random_plan_is_valid_or_says_why(start: int) -> None:
    outcomes = [_outcome(seed)[0] for seed in range(start, start + CHUNK)]
    assert "feasible" in outcomes  # the generator is not degenerate


def test_the_random_cases_cover_every_outcome() -> None:
    kinds = {_outcome(seed)[0] for seed in range(200)}
    assert {"feasible", "violated", "InfeasibleError"} <= kinds


def test_same_case_and_seed_give_the_same_plan() -> None:
    assert [_outcome(s) for s in range(20)] == [_outcome(s) for s in range(20)]
