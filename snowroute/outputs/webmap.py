"""The web map: a self-contained Leaflet page (folium), a layer per plan and vehicle.

Offline by design: folium links Leaflet, jQuery and Bootstrap from CDNs, which a
plow depot's PC or a CI machine without internet cannot reach. This map uses only
Leaflet itself, whose JS and CSS are inlined from the ``XStatic-Leaflet`` package
(its images as ``data:`` URIs), and binds popups and tooltips with plain Leaflet
calls instead of folium's jQuery-based ``Popup``. No background tiles are shown by
default; an OpenStreetMap layer can be switched on where there is internet.

Every text that comes from input data (street, route, depot, vehicle and plan
names) is HTML-escaped before it reaches the page, and passed to JavaScript only
as JSON (``tojson``), so it can neither close a script nor inject markup.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import networkx as nx
import numpy as np
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from snowroute.network import administrators
from snowroute.network import attributes as A
from snowroute.outputs.drive import (
    DrivenRoute,
    Leg,
    clock_text,
    edge_data,
    edge_line,
    street_name,
)
from snowroute.outputs.gpx import Project, wgs84
from snowroute.outputs.layers import section_line
from snowroute.outputs.model import ExchangedSection, PatrolDay
from snowroute.outputs.text import texts

__all__ = ["PALETTE", "esc", "leaflet_assets", "routes_map", "save_map"]

#: Route colours (colour-blind friendly first, then more).
PALETTE: tuple[str, ...] = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#e69f00",
    "#56b4e9",
    "#7b3294",
    "#a6611a",
    "#1b9e77",
    "#e7298a",
    "#4d4d4d",
    "#66a61e",
)
EXCHANGE_COLOUR = "#ff7f00"
#: Road network colours per administrator: muted, so routes stand out on top.
ADMIN_PALETTE: tuple[str, ...] = (
    "#8da0cb",
    "#a6d854",
    "#e5c494",
    "#fc8d62",
    "#b3b3b3",
    "#66c2a5",
    "#ffd92f",
    "#e78ac3",
)

_PolyLine: Any = folium.PolyLine  # untyped constructor


def esc(text: object) -> str:
    """Escape ``text`` for HTML, and for a JavaScript template literal too.

    >>> esc("<b>`${x}`</b>")
    '&lt;b&gt;&#96;&#36;{x}&#96;&lt;/b&gt;'
    """
    out = html.escape(str(text), quote=True)
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's JS and CSS from ``XStatic-Leaflet``, ready to inline.

    Images the CSS refers to become ``data:`` URIs and source-map comments are
    dropped, so the page loads nothing from anywhere.
    """
    data = resources.files("xstatic.pkg.leaflet") / "data"
    js = (data / "leaflet.js").read_text(encoding="utf-8")
    css = (data / "leaflet.css").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)

    def inline(match: re.Match[str]) -> str:
        name = match.group(1)
        raw = (data / "images" / name).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(raw).decode('ascii')})"

    css = re.sub(r"url\(images/([\w.\-]+\.png)\)", inline, css)
    # "</" inside an inline script or style would end it early
    return js.replace("</", "<\\/"), css.replace("</", "<\\/")


