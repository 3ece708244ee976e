"""The plan the logs are compared with: timed routes, read from a run folder."""

from __future__ import annotations

import json
import os
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from snowroute._errors import InputFileError
from snowroute.network.attributes import EdgeKey

__all__ = ["Plan", "PlannedLeg", "PlannedRoute", "read_plan"]

#: Plans tried, in order, when none is named: the agreed list first.
PREFERRED = ("given", "optimized", "baseline", "pooled")


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    """One edge of a planned route: driven from ``u`` to ``v``, serving or not."""

    edge: EdgeKey
    serving: bool
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    """
    One planned vehicle route.

    Parameters
    ----------
    vehicle
        Vehicle class id (the fleet).
    route_no
        Route number within the class, from 1.
    legs
        The edges in driving order, seconds after the shift start.
    """

    vehicle: str
    route_no: int
    legs: tuple[PlannedLeg, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "legs", tuple(self.legs))

    @property
    def name(self) -> str:
        """``<vehicle>-<route_no>``, the id of a vehicle driving the route."""
        return f"{self.vehicle}-{self.route_no}"


@dataclass(frozen=True, slots=True)
class Plan:
    """A named plan: every planned route."""

    name: str
    routes: tuple[PlannedRoute, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "routes", tuple(self.routes))


def _features(path: Path) -> list[dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = data["features"]
    except FileNotFoundError:
        msg = (
            f"Plan folder `{path.parent.parent}` has no `geojson/{path.name}`; give "
            "the output folder of `snowroute run`."
        )
        raise InputFileError(msg) from None
    except (ValueError, KeyError, TypeError):
        msg = f"Plan file `{path}` is not a GeoJSON feature collection."
        raise InputFileError(msg) from None
    return [f.get("properties") or {} for f in features if isinstance(f, dict)]


def _choose(names: Sequence[str], wanted: str | None, folder: Path) -> str:
    if wanted is not None:
        if wanted not in names:
            msg = (
                f"Plan folder `{folder}` has no plan {wanted!r} "
                f"(plans: {', '.join(sorted(names)) or 'none'})."
            )
            raise InputFileError(msg)
        return wanted
    for name in PREFERRED:
        if name in names:
            return name
    if not names:
        msg = f"Plan folder `{folder}` holds no plow routes."
        raise InputFileError(msg)
    return sorted(names)[0]


def read_plan(
    run_dir: str | os.PathLike[str], G: nx.MultiDiGraph, *, name: str | None = None
) -> Plan:
    """
    Read one plan's routes from the output folder of ``snowroute run``.

    The routes come from ``geojson/served_edges.geojson`` and
    ``geojson/deadhead.geojson``. Without ``name`` the first of ``given``,
    ``optimized``, ``baseline``, ``pooled`` found is read (patrol plans never).

    Raises
    ------
    InputFileError
        When the folder lacks those files, has no such plan, or names edges that
        are not in ``G``.
    """
    folder = Path(run_dir)
    rows = [
        (True, p) for p in _features(folder / "geojson" / "served_edges.geojson")
    ] + [(False, p) for p in _features(folder / "geojson" / "deadhead.geojson")]
    names = sorted(
        {
            str(p.get("plan"))
            for _, p in rows
            if not str(p.get("plan")).startswith("patrol")
        }
    )
    chosen = _choose(names, name, folder)
    nodes: dict[str, Hashable] = {str(n): n for n in G.nodes}
    legs: dict[tuple[str, int], list[tuple[int, PlannedLeg]]] = {}
    for serving, p in rows:
        if p.get("plan") != chosen:
            continue
        try:
            u, v, key = nodes[str(p["u"])], nodes[str(p["v"])], int(str(p["key"]))
            if not G.has_edge(u, v, key):
                raise KeyError(key)
            leg = PlannedLeg(
                (u, v, key), serving, float(str(p["start_s"])), float(str(p["end_s"]))
            )
            where = (str(p["vehicle"]), int(str(p["route_no"])))
            legs.setdefault(where, []).append((int(str(p["sequence"])), leg))
        except (KeyError, ValueError):
            msg = (
                f"Plan {chosen!r} in `{folder}` names edge ({p.get('u')}, "
                f"{p.get('v')}, {p.get('key')}), which is not in the network."
            )
            raise InputFileError(msg) from None
    routes = [
        PlannedRoute(
            vehicle, no, tuple(leg for _, leg in sorted(items, key=lambda x: x[0]))
        )
        for (vehicle, no), items in sorted(legs.items())
    ]
    return Plan(chosen, tuple(routes))
