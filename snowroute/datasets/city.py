"""A generated city-scale road ledger (centerline layer) with depot districts.

For speed and memory benchmarks: a jittered street grid at Akita's coordinates with
prefectural arterials every ``arterial_every`` blocks, a national route (MLIT) across
the middle, one-way pairs downtown, streets missing at random (dead ends, T
junctions), and one municipal snow-clearing centre (除雪センター) per district. It is
written as a GeoPackage centerline layer plus a scenario that reads it with
``format = "centerline"``, so a benchmark runs the whole pipeline on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
from shapely import LineString

__all__ = ["CityFiles", "build_city_layer", "write_city_network"]

#: UTM zone 54N, the metric CRS of Akita; the grid's south-west corner.
CITY_CRS = "EPSG:32654"
_ORIGIN = (395_000.0, 4_385_000.0)


@dataclass(frozen=True, slots=True)
class CityFiles:
    """Files written by :func:`write_city_network`."""

    roads: Path
    scenario: Path
    num_features: int
    num_depots: int


def build_city_layer(
    *,
    blocks: int = 118,
    block_m: float = 110.0,
    missing: float = 0.06,
    arterial_every: int = 10,
    seed: int = 0,
) -> gpd.GeoDataFrame:
    """
    Lay out the city's street centerlines (one feature per block side).

    Parameters
    ----------
    blocks
        Blocks per side: ``(blocks + 1)²`` intersections and about
        ``2 · blocks · (blocks + 1)`` street features.
    block_m
        Block size in metres.
    missing
        Share of local street segments left out (dead ends, T junctions).
    arterial_every
        Every this many grid lines is a prefectural arterial.
    seed
        Seed of the layout.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``kanri`` (administrator id), ``kanri_kbn`` (class), ``rosen``
        (route name), ``shubetsu`` (road class), ``shasen`` (lanes), ``hoko``
        (direction: 1 along, -1 against, 0 both), ``sokudo`` (km/h), ``fukuin``
        (width m), ``josetsu`` (grade) and the geometry, in UTM 54N.
    """
    rng = np.random.default_rng(seed)
    n = blocks + 1
    jitter = rng.uniform(-0.08, 0.08, size=(n, n, 2)) * block_m
    xy = np.empty((n, n, 2))
    grid = np.arange(n) * block_m
    xy[:, :, 0] = _ORIGIN[0] + grid[:, None] + jitter[:, :, 0]
    xy[:, :, 1] = _ORIGIN[1] + grid[None, :] + jitter[:, :, 1]
    middle = (n // 2) // arterial_every * arterial_every + arterial_every // 2
    half = min(10, n // 6)
    down_lo, down_hi = n // 2 - half, n // 2 + half

    rows: list[dict[str, object]] = []
    for horizontal in (True, False):
        for line in range(n):
            for step in range(blocks):
                i0, j0 = (step, line) if horizontal else (line, step)
                i1, j1 = (step + 1, line) if horizontal else (line, step + 1)
                a, b = xy[i0, j0], xy[i1, j1]
                bend = rng.normal(0.0, 0.02 * block_m, size=2)
                mid = (a + b) / 2 + bend
                geom = LineString([tuple(a), tuple(mid), tuple(b)])
                name = ("東西" if horizontal else "南北") + f"{line}号線"
                if horizontal and line == middle:
                    rows.append(_road(geom, "mlit", "mlit", "国道7号", "trunk", 4, 0))
                    continue
                if line % arterial_every == 0:
                    number = 100 + line // arterial_every + (0 if horizontal else 50)
                    ref = f"県道{number}号"
                    rows.append(_road(geom, "05", "prefecture", ref, "secondary", 4, 0))
                    continue
                if rng.random() < missing:
                    continue
                downtown = down_lo <= line <= down_hi and down_lo <= step <= down_hi
                direction = (1 if line % 2 else -1) if downtown else 0
                rows.append(
                    _road(
                        geom, "05201", "municipality", name, "residential", 2, direction
                    )
                )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CITY_CRS)


def _road(
    geom: LineString,
    admin: str,
    admin_class: str,
    name: str,
    road_class: str,
    lanes: int,
    direction: int,
) -> dict[str, object]:
    arterial = road_class != "residential"
    return {
        "kanri": admin,
        "kanri_kbn": admin_class,
        "rosen": name,
        "shubetsu": road_class,
        "shasen": lanes if direction == 0 else 1,
        "hoko": direction,
        "sokudo": 60.0 if road_class == "trunk" else 50.0 if arterial else 30.0,
        "fukuin": 13.0 if arterial else 5.5,
        "josetsu": 1 if arterial else 3,
        "geometry": geom,
    }


def _depots(
    layer: gpd.GeoDataFrame, districts: int
) -> list[tuple[str, str, float, float]]:
    """Place one municipal centre per district and four prefectural depots.

    Districts are a ``districts × districts`` split of the city; each depot sits at
    a street end point.
    """
    ends = np.array([line.coords[0] for line in layer.geometry])
    lo, hi = ends.min(axis=0), ends.max(axis=0)
    points: list[tuple[str, str, float, float]] = []
    for i in range(districts):
        for j in range(districts):
            target = lo + (hi - lo) * (np.array([i, j]) + 0.5) / districts
            x, y = ends[int(np.argmin(((ends - target) ** 2).sum(axis=1)))]
            points.append((f"C{i}{j}", "05201", float(x), float(y)))
    for k, (fx, fy) in enumerate(
        ((0.25, 0.25), (0.25, 0.75), (0.75, 0.25), (0.75, 0.75))
    ):
        target = lo + (hi - lo) * np.array([fx, fy])
        x, y = ends[int(np.argmin(((ends - target) ** 2).sum(axis=1)))]
        points.append((f"P{k}", "05", float(x), float(y)))
    return points


def write_city_network(
    folder: str | Path,
    *,
    blocks: int = 118,
    districts: int = 5,
    seed: int = 0,
    time_limit_s: float = 600.0,
) -> CityFiles:
    """
    Write the generated city as ``roads.gpkg`` and ``city.toml`` into ``folder``.

    Parameters
    ----------
    folder
        Output folder (created).
    blocks
        Blocks per side (118 gives about 28,000 features and 52,000 directed
        edges).
    districts
        Districts per side: ``districts²`` municipal depots.
    seed
        Seed of the layout.
    time_limit_s
        Solver budget written into the scenario.

    Returns
    -------
    CityFiles
        The paths and counts.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    layer = build_city_layer(blocks=blocks, seed=seed)
    roads = folder / "roads.gpkg"
    layer.to_file(roads, layer="roads", driver="GPKG")
    depots = _depots(layer, districts)
    lonlat = gpd.GeoSeries(
        gpd.points_from_xy([d[2] for d in depots], [d[3] for d in depots]),
        crs=CITY_CRS,
    ).to_crs("epsg:4326")
    scenario = folder / "city.toml"
    text = _scenario_toml(depots, lonlat, time_limit_s=time_limit_s)
    scenario.write_text(text, encoding="utf-8")
    return CityFiles(
        roads=roads,
        scenario=scenario,
        num_features=len(layer),
        num_depots=len(depots),
    )