class _Bind(MacroElement):
    """Bind an (already escaped) HTML popup and tooltip with plain Leaflet."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% if this.popup %}
        {{ this._parent.get_name() }}.bindPopup({{ this.popup|tojson }},
            {"maxWidth": 360});
        {% endif %}
        {% if this.tooltip %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.tooltip|tojson }},
            {"sticky": true});
        {% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, popup: str = "", tooltip: str = "") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Bind"
        self.popup = popup
        self.tooltip = tooltip


class _Legend(MacroElement):
    """A fixed legend box (its HTML is built escaped)."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        {{ this.body }}
        {% endmacro %}
        """
    )

    def __init__(self, body: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.body = body


def _latlon(project: Project, coords: Any) -> list[list[float]]:
    xy = np.asarray(coords, dtype=np.float64)
    lon, lat = project(xy[:, 0], xy[:, 1])
    return [
        [round(float(b), 6), round(float(a), 6)] for a, b in zip(lon, lat, strict=True)
    ]


def _runs(
    G: nx.MultiDiGraph, route: DrivenRoute
) -> list[tuple[bool, str, list[tuple[Leg, Mapping[str, Any]]]]]:
    runs: list[tuple[bool, str, list[tuple[Leg, Mapping[str, Any]]]]] = []
    for leg in route.legs:
        data = edge_data(G, leg.edge)
        street = street_name(data)
        if runs and runs[-1][0] == leg.serving and runs[-1][1] == street:
            runs[-1][2].append((leg, data))
        else:
            runs.append((leg.serving, street, [(leg, data)]))
    return runs


def _join(values: Iterable[object]) -> str:
    return ", ".join(dict.fromkeys(str(v) for v in values if v not in (None, "")))


def _run_popup(
    route: DrivenRoute,
    serving: bool,
    street: str,
    legs: Sequence[tuple[Leg, Mapping[str, Any]]],
    m: Mapping[str, str],
    t: Mapping[str, str],
    names: Mapping[str, str],
) -> str:
    km = math.fsum(leg.length_m for leg, _ in legs) / 1000.0
    start = clock_text(route.start_clock, legs[0][0].start_s)
    end = clock_text(route.start_clock, legs[-1][0].end_s)
    owners = _join(
        names.get(str(d.get(A.ADMIN_ID)), d.get(A.ADMIN_ID)) for _, d in legs
    )
    action = t[route.activity] if serving else t["drive"]
    lines = [
        f"<b>{esc(street or '-')}</b>",
        f"{esc(route.plan)} · {esc(route.label)}",
        f"{esc(action)} {km:.2f} km, {esc(start)}–{esc(end)}",
        f"{esc(m['road_of'])}: {esc(owners)}",
    ]
    if serving:
        lines.append(
            f"{esc(m['served_by'])}: {esc(names.get(route.admin, route.admin))}"
        )
        lines.append(
            f"{esc(m['route'])}: {esc(_join(d.get(A.ROUTE_NAME) for _, d in legs))}"
            f" ({esc(_join(d.get(A.ROUTE_ID) for _, d in legs))})"
        )
        lines.append(
            f"{esc(m['section'])}: {esc(_join(d.get(A.SECTION_ID) for _, d in legs))}"
        )
    return "<br>".join(lines)


class _Runs(MacroElement):
    """The lines of one route drawn by one script from JSON data.

    One element per route instead of a folium ``PolyLine`` per street keeps the
    page small and quick to write; popups and tooltips are escaped HTML strings.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group) {
            {{ this.runs|tojson }}.forEach(function (r) {
                L.polyline(r.c, {color: r.k, weight: r.w, opacity: r.o,
                                 dashArray: r.d})
                    .bindPopup(r.p, {maxWidth: 360})
                    .bindTooltip(r.t, {sticky: true})
                    .addTo(group);
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, runs: list[dict[str, Any]]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Runs"
        self.runs = runs


def _add_route(
    group: Any,
    G: nx.MultiDiGraph,
    route: DrivenRoute,
    colour: str,
    project: Project,
    m: Mapping[str, str],
    t: Mapping[str, str],
    names: Mapping[str, str],
) -> None:
    runs = []
    for serving, street, legs in _runs(G, route):
        coords: list[list[float]] = []
        for leg, _ in legs:
            for point in _latlon(project, edge_line(G, leg.edge).coords):
                if not coords or coords[-1] != point:
                    coords.append(point)
        runs.append(
            {
                "c": coords,
                "k": colour,
                "w": 5 if serving else 2,
                "o": 0.9 if serving else 0.75,
                "d": None if serving else "6 6",
                "p": _run_popup(route, serving, street, legs, m, t, names),
                "t": esc(street or route.label),
            }
        )
    group.add_child(_Runs(runs))


def _legend(
    m: Mapping[str, str], colours: Mapping[str, str], names: Mapping[str, str]
) -> str:
    def swatch(style: str) -> str:
        return (
            '<svg width="34" height="12" style="vertical-align:middle">'
            f'<line x1="1" y1="6" x2="33" y2="6" {style}/></svg>'
        )

    rows = [
        (swatch(f'stroke="{PALETTE[0]}" stroke-width="5"'), m["served"]),
        (
            swatch(f'stroke="{PALETTE[0]}" stroke-width="2" stroke-dasharray="6 6"'),
            m["deadhead"],
        ),
        (
            swatch(f'stroke="{EXCHANGE_COLOUR}" stroke-width="10" opacity="0.45"'),
            m["exchanged"],
        ),
        (
            '<svg width="34" height="14" style="vertical-align:middle"><circle '
            'cx="17" cy="7" r="6" fill="#fff" stroke="#000" stroke-width="2"/></svg>',
            m["depot"],
        ),
        (
            swatch('stroke="#444" stroke-width="1.5" stroke-dasharray="8 4"'),
            m["boundaries"],
        ),
    ]
    rows += [
        (
            swatch(f'stroke="{c}" stroke-width="2"'),
            f"{m['road_of']}: {names.get(a) or a}",
        )
        for a, c in colours.items()
    ]
    body = "".join(f"<div>{icon} {esc(text)}</div>" for icon, text in rows)
    return (
        '<div id="snowroute-legend" style="position:absolute;bottom:40px;left:10px;'
        "z-index:1000;background:rgba(255,255,255,.92);padding:6px 10px;"
        "border:1px solid #999;border-radius:4px;font:12px sans-serif;"
        f'line-height:1.5;max-height:45vh;overflow:auto"><b>{esc(m["legend"])}</b>'
        f"{body}</div>"
    )


class _Controls(MacroElement):
    """Metric scale bar; the layer list grouped per plan in collapsible sections.

    Leaflet's layer control lists every overlay in one column; a script wraps the
    overlays of each plan (labels ``<plan> · <vehicle> (n)``) in a ``<details>``
    element, the chosen plan first and open, patrol days in one closed section,
    and caps the list's height so it never covers the legend (bottom left).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .leaflet-control-layers-list { max-height: 55vh; overflow-y: auto; }
          .leaflet-control-layers summary { cursor: pointer; font-weight: bold; }
          .leaflet-control-layers details { margin: 2px 0; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false})
            .addTo({{ this._parent.get_name() }});
        (function () {
            var box = document.querySelector('.leaflet-control-layers-overlays');
            if (!box) { return; }
            var chosen = {{ this.chosen|tojson }};
            var patrol = {{ this.patrol|tojson }};
            var other = {{ this.other|tojson }};
            var groups = {};
            var order = [];
            Array.from(box.querySelectorAll('label')).forEach(function (label) {
                var text = label.textContent.trim();
                var key = text.indexOf(' · ') > 0 ? text.split(' · ')[0]
                    : (text.indexOf(patrol + ' ') === 0 ? patrol : other);
                if (!(key in groups)) {
                    var details = document.createElement('details');
                    var summary = document.createElement('summary');
                    summary.textContent = key;
                    details.appendChild(summary);
                    details.open = key === chosen || key === other;
                    groups[key] = details;
                    order.push(key);
                }
                groups[key].appendChild(label);
            });
            order.sort(function (a, b) {
                var rank = function (k) {
                    return k === other ? 0 : (k === chosen ? 1 : 2);
                };
                return rank(a) - rank(b);
            });
            order.forEach(function (key) { box.appendChild(groups[key]); });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, chosen: str, patrol: str, other: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Controls"
        self.chosen = chosen
        self.patrol = patrol
        self.other = other


def routes_map(
    G: nx.MultiDiGraph,
    routes: Sequence[DrivenRoute],
    *,
    exchanged: Sequence[ExchangedSection] = (),
    patrol_days: Sequence[tuple[PatrolDay, Sequence[DrivenRoute]]] = (),
    depot_names: Mapping[str, str] | None = None,
    lang: str = "en",
    title: str = "snowroute",
    chosen: str | None = None,
    boundaries: Any = None,
) -> folium.Map:
    """Build the web map of ``routes``.

    One layer (toggle) per plan and vehicle class, grouped per plan in collapsible
    sections of the layer list; the ``chosen`` plan (default: ``optimized``, else
    ``given``, else the first) is shown, drawn on top and listed first, the others
    start hidden. Also the road network coloured by administrator, municipal
    ``boundaries`` (polygons in EPSG:4326 with ``code`` and ``name``, or an object
    with such ``polygons``), exchanged sections, depots and one layer per patrol
    day (hidden). The scale bar is metric only; the legend sits bottom left, apart
    from the layer list.

    Raises
    ------
    ValueError
        When ``lang`` is not ``en`` or ``ja``.
    """
    t = texts(lang)
    m = texts(lang, "map")
    project = wgs84(G)
    names = {a: info.get("name") or a for a, info in administrators(G).items()}
    fmap = _base_map(G, project, title)
    folium.TileLayer(
        "OpenStreetMap", name=esc(m["tiles"]), overlay=True, show=False
    ).add_to(fmap)
    network = _network_layer(G, project, names, m)
    network.add_to(fmap)
    colours = network.colours
    if boundaries is not None:
        _boundary_layer(boundaries, m).add_to(fmap)
    if exchanged:
        _exchanged_layer(G, exchanged, project, m, names).add_to(fmap)
    plans = list(dict.fromkeys(r.plan for r in routes))
    top = _chosen(plans, chosen)
    for plan in [p for p in plans if p != top] + [top] * bool(plans):
        plan_routes = [r for r in routes if r.plan == plan]
        for vehicle in dict.fromkeys(r.vehicle for r in plan_routes):
            n = sum(1 for r in plan_routes if r.vehicle == vehicle)
            group = folium.FeatureGroup(
                name=esc(f"{plan} · {vehicle} ({n})"), show=plan == top
            )
            for i, route in enumerate(plan_routes):
                if route.vehicle == vehicle:
                    colour = PALETTE[i % len(PALETTE)]
                    _add_route(group, G, route, colour, project, m, t, names)
            group.add_to(fmap)
    for day, day_routes in patrol_days:
        group = folium.FeatureGroup(
            name=esc(f"{m['patrol']} {day.date.isoformat()}"), show=False
        )
        for i, route in enumerate(day_routes):
            colour = PALETTE[i % len(PALETTE)]
            _add_route(group, G, route, colour, project, m, t, names)
        group.add_to(fmap)
    every_route = [*routes, *(r for _, rs in patrol_days for r in rs)]
    _depot_layer(G, every_route, depot_names or {}, project, m).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.add_child(_Legend(_legend(m, colours, names)))
    fmap.add_child(_Controls(top or "", m["patrol"], m["other_layers"]))
    return fmap


def _chosen(plans: Sequence[str], chosen: str | None) -> str | None:
    """Pick the plan shown first: ``chosen``, else optimized, given, the first."""
    for name in (chosen, "optimized", "given"):
        if name in plans:
            return name
    return plans[0] if plans else None


class _NetworkLayer(folium.FeatureGroup):
    """The road network, one colour per administrator (``colours``)."""

    colours: dict[str, str]


def _network_layer(
    G: nx.MultiDiGraph, project: Project, names: Mapping[str, str], m: Mapping[str, str]
) -> _NetworkLayer:
    network = _NetworkLayer(name=esc(m["network_layer"]), show=True)
    by_admin: dict[str, list[list[list[float]]]] = {}
    seen: set[frozenset[Any]] = set()
    for u, v, k, data in G.edges(keys=True, data=True):
        pair = frozenset((u, v))
        if pair in seen:
            continue
        seen.add(pair)
        admin = str(data.get(A.ADMIN_ID) or "")
        line = _latlon(project, edge_line(G, (u, v, k)).coords)
        by_admin.setdefault(admin, []).append(line)
    network.colours = {}
    for i, (admin, lines) in enumerate(sorted(by_admin.items())):
        colour = ADMIN_PALETTE[i % len(ADMIN_PALETTE)]
        network.colours[admin] = colour
        poly = _PolyLine(lines, color=colour, weight=2, opacity=0.8)
        label = esc(f"{m['road_of']}: {names.get(admin) or admin or '?'}")
        poly.add_child(_Bind(tooltip=label))
        network.add_child(poly)
    return network


def _boundary_layer(boundaries: Any, m: Mapping[str, str]) -> folium.FeatureGroup:
    """Municipal boundaries as dashed outlines, named in a tooltip."""
    polygons = getattr(boundaries, "polygons", boundaries)
    group = folium.FeatureGroup(name=esc(m["boundaries"]), show=True)
    for row in polygons.to_crs("EPSG:4326").itertuples():
        geom = row.geometry
        parts = list(getattr(geom, "geoms", [geom]))
        rings = [
            [[round(y, 6), round(x, 6)] for x, y, *_ in part.exterior.coords]
            for part in parts
        ]
        poly = _PolyLine(rings, color="#444", weight=1.5, opacity=0.7, dash_array="8 4")
        poly.add_child(_Bind(tooltip=esc(f"{row.name} ({row.code})")))
        group.add_child(poly)
    return group


def _base_map(G: nx.MultiDiGraph, project: Any, title: str) -> folium.Map:
    """Return an empty map fitted to the network, Leaflet inlined (works offline)."""
    xs = np.array([float(d["x"]) for _, d in G.nodes(data=True)])
    ys = np.array([float(d["y"]) for _, d in G.nodes(data=True)])
    lon, lat = project(xs, ys)
    bounds = [
        [float(np.min(lat)), float(np.min(lon))],
        [float(np.max(lat)), float(np.max(lon))],
    ]
    figure = Figure(title=esc(title))
    fmap = folium.Map(
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        tiles=None,
        zoom_start=13,
        control_scale=False,  # a metric-only scale is added by _Controls
        prefer_canvas=False,
    )
    # offline: no CDN links; Leaflet is inlined below
    fmap.default_js = []
    fmap.default_css = []
    figure.add_child(fmap)
    js, css = leaflet_assets()
    figure.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css")
    figure.header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js")
    fmap.fit_bounds(bounds)
    return fmap


def _exchanged_layer(
    G: nx.MultiDiGraph,
    exchanged: Sequence[ExchangedSection],
    project: Any,
    m: Mapping[str, str],
    names: Mapping[str, str],
) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=esc(m["exchanged_layer"]), show=True)
    for section in exchanged:
        line, count = section_line(G, section)
        if count == 0:
            continue
        coords = [_latlon(project, part.coords) for part in line.geoms]
        popup = "<br>".join(
            [
                f"<b>{esc(m['exchanged'])}</b>"
                + (f" ({esc(section.plan)})" if section.plan else ""),
                f"{esc(m['route'])}: {esc(section.route_id)}",
                f"{esc(m['section'])}: {esc(section.section)}",
                f"{esc(names.get(section.from_admin, section.from_admin))} → "
                f"{esc(names.get(section.to_admin, section.to_admin))}, "
                f"{section.km:.2f} km",
            ]
        )
        poly = _PolyLine(coords, color=EXCHANGE_COLOUR, weight=12, opacity=0.45)
        poly.add_child(_Bind(popup=popup, tooltip=esc(section.section)))
        group.add_child(poly)
    return group


def _depot_layer(
    G: nx.MultiDiGraph,
    routes: Sequence[DrivenRoute],
    names: Mapping[str, str],
    project: Any,
    m: Mapping[str, str],
) -> folium.FeatureGroup:
    depots = folium.FeatureGroup(name=esc(m["depots"]), show=True)
    seen: dict[str, list[str]] = {}
    nodes: dict[str, Any] = {}
    for route in routes:
        seen.setdefault(route.depot, [])
        if route.vehicle not in seen[route.depot]:
            seen[route.depot].append(route.vehicle)
        nodes[route.depot] = route.depot_node
    for depot, vehicles in seen.items():
        node = G.nodes[nodes[depot]]
        (dlon,), (dlat,) = project(
            np.array([float(node["x"])]), np.array([float(node["y"])])
        )
        marker: Any = folium.CircleMarker(
            [float(dlat), float(dlon)],
            radius=7,
            color="#000",
            weight=2,
            fill=True,
            fill_color="#fff",
            fill_opacity=1.0,
        )
        name = names.get(depot, "")
        popup = "<br>".join(
            [
                f"<b>{esc(depot)}</b>" + (f" {esc(name)}" if name else ""),
                f"{esc(m['vehicles'])}: {esc(', '.join(vehicles))}",
            ]
        )
        marker.add_child(_Bind(popup=popup, tooltip=esc(name or depot)))
        depots.add_child(marker)
    return depots


def save_map(fmap: folium.Map, path: Path) -> Path:
    """Write the self-contained map page to ``path``.

    folium names every element with a random id; they are renumbered in order of
    appearance, so the same plans give the same file.
    """
    page = fmap.get_root().render()
    ids: dict[str, str] = {}

    def renumber(match: re.Match[str]) -> str:
        key = match.group(0)
        if key not in ids:
            ids[key] = f"{match.group(1)}_{len(ids)}"
        return ids[key]

    page = re.sub(r"\b([a-z][a-z_]*?)_[0-9a-f]{32}(?![0-9a-f])", renumber, page)
    path.write_text(page, encoding="utf-8")
    return path
