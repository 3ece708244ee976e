"""Moves of an exchange and their exact combination under the fairness rules.

A move hands one exchange unit from its owner to one partner. Given each move's
value (objective units saved: seconds of plowing or metres of deadhead, measured by
routing in :mod:`snowroute.exchange.measure`), :func:`combine` picks, with OR-Tools
CP-SAT, the set of moves whose total value less the administrative cost of its
agreement lines is largest, with at most one taker per unit, every partner pair's
balance within the tolerance, the ``must`` moves in and every set in ``cuts``
(already measured) out. A *synergy* is what a set of moves is worth beyond the sum
of its moves (a hamlet road saves its owner's trip only when the last road out
there goes too); the optimiser learns them by measuring sets. :func:`set_value`
and :func:`balanced` state the same rules in plain Python, for checks and for
enumeration on small cases.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from ortools.sat.python import cp_model

__all__ = [
    "Move",
    "Rules",
    "Synergy",
    "agreement_lines",
    "balanced",
    "combine",
    "set_value",
]

#: CP-SAT works in integers: values and line costs in 1/SCALE of their unit.
SCALE = 100
#: Balance weights in 1/WEIGHT_SCALE of a metre or second.
WEIGHT_SCALE = 1000
#: Tolerance resolution of the balance rule.
TOLERANCE_SCALE = 10_000


@dataclass(frozen=True, slots=True)
class Move:
    """
    One exchange unit handed from its owner to a partner.

    Parameters
    ----------
    unit
        Exchange unit id.
    route
        Route (路線) of the unit: a route handed over whole is one agreement line.
    owner, taker
        Administrator giving and taking the unit.
    km
        Road km of the unit.
    plow_s
        Seconds the taker's fleet needs to plow it (each pass by its fastest class).
    """

    unit: str
    route: str
    owner: str
    taker: str
    km: float
    plow_s: float

    def weight(self, by: Literal["km", "hours"]) -> float:
        """Return what the balance rule weighs: metres, or the taker's plow seconds."""
        return self.plow_s if by == "hours" else 1000.0 * self.km


