"""The estimated model of an exchange: every move valued before any routing.

A move measured alone by routing is exact only above the measuring searches' own
noise. On a prefecture's network one hamlet road is worth less than that noise
(a dozer still drives out for the valley's other hamlets), and what the valley
is worth shows only when all of it goes. The model values every move (an
exchange unit to a partner able to plow and reach it) from the pooled problem's
estimates (:mod:`snowroute.exchange.estimate`):

- objective ``hours``: the owner's plowing time less the taker's, less the
  taker's round trip to reach the unit; ``km``: less the round trip's metres;
- a cut-off piece of the owner's roads (a hamlet's roads off another
  administrator's route) is reached once: its units share the taker's round trip
  there (halfway between the round trips to its nearest and farthest unit: a
  dead-end road is plowed one way and driven back);
- every piece, and every cluster of pieces (a valley), handed whole to one taker
  saves its owner the round trip out there: a *synergy* of its moves;
- a unit goes only to its best taker by estimate, or to any with a positive
  estimated gain: the model stays small enough to combine in seconds.

The optimiser combines these values exactly, measures the combination by routing
and learns from the measurement as from measured moves
(:mod:`snowroute.exchange.optimize`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from snowroute.exchange.estimate import Estimates, estimated_gain, move_of
from snowroute.exchange.moves import Move, Synergy
from snowroute.exchange.plans import ExchangeContext

__all__ = ["model_moves"]


def model_moves(
    ctx: ExchangeContext,
    est: Estimates,
    *,
    must: Mapping[str, str],
    objective: Literal["hours", "km"],
) -> tuple[list[Move], list[float], list[Synergy]]:
    """Return every move, its estimated value and the pieces' synergies.

    The ``must`` moves (unit id → taker) come first; values are in objective
    units (seconds or metres saved).
    """
    picked = sorted(must.items())
    picked += [
        (unit_id, taker)
        for unit_id, options in sorted(est.options.items())
        if unit_id not in must
        for taker in _takers(est, unit_id, options)
    ]
    moves = [move_of(ctx, est, unit_id, taker) for unit_id, taker in picked]
    km = objective == "km"
    access = _shared_access(est, est.access_m if km else est.access_s, km=km)
    values = [
        -access[(m.unit, m.taker)]
        + (0.0 if km else est.service_s[(m.unit, m.owner)] - m.plow_s)
        for m in moves
    ]
    return moves, values, _piece_synergy(moves, est.pieces_m if km else est.pieces)


def _takers(est: Estimates, unit_id: str, options: tuple[str, ...]) -> list[str]:
    """Return the partners the model lets take a unit (see the module notes)."""
    if len(options) < 2:
        return []
    gain = {t: estimated_gain(est, unit_id, options[0], t) for t in options[1:]}
    best = max(gain, key=lambda t: gain[t])
    return [t for t in options[1:] if t == best or gain[t] > 0]


def _shared_access(
    est: Estimates, access: Mapping[tuple[str, str], float], *, km: bool
) -> dict[tuple[str, str], float]:
    """Each (unit, taker)'s share of its round trip: a piece's is shared.

    A unit of a cut-off piece gets an equal share of the taker's round trip to
    the piece (see the module notes); any other unit its own round trip. The
    smallest piece holding a unit sets its share.
    """
    out = dict(access)
    pieces = est.pieces_m if km else est.pieces
    nested = [p for owner_pieces in pieces.values() for p in owner_pieces]
    for members, _ in sorted(nested, key=lambda p: -len(p[0])):
        for taker in {t for (u, t) in access if u in members}:
            trips = [access[(u, taker)] for u in members if (u, taker) in access]
            for u in members:
                if (u, taker) in access:
                    out[(u, taker)] = (min(trips) + max(trips)) / 2 / len(trips)
    return out


def _piece_synergy(
    moves: list[Move], pieces: Mapping[str, tuple[tuple[tuple[str, ...], float], ...]]
) -> list[Synergy]:
    """Each owner's piece handed whole to one taker saves the round trip there."""
    index = {(m.unit, m.taker): i for i, m in enumerate(moves)}
    takers = {m.taker for m in moves}
    out: list[Synergy] = []
    for owner_pieces in pieces.values():
        for members, trip in owner_pieces:
            for taker in sorted(takers):
                idx = [index.get((u, taker)) for u in members]
                if all(i is not None for i in idx):
                    out.append((frozenset(i for i in idx if i is not None), trip))
    return out
