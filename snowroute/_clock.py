"""Clock times of the shift: the one formatting rule every report shares."""

from __future__ import annotations

__all__ = ["clock_after"]


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
