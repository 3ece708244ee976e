"""Patrol plan files: ``patrol.json`` and ``patrol_routes.csv``.

The plan comes in as any object with the shape of a patrol plan (its JSON data from
``to_dict()`` and its days' car routes), so this module imports no planner.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import networkx as nx

from snowroute._io import write_json
from snowroute.network.attributes import EdgeKey

__all__ = ["PatrolPlanData", "save_patrol"]


class _CarRoute(Protocol):
    @property
    def car(self) -> int: ...
    @property
    def edges(self) -> Sequence[EdgeKey]: ...
    @property
    def serving(self) -> Sequence[bool]: ...


class _Day(Protocol):
    @property
    def date(self) -> dt.date: ...
    @property
    def cars(self) -> Sequence[_CarRoute]: ...


class PatrolPlanData(Protocol):
    """What the outputs read of a patrol plan."""

    @property
    def day_plans(self) -> Sequence[_Day]:
        """The days of the horizon, each with its cars' routes."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """Return the plan as JSON-ready data."""
        ...


def save_patrol(G: nx.MultiDiGraph, plan: PatrolPlanData, folder: Path) -> None:
    """Write ``patrol.json`` and ``patrol_routes.csv`` (each edge driven)."""
    write_json(folder / "patrol.json", plan.to_dict())
    # UTF-8 with a byte-order mark, so Excel in Japan reads it as UTF-8
    path = folder / "patrol_routes.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(
            ["date", "car", "seq", "u", "v", "key", "patrolled", "section_id", "km"]
        )
        for day in plan.day_plans:
            for car in day.cars:
                for seq, (edge, serving) in enumerate(
                    zip(car.edges, car.serving, strict=True), start=1
                ):
                    data: Any = G.edges[edge]
                    writer.writerow(
                        [
                            day.date.isoformat(),
                            car.car,
                            seq,
                            *edge,
                            int(serving),
                            data.get("section_id", ""),
                            f"{float(data['length']) / 1000:.3f}",
                        ]
                    )
