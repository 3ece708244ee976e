"""Snapping points (structures, findings) to the nearest road edge of a network."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import shapely
from shapely.geometry import LineString

from snowroute.network.attributes import EdgeKey
from snowroute.scenario.side import valid_lon_lat

__all__ = ["EdgeIndex", "Snap", "valid_lon_lat"]


_EARTH_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class Snap:
    """The nearest edge to a point and how far it lies, in metres."""

    edge: EdgeKey
    distance_m: float


class EdgeIndex:
    """
    A spatial index of the edges of a WGS84 road graph for nearest-edge queries.

    Coordinates are projected to local metres (equirectangular about the network's
    mean latitude, accurate to well under 1 % across a prefecture), which is enough
    to tell which road a point lies on. Each two-way road is indexed once (its
    first direction); :meth:`nearest` returns that edge.

    Parameters
    ----------
    G
        A road graph with node ``x``/``y`` in degrees (EPSG:4326).
    keep
        Optional edge filter ``(u, v, key, data) -> bool``; only kept edges can be
        returned.
    """

    def __init__(
        self,
        G: nx.MultiDiGraph,
        *,
        keep: Callable[[Hashable, Hashable, int, Mapping[str, Any]], bool]
        | None = None,
    ) -> None:
        ys = [float(d["y"]) for _, d in G.nodes(data=True)]
        self._lat0 = math.radians(float(np.mean(ys))) if ys else 0.0
        self._kx = _EARTH_M * math.cos(self._lat0) * math.pi / 180
        self._ky = _EARTH_M * math.pi / 180
        edges: list[EdgeKey] = []
        lines: list[LineString] = []
        seen: set[tuple[frozenset[Hashable], str]] = set()
        for u, v, k, data in G.edges(keys=True, data=True):
            if keep is not None and not keep(u, v, k, data):
                continue
            road = (frozenset((u, v)), str(data.get("osmid")))
            if road in seen:
                continue
            seen.add(road)
            geom = data.get("geometry")
            if geom is not None:
                coords = np.asarray(geom.coords, dtype=np.float64)
            else:
                coords = np.array(
                    [
                        [G.nodes[u]["x"], G.nodes[u]["y"]],
                        [G.nodes[v]["x"], G.nodes[v]["y"]],
                    ],
                    dtype=np.float64,
                )
            edges.append((u, v, k))
            lines.append(LineString(self._project(coords[:, 0], coords[:, 1]).T))
        self.edges = tuple(edges)
        self._tree = shapely.STRtree(lines)

    def _project(self, lon: Any, lat: Any) -> Any:
        return np.vstack([np.asarray(lon) * self._kx, np.asarray(lat) * self._ky])

    def nearest(self, lon: float, lat: float, *, max_m: float) -> Snap | None:
        """Return the nearest edge within ``max_m`` metres of a point, or ``None``."""
        if not self.edges or not valid_lon_lat(lon, lat):
            return None
        x, y = self._project(lon, lat)[:, 0]
        found, dist = self._tree.query_nearest(
            shapely.Point(x, y),
            max_distance=max_m,
            return_distance=True,
            all_matches=False,
        )
        if len(found) == 0:
            return None
        return Snap(self.edges[int(found[0])], float(dist[0]))
