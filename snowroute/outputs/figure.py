"""A static map figure of the exchanged sections, as SVG, so the report prints it.

The road network is drawn thin and grey, municipal boundaries are not needed: each
exchanged section is drawn thick in the colour of the administrator that takes it
over, with its number from the report's exchange list. Coordinates are the graph's,
flattened around the network's middle latitude when they are longitudes/latitudes.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import networkx as nx
from pyproj import CRS

from snowroute.outputs.drive import edge_line
from snowroute.outputs.layers import section_line
from snowroute.outputs.model import ExchangedSection
from snowroute.outputs.webmap import PALETTE

__all__ = ["ExchangeFigure", "exchange_figure"]


@dataclass(frozen=True, slots=True)
class ExchangeFigure:
    """
    SVG drawing data of one plan's exchanged sections (the template draws it).

    Parameters
    ----------
    width, height
        Size in pixels.
    network
        SVG path data of the whole road network.
    sections
        ``(number, colour, path data, label x, label y, section id)`` per
        exchanged section.
    legend
        ``(colour, administrator id)`` of each administrator taking roads over.
    scale
        ``(pixels, metres)`` of the scale bar.
    """

    width: int
    height: int
    network: str
    sections: tuple[tuple[int, str, str, float, float, str], ...]
    legend: tuple[tuple[str, str], ...]
    scale: tuple[float, int]


def _projector(G: nx.MultiDiGraph) -> tuple[float, bool]:
    crs = CRS.from_user_input(G.graph.get("crs", "EPSG:4326"))
    ys = [float(d["y"]) for _, d in G.nodes(data=True)]
    mid = (min(ys) + max(ys)) / 2 if ys else 0.0
    return mid, bool(crs.is_geographic)


def exchange_figure(
    G: nx.MultiDiGraph,
    sections: Sequence[ExchangedSection],
    *,
    width: int = 680,
) -> ExchangeFigure:
    """Lay out the network and ``sections`` as SVG.

    Sections are numbered 1.. by direction (owner, then who plows) and in their
    order within one direction, as the report's exchange list numbers them.
    """
    sections = sorted(sections, key=lambda s: (s.from_admin, s.to_admin))
    mid, lonlat = _projector(G)
    kx = math.cos(math.radians(mid)) * 111_320.0 if lonlat else 1.0
    ky = 110_574.0 if lonlat else 1.0
    xs = [float(d["x"]) * kx for _, d in G.nodes(data=True)]
    ys = [float(d["y"]) * ky for _, d in G.nodes(data=True)]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    pad = 12
    scale = (width - 2 * pad) / max(x1 - x0, 1.0)
    height = int((y1 - y0) * scale + 2 * pad)

    def to_svg(x: float, y: float) -> tuple[float, float]:
        return pad + (x * kx - x0) * scale, pad + (y1 - y * ky) * scale

    def path(coords: Sequence[Sequence[float]]) -> str:
        pts = [to_svg(float(c[0]), float(c[1])) for c in coords]
        return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts)

    seen: set[frozenset[Hashable]] = set()
    network = []
    for u, v, k in G.edges(keys=True):
        pair = frozenset((u, v))
        if pair not in seen:
            seen.add(pair)
            network.append(path(edge_line(G, (u, v, k)).coords))
    colours: dict[str, str] = {}
    drawn = []
    for number, section in enumerate(sections, start=1):
        colour = colours.setdefault(
            section.to_admin, PALETTE[len(colours) % len(PALETTE)]
        )
        geometry, _ = section_line(G, section)
        if geometry.is_empty:
            continue
        label = geometry.interpolate(0.5, normalized=True)
        lx, ly = to_svg(label.x, label.y)
        data = "".join(path(line.coords) for line in geometry.geoms)
        drawn.append((number, colour, data, lx, ly, section.section))
    metres = _round_metres((x1 - x0) / 5)
    return ExchangeFigure(
        width=width,
        height=height,
        network="".join(network),
        sections=tuple(drawn),
        legend=tuple((c, a) for a, c in colours.items()),
        scale=(metres * scale, metres),
    )


def _round_metres(value: float) -> int:
    """Return the round length (1, 2 or 5 times a power of ten) up to ``value``.

    >>> _round_metres(1234.0), _round_metres(380.0)
    (1000, 200)
    """
    power = 10 ** math.floor(math.log10(max(value, 1.0)))
    return int(max(m * power for m in (1, 2, 5) if m * power <= max(value, 1.0)))
