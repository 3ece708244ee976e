"""The reference of every output file, layer and field, rendered as Markdown.

``docs/outputs.md`` is this text (a test keeps it in step); every output folder
gets a copy as ``outputs.md``.
"""

from __future__ import annotations

from pathlib import Path

from snowroute.outputs.layers import LAYERS
from snowroute.outputs.sheets import SHEET_COLUMNS

__all__ = ["outputs_markdown", "save_outputs_doc"]

_INTRO = """\
# Output files

`snowroute.outputs.save_outputs` (and `snowroute run`) writes these files into the
output folder. Text that comes from the input data (street, route, depot, vehicle and
plan names) is escaped in every HTML file.

{files}
Patrol routes are written like plow routes, their plan name followed by the day
(`<plan>-<YYYY-MM-DD>_<vehicle>_<n>`). `<vehicle>` is the vehicle class id and `<n>`
numbers the routes of that class in the plan, from 1; characters other than
letters, digits, `.` and `-` become `-` in file names.

Times: `start_s`/`end_s` are seconds after the shift start. Each edge takes its
service time (length at the vehicle's plow speed, plus any fixed time per pass) when
it is served and its deadhead time otherwise, exactly as the plan validator counts.
"""

_FILES: tuple[tuple[str, str], ...] = (
    (
        "routes.gpkg",
        "GeoPackage for QGIS/ArcGIS, in the run's projected CRS ({crs}; the same "
        "in `network.gpkg` and `left_out.gpkg`, set by `network.output_crs`): the "
        "layers below, each with its QGIS default style (table `layer_styles`).",
    ),
    ("geojson/<layer>.geojson", "The same layers in WGS84 (EPSG:4326, RFC 7946)."),
    (
        "gpx/<plan>_<vehicle>_<n>.gpx",
        "GPX 1.1 of one vehicle route (depot to depot): a working track (type "
        "`plow` or `patrol`) and an empty-driving track (type `drive`), a segment "
        "per stretch; waypoints for the depot (type `depot`) and for every turn of "
        "the route sheet (type `turn`, named `<line> <turn> <street>`).",
    ),
    (
        "sheets/<plan>_<vehicle>_<n>.csv",
        "Route sheet as CSV (UTF-8 with BOM), columns below.",
    ),
    (
        "sheets/<plan>_<vehicle>_<n>.html",
        "The printable route sheet for the driver: turn-by-turn lines in two "
        "columns per A4 page (a city route of 300 lines fits on 2 pages).",
    ),
    ("sheets/index.html", "Every route with totals, and every sheet in one page."),
    ("map.html", "Web map (Leaflet), self-contained: opens offline in any browser."),
    (
        "report.html",
        "The council report (`snowroute run`/`demo`, in `--lang`): see below; prints "
        "on A4 from the browser.",
    ),
    (
        "exchange_list.csv",
        "Every plan's exchange list as the agreement's table (not the references "
        "`unbalanced`, `pooled`, `pooled_equal_speed`): plan, number, route (路線), "
        "section (区間; empty: the whole route), km (延長), plow-hours of the "
        "administrator who takes it over, owner and taker (codes and names). "
        "UTF-8 with BOM, codes as text for Excel; Japanese headers with `--lang ja`.",
    ),
    (
        "summary.json",
        "Every plan's figures, ledger, exchanges and balance; the run's engine, "
        "time limit and seed; `inputs`, a short hash of each scenario table (and "
        "of the side files read), by which `snowroute compare` says what differs "
        "between two runs (data).",
    ),
    ("patrol.json", "The patrol plan: days, sections, structures (with a patrol)."),
    (
        "patrol_routes.csv",
        "Each edge driven by each patrol car each day (UTF-8 with BOM).",
    ),
    (
        "network.gpkg, network.graphml",
        "The tagged network (`demo`, `network tag`): layers `nodes`, `edges`, "
        "`routes` in the run's CRS, styled by administrator; GraphML reloads it.",
    ),
    (
        "routes.csv",
        "One row per route (路線) of the tagged network: administrator, kind, name, "
        'km. UTF-8 with BOM; digit codes written `="05"` so Excel keeps them text.',
    ),
    ("report.txt, report.json", "The network report (km per administrator, ...)."),
    ("outputs.md", "This reference."),
    (
        "left_out.gpkg",
        "Only when roads were left out: layer `left_out` (in the run's CRS) with "
        "the roads of no "
        "known administrator and the pieces cut off from the network (`reason`, "
        "`id`, `km`).",
    ),
)

