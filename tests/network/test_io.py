from pathlib import Path

import geopandas as gpd
import pytest

from snowroute._errors import InputFileError
from snowroute.network import attributes as A
from snowroute.network import load_graphml, save_network
from tests.helpers import japan_network


def test_graphml_round_trip_keeps_the_schema(tmp_path: Path) -> None:
    G = japan_network()
    save_network(G, tmp_path / "net.graphml")
    H = load_graphml(tmp_path / "net.graphml")
    assert H.graph[A.TAGGED] is True
    assert H.number_of_edges() == G.number_of_edges()
    for u, v, k, data in G.edges(keys=True, data=True):
        other = H.edges[u, v, k]
        for name in A.EDGE_SCHEMA:
            if name == A.WIDTH_M:
                continue  # nan != nan
            assert other[name] == data[name], name
            assert type(other[name]) is type(data[name]), name


def test_geopackage_has_nodes_edges_and_routes(tmp_path: Path) -> None:
    G = japan_network()
    path = save_network(G, tmp_path / "net.gpkg")
    edges = gpd.read_file(path, layer="edges")
    routes = gpd.read_file(path, layer="routes")
    assert len(edges) == G.number_of_edges()
    assert {A.ADMIN_ID, A.ROUTE_ID, "road_km"} <= set(edges.columns)
    assert set(routes[A.ROUTE_ID]) == set(edges[A.ROUTE_ID])
    assert routes["road_km"].sum() == pytest.approx(edges["road_km"].sum())


def test_unknown_output_format(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"\.graphml or \.gpkg"):
        save_network(japan_network(), tmp_path / "net.shp")
