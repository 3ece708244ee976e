from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pytest
from shapely import LineString

from snowroute._errors import InputFileError
from snowroute.network import administrators, validate_network
from snowroute.network import attributes as A
from snowroute.network.centerline import (
    CenterlineColumns,
    centerline_topology,
    graph_from_centerline,
)
from snowroute.routing import VehicleClass, problem_from_graph

# A metric CRS near Akita (UTM 54N); x0, y0 is an arbitrary local origin.
CRS = "EPSG:32654"
X0, Y0 = 400_000.0, 4_400_000.0
COLUMNS = CenterlineColumns(
    admin_id="kanri",
    admin_class="kind",
    route_name="rosen",
    oneway="dir",
    lanes="lanes",
    speed="speed",
)


def _line(*points: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in points])


def _layer(
    tmp_path: Path, rows: list[dict[str, Any]], name: str = "roads.gpkg"
) -> Path:
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    path = tmp_path / name
    frame.to_file(path)
    return path


def _row(geom: LineString, **kw: Any) -> dict[str, Any]:
    base = {
        "kanri": "05201",
        "kind": "municipality",
        "rosen": "A線",
        "dir": "both",
        "lanes": 2,
        "speed": 30.0,
    }
    return {**base, **kw, "geometry": geom}


def _undirected_degree(G: nx.MultiDiGraph) -> dict[Any, int]:
    simple = nx.Graph(G.to_undirected())
    return dict(simple.degree())


@pytest.mark.parametrize("name", ["roads.gpkg", "roads.shp", "roads.geojson"])
def test_crossing_with_shared_vertex_becomes_a_junction(
    tmp_path: Path, name: str
) -> None:
    path = _layer(
        tmp_path,
        [
            _row(_line((0, 0), (100, 0), (200, 0)), rosen="東西線"),
            _row(_line((100, -100), (100, 0), (100, 100)), rosen="南北線"),
        ],
        name=name,
    )
    G = graph_from_centerline(path, columns=COLUMNS)
    degrees = _undirected_degree(G)
    assert sorted(degrees.values()) == [1, 1, 1, 1, 4]
    assert G.number_of_edges() == 8  # four two-way pieces
    validate_network(G, strict=True)


def test_crossing_without_vertex_is_a_bridge_unless_told_otherwise(
    tmp_path: Path,
) -> None:
    rows = [
        _row(_line((0, 0), (200, 0)), rosen="下の道", level=0),
        _row(_line((100, -100), (100, 100)), rosen="橋", level=1),
    ]
    path = _layer(tmp_path, rows)
    bridge = graph_from_centerline(path, columns=COLUMNS)
    assert bridge.number_of_nodes() == 4
    assert max(_undirected_degree(bridge).values()) == 1
    joined = graph_from_centerline(path, columns=COLUMNS, crossings="all")
    assert joined.number_of_nodes() == 5
    assert joined.graph["centerline_crossings_split"] == 1
    # Different levels: still a bridge when levels are compared.
    levels = CenterlineColumns(admin_id="kanri", level="level")
    assert (
        graph_from_centerline(path, columns=levels, crossings="level").number_of_nodes()
        == 4
    )
    same = _layer(tmp_path, [{**r, "level": 0} for r in rows], name="same.gpkg")
    assert (
        graph_from_centerline(same, columns=levels, crossings="level").number_of_nodes()
        == 5
    )


def test_gaps_within_the_tolerance_are_snapped(tmp_path: Path) -> None:
    path = _layer(
        tmp_path,
        [
            _row(_line((0, 0), (100, 0), (200, 0))),
            # An undershoot: ends 0.6 m short of the first line's interior.
            _row(_line((50, 80), (50, 0.6)), rosen="B線"),
            # Two ends 0.4 m apart, digitised separately.
            _row(_line((200.4, 0.2), (300, 0)), rosen="A線"),
        ],
    )
    G = graph_from_centerline(path, columns=COLUMNS, snap_m=1.0)
    assert G.graph["centerline_snapped"] == 3
    assert nx.is_strongly_connected(G)
    # The T junction splits the first line at x = 50.
    assert sorted(_undirected_degree(G).values()) == [1, 1, 1, 2, 3]
    loose = graph_from_centerline(path, columns=COLUMNS, snap_m=0.1)
    assert not nx.is_weakly_connected(loose)


