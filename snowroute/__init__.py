"""snowroute: winter road maintenance routing shared between road administrators.

The front door: every name a notebook or script needs, from a scenario file to
written outputs.

>>> import snowroute
>>> scenario = snowroute.scenario_from_toml("scenarios/demo.toml")  # doctest: +SKIP
>>> G = snowroute.graph_from_scenario(scenario)  # doctest: +SKIP
>>> result = snowroute.run_scenario(scenario, G=G)  # doctest: +SKIP
>>> snowroute.write_run(result, "demo-output")  # doctest: +SKIP

The routing core works without a scenario: :func:`problem_from_graph` turns any
road graph into an :class:`ArcRoutingProblem`, :func:`solve` plans it and
:func:`validate` checks the plan independently. Plow two sides of a 100 m
square block from a yard at its corner:

>>> import networkx as nx
>>> import snowroute
>>> G = nx.MultiDiGraph()
>>> for n, (x, y) in enumerate([(0, 0), (0.001, 0), (0.001, 0.001), (0, 0.001)]):
...     G.add_node(n, x=x, y=y)
>>> streets = [(0, 1), (1, 2), (2, 3), (3, 0)]
>>> both_ways = streets + [(v, u) for u, v in streets]
>>> keys = G.add_edges_from(both_ways, length=100.0, speed_kph=30.0)
>>> truck = snowroute.VehicleClass(name="truck", depot="yard", plow_speed_kph=20.0)
>>> problem = snowroute.problem_from_graph(
...     G, required=[(0, 1, 0), (2, 3, 0)], depots={"yard": 0}, vehicles=[truck]
... )
>>> solution = snowroute.solve(problem, seed=1, max_iterations=50)
>>> solution.feasible, round(solution.cost), solution.gap_to_bound()
(True, 60, 0.0)
>>> snowroute.validate(problem, solution.routes).valid
True

Names are imported on first use, so ``import snowroute.routing`` does not load the
GIS libraries the network and output layers need.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from snowroute._errors import (
    ClusterError,
    InfeasibleError,
    InputFileError,
    NetworkValidationError,
    ProblemError,
    ScenarioError,
    SnowrouteError,
    TaggingError,
)

if TYPE_CHECKING:
    from snowroute.actual import ActualResult as ActualResult
    from snowroute.actual import compare_actual as compare_actual
    from snowroute.actual import read_fleet_table as read_fleet_table
    from snowroute.actual import read_logs as read_logs
    from snowroute.actual import read_plan as read_plan
    from snowroute.actual import synthetic_logs as synthetic_logs
    from snowroute.exchange import ExchangeResult as ExchangeResult
    from snowroute.exchange import PlanReport as PlanReport
    from snowroute.exchange import run_exchange as run_exchange
    from snowroute.network import NetworkReport as NetworkReport
    from snowroute.network import graph_from_file as graph_from_file
    from snowroute.network import network_report as network_report
    from snowroute.network import tag_network as tag_network
    from snowroute.network.ingest import graph_from_place as graph_from_place
    from snowroute.patrol import PatrolPlan as PatrolPlan
    from snowroute.patrol import PatrolReport as PatrolReport
    from snowroute.patrol import plan_patrol as plan_patrol
    from snowroute.pipeline import RunResult as RunResult
    from snowroute.pipeline import run_scenario as run_scenario
    from snowroute.pipeline import write_actual as write_actual
    from snowroute.pipeline import write_run as write_run
    from snowroute.prepare import graph_from_scenario as graph_from_scenario
    from snowroute.routing import ArcRoutingProblem as ArcRoutingProblem
    from snowroute.routing import PyVRPParams as PyVRPParams
    from snowroute.routing import Route as Route
    from snowroute.routing import Solution as Solution
    from snowroute.routing import SolveParams as SolveParams
    from snowroute.routing import TurnRules as TurnRules
    from snowroute.routing import ValidationReport as ValidationReport
    from snowroute.routing import VehicleClass as VehicleClass
    from snowroute.routing import lower_bound as lower_bound
    from snowroute.routing import problem_from_graph as problem_from_graph
    from snowroute.routing import solve as solve
    from snowroute.routing import validate as validate
    from snowroute.scenario import Scenario as Scenario
    from snowroute.scenario import scenario_from_toml as scenario_from_toml
    from snowroute.sweep import SweepResult as SweepResult
    from snowroute.sweep import run_sweep as run_sweep
    from snowroute.sweep import sweep_variants as sweep_variants

try:
    __version__ = version("snowroute")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

#: Where each name of the front door lives (imported when first used).
_HOMES = {
    "read_logs": "snowroute.actual",
    "read_fleet_table": "snowroute.actual",
    "read_plan": "snowroute.actual",
    "compare_actual": "snowroute.actual",
    "ActualResult": "snowroute.actual",
    "synthetic_logs": "snowroute.actual",
    "write_actual": "snowroute.pipeline",
    "scenario_from_toml": "snowroute.scenario",
    "Scenario": "snowroute.scenario",
    "graph_from_scenario": "snowroute.prepare",
    "run_scenario": "snowroute.pipeline",
    "write_run": "snowroute.pipeline",
    "RunResult": "snowroute.pipeline",
    "run_exchange": "snowroute.exchange",
    "ExchangeResult": "snowroute.exchange",
    "PlanReport": "snowroute.exchange",
    "plan_patrol": "snowroute.patrol",
    "PatrolPlan": "snowroute.patrol",
    "PatrolReport": "snowroute.patrol",
    "graph_from_file": "snowroute.network",
    "graph_from_place": "snowroute.network.ingest",
    "tag_network": "snowroute.network",
    "network_report": "snowroute.network",
    "NetworkReport": "snowroute.network",
    "problem_from_graph": "snowroute.routing",
    "solve": "snowroute.routing",
    "validate": "snowroute.routing",
    "lower_bound": "snowroute.routing",
    "ArcRoutingProblem": "snowroute.routing",
    "VehicleClass": "snowroute.routing",
    "TurnRules": "snowroute.routing",
    "SolveParams": "snowroute.routing",
    "PyVRPParams": "snowroute.routing",
    "Solution": "snowroute.routing",
    "Route": "snowroute.routing",
    "ValidationReport": "snowroute.routing",
    "sweep_variants": "snowroute.sweep",
    "run_sweep": "snowroute.sweep",
    "SweepResult": "snowroute.sweep",
}

__all__ = [
    "ClusterError",
    "InfeasibleError",
    "InputFileError",
    "NetworkValidationError",
    "ProblemError",
    "ScenarioError",
    "SnowrouteError",
    "TaggingError",
    "__version__",
    *sorted(_HOMES),
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        msg = f"module 'snowroute' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
