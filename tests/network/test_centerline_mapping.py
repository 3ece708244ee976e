"""Column mappings of centerline layers: value tables, units, fids, limits, the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely import LineString

from snowroute._errors import InputFileError, ScenarioError
from snowroute.cli import main
from snowroute.network import attributes as A
from snowroute.network.centerline import (
    CenterlineColumns,
    columns_from_text,
    graph_from_centerline,
)
from snowroute.scenario import model, scenario_from_toml

CRS = "EPSG:32654"
X0, Y0 = 400_000.0, 4_400_000.0


def _layer(tmp_path: Path, rows: list[dict[str, Any]], **frame: Any) -> Path:
    """A GeoPackage of ``rows`` (each a street of 100 m going east from x)."""
    geoms = [
        LineString([(X0 + 100 * i, Y0), (X0 + 100 * (i + 1), Y0)])
        for i in range(len(rows))
    ]
    path = tmp_path / "streets.gpkg"
    data = {"maintainer": "city"} | frame
    columns = {k: [r.get(k, v) for r in rows] for k, v in data.items()}
    for row in rows:
        for key in row:
            columns.setdefault(key, [r.get(key) for r in rows])
    gpd.GeoDataFrame(columns, geometry=geoms, crs=CRS).to_file(path)
    return path


def _edges(path: Path, columns: CenterlineColumns) -> list[dict[str, Any]]:
    G = graph_from_centerline(path, columns=columns)
    return [d for _, _, d in sorted(G.edges(data=True), key=lambda e: e[2]["osmid"])]


def test_value_tables_map_priority_road_class_and_admin_class(tmp_path: Path) -> None:
    rows = [
        {"cls": "Minor Arterial", "owner": "City of Middleton"},
        {"cls": "None", "owner": "Dane County"},
        {"cls": None, "owner": "City of Middleton"},
    ]
    columns = CenterlineColumns(
        admin_id="maintainer",
        priority="cls",
        road_class="cls",
        admin_class="owner",
        priority_values={"minor arterial": "arterial", "None": "local", "": "local"},
        road_class_values={"Minor Arterial": "secondary", "None": "residential"},
        admin_class_values={"City of Middleton": "city", "Dane County": "county"},
    )
    edges = _edges(_layer(tmp_path, rows), columns)
    assert [d[A.PRIORITY] for d in edges[::2]] == ["arterial", "local", "local"]
    # An empty cell without a table entry takes the default road class.
    assert [d[A.ROAD_CLASS] for d in edges[::2]] == [
        "secondary",
        "residential",
        "unclassified",
    ]
    assert [d[A.ADMIN_CLASS] for d in edges[::2]] == ["city", "county", "city"]


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        (
            CenterlineColumns(
                admin_id="maintainer", road_class="cls", road_class_values={"A": "b"}
            ),
            r"Feature fid 20 has road_class 'Other' in column `cls`, which "
            r"`road_class_values` does not map",
        ),
        (
            CenterlineColumns(
                admin_id="maintainer", admin_class="cls", admin_class_values={"A": "b"}
            ),
            r"Feature fid 20 has admin_class 'Other' in column `cls`",
        ),
        (
            CenterlineColumns(
                admin_id="maintainer", priority="cls", priority_values={"A": "local"}
            ),
            r"Feature fid 20 has priority 'Other' in column `cls`",
        ),
        (
            CenterlineColumns(admin_id="maintainer", oneway="cls"),
            r"Feature fid 20 has oneway value 'other' in column `cls`",
        ),
        (
            CenterlineColumns(admin_id="maintainer", width="cls"),
            r"Feature fid 20 has width 'Other' in column `cls`, not a number",
        ),
    ],
)
def test_an_unmapped_value_names_the_value_the_column_and_the_layers_fid(
    tmp_path: Path, columns: CenterlineColumns, match: str
) -> None:
    # The layer's own fids are 10 and 20, not the 0-based rows 0 and 1.
    rows = [{"fid": 10, "cls": "A"}, {"fid": 20, "cls": "Other"}]
    if columns.oneway is not None or columns.width is not None:
        rows[0]["cls"] = "1"
    with pytest.raises(InputFileError, match=match):
        graph_from_centerline(_layer(tmp_path, rows), columns=columns)


def test_a_mapped_feature_id_column_names_the_feature(tmp_path: Path) -> None:
    rows = [{"road_no": "R-7", "cls": "x"}]
    columns = CenterlineColumns(
        admin_id="maintainer", feature_id="road_no", priority="cls"
    )
    with pytest.raises(InputFileError, match=r"Feature fid R-7 has priority 'x'"):
        graph_from_centerline(_layer(tmp_path, rows), columns=columns)


def test_oneway_none_and_empty_values_are_two_way(tmp_path: Path) -> None:
    rows = [{"ow": "None"}, {"ow": None}, {"ow": ""}, {"ow": "FT"}]
    columns = CenterlineColumns(admin_id="maintainer", oneway="ow")
    G = graph_from_centerline(_layer(tmp_path, rows), columns=columns)
    assert G.number_of_edges() == 2 + 2 + 2 + 1


def test_widths_in_feet_and_speeds_in_mph_are_converted(tmp_path: Path) -> None:
    rows = [{"w": 10.0, "mph": 25.0}]
    columns = CenterlineColumns(
        admin_id="maintainer",
        width="w",
        width_unit="ft",
        speed="mph",
        speed_unit="mph",
    )
    (edge, _) = _edges(_layer(tmp_path, rows), columns)
    assert edge[A.WIDTH_M] == pytest.approx(3.048)
    assert edge[A.SPEED_KPH] == pytest.approx(40.234, abs=1e-3)
    metres = CenterlineColumns(admin_id="maintainer", width="w")
    assert _edges(_layer(tmp_path, rows), metres)[0][A.WIDTH_M] == 10.0


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"width_unit": "yd"}, "`width_unit` must be m or ft, got 'yd'"),
        ({"speed_unit": "kmh"}, "`speed_unit` must be kph or mph"),
        ({"directed": "maybe"}, "`directed` must be auto, yes or no"),
        ({"priority_values": {"A": "urgent"}}, "maps to 'urgent'"),
        ({"oneway_forward": ("0",)}, "'0' is listed for two directions"),
    ],
)
def test_bad_mapping_settings_are_refused(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        CenterlineColumns(admin_id="maintainer", **fields)


def test_columns_from_text_reads_tables_lists_and_numbers() -> None:
    columns = columns_from_text(
        {
            "admin_id": "maintainer",
            "priority": "cls",
            "priority_values": "Minor Arterial:arterial, None:local,:local",
            "oneway_both": "both,None",
            "default_speed_kph": "30",
            "width_unit": "ft",
        }
    )
    assert columns.priority_values == {
        "Minor Arterial": "arterial",
        "None": "local",
        "": "local",
    }
    assert columns.oneway_both == ("both", "None")
    assert columns.default_speed_kph == 30.0
    assert columns.width_unit == "ft"
    with pytest.raises(ValueError, match="entry 'arterial' must look like VALUE:TO"):
        columns_from_text({"admin_id": "m", "priority_values": "arterial"})
    with pytest.raises(ValueError, match="`default_speed_kph` must be a number"):
        columns_from_text({"admin_id": "m", "default_speed_kph": "fast"})


def _toml(tmp_path: Path, network: str = "", columns: str = "") -> Path:
    path = tmp_path / "s.toml"
    path.write_text(
        f"""
