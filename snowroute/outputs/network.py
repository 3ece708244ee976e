"""Files of a tagged network (``snowroute network tag``)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from snowroute._io import write_json
from snowroute.network import NetworkReport, routes_frame, save_network

__all__ = ["save_tagged_network"]


def save_tagged_network(
    G: nx.MultiDiGraph, report: NetworkReport, folder: Path
) -> list[str]:
    """Write the tagged network, its routes table and its report into ``folder``.

    Files: ``network.graphml`` (reloadable, tags kept), ``network.gpkg`` (layers
    ``nodes``, ``edges``, ``routes``), ``routes.csv``, ``report.txt`` and
    ``report.json``. Returns their names.
    """
    save_network(G, folder / "network.graphml")
    save_network(G, folder / "network.gpkg")
    routes_frame(G).to_csv(folder / "routes.csv", index=False)
    (folder / "report.txt").write_text(str(report) + "\n", encoding="utf-8")
    write_json(folder / "report.json", report.to_dict())
    return [
        "network.graphml",
        "network.gpkg",
        "routes.csv",
        "report.txt",
        "report.json",
    ]
