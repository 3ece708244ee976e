"""Demo plans for the output tests: two plans on the demo scenario, one exchange.

Solved once per session with a few iterations (deterministic, seconds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from snowroute.network import attributes as A
from snowroute.outputs import ExchangedSection, PatrolDay, PlanRoutes
from snowroute.prepare import (
    depot_nodes,
    graph_from_scenario,
    plow_edges,
    plow_problem,
    vehicle_classes,
)
from snowroute.routing import solve
from snowroute.scenario.load import scenario_from_toml

ROOT = Path(__file__).resolve().parents[2]
XSS = "<script>alert(1)</script>"
XSS_ROUTE = "`${alert(2)}` & \"q\" 'r' \\"
XSS_DEPOT = "<img src=x onerror=alert(3)>"
XSS_VEHICLE = "katagami<b>dozer</b>"


@dataclass(frozen=True)
class Demo:
    """Network, plans, exchanged sections and patrol days of the demo scenario."""

    G: Any
    plans: tuple[PlanRoutes, ...]
    exchanged: tuple[ExchangedSection, ...]
    patrol_days: tuple[PatrolDay, ...]
    xss_edges: tuple[tuple[Any, Any, int], ...]


def _solve_admins(
    G: nx.MultiDiGraph,
    scenario: Any,
    depots: Any,
    owners: dict[Any, str],
    admins: list[str],
    name: str,
    vehicle_names: dict[str, str],
) -> list[PlanRoutes]:
    out = []
    names = {d.id: d.name for d in scenario.depots}
    names["D05211"] = XSS_DEPOT
    for admin in admins:
        vehicles = tuple(
            replace(v, name=vehicle_names.get(v.name, v.name))
            for v in vehicle_classes(scenario, admins=[admin])
        )
        edges = [e for e, a in owners.items() if a == admin]
        problem = plow_problem(G, scenario, depots, edges, vehicles)
        solution = solve(
            problem, time_limit_s=60.0, seed=1, max_iterations=5, workers=1
        )
        assert solution.feasible, solution.violations
        out.append(
            PlanRoutes(
                name=name,
                problem=problem,
                solution=solution,
                vehicle_admin={v.name: admin for v in vehicles},
                depot_names=names,
                start_clock=scenario.service.start,
            )
        )
    return out


@pytest.fixture(scope="session")
def demo() -> Demo:
    """The demo scenario with hostile names, a baseline and a swapped plan."""
    scenario = scenario_from_toml(ROOT / "scenarios" / "demo.toml")
    G = graph_from_scenario(scenario)
    depots = depot_nodes(G, scenario)
    owners = plow_edges(G, scenario)
    # hostile text from input data: a street name, a route name, a vehicle id
    xss_edges = tuple(e for e, a in owners.items() if a == "05211")[:6]
    for edge in xss_edges:
        G.edges[edge]["name"] = XSS
        G.edges[edge][A.ROUTE_NAME] = XSS_ROUTE
    vehicle_names = {"katagami-dozer": XSS_VEHICLE}
    baseline = _solve_admins(
        G,
        scenario,
        depots,
        owners,
        ["05", "05201", "05211", "05361"],
        "baseline",
        vehicle_names,
    )
    # hand one prefectural section to Akita city
    section = sorted(
        {
            str(G.edges[e][A.SECTION_ID])
            for e, a in owners.items()
            if a == "05" and G.edges[e].get(A.SECTION_ID)
        }
    )[0]
    moved = {e for e in owners if G.edges[e].get(A.SECTION_ID) == section}
    swapped_owners = {e: ("05201" if e in moved else a) for e, a in owners.items()}
    swapped = _solve_admins(
        G, scenario, depots, swapped_owners, ["05", "05201"], "swapped", vehicle_names
    )
    swapped += [replace(p, name="swapped") for p in baseline[2:]]
    route_id = str(G.edges[next(iter(moved))][A.ROUTE_ID])
    km = sum(float(G.edges[e]["length"]) for e in moved) / 2000.0
    exchanged = (
        ExchangedSection(route_id, section, "05", "05201", km, plan="swapped"),
    )
    patrol = tuple(
        PatrolDay(
            dt.date(2026, 12, 1) + dt.timedelta(days=i),
            replace(baseline[2], name=f"patrol-{i + 1}", activity="patrol"),
        )
        for i in range(2)
    )
    return Demo(G, (*baseline, *swapped), exchanged, patrol, xss_edges)
