"""The written demo folder: atomic, deterministic writing and what the files hold."""

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pytest
import shapely
from shapely.geometry import LineString, Point

from snowroute._errors import InputFileError
from snowroute.datasets import (
    AKITA_FRAME,
    DEMO_HORIZON,
    demo_files,
    write_demo_network,
)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "networks" / "demo"
FILES = ("demo.osm", "boundaries.geojson", "depots.csv", "structures.csv", "README.md")
MLIT_ROUTES = {"7", "13", "46"}


# -- fixtures ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly generated demo folder."""
    return write_demo_network(tmp_path_factory.mktemp("gen") / "demo").folder


@pytest.fixture(scope="module")
def osm(demo: Path) -> ET.ElementTree:
    return ET.parse(demo / "demo.osm")


@pytest.fixture(scope="module")
def ways(osm: ET.ElementTree) -> list[dict[str, object]]:
    """Every way as {id, nodes, tags}."""
    return [
        {
            "id": int(w.attrib["id"]),
            "nodes": [int(nd.attrib["ref"]) for nd in w.iter("nd")],
            "tags": {t.attrib["k"]: t.attrib["v"] for t in w.iter("tag")},
        }
        for w in osm.getroot().iter("way")
    ]


@pytest.fixture(scope="module")
def lonlat(osm: ET.ElementTree) -> dict[int, tuple[float, float]]:
    return {
        int(n.attrib["id"]): (float(n.attrib["lon"]), float(n.attrib["lat"]))
        for n in osm.getroot().iter("node")
    }


@pytest.fixture(scope="module")
def graph(
    osm: ET.ElementTree, tmp_path_factory: pytest.TempPathFactory
) -> nx.MultiDiGraph:
    """The public road graph: ways without highway, service or track dropped."""
    root = ET.fromstring(ET.tostring(osm.getroot()))
    for way in list(root.iter("way")):
        tags = {t.attrib["k"]: t.attrib["v"] for t in way.iter("tag")}
        if tags.get("highway") in (None, "service", "track"):
            root.remove(way)
    for rel in list(root.iter("relation")):
        root.remove(rel)
    path = tmp_path_factory.mktemp("public") / "public.osm"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return ox.graph_from_xml(path, simplify=True, retain_all=False)


