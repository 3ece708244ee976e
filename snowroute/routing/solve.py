"""The routing entry point: transform, search with an engine, polish, validate.

:func:`solve` takes one :class:`~snowroute.routing.params.SolveParams` value.
Under ``objective = "total_time"`` it runs one search, or three on a large problem
with deadlines (:data:`PHASE_SHARES`). Under ``"makespan"`` it
starts from routes of equal length for the whole fleet and runs a few searches,
each with every route capped a step below the best finish so far and starting
from the best plan: within the cap a search still minimises total time, so the
plan is "earliest finish, then fewest hours".
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import multiprocessing
import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from functools import cache, partial
from typing import Any

import numpy as np

from snowroute._errors import ProblemError
from snowroute.routing._pool import Forked
from snowroute.routing.bound import lower_bound, makespan_bound
from snowroute.routing.coarsen import coarsen, without_deadlines
from snowroute.routing.construct import balanced_routes, initial_routes
from snowroute.routing.engine import Engine, EngineResult
from snowroute.routing.expand import expand_routes
from snowroute.routing.improve import (
    KICKS,
    load_kernel,
    node_route_s,
    polish_route,
    route_lateness_s,
)
from snowroute.routing.params import (
    ENGINES,
    ONE_DEPOT_TOUR_MIN_SERVICES,
    TOUR_MIN_SERVICES,
    Progress,
    ProgressCallback,
    SolveParams,
)
from snowroute.routing.problem import ArcRoutingProblem
from snowroute.routing.solution import Route, Solution
from snowroute.routing.together import (
    JOINT_KICKS,
    LONGEST,
    all_together,
    reorder_plan,
)
from snowroute.routing.transform import NodeRoute, Transformation, transform
from snowroute.routing.validate import ValidationReport, validate
from snowroute.routing.warm import WarmRoute, warm_routes

__all__ = [
    "ENGINES",
    "PHASE_SHARES",
    "default_workers",
    "plan_from_warm",
    "solve",
    "solve_on",
]

logger = logging.getLogger(__name__)

#: Shares of the search budget (seconds, and ``max_iterations``) of the first two
#: phases of a search in phases (``SolveParams.phases_from``): without deadlines,
#: then on chunks of that plan; the third phase, the problem as it is, gets the
#: rest. On the Middleton city streets (36 s of search, seeds 1-3, mean plans):
#: one search 59,209 s; a first phase of 0.39 59,024 s, 0.5 58,862 s, 0.61
#: 58,809 s, 0.72 58,735 s, 0.78 58,957 s, 0.83 58,861 s: from half the budget
#: up the differences are inside the seed spread. The repair finds its plan
#: within a few hundred iterations; (0.76, 0.05) and (0.7, 0.12) gave 58,837 s
#: and 58,852 s over seeds 1-10 (``run.py``, 36 s per solve).
PHASE_SHARES = (0.76, 0.05)
#: Largest number of consecutive services in a chunk of the second phase (on the
#: city, first phase 0.5: 2 59,069 s, 4 58,862 s, 8 58,956 s).
_CHUNK = 4
#: Offset of the seeds that reorder the first phase's plan from those of the final
#: plan's reordering (the same route is not kicked the same way twice).
_FIRST_PHASE_SEED = 1_000_003
#: Most kicks per stop of a final plan's routes searched together.
MOST_KICKS = 20
#: Share of its time limit from which a search counts as having run to it (a
#: converged search stops well before).
_TIME_UP = 0.95
#: First step of the cap below the best finish in a makespan solve.
_MAKESPAN_STEP = 0.05
#: A makespan within this share of its lower bound ends the search.
_MAKESPAN_TOLERANCE = 0.01
#: Capped searches of a makespan solve (each an equal share of what is left).
_MAKESPAN_PROBES = 6
#: Required arcs from which the lower bound is computed in a worker beside the
#: shortest paths and the first plan (on the Middleton city, 1,387 arcs, that
#: gives the search the bound's 2.7 s); a fork costs more on small problems.
BOUND_ASIDE_ARCS = 500


def default_workers() -> int:
    """Worker processes used when ``workers`` is not given: the cores, at most 2."""
    return max(1, min(2, os.cpu_count() or 1))


def solve(
    problem: ArcRoutingProblem,
    params: SolveParams | None = None,
    *,
    initial: Sequence[WarmRoute] | None = None,
    transformation: Transformation | None = None,
    callback: ProgressCallback | None = None,
    **settings: Any,
) -> Solution:
    """
    Plan routes that serve every required arc of ``problem``.

    Builds the node-routing transformation (shortest paths once per vehicle
    profile), searches with the engine, re-optimises the service directions of
    every route exactly, expands the routes into arcs and checks the plan with the
    independent validator, whose figures become the plan's cost and violations.

    Parameters
    ----------
    problem
        The arc-routing problem.
    params
        Engine, budget, seed, workers, stopping rules, objective and engine
        settings (default :class:`SolveParams()`).
    initial
        Routes to start the search from (:func:`~snowroute.routing.warm.carry_over`
        maps a related plan's routes); services they lack are inserted where they
        cost least. The plan found is then at least as good as that start when the
        start is feasible.
    transformation
        The transformation of ``problem`` when the caller has built it already
        (:func:`~snowroute.routing.transform.transform`); built here otherwise.
    callback
        Receives a :class:`~snowroute.routing.params.Progress` for every new best
        plan (and each capped stage of a makespan search).
    **settings
        Fields of :class:`SolveParams` that replace those of ``params``
        (``solve(problem, time_limit_s=5, seed=2)``).

    Returns
    -------
    Solution
        The plan; ``feasible`` is false and ``violations`` say why when the plan
        breaks a constraint (too few vehicles, deadlines too tight, ...).

    Raises
    ------
    ProblemError
        When a setting is invalid.
    InfeasibleError
        When a required arc provably cannot be served (see
        :class:`~snowroute.routing.problem.ArcRoutingProblem` and
        :func:`~snowroute.routing.transform.transform`).
    """
    params = _settled(problem, params or SolveParams(), settings, transformation)
    start = time.perf_counter()
    tr, start_routes, bound = _prepare(problem, params, initial, transformation)
    logger.debug("lower bound %.1f (%.1f s so far)", bound, time.perf_counter() - start)
    deadline = start + params.time_limit_s
    joint = params.objective != "makespan"  # see _reordered
    polish_s = _polish_s(tr, start_routes, params.workers, joint=joint)
    run = _Run(tr, params, deadline, bound, callback, start, polish_s)
    result, routes, report, extra = _search_plan(run, start_routes)
    runtime = time.perf_counter() - start
    logger.debug(
        "%s: cost %.1f, %d routes, %s, %.1f s",
        params.engine,
        report.cost,
        len(routes),
        "feasible" if report.valid else f"{len(report.violations)} violations",
        runtime,
    )
    stats = {**result.stats, "iterations": float(result.iterations), **extra}
    return _solution(problem, routes, report, params, bound, runtime, stats)


def _settled(
    problem: ArcRoutingProblem,
    params: SolveParams,
    settings: Mapping[str, Any],
    transformation: Transformation | None,
) -> SolveParams:
    """Return ``params`` with ``settings`` and the default workers, checked.

    A solve bound by iterations loads the reordering kernel here, before its
    clock starts: a first use (a compilation) must not cut its search short.
    """
    params = params.with_(**settings)
    if params.workers is None:
        params = params.with_(workers=default_workers())
    _warn_oversubscribed(params.workers, os.cpu_count() or 1)
    if transformation is not None and transformation.problem is not problem:
        msg = "`transformation` was built for another problem."
        raise ProblemError(msg)
    if params.max_iterations is not None and problem.required:
        load_kernel()
    return params


@cache  # once per run and setting, not once per routing problem
def _warn_oversubscribed(workers: int, cores: int) -> None:
    """Warn when the searches' processes outnumber the machine's cores."""
    if workers > cores:
        logger.warning(
            "%d search processes on %d core%s: each gets less than a core, so a "
            "time limit buys less search, and the final reordering (one try per "
            "process) takes longer than the time set aside for it.",
            workers,
            cores,
            "s" if cores > 1 else "",
        )


def _prepare(
    problem: ArcRoutingProblem,
    params: SolveParams,
    initial: Sequence[WarmRoute] | None,
    transformation: Transformation | None,
) -> tuple[Transformation, list[NodeRoute] | None, float]:
    """Return the transformation, the first plan and the lower bound.

    From :data:`BOUND_ASIDE_ARCS` required arcs the bound (a linear program) is
    computed in a worker of its own while this process builds the shortest
    paths and the first plan: where the search may use more than one process
    and this process may start one (a Dask worker, say, is daemonic and may not).
    """
    aside = (
        len(problem.required) >= BOUND_ASIDE_ARCS
        and (params.workers or 1) > 1
        and not multiprocessing.current_process().daemon
    )
    pending = Forked(lower_bound, problem) if aside else None
    with pending or contextlib.nullcontext():
        if problem.required:  # inside the time limit, not after the search;
            load_kernel()  # a no-op where `_settled` loaded it (iterations bind)
        tr = transform(problem) if transformation is None else transformation
        start_routes = _first_plan(tr, params, initial)
        bound = lower_bound(problem) if pending is None else pending.result()
    return tr, start_routes, bound


def _search_plan(
    run: _Run, start_routes: Sequence[NodeRoute] | None
) -> tuple[EngineResult, tuple[Route, ...], ValidationReport, dict[str, float]]:
    """Search by the run's objective: the engine's result, the checked plan, stats."""
    tr = run.tr
    if tr.problem.num_services == 0:
        return EngineResult(routes=()), (), validate(tr.problem, []), {}
    if run.params.objective == "makespan":
        return _solve_makespan(run, start_routes)
    if _in_phases(tr, run.params):
        result = _search_in_phases(run, start_routes)
    else:
        result = run.search(tr, run.remaining(), start_routes)
    polished = _finished_nodes(tr, result.routes, seed=None, workers=run.params.workers)
    routes, report = _finish(
        tr,
        polished,
        seed=run.params.seed,
        workers=run.params.workers,
        polish=False,
        kicks=run.final_kicks(),
    )
    return result, routes, report, {}


@dataclasses.dataclass(slots=True)
class _Run:
    """One solve's engine, settings, deadline and reporting."""

    tr: Transformation
    params: SolveParams
    deadline: float
    bound: float
    callback: ProgressCallback | None
    start: float
    polish_s: float = 0.0
    #: Seconds per kick and stop of the first phase's reordering, when that
    #: phase ran to its time limit (:meth:`final_kicks`).
    kick_s: float | None = None

    def remaining(self) -> float:
        """Seconds left for searching (a reserve for polishing and checks)."""
        left = self.deadline - time.perf_counter()
        return max(0.1, left * 0.98 - 0.2 - self.polish_s)

    def final_kicks(self) -> float:
        """Kicks per stop of the final plan's routes searched together.

        A search in phases whose first phase ran to its time limit (a plan that
        already depends on the machine's speed) hands the time left to the
        reordering of routes searched together
        (:func:`~snowroute.routing.together.reorder_plan`), at the rate the first
        phase's reordering took (:attr:`kick_s`): at least
        :data:`~snowroute.routing.together.JOINT_KICKS`, at most
        :data:`MOST_KICKS`. Any other search (converged, bound by iterations)
        gets ``JOINT_KICKS``, so its plan stays reproducible.
        """
        if self.kick_s is None:
            return JOINT_KICKS
        left = (
            self.deadline - time.perf_counter() - 0.3 - 0.02 * self.params.time_limit_s
        )
        kicks = min(MOST_KICKS, max(JOINT_KICKS, left / self.kick_s))
        logger.debug(
            "final reordering: %.1f kicks per stop (%.1f s left)", kicks, max(0.0, left)
        )
        return kicks

    def search(
        self,
        tr: Transformation,
        time_limit_s: float,
        initial: Sequence[NodeRoute] | None,
        *,
        stage: str = "search",
        share: float = 1.0,
        report: bool = True,
    ) -> EngineResult:
        """Run the engine on ``tr`` (the problem, or a copy derived from it).

        ``share`` of ``max_iterations``; ``report``: pass new bests on (their
        costs are the problem's only where ``tr``'s plans are its plans).
        """
        engine: Engine
        if self.params.engine == "pyvrp":
            from snowroute.routing._pyvrp import solve_pyvrp

            engine = solve_pyvrp
        else:
            from snowroute.routing._ortools import solve_ortools

            engine = solve_ortools
        params = self.params
        if share < 1 and params.max_iterations is not None:
            budget = math.ceil(params.max_iterations * share)
            params = params.with_(max_iterations=budget)
        return engine(
            tr,
            params,
            time_limit_s=time_limit_s,
            initial=initial,
            target_s=self.bound if tr is self.tr else None,
            callback=self._listener(stage) if report else None,
        )

    def _listener(self, stage: str) -> ProgressCallback | None:
        """Return the callback the engine gets, or ``None`` when nobody listens.

        It logs every new best at debug level and passes it on to the caller's
        callback, timed from the solve's start and naming the stage; with
        ``None`` the engine does not price its new bests for nothing.
        """
        outer = self.callback
        if outer is None and not logger.isEnabledFor(logging.DEBUG):
            return None
        offset = time.perf_counter() - self.start

        def listener(p: Progress) -> None:
            p = dataclasses.replace(p, elapsed_s=p.elapsed_s + offset, stage=stage)
            logger.debug(
                "%s: new best %.1f s after %.1f s (worker %d, %d iterations)",
                stage,
                p.cost,
                p.elapsed_s,
                p.worker,
                p.iterations,
            )
            if outer is not None:
                outer(p)

        return listener


def solve_on(
    executor: Executor | None,
    problem: ArcRoutingProblem,
    params: SolveParams,
    *,
    initial: Sequence[WarmRoute] | None = None,
) -> Future[Solution]:
    """Route ``problem`` on ``executor`` (a task searched by one process), or now.

    Without an executor the problem is solved here with ``params`` as they are and
    the future is already done; with one (a ``concurrent.futures.Executor``, such
    as a Dask client's) it is submitted with ``workers = 1``, the executor's
    workers being the parallelism. Independent problems submitted one after
    another then run side by side.
    """
    if executor is None:
        done: Future[Solution] = Future()
        done.set_result(solve(problem, params, initial=initial))
        return done
    # a partial: executors (Dask's) read some keywords, such as `workers`, as theirs
    one = params.with_(workers=1)
    return executor.submit(partial(solve, problem, one, initial=initial))


def plan_from_warm(
    problem: ArcRoutingProblem,
    routes: Sequence[WarmRoute],
    params: SolveParams | None = None,
    *,
    runtime_s: float = 0.0,
    stats: dict[str, float] | None = None,
) -> Solution:
    """Return the plan made of ``routes`` as they are (no search), validated.

    Services the routes lack are inserted where they cost least
    (:func:`~snowroute.routing.warm.warm_routes`).
    """
    params = params or SolveParams()
    tr = transform(problem)
    routes_out, report = _finish(tr, warm_routes(tr, routes), workers=params.workers)
    bound = lower_bound(problem)
    return _solution(problem, routes_out, report, params, bound, runtime_s, stats or {})


def _solution(
    problem: ArcRoutingProblem,
    routes: tuple[Route, ...],
    report: ValidationReport,
    params: SolveParams,
    bound: float,
    runtime_s: float,
    stats: dict[str, float],
) -> Solution:
    """Return the validated plan, each missed deadline class said first."""
    plan = Solution(
        routes=routes,
        cost=report.cost,
        feasible=report.valid,
        violations=report.violations,
        lower_bound=bound,
        engine=params.engine,
        seed=params.seed,
        runtime_s=runtime_s,
        stats=stats,
        objective=params.objective,
    )
    late = _deadline_summary(problem.deadlines, plan.finish_s())
    return dataclasses.replace(plan, violations=(*late, *plan.violations))


def _first_plan(
    tr: Transformation, params: SolveParams, initial: Sequence[WarmRoute] | None
) -> list[NodeRoute] | None:
    """Routes the search starts from: the caller's, a split tour, or none.

    ``first_plan = "auto"`` builds the split tour
    (:func:`~snowroute.routing.construct.initial_routes`) for problems of
    :data:`~snowroute.routing.params.ONE_DEPOT_TOUR_MIN_SERVICES` services or
    more whose fleet is at one depot, or of
    :data:`~snowroute.routing.params.TOUR_MIN_SERVICES` with several yards, where
    a random start costs the search minutes or leaves it in a poor basin
    (``benchmarks/realnet/RESULTS.md``). A problem searched in phases gets the
    tour of the first phase's problem, without deadlines: one tour instead of
    one per priority class (on the Middleton city 61,696 s against 66,263 s).
    """
    if initial:
        return warm_routes(tr, initial)
    wanted = params.first_plan
    one_depot = tr.problem.single_depot
    least = ONE_DEPOT_TOUR_MIN_SERVICES if one_depot else TOUR_MIN_SERVICES
    if wanted == "tour" or (wanted == "auto" and tr.num_services >= least):
        base = without_deadlines(tr) if _in_phases(tr, params) else tr
        return initial_routes(base, seed=params.seed)
    return None


def _polish_s(
    tr: Transformation,
    routes: Sequence[NodeRoute] | None,
    workers: int | None = 1,
    *,
    joint: bool = True,
) -> float:
    """Seconds set aside for polishing and reordering the final plan.

    Moving stretches (:func:`~snowroute.routing.improve.move_stretches`) prices
    every stretch at every place of its route, so the time grows with the square
    of each route's length (``routes``: the first plan, as long as the last):
    about a second for the Middleton city's three routes of 450-600 streets.
    Plans of the engine's own start (small problems) take milliseconds. The
    reordering (:func:`~snowroute.routing.improve.reorder_route`) makes a fixed
    number of kicks per service, each priced along its route: its time also
    grows with the square of each route's length. Its routes are shared by
    ``workers`` threads, so the longest route bounds it from below. Routes of one
    vehicle class searched together (:mod:`~snowroute.routing.together`) take
    each thread the square of all their services times its kicks: at most
    :data:`~snowroute.routing.together.LONGEST` services, taken as one class
    (``joint=False``: a makespan plan, every route reordered alone).
    Without a first plan the services are taken as split evenly over the fleet.
    """
    lengths = [len(r.nodes) for r in routes] if routes else _even_split(tr)
    squares = sum(m**2 for m in lengths)
    threads = max(1, min(workers or 1, len(lengths)))
    reorder = REORDER_S_PER_STOP2 * max(squares / threads, max(lengths) ** 2)
    if joint and len(lengths) > 1 and tr.num_services <= LONGEST:
        together_s = REORDER_S_PER_STOP2 / KICKS * JOINT_KICKS * tr.num_services**2
        reorder = max(reorder, together_s)
    moves = squares if routes else 0.0  # the engine's own start: milliseconds
    return POLISH_S_PER_STOP2 * moves + reorder


def _even_split(tr: Transformation) -> list[float]:
    """Route lengths of the services split evenly over the fleet (one if unbounded)."""
    counts = [v.count for v in tr.problem.vehicles]
    fleet = sum(c for c in counts if c is not None) if None not in counts else 1
    return [tr.num_services / max(fleet, 1)] * max(fleet, 1)


#: Seconds per squared route length that :func:`_polish_s` sets aside.
POLISH_S_PER_STOP2 = 1.5e-6
#: Seconds per squared route length that :func:`_polish_s` sets aside for the
#: reordering: 4.3-9.1 µs on 15 of the Middleton city's routes alone, 9-14 µs in
#: two threads beside the polish (2 cores, quiet).
REORDER_S_PER_STOP2 = 12e-6


def _in_phases(tr: Transformation, params: SolveParams) -> bool:
    """Whether ``tr`` is searched in phases (see ``SolveParams.phases_from``)."""
    return (
        params.engine == "pyvrp"
        and params.phases_from is not None
        and tr.num_services >= params.phases_from
        and bool(np.isfinite(tr.service_deadline).any())
    )


def _search_in_phases(
    run: _Run, start_routes: Sequence[NodeRoute] | None
) -> EngineResult:
    """Search without deadlines, repair them on chunks, then search as it is.

    Each phase starts from the plan the one before ended with; the first two get
    :data:`PHASE_SHARES` of the budget. The first phase's plans are not plans of
    the problem (they may be late), so its new bests are not reported. Its plan is
    polished and reordered as a final plan is (:func:`_first_finished`) before it
    is cut into chunks: the search cannot make the reordering's moves inside
    routes of hundreds of streets, and the later phases then start from the
    shorter routes (on the Middleton city 264 s lower plans in the same 36 s,
    seeds 1-14). When the first phase ran to its time limit and the repaired
    plan keeps every shift and deadline (:func:`_on_time`), every route of it
    searched together with others of its class
    (:func:`~snowroute.routing.together.all_together`), the third phase is left
    out: its time goes to the final reordering's kicks (:meth:`_Run.final_kicks`;
    on the Middleton city's 36 s plans a mean 57,240 s against 57,459-57,506 s
    with the third phase, seeds 1-5, RESULTS.md).
    """
    first, second = PHASE_SHARES
    # With an iteration budget the phases share the iterations and each may use
    # what time is left: the time limit binds no sooner than for one search.
    # the first phase's plan is reordered in time taken from the first two
    # phases' (about what the final plan's reordering takes: run.polish_s)
    budget = max(0.1, run.remaining() - run.polish_s)
    bounded = run.params.max_iterations is not None
    free_tr = without_deadlines(run.tr)
    began = time.perf_counter()
    free = run.search(
        free_tr,
        budget if bounded else budget * first,
        start_routes,
        stage="without deadlines",
        share=first,
        report=False,
    )
    timed = not bounded and time.perf_counter() - began >= _TIME_UP * budget * first
    chunks = coarsen(run.tr, _first_finished(run, free_tr, free.routes, timed), _CHUNK)
    repaired = run.search(
        chunks.tr,
        run.remaining() if bounded else budget * second,
        chunks.routes,
        stage="chunks",
        share=second,
    )
    routes = chunks.expand(repaired.routes)
    iterations = free.iterations + repaired.iterations
    if timed and all_together(run.tr, routes) and _on_time(run.tr, routes):
        return EngineResult(tuple(routes), iterations, free.stats)
    # the time to set aside, from routes much like the final ones (an estimate
    # 2-3 times what the finish takes once the first phase's plan is reordered;
    # the last phase gained nothing from the difference, RESULTS.md)
    run.polish_s = _polish_s(run.tr, routes, run.params.workers)
    last = run.search(run.tr, run.remaining(), routes, share=1 - first - second)
    return dataclasses.replace(last, iterations=iterations + last.iterations)


def _on_time(tr: Transformation, routes: Sequence[NodeRoute]) -> bool:
    """Whether every route keeps its vehicle's shift and misses no deadline."""
    for route in routes:
        shift = tr.problem.vehicles[route.vehicle].shift_s
        if route_lateness_s(tr, route) > 0.0:
            return False
        if shift is not None and node_route_s(tr, route) > shift:
            return False
    return True


def _first_finished(
    run: _Run, free_tr: Transformation, routes: Sequence[NodeRoute], timed: bool
) -> list[NodeRoute]:
    """Return the first phase's plan polished and reordered (:func:`_finished_nodes`).

    ``timed``: the first phase ran to its time limit; the reordering's seconds
    per kick and stop are then kept for the final plan's (:meth:`_Run.final_kicks`).
    """
    seed, workers = run.params.seed + _FIRST_PHASE_SEED, run.params.workers
    polished = _finished_nodes(free_tr, routes, seed=None, workers=workers)
    began = time.perf_counter()
    found = _finished_nodes(free_tr, polished, seed=seed, workers=workers, polish=False)
    if timed:
        run.kick_s = (time.perf_counter() - began) / JOINT_KICKS
    return found


def _finish(
    tr: Transformation,
    node_routes: Sequence[NodeRoute],
    *,
    seed: int | None = None,
    workers: int | None = 1,
    polish: bool = True,
    joint: bool = True,
    kicks: float = JOINT_KICKS,
) -> tuple[tuple[Route, ...], ValidationReport]:
    """Every route polished, expanded into arcs and validated.

    With a ``seed`` the plan is also reordered
    (:func:`~snowroute.routing.together.reorder_plan`: the routes of a vehicle
    class together where they can be and ``joint``, in ``workers`` threads): a
    final plan's finish; ``polish=False`` for routes polished already. The plan
    depends on ``workers`` (one joint search per worker, the shortest kept), not
    on how the threads run.
    """
    finished = _finished_nodes(
        tr,
        node_routes,
        seed=seed,
        workers=workers,
        polish=polish,
        joint=joint,
        kicks=kicks,
    )
    return _checked(tr, finished)


def _checked(
    tr: Transformation, node_routes: Sequence[NodeRoute]
) -> tuple[tuple[Route, ...], ValidationReport]:
    """Return the routes expanded into arcs and the validator's report on them."""
    routes = tuple(expand_routes(tr, node_routes))
    return routes, validate(tr.problem, routes)


def _finished_nodes(
    tr: Transformation,
    node_routes: Sequence[NodeRoute],
    *,
    seed: int | None,
    workers: int | None,
    polish: bool = True,
    joint: bool = True,
    kicks: float = JOINT_KICKS,
) -> list[NodeRoute]:
    """Every route polished, the plan reordered with a ``seed`` (:func:`_finish`)."""
    start = time.perf_counter()
    routes = list(node_routes)
    if polish:
        with ThreadPoolExecutor(max(1, workers or 1)) as pool:
            routes = list(pool.map(lambda r: polish_route(tr, r), routes))
    if seed is not None:
        routes = reorder_plan(
            tr, routes, seed=seed, workers=workers, joint=joint, kicks=kicks
        )
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "finished %d routes (%s stops) in %.2f s (set aside for it: %.2f s)",
            len(node_routes),
            "/".join(str(len(r.nodes)) for r in node_routes),
            time.perf_counter() - start,
            _polish_s(tr, node_routes, workers, joint=joint),
        )
    return routes


