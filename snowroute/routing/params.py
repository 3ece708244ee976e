"""How a routing search runs: one :class:`SolveParams` value from scenario to engine.

Everything that decides how :func:`snowroute.routing.solve` searches (engine,
budget, seed, workers, when to stop, what to minimise, the engine's own
settings) travels as one immutable value, so a scenario, a benchmark and a test
hand the same object to every solve. :class:`Progress` is what the search reports
to a caller's callback (new best plans, for a progress display or a benchmark's
convergence curve).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Literal, get_args

from snowroute._errors import ProblemError
from snowroute._seed import MAX_SEED, check_seed

__all__ = [
    "ENGINES",
    "MAX_SEED",
    "OBJECTIVES",
    "ONE_DEPOT_TOUR_MIN_SERVICES",
    "TOUR_MIN_SERVICES",
    "Objective",
    "Progress",
    "ProgressCallback",
    "PyVRPParams",
    "SolveParams",
    "check_seed",
    "per_perturbations",
]

#: Services from which ``first_plan = "auto"`` starts from a split tour when the
#: fleet is at several yards (see :data:`ONE_DEPOT_TOUR_MIN_SERVICES`).
TOUR_MIN_SERVICES = 300
#: Services from which ``first_plan = "auto"`` starts from a split tour when the
#: whole fleet is at one depot, where the rural-postman tour competes. Every CARP
#: instance of the gdb, val and egl sets has at most 190 services and keeps the
#: engine's random start its benchmark was measured with; the Middleton county
#: (284 services) stalls at 6,361-6,411 s from a random start and reaches
#: 6,234-6,245 s from the postman tour (``benchmarks/realnet/RESULTS.md``).
ONE_DEPOT_TOUR_MIN_SERVICES = 200

EngineName = Literal["pyvrp", "ortools"]
#: Engine names accepted by :func:`snowroute.routing.solve`.
ENGINES: tuple[str, ...] = get_args(EngineName)

#: What a plan minimises. ``"total_time"``: the sum of route times (vehicle-hours);
#: ``"makespan"``: the time the last road is cleared (the longest route), then the
#: total time. Priority-class deadlines are constraints under either.
Objective = Literal["total_time", "makespan"]
OBJECTIVES: tuple[str, ...] = get_args(Objective)


@dataclass(frozen=True, slots=True)
class PyVRPParams:
    """
    Search settings of the PyVRP engine.

    Parameters
    ----------
    num_neighbours
        Size of PyVRP's granular neighbourhood per client.
    history_length
        Late-acceptance history length of the iterated local search. 1000
        rather than PyVRP's 300: on the hardest CARP instances (egl-s) the
        longer history lowered the mean gap of single 60 s searches from 0.72 %
        to 0.58 % (``benchmarks/carp/RESULTS.md``). Runs bounded by
        ``max_iterations`` use at most a tenth of their budget, but not less
        than 300 (or ``history_length`` itself when that is smaller).
    history_full_clients
        Problems with more clients than this get a late-acceptance history
        shrinking with the square of the ratio (at least 10 entries): on the
        Middleton city streets (2,900 clients, 100 iterations a second) one 60 s
        search ended at 65,123 s with a history of 300, 63,308 s with 100,
        60,833 s with 30 and 60,751 s with 10. ``None``: never shrink.
    num_iters_no_improvement
        Iterations without a new best before restarting from the best.
    max_perturbations
        Largest number of clients perturbed per iteration (PyVRP's 25). Fewer
        suit a fleet at one depot with a few very long routes: on the Middleton
        city streets (2,594 clients in 3 routes) 36 s searches over seeds 1-5
        ended at 59,380 s on average with 10 against 59,843 s with 25, better on
        every seed. Not the default: on the demo's baseline (seeds 1-3, the same
        work) 10 gave 18.68 h against 18.58 h, on its pooled plan 10.32-11.51 h
        against 10.28-10.30 h (``benchmarks/realnet/RESULTS.md``). A tuple
        gives one value per worker (worker ``w`` uses entry ``w`` modulo the
        length), a portfolio like ``target_feasible``. Iteration limits are
        counted in iterations of 25 (:func:`per_perturbations`).
    polish
        Re-optimise directions exactly on every new best solution.
    exhaustive_best
        Search every new best solution with PyVRP's whole neighbourhood
        (``exhaustive``) before polishing it. ``None`` (default): on problems of
        at most ``history_full_clients`` clients (every CARP instance of the
        egl, gdb and val sets), not above: on the Middleton city (2,900
        clients) the exhaustive searches took half of the first minute, and
        without them five 60 s searches averaged 59,313 s against 59,723 s
        (``benchmarks/realnet/RESULTS.md``).
    relocate3
        Also move chains of three consecutive clients (PyVRP's ``Relocate3``,
        beside its default operators). Suits a fleet at one depot whose plan is a
        few very long routes: on the Middleton city streets (2,594 clients in 3
        routes) 36 s searches over seeds 1-10 ended at 59,299 s on average with
        it against 59,535 s without, better on 9 of the 10 seeds. Not the
        default: on the demo's baseline (the same work, seeds 1-3) it was
        0.04-0.21 % worse on every seed, on its pooled plan worse on two seeds
        and better on one, on the scale benchmark's ``city-d2`` (60 s) worse on
        three of five seeds and on average (``benchmarks/realnet/RESULTS.md``).
    epoch_s
        Seconds between exchanges of the best plan among workers (``None``:
        workers run independently for the whole budget).
    data_penalties
        Start the infeasibility penalties at the data's own scale (cost of a
        typical leg per unit of demand, one cost unit per unit of time warp)
        instead of PyVRP's midpoint, which is far too high for these scales and
        takes thousands of iterations to come down.
    target_feasible
        Share of feasible plans PyVRP's penalty manager aims at, per worker
        (worker ``w`` uses entry ``w`` modulo the length). Two workers with
        different targets, PyVRP's 0.65 and 0.4 (more search through overloaded
        plans), are a small portfolio: on eight egl instances x two seeds the
        better of such a pair averaged 0.420 % against 0.448 % for two workers
        with the same target (``benchmarks/carp/RESULTS.md``).
    """

    num_neighbours: int = 50
    history_length: int = 1000
    history_full_clients: int | None = 400
    num_iters_no_improvement: int = 150_000
    max_perturbations: int | tuple[int, ...] = 25
    polish: bool = True
    exhaustive_best: bool | None = None
    relocate3: bool = False
    epoch_s: float | None = None
    data_penalties: bool = True
    target_feasible: tuple[float, ...] = (0.65, 0.4)

    def __post_init__(self) -> None:
        if not self.target_feasible or not all(
            0 <= t <= 1 for t in self.target_feasible
        ):
            msg = "target_feasible needs at least one share, each within [0, 1]."
            raise ProblemError(msg)
        if not self.perturbations or min(self.perturbations) < 1:
            msg = f"max_perturbations must be at least 1, got {self.max_perturbations}."
            raise ProblemError(msg)

    @property
    def perturbations(self) -> tuple[int, ...]:
        """``max_perturbations`` as one value per worker (cycled)."""
        p = self.max_perturbations
        return (p,) if isinstance(p, int) else tuple(p)

    def exhaustive_for(self, num_clients: int) -> bool:
        """Whether new bests get an exhaustive search on a problem of this size."""
        if self.exhaustive_best is not None:
            return self.exhaustive_best
        full = self.history_full_clients
        return full is None or num_clients <= full

    def for_worker(self, worker: int) -> PyVRPParams:
        """Return the settings of worker ``worker``: its target and perturbation."""
        target = self.target_feasible[worker % len(self.target_feasible)]
        perturb = self.perturbations[worker % len(self.perturbations)]
        return replace(self, target_feasible=(target,), max_perturbations=perturb)


@dataclass(frozen=True, slots=True)
class SolveParams:
    """
    How one routing search runs; the same value goes to every solve of a run.

    A search stops at the first of: ``time_limit_s`` seconds; ``max_iterations``
    iterations per worker; ``stall_iterations`` iterations of a worker without a
    new best plan (the search has converged); a plan whose cost reaches the
    problem's lower bound (proven optimal).

    Parameters
    ----------
    engine
        ``"pyvrp"`` (default) or ``"ortools"``.
    time_limit_s
        Wall-clock cap of the whole :func:`~snowroute.routing.solve` call.
    seed
        Seed of the search, 0 to :data:`MAX_SEED`. With ``max_iterations`` or
        ``stall_iterations`` as the binding stop, the same seed gives the same
        plan on any machine; when the time limit binds, a loaded machine searches
        less.
    workers
        Search processes (``None``: the cores, at most 2).
    max_iterations
        Iterations per worker (PyVRP) or solutions (OR-Tools); ``None``: no cap.
        PyVRP counts them in iterations that perturb 25 clients
        (:func:`per_perturbations`).
    stall_iterations
        Stop a worker after this many iterations without a new best (PyVRP);
        ``None``: never stop early. The default, ``"auto"``, scales with the
        problem: :meth:`stall_for` of its number of services.
    objective
        ``"total_time"`` or ``"makespan"`` (see :data:`Objective`).
    first_plan
        Where the search starts when no routes are given: ``"tour"``, a giant
        tour split into routes (:mod:`snowroute.routing.construct`);
        ``"engine"``, the engine's own start (PyVRP: a random plan after one
        local search); ``"auto"``, the tour from
        :data:`ONE_DEPOT_TOUR_MIN_SERVICES` services up when the whole fleet is
        at one depot, from :data:`TOUR_MIN_SERVICES` otherwise.
    phases_from
        Services from which a ``total_time`` problem with deadlines is searched by
        the PyVRP engine in three phases: 76 % of the budget without its
        deadlines, 5 % on chunks of that plan with them (a repair), the rest as
        it is (:data:`~snowroute.routing.solve.PHASE_SHARES`); the rest goes to
        the final reordering instead when the first phase ran to its time limit
        and the repaired routes keep every shift and deadline and all go
        together (:func:`~snowroute.routing.together.all_together`). ``None``:
        one search.
        With deadlines PyVRP times every move inside a route along the route, so
        on a few routes of hundreds of streets an iteration costs twice as much.
        On the Middleton city streets (1,524 services, 36 s, seeds 1-10) the
        phases ended at 58,837 s on average against 59,358 s for one search,
        lower on every seed (``benchmarks/realnet/RESULTS.md``).
    pyvrp
        Settings of the PyVRP engine.

    Raises
    ------
    ProblemError
        When a value is out of range.
    """

    engine: EngineName = "pyvrp"
    time_limit_s: float = 10.0
    seed: int = 0
    workers: int | None = None
    max_iterations: int | None = None
    stall_iterations: int | Literal["auto"] | None = "auto"
    objective: Objective = "total_time"
    first_plan: Literal["auto", "tour", "engine"] = "auto"
    phases_from: int | None = 1000
    pyvrp: PyVRPParams = PyVRPParams()

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            msg = f"`engine` must be one of {', '.join(ENGINES)}, got {self.engine!r}."
            raise ProblemError(msg)
        if self.objective not in OBJECTIVES:
            msg = (
                f"`objective` must be one of {', '.join(OBJECTIVES)}, got "
                f"{self.objective!r}."
            )
            raise ProblemError(msg)
        if not self.time_limit_s > 0:
            msg = f"`time_limit_s` must be positive, got {self.time_limit_s!r}."
            raise ProblemError(msg)
        check_seed(self.seed)
        for name in ("workers", "max_iterations", "phases_from"):
            value = getattr(self, name)
            if value is not None and value < 1:
                msg = f"`{name}` must be at least 1, got {value!r}."
                raise ProblemError(msg)
        if self.first_plan not in ("auto", "tour", "engine"):
            msg = (
                "`first_plan` must be 'auto', 'tour' or 'engine', got "
                f"{self.first_plan!r}."
            )
            raise ProblemError(msg)
        stall: object = self.stall_iterations  # a TOML or caller value, any type
        if stall not in (None, "auto") and not (isinstance(stall, int) and stall >= 1):
            msg = f"`stall_iterations` must be at least 1 or 'auto', got {stall!r}."
            raise ProblemError(msg)

    def with_(self, **changes: object) -> SolveParams:
        """Return a copy with ``changes`` (field name → value), validated again.

        Raises
        ------
        ProblemError
            When a name is not a field or a value is out of range.
        """
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            msg = f"`{unknown[0]}` is not a solve setting (see SolveParams)."
            raise ProblemError(msg)
        return replace(self, **changes)  # type: ignore[arg-type]

    def stall_for(self, num_services: int) -> int | None:
        """Return the iterations without a new best after which a worker stops.

        ``"auto"``: ``max(2000, 10 * num_services)``: a problem of a few dozen
        roads settles within a couple of thousand iterations, a city of 1,500
        services gets 15,000 (see ``benchmarks/realnet/RESULTS.md``). Like
        ``max_iterations``, counted in iterations that perturb 25 clients
        (:func:`per_perturbations`).
        """
        if self.stall_iterations == "auto":
            return max(2000, 10 * num_services)
        return self.stall_iterations


def per_perturbations(limit: int | None, perturbations: int) -> int | None:
    """Return the iterations perturbing ``perturbations`` worth ``limit`` of 25.

    Iteration limits count iterations that perturb (at most) 25 clients,
    PyVRP's default: a search perturbing fewer per (cheaper) iteration gets in
    proportion more, 2.5 times as many with 10, so that a limit means the same
    work whatever the setting.
    """
    if limit is None:
        return None
    return math.ceil(limit * 25 / max(1, perturbations))


@dataclass(frozen=True, slots=True)
class Progress:
    """
    What a search reports when it finds a new best plan (or moves to a new stage).

    Parameters
    ----------
    elapsed_s
        Seconds since the search started.
    cost
        Cost of the best plan so far, in the problem's time unit (seconds).
    feasible
        Whether that plan meets every constraint.
    iterations
        Iterations of the worker that found it.
    worker
        Index of that worker.
    stage
        What is running: ``"search"``; ``"chunks"``, the repair of a search in
        phases (``phases_from``); or ``"makespan"`` with the cap tried.
    """

    elapsed_s: float
    cost: float
    feasible: bool
    iterations: int
    worker: int = 0
    stage: str = "search"


#: A caller's function that receives every :class:`Progress` report.
ProgressCallback = Callable[[Progress], None]
