"""Tagging on the real data in ../shared (skipped, with a reason, where absent)."""

import re
from collections import Counter
from pathlib import Path

import pyogrio
import pytest

from snowroute.network import attributes as A
from snowroute.network import (
    graph_from_file,
    load_boundaries,
    network_report,
    tag_network,
)
from snowroute.network.ingest import graph_from_osm_xml
from snowroute.network.rules import load_rules
from tests.helpers import JAPAN_OSM, expected_japan


def test_middleton_reports_state_county_and_city_km(shared_dir: Path) -> None:
    G = graph_from_file(shared_dir / "networks/middleton-wi/middleton_drive.osm.bz2")
    report = network_report(tag_network(G, "wisconsin"))
    km = {a.admin_class: a.km for a in report.admins}
    assert set(km) == {"state", "county", "city"}
    assert km["state"] > 20
    assert km["county"] > 20
    assert km["city"] > 150
    assert report.unknown_edges == 0
    routes = {d[A.ROUTE_ID] for *_, d in G.edges(data=True)}
    assert {
        "WI/us_highway/US 12",
        "WI/us_highway/US 14",
        "dane/county_highway/CTH M",
    } <= routes


def test_tohoku_corpus_classifies_without_error(
    shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = pyogrio.read_dataframe(
        shared_dir / "networks/tohoku_major_roads_osm_attrs/osm_tohoku_major_roads.dbf",
        read_geometry=False,
    )
    tags = [
        {"highway": r.fclass, "ref": r.ref, "name": r.name}
        for r in rows.itertuples(index=False)
    ]
    found = load_rules("japan").classify_all(tags)
    assert len(found) == len(rows) == 15537
    shares = Counter(a.admin_class for a in found)
    kinds = Counter(a.route_kind for a in found)
    assert "unknown" not in shares
    with capsys.disabled():
        print("\nTohoku corpus, share of ways per administrator class:")
        for cls, n in shares.most_common():
            print(f"  {cls:<13} {n:>6}  {100 * n / len(found):5.1f} %")
        print("  by route kind:", ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    # every trunk is a national route, every E-ref an expressway
    by_class = Counter(
        (t["highway"], a.route_kind) for t, a in zip(tags, found, strict=True)
    )
    assert by_class[("trunk", "national")] == sum(
        1 for t in tags if t["highway"] == "trunk"
    )
    e_refs = [
        a
        for t, a in zip(tags, found, strict=True)
        if re.fullmatch(r"E\d+", str(t["ref"]))
    ]
    assert len(e_refs) > 500
    assert all(a.admin_class == "expressway" for a in e_refs)


def test_real_akita_boundaries_assign_the_municipal_roads(shared_dir: Path) -> None:
    layer = (
        shared_dir
        / "networks/akita_municipalities_n03_2020/akita_municipalities_merged.geojson"
    )
    boundaries = load_boundaries(layer)
    assert len(boundaries.polygons) == 25
    assert boundaries.names["05201"] == "秋田市"
    G = tag_network(graph_from_osm_xml(JAPAN_OSM), boundaries=boundaries)
    municipal = {
        d["osmid"]: d[A.ADMIN_ID]
        for *_, d in G.edges(data=True)
        if d[A.ROUTE_KIND] == "municipal"
    }
    # the fixture lies inside Akita city, so every municipal road is 05201 there
    expected = {
        w for w, (_, kind, _) in expected_japan().items() if kind == "municipal"
    }
    assert set(municipal) == expected
    assert set(municipal.values()) == {"05201"}


def test_simplified_n03_layer_reads_with_its_own_columns(shared_dir: Path) -> None:
    layer = (
        shared_dir
        / "networks/akita_municipalities_n03_2021_simplified/N03-21_05_210101.json"
    )
    cols = pyogrio.read_info(layer)["fields"]
    boundaries = load_boundaries(layer, code_col="N03_007", name_col="N03_004")
    assert "N03_007" in cols
    assert "05201" in boundaries.names