_SHEETS = """\
## Route sheets

Turn-by-turn directions in driving order. Consecutive edges of the same street and
action are one line; a line also starts where the driver turns off at a junction or
turns round. Each line says how to get onto it (left, right, straight on, U-turn at a
dead end, from the edges' geometry as the turn model measures headings) and which
other streets meet at that junction. A refill stop (salt) is a line of its own.
Unnamed roads read as what they are (`秋田市道 (名称なし・生活道路)`,
`(unnamed residential street)`).

The HTML sheet shows the depot, crew, start and return times and totals on top, then
the lines in two columns per printed A4 page (7.5 pt, one text line per row):
working lines in bold, empty driving in grey italics, U-turns in red, roads plowed
for another administrator (交換除雪) highlighted with their owner.

| Column | Meaning |
|---|---|
"""

_REPORT = """\
## Report (`report.html`)

For the council, in Japanese or English (`--lang`), with a print stylesheet (A4):

1. **In short**: what the best exchange plan saves per snowfall and, with
   `exchange.plowing_days`, per season; whether every priority class meets its
   deadline; whether the partners stay balanced.
2. **Assumptions**: shift start, call-out, plowing days, deadlines per priority
   class, balance tolerance, unit exchanged, routing settings, and the fleet
   (vehicles per administrator, kind, depot, speeds, shift).
3. **The plans**, named and explained (現行, 協定案, 最適化案, and the references
   均衡条件なし, 共同化, 同一速度での共同化), with their km, hours, saving (and, for
   an exchange, its saving against its same-effort reference) and whether they
   pass the plan check; then the price of fairness (what the balance rule costs).
4. **Balance between partners**: per exchange plan and partner pair, the km each
   plows for the other, the difference and a verdict of its own (balanced, out of
   tolerance, no exchange), apart from the plan check.
5. **Finish time per priority class** against its deadline: met or missed.
6. **Exchange list** per plan, laid out like the agreement: grouped by whose roads
   are plowed by whom, numbered, route (路線), section (区間), km, from → to,
   subtotals; then a **map figure** (SVG, so it prints) of the sections, numbered
   as in the list.
7. Per administrator, the H20/H21 comparison, the patrol summary by day.
8. **Appendix**: the pooled plan's full list, the patrol calendar (which section on
   which day; days off and public holidays marked).

Dates read 12月1日(火) in Japanese (Babel), fiscal years 平成20年度.

"""

_MAP = """\
## Web map (`map.html`)

- A layer per plan and vehicle class (`<plan> · <vehicle> (<routes>)`). The layer
  list groups them per plan in collapsible sections: the chosen plan (`optimized`,
  else `given`, else the first) is open, shown, drawn on top; the others start
  hidden and closed. Patrol days (one layer each, hidden at first) are one section,
  the base layers another. The list scrolls instead of growing over the map.
- Served edges are solid lines, one colour per route; driving without serving is
  dashed in the route's colour.
- The road network is coloured by administrator (muted colours, named in the
  legend and in a tooltip); municipal boundaries (dashed, named) when the scenario
  has a boundary layer; exchanged sections (wide orange); depots (white circles).
- Click a line for its street, route, section, administrator and who serves it (by
  name), the vehicle route, km and clock times.
- The legend sits bottom left, apart from the layer list; the scale bar is metric
  only.
- Leaflet is inlined (from the XStatic-Leaflet package), so the page needs no
  internet; the OpenStreetMap background layer is off by default and only loads
  where there is internet.
"""


_ACTUAL_FILES: tuple[tuple[str, str], ...] = (
    (
        "actual.json",
        "The comparison: fixes read, matched and unmatched (`in = matched + "
        "unmatched`), edges driven, plowed, missed and plowed unplanned, finish per "
        "priority class (planned, actual, deadline, missed edges; seconds after the "
        "shift start), every route against its vehicle, the missed and unplanned "
        "edges, and `settlement` (`rows`: one per partner pair; `differences`: km "
        "per route plowed for a partner, agreed and actual).",
    ),
    ("actual.gpkg", "GeoPackage (projected CRS as `routes.gpkg`), the layers below."),
    (
        "actual_map.html",
        "Web map: the plan's roads, what was plowed and driven empty, missed roads, "
        "the GPS tracks and the unmatched fixes (offline, like `map.html`).",
    ),
    (
        "actual_report.html",
        "The report section (`--lang en` or `ja`): the tables of `actual.json`.",
    ),
)

