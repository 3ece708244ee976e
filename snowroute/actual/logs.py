"""GPS logs of plow vehicles: GPX and CSV readers and writer, the vehicle table.

A log is one :class:`Track` per vehicle: POSIX times (UTC seconds), WGS84
longitudes and latitudes and, where the log has them, plow-down flags. CSV logs
have the columns ``vehicle``, ``time``, ``lat``, ``lon`` and optionally ``plow``
(``1``/``0``, ``true``/``false``, ``down``/``up``; other columns such as a
``spreader`` flag are ignored); times are ISO
8601, in the stated offset or else in the log's time zone (``Asia/Tokyo`` by
default). Files are UTF-8 or Shift_JIS; one file may hold many vehicles and one
vehicle may span many files. GPX files give one vehicle per track (its name, else
the file name).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from snowroute._errors import InputFileError
from snowroute._io import read_csv, read_text

__all__ = [
    "DEFAULT_TZ",
    "FLEET_FILE",
    "FleetEntry",
    "Track",
    "read_fleet_table",
    "read_logs",
    "write_csv_log",
    "write_log_folder",
]

#: Time zone of log times that state no offset.
DEFAULT_TZ = "Asia/Tokyo"
#: File of a log folder mapping vehicle ids to fleets.
FLEET_FILE = "vehicles.csv"

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_TRUE = {"1", "true", "yes", "down", "on", "y", "t"}
_FALSE = {"0", "false", "no", "up", "off", "n", "f", ""}


@dataclass(frozen=True, slots=True, eq=False)
class Track:
    """
    One vehicle's GPS fixes in time order.

    Parameters
    ----------
    vehicle
        Vehicle id as the log names it.
    t
        POSIX time of each fix (seconds, UTC), non-decreasing.
    lon, lat
        WGS84 degrees.
    plow
        Plow-down flag of each fix, or None when the log has none.
    source
        File(s) the fixes came from (for messages).
    """

    vehicle: str
    t: FloatArray
    lon: FloatArray
    lat: FloatArray
    plow: BoolArray | None = None
    source: str = ""

    def __post_init__(self) -> None:
        n = len(self.t)
        if not len(self.lon) == len(self.lat) == n or (
            self.plow is not None and len(self.plow) != n
        ):
            msg = f"Track of `{self.vehicle}` has arrays of different lengths."
            raise ValueError(msg)
        if n > 1 and bool((np.diff(self.t) < 0).any()):
            msg = f"Track of `{self.vehicle}` goes back in time."
            raise ValueError(msg)

    def __len__(self) -> int:
        return len(self.t)


@dataclass(frozen=True, slots=True)
class FleetEntry:
    """A row of the vehicle table: a vehicle's fleet and the route it drove."""

    vehicle: str
    fleet: str
    route_no: int | None = None


def read_fleet_table(
    path: str | os.PathLike[str], *, fleets: Iterable[str]
) -> dict[str, FleetEntry]:
    """
    Read the table mapping vehicle ids to the scenario's fleets (vehicle classes).

    Columns ``vehicle``, ``fleet`` and optionally ``route_no`` (the planned route
    the vehicle drove; matched by overlap where empty).

    Raises
    ------
    InputFileError
        When the file is unreadable, names a fleet the scenario lacks, repeats a
        vehicle or has a bad route number.
    """
    known = set(fleets)
    out: dict[str, FleetEntry] = {}
    what = "Vehicle table"
    for row in read_csv(
        path,
        what=what,
        required=("vehicle", "fleet"),
        allowed=("vehicle", "fleet", "route_no"),
    ):
        vehicle, fleet, no = row.get("vehicle"), row.get("fleet"), row.get("route_no")
        where = f"{what} `{path}` line {row.line}"
        if fleet not in known:
            msg = (
                f"{where} names fleet {fleet!r}, which the scenario lacks (fleets: "
                f"{', '.join(sorted(known))})."
            )
            raise InputFileError(msg)
        if not vehicle or vehicle in out:
            msg = f"{where} has an empty or repeated vehicle id {vehicle!r}."
            raise InputFileError(msg)
        if no and not (no.isdigit() and int(no) >= 1):
            msg = f"{where} has route_no {no!r}, not a positive whole number."
            raise InputFileError(msg)
        out[vehicle] = FleetEntry(vehicle, fleet, int(no) if no else None)
    return out


