"""Comparison with the prefecture's own exchange figures (H20/H21, DOMAIN.md §1.1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from snowroute.exchange.ledger import PlanReport

__all__ = ["REFERENCE", "ComparisonRow", "comparison_rows", "in_akita"]


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """
    One line of the comparison: routes (路線) and km handed over each way.

    ``up`` is the prefecture plowing municipal roads, ``down`` the municipalities
    plowing prefectural roads. Savings are against the scenario's baseline
    (None for the published figures, which give none).
    """

    label: str
    up_routes: int
    up_km: float
    down_routes: int
    down_km: float
    deadhead_saved_km: float | None = None
    hours_saved: float | None = None


#: Akita prefecture's cooperation plan: H20 (FY2008) and H21 (FY2009, planned).
REFERENCE: tuple[ComparisonRow, ...] = (
    ComparisonRow("H20 (FY2008, Akita)", 44, 51.2, 32, 42.7),
    ComparisonRow("H21 (FY2009 plan, Akita)", 53, 71.5, 42, 51.9),
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
    published H20/H21 rows (only meaningful for Akita's administrators).
    """
    rows = list(REFERENCE) if reference else []
    baseline = reports.get("baseline")
    for name in ("given", "optimized"):
        report = reports.get(name)
        if report is None:
            continue
        up = [
            x
            for x in report.exchanges
            if (x.to_admin == upper if upper else x.to_admin < x.from_admin)
        ]
        down = [x for x in report.exchanges if x not in up]
        rows.append(
            ComparisonRow(
                label=f"scenario: {name}",
                up_routes=len({x.route_id for x in up}),
                up_km=sum(x.km for x in up),
                down_routes=len({x.route_id for x in down}),
                down_km=sum(x.km for x in down),
                deadhead_saved_km=None
                if baseline is None
                else baseline.total.deadhead_km - report.total.deadhead_km,
                hours_saved=None
                if baseline is None
                else baseline.total.total_h - report.total.total_h,
            )
        )
    return tuple(rows)