def test_dangles_and_tiny_pieces_are_reported(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        [
            _row(_line((0, 0), (100, 0), (100.5, 0), (200, 0))),
            _row(_line((100, 0), (100, 50))),
            _row(_line((100.5, 0), (100.5, -40))),
        ],
        geometry="geometry",
        crs=CRS,
    )
    topo = centerline_topology(frame, snap_m=0.0, min_piece_m=2.0)
    # Ends of the street (2), of the two side streets (2): four dangles.
    assert len(topo.dangles) == 4
    assert len(topo.tiny) == 1
    tiny = topo.pieces.iloc[topo.tiny[0]]
    assert tiny.geometry.length == pytest.approx(0.5)
    assert "4 dangles, 1 tiny pieces" in topo.summary()


@pytest.mark.parametrize(
    ("values", "columns"),
    [
        (
            ("forward", "backward", "both"),
            CenterlineColumns(admin_id="kanri", oneway="dir"),
        ),
        (
            (1, -1, 0),
            CenterlineColumns(admin_id="kanri", oneway="dir"),
        ),
        (
            ("FT", "TF", "B"),
            CenterlineColumns(admin_id="kanri", oneway="dir"),
        ),
        (
            ("順", "逆", "双"),
            CenterlineColumns(
                admin_id="kanri",
                oneway="dir",
                oneway_forward=("順",),
                oneway_backward=("逆",),
                oneway_both=("双",),
            ),
        ),
    ],
)
def test_oneway_values_set_the_driving_direction(
    tmp_path: Path, values: tuple[Any, Any, Any], columns: CenterlineColumns
) -> None:
    forward, backward, both = values
    path = _layer(
        tmp_path,
        [
            _row(_line((0, 0), (100, 0)), dir=forward),
            _row(_line((0, 100), (100, 100)), dir=backward),
            _row(_line((0, 200), (100, 200)), dir=both),
        ],
    )
    G = graph_from_centerline(path, columns=columns)

    def at(x: float, y: float) -> int:
        return next(
            n
            for n, d in G.nodes(data=True)
            if abs(d["x"] - xy[(x, y)][0]) < 1e-9 and abs(d["y"] - xy[(x, y)][1]) < 1e-9
        )

    pts = gpd.GeoSeries(
        gpd.points_from_xy(
            [X0, X0 + 100, X0, X0 + 100, X0, X0 + 100],
            [Y0, Y0, Y0 + 100, Y0 + 100, Y0 + 200, Y0 + 200],
        ),
        crs=CRS,
    ).to_crs("epsg:4326")
    keys = [(0, 0), (100, 0), (0, 100), (100, 100), (0, 200), (100, 200)]
    xy = {k: (p.x, p.y) for k, p in zip(keys, pts, strict=True)}
    nodes = {k: at(*k) for k in keys}
    assert G.has_edge(nodes[(0, 0)], nodes[(100, 0)])
    assert not G.has_edge(nodes[(100, 0)], nodes[(0, 0)])
    assert G.has_edge(nodes[(100, 100)], nodes[(0, 100)])
    assert not G.has_edge(nodes[(0, 100)], nodes[(100, 100)])
    assert G.has_edge(nodes[(0, 200)], nodes[(100, 200)])
    assert G.has_edge(nodes[(100, 200)], nodes[(0, 200)])
    one = G.edges[nodes[(100, 100)], nodes[(0, 100)], 0]
    assert one[A.ONEWAY] is True
    assert one[A.N_LANES] == 1  # no lanes column: one lane on a one-way road
    # The geometry runs in the driving direction.
    start = one["geometry"].coords[0]
    assert start == pytest.approx(xy[(100, 100)])


def test_administrators_and_attributes_are_carried_through(tmp_path: Path) -> None:
    path = _layer(
        tmp_path,
        [
            _row(
                _line((0, 0), (100, 0)), kanri="05", kind="prefecture", rosen="県道28号"
            ),
            _row(
                _line((100, 0), (200, 0)),
                kanri="05",
                kind="prefecture",
                rosen="県道28号",
            ),
            _row(_line((100, 0), (100, 100)), kanri="05201", rosen="新屋線", speed=20),
            _row(_line((100, 100), (0, 0)), kanri=None, rosen=None),
        ],
        name="ledger.geojson",
    )
    G = graph_from_centerline(path, columns=COLUMNS)
    admins = administrators(G)
    assert admins == {
        "05": {"class": "prefecture", "name": "05"},
        "05201": {"class": "municipality", "name": "05201"},
    }
    by_name = {d[A.ROUTE_NAME]: d for _, _, d in G.edges(data=True)}
    assert by_name["県道28号"][A.ADMIN_ID] == "05"
    assert by_name["県道28号"][A.ROUTE_KIND] == "prefectural"
    assert by_name["新屋線"][A.SPEED_KPH] == 20.0
    assert by_name[""][A.ADMIN_ID] == A.UNKNOWN
    routes = {d[A.ROUTE_ID] for _, _, d in G.edges(data=True) if d[A.ADMIN_ID] == "05"}
    assert routes == {"05/prefectural/県道28号"}
    assert G.graph[A.TAGGED] is True
    assert G.graph["crs"] == "epsg:4326"
    # Routing reads it like OSM input: the two directions pair into one road.
    problem = problem_from_graph(
        G,
        required=lambda u, v, k, d: d[A.ADMIN_ID] == "05",
        depots={"d": next(iter(G.nodes))},
        vehicles=[VehicleClass("truck", "d")],
    )
    assert problem.num_required == 2
    assert {r.mode for r in problem.required} == {"either"}


