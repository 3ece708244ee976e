"""Hand-made plan reports for the comparison and summary tests."""

from __future__ import annotations

from snowroute.exchange.ledger import Exchange, LedgerRow, PairBalance, PlanReport


def row(admin: str, *, deadhead_km: float, total_h: float, **more: object) -> LedgerRow:
    """A ledger row with the given figures (others zero)."""
    fields: dict[str, object] = {
        "own_km": 0.0,
        "for_others_km": 0.0,
        "handed_over_km": 0.0,
        "service_km": 0.0,
        "vehicles": 1,
    }
    fields |= more
    return LedgerRow(
        admin=admin,
        deadhead_km=deadhead_km,
        total_h=total_h,
        **fields,  # type: ignore[arg-type]
    )


def report(
    name: str,
    *,
    deadhead_km: float,
    total_h: float,
    exchanges: tuple[Exchange, ...] = (),
    balance: tuple[PairBalance, ...] = (),
    **total: object,
) -> PlanReport:
    """A one-administrator plan report whose total has the given figures."""
    return PlanReport(
        name=name,
        rows=(row("05", deadhead_km=deadhead_km, total_h=total_h),),
        total=row("total", deadhead_km=deadhead_km, total_h=total_h, **total),
        exchanges=exchanges,
        balance=balance,
        units_moved=len(exchanges),
        objective_h=total_h,
        valid=True,
        violations=(),
        runtime_s=0.0,
    )
