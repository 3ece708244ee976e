import bz2
from pathlib import Path

import networkx as nx
import pytest

from snowroute._errors import InputFileError
from snowroute.network import attributes as A
from snowroute.network import load_boundaries, tag_network
from snowroute.network.ingest import (
    graph_from_file,
    graph_from_osm_xml,
    largest_component,
)
from tests.helpers import JAPAN_BOUNDARIES, JAPAN_OSM, expected_japan


def _way_ids(G: nx.MultiDiGraph) -> set[int]:
    ids: set[int] = set()
    for _, _, osmid in G.edges(data="osmid"):
        ids.update(osmid if isinstance(osmid, list) else [osmid])
    return ids


def test_only_drivable_public_roads_are_kept() -> None:
    G = graph_from_osm_xml(JAPAN_OSM)
    ids = _way_ids(G)
    assert ids == set(range(101, 121))  # service/private, track, footway, river dropped


def test_graph_is_osmnx_compatible() -> None:
    G = graph_from_osm_xml(JAPAN_OSM)
    assert G.graph["crs"] == "epsg:4326"
    for _, data in G.nodes(data=True):
        assert {"x", "y", "street_count"} <= set(data)
    for _, _, data in G.edges(data=True):
        assert data["length"] > 0
        assert isinstance(data["oneway"], bool)


def test_oneway_streets_get_one_direction_only() -> None:
    G = graph_from_osm_xml(JAPAN_OSM)
    oneway = [(u, v) for u, v, d in G.edges(data=True) if d["osmid"] == 108]
    assert oneway == [(12, 13)]
    twoway = sorted((u, v) for u, v, d in G.edges(data=True) if d["osmid"] == 107)
    assert twoway == [(11, 12), (12, 11)]


def test_route_relations_are_read_onto_their_ways() -> None:
    G = graph_from_osm_xml(JAPAN_OSM)
    rels = {d["osmid"]: d.get("rel_routes") for _, _, d in G.edges(data=True)}
    assert rels[115] == "JP:prefectural:akita=56"
    assert rels[117] == "JP:national=101"
    assert rels[101] is None


def test_bz2_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "roads.osm.bz2"
    path.write_bytes(bz2.compress(JAPAN_OSM.read_bytes()))
    assert (
        graph_from_file(path).number_of_edges()
        == graph_from_file(JAPAN_OSM).number_of_edges()
    )


def test_largest_component_is_strongly_connected() -> None:
    G = largest_component(graph_from_osm_xml(JAPAN_OSM))
    assert nx.is_strongly_connected(G)


def _truncated(tmp_path: Path) -> Path:
    path = tmp_path / "cut.osm"
    data = JAPAN_OSM.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _truncated_bz2(tmp_path: Path) -> Path:
    path = tmp_path / "cut.osm.bz2"
    data = bz2.compress(JAPAN_OSM.read_bytes())
    path.write_bytes(data[: len(data) // 2])
    return path


def _no_roads(tmp_path: Path) -> Path:
    path = tmp_path / "paths.osm"
    path.write_text(
        '<osm version="0.6"><node id="1" lat="39.7" lon="140.1"/>'
        '<node id="2" lat="39.71" lon="140.1"/>'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way>'
        "</osm>",
        encoding="utf-8",
    )
    return path


def _not_xml(tmp_path: Path) -> Path:
    path = tmp_path / "junk.osm"
    path.write_bytes(b"\x00\x01 this is not xml")
    return path


def _wrong_suffix(tmp_path: Path) -> Path:
    path = tmp_path / "roads.csv"
    path.write_text("a,b\n", encoding="utf-8")
    return path


def _bad_graphml(tmp_path: Path) -> Path:
    path = tmp_path / "roads.graphml"
    path.write_text("<graphml><graph", encoding="utf-8")
    return path


def _graphml_without(tmp_path: Path, missing: str) -> Path:
    path = tmp_path / f"no-{missing}.graphml"
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node(1, x=140.1, y=39.7)
    G.add_node(2, x=140.2, y=39.7)
    G.add_edge(1, 2, length=10.0)
    G.add_edge(2, 1, length=10.0)
    if missing == "length":
        del G.edges[2, 1, 0]["length"]
    else:
        del G.nodes[2][missing]
    nx.write_graphml(G, path)
    return path


def _folder(tmp_path: Path) -> Path:
    path = tmp_path / "roads.osm"
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: _graphml_without(p, "x"), "node 2 has no `x` coordinate"),
        (lambda p: _graphml_without(p, "y"), "node 2 has no `y` coordinate"),
        (lambda p: _graphml_without(p, "length"), "edge 2-1 has no `length`"),
        (_folder, "OSM file `.*roads.osm` is a folder, not a file"),
        (_truncated, "not valid OSM XML"),  # cut in the middle of an element
        (_truncated_bz2, "not valid OSM XML"),  # compressed stream ends early
        (_no_roads, "no drivable public roads"),
        (_not_xml, "not valid OSM XML"),
        (_wrong_suffix, "Cannot tell the format"),
        (_bad_graphml, "not a readable GraphML"),
        (lambda p: p / "missing.osm", "does not exist"),
    ],
)
def test_bad_network_files_raise_one_sentence(tmp_path: Path, make, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputFileError, match=match) as exc:
        graph_from_file(make(tmp_path))
    message = str(exc.value)
    assert message.endswith(".")
    assert "\n" not in message


def _as_pbf(source: Path, target: Path) -> Path:
    import osmium

    with osmium.SimpleWriter(str(target)) as writer:
        for obj in osmium.FileProcessor(str(source)):
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
            elif obj.is_relation():
                writer.add_relation(obj)
    return target


def test_pbf_extracts_read_like_their_xml(tmp_path: Path) -> None:
    pbf = _as_pbf(JAPAN_OSM, tmp_path / "japan.osm.pbf")
    xml_graph, pbf_graph = graph_from_file(JAPAN_OSM), graph_from_file(pbf)

    def edges(G: nx.MultiDiGraph) -> list[tuple]:
        keep = ("osmid", "highway", "name", "ref", "oneway", "length")
        rows = [
            (u, v, *(str(d.get(k)) for k in keep)) for u, v, d in G.edges(data=True)
        ]
        return sorted(rows)

    assert edges(pbf_graph) == edges(xml_graph)
    assert pbf_graph.graph.keys() == xml_graph.graph.keys()
    tagged = tag_network(pbf_graph, boundaries=load_boundaries(JAPAN_BOUNDARIES))
    expected = expected_japan()
    for _, _, data in tagged.edges(data=True):
        got = (data[A.ADMIN_ID], data[A.ROUTE_KIND], data[A.ROUTE_REF])
        assert got == expected[data["osmid"]]  # route relations came through


def test_a_corrupt_pbf_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.osm.pbf"
    path.write_bytes(b"\x00\x00\x00\x0dnot a pbf block")
    with pytest.raises(InputFileError, match="is not valid OSM PBF"):
        graph_from_file(path)