def _flags(values: pd.Series, path: Path, column: str) -> BoolArray:
    text = values.fillna("").astype(str).str.strip().str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        msg = (
            f"Log `{path}` line {line} has {column} {values.iloc[line - 2]!r}, not "
            "1/0, true/false or down/up."
        )
        raise InputFileError(msg)
    return text.isin(_TRUE).to_numpy()


def _times(values: pd.Series, path: Path, tz: str) -> FloatArray:
    try:
        parsed = pd.to_datetime(values, format="ISO8601")
    except (ValueError, TypeError):
        msg = (
            f"Log `{path}` has a time that is not ISO 8601 or mixes times with and "
            "without an offset."
        )
        raise InputFileError(msg) from None
    if parsed.dt.tz is None:
        try:
            parsed = parsed.dt.tz_localize(tz)
        except Exception:
            msg = f"Log `{path}` has local times that do not exist in time zone {tz!r}."
            raise InputFileError(msg) from None
    if parsed.isna().any():
        line = int(np.flatnonzero(parsed.isna().to_numpy())[0]) + 2
        msg = f"Log `{path}` line {line} has no time."
        raise InputFileError(msg)
    utc = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    seconds = (utc - pd.Timestamp(0)).dt.total_seconds()
    return np.asarray(seconds, dtype=np.float64)


def _read_csv_log(path: Path, tz: str) -> list[Track]:
    text = read_text(path, what="Log")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True)
    except (ValueError, pd.errors.ParserError):
        msg = f"Log `{path}` is not a CSV table."
        raise InputFileError(msg) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in ("vehicle", "time", "lat", "lon") if c not in frame.columns]
    if missing:
        msg = f"Log `{path}` lacks the column {missing[0]!r}."
        raise InputFileError(msg)
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
    bad = ~(
        np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    )
    if bad.any():
        line = int(np.flatnonzero(bad)[0]) + 2
        msg = f"Log `{path}` line {line} has no valid lat/lon in degrees."
        raise InputFileError(msg)
    t = _times(frame["time"], path, tz)
    plow = _flags(frame["plow"], path, "plow") if "plow" in frame.columns else None
    vehicles = frame["vehicle"].fillna("").astype(str).str.strip().to_numpy()
    if (vehicles == "").any():
        line = int(np.flatnonzero(vehicles == "")[0]) + 2
        msg = f"Log `{path}` line {line} has no vehicle id."
        raise InputFileError(msg)
    tracks = []
    for vehicle in dict.fromkeys(vehicles.tolist()):
        rows = np.flatnonzero(vehicles == vehicle)
        back = np.flatnonzero(np.diff(t[rows]) < 0)
        if len(back):
            msg = (
                f"Log `{path}` line {int(rows[back[0] + 1]) + 2} goes back in time "
                f"for vehicle {vehicle!r}; sort the fixes by time."
            )
            raise InputFileError(msg)
        tracks.append(
            Track(
                vehicle,
                t[rows],
                lon[rows],
                lat[rows],
                None if plow is None else plow[rows],
                str(path),
            )
        )
    return tracks


def _gpx_time(value: object, tz: str) -> float:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(tz)
    return float(stamp.timestamp())


def _read_gpx_log(path: Path, tz: str) -> list[Track]:
    import gpxpy
    import gpxpy.gpx

    text = read_text(path, what="Log")
    try:
        gpx = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        reason = str(exc).splitlines()[0].rstrip(".") if str(exc) else "unreadable"
        msg = f"Log `{path}` is not valid GPX ({reason})."
        raise InputFileError(msg) from None
    tracks = []
    for n, trk in enumerate(gpx.tracks, start=1):
        points = [p for seg in trk.segments for p in seg.points]
        if any(p.time is None for p in points):
            msg = f"Log `{path}` track {n} has a point without a time."
            raise InputFileError(msg)
        vehicle = (trk.name or "").strip() or (
            path.stem if len(gpx.tracks) == 1 else f"{path.stem}-{n}"
        )
        t = np.array([_gpx_time(p.time, tz) for p in points], dtype=float)
        back = np.flatnonzero(np.diff(t) < 0)
        if len(back):
            msg = (
                f"Log `{path}` track {vehicle!r} goes back in time at point "
                f"{int(back[0]) + 2}; sort the points by time."
            )
            raise InputFileError(msg)
        lon = np.array([p.longitude for p in points], dtype=float)
        lat = np.array([p.latitude for p in points], dtype=float)
        tracks.append(Track(vehicle, t, lon, lat, None, str(path)))
    return tracks


