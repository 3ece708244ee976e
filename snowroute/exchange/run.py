"""Running the exchange plans a scenario asks for: :func:`run_exchange`."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Executor

import networkx as nx
import numpy as np

from snowroute._errors import ScenarioError
from snowroute.exchange.compare import comparison_rows, in_akita
from snowroute.exchange.ledger import PlanReport, plan_report
from snowroute.exchange.noise import noise_band, touched_admins
from snowroute.exchange.optimize import optimize_exchange
from snowroute.exchange.plans import (
    ExchangeContext,
    Plan,
    Router,
    assignment_plan,
    pooled_plan,
)
from snowroute.exchange.result import ExchangeResult
from snowroute.exchange.units import upper_admin
from snowroute.network.attributes import EdgeKey
from snowroute.scenario.model import PLAN_NAMES, Scenario

__all__ = ["run_exchange"]

logger = logging.getLogger(__name__)


def run_exchange(
    G: nx.MultiDiGraph,
    scenario: Scenario,
    *,
    plans: Sequence[str] | None = None,
    time_limit_s: float | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
) -> ExchangeResult:
    """
    Compute the exchange plans of ``scenario`` on its tagged network ``G``.

    Parameters
    ----------
    G
        The tagged road network (:func:`snowroute.prepare.graph_from_scenario`).
    scenario
        The scenario (depots, fleets, service, ``[exchange]``, ``[solver]``).
    plans
        Plans to compute (default ``exchange.plans``): ``baseline``, ``given``,
        ``optimized``, ``pooled``. The baseline is always computed (savings are
        measured against it); the optimised plan also needs the pooled problem.
    time_limit_s, seed
        Override the run's routing budget (shared between its problems) and seed.
    executor
        Where the administrators' problems of each plan are routed side by side
        (see :class:`~snowroute.exchange.plans.ExchangeContext`); default: one
        after another in this process.

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
    wanted = _wanted_plans(scenario, plans)
    ctx = ExchangeContext.from_scenario(
        G, scenario, time_limit_s=time_limit_s, seed=seed, executor=executor
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
    computed = _route_plans(ctx, router, wanted, given=given)
    reports = {n: plan_report(ctx, p) for n, p in computed.items()}
    reports = _with_noise(ctx, computed, reports)
    upper = upper_admin(G, ctx.admins)
    return ExchangeResult(
        context=ctx,
        plans=computed,
        reports=reports,
        comparison=comparison_rows(
            reports, upper=upper, reference=in_akita(ctx.admins)
        ),
        runtime_s=time.perf_counter() - start,
        prefecture=upper,
        extra={"routing_solves": router.solves},
    )


def _with_noise(
    ctx: ExchangeContext, plans: dict[str, Plan], reports: dict[str, PlanReport]
) -> dict[str, PlanReport]:
    """Give each exchange plan (not the pooled reference) its noise band."""
    seeds = ctx.scenario.exchange.noise_seeds
    baseline = plans["baseline"]
    out = dict(reports)
    for name, plan in plans.items():
        if name in ("baseline", "pooled"):
            continue
        admins = touched_admins(plan, baseline)
        band = noise_band(ctx, baseline, admins, seeds=seeds)
        if band is not None:
            logger.info(
                "%s: noise of %s over %d seeds: %.2f h, %.1f km",
                name,
                ", ".join(admins),
                band.seeds,
                band.hours,
                band.km,
            )
            out[name] = dataclasses.replace(reports[name], noise=band)
    return out


def _wanted_plans(scenario: Scenario, plans: Sequence[str] | None) -> tuple[str, ...]:
    """Return ``plans`` (default: the scenario's ``exchange.plans``), each checked.

    Raises
    ------
    ScenarioError
        When a name is not one of :data:`~snowroute.scenario.model.PLAN_NAMES`.
    """
    wanted = tuple(plans) if plans is not None else scenario.exchange.plans
    for name in wanted:
        if name not in PLAN_NAMES:
            msg = f"Unknown exchange plan {name!r} (plans: {', '.join(PLAN_NAMES)})."
            raise ScenarioError(msg)
    return wanted


def _route_plans(
    ctx: ExchangeContext,
    router: Router,
    wanted: Sequence[str],
    *,
    given: dict[EdgeKey, str] | None,
) -> dict[str, Plan]:
    """Route the baseline and the ``wanted`` plans, stage by stage (:func:`_stages`).

    Each stage gets an equal part of what the run's budget has left; the plans
    come back in :data:`~snowroute.scenario.model.PLAN_NAMES` order.
    """
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
    return {n: out[n] for n in order}


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
