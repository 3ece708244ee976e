"""The side files a scenario names, read and checked when the scenario is loaded.

An exchange list (``exchange.given_file``), the last patrol visits
(``patrol.last_visits``) and the structures to inspect (``patrol.structures``) are
plain CSV tables (read by :func:`snowroute._io.read_csv`: UTF-8 or Shift_JIS). They
are parsed by :func:`~snowroute.scenario.load.scenario_from_toml`, so a bad row
stops the run before any network is read or any route searched; the planners take
them from :func:`side_files`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from snowroute._errors import InputFileError
from snowroute._io import CsvRow, read_csv
from snowroute.scenario.schema import spec

if TYPE_CHECKING:
    from snowroute.scenario.model import Scenario

__all__ = [
    "KINDS",
    "GivenExchange",
    "SideFiles",
    "Structure",
    "read_given_list",
    "read_last_visits",
    "read_side_files",
    "read_structures",
    "side_files",
    "valid_lon_lat",
]

#: Structure kinds.
KINDS = ("bridge", "tunnel", "other")
_STRUCTURE_COLUMNS = ("structure_id", "kind", "lon", "lat", "minutes_on_site")


@dataclass(frozen=True, slots=True, kw_only=True)
class GivenExchange:
    """One entry of an exchange list: a route (or a section of it) and its taker."""

    route: str = spec(
        "Route id (see routes.csv of `snowroute network tag`).",
        "05201/municipal/新屋線",
    )
    to: str = spec("Administrator id that takes the route over.", "05")
    section: str | None = spec(
        "Section id of the route (all of it when not given).",
        "05201/municipal/新屋線#2",
        default=None,
    )


def valid_lon_lat(lon: float, lat: float) -> bool:
    """Whether ``lon``/``lat`` are finite WGS84 degrees.

    >>> valid_lon_lat(140.1, 39.7), valid_lon_lat(39.7, 140.1)
    (True, False)
    """
    return (
        math.isfinite(lon)
        and math.isfinite(lat)
        and -180 <= lon <= 180
        and -90 <= lat <= 90
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Structure:
    """
    A bridge, tunnel or other structure with its inspection cycle.

    Parameters
    ----------
    structure_id, kind, name, admin_id
        Identity; ``kind`` is one of :data:`KINDS`.
    lon, lat
        Location (WGS84).
    last_inspection, interval_years
        Last inspection date and the cycle in years (due = last + interval).
    due_date
        Explicit due date, instead of the cycle.
    minutes_on_site
        Time the inspection takes at the structure.

    Raises
    ------
    ValueError
        When a field is invalid or neither a due date nor a cycle is given.
    """

    structure_id: str
    kind: str
    name: str = ""
    admin_id: str = ""
    lon: float
    lat: float
    last_inspection: dt.date | None = None
    interval_years: int | None = None
    due_date: dt.date | None = None
    minutes_on_site: float

    def __post_init__(self) -> None:
        if not self.structure_id:
            msg = "`structure_id` must not be empty."
            raise ValueError(msg)
        if self.kind not in KINDS:
            msg = f"`kind` must be one of {', '.join(KINDS)}, got {self.kind!r}."
            raise ValueError(msg)
        if not valid_lon_lat(self.lon, self.lat):
            msg = f"`lon`/`lat` must be WGS84 degrees, got {self.lon}, {self.lat}."
            raise ValueError(msg)
        if not (math.isfinite(self.minutes_on_site) and self.minutes_on_site >= 0):
            msg = f"`minutes_on_site` must be >= 0, got {self.minutes_on_site}."
            raise ValueError(msg)
        if self.interval_years is not None and self.interval_years < 1:
            msg = f"`interval_years` must be at least 1, got {self.interval_years}."
            raise ValueError(msg)
        if self.due_date is None and (
            self.last_inspection is None or self.interval_years is None
        ):
            msg = "give `due_date`, or `last_inspection` and `interval_years`."
            raise ValueError(msg)

    @property
    def due(self) -> dt.date:
        """Date the next inspection is due."""
        if self.due_date is not None:
            return self.due_date
        assert self.last_inspection is not None
        assert self.interval_years is not None
        last = self.last_inspection
        year = last.year + self.interval_years
        try:
            return last.replace(year=year)
        except ValueError:  # 29 February
            return last.replace(year=year, day=28)


@dataclass(frozen=True, slots=True)
class SideFiles:
    """What a scenario's side files hold, with the paths they were read from.

    ``given`` holds the rows of ``exchange.given_file`` only (the TOML's own
    ``exchange.given`` stays in the scenario); ``last_visits`` the latest date per
    section id; ``structures`` is ``None`` without a structures file.
    """

    given: tuple[GivenExchange, ...] = ()
    last_visits: Mapping[str, dt.date] = field(default_factory=dict)
    structures: tuple[Structure, ...] | None = None
    read_from: tuple[Path | None, ...] = (None, None, None)


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _number(row: CsvRow, column: str) -> float:
    text = row.get(column)
    try:
        return float(text)
    except ValueError:
        msg = f"`{column}` must be a number, got {text!r}"
        raise ValueError(msg) from None


def _structure(row: CsvRow) -> Structure:
    interval = _number(row, "interval_years") if row.get("interval_years") else None
    if interval is not None and not interval.is_integer():
        msg = f"`interval_years` must be a whole number of years, got {interval:g}"
        raise ValueError(msg)
    return Structure(
        structure_id=row.get("structure_id"),
        kind=row.get("kind").lower(),
        name=row.get("name"),
        admin_id=row.get("admin_id"),
        lon=_number(row, "lon"),
        lat=_number(row, "lat"),
        last_inspection=_date(row.get("last_inspection")),
        interval_years=None if interval is None else int(interval),
        due_date=_date(row.get("due_date")),
        minutes_on_site=_number(row, "minutes_on_site"),
    )


def read_structures(path: Path) -> tuple[Structure, ...]:
    """
    Read a structures CSV.

    Columns ``structure_id, kind, name, admin_id, lon, lat, last_inspection,
    interval_years, minutes_on_site``, and optionally ``due_date``; either
    ``due_date`` or both ``last_inspection`` and ``interval_years`` per row.

    Raises
    ------
    InputFileError
        When the file lacks a column, a row has a bad value, or an id repeats; the
        message names the line.
    """
    out: list[Structure] = []
    seen: set[str] = set()
    what = "Structures file"
    for row in read_csv(path, what=what, required=_STRUCTURE_COLUMNS):
        try:
            structure = _structure(row)
        except ValueError as exc:
            reason = str(exc).rstrip(".")
            msg = f"{what} `{path}`, line {row.line}: {reason}."
            raise InputFileError(msg) from None
        if structure.structure_id in seen:
            msg = (
                f"{what} `{path}`, line {row.line}: structure id "
                f"{structure.structure_id!r} repeats."
            )
            raise InputFileError(msg)
        seen.add(structure.structure_id)
        out.append(structure)
    return tuple(out)


def read_last_visits(path: Path) -> dict[str, dt.date]:
    """
    Read the last visit date of each section before the horizon (CSV).

    Columns ``section_id`` and ``date`` (ISO); the latest date wins where a section
    repeats.

    Raises
    ------
    InputFileError
        When the file lacks a column or a date is not an ISO date.
    """
    out: dict[str, dt.date] = {}
    what = "Last-visits file"
    for row in read_csv(path, what=what, required=("section_id", "date")):
        try:
            date = dt.date.fromisoformat(row.get("date"))
        except ValueError:
            msg = (
                f"{what} `{path}`, line {row.line}: {row.get('date')!r} is not "
                "a date (YYYY-MM-DD)."
            )
            raise InputFileError(msg) from None
        section = row.get("section_id")
        if section not in out or date > out[section]:
            out[section] = date
    return out


def read_given_list(path: Path) -> tuple[GivenExchange, ...]:
    """Read an exchange list CSV: columns ``route``, ``to`` and optionally ``section``.

    Raises
    ------
    InputFileError
        When the CSV lacks the ``route`` or ``to`` column or a row lacks a value.
    """
    what = "Exchange list"
    out = []
    for row in read_csv(path, what=what, required=("route", "to")):
        route, to = row.get("route"), row.get("to")
        if not route or not to:
            msg = f"{what} `{path}`, line {row.line}: route and to must not be empty."
            raise InputFileError(msg)
        out.append(
            GivenExchange(route=route, to=to, section=row.get("section") or None)
        )
    return tuple(out)


def _paths(scenario: Scenario) -> tuple[Path | None, ...]:
    patrol = scenario.patrol
    names = (
        scenario.exchange.given_file,
        None if patrol is None else patrol.last_visits,
        None if patrol is None else patrol.structures,
    )
    return tuple(None if p is None else scenario.resolve(p) for p in names)


def read_side_files(scenario: Scenario) -> SideFiles:
    """Read every side file ``scenario`` names.

    Raises
    ------
    InputFileError
        Naming the file, line and cause of the first bad row.
    """
    given, visits, structures = paths = _paths(scenario)
    return SideFiles(
        given=() if given is None else read_given_list(given),
        last_visits={} if visits is None else read_last_visits(visits),
        structures=None if structures is None else read_structures(structures),
        read_from=paths,
    )


def side_files(scenario: Scenario) -> SideFiles:
    """Return the side files of ``scenario``: those read at load time, or read now.

    A scenario loaded by ``scenario_from_toml`` carries its side files; one built
    or changed in code whose file fields differ from what was read gets them read
    here.
    """
    side = scenario.side
    if side is not None and side.read_from == _paths(scenario):
        return side
    return read_side_files(scenario)
