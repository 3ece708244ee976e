"""The whole pipeline of a scenario: network, exchange plans, patrol, every output.

:func:`run_scenario` computes, :func:`write_run` writes; the CLI's ``run`` and
``demo`` commands are thin wrappers around the two.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute._io import atomic_directory
from snowroute._seed import check_seed
from snowroute.actual.compare import ActualResult
from snowroute.actual.plan import PREFERRED, Plan, PlannedLeg, PlannedRoute
from snowroute.exchange import ExchangeResult, run_exchange
from snowroute.network import load_boundaries
from snowroute.outputs import (
    InspectionStop,
    PatrolDay,
    PlanRoutes,
    exchange_figure,
    exchanged_sections,
    plans_driven,
    save_exchange_list,
    save_left_out,
    save_outputs,
    save_patrol,
    save_report,
    save_summary,
)
from snowroute.outputs.actual import ActualData, save_actual
from snowroute.patrol import PatrolPlan, plan_patrol
from snowroute.prepare import graph_from_scenario
from snowroute.routing.budget import MIN_SEARCH_S, Budget, check_budget
from snowroute.scenario.model import Scenario

__all__ = [
    "RunResult",
    "actual_data",
    "plan_of_run",
    "plan_routes",
    "run_scenario",
    "save_actual_files",
    "write_actual",
    "write_run",
]

logger = logging.getLogger(__name__)

#: Share of the routing budget the exchange plans get when there is a patrol plan.
_EXCHANGE_SHARE = 0.75


@dataclass(frozen=True, slots=True, eq=False)
class RunResult:
    """
    Everything one scenario run computed.

    Parameters
    ----------
    scenario
        The scenario.
    G
        Its tagged road network.
    exchange
        The exchange plans (baseline, given, optimized, pooled as requested).
    patrol
        The patrol plan, or None when the scenario has no ``[patrol]`` table.
    runtime_s
        Seconds for the whole run.
    """

    scenario: Scenario
    G: nx.MultiDiGraph
    exchange: ExchangeResult
    patrol: PatrolPlan | None
    runtime_s: float

    @property
    def valid(self) -> bool:
        """Whether every plan passed its validator."""
        return self.exchange.valid and (self.patrol is None or self.patrol.valid)

    def to_dict(self) -> dict[str, Any]:
        """Return the ``summary.json`` data: exchange plans and the patrol headline."""
        out = self.exchange.to_dict()
        out["description"] = self.scenario.description
        if self.patrol is not None:
            data = self.patrol.to_dict()
            out["patrol"] = {
                k: data[k]
                for k in (
                    "valid",
                    "sections_total",
                    "sections_compliant",
                    "structures_due",
                    "structures_scheduled",
                    "total_km",
                    "total_hours",
                )
            }
        out["valid"] = self.valid
        out["runtime_s"] = round(self.runtime_s, 1)
        return out


def run_scenario(
    scenario: Scenario,
    *,
    G: nx.MultiDiGraph | None = None,
    plans: Sequence[str] | None = None,
    time_limit_s: float | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
) -> RunResult:
    """Run every planner the scenario asks for.

    Parameters
    ----------
    scenario
        The scenario.
    G
        Its tagged network when already read (default: read it).
    plans
        Exchange plans to compute (default: the scenario's ``exchange.plans``).
    time_limit_s, seed
        Override the scenario's routing budget (all searches of the run: the
        exchange plans get :data:`_EXCHANGE_SHARE` of it when there is a patrol
        plan, the patrol what they leave) and seed.
    executor
        Where independent routing problems run side by side: each plan's
        administrators and the patrol days (a :class:`concurrent.futures.Executor`
        such as a Dask client's ``get_executor()``; each problem is then one task
        with one search process). Default: one after another in this process.

    Raises
    ------
    SnowrouteError
        When an input is invalid (see the planners).
    """
    start = time.perf_counter()
    total = scenario.solver.time_limit_s if time_limit_s is None else time_limit_s
    check_budget(total)  # before the network is read
    if seed is not None:
        check_seed(seed)
    if G is None:
        G = graph_from_scenario(scenario)
    budget = Budget(total)
    with_patrol = scenario.patrol is not None
    logger.info("exchange plans")
    exchange = run_exchange(
        G,
        scenario,
        plans=plans,
        time_limit_s=total * (_EXCHANGE_SHARE if with_patrol else 1.0),
        seed=seed,
        executor=executor,
    )
    patrol = None
    if with_patrol:
        logger.info("patrol plan")
        patrol = plan_patrol(
            G,
            scenario,
            time_limit_s=max(MIN_SEARCH_S, budget.remaining()),
            seed=seed,
            executor=executor,
        )
    return RunResult(
        scenario=scenario,
        G=G,
        exchange=exchange,
        patrol=patrol,
        runtime_s=time.perf_counter() - start,
    )


def plan_routes(result: RunResult) -> list[PlanRoutes]:
    """Every exchange plan's routes, one :class:`PlanRoutes` per routing problem."""
    scenario = result.scenario
    names = {d.id: d.name or d.id for d in scenario.depots}
    vehicle_admin = {v.id: scenario.admin_of_vehicle(v) for v in scenario.vehicles}
    out = []
    for name, plan in result.exchange.plans.items():
        for problem, solution in plan.parts.values():
            out.append(
                PlanRoutes(
                    name=name,
                    problem=problem,
                    solution=solution,
                    vehicle_admin=vehicle_admin,
                    depot_names=names,
                    start_clock=scenario.service.start,
                )
            )
    return out


