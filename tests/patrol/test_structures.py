"""Structures: due dates, reading, snapping to roads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from snowroute._errors import InputFileError
from snowroute.patrol.structures import Structure, place_structures
from snowroute.scenario.side import read_structures

from .handmade import network


def _bridge(**changes: object) -> Structure:
    fields: dict[str, object] = {
        "structure_id": "B1",
        "kind": "bridge",
        "lon": 140.0015,
        "lat": 39.0,
        "last_inspection": dt.date(2021, 12, 1),
        "interval_years": 5,
        "minutes_on_site": 30.0,
    }
    return Structure(**(fields | changes))  # type: ignore[arg-type]


def test_due_is_the_last_inspection_plus_the_cycle():
    assert _bridge().due == dt.date(2026, 12, 1)
    assert _bridge(last_inspection=dt.date(2024, 2, 29)).due == dt.date(2029, 2, 28)
    assert _bridge(due_date=dt.date(2026, 12, 5)).due == dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"structure_id": ""}, "structure_id"),  # empty id
        ({"kind": "ship"}, "kind"),  # unknown kind
        ({"lat": 91.0}, "lon"),  # not WGS84
        ({"minutes_on_site": -1.0}, "minutes_on_site"),  # negative time
        ({"interval_years": 0}, "interval_years"),  # no cycle
        ({"last_inspection": None}, "due_date"),  # neither due date nor cycle
    ],
)
def test_bad_structures_are_refused(change: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _bridge(**change)


def test_a_repeated_structure_id_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    row = "B1,bridge,x,05,140.1,39.7,2021-12-01,5,30"
    path.write_text(
        "structure_id,kind,name,admin_id,lon,lat,last_inspection,interval_years,"
        f"minutes_on_site\n{row}\n{row}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match="line 3: structure id 'B1' repeats"):
        read_structures(path)


def test_structures_snap_to_open_roads_only():
    near = _bridge()  # on route A between nodes 1 and 2
    far = _bridge(structure_id="B2", lon=141.0)
    on_closed = _bridge(structure_id="B3", lon=140.0025)  # beside closed road C
    placed, unplaced = place_structures(network(), (near, far, on_closed), max_m=30.0)
    assert [(p.structure.structure_id, p.section_id) for p in placed] == [
        ("B1", "05/prefectural/A@2")
    ]
    assert placed[0].distance_m == pytest.approx(0.0, abs=1.0)
    assert [(s.structure_id, why) for s, why in unplaced] == [
        ("B2", "more than 30 m from every road open in winter"),
        ("B3", "more than 30 m from every road open in winter"),
    ]
