"""The OSM model: local frame, builder, splitting at areas and layout checks."""

import networkx as nx
import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from snowroute.datasets import LocalFrame, OsmBuilder, add_road


def test_local_frame_round_trips() -> None:
    frame = LocalFrame(140.1, 39.72)
    lon, lat = frame.to_lonlat(1234.5, -678.9)
    x, y = frame.to_xy(lon, lat)
    assert (x, y) == pytest.approx((1234.5, -678.9), abs=0.02)


def test_split_at_gives_a_crossing_its_own_way_in_route_order() -> None:
    b = OsmBuilder()
    b.add_route("r", {"type": "route"})
    rng = np.random.default_rng(0)
    add_road(
        b, [(0.0, 0.0), (1000.0, 0.0)], {"highway": "primary"}, rng=rng, routes=["r"]
    )
    water = Polygon([(400, -50), (600, -50), (600, 50), (400, 50)])
    crossings = b.split_at(water, {"bridge": "yes"})
    assert len(crossings) == 1
    assert b.line(crossings[0].nodes).length == pytest.approx(200.0)
    assert [w.tags.get("bridge") for w in b.ways] == [None, "yes", None]
    assert all(w.routes == ("r",) for w in b.ways)
    assert nx.is_strongly_connected(b.road_graph())


def test_split_at_refuses_a_junction_in_the_water() -> None:
    b = OsmBuilder()
    rng = np.random.default_rng(0)
    nodes = add_road(
        b,
        [(0.0, 0.0), (500.0, 0.0), (1000.0, 0.0)],
        {"highway": "primary"},
        rng=rng,
        step_m=1000.0,
    )
    add_road(b, [nodes[1], (500.0, 300.0)], {"highway": "residential"}, rng=rng)
    water = Point(500.0, 0.0).buffer(60.0)
    with pytest.raises(ValueError, match="junction inside"):
        b.split_at(water, {"bridge": "yes"})


def test_problems_reports_roads_crossing_without_a_junction() -> None:
    b = OsmBuilder()
    rng = np.random.default_rng(0)
    add_road(b, [(0.0, 0.0), (100.0, 0.0)], {"highway": "residential"}, rng=rng)
    add_road(b, [(50.0, -50.0), (50.0, 50.0)], {"highway": "residential"}, rng=rng)
    found = b.problems()
    assert any("cross without a junction" in p for p in found)
    assert any("strongly connected parts" in p for p in found)
