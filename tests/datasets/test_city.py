from __future__ import annotations

from pathlib import Path

from snowroute.datasets.city import build_city_layer, write_city_network
from snowroute.prepare import depot_nodes, graph_from_scenario, plow_edges
from snowroute.scenario import scenario_from_toml


def test_city_layer_has_arterials_one_ways_and_gaps() -> None:
    layer = build_city_layer(blocks=24, seed=3)
    full = 2 * 24 * 25
    assert 0.9 * full < len(layer) < full
    assert set(layer["kanri"]) == {"05", "05201", "mlit"}
    assert set(layer["hoko"]) == {-1, 0, 1}
    assert layer.crs.to_epsg() == 32654
    again = build_city_layer(blocks=24, seed=3)
    assert again.geometry.geom_equals(layer.geometry).all()


def test_written_city_runs_through_the_scenario_pipeline(tmp_path: Path) -> None:
    files = write_city_network(tmp_path, blocks=12, districts=2)
    scenario = scenario_from_toml(files.scenario)
    assert scenario.network.format == "centerline"
    assert scenario.turns is not None
    assert scenario.turns.drive_side == "left"
    G = graph_from_scenario(scenario)
    assert G.number_of_edges() > 500
    assert set(depot_nodes(G, scenario)) == {
        "C00",
        "C01",
        "C10",
        "C11",
        "P0",
        "P1",
        "P2",
        "P3",
    }
    admins = set(plow_edges(G, scenario).values())
    assert admins == {"05", "05201"}  # MLIT has no depot: not planned
