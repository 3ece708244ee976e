"""The concise console summary of a run: a few lines per step, words spelled out.

The full tables (network report, exchange ledger, patrol days) print with
``--verbose``; every figure is also in the output files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from snowroute.outputs.text import REFERENCE_PLANS

__all__ = ["closing_line", "exchange_lines", "network_lines", "patrol_lines"]


def network_lines(report: Any) -> list[str]:
    """Three lines of a network report: size, administrators, what to check."""
    admins = " · ".join(f"{a.name or a.admin_id} {a.km:.1f} km" for a in report.admins)
    return [
        f"Network {Path(report.source).name} (rules: {report.rules}): "
        f"{report.nodes:,} nodes, {report.edges:,} directed edges, "
        f"{report.km:,.1f} km of road",
        f"  administrators: {admins}",
        f"  Unknown administrator: {report.unknown_edges} edges, "
        f"{report.unknown_km:.1f} km; winter-closed {report.winter_closed_km:.1f} km; "
        f"{report.weak_pieces} connected piece(s)",
    ]


def _last_cleared(plan: Mapping[str, Any]) -> str:
    total = plan.get("total") or {}
    finish, finish_s = total.get("finish") or {}, total.get("finish_s") or {}
    if not finish_s:
        return "—"
    last = max(finish_s, key=lambda k: finish_s[k])
    return f"{finish.get(last, '—')} ({last})"


def _saving(plan: Mapping[str, Any], unit: str) -> str:
    saving = plan.get("saving")
    if not saving or not plan.get("units_exchanged"):
        return ""
    if saving.get("significant") is False:  # inside the search's own noise
        judged = saving.get("attributable_hours", saving["hours"])
        return (
            f"no significant saving ({judged:+.2f} h, noise band "
            f"{saving['band_hours']:.2f} h over {saving['band_seeds']} seeds); "
            f"{plan['units_exchanged']} {unit}s exchanged"
        )
    text = (
        f"saves {saving['deadhead_km']:.2f} km driven empty, "
        f"{saving['hours']:.2f} h ({saving['hours_pct']:.1f} %)"
    )
    if "attributable_hours" in saving:
        text += f", {saving['attributable_hours']:+.2f} h against its reference"
    if "band_hours" in saving:
        text += f", beyond a noise band of {saving['band_hours']:.2f} h"
    units = plan["units_exchanged"]
    return f"{text}; {units} {unit}s exchanged"


def exchange_lines(summary: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """Return the plans of an exchange run, one line each, and the balance."""
    plans = summary["plans"]
    lines = [
        f"Exchange snow clearing (交換除雪), scenario {summary['scenario']}: "
        f"{len(summary['partners'])} partner pairs",
        f"  {'plan':<18} {'hours':>6} {'empty km':>9} {'vehicles':>8}  "
        f"{'all roads cleared':<22} {'check':<9} saving against baseline",
    ]
    for name, plan in plans.items():
        check = "valid" if plan.get("valid") else "NOT VALID"
        lines.append(
            f"  {name:<18} {plan['total_hours']:>6.2f} {plan['deadhead_km']:>9.2f} "
            f"{plan['vehicles']:>8}  {_last_cleared(plan):<22} {check:<9} "
            f"{_saving(plan, str(summary.get('unit') or 'unit'))}".rstrip()
        )
    tolerance = 100 * float(summary.get("balance_tolerance") or 0.0)
    balance = [
        (name, pair)
        for name, plan in plans.items()
        if name not in REFERENCE_PLANS  # references, not agreements between partners
        for pair in (plan.get("balance") or {}).values()
        if pair["a_to_b_km"] or pair["b_to_a_km"]
    ]
    by = str(summary.get("balance_by") or "km")
    unit = "h" if by == "hours" else "km"
    if balance:
        lines.append(
            f"  Balance between partners ({by} plowed for the other, each way; "
            f"tolerance {tolerance:.0f} %):"
        )
    for name, pair in balance:
        a, b = pair["a"], pair["b"]
        ab, ba = (
            (pair["a_to_b_hours"], pair["b_to_a_hours"])
            if by == "hours"
            else (pair["a_to_b_km"], pair["b_to_a_km"])
        )
        verdict = "balanced" if pair["ok"] else "OUT OF TOLERANCE"
        lines.append(
            f"    {name:<10} {names.get(a) or a} → {names.get(b) or b} "
            f"{ab:.2f} {unit}, {names.get(b) or b} → {names.get(a) or a} "
            f"{ba:.2f} {unit}: {verdict}"
        )
    price = summary.get("price_of_fairness")
    if price is not None:
        lines.append(
            f"  Price of fairness (unbalanced less optimized): {price['hours']:.2f} h, "
            f"{price['km']:.1f} km driven empty"
        )
    for name, plan in plans.items():
        violations = [f"  {name}: violation: {v}" for v in plan.get("violations") or []]
        lines += capped(violations, more=f"  {name}: ")
    return lines


#: Violations a summary prints per plan; ``-v`` and summary.json list them all.
MAX_VIOLATION_LINES = 5


def capped(lines: list[str], *, more: str = "  ") -> list[str]:
    """Return the first :data:`MAX_VIOLATION_LINES` lines and how many are left out.

    A plan far from its deadlines breaks one rule per late road; the first lines
    (a class's delay comes before its roads) say what is wrong.
    """
    if len(lines) <= MAX_VIOLATION_LINES:
        return lines
    left = len(lines) - MAX_VIOLATION_LINES
    return [
        *lines[:MAX_VIOLATION_LINES],
        f"{more}... and {left} more violations (-v lists them all)",
    ]


def patrol_lines(plan: Any) -> list[str]:
    """Return the patrol headline: validity, compliance and km (days with -v)."""
    lines: list[str] = plan.summary().splitlines()
    head = lines[:3]
    return head + capped([line for line in lines[3:] if "violation:" in line])


def closing_line(folder: Path, count: int) -> str:
    """Return the last line of a run: how many files, the real folder, what to open."""
    return (
        f"Wrote {count} files to {folder.resolve()}/ "
        "(open report.html, map.html and sheets/index.html)"
    )
