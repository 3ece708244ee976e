"""The built-in demo region: its layout, its situations and its committed files."""

from pathlib import Path

import networkx as nx
import pytest
from shapely.geometry import Point

from snowroute.datasets import (
    REGION_SEED,
    build_region_network,
    measure_situations,
    write_region_network,
)
from snowroute.datasets.demo_readme import measure_demo_network
from snowroute.datasets.region import (
    _GRID_MUNICIPALITY,
    _GRIDS,
    REGION_MUNICIPALITIES,
    REGION_ROUTES,
    TOWN_ROUTE_WIDTH_M,
)
from snowroute.scenario import scenario_from_toml

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "networks" / "region"


@pytest.fixture(scope="module")
def region():
    """The region network of the committed seed."""
    return build_region_network(seed=REGION_SEED)


@pytest.fixture(scope="module")
def situations(region):
    return measure_situations(region)


def test_region_holds_several_hundred_km_of_prefectural_roads(region):
    figures = measure_demo_network(region)
    assert figures.km_admin["05"] > 250.0
    assert set(figures.km_admin) == {"05", "mlit", *REGION_MUNICIPALITIES}
    # the municipal hamlet and town roads are of the same order
    assert sum(figures.km_admin[c] for c in REGION_MUNICIPALITIES) > 150.0


def test_municipalities_tile_the_region_and_hold_their_yards(region):
    polygons = {m.code: m.polygon for m in region.municipalities}
    assert set(polygons) == set(REGION_MUNICIPALITIES)
    for a in polygons:
        for b in polygons:
            if a < b:
                assert polygons[a].intersection(polygons[b]).area < 1.0
    for depot in region.depots:
        if depot.admin_id != "05":
            xy = Point(region.builder.xy(depot.node))
            assert polygons[depot.admin_id].contains(xy)
    assert sum(d.admin_id == "05" for d in region.depots) == 3


def test_every_town_has_a_yard_of_its_municipality_in_it(region):
    for key, grid in _GRIDS.items():
        yards = [d for d in region.depots if d.admin_id == _GRID_MUNICIPALITY[key]]
        gaps = [
            Point(region.builder.xy(d.node)).distance(Point(grid.center)) for d in yards
        ]
        assert min(gaps) < 600.0, grid.name


def test_hamlets_hang_off_prefectural_routes_far_from_the_town_yards(
    region, situations
):
    hamlets = [s for s in situations if s.kind == "hamlet"]
    assert len(hamlets) >= 40
    # off the prefecture's routes, never off MLIT's 国道13号
    assert all(REGION_ROUTES[s.hosts[0]][1] != "13" for s in hamlets)
    # a yard in every former town, and still most hamlets lie 3 km or more by
    # road from the nearest, a quarter of them 8 km or more
    assert sum(s.own_km >= 3.0 for s in hamlets) >= 40
    assert sum(s.own_km >= 8.0 for s in hamlets) >= 12
    pref_nodes = {
        n
        for w in region.builder.ways
        if w.admin_id == "05" and w.routes
        for n in w.nodes
    }
    for s in hamlets:
        loop = next(w for w in region.builder.ways if w.group == f"hamlet:{s.name}")
        assert {loop.nodes[0], loop.nodes[-1]} <= pref_nodes


def test_town_routes_are_reached_by_the_prefecture_over_others_roads(
    region, situations
):
    spurs = [s for s in situations if s.kind == "town_spur"]
    assert len(spurs) >= 20
    b = region.builder
    for s in spurs:
        key = s.hosts[0]
        own = {n for w in b.ways if key in w.routes for n in w.nodes}
        other_pref = {
            n
            for w in b.ways
            if w.admin_id == "05" and w.routes and key not in w.routes
            for n in w.nodes
        }
        assert not own & other_pref, key
        assert s.admin_id == "05"
        assert s.other_id in REGION_MUNICIPALITIES


def test_town_routes_and_only_they_are_too_narrow_for_a_plow_truck(region, situations):
    town = {s.hosts[0] for s in situations if s.kind == "town_spur"}
    for way in region.builder.ways:
        if way.routes:
            assert ("width" in way.tags) == bool(set(way.routes) & town), way.routes
    widths = {
        float(w.tags["width"]) for w in region.builder.ways if set(w.routes) & town
    }
    assert widths == {TOWN_ROUTE_WIDTH_M}
    # the hamlet roads stay open to the trucks (no width: unknown, allowed)
    assert not any(
        "width" in w.tags for w in region.builder.ways if w.group.startswith("hamlet:")
    )


def test_region_scenario_sends_a_dozer_for_the_narrow_town_routes():
    scenario = scenario_from_toml(ROOT / "scenarios" / "region.toml")
    depot_admin = {d.id: d.admin for d in scenario.depots}
    pref = [v for v in scenario.vehicles if depot_admin[v.depot] == "05"]
    trucks = [v for v in pref if v.kind == "plow_truck"]
    assert trucks
    assert all((v.min_width_m or 0.0) > TOWN_ROUTE_WIDTH_M for v in trucks)
    # every prefectural yard can still plow its town routes
    dozer_yards = {v.depot for v in pref if v.min_width_m is None}
    assert dozer_yards == {v.depot for v in trucks}


def test_region_roads_form_one_strongly_connected_network(region):
    G = region.builder.road_graph()
    assert nx.is_strongly_connected(G)


def test_build_rejects_a_negative_seed():
    with pytest.raises(ValueError, match="non-negative"):
        build_region_network(seed=-1)


def test_committed_region_files_equal_a_fresh_generation(tmp_path):
    files = write_region_network(tmp_path / "region")
    for path in (files.osm, files.boundaries, files.depots, files.readme):
        committed = COMMITTED / path.name
        assert committed.read_bytes() == path.read_bytes(), path.name
    assert files.osm.stat().st_size < 500_000  # small enough to ship
