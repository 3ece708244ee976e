"""The optimised exchange: moves combined exactly, every combination measured.

The objective is ``exchange.objective``: plow-hours saved (``hours``, route time)
or deadhead km saved (``km``), less ``exchange.admin_cost_h`` (or
``admin_cost_km``) per agreement line; subject to the balance rule per partner
pair (:mod:`snowroute.exchange.moves`) and the service rule (no priority class
finishes later than in the reference, or than its deadline when that is later:
:mod:`snowroute.exchange.measure`). The same objective picks and keeps a plan.

Estimates on the pooled problem (:mod:`snowroute.exchange.estimate`) value and
rank the moves (a unit from its owner to a partner). Two searches then propose
sets of moves; each set is *measured* by routing the administrators it touches
from their baseline routes with ``exchange.measure_iterations`` iterations,
against the reference (the same administrators over their own roads with the same
start and effort). The better measured plan of the two searches is kept.

1. The model (:mod:`snowroute.exchange.model`): every move valued by estimate,
   with each cut-off piece and cluster of pieces a synergy. CP-SAT combines them;
   the combination is measured, what it is worth beyond its prediction learned,
   and the loop repeats while the next combination, its prediction scaled by
   what the model measured so far, would beat the best measured plan. It finds
   sets whose value shows only together (a valley's hamlets), which single
   measurements cannot: one hamlet road is worth less than the measuring noise.
2. The measured moves: the best ``exchange.moves`` moves by estimate (each
   owner → taker direction in turn), each measured alone (the difference to the
   reference is its value); each direction's moves and each piece's measured
   together; then combine exactly, measure the combination, learn its synergy,
   repeat until nothing is predicted to beat the best measured plan. Exact on
   small networks, where a move's value is above the noise.

Each search runs at most ``exchange.rounds`` rounds. The best plan is never worse
than the baseline by the objective: the baseline (no exchange, value 0) is the
starting point, kept unless a measured plan beats it.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from snowroute._errors import ScenarioError
from snowroute.exchange.estimate import Estimates, estimate, estimated_gain, move_of
from snowroute.exchange.measure import Measured, Measurer
from snowroute.exchange.model import model_moves
from snowroute.exchange.moves import (
    Move,
    Rules,
    Synergy,
    agreement_lines,
    balanced,
    combine,
    set_value,
)
from snowroute.exchange.plans import (
    ExchangeContext,
    Plan,
    check_compatible,
    roads_by_admin,
)
from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey

__all__ = [
    "Estimates",
    "candidate_moves",
    "estimate",
    "exchange_rules",
    "measured_plan",
    "optimize_exchange",
    "with_locks",
]

logger = logging.getLogger(__name__)

#: Value given to a move whose measured routes are invalid: never chosen.
INVALID_S = -1e7
#: CP-SAT's deterministic time for each combination of the estimated model.
MODEL_COMBINE_S = 3.0
#: Largest factor the model's predictions are scaled by (see ``_Search.scale``).
MAX_SCALE = 1.5
#: Gains below this (objective units: seconds or metres) are ties.
EPS = 1e-6


def _locked(ctx: ExchangeContext) -> tuple[set[str], dict[str, str]]:
    """Units that never move, and units that must move (→ taker)."""
    spec = ctx.scenario.exchange
    never_ids = set(spec.never)
    known = {u.route_id for u in ctx.units.values()}
    known |= {str(s) for _, _, s in ctx.G.edges(data=A.SECTION_ID)}
    known |= {str(r) for _, _, r in ctx.G.edges(data=A.ROUTE_ID)}
    for i, item in enumerate(spec.never):
        if item not in known:
            msg = (
                f"Scenario field `exchange.never[{i}]`: {item!r} is neither a route "
                "nor a section of the road network."
            )
            raise ScenarioError(msg)
    never = set()
    for unit in ctx.units.values():
        ids = {unit.id, unit.route_id}
        ids |= {str(ctx.G.edges[e][A.SECTION_ID]) for e in unit.edges}
        if ids & never_ids:
            never.add(unit.id)
    from snowroute.exchange.units import resolve_exchanges

    moved = resolve_exchanges(
        ctx.G, ctx.plow, spec.must, field="exchange.must", takers=ctx.admins
    )
    must: dict[str, str] = {}
    for edge, taker in moved.items():
        unit_id = ctx.unit_of[edge]
        if must.get(unit_id, taker) != taker:
            msg = (
                f"Scenario field `exchange.must` hands unit {unit_id!r} to two "
                "administrators."
            )
            raise ScenarioError(msg)
        must[unit_id] = taker
    clash = sorted(set(must) & never)
    if clash:
        msg = (
            "Scenario fields `exchange.must` and `exchange.never` both lock "
            f"{clash[0]!r}."
        )
        raise ScenarioError(msg)
    return never, must


def _edge_assignment(
    ctx: ExchangeContext, units: Mapping[str, str]
) -> dict[EdgeKey, str]:
    return {e: units.get(ctx.unit_of[e], owner) for e, owner in ctx.plow.items()}


def with_locks(
    ctx: ExchangeContext, est: Estimates
) -> tuple[Estimates, dict[str, str]]:
    """Return ``est`` with locked units' options cut, and the ``must`` moves.

    A unit of ``exchange.never`` keeps only its owner; ``exchange.must`` is
    returned as unit id → taker.

    Raises
    ------
    ScenarioError
        When a lock names an unknown road or ``must`` hands a unit to an
        administrator not among its options.
    """
    never, must = _locked(ctx)
    options = dict(est.options)
    for unit_id in never:
        options[unit_id] = (ctx.units[unit_id].owner,)
    for unit_id, taker in must.items():
        if taker not in options[unit_id]:
            unit = ctx.units[unit_id]
            msg = (
                f"Scenario field `exchange.must` hands {unit.label()} to {taker!r}, "
                f"which is not a partner of {unit.owner!r} able to plow it."
            )
            raise ScenarioError(msg)
    return dataclasses.replace(est, options=options), must


def exchange_rules(ctx: ExchangeContext) -> Rules:
    """Return the balance rule and the cost of an agreement line (objective units)."""
    spec = ctx.scenario.exchange
    sections: defaultdict[str, int] = defaultdict(int)
    for unit in ctx.units.values():
        sections[unit.route_id] += 1
    line_cost = (
        1000 * spec.admin_cost_km
        if spec.objective == "km"
        else 3600 * spec.admin_cost_h
    )
    return Rules(
        pairs=ctx.pairs,
        tolerance=spec.balance_tolerance,
        balance_by=spec.balance_by,
        line_cost=line_cost,
        sections=sections,
    )


def candidate_moves(
    ctx: ExchangeContext,
    est: Estimates,
    *,
    must: Mapping[str, str],
    limit: int,
) -> list[Move]:
    """Return the moves worth measuring: ``must``, then the best of each direction.

    The owner → taker directions take turns, each best estimated gain first, until
    ``limit`` moves (besides ``must``): a balanced set needs moves both ways.
    """
    by_dir: defaultdict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for unit_id, options in est.options.items():
        owner = ctx.units[unit_id].owner
        if unit_id in must:
            continue
        for taker in options[1:]:
            gain = estimated_gain(est, unit_id, owner, taker)
            by_dir[(owner, taker)].append((-gain, unit_id))
    queues = [(taker, sorted(q)) for (_, taker), q in sorted(by_dir.items())]
    picked = sorted(must.items())
    rank = 0
    while len(picked) < limit + len(must) and any(rank < len(q) for _, q in queues):
        for taker, q in queues:
            if rank < len(q) and len(picked) < limit + len(must):
                picked.append((q[rank][1], taker))
        rank += 1
    return [move_of(ctx, est, unit_id, taker) for unit_id, taker in picked]


def _assignment(ctx: ExchangeContext, moves: Collection[Move]) -> dict[EdgeKey, str]:
    return _edge_assignment(ctx, {m.unit: m.taker for m in moves})


def measure_moves(
    ctx: ExchangeContext, measurer: Measurer, moves: Sequence[Move], *, keep: int = 0
) -> list[float]:
    """Each move's measured value (objective units) against the reference.

    The references first, then the moves in order, each pair of searches side by
    side with the context's executor (all at once) or one after another; once
    ``solver.time_limit_s`` is spent (or a measuring search is cut short by it)
    the moves after the first ``keep`` are not measured and the list stops
    there. A move whose routes are invalid gets
    :data:`INVALID_S` (chosen only when ``exchange.must`` says so); a move that
    alone breaks the service rule keeps its value: with others it may not.
    """
    objective = ctx.scenario.exchange.objective
    roads = measurer.base_roads
    measurer.route_many([(a, r) for a, r in roads.items() if a in ctx.fleets])
    step = max(1, len(moves)) if ctx.executor is not None else 1
    values: list[float] = []
    for start in range(0, len(moves), step):
        chunk = moves[start : start + step]
        requests = [r for m in chunk for r in _requests(ctx, roads, m)]
        if start >= keep and ctx.budget.spent and not measurer.cached(requests):
            break
        measurer.route_many(requests)
        for m in chunk:
            found = measurer.measure(_assignment(ctx, [m]))
            if found.cut_short and len(values) >= keep:
                return values  # not a measurement: the budget is spent
            values.append(found.saved(objective) if found.valid else INVALID_S)
    return values


def _requests(
    ctx: ExchangeContext, roads: Mapping[str, frozenset[EdgeKey]], m: Move
) -> list[tuple[str, frozenset[EdgeKey]]]:
    """Return the routings of a move: owner without the unit, taker with it."""
    edges = frozenset(ctx.units[m.unit].edges)
    return [
        (m.owner, roads.get(m.owner, frozenset()) - edges),
        (m.taker, roads.get(m.taker, frozenset()) | edges),
    ]


@dataclass(frozen=True, slots=True, eq=False)
class _Best:
    """The best measured set of moves so far and its objective value."""

    chosen: frozenset[int]
    value: float
    measured: Measured | None


def optimize_exchange(
    ctx: ExchangeContext,
    measurer: Measurer,
    est: Estimates,
    *,
    name: str = "optimized",
    start: Plan | None = None,
) -> Plan:
    """Search the optimised exchange plan (see the module notes).

    ``start`` is a plan found under stricter rules (the optimised plan, for the
    ``unbalanced`` search): measured first and kept when these rules admit it, so
    that loosening a rule never gives a worse plan.

    Raises
    ------
    ScenarioError
        When a lock names an unknown road, a lock hands a road to an
        administrator that may not take it, or the locks cannot be balanced.
    """
    began = time.perf_counter()
    spec = ctx.scenario.exchange
    est, must = with_locks(ctx, est)
    moves = candidate_moves(ctx, est, must=must, limit=spec.moves)
    rules = exchange_rules(ctx)
    must_idx = frozenset(range(len(must)))
    if combine(moves, [0.0] * len(moves), rules, must=must_idx) is None:
        msg = (
            "The exchanges locked by `exchange.must` cannot be balanced within "
            f"`exchange.balance_tolerance` = {spec.balance_tolerance}."
        )
        raise ScenarioError(msg)
    model = _model_search(ctx, measurer, est, must, rules, start=start)
    search = _moves_search(ctx, measurer, est, moves, rules, must_idx, start=start)
    history = [f"model: {note}" for note in model.history] + search.history
    won = model if model.best.value >= search.best.value else search
    runtime_s = time.perf_counter() - began
    return _plan(ctx, measurer, won.moves, won.best, name, history, runtime_s)


def _model_search(
    ctx: ExchangeContext,
    measurer: Measurer,
    est: Estimates,
    must: Mapping[str, str],
    rules: Rules,
    *,
    start: Plan | None,
) -> _Search:
    """Combine every move by its estimated value, measure, learn, repeat.

    See :mod:`snowroute.exchange.model`: sets of moves whose value shows only
    together (a valley's hamlets) are found here.
    """
    spec = ctx.scenario.exchange
    moves, values, synergy = model_moves(ctx, est, must=must, objective=spec.objective)
    must_idx = frozenset(range(len(must)))
    search = _Search(
        ctx,
        measurer,
        moves,
        values,
        rules,
        must_idx,
        synergy=synergy,
        note=f"{len(moves)} moves estimated",
        combine_s=MODEL_COMBINE_S,
        calibrate=True,
    )
    if start is not None:
        search.consider(_from_plan(ctx, moves, start))
    for k in range(spec.rounds):
        if not search.round(k):
            break
    return search


def _moves_search(
    ctx: ExchangeContext,
    measurer: Measurer,
    est: Estimates,
    moves: Sequence[Move],
    rules: Rules,
    must_idx: frozenset[int],
    *,
    start: Plan | None,
) -> _Search:
    """Measure the best moves by estimate one by one, then combine, measure, learn."""
    spec = ctx.scenario.exchange
    values = measure_moves(ctx, measurer, moves, keep=len(must_idx))
    moves = moves[: len(values)]  # the ones the time budget left to measure
    search = _Search(ctx, measurer, moves, values, rules, must_idx)
    if start is not None:
        search.consider(_from_plan(ctx, moves, start))
    groups = _groups(ctx, est, moves, must_idx)
    for group in groups:
        search.consider(group)
    search.history.append(
        f"{len(groups)} groups measured, {len(search.synergy)} with synergy"
    )
    for k in range(spec.rounds):
        if not search.round(k):
            break
    return search


class _Search:
    """Measured moves, what was learned about sets of them, and the best set."""

    def __init__(
        self,
        ctx: ExchangeContext,
        measurer: Measurer,
        moves: Sequence[Move],
        values: list[float],
        rules: Rules,
        must_idx: frozenset[int],
        *,
        synergy: Sequence[Synergy] = (),
        note: str | None = None,
        combine_s: float = 10.0,
        calibrate: bool = False,
    ) -> None:
        self.ctx, self.measurer, self.moves = ctx, measurer, moves
        self.values, self.rules, self.must_idx = values, rules, must_idx
        self.synergy: list[Synergy] = list(synergy)
        self.best = _start(ctx, measurer, moves, rules, must_idx)
        self.cuts = [self.best.chosen]
        self.history = [note or f"{len(moves)} moves measured"]
        self.combine_s = combine_s
        self.calibrate = calibrate
        self.trials: list[tuple[float, float]] = []  # (predicted, measured)

    def consider(self, chosen: frozenset[int] | None) -> _Best | None:
        """Measure the set ``chosen`` (once), learn from it, keep it if better."""
        if chosen is None or chosen in self.cuts:
            return None
        self.cuts.append(chosen)
        found = _measure_set(self.ctx, self.measurer, self.moves, chosen, self.rules)
        _learn(found, self.moves, self.values, self.rules, self.synergy)
        if _better(found, self.best, self.moves, self.rules):
            self.best = found
        return found

    def scale(self) -> float:
        """Return what the model's predictions are worth, by the sets measured.

        With ``calibrate`` (estimated values): the measured routing value of the
        sets combined so far over their predicted routing value (the agreement
        lines' cost is known, not predicted, and is not scaled), within [0,
        MAX_SCALE]; the next round combines the moves by their values so scaled
        and stops when that set does not beat the best. The
        estimates rank sets well, but neighbours of a measured set predicted as
        high are measured within the search's noise of it: measuring them would
        only pick the luckiest. Without ``calibrate``: 1.
        """
        predicted = math.fsum(p for p, _ in self.trials)
        if not self.calibrate or predicted <= EPS:
            return 1.0
        measured = math.fsum(m for _, m in self.trials)
        return min(MAX_SCALE, max(0.0, measured / predicted))

    def _line_cost(self, chosen: frozenset[int]) -> float:
        """Cost of the agreement lines of the moves ``chosen``."""
        picked = [self.moves[i] for i in chosen]
        return self.rules.line_cost * agreement_lines(picked, self.rules.sections)

    def round(self, k: int) -> bool:
        """Combine, measure, learn; False when the search should stop.

        The first round always runs: the moves measured are combined and the
        combination measured once even when measuring them spent the budget.
        """
        if k > 0 and self.ctx.budget.spent:  # `solver.time_limit_s` bounds the rest
            self.history.append(f"round {k + 1}: the time budget is spent")
            return False
        scale = self.scale()
        values = [v * scale for v in self.values]
        synergy = [(group, v * scale) for group, v in self.synergy]
        chosen = combine(
            self.moves,
            values,
            self.rules,
            must=self.must_idx,
            cuts=self.cuts,
            synergy=synergy,
            time_limit_s=self.combine_s,
            seed=self.ctx.seed,
        )
        if chosen is not None:
            predicted = set_value(chosen, self.moves, values, self.rules, synergy)
        if chosen is None or not predicted > self.best.value + EPS:
            note = "" if scale == 1.0 else f" (predictions x {scale:.2f}, as measured)"
            self.history.append(
                f"round {k + 1}: no set of moves predicted to do better{note}"
            )
            return False
        # the unscaled prediction, before the measurement teaches the model
        cost = self._line_cost(chosen)
        gross = set_value(chosen, self.moves, self.values, self.rules, self.synergy)
        found = self.consider(chosen)
        assert found is not None  # a cut set is never chosen again
        if found.measured is None or not found.measured.cut_short:
            self.trials.append((gross + cost, found.value + cost))
        kept = found is self.best
        self.history.append(_round_note(k, chosen, predicted, found, kept, self.ctx))
        logger.info("exchange search %s", self.history[-1])
        return True


def _start(
    ctx: ExchangeContext,
    measurer: Measurer,
    moves: Sequence[Move],
    rules: Rules,
    must_idx: frozenset[int],
) -> _Best:
    """Return the baseline (value 0), or the ``must`` moves measured."""
    if not must_idx:
        return _Best(frozenset(), 0.0, None)
    return _measure_set(ctx, measurer, moves, must_idx, rules)


def _from_plan(
    ctx: ExchangeContext, moves: Sequence[Move], plan: Plan
) -> frozenset[int] | None:
    """Return the moves of ``plan`` (None: none, or one not a candidate move)."""
    index = {(m.unit, m.taker): i for i, m in enumerate(moves)}
    taken = {
        (ctx.unit_of[e], admin)
        for e, admin in plan.assignment.items()
        if admin != ctx.plow[e]
    }
    if not taken or not taken <= index.keys():
        return None
    return frozenset(index[t] for t in taken)


def _measure_set(
    ctx: ExchangeContext,
    measurer: Measurer,
    moves: Sequence[Move],
    chosen: frozenset[int],
    rules: Rules,
) -> _Best:
    """Route the set ``chosen``; its measured objective value."""
    picked = [moves[i] for i in chosen]
    found = measurer.measure(_assignment(ctx, picked))
    lines = agreement_lines(picked, rules.sections)
    saved = found.saved(ctx.scenario.exchange.objective)
    return _Best(chosen, saved - rules.line_cost * lines, found)


def _groups(
    ctx: ExchangeContext,
    est: Estimates,
    moves: Sequence[Move],
    must_idx: frozenset[int],
) -> list[frozenset[int]]:
    """Return the sets of moves worth measuring together: by direction, by piece.

    All the moves from one owner to one taker, and the moves of one of the owner's
    cut-off pieces to one taker (with the ``must`` moves): a road far from its
    owner's others may save a trip only when they all go.
    """
    by_dir: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for i, m in enumerate(moves):
        if i not in must_idx:
            by_dir[(m.owner, m.taker)].add(i)
    groups = list(by_dir.values())
    for owner, pieces in sorted(est.pieces.items()):
        for members, _ in pieces:
            for (o, _taker), idx in sorted(by_dir.items()):
                piece = {i for i in idx if o == owner and moves[i].unit in members}
                groups.append(piece)
    out: list[frozenset[int]] = []
    for g in groups:
        group = frozenset(g) | must_idx
        if len(group - must_idx) >= 2 and group not in out:
            out.append(group)
    return out


def _learn(
    found: _Best,
    moves: Sequence[Move],
    values: Sequence[float],
    rules: Rules,
    synergy: list[Synergy],
) -> None:
    """Record what a measured set is worth beyond its moves' values (its synergy).

    The model then predicts that set exactly, and each set containing it with
    that synergy; sets whose routes are invalid teach nothing. (Ruling out the
    supersets of a set that breaks the service rule would save rounds, but on
    the property test's networks it missed the best fair set in 15 of 50.)
    """
    m = found.measured
    if m is None or not m.valid or m.cut_short or len(found.chosen) < 2:
        return
    gap = found.value - set_value(found.chosen, moves, values, rules, synergy)
    if abs(gap) > EPS:
        synergy.append((found.chosen, gap))


def _better(found: _Best, best: _Best, moves: Sequence[Move], rules: Rules) -> bool:
    """Whether ``found`` is valid, fair, keeps the service rule and beats ``best``."""
    return (
        found.measured is not None
        and found.measured.ok
        and balanced([moves[i] for i in found.chosen], rules)
        and found.value > best.value + EPS
    )


def _in_units(ctx: ExchangeContext, value: float) -> str:
    """Return an objective value (seconds or metres) in hours or km, signed."""
    if ctx.scenario.exchange.objective == "km":
        return f"{value / 1000:+.3f} km"
    return f"{value / 3600:+.3f} h"


def _round_note(
    k: int,
    chosen: frozenset[int],
    predicted: float,
    found: _Best,
    kept: bool,
    ctx: ExchangeContext,
) -> str:
    m = found.measured
    state = "" if m is None or m.valid else ", invalid"
    if m is not None and m.late:
        state += f", late: {', '.join(m.late)}"
    if m is not None and m.cut_short:
        state += ", cut short by the time limit: not counted"
    return (
        f"round {k + 1}: {len(chosen)} moves, predicted {_in_units(ctx, predicted)}, "
        f"measured {_in_units(ctx, found.value)}{state}"
        f"{', kept' if kept else ''}"
    )


def _plan(
    ctx: ExchangeContext,
    measurer: Measurer,
    moves: Sequence[Move],
    best: _Best,
    name: str,
    history: list[str],
    runtime_s: float,
) -> Plan:
    """Return the plan of ``best``: its measured routes, the baseline's elsewhere."""
    baseline = measurer.baseline
    assignment = _assignment(ctx, [moves[i] for i in best.chosen])
    measured = best.measured
    parts = dict(baseline.parts)
    reference = {}
    if measured is not None:
        parts |= measured.parts
        reference = dict(measured.reference)
    history.append(f"best: {_in_units(ctx, best.value)}, {len(best.chosen)} moves")
    return Plan(
        name=name,
        assignment=assignment,
        parts=parts,
        runtime_s=runtime_s,
        notes=tuple(history),
        reference=reference,
    )


def measured_plan(
    name: str, measurer: Measurer, assignment: Mapping[EdgeKey, str]
) -> Plan:
    """Return a plan of ``assignment``, routed and measured like the optimiser's.

    Raises
    ------
    ScenarioError
        When a road goes to an administrator whose fleet cannot plow it.
    """
    start = time.perf_counter()
    ctx = measurer.context
    roads = roads_by_admin(assignment)
    for admin, edges in roads.items():
        if edges != measurer.base_roads.get(admin):
            check_compatible(ctx, admin, edges, plan=name)
    found = measurer.measure(assignment)
    cut = (
        "a measuring search was cut short by the time limit: raise solver.time_limit_s"
    )
    return Plan(
        name=name,
        assignment=assignment,
        parts=dict(measurer.baseline.parts) | dict(found.parts),
        runtime_s=time.perf_counter() - start,
        notes=(cut,) if found.cut_short else (),
        reference=found.reference,
    )
