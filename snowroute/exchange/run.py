"""Running the exchange plans a scenario asks for: :func:`run_exchange`."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Executor

import networkx as nx

from snowroute._errors import ScenarioError
from snowroute.exchange.compare import comparison_rows, in_akita
from snowroute.exchange.ledger import PlanReport, plan_report
from snowroute.exchange.measure import Measurer
from snowroute.exchange.noise import NoiseBand, noise_band, touched_admins
from snowroute.exchange.optimize import estimate, measured_plan, optimize_exchange
from snowroute.exchange.plans import (
    ExchangeContext,
    Plan,
    Router,
    assignment_plan,
    pooled_equal_speed_plan,
    pooled_plan,
    pooled_problem,
)
from snowroute.exchange.result import ExchangeResult
from snowroute.exchange.units import upper_admin
from snowroute.network.attributes import EdgeKey
from snowroute.routing.budget import Budget
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
        ``optimized``, and the references ``unbalanced``, ``pooled`` and
        ``pooled_equal_speed``. The baseline is always computed (savings are
        measured against it).
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
    """Give each exchange plan (not the pooled reference) its noise band.

    Plans that touch the same administrators share one band: the same baseline
    routed with the same seeds (routing it again would only add noise to it).
    """
    seeds = ctx.scenario.exchange.noise_seeds
    baseline = plans["baseline"]
    out = dict(reports)
    bands: dict[tuple[str, ...], NoiseBand | None] = {}
    for name, plan in plans.items():
        if name in ("baseline", "pooled", "pooled_equal_speed"):
            continue
        admins = touched_admins(plan, baseline)
        if admins not in bands:
            bands[admins] = noise_band(ctx, baseline, admins, seeds=seeds)
        band = bands[admins]
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

    Each stage gets an equal part of what the run's budget has left (the
    exchange plans a double one): the baseline, the exchange plans (measured
    with ``exchange.measure_iterations`` from the baseline's routes, before the
    references so that a binding budget cuts the references first), then each
    pooled reference. The plans come back
    in :data:`~snowroute.scenario.model.PLAN_NAMES` order.
    """
    stages = _stages(wanted, given=given is not None)
    out: dict[str, Plan] = {}
    router.budget = ctx.budget.part(1 / len(stages))
    out["baseline"] = assignment_plan("baseline", router, dict(ctx.plow))
    if "exchange" in stages:
        # the exchange plans are the point of the run: a double part
        share = ctx.budget.part(2 / (len(stages) - stages.index("exchange") + 1))
        stage = dataclasses.replace(ctx, budget=share)
        plans, solves = _exchange_plans(stage, out["baseline"], wanted, given=given)
        out |= plans
        router.solves += solves
    for name in ("pooled", "pooled_equal_speed"):
        if name in stages:
            share = ctx.budget.part(1 / (len(stages) - stages.index(name)))
            out[name] = _reference_plan(ctx, name, out["baseline"], share)
    return {n: out[n] for n in PLAN_NAMES if n in out}


def _exchange_plans(
    ctx: ExchangeContext,
    baseline: Plan,
    wanted: Sequence[str],
    *,
    given: dict[EdgeKey, str] | None,
) -> tuple[dict[str, Plan], int]:
    """Measure the ``given`` plan and search ``optimized`` and ``unbalanced``.

    The unbalanced search starts from the fair plan: never worse than it.
    Returns the plans and the number of measuring searches.
    """
    measurer = Measurer(ctx, baseline)
    out: dict[str, Plan] = {}
    if given is not None:
        out["given"] = measured_plan("given", measurer, given)
    searched = [n for n in ("optimized", "unbalanced") if n in wanted]
    if searched:
        est = estimate(ctx, pooled_problem(ctx))
        for name in searched:
            run_ctx = ctx if name == "optimized" else _without_balance(ctx)
            out[name] = optimize_exchange(
                run_ctx, measurer, est, name=name, start=out.get("optimized")
            )
    return out, measurer.solves


def _reference_plan(
    ctx: ExchangeContext, name: str, baseline: Plan, budget: Budget
) -> Plan:
    """Route the ``pooled`` or ``pooled_equal_speed`` reference plan."""
    if name == "pooled":
        return pooled_plan(ctx, warm=baseline, budget=budget)[0]
    return pooled_equal_speed_plan(ctx, budget=budget)


def _without_balance(ctx: ExchangeContext) -> ExchangeContext:
    """``ctx`` without the balance rule (the ``unbalanced`` reference)."""
    spec = dataclasses.replace(ctx.scenario.exchange, balance_tolerance=None)
    scenario = dataclasses.replace(ctx.scenario, exchange=spec)
    return dataclasses.replace(ctx, scenario=scenario)


def _stages(wanted: Sequence[str], *, given: bool) -> list[str]:
    """Stages routed in order, each with an equal part of what the budget has left.

    The baseline always; then the exchange plans together; then the references.
    """
    stages = ["baseline"]
    if given or {"optimized", "unbalanced"} & set(wanted):
        stages.append("exchange")
    return stages + [n for n in ("pooled", "pooled_equal_speed") if n in wanted]