@dataclass(frozen=True, slots=True)
class Rules:
    """
    The fairness rules and the price of an agreement line.

    Parameters
    ----------
    pairs
        Partner pairs whose balance is checked (each sorted).
    tolerance
        ``exchange.balance_tolerance`` (None: no balance rule).
    balance_by
        ``exchange.balance_by``.
    line_cost
        Administrative cost of one agreement line, in objective units.
    sections
        Route id → number of exchange units it has (a route whose units all go
        to one taker is one line).
    """

    pairs: tuple[tuple[str, str], ...]
    tolerance: float | None
    balance_by: Literal["km", "hours"]
    line_cost: float
    sections: Mapping[str, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", MappingProxyType(dict(self.sections)))


def agreement_lines(moves: Iterable[Move], sections: Mapping[str, int]) -> int:
    """Lines of the agreement: a route handed over whole to one taker is one line.

    >>> a = Move("r@1", "r", "05", "05201", 1.0, 60.0)
    >>> b = Move("r@2", "r", "05", "05201", 1.0, 60.0)
    >>> agreement_lines([a, b], {"r": 2}), agreement_lines([a], {"r": 2})
    (1, 1)
    """
    groups = Counter((m.route, m.taker) for m in moves)
    return sum(
        1 if count == sections.get(route, 0) else count
        for (route, _), count in groups.items()
    )


def balanced(moves: Iterable[Move], rules: Rules) -> bool:
    """Whether every partner pair gives and receives within the tolerance."""
    if rules.tolerance is None:
        return True
    flow: defaultdict[tuple[str, str], float] = defaultdict(float)
    for m in moves:
        flow[(m.owner, m.taker)] += m.weight(rules.balance_by)
    for a, b in rules.pairs:
        x, y = flow[(a, b)], flow[(b, a)]
        if abs(x - y) > rules.tolerance * max(x, y) + 1e-9:
            return False
    return True


#: A set of moves and what it is worth beyond the sum of its moves' values.
Synergy = tuple[frozenset[int], float]


def set_value(
    chosen: Collection[int],
    moves: Sequence[Move],
    values: Sequence[float],
    rules: Rules,
    synergy: Iterable[Synergy] = (),
) -> float:
    """Total value of the moves ``chosen`` less the cost of their agreement lines.

    Each ``synergy`` set wholly within ``chosen`` adds its value.
    """
    picked = [moves[i] for i in chosen]
    lines = agreement_lines(picked, rules.sections)
    extra = [v for group, v in synergy if group <= set(chosen)]
    return (
        math.fsum(values[i] for i in chosen)
        + math.fsum(extra)
        - rules.line_cost * lines
    )


def combine(
    moves: Sequence[Move],
    values: Sequence[float],
    rules: Rules,
    *,
    must: Collection[int] = (),
    cuts: Iterable[frozenset[int]] = (),
    synergy: Iterable[Synergy] = (),
    time_limit_s: float = 10.0,
    seed: int = 0,
) -> frozenset[int] | None:
    """Return the indices of the best set of moves (see the module notes).

    The value of a set is :func:`set_value`: the moves' ``values``, plus each
    ``synergy`` set wholly chosen, less the cost of the agreement lines.

    The empty set (no exchange) is a candidate like any other unless it is cut.
    ``None`` when no set satisfies the rules (the ``must`` moves cannot be
    balanced, or every admissible set is cut).
    """
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x[{i}]") for i in range(len(moves))]
    by_unit: defaultdict[str, list[cp_model.IntVar]] = defaultdict(list)
    for m, var in zip(moves, x, strict=True):
        by_unit[m.unit].append(var)
    for vars_ in by_unit.values():
        model.add_at_most_one(vars_)
    for i in must:
        model.add(x[i] == 1)
    for cut in cuts:
        model.add_bool_or([x[i].Not() for i in cut] + [x[i] for i in _rest(x, cut)])
    _add_balance(model, moves, x, rules)
    terms = [
        (round(SCALE * (v - rules.line_cost)), var)
        for v, var in zip(values, x, strict=True)
    ]
    terms += _whole_routes(model, moves, x, rules)
    terms += _synergy(model, x, synergy)
    model.maximize(sum(c * v for c, v in terms))
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False  # Ctrl-C stays with Python
    solver.parameters.max_deterministic_time = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return frozenset(i for i, var in enumerate(x) if solver.value(var))


def _synergy(
    model: cp_model.CpModel, x: Sequence[cp_model.IntVar], synergy: Iterable[Synergy]
) -> list[tuple[int, cp_model.IntVar]]:
    """One variable per synergy set, true exactly when all its moves are chosen."""
    terms = []
    for k, (group, value) in enumerate(synergy):
        both = model.new_bool_var(f"synergy[{k}]")
        model.add_bool_and([x[i] for i in group]).only_enforce_if(both)
        model.add_bool_or([x[i].Not() for i in group] + [both])
        terms.append((round(SCALE * value), both))
    return terms


def _rest(x: Sequence[cp_model.IntVar], cut: frozenset[int]) -> list[int]:
    return [i for i in range(len(x)) if i not in cut]


def _add_balance(
    model: cp_model.CpModel,
    moves: Sequence[Move],
    x: Sequence[cp_model.IntVar],
    rules: Rules,
) -> None:
    """Keep what each partner pair gives and receives within the tolerance."""
    if rules.tolerance is None:
        return
    keep = TOLERANCE_SCALE - round(TOLERANCE_SCALE * rules.tolerance)
    flow: defaultdict[tuple[str, str], list[tuple[int, cp_model.IntVar]]] = defaultdict(
        list
    )
    for m, var in zip(moves, x, strict=True):
        w = round(WEIGHT_SCALE * m.weight(rules.balance_by))
        flow[(m.owner, m.taker)].append((w, var))
    for a, b in rules.pairs:
        given = sum(w * v for w, v in flow[(a, b)])
        taken = sum(w * v for w, v in flow[(b, a)])
        model.add(keep * given <= TOLERANCE_SCALE * taken)
        model.add(keep * taken <= TOLERANCE_SCALE * given)


def _whole_routes(
    model: cp_model.CpModel,
    moves: Sequence[Move],
    x: Sequence[cp_model.IntVar],
    rules: Rules,
) -> list[tuple[int, cp_model.IntVar]]:
    """Refund the line cost of all but one unit of a route handed over whole."""
    groups: defaultdict[tuple[str, str], list[cp_model.IntVar]] = defaultdict(list)
    for m, var in zip(moves, x, strict=True):
        groups[(m.route, m.taker)].append(var)
    terms = []
    for (route, taker), vars_ in groups.items():
        n = rules.sections.get(route, 0)
        if n < 2 or len(vars_) < n or rules.line_cost <= 0:
            continue
        whole = model.new_bool_var(f"whole[{route},{taker}]")
        for var in vars_:
            model.add_implication(whole, var)
        terms.append((round(SCALE * rules.line_cost * (n - 1)), whole))
    return terms
