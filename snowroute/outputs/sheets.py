"""Route sheets for drivers: streets in driving order, as CSV and printable HTML.

Consecutive edges with the same street and action are merged into one line, the
way a driver reads directions: "山王大通り, plow, 1.2 km, until 03:14". HTML is
rendered with jinja2 and autoescape, so street names from the data are always
escaped; CSV cells that a spreadsheet would run as a formula are quoted.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute.network import attributes as A
from snowroute.outputs.drive import (
    DrivenRoute,
    clock_text,
    edge_data,
    elapsed_text,
    street_name,
)
from snowroute.outputs.text import template_environment, texts

__all__ = [
    "SHEET_COLUMNS",
    "SheetLine",
    "save_route_sheets",
    "sheet_lines",
]

#: Columns of a route sheet CSV, with their meaning.
SHEET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("step", "Line number, from 1."),
    ("street", "Street name, else route name or ref; `(unnamed <road class>)`."),
    ("action", "`plow` or `patrol` (working), `drive` (deadheading), `refill`."),
    ("km", "Kilometres of this line."),
    ("cum_km", "Kilometres from the depot to the end of this line."),
    ("start", "Clock time (HH:MM, `+1` next day) entering the line."),
    ("end", "Clock time leaving the line."),
    ("elapsed", "Time since leaving the depot at the end of this line (H:MM)."),
    ("road_admin", "Administrator(s) owning the road."),
    ("route_name", "Route name(s) of the road."),
    ("n_edges", "Network edges merged into this line."),
    (
        "for_other",
        "`yes` when the line plows another administrator's road (an exchanged "
        "road), else empty.",
    ),
)


@dataclass(frozen=True, slots=True)
class SheetLine:
    """One line of a route sheet (see :data:`SHEET_COLUMNS`)."""

    step: int
    street: str
    action: str
    km: float
    cum_km: float
    start: str
    end: str
    elapsed: str
    road_admin: str
    route_name: str
    n_edges: int
    for_other: str = ""

    def row(self) -> dict[str, Any]:
        """Return the line as a CSV row."""
        return {name: getattr(self, name) for name, _ in SHEET_COLUMNS}


def _join(values: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(v for v in values if v))


def sheet_lines(
    G: nx.MultiDiGraph, route: DrivenRoute, *, lang: str = "en"
) -> list[SheetLine]:
    """Return the route sheet lines of ``route``.

    Consecutive edges of one street and action are merged into one line.
    """
    t = texts(lang)
    groups: list[dict[str, Any]] = []
    refills = dict(route.refills)
    for index, leg in enumerate([*route.legs, None]):
        if index in refills:
            groups.append(
                {
                    "street": refills[index],
                    "action": "refill",
                    "legs": [],
                    "at": leg.start_s if leg else route.duration_s,
                }
            )
        if leg is None:
            break
        data = edge_data(G, leg.edge)
        street = street_name(data)
        if not street:
            road_class = str(data.get(A.ROAD_CLASS, data.get("highway", "")) or "")
            street = f"({t['unnamed']} {road_class})".replace(" )", ")")
        action = route.activity if leg.serving else "drive"
        last = groups[-1] if groups else None
        if last is not None and last["street"] == street and last["action"] == action:
            last["legs"].append((leg, data))
        else:
            groups.append({"street": street, "action": action, "legs": [(leg, data)]})
    out = []
    cum_m = 0.0
    for step, group in enumerate(groups, start=1):
        legs = group["legs"]
        metres = math.fsum(leg.length_m for leg, _ in legs)
        cum_m += metres
        start = legs[0][0].start_s if legs else group["at"]
        end = legs[-1][0].end_s if legs else group["at"]
        out.append(
            SheetLine(
                step=step,
                street=group["street"],
                action=group["action"],
                km=round(metres / 1000.0, 3),
                cum_km=round(cum_m / 1000.0, 3),
                start=clock_text(route.start_clock, start),
                end=clock_text(route.start_clock, end),
                elapsed=elapsed_text(end),
                road_admin=_join(str(d.get(A.ADMIN_ID, "") or "") for _, d in legs),
                route_name=_join(str(d.get(A.ROUTE_NAME, "") or "") for _, d in legs),
                n_edges=len(legs),
                for_other=_for_other(route, group["action"], legs),
            )
        )
    return out


def _for_other(route: DrivenRoute, action: str, legs: list[Any]) -> str:
    """``yes`` when a working line serves a road another administrator owns."""
    if action == "drive" or not legs:
        return ""
    owners = {str(d.get(A.ADMIN_ID, "") or "") for _, d in legs}
    return "yes" if owners - {route.admin, ""} else ""


def _csv_cell(value: Any) -> Any:
    # a text cell starting with = + - @ (or a tab/CR) runs as a formula in a
    # spreadsheet; a leading apostrophe keeps it text
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _write_csv(path: Path, lines: Sequence[SheetLine]) -> None:
    # UTF-8 with a byte-order mark: spreadsheets in Japan then read it as UTF-8
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[name for name, _ in SHEET_COLUMNS])
        writer.writeheader()
        for line in lines:
            writer.writerow({k: _csv_cell(v) for k, v in line.row().items()})


def _summary(route: DrivenRoute, depot_names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "plan": route.plan,
        "label": route.label,
        "stem": route.stem,
        "depot": route.depot,
        "depot_name": depot_names.get(route.depot, ""),
        "served_by": route.admin,
        "start": clock_text(route.start_clock, 0.0),
        "end": clock_text(route.start_clock, route.duration_s),
        "work_km": f"{route.served_m / 1000.0:.2f}",
        "drive_km": f"{route.deadhead_m / 1000.0:.2f}",
        "total_km": f"{(route.served_m + route.deadhead_m) / 1000.0:.2f}",
        "duration": elapsed_text(route.duration_s),
        "activity": route.activity,
    }


def save_route_sheets(
    G: nx.MultiDiGraph,
    routes: Sequence[DrivenRoute],
    folder: Path,
    *,
    depot_names: Mapping[str, str] | None = None,
    lang: str = "en",
) -> list[Path]:
    """Write ``folder/<plan>_<vehicle>_<n>.csv`` and ``.html`` per route.

    Also ``folder/index.html``: every sheet of every plan, printable in one go.

    Raises
    ------
    ValueError
        When ``lang`` is not ``en`` or ``ja``.
    """
    t = texts(lang)
    names = depot_names or {}
    env = template_environment()
    sheet = env.get_template("sheet.html.j2")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    pages = []
    for route in routes:
        lines = sheet_lines(G, route, lang=lang)
        csv_path = folder / f"{route.stem}.csv"
        _write_csv(csv_path, lines)
        page = {"route": _summary(route, names), "lines": lines}
        pages.append(page)
        html_path = folder / f"{route.stem}.html"
        html_path.write_text(
            sheet.render(t=t, lang=lang, pages=[page], index=False), encoding="utf-8"
        )
        out += [csv_path, html_path]
    index = folder / "index.html"
    index.write_text(
        sheet.render(t=t, lang=lang, pages=pages, index=True), encoding="utf-8"
    )
    out.append(index)
    return out
