"""A city's own street layer as GIS staff export it (issue: real GIS data in).

The layer reproduces what a city's OSMnx export with its maintainer column joined
on looks like: every two-way street twice (once reversed), an empty one-way column,
road-class values such as "Minor Arterial" and "None", empty maintainer values on
a few streets, and a small piece cut off from the rest.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely import LineString

from snowroute import graph_from_scenario, scenario_from_toml, solve, validate
from snowroute._errors import InputFileError, TaggingError
from snowroute.cli import main
from snowroute.network import attributes as A
from snowroute.network import network_report
from snowroute.network.centerline import CenterlineColumns, graph_from_centerline
from snowroute.prepare import (
    depot_nodes,
    plow_edges,
    plow_problem,
    solve_params,
    vehicle_classes,
)

CRS = "EPSG:32616"  # UTM 16N (Wisconsin)
X0, Y0 = 300_000.0, 4_770_000.0
BLOCK = 100.0
COLUMNS = CenterlineColumns(
    admin_id="maintainer",
    oneway="oneway",
    priority="road_class",
    priority_values={"Minor Arterial": "arterial", "None": "local", "": "local"},
)


def _street(a: tuple[float, float], b: tuple[float, float], **kw: Any) -> dict:
    line = LineString([(X0 + a[0], Y0 + a[1]), (X0 + b[0], Y0 + b[1])])
    return {
        "maintainer": "city",
        "oneway": None,
        "road_class": "None",
        **kw,
        "geometry": line,
    }


def _city_rows() -> list[dict]:
    """A 3 x 3 block grid: 24 block sides, an arterial, 2 one-way streets."""
    rows = []
    for i in range(4):
        for j in range(3):
            kind = "Minor Arterial" if i == 0 else "None"
            rows.append(
                _street(
                    (j * BLOCK, i * BLOCK),
                    ((j + 1) * BLOCK, i * BLOCK),
                    road_class=kind,
                )
            )
            rows.append(_street((i * BLOCK, j * BLOCK), (i * BLOCK, (j + 1) * BLOCK)))
    one_way = {5, 17}  # two streets are one-way: present once only
    unknown = {20, 21}  # no maintainer value
    out = []
    for k, row in enumerate(rows):
        if k in unknown:
            row["maintainer"] = ""
        out.append(row)
        if k not in one_way:
            (a, b) = row["geometry"].coords
            out.append({**row, "geometry": LineString([b, a])})
    # a small piece cut off from the grid (a private estate loop with no link)
    far = (1000.0, 1000.0)
    out.append(_street(far, (far[0] + 50, far[1])))
    out.append(_street((far[0] + 50, far[1]), far))
    return out


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    path = tmp_path / "streets.gpkg"
    gpd.GeoDataFrame(_city_rows(), geometry="geometry", crs=CRS).to_file(path)
    return path


def test_reversed_copies_become_two_way_streets_and_singles_one_way(
    layer: Path,
) -> None:
    G = graph_from_centerline(layer, columns=COLUMNS)
    assert G.graph["centerline_directed"] is True
    assert G.graph["centerline_twins"] == 22 + 1  # 22 grid streets, 1 estate lane
    one_way = [d for _, _, d in G.edges(data=True) if d[A.ONEWAY]]
    assert len(one_way) == 2
    report = network_report(G)
    km = {a.admin_id: a.km for a in report.admins}
    assert km == pytest.approx({"city": 2.2 + 0.05, A.UNKNOWN: 0.2}, abs=1e-6)
    assert report.unknown_km == pytest.approx(0.2)
    arterials = {d[A.PRIORITY] for _, _, d in G.edges(data=True)}
    assert arterials == {"arterial", "local"}


def test_the_plain_reading_would_double_the_km(layer: Path) -> None:
    plain = dataclasses.replace(COLUMNS, directed="no")
    G = graph_from_centerline(layer, columns=plain)
    assert G.graph["centerline_duplicates"] == 23  # reversed copies as duplicates
    assert network_report(G).km == pytest.approx(2.45)  # still once: copies dropped


def test_an_unmapped_class_value_names_value_column_and_fid(layer: Path) -> None:
    columns = CenterlineColumns(admin_id="maintainer", priority="road_class")
    with pytest.raises(
        InputFileError, match=r"Feature fid 1 has priority 'minor arterial'"
    ):
        graph_from_centerline(layer, columns=columns)
    strict = CenterlineColumns(
        admin_id="maintainer", priority="road_class", priority_values={"None": "local"}
    )
    with pytest.raises(InputFileError, match="'Minor Arterial' in column `road_class`"):
        graph_from_centerline(layer, columns=strict)


def _scenario(folder: Path, layer: Path, extra: str = "") -> Path:
    depot = gpd.GeoSeries(gpd.points_from_xy([X0], [Y0]), crs=CRS).to_crs(4326)[0]
    path = folder / "city.toml"
    path.write_text(
        f"""
