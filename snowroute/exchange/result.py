"""The result of an exchange run: plans, ledgers and comparison, as data and text."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from snowroute.exchange.compare import ComparisonRow
from snowroute.exchange.ledger import PlanReport
from snowroute.exchange.plans import ExchangeContext, Plan
from snowroute.exchange.summary import (
    comparison_dicts,
    comparison_text,
    ledger_text,
    plan_summary,
    price_of_fairness,
)
from snowroute.scenario.model import clock_seconds

__all__ = ["ExchangeResult"]


@dataclass(frozen=True, slots=True, eq=False)
class ExchangeResult:
    """
    The plans of one exchange run with their ledgers.

    Parameters
    ----------
    context
        Network, roads, fleets, units and partners the plans share.
    plans
        Plan name → plan (routes and assignment), in computing order.
    reports
        Plan name → its ledger, exchanges, balance and validity.
    comparison
        The H20/H21 comparison rows followed by the scenario's plans.
    runtime_s
        Seconds for the whole run.
    """

    context: ExchangeContext
    plans: dict[str, Plan]
    reports: dict[str, PlanReport]
    comparison: tuple[ComparisonRow, ...]
    runtime_s: float
    prefecture: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plans", MappingProxyType(dict(self.plans)))
        object.__setattr__(self, "reports", MappingProxyType(dict(self.reports)))

    @property
    def valid(self) -> bool:
        """Whether every plan passes the validator."""
        return all(r.valid for r in self.reports.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: every plan's figures, ledger rows, exchanges, balance."""
        ctx = self.context
        spec = ctx.scenario.exchange
        start = clock_seconds(ctx.scenario.service.start, field="service.start")
        baseline = self.reports.get("baseline")
        return {
            "scenario": ctx.scenario.name,
            "unit": spec.unit,
            "units": len(ctx.units),
            "prefecture": self.prefecture,
            "partners": [list(p) for p in ctx.pairs],
            "balance_tolerance": spec.balance_tolerance,
            "balance_by": spec.balance_by,
            "objective": spec.objective,
            "admin_cost_h": spec.admin_cost_h,
            "admin_cost_km": spec.admin_cost_km,
            "service_level": spec.service_level,
            "engine": ctx.engine,
            "time_limit_s": ctx.time_limit_s,
            "seed": ctx.seed,
            "inputs": ctx.scenario.fingerprints(),
            "valid": self.valid,
            "plans": {
                name: plan_summary(report, baseline=baseline, start_s=start)
                for name, report in self.reports.items()
            },
            "price_of_fairness": price_of_fairness(self.reports),
            "comparison": comparison_dicts(self.comparison),
            "runtime_s": round(self.runtime_s, 1),
        }

    def ledger_text(self) -> str:
        """Return the ledger of every plan as a text table."""
        start = clock_seconds(
            self.context.scenario.service.start, field="service.start"
        )
        return ledger_text(self.reports, start_s=start)

    def comparison_text(self) -> str:
        """Return the H20/H21 comparison as a text table."""
        return comparison_text(self.comparison)
