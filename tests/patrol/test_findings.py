from __future__ import annotations

import json
from pathlib import Path

import pytest

from snowroute._errors import InputFileError
from snowroute.cli import main
from snowroute.patrol.findings import match_findings, read_findings

from .test_plan import DEMO, demo

HEADER = "date,lat,lon,category,severity,note,photo"
# points on the demo network: a 秋田市 street, a prefectural road (B01's bridge)
ON_AKITA = "39.7218744", "140.0868294"  # D05201 depot node, a municipal road
ON_PREF = "39.7053431", "140.0731255"
ROWS = [
    f"2026-12-02,{ON_AKITA[0]},{ON_AKITA[1]},pothole,high,<script>alert(1)</script>,p1.jpg",
    f"2026-12-02,{ON_PREF[0]},{ON_PREF[1]},guardrail,low,bent,p2.jpg",
    "2026-12-03,abc,140.1,pothole,low,bad lat,",  # coordinates not numbers
    "2026-12-03,95.0,140.1,pothole,low,lat out of range,",
    f"2026-12-03,{ON_AKITA[0]},{ON_AKITA[1]},volcano,low,unknown category,",
    "2026-12-03,39.0,139.0,pothole,low,far from every road,",
    f"yesterday,{ON_AKITA[0]},{ON_AKITA[1]},pothole,low,bad date,",
]


def write_csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "findings.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_every_finding_goes_somewhere(tmp_path: Path) -> None:
    G, _ = demo()
    findings = read_findings(write_csv(tmp_path, ROWS))
    result = match_findings(G, findings, tolerance_m=30.0)
    counts = result.counts()
    assert counts["findings"] == len(ROWS)
    assert counts["to_municipalities"] == {"05201": 1}
    assert counts["other_roads"] == 1
    assert counts["unmatched"] == 5
    reasons = [m.reason for m in result.unmatched]
    assert "not numbers" in reasons[0]
    assert "not a WGS84" in reasons[1]
    assert "unknown category 'volcano'" in reasons[2]
    assert "no road within 30 m" in reasons[3]
    assert "not a date" in reasons[4]
    assert result.other_roads[0].admin_id == "05"


def test_geojson_findings_are_read(tmp_path: Path) -> None:
    lat, lon = ON_AKITA
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {"date": "2026-12-02", "category": "snow_hazard"},
            },
            {"type": "Feature", "geometry": None, "properties": {"date": "x"}},
        ],
    }
    path = tmp_path / "f.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    G, _ = demo()
    result = match_findings(G, read_findings(path))
    assert sum(map(len, result.notices.values())) == 1
    assert len(result.unmatched) == 1


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("f.csv", "date,lat\n2026-12-01,39\n", "lacks the column 'lon'"),  # no lon
        ("f.geojson", "{not json", "not valid JSON"),  # broken JSON
        ("f.geojson", '{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ("f.xlsx", "", "must be .csv or .geojson"),  # unsupported format
    ],
)
def test_unreadable_findings_files_are_named(
    tmp_path: Path, name: str, text: str, match: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match=match):
        read_findings(path)


def test_notices_cli_escapes_html_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notices"
    code = main(
        [
            "-q",
            "patrol",
            "notices",
            str(write_csv(tmp_path, ROWS)),
            "--scenario",
            str(DEMO),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    page = (out / "notice_05201.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "秋田市" in page
    summary = json.loads((out / "findings_summary.json").read_text(encoding="utf-8"))
    assert summary["unmatched"] == 5
    unmatched = (out / "unmatched.csv").read_text(encoding="utf-8").splitlines()
    assert len(unmatched) == 1 + 5
    assert "7 findings" in capsys.readouterr().out


def test_notices_cli_bad_input_is_exit_2_without_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,lat\n", encoding="utf-8")
    out = tmp_path / "notices"
    code = main(
        [
            "-q",
            "patrol",
            "notices",
            str(bad),
            "--scenario",
            str(DEMO),
            "--out",
            str(out),
        ]
    )
    assert code == 2
    assert "lacks the column" in capsys.readouterr().err
    assert not out.exists()


def test_shift_jis_findings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "findings_sjis.csv"
    row = f"2026-12-02,{ON_AKITA[0]},{ON_AKITA[1]},pothole,high,路肩に穴,p1.jpg"
    path.write_bytes(f"{HEADER}\n{row}\n".encode("cp932"))
    (finding,) = read_findings(path)
    assert finding.note == "路肩に穴"
