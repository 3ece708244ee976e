import pytest

from snowroute.network import network_report, tag_network
from snowroute.network.ingest import graph_from_osm_xml
from tests.helpers import JAPAN_OSM, japan_network


def test_report_sums_and_counts() -> None:
    report = network_report(japan_network())
    assert sum(a.km for a in report.admins) == pytest.approx(report.km, abs=1e-6)
    assert sum(c.km for c in report.road_classes) == pytest.approx(report.km, abs=1e-6)
    by_id = {a.admin_id: a for a in report.admins}
    assert by_id["mlit"].routes == 2  # 国道7号 and 国道13号
    # 国道285号, 国道101号, 県道13号, 233号, 41号, 28号, 56号
    assert by_id["05"].routes == 7
    assert report.unknown_edges == 0
    assert report.winter_closed_km > 0
    assert report.weak_pieces > 1  # the fixture is a set of separate streets
    text = str(report)
    assert "秋田市" in text
    assert "By road class" in text


def test_report_lists_unknown_edges_with_examples() -> None:
    report = network_report(tag_network(graph_from_osm_xml(JAPAN_OSM)), examples=2)
    assert report.unknown_edges > 0
    assert len(report.unknown_examples) == 2
    assert {"osmid", "highway", "name", "ref"} <= set(report.unknown_examples[0])


def test_report_needs_a_tagged_network() -> None:
    with pytest.raises(ValueError, match="not tagged"):
        network_report(graph_from_osm_xml(JAPAN_OSM))