def _join(parts: Sequence[Track]) -> Track:
    if len(parts) == 1:
        return parts[0]
    t = np.concatenate([p.t for p in parts])
    order = np.argsort(t, kind="stable")
    flags = [p.plow for p in parts if p.plow is not None]
    plow: BoolArray | None = None
    if len(flags) == len(parts):
        plow = np.concatenate(flags)[order]
    return Track(
        parts[0].vehicle,
        t[order],
        np.concatenate([p.lon for p in parts])[order],
        np.concatenate([p.lat for p in parts])[order],
        plow,
        ", ".join(dict.fromkeys(p.source for p in parts)),
    )


def read_logs(
    folder: str | os.PathLike[str], *, tz: str = DEFAULT_TZ
) -> dict[str, Track]:
    """
    Read every GPS log (``*.csv`` but ``vehicles.csv``, ``*.gpx``) of ``folder``.

    Returns
    -------
    dict
        Vehicle id to its :class:`Track` (fixes of several files merged by time).

    Raises
    ------
    InputFileError
        When the folder holds no log, or a log is malformed: not GPX, not CSV, in
        neither UTF-8 nor Shift_JIS, without a needed column, with a bad time,
        flag or coordinate, or with times going backwards for a vehicle.
    """
    root = Path(folder)
    if not root.is_dir():
        msg = f"Log folder `{root}` does not exist or is not a folder."
        raise InputFileError(msg)
    files = sorted(
        p
        for p in root.iterdir()
        if p.is_file() and p.name != FLEET_FILE and p.suffix.lower() in {".csv", ".gpx"}
    )
    if not files:
        msg = f"Log folder `{root}` holds no GPS log (*.gpx or *.csv)."
        raise InputFileError(msg)
    try:
        pd.Timestamp("2000-01-01").tz_localize(tz)
    except Exception:
        msg = f"`tz` must be a time zone name like 'Asia/Tokyo', got {tz!r}."
        raise InputFileError(msg) from None
    parts: dict[str, list[Track]] = {}
    for path in files:
        read = _read_gpx_log if path.suffix.lower() == ".gpx" else _read_csv_log
        for track in read(path, tz):
            parts.setdefault(track.vehicle, []).append(track)
    return {vehicle: _join(p) for vehicle, p in sorted(parts.items())}


def write_csv_log(
    path: str | os.PathLike[str],
    tracks: Iterable[Track],
    *,
    tz: str = DEFAULT_TZ,
) -> None:
    """Write ``tracks`` as one CSV log (UTF-8, local times with their offset)."""
    frames = []
    for track in tracks:
        stamps = pd.to_datetime(track.t, unit="s", utc=True).tz_convert(tz)
        frame = pd.DataFrame(
            {
                "vehicle": track.vehicle,
                "time": stamps.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(
                    r"(\d\d)(\d\d)$", r"\1:\2", regex=True
                ),
                "lat": np.round(track.lat, 7),
                "lon": np.round(track.lon, 7),
            }
        )
        if track.plow is not None:
            frame["plow"] = track.plow.astype(int)
        frames.append(frame)
    pd.concat(frames).to_csv(path, index=False)


def write_log_folder(
    folder: str | os.PathLike[str],
    tracks: Mapping[str, Track],
    fleets: Mapping[str, FleetEntry],
    *,
    tz: str = DEFAULT_TZ,
) -> list[Path]:
    """Write a CSV log per vehicle and ``vehicles.csv`` into the existing ``folder``."""
    root = Path(folder)
    paths = []
    for vehicle, track in tracks.items():
        path = root / f"{_safe(vehicle)}.csv"
        write_csv_log(path, [track], tz=tz)
        paths.append(path)
    table = pd.DataFrame(
        [
            {"vehicle": e.vehicle, "fleet": e.fleet, "route_no": e.route_no or ""}
            for e in fleets.values()
        ],
        columns=["vehicle", "fleet", "route_no"],
    )
    table.to_csv(root / FLEET_FILE, index=False)
    return [*paths, root / FLEET_FILE]


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name) or "vehicle"
