"""Plans of the real-network benchmark as JSON files, and their check.

``run.py --solutions DIR`` writes every plan it reports to
``DIR/<row name>-seed<N>.json``: the routes as the solver returned them (the arcs of
the instance's deadhead graph, which of them serve, the passes served, refill stops
and the route's totals). :func:`check_plan` rebuilds the routes and hands them to
the independent validator on the instance as ``instances.py`` builds it now: the
plan must be valid, the validator recomputes every route's totals (and rejects a
route whose stored totals differ), and the cost it finds must be the CSV's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from snowroute.routing import (
    ArcRoutingProblem,
    Refill,
    Route,
    ServiceVisit,
    Solution,
    validate,
)

__all__ = ["check_plan", "plan_path", "read_routes", "write_plan"]

_TOTALS = ("served_m", "deadhead_m", "service_s", "deadhead_s", "load", "peak_load")


def plan_path(folder: Path, row: str, seed: int) -> Path:
    """Return the file of the plan of CSV row ``row`` (instance or plan) and seed."""
    return folder / f"{row}-seed{seed}.json"


def _route_json(route: Route) -> dict[str, Any]:
    return {
        "vehicle": route.vehicle,
        "services": [[s.required, s.direction, s.pass_index] for s in route.services],
        "arcs": route.arcs.tolist(),
        "serving": route.serving.tolist(),
        "refills": [[r.position, r.depot] for r in route.refills],
        **{name: getattr(route, name) for name in _TOTALS},
        "finish_s": dict(route.finish_s),
    }


def write_plan(path: Path, row: str, seed: int, solution: Solution) -> None:
    """Write ``solution``'s routes and cost to ``path`` (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "row": row,
        "seed": seed,
        "cost": solution.cost,
        "routes": [_route_json(r) for r in solution.routes],
    }
    path.write_text(json.dumps(body, separators=(",", ":")) + "\n", encoding="utf-8")


def read_routes(body: Mapping[str, Any]) -> list[Route]:
    """Return the routes of a plan file's content."""
    return [
        Route(
            vehicle=r["vehicle"],
            services=tuple(ServiceVisit(*s) for s in r["services"]),
            arcs=r["arcs"],
            serving=r["serving"],
            refills=tuple(Refill(int(p), str(d)) for p, d in r["refills"]),
            finish_s=r["finish_s"],
            **{name: float(r[name]) for name in _TOTALS},
        )
        for r in body["routes"]
    ]


def check_plan(problem: ArcRoutingProblem, path: Path, cost: float) -> str | None:
    """Validate the plan in ``path`` on ``problem``; ``None``, or what is wrong.

    The plan must be valid and the validator's cost within 1e-6 (relative) of
    ``cost`` (the CSV's).
    """
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        routes = read_routes(body)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"{path.name}: cannot be read ({exc})"
    report = validate(problem, routes)
    if not report.valid:
        return f"{path.name}: invalid: {'; '.join(report.violations[:3])}"
    if abs(report.cost - cost) > 1e-6 * max(1.0, abs(cost)):
        return f"{path.name}: the validator gives {report.cost:.4f}, the CSV {cost:.4f}"
    return None
