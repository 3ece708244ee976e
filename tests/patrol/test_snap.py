"""Snapping points to the nearest road edge."""

from __future__ import annotations

import math

import pytest

from snowroute.patrol.snap import EdgeIndex, valid_lon_lat

from .handmade import network


@pytest.mark.parametrize(
    ("lon", "lat", "ok"),
    [
        (140.0, 39.0, True),
        (180.0, -90.0, True),  # the edges of the range
        (181.0, 39.0, False),  # longitude out of range
        (140.0, 91.0, False),  # latitude out of range
        (math.nan, 39.0, False),  # not a number
    ],
)
def test_valid_lon_lat(lon: float, lat: float, ok: bool) -> None:
    assert valid_lon_lat(lon, lat) is ok


def test_nearest_edge_within_the_tolerance() -> None:
    index = EdgeIndex(network())
    snap = index.nearest(140.0005, 39.0001, max_m=30.0)  # beside road 0-1
    assert snap is not None
    assert set(snap.edge[:2]) == {0, 1}
    assert snap.distance_m == pytest.approx(11.1, abs=0.5)  # 0.0001 deg of latitude
    assert index.nearest(140.0005, 39.0001, max_m=5.0) is None
    assert index.nearest(999.0, 39.0, max_m=30.0) is None


def test_each_two_way_road_is_indexed_once_and_filters_apply() -> None:
    G = network()
    index = EdgeIndex(G)
    assert len(index.edges) == G.number_of_edges() // 2
    municipal = EdgeIndex(G, keep=lambda u, v, k, d: d["admin_id"] == "05201")
    snap = municipal.nearest(140.0005, 39.0001, max_m=500.0)
    assert snap is not None
    assert G.edges[snap.edge]["admin_id"] == "05201"
