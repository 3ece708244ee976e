"""The routing entry point: transform, search with an engine, polish, validate."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from typing import Literal

from snowroute._errors import ProblemError
from snowroute.routing.bound import lower_bound
from snowroute.routing.engine import Engine, EngineResult
from snowroute.routing.expand import expand_routes
from snowroute.routing.improve import best_directions
from snowroute.routing.problem import ArcRoutingProblem
from snowroute.routing.solution import Solution
from snowroute.routing.transform import Transformation, transform
from snowroute.routing.validate import validate
from snowroute.routing.warm import WarmRoute, warm_routes

__all__ = ["ENGINES", "solve"]

logger = logging.getLogger(__name__)

#: Engine names accepted by :func:`solve`.
ENGINES: tuple[str, ...] = ("pyvrp", "ortools")


def default_workers() -> int:
    """Worker processes used when ``workers`` is not given: the cores, at most 2."""
    return max(1, min(2, os.cpu_count() or 1))


def solve(
    problem: ArcRoutingProblem,
    *,
    engine: Literal["pyvrp", "ortools"] = "pyvrp",
    time_limit_s: float = 10.0,
    seed: int = 0,
    workers: int | None = None,
    max_iterations: int | None = None,
    initial: Sequence[WarmRoute] | None = None,
    transformation: Transformation | None = None,
) -> Solution:
    """
    Plan routes that serve every required arc of ``problem``.

    Builds the node-routing transformation (shortest paths once per vehicle
    profile), searches with ``engine``, re-optimises the service directions of every
    route exactly, expands the routes into arcs and checks the plan with the
    independent validator, whose figures become the plan's cost and violations.

    Parameters
    ----------
    problem
        The arc-routing problem.
    engine
        ``"pyvrp"`` (default) or ``"ortools"``.
    time_limit_s
        Wall-clock budget of the whole call, in seconds.
    seed
        Seed of the search. With ``max_iterations`` the same seed gives the same
        plan; with a time limit only the budget decides when the search stops, so
        the plan can differ between runs on a loaded machine.
    workers
        Search processes (default: the number of cores, at most 2).
    max_iterations
        Stop each search worker after this many iterations (PyVRP) or solutions
        (OR-Tools) instead of at the time limit (the limit still applies).
    initial
        Routes to start the search from (:func:`~snowroute.routing.warm.carry_over`
        maps a related plan's routes); services they lack are inserted where they
        cost least. The plan found is then at least as good as that start when the
        start is feasible.
    transformation
        The transformation of ``problem`` when the caller has built it already
        (:func:`~snowroute.routing.transform.transform`); built here otherwise.

    Returns
    -------
    Solution
        The plan; ``feasible`` is false and ``violations`` say why when the plan
        breaks a constraint (too few vehicles, deadlines too tight, ...).

    Raises
    ------
    ProblemError
        When ``engine``, ``time_limit_s``, ``workers`` or ``max_iterations`` is
        invalid.
    InfeasibleError
        When a required arc provably cannot be served (see
        :class:`~snowroute.routing.problem.ArcRoutingProblem` and
        :func:`~snowroute.routing.transform.transform`).
    """
    start = time.perf_counter()
    if engine not in ENGINES:
        msg = f"`engine` must be one of {', '.join(ENGINES)}, got {engine!r}."
        raise ProblemError(msg)
    if not time_limit_s > 0:
        msg = f"`time_limit_s` must be positive, got {time_limit_s!r}."
        raise ProblemError(msg)
    workers = default_workers() if workers is None else workers
    if workers < 1:
        msg = f"`workers` must be at least 1, got {workers!r}."
        raise ProblemError(msg)
    if max_iterations is not None and max_iterations < 1:
        msg = f"`max_iterations` must be at least 1, got {max_iterations!r}."
        raise ProblemError(msg)

    if transformation is not None and transformation.problem is not problem:
        msg = "`transformation` was built for another problem."
        raise ProblemError(msg)
    tr = transform(problem) if transformation is None else transformation
    bound = lower_bound(problem)
    logger.info("lower bound %.1f (%.1f s so far)", bound, time.perf_counter() - start)
    if problem.num_services == 0:
        result = EngineResult(routes=())
    else:
        remaining = time_limit_s - (time.perf_counter() - start)
        budget = max(0.1, remaining * 0.98 - 0.2)
        start_routes = warm_routes(tr, initial) if initial else None
        search: Engine
        if engine == "pyvrp":
            from snowroute.routing._pyvrp import solve_pyvrp

            search = solve_pyvrp
        else:
            from snowroute.routing._ortools import solve_ortools

            search = solve_ortools
        result = search(
            tr,
            time_limit_s=budget,
            seed=seed,
            workers=workers,
            max_iterations=max_iterations,
            initial=start_routes,
        )
    node_routes = [best_directions(tr, r) for r in result.routes]
    routes = expand_routes(tr, node_routes)
    report = validate(problem, routes)
    runtime = time.perf_counter() - start
    logger.info(
        "%s: cost %.1f, %d routes, %s, %.1f s",
        engine,
        report.cost,
        len(routes),
        "feasible" if report.ok else f"{len(report.violations)} violations",
        runtime,
    )
    return Solution(
        routes=routes,
        cost=report.cost,
        feasible=report.ok,
        violations=report.violations,
        lower_bound=bound,
        engine=engine,
        seed=seed,
        runtime_s=runtime,
        stats={**result.stats, "iterations": float(result.iterations)},
    )
