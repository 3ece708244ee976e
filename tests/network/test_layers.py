import logging
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import LineString, Point, box

from snowroute.network.boundaries import load_boundaries
from snowroute.network.layers import has_geometry, read_layer

NAMES = ["牛島1号線", "国道7号", "Main St"]


def _shapefile(tmp_path: Path, names: list[str], encoding: str, *, cpg: bool) -> Path:
    lines = [LineString([(k, 0), (k, 1)]) for k in range(len(names))]
    frame = gpd.GeoDataFrame({"name": names}, geometry=lines, crs="EPSG:6678")
    path = tmp_path / "roads.shp"
    frame.to_file(path, encoding=encoding)
    if not cpg:
        path.with_suffix(".cpg").unlink()
    return path


@pytest.mark.parametrize("encoding", ["cp932", "utf-8"])
def test_a_shapefile_without_cpg_is_read_in_the_encoding_its_text_has(
    tmp_path, caplog, encoding
):
    path = _shapefile(tmp_path, NAMES, encoding, cpg=False)
    with caplog.at_level(logging.WARNING):
        frame = read_layer(path)
    assert frame["name"].tolist() == NAMES
    assert "has no .cpg file naming its text encoding" in caplog.text


def test_japanese_column_names_over_ascii_values_are_read_right(tmp_path):
    lines = [LineString([(0, 0), (0, 1)])]
    frame = gpd.GeoDataFrame({"路線名": ["A1"]}, geometry=lines, crs="EPSG:6678")
    path = tmp_path / "ledger.shp"
    frame.to_file(path, encoding="cp932")
    path.with_suffix(".cpg").unlink()
    assert read_layer(path).columns.tolist() == ["路線名", "geometry"]


def test_a_shapefile_with_cpg_is_read_as_it_says(tmp_path, caplog):
    path = _shapefile(tmp_path, NAMES, "cp932", cpg=True)
    assert read_layer(path)["name"].tolist() == NAMES
    assert ".cpg" not in caplog.text


def test_latin1_text_without_cpg_stays_latin1(tmp_path, caplog):
    names = ["Café Street", "Straße"]
    path = _shapefile(tmp_path, names, "ISO-8859-1", cpg=False)
    assert read_layer(path)["name"].tolist() == names
    assert ".cpg" not in caplog.text


def test_boundary_names_of_a_shift_jis_shapefile_read_right(tmp_path):
    frame = gpd.GeoDataFrame(
        {"N03_007": ["05201"], "N03_004": ["秋田市"]},
        geometry=[box(140.0, 39.6, 140.2, 39.8)],
        crs="EPSG:4326",
    )
    path = tmp_path / "N03.shp"
    frame.to_file(path, encoding="cp932")
    path.with_suffix(".cpg").unlink()
    boundaries = load_boundaries(path, code_col="N03_007", name_col="N03_004")
    assert boundaries.polygons["name"].tolist() == ["秋田市"]


def test_missing_and_empty_geometries_have_none():
    frame = gpd.GeoDataFrame(geometry=[Point(0, 0), None, LineString()])
    assert has_geometry(frame).tolist() == [True, False, False]