name = "city streets"
[network]
source = "{layer.name}"
format = "centerline"
{extra}
[network.columns]
admin_id = "maintainer"
oneway = "oneway"
priority = "road_class"
priority_values = {{ "Minor Arterial" = "arterial", "None" = "local" }}
[[depots]]
id = "yard"
admin = "city"
lon = {depot.x}
lat = {depot.y}
[[vehicles]]
id = "truck"
depot = "yard"
count = 2
[service]
deadlines = {{ arterial = "05:00" }}
[solver]
max_iterations = 200
seed = 1
""",
        encoding="utf-8",
    )
    return path


def test_the_city_layer_gives_a_valid_plan(layer: Path) -> None:
    scenario = scenario_from_toml(_scenario(layer.parent, layer))
    G = graph_from_scenario(scenario)
    assert G.graph["dropped_km"] == pytest.approx(0.05)  # the estate lane
    edges = plow_edges(G, scenario)
    assert set(edges.values()) == {"city"}
    problem = plow_problem(
        G, scenario, depot_nodes(G, scenario), edges, vehicle_classes(scenario)
    )
    solution = solve(problem, solve_params(scenario), workers=1)
    assert validate(problem, solution.routes).valid, solution.violations


def test_limits_turn_unknown_and_cut_off_km_into_errors(layer: Path) -> None:
    unknown = _scenario(layer.parent, layer, "max_unknown_km = 0.1")
    with pytest.raises(TaggingError, match=r"0.20 km of roads have no known"):
        graph_from_scenario(scenario_from_toml(unknown))
    dropped = _scenario(layer.parent, layer, "max_dropped_km = 0.01")
    with pytest.raises(TaggingError, match=r"0.05 km of roads are cut off"):
        graph_from_scenario(scenario_from_toml(dropped))


def test_network_info_reads_a_line_layer(
    layer: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "-q",
            "network",
            "info",
            str(layer),
            "--columns",
            "maintainer",
            "oneway=oneway",
            "--json",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert '"admin_id": "city"' in out
    code = main(
        ["-q", "network", "info", str(layer), "--columns", "maintainer", "colour=x"]
    )
    assert code == 2
    assert "`--columns colour=...` is not a column field" in capsys.readouterr().err


def test_network_tag_writes_a_layer_of_what_was_left_out(layer: Path) -> None:
    out = layer.parent / "tagged"
    argv = ["-q", "network", "tag", str(layer), "--columns", "maintainer"]
    assert main([*argv, "oneway=oneway", "--largest", "--out", str(out)]) == 0
    left_out = gpd.read_file(out / "left_out.gpkg", layer="left_out")
    km = left_out.groupby("reason")["km"].sum()
    assert km["unknown administrator"] == pytest.approx(0.2)
    assert km["cut off"] == pytest.approx(0.05)
    assert left_out.crs.to_epsg() == 32616  # the run's CRS: the layer's own


def test_one_way_streets_of_a_directed_export_have_one_lane(layer: Path) -> None:
    G = graph_from_centerline(layer, columns=COLUMNS)
    lanes = {(d[A.ONEWAY], d[A.N_LANES]) for _, _, d in G.edges(data=True)}
    assert lanes == {(True, 1), (False, 2)}


def test_copies_that_disagree_keep_the_first_and_are_reported(tmp_path: Path) -> None:
    rows = _city_rows()
    assert rows[1]["geometry"].coords[0] == rows[0]["geometry"].coords[-1]
    rows[1] = {**rows[1], "maintainer": "county"}  # the reversed twin of fid 1
    path = tmp_path / "disagree.gpkg"
    gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).to_file(path)
    G = graph_from_centerline(path, columns=COLUMNS)
    assert G.graph["centerline_disagreeing_copies"] == "2"  # fid 2 differs
    assert {d[A.ADMIN_ID] for _, _, d in G.edges(data=True)} == {"city", A.UNKNOWN}


def test_features_without_a_line_are_counted_and_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = _city_rows()
    rows[2] = {**rows[2], "geometry": None}  # fid 3: no geometry
    rows[4] = {**rows[4], "geometry": LineString()}  # fid 5: empty
    path = tmp_path / "holes.gpkg"
    gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).to_file(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no library warning reaches the user
        G = graph_from_centerline(path, columns=COLUMNS)
    assert G.graph["centerline_dropped_features"] == 2
    assert G.graph["centerline_dropped_fids"] == "3,5"
    assert "2 features without a usable line" in caplog.text
    text = str(network_report(G))
    assert "2 features left out without a usable line (fids 3, 5)" in text


def test_numeric_administrator_codes_are_warned_of(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [{**row, "maintainer": 5201} for row in _city_rows()]  # was "05201"
    path = tmp_path / "numbers.gpkg"
    gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).to_file(path)
    G = graph_from_centerline(path, columns=COLUMNS)
    assert {d[A.ADMIN_ID] for _, _, d in G.edges(data=True)} == {"5201"}
    assert "column `maintainer` holds numbers, so administrator ids read as 5201:" in (
        caplog.text
    )


def test_identical_copies_are_not_reported_as_disagreeing(layer: Path) -> None:
    G = graph_from_centerline(layer, columns=COLUMNS)  # widths are empty (NaN)
    assert G.graph["centerline_disagreeing_copies"] == ""


def test_the_report_says_what_was_merged_unknown_and_dropped(layer: Path) -> None:
    G = graph_from_scenario(scenario_from_toml(_scenario(layer.parent, layer)))
    report = network_report(G)
    assert report.layer["directed"] is True
    assert (report.layer["twins"], report.layer["duplicates"]) == (23, 0)
    assert report.layer["disagreeing"] == []
    # rows 38 and 40 of the layer (fids count from 1) have no maintainer
    assert sorted(report.layer["unknown_fids"]) == ["39", "41"]
    assert report.layer["unknown_features"] == 2
    assert report.layer["unknown_km"] == pytest.approx(0.2)
    assert (report.dropped_edges, report.dropped_km) == (2, pytest.approx(0.05))
    assert len(report.dropped_examples) == 1  # the estate lane, both directions
    text = str(report)
    assert "23 reversed twins merged into two-way roads" in text
    assert "2 features, 0.20 km without an administrator (fids" in text
    assert "Left out: 2 edges, 0.05 km cut off from the largest connected piece" in text
    assert report.to_dict()["layer"]["twins"] == 23


def test_a_network_not_read_from_a_layer_reports_no_layer_findings(
    layer: Path,
) -> None:
    G = graph_from_centerline(layer, columns=COLUMNS)
    for key in [k for k in G.graph if k.startswith("centerline_")]:
        del G.graph[key]
    report = network_report(G)
    assert report.layer == {}
    assert report.dropped_edges == 0
    assert "Centerline layer" not in str(report)
    assert "Left out" not in str(report)
