"""Route sheets for drivers: streets in driving order, as CSV and printable HTML.

Consecutive edges with the same street and action are merged into one line, the
way a driver reads directions: "山王大通り, plow, 1.2 km, until 03:14". HTML is
rendered with jinja2 and autoescape, so street names from the data are always
escaped; CSV cells that a spreadsheet would run as a formula are quoted.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute.network import administrators
from snowroute.network import attributes as A
from snowroute.outputs.directions import (
    Turn,
    cross_streets,
    is_junction,
    turn_between,
)
from snowroute.outputs.drive import (
    DrivenRoute,
    Leg,
    clock_text,
    edge_data,
    elapsed_text,
    street_name,
)
from snowroute.outputs.model import InspectionStop
from snowroute.outputs.text import (
    date_text,
    plan_name,
    road_class_text,
    template_environment,
    texts,
)

__all__ = [
    "SHEET_COLUMNS",
    "SheetLine",
    "save_route_sheets",
    "sheet_lines",
    "sheet_pages",
]

#: Columns of a route sheet CSV, with their meaning.
SHEET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("step", "Line number, from 1."),
    ("street", "Street name, else route name or ref; `(unnamed <road class>)`."),
    (
        "action",
        "`plow` or `patrol` (working), `drive` (deadheading), `refill`, `inspect` "
        "(a structure inspected: `street` names it, its kind, id and minutes).",
    ),
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
        "road), else empty (always empty on patrol sheets).",
    ),
    (
        "turn",
        "How to get onto this line from the previous one: `depart`, `straight`, "
        "`slight_right`, `right`, `sharp_right`, `slight_left`, `left`, "
        "`sharp_left`, `uturn`, `uturn_dead_end` (empty for a refill).",
    ),
    ("cross", "Other streets meeting at that junction (up to two, `/`-separated)."),
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
    turn: str = ""
    cross: str = ""

    def row(self) -> dict[str, Any]:
        """Return the line as a CSV row."""
        return {name: getattr(self, name) for name, _ in SHEET_COLUMNS}


def _join(values: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(v for v in values if v))


def _street(
    data: Mapping[str, Any], t: Mapping[str, str], names: Mapping[str, str]
) -> str:
    """Street name, else what the road is: ``秋田市道 (名称なし・生活道路)``."""
    street = street_name(data)
    if street:
        return street
    road_class = str(data.get(A.ROAD_CLASS, data.get("highway", "")) or "")
    kind = road_class_text(road_class, t["lang"])
    admin = names.get(str(data.get(A.ADMIN_ID, "") or ""), "")
    if t["lang"] == "ja" and admin and not admin.endswith(("県", "省", "(MLIT)")):
        return f"{admin}道 ({t['unnamed']}・{kind})"
    return f"({t['unnamed']} {kind})"


def _stop_text(stop: InspectionStop, t: Mapping[str, str]) -> str:
    """``上町橋 (橋梁 B07, 40 分)``: the structure, its kind and id, time on site."""
    kind = t.get(f"kind.{stop.kind}", stop.kind)
    return f"{stop.name} ({kind} {stop.structure_id}, {stop.minutes:.0f} {t['min']})"


def _split_here(G: nx.MultiDiGraph, previous: Leg | None, turn: Turn | None) -> bool:
    """Whether a turn starts a new line even on the same street."""
    if previous is None or turn is None:
        return False
    if turn.kind.startswith("uturn"):
        return True
    return not turn.straight and is_junction(G, previous.edge)


def _groups(
    G: nx.MultiDiGraph, route: DrivenRoute, t: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Legs grouped into lines: one per street and action, split at real turns."""
    names = {a: info.get("name", "") for a, info in administrators(G).items()}
    groups: list[dict[str, Any]] = []
    refills = dict(route.refills)
    stops = dict(route.stops)
    previous: Leg | None = None
    for index, leg in enumerate([*route.legs, None]):
        if index in refills:
            at = leg.start_s if leg else route.duration_s
            groups.append(
                {"street": refills[index], "action": "refill", "legs": [], "at": at}
            )
        if leg is None:
            break
        data = edge_data(G, leg.edge)
        street = _street(data, t, names)
        action = route.activity if leg.serving else "drive"
        if index in stops:  # an inspection: a line of its own, naming the structure
            street, action = _stop_text(stops[index], t), "inspect"
        turn = None if previous is None else turn_between(G, previous.edge, leg.edge)
        last = groups[-1] if groups else None
        if (
            last is not None
            and (last["street"], last["action"]) == (street, action)
            and action != "inspect"
            and not _split_here(G, previous, turn)
        ):
            last["legs"].append((leg, data))
        else:
            groups.append(
                {
                    "street": street,
                    "action": action,
                    "legs": [(leg, data)],
                    "turn": "depart" if turn is None else turn.kind,
                    "cross": []
                    if turn is None
                    else cross_streets(
                        G,
                        turn.node,
                        skip=(street, last["street"] if last else ""),
                    )[:2],
                }
            )
        previous = leg
    return groups