def _makespan(routes: Sequence[Route]) -> float:
    return max((r.duration_s for r in routes), default=0.0)


def _capped(tr: Transformation, cap_s: float) -> Transformation:
    """``tr`` with every vehicle class's shift shortened to at most ``cap_s``."""
    problem = tr.problem
    vehicles = tuple(
        dataclasses.replace(
            vc, shift_s=cap_s if vc.shift_s is None else min(vc.shift_s, cap_s)
        )
        for vc in problem.vehicles
    )
    return dataclasses.replace(
        tr, problem=dataclasses.replace(problem, vehicles=vehicles)
    )


def _solve_makespan(
    run: _Run, initial: Sequence[NodeRoute] | None
) -> tuple[EngineResult, tuple[Route, ...], ValidationReport, dict[str, float]]:
    """Earliest finish: capped searches, each cap a step below the best finish.

    The start is ``initial`` or a tour cut into equal routes for the whole fleet
    (:func:`~snowroute.routing.construct.balanced_routes`). Each search caps
    every route at ``cap`` and minimises total time within it; a plan within the
    cap lowers the best finish, a failure halves the step. The first search
    keeps the start's finish as its cap.
    """
    tr = run.tr
    start = list(initial) if initial else balanced_routes(tr, seed=run.params.seed)
    workers = run.params.workers
    best = EngineResult(routes=tuple(start))
    # the best plan's routes polished: the final finish only reorders them
    best_nodes = _finished_nodes(tr, start, seed=None, workers=workers)
    routes, report = _checked(tr, best_nodes)
    best_span = _makespan(routes) if report.valid else math.inf
    floor = makespan_bound(tr.problem, lower=run.bound)
    cap, step, probes, iterations = best_span, _MAKESPAN_STEP, 0, 0
    while probes < _MAKESPAN_PROBES and run.remaining() > 0.5:
        share = run.remaining() / (_MAKESPAN_PROBES - probes)
        probes += 1
        capped = _capped(tr, cap) if math.isfinite(cap) else tr
        found = run.search(
            capped, share, best.routes, stage=f"makespan cap {cap:.0f} s"
        )
        iterations += found.iterations
        cand_nodes = _finished_nodes(tr, found.routes, seed=None, workers=workers)
        cand_routes, cand_report = _checked(tr, cand_nodes)
        span = _makespan(cand_routes)
        logger.info("makespan cap %.0f s: %.0f s, %s", cap, span, cand_report.valid)
        if cand_report.valid and span <= min(cap, best_span) * (1 + 1e-9) + 1e-6:
            best, best_nodes, best_span = found, cand_nodes, span
            routes, report = cand_routes, cand_report
        else:
            step /= 2
        if best_span - floor <= _MAKESPAN_TOLERANCE * best_span:
            break  # within 1 % of the lower bound
        cap = max(floor, best_span * (1 - step))
    routes, report = _reordered(tr, best_nodes, (routes, report), run.params)
    result = dataclasses.replace(best, iterations=iterations)
    extra = {"makespan_lower_bound": floor, "makespan_probes": float(probes)}
    return result, routes, report, extra


