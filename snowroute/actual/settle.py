"""Settling an exchange: who plowed which administrator's roads, agreed and actual.

A *plowing* is one pass of a vehicle of administrator ``by`` over an edge of
administrator ``owner``. Plowings where ``by`` differs from ``owner`` are work done
for a partner; per partner pair they add up to road km (each road counted once,
whichever direction and however many passes) and plow hours (every pass), each way.
The agreed figures come from the plan's own passes, the actual ones from the logs;
the net of the two directions times the unit rate is the settlement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = [
    "Plowing",
    "RoadDifference",
    "SettlementRow",
    "road_differences",
    "settlement_rows",
    "work_for_others",
]


@dataclass(frozen=True, slots=True)
class Plowing:
    """
    One pass plowed over a road.

    Parameters
    ----------
    by
        Administrator running the vehicle.
    owner
        Administrator of the road.
    road
        The road regardless of direction (its two nodes and key, sorted).
    route_id, route_name
        Route (路線) of the road.
    section_id
        Route section of the road (the unit of exchange).
    km
        Road length, km.
    hours
        Hours plowing this pass.
    """

    by: str
    owner: str
    road: tuple[str, str, int]
    route_id: str
    route_name: str
    section_id: str
    km: float
    hours: float


@dataclass(frozen=True, slots=True)
class Work:
    """Work done by one administrator on another's roads."""

    routes: int
    km: float
    hours: float


def work_for_others(
    plowings: Iterable[Plowing],
    *,
    agreed: Iterable[Plowing] | None = None,
    complete_share: float = 1.0,
) -> dict[tuple[str, str], Work]:
    """Per ``(by, owner)`` with ``by != owner``: routes, road km and plow hours.

    With ``agreed``, a section of the agreement that ``by`` plowed for at least
    ``complete_share`` of its agreed km counts as plowed in full (its agreed km):
    GPS gaps and matching noise do not move money.
    """
    roads: dict[tuple[str, str, str], dict[tuple[str, str, int], float]] = {}
    routes: dict[tuple[str, str, str], str] = {}
    hours: dict[tuple[str, str], float] = {}
    for p in plowings:
        if p.by == p.owner:
            continue
        unit = (p.by, p.owner, p.section_id)
        roads.setdefault(unit, {})[p.road] = p.km
        routes[unit] = p.route_id
        hours[(p.by, p.owner)] = hours.get((p.by, p.owner), 0.0) + p.hours
    target: dict[tuple[str, str, str], dict[tuple[str, str, int], float]] = {}
    for p in agreed or ():
        if p.by != p.owner:
            target.setdefault((p.by, p.owner, p.section_id), {})[p.road] = p.km
    km: dict[tuple[str, str], float] = {}
    named: dict[tuple[str, str], set[str]] = {}
    for unit, done in roads.items():
        goal = target.get(unit, {})
        covered = math.fsum(v for r, v in done.items() if r in goal)
        whole = math.fsum(goal.values())
        value = math.fsum(done.values())
        if goal and covered >= complete_share * whole - 1e-9:
            value = whole + math.fsum(v for r, v in done.items() if r not in goal)
        pair = unit[:2]
        km[pair] = km.get(pair, 0.0) + value
        named.setdefault(pair, set()).add(routes[unit])
    return {pair: Work(len(named[pair]), km[pair], hours[pair]) for pair in km}


