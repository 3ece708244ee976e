"""Comparison with the prefecture's own exchange figures (H20/H21, DOMAIN.md §1.1)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from snowroute.exchange.ledger import Exchange, PlanReport

__all__ = [
    "AKITA_ROAD_KM",
    "AKITA_ROAD_KM_BASIS",
    "REFERENCE",
    "ComparisonRow",
    "comparison_rows",
    "in_akita",
]


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """
    One line of the comparison: routes (路線) and km handed over each way.

    ``up`` is the prefecture plowing municipal roads, ``down`` the municipalities
    plowing prefectural roads; on a ``between="municipalities"`` line, ``up`` is
    towards the municipality with the smaller code. Savings are against the
    scenario's baseline (None for the published figures, which give none, and
    on the municipal line, whose saving is in its plan's main line).

    ``up_share`` and ``down_share`` are the km handed over as a share of the
    road km of the administrators who hand them over (the municipalities' for
    ``up``, the prefecture's for ``down``); None where those km are not known.
    ``road_km_basis`` says where those km come from.
    """

    label: str
    up_routes: int
    up_km: float
    down_routes: int
    down_km: float
    deadhead_saved_km: float | None = None
    hours_saved: float | None = None
    between: Literal["prefecture", "municipalities"] = "prefecture"
    up_share: float | None = None
    down_share: float | None = None
    road_km_basis: str = ""


#: Road km Akita's administrators hold (DOMAIN.md §2, prefecture road survey of
#: 2016-04-01): the prefecture's national routes (879 km) and prefectural roads
#: (2,372 km), and the municipal roads. The survey of the H20/H21 years is not
#: given, so the published rows' shares use these later km and say so.
AKITA_ROAD_KM: Final = {"prefecture": 879.0 + 2372.0, "municipal": 19966.0}
AKITA_ROAD_KM_BASIS: Final = (
    "published rows: road km of 2016-04-01 (prefecture 3,251 km, "
    "municipalities 19,966 km); the FY2008/FY2009 km are not given"
)


def _published(
    label: str, up: tuple[int, float], down: tuple[int, float]
) -> ComparisonRow:
    return ComparisonRow(
        label,
        up[0],
        up[1],
        down[0],
        down[1],
        up_share=up[1] / AKITA_ROAD_KM["municipal"],
        down_share=down[1] / AKITA_ROAD_KM["prefecture"],
        road_km_basis=AKITA_ROAD_KM_BASIS,
    )


#: Akita prefecture's cooperation plan: H20 (FY2008) and H21 (FY2009, planned).
REFERENCE: tuple[ComparisonRow, ...] = (
    _published("H20 (FY2008, Akita)", (44, 51.2), (32, 42.7)),
    _published("H21 (FY2009 plan, Akita)", (53, 71.5), (42, 51.9)),
)


def in_akita(admins: Iterable[str]) -> bool:
    """Whether any of ``admins`` is Akita prefecture (05) or one of its municipalities.

    >>> in_akita(["05", "05201"]), in_akita(["WI", "dane", "middleton"])
    (True, False)
    """
    return any(
        a == "05" or (len(a) == 5 and a.isdigit() and a[:2] == "05") for a in admins
    )


def comparison_rows(
    reports: dict[str, PlanReport], *, upper: str | None, reference: bool = True
) -> tuple[ComparisonRow, ...]:
    """Return the published rows, then the scenario's given and optimized plans.

    ``upper`` is the prefecture (or state); without one, ``up`` counts exchanges
    towards the administrator with the smaller id. ``reference`` adds Akita's
    published H20/H21 rows (only meaningful for Akita's administrators). With a
    prefecture, exchanges between two municipalities get a line of their own
    after their plan's line (when the plan has any). Shares are of the road km
    each administrator plows in the baseline (its own roads).
    """
    rows = list(REFERENCE) if reference else []
    baseline = reports.get("baseline")
    road_km = (
        {}
        if baseline is None
        else {r.admin: r.own_km for r in baseline.rows if r.admin != "total"}
    )
    upper_km = road_km.get(upper) if upper else None
    lower_km = sum(km for a, km in road_km.items() if a != upper) or None
    basis = "scenario rows: road km each administrator plows in the baseline"
    basis = basis if road_km else ""
    for name in ("given", "optimized"):
        report = reports.get(name)
        if report is None:
            continue
        if upper:
            main = [x for x in report.exchanges if upper in (x.to_admin, x.from_admin)]
            up = [x for x in main if x.to_admin == upper]
        else:
            main = list(report.exchanges)
            up = [x for x in main if x.to_admin < x.from_admin]
        down = [x for x in main if x not in up]
        rows.append(
            ComparisonRow(
                f"scenario: {name}",
                *_each_way(up, down),
                deadhead_saved_km=None
                if baseline is None
                else baseline.total.deadhead_km - report.total.deadhead_km,
                hours_saved=None
                if baseline is None
                else baseline.total.total_h - report.total.total_h,
                up_share=_share(up, lower_km if upper else None),
                down_share=_share(down, upper_km),
                road_km_basis=basis,
            )
        )
        between = [x for x in report.exchanges if x not in main]
        if between:
            towards_smaller = [x for x in between if x.to_admin < x.from_admin]
            rest = [x for x in between if x not in towards_smaller]
            rows.append(
                ComparisonRow(
                    f"scenario: {name}, municipality↔municipality",
                    *_each_way(towards_smaller, rest),
                    between="municipalities",
                    up_share=_share(towards_smaller, lower_km),
                    down_share=_share(rest, lower_km),
                    road_km_basis=basis,
                )
            )
    return tuple(rows)


def _each_way(
    up: Sequence[Exchange], down: Sequence[Exchange]
) -> tuple[int, float, int, float]:
    """Routes and km up, then routes and km down."""
    return (
        len({x.route_id for x in up}),
        sum(x.km for x in up),
        len({x.route_id for x in down}),
        sum(x.km for x in down),
    )


def _share(exchanges: Sequence[Exchange], road_km: float | None) -> float | None:
    """Km of ``exchanges`` as a share of ``road_km`` (None when unknown)."""
    if not road_km:
        return None
    return sum(x.km for x in exchanges) / road_km