#: The scenario's head: its name and how to read ``roads.gpkg`` (a centerline layer).
_SCENARIO_HEAD: Final = (
    "# Generated by snowroute.datasets.city.write_city_network.",
    'name = "generated-city"',
    'description = "A generated city-scale road ledger with depot districts."',
    "",
    "[network]",
    'source = "roads.gpkg"',
    'format = "centerline"',
    'layer = "roads"',
    "",
    "[network.columns]",
    'admin_id = "kanri"',
    'admin_class = "kanri_kbn"',
    'route_name = "rosen"',
    'road_class = "shubetsu"',
    'lanes = "shasen"',
    'oneway = "hoko"',
    'oneway_forward = ["1"]',
    'oneway_backward = ["-1"]',
    'oneway_both = ["0"]',
    'speed = "sokudo"',
    'width = "fukuin"',
    'grade = "josetsu"',
)


def _scenario_toml(
    depots: list[tuple[str, str, float, float]],
    lonlat: gpd.GeoSeries,
    *,
    time_limit_s: float,
) -> str:
    """Return the city's scenario: network, depots, one vehicle class per depot."""
    lines = list(_SCENARIO_HEAD)
    for (depot_id, admin, _, _), point in zip(depots, lonlat, strict=True):
        lines += [
            "",
            "[[depots]]",
            f'id = "{depot_id}"',
            f'admin = "{admin}"',
            f"lon = {point.x:.7f}",
            f"lat = {point.y:.7f}",
        ]
    for depot_id, admin, _, _ in depots:
        lines += _vehicle_toml(depot_id, prefecture=admin == "05")
    lines += [
        "",
        "[exchange]",
        'plans = ["baseline"]',
        "",
        "[turns]",
        'drive_side = "left"',
        "",
        "[solver]",
        f"time_limit_s = {time_limit_s}",
        "seed = 1",
        "",
    ]
    return "\n".join(lines)


def _vehicle_toml(depot_id: str, *, prefecture: bool) -> list[str]:
    """Five prefectural plow trucks or five municipal dozers at ``depot_id``."""
    return [
        "",
        "[[vehicles]]",
        f'id = "{depot_id}-{"truck" if prefecture else "dozer"}"',
        f'depot = "{depot_id}"',
        f'kind = "{"plow_truck" if prefecture else "dozer"}"',
        "count = 5",
        f"plow_speed_kph = {25.0 if prefecture else 15.0}",
        f"deadhead_speed_kph = {40.0 if prefecture else 30.0}",
        "shift_h = 8.0",
    ]
