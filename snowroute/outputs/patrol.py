"""Patrol plan files: ``patrol.json`` and ``patrol_routes.csv``."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute._io import write_json
from snowroute.patrol import PatrolPlan

__all__ = ["write_patrol_outputs"]


def write_patrol_outputs(G: nx.MultiDiGraph, plan: PatrolPlan, folder: Path) -> None:
    """Write ``patrol.json`` and ``patrol_routes.csv`` (each edge driven)."""
    write_json(folder / "patrol.json", plan.to_dict())
    with (folder / "patrol_routes.csv").open("w", encoding="utf-8", newline="") as f:
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