def _patrol_days(result: RunResult) -> list[PatrolDay]:
    plan = result.patrol
    if plan is None:
        return []
    names = {d.id: d.name or d.id for d in result.scenario.depots}
    spec = result.scenario.patrol
    cars_start = None if spec is None else spec.cars.start
    days = []
    for day in plan.day_plans:
        if day.routing is None:
            continue
        problem, solution = day.routing
        admin = {v.name: plan.admin for v in problem.vehicles}
        stops = {
            s.edge: InspectionStop(s.structure_id, s.name, s.kind, s.minutes_on_site)
            for s in getattr(plan, "structures", ())
            if s.day == day.day and s.edge is not None
        }
        days.append(
            PatrolDay(
                date=day.date,
                routes=PlanRoutes(
                    name="patrol",
                    problem=problem,
                    solution=solution,
                    vehicle_admin=admin,
                    depot_names=names,
                    activity="patrol",
                    start_clock=cars_start,
                    stops=stops,
                ),
            )
        )
    return days


def _admin_names(G: nx.MultiDiGraph) -> dict[str, str]:
    from snowroute.network import administrators

    return {a: info.get("name", "") for a, info in administrators(G).items()}


def _boundaries(scenario: Scenario) -> Any:
    """Read the scenario's municipal boundaries for the web map (or None)."""
    spec = scenario.network
    if spec.boundaries is None:
        return None
    return load_boundaries(
        scenario.resolve(spec.boundaries),
        code_col=spec.boundary_code,
        name_col=spec.boundary_name,
    )


def report_assumptions(scenario: Scenario) -> dict[str, Any]:
    """Return what the report states the plans assume: shift, deadlines, fleet."""
    depots = {d.id: d.name or d.id for d in scenario.depots}
    return {
        "description": scenario.description,
        "start": scenario.service.start,
        "deadlines": dict(scenario.service.deadlines),
        "plowing_days": scenario.exchange.plowing_days,
        "vehicles": [
            {
                "id": v.id,
                "admin": scenario.admin_of_vehicle(v),
                "kind": v.kind,
                "count": v.count,
                "depot": depots.get(v.depot, v.depot),
                "plow_speed_kph": v.plow_speed_kph,
                "deadhead_speed_kph": v.deadhead_speed_kph,
                "shift_h": v.shift_h,
            }
            for v in scenario.vehicles
        ],
    }


def _figures(G: nx.MultiDiGraph, summary: dict[str, Any]) -> dict[str, Any]:
    """Draw a map figure of each exchange plan's sections (none for pooled)."""
    sections = exchanged_sections(summary)
    return {
        name: exchange_figure(G, [s for s in sections if s.plan == name])
        for name in summary["plans"]
        if any(s.plan == name for s in sections)
    }


