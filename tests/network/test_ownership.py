import json
from pathlib import Path

import networkx as nx
import pytest

from snowroute._errors import TaggingError
from snowroute.network import (
    administrators,
    load_boundaries,
    load_overrides,
    routes_frame,
    tag_network,
    validate_network,
)
from snowroute.network import attributes as A
from snowroute.network.ingest import graph_from_osm_xml
from snowroute.network.routes import add_edge_sections
from tests.helpers import JAPAN_BOUNDARIES, JAPAN_OSM, expected_japan, japan_network


def test_every_way_of_the_japanese_fixture_gets_the_right_administrator() -> None:
    G = japan_network()
    expected = expected_japan()
    seen = set()
    for _, _, data in G.edges(data=True):
        way = data["osmid"]
        got = (data[A.ADMIN_ID], data[A.ROUTE_KIND], data[A.ROUTE_REF])
        assert got == expected[way], f"way {way}: {data.get('name')} {data.get('ref')}"
        seen.add(way)
    assert seen == set(expected)


def test_tagging_sets_the_whole_schema() -> None:
    G = japan_network()
    assert validate_network(G) == []
    for _, _, data in G.edges(data=True):
        for name, spec in A.EDGE_SCHEMA.items():
            assert isinstance(data[name], spec.kind), name


def test_service_attributes_come_from_tags_and_defaults() -> None:
    G = japan_network()
    by_way = {d["osmid"]: d for _, _, d in G.edges(data=True)}
    assert by_way[101][A.N_LANES] == 4
    assert by_way[101][A.PRIORITY] == "emergency"
    assert by_way[101][A.SERVICE_GRADE] == 1
    assert by_way[108][A.ONEWAY] is True
    assert by_way[108][A.N_LANES] == 1
    assert by_way[108][A.SPEED_KPH] == 30
    assert by_way[119][A.WINTER_CLOSED] is True
    assert by_way[116][A.WINTER_CLOSED] is False


def test_routes_group_edges_sharing_a_ref_across_pieces() -> None:
    G = japan_network()
    routes = routes_frame(G).set_index("route_id")
    # 国道13号: two MLIT ways and a motorway bypass, not all connected
    assert routes.loc["mlit/national/13", "edges"] == 5
    # 県道56号: the relation member and the winter-closed section
    assert routes.loc["05/prefectural_major/56", "km"] == pytest.approx(
        sum(A.road_km(d) for *_, d in G.edges(data=True) if d["osmid"] in (115, 119))
    )
    assert routes.loc["05/prefectural_major/13", "route_name"] == "県道13号 秋田天王線"


def test_administrators_carry_names_from_rules_and_boundaries() -> None:
    admins = administrators(japan_network())
    assert admins["05"] == {"class": "prefecture", "name": "秋田県"}
    assert admins["05201"] == {"class": "municipality", "name": "秋田市"}
    assert admins["mlit"]["class"] == "mlit"


def test_without_boundaries_municipal_roads_are_unknown() -> None:
    G = tag_network(graph_from_osm_xml(JAPAN_OSM), "japan")
    unknown = {d["osmid"] for *_, d in G.edges(data=True) if d[A.ADMIN_ID] == A.UNKNOWN}
    assert unknown == {
        w for w, (a, *_) in expected_japan().items() if a.startswith("052")
    }


def test_tagging_twice_is_refused() -> None:
    G = japan_network()
    with pytest.raises(TaggingError, match="already tagged"):
        tag_network(G)


