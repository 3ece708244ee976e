"""Clock times of the shift: the one parser and the one formatting rule."""

from __future__ import annotations

import re

__all__ = ["clock_after", "parse_clock"]

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(text: str) -> int:
    """Seconds after midnight of a clock time ``HH:MM`` (``H:MM`` too).

    >>> parse_clock("03:30"), parse_clock("7:05")
    (12600, 25500)

    Raises
    ------
    ValueError
        When ``text`` is not a clock time from 00:00 to 23:59.
    """
    match = _CLOCK.match(text.strip())
    if match is None:
        msg = f"must be a clock time HH:MM, got {text!r}"
        raise ValueError(msg)
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


def clock_after(start_s: float, seconds: float) -> str:
    """Clock time ``HH:MM`` at ``seconds`` after ``start_s`` (seconds after midnight).

    ``+Nd`` marks a later day.

    >>> clock_after(3 * 3600, 5400)
    '04:30'
    >>> clock_after(23.5 * 3600, 3600)
    '00:30+1d'
    """
    minutes = round((start_s + seconds) / 60.0)
    day, minute = divmod(minutes, 24 * 60)
    text = f"{minute // 60:02d}:{minute % 60:02d}"
    return f"{text}+{day}d" if day else text