name = "city"
[network]
source = "streets.gpkg"
format = "centerline"
{network}
[network.columns]
admin_id = "maintainer"
{columns}
[[depots]]
id = "yard"
admin = "city"
node = 0
[[vehicles]]
id = "truck"
depot = "yard"
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("network", "columns", "match"),
    [
        ("max_unknown_km = -1", "", r"`network.max_unknown_km` must not be negative"),
        ("max_dropped_km = -0.5", "", r"`network.max_dropped_km` must not be neg"),
        ("", 'width_unit = "yd"', r"`network.columns.width_unit` must be 'm' or 'ft'"),
        (
            "",
            'priority_values = { "None" = "urgent" }',
            r"`network.columns.priority_values` maps to 'urgent'",
        ),
        (
            "",
            'oneway_forward = ["1", "yes"]\noneway_both = ["YES"]',
            r"`network.columns.oneway_both` value 'YES' is listed in `oneway_forward`",
        ),
        ("", "default_speed_kph = 0", r"`network.columns.default_speed_kph` must be"),
    ],
)
def test_scenario_refuses_bad_limits_and_mappings_when_it_loads(
    tmp_path: Path, network: str, columns: str, match: str
) -> None:
    with pytest.raises(ScenarioError, match=match):
        scenario_from_toml(_toml(tmp_path, network, columns))


def test_the_scenario_priority_classes_are_the_networks() -> None:
    assert model.PRIORITY_CLASSES == A.PRIORITY_CLASSES


def test_network_info_prints_km_per_maintainer_of_a_line_layer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"maintainer": "city", "cls": "Minor Arterial"},
        {"maintainer": "county", "cls": "None"},
        {"maintainer": "county", "cls": "None"},
    ]
    path = _layer(tmp_path, rows)
    argv = ["-q", "network", "info", str(path), "--columns", "maintainer"]
    table = "priority_values=Minor Arterial:arterial,None:local"
    assert main([*argv, "priority=cls", table]) == 0
    out = capsys.readouterr().out
    km = {
        line.split()[0]: float(line.split()[2])
        for line in out.split("By administrator:")[1].split("\n\n")[0].splitlines()[2:]
    }
    assert km == {"city": 0.1, "county": 0.2}


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (["priority=cls", "priority_values=x"], "entry 'x' must look like VALUE:TO"),
        (["priority=cls", "priority_values=None:local"], "'Minor Arterial' in colu"),
        (["width_unit=yd"], "`width_unit` must be m or ft"),
        (["default_speed_kph=fast"], "`default_speed_kph` must be a number"),
    ],
)
def test_network_info_with_a_bad_mapping_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    match: str,
) -> None:
    ring = LineString([(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0, Y0)])
    path = tmp_path / "ring.gpkg"  # a closed street: no dangles to warn about
    frame = {"maintainer": ["city"], "cls": ["Minor Arterial"]}
    gpd.GeoDataFrame(frame, geometry=[ring], crs=CRS).to_file(path)
    code = main(["-q", "network", "info", str(path), "--columns", "maintainer", *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert match in err
    assert "Traceback" not in err