def _overrides(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_win_over_the_rules(tmp_path: Path) -> None:
    path = _overrides(
        tmp_path,
        "way_id,ref,name,admin_id,route_name,winter_closed,note\n"
        "111,,,05,,,isolated road handed to the prefecture\n"
        ",,新屋線,,新屋通り,,renamed\n"
        ",２３３,,,,true,closed in winter\n",
    )
    G = graph_from_osm_xml(JAPAN_OSM)
    tag_network(
        G,
        boundaries=load_boundaries(JAPAN_BOUNDARIES),
        overrides=load_overrides(path),
    )
    by_way = {d["osmid"]: d for *_, d in G.edges(data=True)}
    assert by_way[111][A.ADMIN_ID] == "05"
    assert by_way[111][A.ADMIN_CLASS] == "prefecture"
    assert by_way[111][A.ADMIN_RULE] == "override:line 2"
    assert by_way[108][A.ROUTE_NAME] == "新屋通り"
    assert by_way[105][A.WINTER_CLOSED] is True


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("way_id,admin_id\n999999,05\n", "row 2 \\(way_id 999999\\) matches no road"),
        ("ref,admin_id\n777,05\n", "matches no road"),
        ("name,admin_id\n存在しない線,05\n", "matches no road"),
        ("way_id,admin_id\n111,05999\n", "unknown administrator `05999`"),
        ("way_id,admin\n111,05\n", "unknown column `admin`"),
        ("way_id,ref,admin_id\n111,13,05\n", "exactly one of way_id, ref or name"),
        ("way_id,admin_id\nabc,05\n", "is not a number"),
        ("way_id,winter_closed\n111,maybe\n", "Expected a boolean"),
        ("way_id,admin_id\n111,\n", "sets no attribute"),
    ],
)
def test_bad_override_tables_are_rejected(
    tmp_path: Path, text: str, match: str
) -> None:
    G = graph_from_osm_xml(JAPAN_OSM)
    with pytest.raises(TaggingError, match=match):
        tag_network(
            G,
            boundaries=load_boundaries(JAPAN_BOUNDARIES),
            overrides=load_overrides(_overrides(tmp_path, text)),
        )


def test_boundary_layer_without_the_named_column(tmp_path: Path) -> None:
    with pytest.raises(TaggingError, match="no code column `CODE`; its columns are"):
        load_boundaries(JAPAN_BOUNDARIES, code_col="CODE")


def test_validator_collects_every_problem_and_raises_once() -> None:
    G = japan_network()
    edges = list(G.edges(keys=True))
    del G.edges[edges[0]][A.ADMIN_ID]
    G.edges[edges[1]][A.N_LANES] = 0
    G.edges[edges[2]]["length"] = -1.0
    G.nodes[edges[3][0]]["x"] = float("nan")
    problems = validate_network(G, strict=False)
    assert len(problems) == 4
    with pytest.raises(ValueError, match="The network has 4 problem"):
        validate_network(G)


def test_validator_rejects_a_plain_graph() -> None:
    assert validate_network(nx.Graph(), strict=False) == [
        "the network is a Graph, not a MultiDiGraph"
    ]


def test_sections_split_routes_at_junctions_with_other_routes() -> None:
    G = japan_network()
    sections = {}
    for u, v, data in G.edges(data=True):
        sections.setdefault(data[A.SECTION_ID], set()).update((u, v))
    # 国道13号: ways 102 (2-3) and 106 (8-9) and the bypass 113 (17-18) are apart
    national13 = sorted(s for s in sections if s.startswith("mlit/national/13@"))
    assert len(national13) == 3
    for section in sections:
        assert section.split("@")[0] == next(
            d[A.ROUTE_ID] for *_, d in G.edges(data=True) if d[A.SECTION_ID] == section
        )


def test_sections_break_at_junctions_branches_and_ends() -> None:
    # route R: 1 - 2 - 3 - 4 (two-way), with route X crossing at 2 and
    # route R branching at 3 towards 5 (one-way 3 -> 5)
    G = nx.MultiDiGraph()
    for u, v in [(1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 3), (3, 5)]:
        G.add_edge(u, v, route_id="R")
    G.add_edge(2, 9, route_id="X")
    add_edge_sections(G)
    section = {(u, v): s for u, v, s in G.edges(data=A.SECTION_ID)}
    assert section[1, 2] == section[2, 1]
    assert section[2, 3] == section[3, 2] != section[1, 2]  # broken at X's junction
    assert section[3, 4] != section[2, 3]  # broken at the branch point 3
    assert section[3, 5] not in {section[3, 4], section[2, 3]}
    assert len({s for s in section.values() if s.startswith("R@")}) == 4
    assert section[1, 2] == "R@1"


def test_boundaries_that_cover_no_road_are_refused(tmp_path: Path) -> None:
    text = JAPAN_BOUNDARIES.read_text(encoding="utf-8")
    moved = tmp_path / "elsewhere.geojson"  # the same polygons, 10 degrees east
    moved.write_text(_shift_lon(text, 10.0), encoding="utf-8")
    with pytest.raises(TaggingError, match=r"cover none of the \d+ roads left to"):
        tag_network(graph_from_osm_xml(JAPAN_OSM), boundaries=load_boundaries(moved))


def _shift_lon(geojson: str, degrees: float) -> str:
    data = json.loads(geojson)
    for feature in data["features"]:
        for ring in feature["geometry"]["coordinates"]:
            for point in ring:
                point[0] += degrees
    return json.dumps(data, ensure_ascii=False)