def write_run(
    result: RunResult,
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "en",
    force: bool = False,
    extra: Callable[[Path], object] | None = None,
) -> list[Path]:
    """Write every output of ``result`` into ``out_dir``, all at once.

    ``summary.json``, ``left_out.gpkg`` (when roads were left out of the network),
    ``patrol.json`` and ``patrol_routes.csv`` (with a patrol plan), ``report.html``
    (in ``lang``), and the layers, GPX tracks, route sheets and web map of
    :func:`snowroute.outputs.save_outputs`: one ``save_*`` of :mod:`snowroute.outputs`
    each. The folder is built
    beside ``out_dir`` and moved into place, so a failure leaves nothing behind;
    ``extra`` may write more files into it first.

    Raises
    ------
    OutputError, FileExistsError
        When an output cannot be built, or ``out_dir`` exists and not ``force``.
    """
    summary = result.to_dict()
    patrol = None if result.patrol is None else result.patrol.to_dict()
    with atomic_directory(out_dir, force=force) as tmp:
        save_summary(summary, tmp)
        crs = result.scenario.network.output_crs
        save_left_out(result.G, tmp, crs=crs)
        if result.patrol is not None:
            save_patrol(result.G, result.patrol, tmp)
        save_outputs(
            tmp,
            result.G,
            plan_routes(result),
            exchanged=exchanged_sections(summary),
            patrol_days=_patrol_days(result),
            lang=lang,
            force=True,
            boundaries=_boundaries(result.scenario),
            crs=crs,
        )
        save_report(
            summary,
            tmp / "report.html",
            lang=lang,
            admin_names=_admin_names(result.G),
            map_file="map.html",
            patrol=patrol,
            assumptions=report_assumptions(result.scenario),
            figures=_figures(result.G, summary),
        )
        save_exchange_list(
            summary,
            tmp / "exchange_list.csv",
            lang=lang,
            admin_names=_admin_names(result.G),
        )
        if extra is not None:
            extra(tmp)
        files = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file())
    return [Path(out_dir) / p for p in files]


def plan_of_run(result: RunResult, name: str | None = None) -> Plan:
    """Return one exchange plan of ``result`` as the plan the logs are compared with.

    Default: the first of given, optimized, baseline, pooled that was computed.
    """
    names = list(result.exchange.plans)
    chosen = name or next((n for n in PREFERRED if n in names), names[0])
    routes = [
        PlannedRoute(
            route.vehicle,
            route.route_no,
            tuple(
                PlannedLeg(leg.edge, leg.serving, leg.start_s, leg.end_s)
                for leg in route.legs
            ),
        )
        for route in plans_driven(plan_routes(result))
        if route.plan == chosen
    ]
    return Plan(chosen, tuple(routes))


def actual_data(result: ActualResult) -> ActualData:
    """Return the comparison as the plain data that ``save_actual`` writes."""
    tz = result.shift_start.tzinfo
    unmatched = []
    for vehicle, idx in result.unmatched.items():
        track = result.tracks[vehicle]
        for i in idx.tolist():
            at = dt.datetime.fromtimestamp(float(track.t[i]), tz=tz)
            unmatched.append(
                (vehicle, at.isoformat(), float(track.lon[i]), float(track.lat[i]))
            )
    return ActualData(
        summary=result.to_dict(),
        coverage=[
            {
                "edge": c.edge,
                "plowed": c.plowed,
                "empty": c.empty,
                "first_s": c.first_s,
                "last_s": c.last_s,
                "vehicles": c.vehicles,
                "served_by": c.served_by,
                "planned": c.planned,
            }
            for c in result.coverage
        ],
        missed=result.missed,
        planned=result.planned_edges,
        tracks=[(v, t.lon, t.lat) for v, t in result.tracks.items()],
        unmatched=unmatched,
        start_clock=result.shift_start.strftime("%H:%M"),
    )


def save_actual_files(
    result: ActualResult, folder: Path, *, lang: str = "en"
) -> list[Path]:
    """Write the comparison's files into the existing ``folder``."""
    return save_actual(folder, result.G, actual_data(result), lang=lang)


def write_actual(
    result: ActualResult,
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "en",
    force: bool = False,
) -> list[Path]:
    """Write the comparison's files into ``out_dir``, all at once.

    ``actual.json``, ``actual.gpkg``, ``actual_map.html`` and
    ``actual_report.html``; a failure leaves nothing behind.

    Raises
    ------
    FileExistsError
        When ``out_dir`` exists and not ``force``.
    """
    with atomic_directory(out_dir, force=force) as tmp:
        names = [p.name for p in save_actual_files(result, tmp, lang=lang)]
    return [Path(out_dir) / n for n in names]
