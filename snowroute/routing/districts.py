"""Plans confined to districts: each district's roads routed by its own vehicles.

Many road authorities cut a city into plow districts (one truck or crew each)
drawn by hand. :func:`solve_in_districts` routes each district on its own with the
same engine and settings, and joins the district plans into one plan of the
whole problem, checked by the validator. It is the reference a free plan must
beat; handed to :func:`~snowroute.routing.solve` as ``initial``, it is also a
start from which the free search repairs the district borders (the free plan is
then never worse than the districted one).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Hashable, Mapping, Sequence
from concurrent.futures import Executor, Future

from snowroute._errors import ProblemError
from snowroute.routing.budget import Budget
from snowroute.routing.params import SolveParams
from snowroute.routing.problem import ArcRoutingProblem, VehicleClass
from snowroute.routing.solution import Solution
from snowroute.routing.solve import plan_from_warm, solve_on
from snowroute.routing.warm import WarmRoute, carry_over

__all__ = ["district_fleets", "solve_in_districts"]


def district_fleets(
    problem: ArcRoutingProblem, districts: Sequence[Hashable]
) -> dict[Hashable, tuple[VehicleClass, ...]]:
    """Split every vehicle class's count evenly over ``districts``.

    The first districts get the remainder; a district left without vehicles is
    an error.

    Raises
    ------
    ProblemError
        When a class has no ``count`` or some district gets no vehicle.
    """
    out: dict[Hashable, list[VehicleClass]] = {d: [] for d in districts}
    k = len(out)
    for vc in problem.vehicles:
        if vc.count is None:
            msg = f"Vehicle class {vc.name!r} needs a count to be split into districts."
            raise ProblemError(msg)
        for i, d in enumerate(out):
            share = vc.count // k + (1 if i < vc.count % k else 0)
            if share:
                out[d].append(dataclasses.replace(vc, count=share))
    empty = [d for d, fleet in out.items() if not fleet]
    if empty:
        msg = (
            f"District {empty[0]!r} gets no vehicle: the fleet is smaller than "
            "the districts."
        )
        raise ProblemError(msg)
    return {d: tuple(fleet) for d, fleet in out.items()}


def solve_in_districts(
    problem: ArcRoutingProblem,
    district_of: Sequence[Hashable],
    params: SolveParams | None = None,
    *,
    fleets: Mapping[Hashable, tuple[VehicleClass, ...]] | None = None,
    executor: Executor | None = None,
) -> Solution:
    """
    Route each district's required arcs with its own vehicles; join the plans.

    Parameters
    ----------
    problem
        The whole problem.
    district_of
        District of each required arc (``problem.required`` order).
    params
        Settings of every district's search; ``time_limit_s`` is the whole
        budget, shared by the districts in proportion to their required arcs.
    fleets
        Vehicles of each district (classes named as in ``problem``); default
        :func:`district_fleets`.
    executor
        Where the districts are routed side by side (a
        :class:`concurrent.futures.Executor`, such as a Dask client's), each
        with one search process and its share of the whole budget now; default:
        one after another here, each with its share of what the earlier left.

    Returns
    -------
    Solution
        The joined plan of ``problem``, validated; ``stats`` has the number of
        districts.

    Raises
    ------
    ProblemError
        When ``district_of`` does not match the required arcs or a district has
        no vehicle.
    """
    start = time.perf_counter()
    params = params or SolveParams()
    if len(district_of) != problem.num_required:
        msg = (
            f"`district_of` has {len(district_of)} entries, the problem "
            f"{problem.num_required} required arcs."
        )
        raise ProblemError(msg)
    names = list(dict.fromkeys(district_of))
    fleets = district_fleets(problem, names) if fleets is None else fleets
    budget = Budget(params.time_limit_s)
    pending = problem.num_required
    parts: list[tuple[ArcRoutingProblem, Future[Solution]]] = []
    for d in names:
        arcs = [i for i, x in enumerate(district_of) if x == d]
        sub = dataclasses.replace(
            problem,
            required=tuple(problem.required[i] for i in arcs),
            vehicles=fleets[d],
        )
        share = budget.share(len(arcs), pending)
        if executor is None:  # in order: each takes what the earlier ones left
            pending -= len(arcs)
        parts.append((sub, solve_on(executor, sub, params.with_(time_limit_s=share))))
    warm: list[WarmRoute] = []
    for sub, part in parts:
        warm.extend(carry_over(sub, part.result(), problem))
    return plan_from_warm(
        problem,
        warm,
        params,
        runtime_s=time.perf_counter() - start,
        stats={"districts": float(len(names))},
    )
