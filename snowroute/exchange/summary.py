"""The exchange result as JSON-ready data and as text tables for the terminal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from snowroute._clock import clock_after
from snowroute.exchange.compare import ComparisonRow
from snowroute.exchange.ledger import LedgerRow, PlanReport

__all__ = [
    "PLAN_ABOUT",
    "clock",
    "comparison_text",
    "ledger_text",
    "plan_summary",
    "price_of_fairness",
]

#: One line per plan: what it is and what its saving measures.
PLAN_ABOUT = {
    "baseline": "Each administrator plows its own roads with its own fleet.",
    "given": (
        "The agreed exchange list; its attributable saving is measured against the "
        "administrators it touches routed over their own roads with the same effort."
    ),
    "optimized": (
        "The best exchange found by exchange.objective less the administrative "
        "cost per agreement line, within the balance tolerance and the service rule."
    ),
    "unbalanced": (
        "The best exchange without the balance rule: the price of fairness is its "
        "attributable saving less the optimized plan's."
    ),
    "pooled": (
        "Every fleet may plow every road, each at its own speeds: it gains mostly "
        "where one fleet is faster; a reference, not a target for an exchange."
    ),
    "pooled_equal_speed": (
        "Every fleet may plow every road, all at the same speeds, against each "
        "administrator on its own roads at those speeds: the value of sharing "
        "roads alone."
    ),
}


def clock(start_s: int, seconds: float) -> str:
    """Clock time ``HH:MM`` of ``seconds`` after a shift that starts at ``start_s``."""
    return clock_after(start_s, seconds)


def price_of_fairness(reports: Mapping[str, PlanReport]) -> dict[str, float] | None:
    """Hours and deadhead km the balance rule costs: unbalanced less optimized.

    Each plan's attributable saving (against its reference) where it has one, else
    its saving against the baseline; None without both plans.
    """
    if "unbalanced" not in reports or "optimized" not in reports:
        return None
    free = _attributable(reports["unbalanced"], reports.get("baseline"))
    fair = _attributable(reports["optimized"], reports.get("baseline"))
    return {"hours": round(free[0] - fair[0], 4), "km": round(free[1] - fair[1], 3)}


def _attributable(
    report: PlanReport, baseline: PlanReport | None
) -> tuple[float, float]:
    if report.attributable is not None:
        return report.attributable
    if baseline is None:
        return 0.0, 0.0
    return (
        baseline.total.total_h - report.total.total_h,
        baseline.total.deadhead_km - report.total.deadhead_km,
    )


def _row(row: LedgerRow, start_s: int) -> dict[str, Any]:
    return {
        "own_km": round(row.own_km, 3),
        "for_others_km": round(row.for_others_km, 3),
        "handed_over_km": round(row.handed_over_km, 3),
        "service_km": round(row.service_km, 3),
        "deadhead_km": round(row.deadhead_km, 3),
        "total_hours": round(row.total_h, 4),
        "vehicles": row.vehicles,
        "finish": {k: clock(start_s, v) for k, v in row.finish_s.items()},
        "finish_s": {k: round(v, 1) for k, v in row.finish_s.items()},
        "lower_bound_h": _round(row.lower_bound_h, 4),
        "gap_to_bound_pct": _round(row.gap_to_bound_pct, 2),
        "finish_bound_h": _round(row.finish_bound_h, 4),
    }


def plan_summary(
    report: PlanReport,
    *,
    baseline: PlanReport | None,
    start_s: int,
) -> dict[str, Any]:
    """Return one plan's entry of ``summary.json``.

    ``lower_bound_h`` is the sum of the proven lower bounds of the plan's
    routing problems (``Solution.lower_bound``, hours) and ``gap_to_bound_pct``
    the gap of the plan's cost above it, relative to the bound:
    ``100 * (cost - bound) / bound`` with ``cost`` = ``Solution.cost`` (route
    time plus fixed costs); the same per administrator (``None`` for the
    administrators' shares of the pooled plan, which is one problem).
    """
    total = report.total
    out: dict[str, Any] = {
        "about": PLAN_ABOUT.get(report.name, ""),
        "deadhead_km": round(total.deadhead_km, 3),
        "service_km": round(total.service_km, 3),
        "total_hours": round(total.total_h, 4),
        "objective_hours": round(report.objective_h, 4),
        "valid": report.valid,
        "violations": list(report.violations),
        # the balance rule's verdict, apart from validity (the routes' constraints)
        "balanced": all(b.ok for b in report.balance),
        "agreement_lines": report.agreement_lines,
        "vehicles": total.vehicles,
        "units_exchanged": report.units_moved,
        "runtime_s": round(report.runtime_s, 1),
        "lower_bound_h": _round(total.lower_bound_h, 4),
        "gap_to_bound_pct": _round(total.gap_to_bound_pct, 2),
        "per_admin": {r.admin: _row(r, start_s) for r in report.rows},
        "total": _row(total, start_s),
        "exchanged": [
            {
                "route_id": x.route_id,
                "route_name": x.route_name,
                "section": x.section,
                "from_admin": x.from_admin,
                "to_admin": x.to_admin,
                "km": round(x.km, 3),
                "hours": round(x.hours, 3),
            }
            for x in report.exchanges
        ],
        "balance": {
            f"{b.a}-{b.b}": {
                "a": b.a,
                "b": b.b,
                "a_to_b_km": round(b.a_to_b_km, 3),
                "b_to_a_km": round(b.b_to_a_km, 3),
                "a_to_b_routes": b.a_to_b_routes,
                "b_to_a_routes": b.b_to_a_routes,
                "a_to_b_hours": round(b.a_to_b_hours, 3),
                "b_to_a_hours": round(b.b_to_a_hours, 3),
                "by": b.by,
                "ok": b.ok,
            }
            for b in report.balance
        },
        "search": list(report.notes),
    }
    if baseline is not None:
        out["saving"] = _saving(report, baseline)
        if report.reference_finish_s is not None:
            # what the service rule compared the plan's finishes with
            out["saving"]["reference_finish"] = {
                k: clock(start_s, v) for k, v in report.reference_finish_s.items()
            }
    return out


def _saving(report: PlanReport, baseline: PlanReport) -> dict[str, Any]:
    """Return what ``report``'s plan saves against the baseline, with its band."""
    base, total = baseline.total, report.total
    out: dict[str, Any] = {
        "deadhead_km": round(base.deadhead_km - total.deadhead_km, 3),
        "deadhead_pct": _round(
            _pct(base.deadhead_km - total.deadhead_km, base.deadhead_km), 2
        ),
        "hours": round(base.total_h - total.total_h, 4),
        "hours_pct": _round(_pct(base.total_h - total.total_h, base.total_h), 2),
    }
    judged = base.total_h - total.total_h
    if report.attributable is not None:
        hours, km = report.attributable
        judged = hours
        out |= {
            # against the touched administrators' own roads, same search effort
            "attributable_hours": round(hours, 4),
            "attributable_km": round(km, 3),
        }
    band = report.noise
    if band is not None:
        out |= {
            "band_hours": round(band.hours, 4),
            "band_km": round(band.km, 3),
            "band_seeds": band.seeds,
            "band_admins": list(band.admins),
            "significant": band.significant(judged),
        }
    return out


def _pct(part: float, whole: float) -> float | None:
    return None if whole <= 0 else 100 * part / whole


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _fixed(value: float | None, width: int, digits: int) -> str:
    """Right-aligned ``value`` with ``digits`` decimals, a dash when unknown."""
    return f"{'—':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def comparison_dicts(rows: tuple[ComparisonRow, ...]) -> list[dict[str, Any]]:
    """Return the comparison table as JSON-ready rows (km to 3 decimals, shares 6)."""
    return [
        {
            k: (
                round(v, 6 if k.endswith("_share") else 3)
                if isinstance(v, float)
                else v
            )
            for k, v in asdict(r).items()
        }
        for r in rows
    ]


def ledger_text(
    reports: Mapping[str, PlanReport],
    *,
    names: Mapping[str, str] | None = None,
    start_s: int = 0,
) -> str:
    """Render the ledger of every plan as a table, with savings and shares."""
    names = names or {}
    baseline = reports.get("baseline")
    head = (
        f"{'plan':<10} {'admin':<16} {'own km':>8} {'others':>8} {'handed':>8} "
        f"{'deadhead':>9} {'hours':>7} {'bound':>7} {'gap %':>6} {'vehicles':>8}  "
        "finished by class"
    )
    lines = [
        "Exchange ledger (km of road; deadhead km driven empty; bound: proven lower "
        "bound on the cost in hours, gap % above it)",
        head,
        "-" * len(head),
    ]
    for name, report in reports.items():
        for row in (*report.rows, report.total):
            label = (
                row.admin
                if row.admin == "total"
                else f"{row.admin} {names.get(row.admin, '')}"
            )
            finish = " ".join(
                f"{k} {clock(start_s, v)}" for k, v in row.finish_s.items()
            )
            lines.append(
                f"{name if row is report.rows[0] else '':<10} {label[:16]:<16} "
                f"{row.own_km:>8.2f} {row.for_others_km:>8.2f} "
                f"{row.handed_over_km:>8.2f} {row.deadhead_km:>9.2f} "
                f"{row.total_h:>7.2f} {_fixed(row.lower_bound_h, 7, 2)} "
                f"{_fixed(row.gap_to_bound_pct, 6, 1)} {row.vehicles:>8}  {finish}"
            )
        state = (
            "valid" if report.valid else f"INVALID: {'; '.join(report.violations[:3])}"
        )
        extra = (
            f"  {report.units_moved} units exchanged, objective "
            f"{report.objective_h:.2f} h, {state}"
        )
        if baseline is not None and report is not baseline:
            dk = baseline.total.deadhead_km - report.total.deadhead_km
            dh = baseline.total.total_h - report.total.total_h
            pct = _pct(dh, baseline.total.total_h) or 0.0
            extra += f"; saves {dk:.2f} km deadhead, {dh:.2f} h ({pct:.1f} %)"
            if report.attributable is not None:
                dh, dk = report.attributable
                extra += f"; against its reference {dk:.2f} km, {dh:.2f} h"
            if report.noise is not None:
                verdict = (
                    "significant"
                    if report.noise.significant(dh)
                    else "NOT significant: inside the noise"
                )
                extra += (
                    f" [noise band {report.noise.hours:.2f} h, "
                    f"{report.noise.km:.1f} km over {report.noise.seeds} seeds: "
                    f"{verdict}]"
                )
        lines.append(extra)
        bad = [b for b in report.balance if not b.ok]
        for b in report.balance:
            if b.a_to_b_km or b.b_to_a_km:
                lines.append(
                    f"  balance {b.a}→{b.b} {b.a_to_b_km:.2f} km, "
                    f"{b.a_to_b_hours:.2f} h / {b.b}→{b.a} {b.b_to_a_km:.2f} km, "
                    f"{b.b_to_a_hours:.2f} h: by {b.by} "
                    f"{'ok' if b.ok else 'OUT OF TOLERANCE'}"
                )
        if bad and report.name in ("given", "optimized"):
            lines.append(f"  {len(bad)} partner pairs out of balance")
        lines.append("")
    return "\n".join(lines).rstrip()


def comparison_text(rows: tuple[ComparisonRow, ...]) -> str:
    """Render the H20/H21 comparison as a fixed-width table.

    Each way shows routes, km and the km as a share of the road km of the
    administrators handing them over; the notes under the table say where those
    road km come from. Exchanges between two municipalities have lines of their
    own (``up`` towards the smaller code).
    """
    head = (
        f"{'':<44} {'pref. plows municipal':>30} {'municipal plow pref.':>30} "
        f"{'deadhead saved':>15} {'hours saved':>12}"
    )
    lines = [
        "Comparison with the prefecture's exchange figures (routes 路線, km, share "
        "of the road km of the administrators handing them over)",
        head,
    ]
    lines.append("-" * len(head))
    for r in rows:
        up = f"{r.up_routes} routes {r.up_km:6.1f} km {_share_pct(r.up_share):>7}"
        down = (
            f"{r.down_routes} routes {r.down_km:6.1f} km {_share_pct(r.down_share):>7}"
        )
        dead = "—" if r.deadhead_saved_km is None else f"{r.deadhead_saved_km:.2f} km"
        hours = "—" if r.hours_saved is None else f"{r.hours_saved:.2f} h"
        lines.append(f"{r.label:<44} {up:>30} {down:>30} {dead:>15} {hours:>12}")
    bases = dict.fromkeys(r.road_km_basis for r in rows if r.road_km_basis)
    lines += [f"  shares, {basis}" for basis in bases]
    if any(r.between == "municipalities" for r in rows):
        lines.append(
            "  municipality↔municipality lines: first way towards the smaller code"
        )
    return "\n".join(lines)


def _share_pct(share: float | None) -> str:
    """Format a share as a percentage with two decimals, a dash when unknown."""
    return "—" if share is None else f"{100 * share:.2f} %"
