"""save_outputs on the demo scenario: every file, layer and field, and escaping."""

from __future__ import annotations

import csv
import itertools
import math
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import gpxpy
import pyogrio
import pytest

from snowroute._errors import OutputError
from snowroute.outputs import (
    LAYERS,
    SHEET_COLUMNS,
    PlanRoutes,
    outputs_markdown,
    plans_driven,
    save_outputs,
)
from tests.outputs.conftest import XSS, XSS_DEPOT, XSS_ROUTE, XSS_VEHICLE, Demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def out(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plans written once (exchanged sections given as dicts)."""
    folder = tmp_path_factory.mktemp("run") / "out"
    sections = [
        {
            "route_id": s.route_id,
            "section": s.section,
            "from_admin": s.from_admin,
            "to_admin": s.to_admin,
            "km": s.km,
            "plan": s.plan,
        }
        for s in demo.exchanged
    ]
    save_outputs(
        folder,
        demo.G,
        demo.plans,
        exchanged=sections,
        patrol_days=[(d.date, d.routes) for d in demo.patrol_days],
    )
    return folder


def _read_layer(path: Path, name: str) -> Any:
    return gpd.read_file(path, layer=name, engine="pyogrio")


def test_geopackage_reopens_with_every_documented_layer_and_field(out: Path) -> None:
    path = out / "routes.gpkg"
    assert {name for name, _ in pyogrio.list_layers(path)} == {
        layer.name for layer in LAYERS
    } | {"layer_styles"}
    for layer in LAYERS:
        gdf = _read_layer(path, layer.name)
        assert list(gdf.columns[:-1]) == layer.columns, layer.name
        assert gdf.crs.is_projected
        assert gdf.crs.to_epsg() == 6678  # JGD2011 / Japan Plane Rectangular CS X
        assert len(gdf) > 0, f"layer {layer.name} is empty"
        assert set(gdf.geometry.geom_type) == {layer.geometry}
        for field in layer.fields:
            if field.kind == "int":
                assert gdf[field.name].dtype.kind == "i", (layer.name, field.name)
            if field.kind == "float":
                assert gdf[field.name].dtype.kind == "f", (layer.name, field.name)
            if field.kind == "bool":
                assert gdf[field.name].dtype.kind == "b", (layer.name, field.name)


def test_ogrinfo_lists_the_geopackage_cleanly(out: Path) -> None:
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("ogrinfo (Debian gdal-bin) is absent; `make test` installs it")
    result = subprocess.run(
        [ogrinfo, "-so", "-al", str(out / "routes.gpkg")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()
    assert "error" not in result.stderr.lower()
    for layer in LAYERS:
        assert f"Layer name: {layer.name}" in result.stdout
        for field in layer.fields:
            assert f"\n{field.name}: " in result.stdout, (layer.name, field.name)


def test_layers_agree_with_the_validated_solutions(demo: Demo, out: Path) -> None:
    served = _read_layer(out / "routes.gpkg", "served_edges")
    deadhead = _read_layer(out / "routes.gpkg", "deadhead")
    outlines = _read_layer(out / "routes.gpkg", "route_outlines")
    routes = plans_driven(demo.plans)
    solved = [r for p in demo.plans for r in p.solution.routes]
    assert len(outlines) == len(routes) == len(solved)
    for route, solution_route, (_, row) in zip(
        routes, solved, outlines.iterrows(), strict=True
    ):
        assert (row["plan"], row["vehicle"], row["route_no"]) == (
            route.plan,
            route.vehicle,
            route.route_no,
        )
        # figures recomputed here match the validator's
        assert row["served_km"] == pytest.approx(solution_route.served_km)
        assert row["deadhead_km"] == pytest.approx(solution_route.deadhead_km)
        assert row["duration_h"] * 3600 == pytest.approx(solution_route.duration_s)
        mine = served[
            (served.plan == route.plan)
            & (served.vehicle == route.vehicle)
            & (served.route_no == route.route_no)
        ]
        assert len(mine) == len(solution_route.services)
        assert mine.length_m.sum() == pytest.approx(solution_route.served_m)
    # every required pass of every plan is in served_edges, once
    for plan in {p.name for p in demo.plans}:
        services = sum(p.problem.num_services for p in demo.plans if p.name == plan)
        assert (served.plan == plan).sum() == services
    # legs are contiguous in time along each route
    legs = (
        gpd.pd.concat([served, deadhead])
        .sort_values(["plan", "vehicle", "route_no", "sequence"])
        .groupby(["plan", "vehicle", "route_no"])
    )
    for _, group in legs:
        assert group.sequence.tolist() == list(range(1, len(group) + 1))
        assert group.start_s.iloc[1:].to_numpy() == pytest.approx(
            group.end_s.iloc[:-1].to_numpy()
        )


def test_exchanged_section_is_served_by_the_receiving_administrator(
    demo: Demo, out: Path
) -> None:
    section = demo.exchanged[0]
    served = _read_layer(out / "routes.gpkg", "served_edges")
    moved = served[(served.plan == "swapped") & (served.section_id == section.section)]
    assert len(moved) > 0
    assert set(moved.admin_id) == {"05"}
    assert set(moved.served_by) == {"05201"}
    assert moved.exchanged.all()
    assert not served[served.plan == "baseline"].exchanged.any()
    layer = _read_layer(out / "routes.gpkg", "exchanged_sections")
    assert layer.section_id.tolist() == [section.section]
    assert layer.n_edges.iloc[0] > 0
    assert layer.geometry.iloc[0].length > 100  # metres, projected


def test_geojson_copies_are_wgs84_with_the_same_features(out: Path) -> None:
    for layer in LAYERS:
        gdf = gpd.read_file(out / "geojson" / f"{layer.name}.geojson")
        assert gdf.crs.to_epsg() == 4326
        assert len(gdf) == len(_read_layer(out / "routes.gpkg", layer.name))
        assert set(layer.columns) <= set(gdf.columns)
        minx, miny, maxx, maxy = gdf.total_bounds
        assert 139 < minx < maxx < 141
        assert 39 < miny < maxy < 40


def test_gpx_per_route_has_work_and_drive_tracks_from_depot_to_depot(
    demo: Demo, out: Path
) -> None:
    files = sorted((out / "gpx").glob("*.gpx"))
    n_patrol = sum(len(d.routes.solution.routes) for d in demo.patrol_days)
    assert len(files) == len(plans_driven(demo.plans)) + n_patrol
    assert (out / "gpx" / "baseline_akita-dozer_1.gpx") in files
    assert (out / "gpx" / "patrol-1-2026-12-01_katagami-b-dozer--b-_1.gpx") in files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert XSS_VEHICLE not in text
        gpx = gpxpy.parse(text)
        kinds = [track.type for track in gpx.tracks]
        assert set(kinds) <= {"plow", "patrol", "drive"}
        assert len(kinds) == len(set(kinds))
        depot = gpx.waypoints[0]
        assert depot.type == "depot"
        at_depot = (depot.latitude, depot.longitude)
        ends = [
            (p.latitude, p.longitude)
            for track in gpx.tracks
            for segment in track.segments
            for p in (segment.points[0], segment.points[-1])
        ]
        # the drive leaves the depot and comes back to it
        assert ends.count(pytest.approx(at_depot, abs=1e-6)) >= 2
        assert sum(len(s.points) for t in gpx.tracks for s in t.segments) > 2
        turns = [w for w in gpx.waypoints if w.type == "turn"]
        assert all(w.name.split(" ")[0].isdigit() for w in turns)
    city = gpxpy.parse((out / "gpx" / "baseline_akita-dozer_1.gpx").read_text("utf-8"))
    assert {t.type for t in city.tracks} == {"plow", "drive"}
    assert len([w for w in city.waypoints if w.type == "turn"]) > 10
    assert any("Turn right" in w.name for w in city.waypoints)


def _sheet(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_route_sheets_merge_streets_and_add_up(demo: Demo, out: Path) -> None:
    routes = plans_driven(demo.plans)
    for route in routes:
        rows = _sheet(out / "sheets" / f"{route.stem}.csv")
        assert list(rows[0]) == [name for name, _ in SHEET_COLUMNS]
        assert rows[0]["start"] == "03:00"
        for a, b in itertools.pairwise(rows):
            # a new line: another street or action, or a turn off at a junction
            assert (a["street"], a["action"]) != (b["street"], b["action"]) or b[
                "turn"
            ] not in ("straight", "depart")
            assert float(b["cum_km"]) >= float(a["cum_km"])
        total_km = (route.served_m + route.deadhead_m) / 1000
        # each line's km is rounded to the metre: half a metre each at most
        summed = sum(float(r["km"]) for r in rows)
        assert summed == pytest.approx(total_km, abs=0.0005 * len(rows) + 1e-9)
        assert float(rows[-1]["cum_km"]) == pytest.approx(total_km, abs=0.001)
        assert sum(int(r["n_edges"]) for r in rows) == len(route.legs)
        assert {r["action"] for r in rows} <= {"plow", "drive", "refill"}
        html = (out / "sheets" / f"{route.stem}.html").read_text(encoding="utf-8")
        assert html.count("<tr class=") == len(rows)
    index = (out / "sheets" / "index.html").read_text(encoding="utf-8")
    for route in routes:
        assert f'href="{route.stem}.html"' in index


def test_route_sheet_shows_clock_times_past_midnight(
    demo: Demo, tmp_path: Path
) -> None:
    plan = replace(demo.plans[2], start_clock="23:00")
    save_outputs(tmp_path, demo.G, [plan], lang="ja")
    (path,) = (tmp_path / "sheets").glob("*.csv")
    rows = _sheet(path)
    assert rows[0]["start"] == "23:00"
    assert rows[-1]["end"].endswith("+1d")
    html = next((tmp_path / "sheets").glob("*_1.html")).read_text(encoding="utf-8")
    assert "除雪" in html
    assert "回送" in html
    assert 'lang="ja"' in html


def _html_files(out: Path) -> list[Path]:
    return [out / "map.html", *sorted((out / "sheets").glob("*.html"))]


def test_text_from_input_data_is_escaped_in_every_html_output(out: Path) -> None:
    escaped_street = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for path in _html_files(out):
        text = path.read_text(encoding="utf-8")
        for raw in (XSS, XSS_DEPOT, XSS_VEHICLE, "`${alert(2)}`"):
            assert raw not in text, (path.name, raw)
    # the hostile street is shown, as text: in the sheets as HTML entities, in the
    # map as entities inside a JSON string
    sheets = "".join(p.read_text(encoding="utf-8") for p in _html_files(out)[1:])
    assert escaped_street in sheets
    assert "&lt;img src=x onerror=alert(3)&gt;" in sheets
    page = (out / "map.html").read_text(encoding="utf-8")
    assert escaped_street.replace("&", "\\u0026") in page
    assert "katagami\\u0026lt;b\\u0026gt;dozer" in page


def test_csv_cells_never_start_a_spreadsheet_formula(
    demo: Demo, tmp_path: Path
) -> None:
    G = demo.G.copy()
    for edge in demo.xss_edges:
        G.edges[edge]["name"] = "=HYPERLINK(1)"
    save_outputs(tmp_path, G, [demo.plans[2]])
    text = next((tmp_path / "sheets").glob("*.csv")).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert ",=HYPERLINK" not in text


def test_map_is_self_contained(out: Path) -> None:
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "<link" not in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert "cdn.jsdelivr" not in page
    assert "code.jquery" not in page
    assert "L.map(" in page
    assert "L.control.layers(" in page
    assert "url(images/" not in page


def test_same_plans_give_the_same_files(demo: Demo, tmp_path: Path) -> None:
    plans = demo.plans[:3]
    save_outputs(tmp_path / "a", demo.G, plans)
    save_outputs(tmp_path / "b", demo.G, plans)
    for path in sorted((tmp_path / "a").rglob("*")):
        if path.is_file() and path.suffix != ".gpkg":
            twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
            assert path.read_bytes() == twin.read_bytes(), path.name


def test_existing_outputs_are_kept_without_force(demo: Demo, tmp_path: Path) -> None:
    save_outputs(tmp_path, demo.G, demo.plans[2:3])
    before = (tmp_path / "map.html").stat().st_mtime_ns
    with pytest.raises(OutputError, match="already holds"):
        save_outputs(tmp_path, demo.G, demo.plans[2:3])
    assert (tmp_path / "map.html").stat().st_mtime_ns == before
    save_outputs(tmp_path, demo.G, demo.plans[3:4], force=True)
    assert [p.name for p in (tmp_path / "gpx").iterdir()] == [
        "baseline_gojome-dozer_1.gpx"
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        # an exchanged section without its administrator
        (
            {"exchanged": [{"route_id": "r", "section": "r@1", "km": 1.0}]},
            OutputError,
            "from_admin",
        ),
        # an unknown language
        ({"lang": "fr"}, ValueError, "`lang`"),
        # no plan at all
        ({"plans": []}, OutputError, "at least one plan"),
    ],
)
def test_bad_input_writes_nothing(
    demo: Demo, tmp_path: Path, kwargs: dict[str, Any], error: type, match: str
) -> None:
    plans = kwargs.pop("plans", demo.plans[2:3])
    with pytest.raises(error, match=match):
        save_outputs(tmp_path / "out", demo.G, plans, **kwargs)
    assert not (tmp_path / "out").exists()


def test_plan_on_another_network_writes_nothing(demo: Demo, tmp_path: Path) -> None:
    G = demo.G.copy()
    G.remove_edges_from(demo.xss_edges)
    with pytest.raises(OutputError, match="not in the road network"):
        save_outputs(tmp_path / "out", G, demo.plans[2:3])
    assert not (tmp_path / "out").exists()


def test_plan_routes_needs_an_administrator_for_every_vehicle(demo: Demo) -> None:
    plan = demo.plans[0]
    with pytest.raises(OutputError, match="no administrator"):
        PlanRoutes(plan.name, plan.problem, plan.solution, vehicle_admin={})
    with pytest.raises(OutputError, match="HH:MM"):
        replace(plan, start_clock="25:00")


def test_docs_outputs_md_is_up_to_date() -> None:
    text = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert text == outputs_markdown(), (
        "docs/outputs.md is stale: run `.venv/bin/python -c 'import snowroute.outputs "
        'as o; o.save_outputs_doc("docs/outputs.md")\'`'
    )
    for layer in LAYERS:
        assert f"### `{layer.name}`" in text
        for field in layer.fields:
            assert f"| `{field.name}` |" in text


def test_sheet_lines_round_to_the_route_length(demo: Demo) -> None:
    from snowroute.outputs import sheet_lines

    route = plans_driven(demo.plans[2:3])[0]
    lines = sheet_lines(demo.G, route)
    assert math.isclose(
        sum(line.km for line in lines),
        (route.served_m + route.deadhead_m) / 1000,
        abs_tol=0.01,
    )
    assert any(line.street == XSS for line in lines)
    assert any(XSS_ROUTE in line.route_name for line in lines)


def test_every_layer_has_a_default_qgis_style(out: Path) -> None:
    import xml.etree.ElementTree as ET

    styles = pyogrio.read_dataframe(out / "routes.gpkg", layer="layer_styles")
    assert set(styles["f_table_name"]) == {layer.name for layer in LAYERS}
    assert styles["useAsDefault"].all()
    for qml in styles["styleQML"]:
        root = ET.fromstring(qml.removeprefix("<!DOCTYPE qgis>"))
        assert root.tag == "qgis"
        assert root.find("renderer-v2") is not None


def test_one_crs_per_run_chosen_by_the_scenario(demo: Demo, tmp_path: Path) -> None:
    from snowroute.network import network_report
    from snowroute.outputs import save_outputs, save_tagged_network
    from snowroute.outputs.styles import run_crs

    assert run_crs(demo.G).to_epsg() == 6678  # Akita: zone X
    assert run_crs(demo.G, "EPSG:32654").to_epsg() == 32654
    save_outputs(tmp_path, demo.G, demo.plans[2:3], crs="EPSG:6678")
    save_tagged_network(demo.G, network_report(demo.G), tmp_path, crs="EPSG:6678")
    for name in ("routes.gpkg", "network.gpkg"):
        for layer, _ in pyogrio.list_layers(tmp_path / name):
            if layer != "layer_styles":
                info = pyogrio.read_info(tmp_path / name, layer=layer)
                assert info["crs"] == "EPSG:6678", (name, layer)
    styles = pyogrio.read_dataframe(tmp_path / "network.gpkg", layer="layer_styles")
    edges = styles.set_index("f_table_name").loc["edges", "styleQML"]
    assert "categorizedSymbol" in edges
    assert "秋田市" in edges


def test_csvs_open_in_excel_with_their_codes(demo: Demo, tmp_path: Path) -> None:
    from snowroute.network import network_report
    from snowroute.outputs import save_tagged_network

    save_tagged_network(demo.G, network_report(demo.G), tmp_path)
    raw = (tmp_path / "routes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    admins = {row["admin_id"] for row in rows}
    assert {'="05"', '="05201"', "mlit"} <= admins  # codes stay text in Excel