_ACTUAL = """\
## Plan against actual (`snowroute actual`, `actual/` of `snowroute demo`)

`snowroute actual SCENARIO --logs DIR --plan RUN_DIR --out OUT` matches the GPS logs
in `DIR` to the network and compares them with a plan of the run folder `RUN_DIR`
(`given`, else `optimized`, `baseline`, `pooled`; `--plan-name` picks one). Logs are
GPX tracks (one vehicle per track, named by the track name) or CSV tables with the
columns `vehicle`, `time` (ISO 8601; without an offset in `--tz`, Asia/Tokyo by
default), `lat`, `lon` and optionally `plow` (1/0, true/false, down/up), UTF-8 or
Shift_JIS, one or many vehicles per file. `DIR/vehicles.csv` (or `--fleets`) maps
each `vehicle` to its `fleet` (a vehicle class of the scenario) and optionally the
planned `route_no` it drove. Without plow flags a pass counts as plowing when it
was driven no faster than halfway between the fleet's plow and deadhead speeds.
`snowroute demo --out OUT` writes synthetic logs of its plan into
`OUT/actual/logs/` and the comparison into `OUT/actual/`.

{actual_files}
A *pass* is a vehicle driving a whole edge in one direction (entering near one end,
leaving near the other). A planned edge counts as served when someone plowed it in
the planned direction, or in either direction where the plan plows that road once.
The settlement table has the shape of the H20/H21 comparison: per partner pair
`a`/`b` (the prefecture first), routes, road km (each road once) and plow hours of
`a` plowing `b`'s roads and of `b` plowing `a`'s, agreed (the plan) and actual (the
logs); `net` is `a` for `b` minus `b` for `a` in the `[settlement]` basis, `amount`
is the net times the rate and `payer` pays `payee`. A section of the agreement that
the logs show plowed for at least `complete_share` of its km counts in full.

### `actual_coverage` (LineString)

Every edge driven, one feature per direction.

| Field | Type | Meaning |
|---|---|---|
| `u`, `v`, `key` | str, str, int | The edge, driven from `u` to `v`. |
| `admin_id`, `route_id`, `route_name`, `street`, `priority` | str | The road. |
| `length_m` | float | Length of the edge. |
| `plowed` | int | Passes plowing. |
| `empty` | int | Passes driving empty. |
| `first`, `last` | str | Clock time of the first and last pass (plowing first). |
| `vehicles` | str | Vehicles that drove it, comma-separated. |
| `served_by` | str | Administrators whose vehicles plowed it. |
| `planned` | bool | The plan plows this road. |

### `missed_roads` (LineString)

Planned edges nobody plowed: the fields of the road as in `actual_coverage`.

### `actual_tracks` (LineString)

One line per vehicle through all its fixes (`vehicle`, `fixes`).

### `unmatched_points` (Point)

Fixes not matched to a road (far from any road, or a piece of track that matched
nothing): `vehicle`, `time` (ISO 8601 with offset).
"""


def outputs_markdown(*, crs: str | None = None) -> str:
    """Return the Markdown reference of every output file, layer and field.

    ``crs`` names the GeoPackage's CRS; by default the rule that picks it.
    """
    where = crs or (
        "the network's own CRS when projected, else in Japan the JGD2011 plane "
        "rectangular zone nearest the network, else its UTM zone"
    )
    files = "| File | What it is |\n|---|---|\n" + "".join(
        f"| `{name}` | {meaning.format(crs=where)} |\n" for name, meaning in _FILES
    )
    text = _INTRO.format(files=files)
    text += "\n## GeoPackage layers (`routes.gpkg`, `geojson/`)\n"
    for layer in LAYERS:
        text += f"\n### `{layer.name}` ({layer.geometry})\n\n{layer.description}\n\n"
        text += "| Field | Type | Meaning |\n|---|---|---|\n"
        text += "".join(
            f"| `{f.name}` | {f.kind} | {f.description} |\n" for f in layer.fields
        )
    text += "\n" + _SHEETS
    text += "".join(f"| `{name}` | {meaning} |\n" for name, meaning in SHEET_COLUMNS)
    text += "\n" + _REPORT + _MAP
    actual_files = "| File | What it is |\n|---|---|\n" + "".join(
        f"| `{name}` | {meaning} |\n" for name, meaning in _ACTUAL_FILES
    )
    text += "\n" + _ACTUAL.format(actual_files=actual_files)
    return text


def save_outputs_doc(path: str | Path) -> Path:
    """Write :func:`outputs_markdown` to ``path`` (``docs/outputs.md``)."""
    target = Path(path)
    target.write_text(outputs_markdown(), encoding="utf-8")
    return target
