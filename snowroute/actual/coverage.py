"""What was driven: passes per edge and direction, plowing or empty, from the logs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from snowroute.actual.logs import Track
from snowroute.actual.match import Matched
from snowroute.network.attributes import EdgeKey

__all__ = ["ActualPass", "actual_passes", "plowing_flags"]

#: Share of a pass's time window (around its middle) whose fixes vote on plowing:
#: the ends of the window are interpolated and spill into the neighbouring passes.
_CORE = 0.5


@dataclass(frozen=True, slots=True)
class ActualPass:
    """
    One vehicle driving one whole edge, as the logs show.

    Parameters
    ----------
    vehicle
        Vehicle id of the log.
    fleet
        Its vehicle class in the scenario.
    admin
        Administrator running the vehicle.
    edge
        The edge ``(u, v, key)``, driven from ``u`` to ``v``.
    t_enter, t_exit
        POSIX seconds entering and leaving the edge.
    plowing
        Whether the vehicle plowed (else it drove empty).
    """

    vehicle: str
    fleet: str
    admin: str
    edge: EdgeKey
    t_enter: float
    t_exit: float
    plowing: bool


def plowing_flags(
    track: Track, matched: Matched, *, threshold_kph: float
) -> npt.NDArray[np.bool_]:
    """
    Whether the vehicle plowed on each matched pass.

    With plow flags in the log: the majority of the fixes logged on the pass (the
    fix nearest its middle where none was). Without: the pass was driven no faster
    than ``threshold_kph``.
    """
    if track.plow is None:
        duration = np.maximum(matched.t_exit - matched.t_enter, 1e-9)
        return np.asarray(matched.covered_m / duration * 3.6 <= threshold_kph)
    flags = track.plow.astype(np.int64)
    middle, half = (
        (matched.t_enter + matched.t_exit) / 2,
        (matched.t_exit - matched.t_enter) / 2,
    )
    lo = np.searchsorted(track.t, middle - _CORE * half, side="left")
    hi = np.searchsorted(track.t, middle + _CORE * half, side="right")
    total = np.concatenate([[0], np.cumsum(flags)])
    ones, count = total[hi] - total[lo], hi - lo
    mid = np.clip(
        np.searchsorted(track.t, (matched.t_enter + matched.t_exit) / 2),
        0,
        max(len(track.t) - 1, 0),
    )
    nearest = track.plow[mid] if len(track.t) else np.zeros(len(mid), dtype=bool)
    return np.where(count > 0, 2 * ones > count, nearest)


def actual_passes(
    edges: tuple[EdgeKey, ...],
    track: Track,
    matched: Matched,
    *,
    fleet: str,
    admin: str,
    threshold_kph: float,
) -> list[ActualPass]:
    """Return the whole-edge passes of one matched track (partial passes left out)."""
    plowing = plowing_flags(track, matched, threshold_kph=threshold_kph)
    return [
        ActualPass(track.vehicle, fleet, admin, edges[e], t0, t1, bool(p))
        for e, t0, t1, p, ok in zip(
            matched.edge.tolist(),
            matched.t_enter.tolist(),
            matched.t_exit.tolist(),
            plowing.tolist(),
            matched.full.tolist(),
            strict=True,
        )
        if ok
    ]