@pytest.fixture(scope="module")
def boundaries(demo: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(demo / "boundaries.geojson")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _local(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [AKITA_FRAME.to_xy(lon, lat) for lon, lat in points]


def _edge_line(
    G: nx.MultiDiGraph, u: int, v: int, data: dict[str, object]
) -> LineString:
    geom = data.get("geometry")
    if isinstance(geom, LineString):
        return geom
    return LineString(
        [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
    )


def _values(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


# -- determinism and atomic writing --------------------------------------------


def test_generating_twice_gives_identical_bytes(demo: Path, tmp_path: Path) -> None:
    again = write_demo_network(tmp_path / "demo").folder
    for name in FILES:
        assert (again / name).read_bytes() == (demo / name).read_bytes(), name
    assert sorted(p.name for p in again.iterdir()) == sorted(FILES)


def test_committed_demo_equals_a_fresh_generation(demo: Path) -> None:
    # regenerate with `make demo-network` when the generator changes
    for name in FILES:
        assert (COMMITTED / name).read_bytes() == (demo / name).read_bytes(), name


def test_a_failing_write_leaves_no_folder_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr(demo_files, "write_structures_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        write_demo_network(tmp_path / "demo")
    assert list(tmp_path.iterdir()) == []


def test_a_failing_rewrite_keeps_the_old_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "demo"
    old.mkdir()
    (old / "keep.txt").write_text("old")
    monkeypatch.setattr(demo_files, "write_depots_csv", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        write_demo_network(old, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]
    assert [p.name for p in old.iterdir()] == ["keep.txt"]


def test_writing_refuses_an_existing_folder_without_force(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    with pytest.raises(InputFileError, match="--force"):
        write_demo_network(tmp_path / "demo")


def test_writing_refuses_a_missing_parent_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        write_demo_network(tmp_path / "missing" / "demo")


# -- the road graph ------------------------------------------------------------


def test_public_graph_has_between_1500_and_4000_directed_edges(
    graph: nx.MultiDiGraph,
) -> None:
    assert 1500 <= graph.number_of_edges() <= 4000


def test_public_graph_is_strongly_connected(graph: nx.MultiDiGraph) -> None:
    assert nx.is_strongly_connected(graph)


def test_graph_has_oneway_edges_both_ways_of_tagging(
    graph: nx.MultiDiGraph, ways: list[dict[str, object]]
) -> None:
    assert sum(1 for *_, d in graph.edges(data=True) if d["oneway"]) >= 30
    tags = [w["tags"] for w in ways]
    assert any(t.get("oneway") == "yes" for t in tags)  # type: ignore[union-attr]
    assert any(t.get("oneway") == "-1" for t in tags)  # type: ignore[union-attr]


def test_graph_has_dead_ends(graph: nx.MultiDiGraph) -> None:
    undirected = nx.Graph(graph.to_undirected())
    dead_ends = [n for n in undirected if undirected.degree(n) == 1]
    assert len(dead_ends) >= 10


def test_graph_has_multi_lane_trunk_edges_and_bridges(graph: nx.MultiDiGraph) -> None:
    edges = [d for *_, d in graph.edges(data=True)]
    four_lane_trunk = [
        d
        for d in edges
        if "trunk" in _values(d["highway"]) and "4" in _values(d.get("lanes"))
    ]
    assert len(four_lane_trunk) >= 20
    assert sum("yes" in _values(d.get("bridge")) for d in edges) >= 10
    assert any("yes" in _values(d.get("tunnel")) for d in edges)


def test_file_holds_the_ways_ingestion_must_drop(ways: list[dict[str, object]]) -> None:
    tags = [w["tags"] for w in ways]
    assert any(
        t.get("highway") == "service" and t.get("access") == "private" for t in tags
    )  # type: ignore[union-attr]
    assert any(t.get("highway") == "track" for t in tags)  # type: ignore[union-attr]
    assert any(t.get("waterway") == "river" for t in tags)  # type: ignore[union-attr]


def test_routes_carry_relations_and_a_prefectural_number_repeats_a_national_one(
    osm: ET.ElementTree, ways: list[dict[str, object]]
) -> None:
    relations = [
        {t.attrib["k"]: t.attrib["v"] for t in r.iter("tag")}
        | {"members": len(list(r.iter("member")))}
        for r in osm.getroot().iter("relation")
    ]
    by_network = {(r["network"], r["ref"]) for r in relations}
    assert ("JP:national", "7") in by_network
    assert ("JP:prefectural:akita", "7") in by_network
    assert all(
        r["type"] == "route" and r["route"] == "road" and r["members"]
        for r in relations
    )
    classes = {(w["tags"].get("highway"), w["tags"].get("ref")) for w in ways}  # type: ignore[union-attr]
    assert {("trunk", "7"), ("primary", "7"), ("trunk", "285")} <= classes
    assert any(hw == "secondary" and ref and len(ref) == 3 for hw, ref in classes)


def test_a_prefectural_section_is_closed_in_winter(
    ways: list[dict[str, object]],
) -> None:
    closed = [w for w in ways if "motor_vehicle:conditional" in w["tags"]]  # type: ignore[operator]
    assert closed
    for w in closed:
        assert w["tags"]["motor_vehicle:conditional"] == "no @ (Dec 1-Apr 30)"  # type: ignore[index]
        assert w["tags"]["highway"] == "secondary"  # type: ignore[index]


def test_every_river_crossing_is_a_bridge(
    ways: list[dict[str, object]], lonlat: dict[int, tuple[float, float]]
) -> None:
    rivers = [
        LineString(_local([lonlat[n] for n in w["nodes"]]))  # type: ignore[attr-defined]
        for w in ways
        if w["tags"].get("waterway") == "river"  # type: ignore[union-attr]
    ]
    assert len(rivers) == 2
    crossings = 0
    for w in ways:
        tags = w["tags"]
        if "highway" not in tags:  # type: ignore[operator]
            continue
        line = LineString(_local([lonlat[n] for n in w["nodes"]]))  # type: ignore[attr-defined]
        if any(line.intersects(r) for r in rivers):
            crossings += 1
            assert tags.get("bridge") == "yes", tags  # type: ignore[union-attr]
            assert tags.get("layer") == "1", tags  # type: ignore[union-attr]
    assert crossings >= 5


# -- boundaries, depots, structures --------------------------------------------


def test_boundaries_carry_n03_columns(boundaries: gpd.GeoDataFrame) -> None:
    assert boundaries.crs.to_epsg() == 4326
    assert set(boundaries["N03_001"]) == {"秋田県"}
    assert list(boundaries["N03_007"]) == ["05201", "05211", "05361"]
    assert list(boundaries["N03_004"]) == ["秋田市", "潟上市", "五城目町"]
    # they tile a rectangle: no gap, no overlap, even after rounding to 7 decimals
    union = shapely.union_all(boundaries.geometry.to_list())
    assert union.geom_type == "Polygon"
    assert not list(union.interiors)
    assert union.area == pytest.approx(shapely.envelope(union).area, rel=1e-12)
    assert sum(p.area for p in boundaries.geometry) == pytest.approx(
        union.area, rel=1e-12
    )


def test_every_edge_midpoint_lies_in_exactly_one_boundary(
    graph: nx.MultiDiGraph, boundaries: gpd.GeoDataFrame
) -> None:
    polygons = boundaries.geometry.to_list()
    for u, v, data in graph.edges(data=True):
        mid = _edge_line(graph, u, v, data).interpolate(0.5, normalized=True)
        assert sum(p.contains(mid) for p in polygons) == 1, (u, v)


def test_every_depot_is_an_exact_node_of_the_graph(
    demo: Path, graph: nx.MultiDiGraph, boundaries: gpd.GeoDataFrame
) -> None:
    depots = _rows(demo / "depots.csv")
    nodes = {(d["x"], d["y"]) for _, d in graph.nodes(data=True)}
    for depot in depots:
        assert (float(depot["lon"]), float(depot["lat"])) in nodes, depot["depot_id"]
    assert sorted(d["admin_id"] for d in depots) == ["05", *boundaries["N03_007"]]


def test_every_structure_lies_on_an_edge(demo: Path, graph: nx.MultiDiGraph) -> None:
    lines = [
        LineString(_local(list(_edge_line(graph, u, v, d).coords)))
        for u, v, d in graph.edges(data=True)
    ]
    tree = shapely.STRtree(lines)
    for row in _rows(demo / "structures.csv"):
        point = Point(AKITA_FRAME.to_xy(float(row["lon"]), float(row["lat"])))
        nearest = lines[int(tree.nearest(point))]
        assert nearest.distance(point) < 1.0, row["structure_id"]


def test_each_bridge_and_tunnel_way_has_one_structure_with_the_road_administrator(
    demo: Path,
    ways: list[dict[str, object]],
    lonlat: dict[int, tuple[float, float]],
    boundaries: gpd.GeoDataFrame,
) -> None:
    rows = _rows(demo / "structures.csv")
    assert [r["kind"] for r in rows].count("tunnel") >= 1
    built = [w for w in ways if "bridge" in w["tags"] or "tunnel" in w["tags"]]  # type: ignore[operator]
    assert len(built) == len(rows)
    for row in rows:
        point = Point(float(row["lon"]), float(row["lat"]))
        way = min(
            built,
            key=lambda w: LineString([lonlat[n] for n in w["nodes"]]).distance(point),
        )  # type: ignore[attr-defined]
        tags = way["tags"]
        assert row["name"] in (tags.get("bridge:name"), tags.get("tunnel:name"))  # type: ignore[union-attr]
        # DOMAIN.md §3, first match wins
        if tags["highway"] == "trunk":  # type: ignore[index]
            expected = "mlit" if tags["ref"] in MLIT_ROUTES else "05"  # type: ignore[index]
        elif (
            tags["highway"] in ("primary", "secondary")
            and tags.get("ref", "").isdigit()
        ):  # type: ignore[index, union-attr]
            expected = "05"
        else:
            inside = boundaries[boundaries.contains(point)]
            expected = inside["N03_007"].iloc[0]
        assert row["admin_id"] == expected, row["structure_id"]


def test_some_structures_fall_due_in_the_two_week_horizon_and_some_do_not(
    demo: Path,
) -> None:
    start, end = DEMO_HORIZON
    due = []
    for row in _rows(demo / "structures.csv"):
        last = dt.date.fromisoformat(row["last_inspection"])
        assert last >= dt.date(2019, 1, 1)  # second 5-year cycle since 2014
        assert row["interval_years"] == "5"
        assert int(row["minutes_on_site"]) > 0
        next_due = last.replace(year=last.year + int(row["interval_years"]))
        due.append(start <= next_due <= end)
    assert 2 <= sum(due) < len(due)