@dataclass(frozen=True, slots=True)
class SettlementRow:
    """
    The settlement of one partner pair: work each way, agreed and actual, the amount.

    ``a_for_b`` is ``a`` plowing ``b``'s roads (``up`` in the H20/H21 table when
    ``a`` is the prefecture), ``b_for_a`` the other way. ``net`` is ``a_for_b``
    minus ``b_for_a`` (actual) in the basis unit; ``amount`` is what ``payer``
    pays ``payee`` (the net times the rate), 0 when even.
    """

    a: str
    b: str
    a_for_b_routes_agreed: int
    a_for_b_km_agreed: float
    a_for_b_h_agreed: float
    a_for_b_routes_actual: int
    a_for_b_km_actual: float
    a_for_b_h_actual: float
    b_for_a_routes_agreed: int
    b_for_a_km_agreed: float
    b_for_a_h_agreed: float
    b_for_a_routes_actual: int
    b_for_a_km_actual: float
    b_for_a_h_actual: float
    basis: Literal["km", "hours"]
    rate: float
    net: float
    amount: float
    payer: str
    payee: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data, figures rounded for reading."""
        return {
            k: round(v, 3) if isinstance(v, float) else v
            for k, v in asdict(self).items()
        }


def _pairs(
    agreed: Mapping[tuple[str, str], Work],
    actual: Mapping[tuple[str, str], Work],
    upper: str | None,
) -> list[tuple[str, str]]:
    out = set()
    for x, y in set(agreed) | set(actual):
        a, b = (y, x) if (y == upper or (x != upper and y < x)) else (x, y)
        out.add((a, b))
    return sorted(out)


def settlement_rows(
    agreed: Iterable[Plowing],
    actual: Iterable[Plowing],
    *,
    basis: Literal["km", "hours"] = "km",
    rate: float = 0.0,
    upper: str | None = None,
    complete_share: float = 1.0,
) -> tuple[SettlementRow, ...]:
    """
    Return the settlement table: a row per partner pair that worked for the other.

    Parameters
    ----------
    agreed, actual
        Plowings of the plan (the agreed list) and of the logs.
    basis
        Settle on road ``km`` or plow ``hours``.
    rate
        Money per unit of the basis.
    upper
        The prefecture (or state): listed first in its pairs, like the H20/H21
        table; else pairs are ordered by id.
    complete_share
        A section of the agreement plowed for at least this share of its km
        counts as plowed in full (see :func:`work_for_others`).
    """
    agreed = list(agreed)
    plan = work_for_others(agreed)
    real = work_for_others(actual, agreed=agreed, complete_share=complete_share)
    none = Work(0, 0.0, 0.0)
    rows = []
    for a, b in _pairs(plan, real, upper):
        ab0, ab1 = plan.get((a, b), none), real.get((a, b), none)
        ba0, ba1 = plan.get((b, a), none), real.get((b, a), none)
        net = (ab1.km - ba1.km) if basis == "km" else (ab1.hours - ba1.hours)
        amount = round(abs(net) * rate, 2)
        payer, payee = (b, a) if net > 0 else (a, b)
        if amount == 0:
            payer = payee = ""
        rows.append(
            SettlementRow(
                a, b,
                ab0.routes, ab0.km, ab0.hours, ab1.routes, ab1.km, ab1.hours,
                ba0.routes, ba0.km, ba0.hours, ba1.routes, ba1.km, ba1.hours,
                basis, rate, net, amount, payer, payee,
            )
        )  # fmt: skip
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class RoadDifference:
    """Km of one route plowed for its owner by a partner: agreed, actual, difference."""

    route_id: str
    route_name: str
    owner: str
    by: str
    km_agreed: float
    km_actual: float

    @property
    def km_diff(self) -> float:
        """Actual minus agreed km."""
        return self.km_actual - self.km_agreed

    def to_dict(self) -> dict[str, Any]:
        """Plain data, km rounded to metres."""
        out = {
            k: round(v, 3) if isinstance(v, float) else v
            for k, v in asdict(self).items()
        }
        out["km_diff"] = round(self.km_diff, 3)
        return out


def road_differences(
    agreed: Iterable[Plowing], actual: Iterable[Plowing]
) -> tuple[RoadDifference, ...]:
    """Return per route plowed by a partner the km agreed and actual, largest first."""
    km: dict[tuple[str, str, str], list[dict[tuple[str, str, int], float]]] = {}
    names: dict[str, str] = {}
    for side, plowings in enumerate((agreed, actual)):
        for p in plowings:
            if p.by == p.owner:
                continue
            names[p.route_id] = p.route_name
            both = km.setdefault((p.route_id, p.owner, p.by), [{}, {}])
            both[side][p.road] = p.km
    rows = [
        RoadDifference(
            route, names[route], owner, by,
            math.fsum(both[0].values()), math.fsum(both[1].values()),
        )
        for (route, owner, by), both in km.items()
    ]  # fmt: skip
    return tuple(
        sorted(rows, key=lambda r: (-abs(round(r.km_diff, 3)), r.route_id, r.by))
    )
