"""Exchange snow clearing (交換除雪): baseline, given, optimised and pooled plans.

One entry point, :func:`run_exchange`, computes the plans a scenario asks for on
its tagged road network and returns an :class:`ExchangeResult` with the ledger,
the exchanged roads, the balance per partner pair and the comparison with the
prefecture's H20/H21 figures.
"""

from snowroute.exchange.ledger import PlanReport as PlanReport
from snowroute.exchange.plans import ExchangeContext as ExchangeContext
from snowroute.exchange.plans import Plan as Plan
from snowroute.exchange.result import ExchangeResult as ExchangeResult
from snowroute.exchange.run import run_exchange as run_exchange

__all__ = ["ExchangeContext", "ExchangeResult", "Plan", "PlanReport", "run_exchange"]