def _reordered(
    tr: Transformation,
    node_routes: Sequence[NodeRoute],
    checked: tuple[tuple[Route, ...], ValidationReport],
    params: SolveParams,
) -> tuple[tuple[Route, ...], ValidationReport]:
    """Return the polished plan ``node_routes`` with reordered routes, if valid.

    ``checked`` is that plan as it is. Reordering shortens routes and misses no
    deadline by more; the check guards the plan's validity. Each route is
    reordered alone: under the plan's finish its balanced routes trade too
    little for the time a joint search sets aside (4 trucks on the Middleton
    city: 149-155 km empty against 137-138 km, seeds 2-3, 60 s).
    """
    routes, report = _finish(
        tr,
        node_routes,
        seed=params.seed,
        workers=params.workers,
        polish=False,
        joint=False,
    )
    if report.valid or not checked[1].valid:
        return routes, report
    return checked


def _deadline_summary(
    deadlines: Mapping[str, float], finish: Mapping[str, float]
) -> list[str]:
    """One sentence per priority class finished after its deadline, with the delay."""
    out = []
    for name, deadline in sorted(deadlines.items()):
        late = finish.get(name, 0.0) - deadline
        if late > 1e-6 * max(1.0, deadline):
            out.append(
                f"Priority class {name!r} is cleared {late / 60:.0f} min after its "
                f"deadline ({finish[name] / 3600:.2f} h after the start, deadline "
                f"{deadline / 3600:.2f} h)."
            )
    return out
