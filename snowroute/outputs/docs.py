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
        "GeoPackage for QGIS/ArcGIS, in a projected CRS ({crs}): the layers below.",
    ),
    ("geojson/<layer>.geojson", "The same layers in WGS84 (EPSG:4326, RFC 7946)."),
    (
        "gpx/<plan>_<vehicle>_<n>.gpx",
        "One GPX 1.1 track per vehicle route (depot to depot), the depot as a "
        "waypoint.",
    ),
    (
        "sheets/<plan>_<vehicle>_<n>.csv",
        "Route sheet as CSV (UTF-8 with BOM), columns below.",
    ),
    (
        "sheets/<plan>_<vehicle>_<n>.html",
        "The printable route sheet for the driver (one A4 sheet per route).",
    ),
    ("sheets/index.html", "Every route with totals, and every sheet in one page."),
    ("map.html", "Web map (Leaflet), self-contained: opens offline in any browser."),
    ("outputs.md", "This reference."),
    (
        "left_out.gpkg",
        "Only when roads were left out: layer `left_out` (WGS84) with the roads of no "
        "known administrator and the pieces cut off from the network (`reason`, "
        "`id`, `km`).",
    ),
)

_SHEETS = """\
## Route sheets

Streets in driving order; consecutive edges of the same street and action are one
line, the way a driver reads directions. A refill stop (salt) is a line of its own.
The HTML sheet shows the same lines with the depot, crew, start and return times and
totals on top, working lines in bold and driving lines in grey.

| Column | Meaning |
|---|---|
"""

_MAP = """\
## Web map (`map.html`)

- A layer per plan and vehicle class (`<plan> · <vehicle> (<routes>)`), toggled in
  the layer control; the first plan is shown, the others start hidden.
- Served edges are solid lines, one colour per route; driving without serving is
  dashed in the route's colour.
- Exchanged sections (wide orange), depots (white circles), the road network (grey)
  and one layer per patrol day (hidden at first).
- Click a line for its street, route, section, administrator, who serves it, the
  vehicle route, km and clock times.
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
    where = crs or "the network's own CRS when projected, else its UTM zone"
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
    text += "\n" + _MAP
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
