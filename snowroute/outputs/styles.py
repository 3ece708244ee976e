"""QGIS styles inside the GeoPackages, and the one output CRS of a run.

QGIS reads a GeoPackage's ``layer_styles`` table (the table it writes itself with
"Save as default"): a layer whose style is marked ``useAsDefault`` opens already
drawn as the web map draws it. Each style is a small QML document: one line or
marker symbol, or lines categorised by administrator.

Every GeoPackage of a run uses one projected CRS (:func:`run_crs`): the scenario's
choice, else for Japanese data the JGD2011 plane rectangular zone (平面直角座標系)
whose origin is nearest the network's centre, else the network's UTM zone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

import networkx as nx
import pandas as pd
import pyogrio
from pyproj import CRS

__all__ = [
    "JGD2011_ZONES",
    "jgd2011_zone",
    "line_qml",
    "point_qml",
    "run_crs",
    "save_layer_styles",
]

#: JGD2011 plane rectangular zones I-XIX: (EPSG code, origin latitude, longitude).
JGD2011_ZONES: tuple[tuple[int, float, float], ...] = (
    (6669, 33.0, 129.5),
    (6670, 33.0, 131.0),
    (6671, 36.0, 132 + 10 / 60),
    (6672, 33.0, 133.5),
    (6673, 36.0, 134 + 20 / 60),
    (6674, 36.0, 136.0),
    (6675, 36.0, 137 + 10 / 60),
    (6676, 36.0, 138.5),
    (6677, 36.0, 139 + 50 / 60),
    (6678, 40.0, 140 + 50 / 60),
    (6679, 44.0, 140.25),
    (6680, 44.0, 142.25),
    (6681, 44.0, 144.25),
    (6682, 26.0, 142.0),
    (6683, 26.0, 127.5),
    (6684, 26.0, 124.0),
    (6685, 26.0, 131.0),
    (6686, 20.0, 136.0),
    (6687, 26.0, 154.0),
)


def _centre_lonlat(G: nx.MultiDiGraph) -> tuple[float, float]:
    crs = CRS.from_user_input(G.graph.get("crs", "EPSG:4326"))
    xs = [float(d["x"]) for _, d in G.nodes(data=True)]
    ys = [float(d["y"]) for _, d in G.nodes(data=True)]
    x, y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    if crs.is_geographic:
        return x, y
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    return float(lon), float(lat)


def jgd2011_zone(lon: float, lat: float) -> int | None:
    """EPSG code of the JGD2011 zone nearest (lon, lat) in Japan, else ``None``.

    >>> jgd2011_zone(140.1, 39.7), jgd2011_zone(139.7, 35.7)  # Akita, Tokyo
    (6678, 6677)
    >>> jgd2011_zone(-89.5, 43.1) is None  # Wisconsin
    True
    """
    if not (122.0 <= lon <= 154.0 and 20.0 <= lat <= 46.0):
        return None

    def distance(zone: tuple[int, float, float]) -> float:
        _, zlat, zlon = zone
        return math.hypot((lon - zlon) * math.cos(math.radians(lat)), lat - zlat)

    return min(JGD2011_ZONES, key=distance)[0]


def run_crs(G: nx.MultiDiGraph, crs: str | None = None) -> CRS:
    """Return the one projected CRS of every GeoPackage of a run.

    ``crs`` when given (``"auto"`` or ``None``: choose); else a projected graph's
    own CRS; else for a network in Japan the JGD2011 plane rectangular zone whose
    origin is nearest its centre (each prefecture's own zone in most cases: give
    the EPSG code where it is not); else the UTM zone of its centre.
    """
    if crs not in (None, "", "auto"):
        return CRS.from_user_input(crs)
    own = CRS.from_user_input(G.graph.get("crs", "EPSG:4326"))
    if own.is_projected:
        return own
    lon, lat = _centre_lonlat(G)
    zone = jgd2011_zone(lon, lat)
    if zone is not None:
        return CRS.from_epsg(zone)
    utm = 32600 + int((lon + 180) // 6) + 1 + (100 if lat < 0 else 0)
    return CRS.from_epsg(utm)


def _symbol_layer(cls: str, props: Mapping[str, str]) -> str:
    options = "".join(
        f'<Option type="QString" name={quoteattr(k)} value={quoteattr(v)}/>'
        for k, v in props.items()
    )
    return (
        f'<layer class="{cls}" enabled="1" locked="0" pass="0">'
        f'<Option type="Map">{options}</Option></layer>'
    )


def _line_symbol(name: str, colour: str, width_mm: float, dashed: bool) -> str:
    props = {
        "line_color": colour,
        "line_width": f"{width_mm}",
        "line_width_unit": "MM",
        "line_style": "dash" if dashed else "solid",
        "capstyle": "round",
        "joinstyle": "round",
    }
    return (
        f'<symbol type="line" name="{name}" alpha="1" clip_to_extent="1">'
        f"{_symbol_layer('SimpleLine', props)}</symbol>"
    )


def line_qml(
    colour: str,
    width_mm: float = 0.6,
    *,
    dashed: bool = False,
    categories: Sequence[tuple[str, str, str]] = (),
    field: str = "",
) -> str:
    """QML of a line layer: one symbol, or ``categories`` (value, label, colour).

    >>> "SimpleLine" in line_qml("#0072b2")
    True
    """
    if not categories:
        renderer = (
            '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0">'
            f"<symbols>{_line_symbol('0', colour, width_mm, dashed)}</symbols>"
            "</renderer-v2>"
        )
    else:
        cats = "".join(
            f'<category render="true" symbol="{i}" value={quoteattr(value)} '
            f"label={quoteattr(label)}/>"
            for i, (value, label, _) in enumerate(categories)
        )
        symbols = "".join(
            _line_symbol(str(i), c, width_mm, dashed)
            for i, (_, _, c) in enumerate(categories)
        )
        renderer = (
            f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(field)} '
            'symbollevels="0" enableorderby="0">'
            f"<categories>{cats}</categories><symbols>{symbols}</symbols>"
            "</renderer-v2>"
        )
    head = '<!DOCTYPE qgis><qgis version="3.28" styleCategories="Symbology">'
    return f"{head}{renderer}</qgis>"


def point_qml(fill: str, outline: str = "#000000", size_mm: float = 3.0) -> str:
    """QML of a point layer: one circle marker."""
    props = {
        "name": "circle",
        "color": fill,
        "outline_color": outline,
        "outline_width": "0.5",
        "outline_width_unit": "MM",
        "size": f"{size_mm}",
        "size_unit": "MM",
    }
    symbol = (
        '<symbol type="marker" name="0" alpha="1" clip_to_extent="1">'
        f"{_symbol_layer('SimpleMarker', props)}</symbol>"
    )
    return (
        '<!DOCTYPE qgis><qgis version="3.28" styleCategories="Symbology">'
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0">'
        f"<symbols>{symbol}</symbols></renderer-v2></qgis>"
    )


def save_layer_styles(path: Path, styles: Mapping[str, str]) -> None:
    """Add a ``layer_styles`` table to the GeoPackage ``path``.

    One default style (QML) per layer named in ``styles``, as QGIS stores "Save as
    default"; QGIS then opens each layer already styled.
    """
    geometry = {
        str(name): "geom" for name, _ in pyogrio.list_layers(path)
    }  # pyogrio names the geometry column geom
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    rows = [
        {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": layer,
            "f_geometry_column": geometry.get(layer, "geom"),
            "styleName": layer,
            "styleQML": qml,
            "styleSLD": "",
            "useAsDefault": True,
            "description": "snowroute",
            "owner": "",
            "ui": "",
            "update_time": now,
        }
        for layer, qml in styles.items()
        if layer in geometry
    ]
    pyogrio.write_dataframe(
        pd.DataFrame(rows), path, layer="layer_styles", driver="GPKG"
    )