def sheet_lines(
    G: nx.MultiDiGraph, route: DrivenRoute, *, lang: str = "en"
) -> list[SheetLine]:
    """Return the route sheet lines of ``route``: one per instruction.

    Consecutive edges of one street and action are merged into one line; a line
    also starts where the driver turns off at a junction or turns round. Each line
    says how to get onto it (``turn``, from the geometry: see
    :mod:`snowroute.outputs.directions`) and which other streets meet there.
    """
    t = {**texts(lang), "lang": lang}
    out = []
    cum_m = 0.0
    for step, group in enumerate(_groups(G, route, t), start=1):
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
                turn=group.get("turn", ""),
                cross=" / ".join(group.get("cross", [])),
            )
        )
    return out


def _for_other(route: DrivenRoute, action: str, legs: list[Any]) -> str:
    """``yes`` when a plowing line clears a road another administrator owns.

    Patrol routes cover other administrators' roads by design (the prefecture
    patrols municipal roads with its own), not by exchange: never marked.
    """
    if action != "plow" or not legs:
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


def plan_label(plan: str, lang: str) -> str:
    """Name a plan as a sheet shows it; a patrol day's with its date.

    >>> plan_label("patrol-2026-12-01", "ja"), plan_label("optimized", "ja")
    ('巡回 12月1日(火)', '最適化案')
    """
    match = re.fullmatch(r"(.+)-(\d{4}-\d{2}-\d{2})", plan)
    if match is None:
        return plan_name(plan, lang)
    day = dt.date.fromisoformat(match.group(2))
    return f"{plan_name(match.group(1), lang)} {date_text(day, lang)}"


def _summary(
    route: DrivenRoute, depot_names: Mapping[str, str], lang: str
) -> dict[str, Any]:
    return {
        "plan": plan_label(route.plan, lang),
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


#: Lines of a sheet in each of the two columns of its first printed A4 page, and
#: of every later page: the print CSS of ``sheet.html.j2`` gives every row one text
#: line 3 mm high (7.5 pt; 3.26 mm with its border), so a column of 80 rows and its
#: head take 264 mm of the
#: 281 mm inside the 8 mm margins; the first page also holds the route header.
ROWS_FIRST, ROWS_PER_COLUMN = 72, 80


def sheet_pages(lines: Sequence[SheetLine]) -> list[list[list[SheetLine]]]:
    """Split ``lines`` into printed pages of two columns each (see ``ROWS_FIRST``).

    >>> [[len(c) for c in page] for page in sheet_pages([None] * 200)]
    [[72, 72], [56]]
    """
    columns: list[list[SheetLine]] = []
    rest = list(lines)
    first = True
    while rest or first:
        size = ROWS_FIRST if len(columns) < 2 else ROWS_PER_COLUMN
        columns.append(rest[:size])
        rest = rest[size:]
        first = False
    return [columns[i : i + 2] for i in range(0, len(columns), 2)]


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
    owners = {a: info.get("name") or a for a, info in administrators(G).items()}
    env = template_environment()
    sheet = env.get_template("sheet.html.j2")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    pages = []
    for route in routes:
        lines = sheet_lines(G, route, lang=lang)
        csv_path = folder / f"{route.stem}.csv"
        _write_csv(csv_path, lines)
        page = {
            "route": _summary(route, names, lang),
            "lines": lines,
            "columns": sheet_pages(lines),
        }
        pages.append(page)
        html_path = folder / f"{route.stem}.html"
        html_path.write_text(
            sheet.render(t=t, lang=lang, pages=[page], index=False, owners=owners),
            encoding="utf-8",
        )
        out += [csv_path, html_path]
    index = folder / "index.html"
    index.write_text(
        sheet.render(t=t, lang=lang, pages=pages, index=True, owners=owners),
        encoding="utf-8",
    )
    out.append(index)
    return out
