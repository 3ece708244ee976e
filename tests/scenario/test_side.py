import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from snowroute._errors import InputFileError
from snowroute.scenario import scenario_from_toml, side_files
from snowroute.scenario.side import (
    GivenExchange,
    read_given_list,
    read_last_visits,
    read_structures,
)
from tests.scenario.test_load import _variant

HEADER = "structure_id,kind,name,admin_id,lon,lat,last_inspection,interval_years,"
HEADER += "minutes_on_site\n"


def test_structures_due_by_cycle_or_date(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        HEADER.replace("\n", ",due_date\n")
        + "B1,Bridge,上町橋,05,140.1,39.7,2020-02-29,5,40,\n"
        + "T1,tunnel,,05,140.2,39.8,,,30,2027-01-10\n",
        encoding="utf-8",
    )
    b1, t1 = read_structures(path)
    assert (b1.kind, b1.name, b1.due) == ("bridge", "上町橋", dt.date(2025, 2, 28))
    assert (t1.due, t1.minutes_on_site) == (dt.date(2027, 1, 10), 30.0)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("B1,ferry,x,05,140,39,2020-01-01,5,40", "line 2: `kind` must be one of"),
        ("B1,bridge,x,05,240,39,2020-01-01,5,40", "line 2: `lon`/`lat` must be WGS84"),
        ("B1,bridge,x,05,140,39,,,40", "line 2: give `due_date`, or `last_inspection`"),
        ("B1,bridge,x,05,140,39,2020-13-01,5,40", "line 2: month must be in 1..12"),
    ],
)
def test_bad_structure_rows_name_their_line(
    tmp_path: Path, row: str, message: str
) -> None:
    path = tmp_path / "s.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=message):
        read_structures(path)


def test_repeated_structure_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    row = "B1,bridge,x,05,140,39,2020-01-01,5,40\n"
    path.write_text(HEADER + row + row, encoding="utf-8")
    with pytest.raises(InputFileError, match="line 3: structure id 'B1' repeats"):
        read_structures(path)


def test_last_visits_keep_the_latest_date(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(
        "section_id,date\na#1,2026-11-20\na#1,2026-11-28\nb#1,2026-11-01\n",
        encoding="utf-8",
    )
    assert read_last_visits(path) == {
        "a#1": dt.date(2026, 11, 28),
        "b#1": dt.date(2026, 11, 1),
    }
    path.write_text("section_id,date\na#1,28/11/2026\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="line 2: '28/11/2026' is not a date"):
        read_last_visits(path)


def test_given_list_rows_and_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("route,section,to\nr1,,05\nr2,r2#3,05201\n", encoding="utf-8")
    assert read_given_list(path) == (
        GivenExchange(route="r1", to="05"),
        GivenExchange(route="r2", to="05201", section="r2#3"),
    )
    path.write_text("route,to\nr1,\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="line 2: route and to must not be empty"):
        read_given_list(path)


def test_a_bad_side_file_stops_the_scenario_at_load(tmp_path: Path) -> None:
    (tmp_path / "given.csv").write_text("route,to\nr1,\n", encoding="utf-8")
    path = _variant(
        tmp_path, "[solver]", '[exchange]\ngiven_file = "given.csv"\n\n[solver]'
    )
    with pytest.raises(InputFileError, match=r"given.csv`, line 2"):
        scenario_from_toml(path)


def test_side_files_are_read_once_and_again_when_a_path_changes(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.csv").write_text("route,to\nr1,05\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("route,to\nr2,05\n", encoding="utf-8")
    path = _variant(
        tmp_path, "[solver]", '[exchange]\ngiven_file = "a.csv"\n\n[solver]'
    )
    scenario = scenario_from_toml(path)
    assert scenario.side is not None
    (tmp_path / "a.csv").write_text("route,to\nchanged,05\n", encoding="utf-8")
    assert [g.route for g in side_files(scenario).given] == ["r1"]  # read at load
    other = dataclasses.replace(
        scenario,
        exchange=dataclasses.replace(scenario.exchange, given_file=Path("b.csv")),
    )
    assert [g.route for g in side_files(other).given] == ["r2"]
