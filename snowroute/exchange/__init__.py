"""Exchange snow clearing (交換除雪): baseline, given, optimised and pooled plans.

One entry point, :func:`run_exchange`, computes the plans a scenario asks for on
its tagged road network and returns an :class:`ExchangeResult` with the ledger,
the exchanged roads, the balance per partner pair and the comparison with the
prefecture's H20/H21 figures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np

from snowroute._errors import ScenarioError
from snowroute.exchange.compare import ComparisonRow, comparison_rows
from snowroute.exchange.ledger import PlanReport, plan_report
from snowroute.exchange.optimize import optimize_exchange
from snowroute.exchange.plans import (
    ExchangeContext,
    Plan,
    Router,
    assignment_plan,
    pooled_plan,
)
from snowroute.exchange.summary import (
    comparison_dicts,
    comparison_text,
    ledger_text,
    plan_summary,
)
from snowroute.exchange.units import upper_admin
from snowroute.scenario.model import PLAN_NAMES, Scenario, clock_seconds

__all__ = ["ExchangeContext", "ExchangeResult", "Plan", "PlanReport", "run_exchange"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, eq=False)
class ExchangeResult:
    """
    The plans of one exchange run with their ledgers.

    Parameters
    ----------
    context
        Network, roads, fleets, units and partners the plans share.
    plans
        Plan name → plan (routes and assignment), in computing order.
    reports
        Plan name → its ledger, exchanges, balance and validity.
    comparison
        The H20/H21 comparison rows followed by the scenario's plans.
    runtime_s
        Seconds for the whole run.
    """

    context: ExchangeContext
    plans: dict[str, Plan]
    reports: dict[str, PlanReport]
    comparison: tuple[ComparisonRow, ...]
    runtime_s: float
    prefecture: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plans", MappingProxyType(dict(self.plans)))
        object.__setattr__(self, "reports", MappingProxyType(dict(self.reports)))

    @property
    def valid(self) -> bool:
        """Whether every plan passes the validator."""
        return all(r.valid for r in self.reports.values())

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary: every plan's figures, ledger rows, exchanges, balance."""
        ctx = self.context
        spec = ctx.scenario.exchange
        start = clock_seconds(ctx.scenario.service.start, field="service.start")
        baseline = self.reports.get("baseline")
        pooled = self.reports.get("pooled")
        return {
            "scenario": ctx.scenario.name,
            "unit": spec.unit,
            "units": len(ctx.units),
            "prefecture": self.prefecture,
            "partners": [list(p) for p in ctx.pairs],
            "balance_tolerance": spec.balance_tolerance,
            "admin_cost_h": spec.admin_cost_h,
            "engine": ctx.engine,
            "time_limit_s": ctx.time_limit_s,
            "seed": ctx.seed,
            "valid": self.valid,
            "plans": {
                name: plan_summary(
                    report, baseline=baseline, pooled=pooled, start_s=start
                )
                for name, report in self.reports.items()
            },
            "comparison": comparison_dicts(self.comparison),
            "runtime_s": round(self.runtime_s, 1),
        }

    def ledger_text(self) -> str:
        """Return the ledger of every plan as a text table."""
        start = clock_seconds(
            self.context.scenario.service.start, field="service.start"
        )
        return ledger_text(self.reports, start_s=start)

    def comparison_text(self) -> str:
        """Return the H20/H21 comparison as a text table."""
        return comparison_text(self.comparison)


def run_exchange(
    G: nx.MultiDiGraph,
    scenario: Scenario,
    *,
    plans: Sequence[str] | None = None,
    time_limit_s: float | None = None,
    seed: int | None = None,
) -> ExchangeResult:
    """
    Compute the exchange plans of ``scenario`` on its tagged network ``G``.

    Parameters
    ----------
    G
        The tagged road network (:func:`snowroute.prepare.scenario_network`).
    scenario
        The scenario (depots, fleets, service, ``[exchange]``, ``[solver]``).
    plans
        Plans to compute (default ``exchange.plans``): ``baseline``, ``given``,
        ``optimized``, ``pooled``. The baseline is always computed (savings are
        measured against it); the optimised plan also needs the pooled problem.
    time_limit_s, seed
        Override the scenario's routing time limit per problem and seed.

    Returns
    -------
    ExchangeResult
        Every plan with its ledger; plans that break a constraint say which
        (``PlanReport.violations``).

    Raises
    ------
    ScenarioError
        When a plan name, an exchange list entry, a partner or a lock is invalid.
    """
    start = time.perf_counter()
    wanted = tuple(plans) if plans is not None else scenario.exchange.plans
    for name in wanted:
        if name not in PLAN_NAMES:
            msg = f"Unknown exchange plan {name!r} (plans: {', '.join(PLAN_NAMES)})."
            raise ScenarioError(msg)
    ctx = ExchangeContext.from_scenario(
        G, scenario, time_limit_s=time_limit_s, seed=seed
    )
    logger.info(
        "exchange: %d roads in %d %ss, %d administrators, partners %s",
        len(ctx.plow),
        len(ctx.units),
        scenario.exchange.unit,
        len(ctx.admins),
        ", ".join(f"{a}-{b}" for a, b in ctx.pairs),
    )
    given = ctx.given_assignment() if "given" in wanted else None
    router = Router(ctx)
    rng = np.random.default_rng(ctx.seed)
    stages = _stages(wanted)
    out: dict[str, Plan] = {}
    router.budget = ctx.budget.part(1 / len(stages))
    out["baseline"] = assignment_plan("baseline", router, dict(ctx.plow))
    if given is not None:
        router.budget = ctx.budget.part(1 / (len(stages) - stages.index("given")))
        out["given"] = assignment_plan("given", router, given, warm=out["baseline"])
    pooled = pooled_problem = None
    if "pooled" in stages:
        share = ctx.budget.part(1 / (len(stages) - stages.index("pooled")))
        pooled, pooled_problem = pooled_plan(ctx, warm=out["baseline"], budget=share)
    if "optimized" in wanted:
        router.budget = ctx.budget
        assert pooled_problem is not None
        out["optimized"] = optimize_exchange(
            ctx,
            router,
            pooled_problem=pooled_problem,
            pooled_assignment=None if pooled is None else pooled.assignment,
            baseline=out["baseline"],
            rng=rng,
        )
    if pooled is not None and "pooled" in wanted:
        out["pooled"] = pooled
    order = [n for n in PLAN_NAMES if n in out and (n in wanted or n == "baseline")]
    plans_out = {n: out[n] for n in order}
    reports = {n: plan_report(ctx, p) for n, p in plans_out.items()}
    upper = upper_admin(G, ctx.admins)
    return ExchangeResult(
        context=ctx,
        plans=plans_out,
        reports=reports,
        comparison=comparison_rows(reports, upper=upper),
        runtime_s=time.perf_counter() - start,
        prefecture=upper,
        extra={"routing_solves": router.solves},
    )


def _stages(wanted: Sequence[str]) -> list[str]:
    """Plans routed in order, each with an equal part of what the budget has left.

    The baseline always; the optimised plan needs the pooled problem.
    """
    stages = ["baseline"]
    if "given" in wanted:
        stages.append("given")
    if "pooled" in wanted or "optimized" in wanted:
        stages.append("pooled")
    if "optimized" in wanted:
        stages.append("optimized")
    return stages
