"""Reading GPS logs (CSV, GPX) and the vehicle table; bad logs get one sentence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from snowroute._errors import InputFileError
from snowroute.actual import read_fleet_table, read_logs
from snowroute.actual.logs import Track, write_csv_log

HEADER = "vehicle,time,lat,lon,plow\n"
GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>{name}</name><trkseg>
<trkpt lat="39.70" lon="140.10"><time>{t1}</time></trkpt>
<trkpt lat="39.71" lon="140.11"><time>{t2}</time></trkpt>
</trkseg></trk></gpx>
"""


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_csv_times_without_offset_are_in_tokyo_time(tmp_path: Path) -> None:
    _write(tmp_path, "a.csv", HEADER + "t1,2026-12-01T03:00:00,39.7,140.1,1\n")
    track = read_logs(tmp_path)["t1"]
    # 03:00 in Tokyo is 18:00 UTC the day before
    assert track.t[0] == np.datetime64("2026-11-30T18:00:00").astype(float)
    assert track.plow is not None
    assert track.plow.tolist() == [True]


def test_csv_with_offsets_and_another_time_zone(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "a.csv",
        "vehicle,time,lat,lon\nt1,2026-12-01T03:00:00+00:00,39.7,140.1\n",
    )
    _write(
        tmp_path, "b.csv", "vehicle,time,lat,lon\nt2,2026-12-01T03:00:00,39.7,140.1\n"
    )
    tracks = read_logs(tmp_path, tz="UTC")
    assert tracks["t1"].t[0] == tracks["t2"].t[0]
    assert tracks["t1"].plow is None


def test_one_csv_holds_many_vehicles_and_shift_jis_is_read(tmp_path: Path) -> None:
    text = HEADER + (
        "除雪1号,2026-12-01T03:00:00,39.70,140.10,down\n"
        "除雪2号,2026-12-01T03:00:00,39.70,140.10,up\n"
        "除雪1号,2026-12-01T03:00:05,39.71,140.10,down\n"
    )
    _write(tmp_path, "day.csv", text.encode("cp932"))
    tracks = read_logs(tmp_path)
    assert sorted(tracks) == ["除雪1号", "除雪2号"]
    assert len(tracks["除雪1号"]) == 2
    assert tracks["除雪2号"].plow is not None
    assert not tracks["除雪2号"].plow[0]


def test_a_vehicle_spread_over_files_is_merged_in_time_order(tmp_path: Path) -> None:
    _write(tmp_path, "b.csv", HEADER + "v,2026-12-01T04:00:00,39.7,140.1,1\n")
    _write(tmp_path, "a.csv", HEADER + "v,2026-12-01T03:00:00,39.7,140.1,0\n")
    track = read_logs(tmp_path)["v"]
    assert np.all(np.diff(track.t) > 0)
    assert track.plow is not None
    assert track.plow.tolist() == [False, True]


def test_gpx_tracks_are_vehicles(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "x.gpx",
        GPX.format(
            name="truck-7", t1="2026-12-01T03:00:00Z", t2="2026-12-01T03:00:01Z"
        ),
    )
    track = read_logs(tmp_path)["truck-7"]
    assert len(track) == 2
    assert track.t[1] - track.t[0] == 1.0


def test_the_csv_writer_round_trips(tmp_path: Path) -> None:
    track = Track(
        "v1",
        np.array([1.0e9, 1.0e9 + 5]),
        np.array([140.1, 140.2]),
        np.array([39.7, 39.8]),
        np.array([True, False]),
    )
    write_csv_log(tmp_path / "v1.csv", [track])
    back = read_logs(tmp_path)["v1"]
    assert back.t.tolist() == track.t.tolist()
    assert back.lon.tolist() == track.lon.tolist()
    assert back.plow is not None
    assert back.plow.tolist() == [True, False]


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        # malformed GPX
        ("a.gpx", "<gpx><trk><trkseg><trkpt lat=", "is not valid GPX"),
        # a GPX point without a time
        (
            "a.gpx",
            GPX.format(name="x", t1="2026-12-01T03:00:00Z", t2="").replace(
                "<time></time>", ""
            ),
            "without a time",
        ),
        # GPX times going back
        (
            "a.gpx",
            GPX.format(name="x", t1="2026-12-01T03:00:05Z", t2="2026-12-01T03:00:00Z"),
            "goes back in time",
        ),
        # CSV times going back for one vehicle
        (
            "a.csv",
            HEADER
            + "v,2026-12-01T03:00:05,39.7,140.1,1\n"
            + "v,2026-12-01T03:00:00,39.7,140.1,1\n",
            "line 3 goes back in time",
        ),
        # neither UTF-8 nor Shift_JIS
        ("a.csv", b"vehicle,time,lat,lon\n\x81\x20\xff,1,2,3\n", "neither UTF-8"),
        # a missing column
        (
            "a.csv",
            "vehicle,time,lat\nv,2026-12-01T03:00:00,39.7\n",
            "lacks the column 'lon'",
        ),
        # not a time
        ("a.csv", HEADER + "v,yesterday,39.7,140.1,1\n", "not ISO 8601"),
        # latitude out of range
        (
            "a.csv",
            HEADER + "v,2026-12-01T03:00:00,139.7,40.1,1\n",
            "line 2 has no valid",
        ),
        # a plow flag that is not one
        ("a.csv", HEADER + "v,2026-12-01T03:00:00,39.7,140.1,maybe\n", "plow 'maybe'"),
        # no vehicle id
        ("a.csv", HEADER + ",2026-12-01T03:00:00,39.7,140.1,1\n", "no vehicle id"),
    ],
)
def test_malformed_logs_raise_one_sentence(
    tmp_path: Path, name: str, content: str | bytes, match: str
) -> None:
    _write(tmp_path, name, content)
    with pytest.raises(InputFileError, match=match) as info:
        read_logs(tmp_path)
    assert str(info.value).count(". ") == 0
    assert str(info.value).endswith(".")


def test_a_folder_without_logs_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "vehicles.csv", "vehicle,fleet\n")
    with pytest.raises(InputFileError, match="holds no GPS log"):
        read_logs(tmp_path)


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ("vehicle,fleet\nv1,snowcat\n", "fleet 'snowcat'"),  # unknown fleet
        ("vehicle,fleet\nv1,truck\nv1,truck\n", "repeated vehicle"),  # repeated id
        ("vehicle,fleet,route_no\nv1,truck,0\n", "route_no '0'"),  # bad route number
        ("vehicle\nv1\n", "lacks the column 'fleet'"),  # no fleet column
    ],
)
def test_bad_vehicle_tables_raise(tmp_path: Path, table: str, match: str) -> None:
    path = _write(tmp_path, "vehicles.csv", table)
    with pytest.raises(InputFileError, match=match):
        read_fleet_table(path, fleets=["truck"])


def test_the_vehicle_table_maps_vehicles_to_fleets_and_routes(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "vehicles.csv", "vehicle,fleet,route_no\nv1,truck,2\nv2,truck,\n"
    )
    table = read_fleet_table(path, fleets=["truck"])
    assert table["v1"].route_no == 2
    assert table["v2"].route_no is None