@pytest.mark.parametrize(
    ("rows", "columns", "match"),
    [
        # An oneway value the mapping does not know.
        (
            [_row(_line((0, 0), (1, 50)), dir="sideways")],
            COLUMNS,
            "oneway value 'sideways'",
        ),
        # A mapped column the layer lacks.
        (
            [_row(_line((0, 0), (1, 50)))],
            CenterlineColumns(admin_id="kanri", width="fukuin"),
            "no column `fukuin`",
        ),
        # A lane count that is not a number.
        (
            [_row(_line((0, 0), (1, 50)), lanes="many")],
            COLUMNS,
            "lanes 'many'",
        ),
    ],
)
def test_bad_layers_raise_one_sentence_errors(
    tmp_path: Path, rows: list[dict[str, Any]], columns: CenterlineColumns, match: str
) -> None:
    path = _layer(tmp_path, rows)
    with pytest.raises(InputFileError, match=match):
        graph_from_centerline(path, columns=columns)


def test_missing_or_unreadable_file_raises(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        graph_from_centerline(tmp_path / "none.gpkg", columns=COLUMNS)
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(InputFileError, match="not a readable line layer"):
        graph_from_centerline(bad, columns=COLUMNS)


def test_scenario_reads_a_centerline_network_with_its_column_mapping(
    tmp_path: Path,
) -> None:
    from snowroute.prepare import depot_nodes, graph_from_scenario, plow_edges
    from snowroute.scenario import scenario_from_toml

    _layer(
        tmp_path,
        [
            _row(_line((0, 0), (100, 0)), kanri="05", rosen="県道1号", dir="1"),
            _row(_line((100, 0), (100, 100)), kanri="05", rosen="県道1号", dir="0"),
            _row(_line((100, 100), (0, 0)), kanri="05", rosen="県道1号", dir="0"),
            _row(_line((100, 100), (0, 100)), kanri="05201", rosen="新屋線", dir="0"),
        ],
        name="ledger.gpkg",
    )
    depot = gpd.GeoSeries(gpd.points_from_xy([X0], [Y0]), crs=CRS).to_crs("epsg:4326")[
        0
    ]
    (tmp_path / "s.toml").write_text(
        f"""
name = "ledger"
[network]
source = "ledger.gpkg"
format = "centerline"
snap_m = 0.5
[network.columns]
admin_id = "kanri"
route_name = "rosen"
oneway = "dir"
oneway_forward = ["1"]
oneway_backward = ["-1"]
oneway_both = ["0"]
[[depots]]
id = "pref"
admin = "05"
lon = {depot.x}
lat = {depot.y}
[[vehicles]]
id = "truck"
depot = "pref"
""",
        encoding="utf-8",
    )
    scenario = scenario_from_toml(tmp_path / "s.toml")
    G = graph_from_scenario(scenario)
    assert G.number_of_edges() == 7  # one one-way and three two-way roads
    edges = plow_edges(G, scenario)
    assert set(edges.values()) == {"05"}
    assert len(edges) == 5
    assert list(depot_nodes(G, scenario)) == ["pref"]


def test_scenario_refuses_centerline_without_columns(tmp_path: Path) -> None:
    from snowroute._errors import ScenarioError
    from snowroute.scenario import scenario_from_toml

    (tmp_path / "x.gpkg").write_text("")
    (tmp_path / "s.toml").write_text(
        """
name = "x"
[network]
source = "x.gpkg"
format = "centerline"
[[depots]]
id = "d"
admin = "05"
node = 1
[[vehicles]]
id = "truck"
depot = "d"
""",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"network\.columns"):
        scenario_from_toml(tmp_path / "s.toml")
