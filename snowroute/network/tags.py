"""Reading OSM tag values: normalisation, ``;`` lists, speeds, lanes, closures."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = [
    "first",
    "is_winter_closed",
    "nfkc",
    "parse_lanes",
    "parse_speed_kph",
    "parse_width_m",
    "values",
]

_MPH = 1.609344
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")
_WINTER_MONTHS = ("dec", "jan", "feb")
_MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)


def nfkc(text: str) -> str:
    """Return ``text`` NFKC-normalised and stripped (full-width digits become ASCII).

    Examples
    --------
    >>> nfkc("県道２８号")
    '県道28号'
    """
    return unicodedata.normalize("NFKC", text).strip()


def values(value: Any) -> list[str]:
    """Split a tag value into its NFKC-normalised parts.

    A value may be missing, a ``;``-separated string, or a list of such strings
    (OSMnx makes lists where it merged ways with different tags).

    Examples
    --------
    >>> values("７;２８")
    ['7', '28']
    >>> values(["13", "13;E46"])
    ['13', 'E46']
    >>> values(None)
    []
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    items: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        for part in nfkc(str(item)).split(";"):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def first(value: Any, default: str = "") -> str:
    """Return the first part of a tag value, or ``default`` when it has none."""
    parts = values(value)
    return parts[0] if parts else default


def parse_speed_kph(value: Any) -> float | None:
    """Read an OSM ``maxspeed`` value in km/h; the lowest where several are given.

    Examples
    --------
    >>> parse_speed_kph("40")
    40.0
    >>> round(parse_speed_kph("25 mph"), 1)
    40.2
    >>> parse_speed_kph("signals") is None
    True
    """
    speeds = []
    for part in values(value):
        match = _NUMBER.search(part)
        if match is None:
            continue
        speed = float(match.group(1))
        if "mph" in part.lower():
            speed *= _MPH
        if speed > 0:
            speeds.append(speed)
    return min(speeds) if speeds else None


def parse_lanes(value: Any) -> int | None:
    """Read an OSM ``lanes`` value; the largest where several are given.

    Examples
    --------
    >>> parse_lanes("2;4")
    4
    >>> parse_lanes("") is None
    True
    """
    lanes = []
    for part in values(value):
        match = _NUMBER.search(part)
        if match is not None and float(match.group(1)) >= 1:
            lanes.append(math.floor(float(match.group(1))))
    return max(lanes) if lanes else None


def parse_width_m(value: Any) -> float | None:
    """Read an OSM ``width`` value in metres (``"5.5"``, ``"5.5 m"``, ``"18'"``).

    Examples
    --------
    >>> parse_width_m("5.5 m")
    5.5
    >>> round(parse_width_m("18'"), 2)
    5.49
    """
    widths = []
    for part in values(value):
        match = _NUMBER.search(part)
        if match is None:
            continue
        width = float(match.group(1))
        if part.rstrip().endswith(("'", "ft")):
            width *= 0.3048
        if width > 0:
            widths.append(width)
    return min(widths) if widths else None


def _months_in(text: str) -> set[str]:
    """Months named in an opening-hours style range such as ``Dec 1-Apr 30``."""
    found = [m for m in re.findall(r"[a-z]{3}", text.lower()) if m in _MONTHS]
    if len(found) < 2:
        return set(found)
    start, end = _MONTHS.index(found[0]), _MONTHS.index(found[1])
    if start <= end:
        return set(_MONTHS[start : end + 1])
    return set(_MONTHS[start:] + _MONTHS[: end + 1])


def is_winter_closed(tags: dict[str, Any]) -> bool:
    """Whether OSM tags close a road to motor traffic in winter (冬期閉鎖).

    Reads ``*:conditional`` access tags (``motor_vehicle``, ``vehicle``, ``access``,
    ``motorcar``) of the form ``no @ (Dec 1-Apr 30)``, and ``seasonal=summer``.

    Examples
    --------
    >>> is_winter_closed({"motor_vehicle:conditional": "no @ (Dec 1-Apr 30)"})
    True
    >>> is_winter_closed({"motor_vehicle:conditional": "no @ (Jun-Aug)"})
    False
    """
    if first(tags.get("seasonal")).lower() in {"summer", "yes"}:
        return True
    for key in (
        "motor_vehicle:conditional",
        "vehicle:conditional",
        "access:conditional",
        "motorcar:conditional",
    ):
        for part in values(tags.get(key)):
            verdict, _, condition = part.partition("@")
            if verdict.strip().lower() not in {"no", "private"}:
                continue
            if _months_in(condition) & set(_WINTER_MONTHS):
                return True
    return False
