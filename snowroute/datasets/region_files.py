"""Writing the built-in demo region's files, and the figures its note gives."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import networkx as nx

from snowroute._io import atomic_directory, check_output_path
from snowroute.datasets.demo_readme import (
    DemoFigures,
    _road_km,
    _table,
    measure_demo_network,
)
from snowroute.datasets.model import (
    SyntheticNetwork,
    write_boundaries_geojson,
    write_depots_csv,
    write_osm_xml,
)
from snowroute.datasets.region import (
    REGION_EXTENT,
    REGION_SEED,
    TOWN_ROUTE_WIDTH_M,
    build_region_network,
)

__all__ = [
    "RegionNetworkFiles",
    "SituationFigures",
    "measure_situations",
    "region_readme",
    "write_region_network",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RegionNetworkFiles:
    """Paths of the files of a written demo region."""

    folder: Path
    osm: Path
    boundaries: Path
    depots: Path
    readme: Path


_FILE_NAMES: Final = {
    "osm": "region.osm",
    "boundaries": "boundaries.geojson",
    "depots": "depots.csv",
    "readme": "README.md",
}


@dataclass(frozen=True, slots=True)
class SituationFigures:
    """A hamlet or town route of a generated network, with its driving distances.

    ``own_km`` is the shortest drive from its administrator's nearest depot,
    ``other_km`` from the nearest depot of the administrator it would be
    exchanged with (the prefecture for a hamlet, the town for a town route).
    """

    kind: str
    name: str
    admin_id: str
    other_id: str
    hosts: tuple[str, ...]
    km: float
    own_km: float
    other_km: float


def measure_situations(network: SyntheticNetwork) -> tuple[SituationFigures, ...]:
    """Road km of every situation and the drive to it from both partners' depots."""
    b = network.builder
    G = b.road_graph()
    out = []
    for sit in network.situations:
        ways, km_by_admin = network.situation_roads(sit)
        owner = max(km_by_admin, key=lambda a: km_by_admin[a])
        ends = {n for w in ways for n in (w.nodes[0], w.nodes[-1])}
        if sit.kind == "town_spur":
            mid = b.line(ways[0].nodes).centroid
            other = _municipality_at(network, (mid.x, mid.y))
        else:
            other = "05"
        out.append(
            SituationFigures(
                kind=sit.kind,
                name=sit.name,
                admin_id=owner,
                other_id=other,
                hosts=sit.hosts,
                km=sum(km_by_admin.values()),
                own_km=_depot_km(G, network, owner, ends),
                other_km=_depot_km(G, network, other, ends),
            )
        )
    return tuple(out)


def _municipality_at(network: SyntheticNetwork, xy: tuple[float, float]) -> str:
    """Code of the municipality whose polygon holds ``xy``."""
    from shapely.geometry import Point

    point = Point(xy)
    return next(m.code for m in network.municipalities if m.polygon.contains(point))


def _depot_km(
    G: nx.DiGraph, network: SyntheticNetwork, admin: str, ends: set[int]
) -> float:
    """Shortest drive in km from any depot of ``admin`` to any of ``ends``."""
    return min(_road_km(G, d.node, ends) for d in network.depots if d.admin_id == admin)


def region_readme(
    network: SyntheticNetwork,
    figures: DemoFigures,
    situations: Sequence[SituationFigures],
    *,
    seed: int,
) -> str:
    """Return the region folder's note: what it is, its size, its situations."""
    names = {m.code: m.name for m in network.municipalities}
    names |= {"05": "秋田県", "mlit": "MLIT (国土交通省, 指定区間)"}
    xmin, ymin, xmax, ymax = REGION_EXTENT
    hamlets = [s for s in situations if s.kind == "hamlet"]
    spurs = [s for s in situations if s.kind == "town_spur"]
    admin_rows = [
        [f"`{a}`", names.get(a, a), f"{km:.1f}"]
        for a, km in sorted(
            figures.km_admin.items(), key=lambda kv: (len(kv[0]), kv[0])
        )
    ]
    situation_header = ["name", "plowed by", "hangs off", "km", "own depot", "05 depot"]
    hamlet_rows = [[s.name, names[s.admin_id], s.hosts[0], *_kms(s)] for s in hamlets]
    spur_rows = [[s.name, names[s.other_id], *_kms(s)] for s in spurs]
    return "\n".join(
        [
            "# The built-in demo region",
            "",
            "A prefecture-scale companion to `networks/demo`: one regional office's",
            "area of an Akita-like prefecture around 大曲 (origin "
            f"{network.frame.lon0:.2f} E, {network.frame.lat0:.2f} N, "
            f"{(xmax - xmin) / 1000:.0f} km x {(ymax - ymin) / 1000:.1f} km).",
            "**The coordinates and municipal codes are real, the roads are not:**",
            "every road, name, route number, depot and border is made up by",
            f"`snowroute.datasets.build_region_network` (seed {seed}). Regenerate",
            "with `snowroute network make-region networks/region --force`; a test",
            "checks that these files equal a fresh generation.",
            "",
            "The prefecture plows its roads from three yards; 大仙市 and 仙北市",
            "(merged cities) and 美郷町 each from a yard in the town centre and",
            "one at each former town's office (支所), so the hamlets (集落) off the",
            "prefectural routes lie kilometres from the nearest town yard while the",
            "prefecture's trucks pass them, and the short",
            "prefectural routes inside the towns (停車場線 and the like) are reached",
            "by the prefecture only over municipal streets or MLIT's 国道13号 and,",
            f"{TOWN_ROUTE_WIDTH_M:g} m wide (`width`), are too narrow for its plow",
            "trucks: it sends a dozer from its yard for them, while the towns'",
            "dozers are there anyway. These are the two situations exchange snow",
            "clearing (交換除雪) is made for.",
            "",
            "Files: `region.osm` (OSM XML with route relations), `boundaries.geojson`",
            "(N03 columns), `depots.csv` (`depot_id,admin_id,name,lon,lat`).",
            "",
            f"Size: {figures.nodes:,} nodes and {figures.edges:,} directed edges as",
            f"OSMnx reads it; {len(hamlets)} hamlets, {len(spurs)} town routes.",
            "",
            "## Road km per administrator",
            "",
            _table(["admin_id", "administrator", "km"], admin_rows),
            "",
            "## Hamlets off prefectural routes (km by road from the nearest yard)",
            "",
            _table(situation_header, hamlet_rows),
            "",
            "## Prefectural routes inside the towns (km by road from the nearest yard)",
            "",
            _table(["route", "town", "km", "05 depot", "town depot"], spur_rows),
            "",
        ]
    )


def _kms(s: SituationFigures) -> list[str]:
    """Road km, km from the owner's depot and from the partner's depot, formatted."""
    return [f"{s.km:.2f}", f"{s.own_km:.1f}", f"{s.other_km:.1f}"]


def write_region_network(
    folder: Path, *, seed: int = REGION_SEED, force: bool = False
) -> RegionNetworkFiles:
    """Generate the demo region and write its files into ``folder`` atomically.

    Writes ``region.osm``, ``boundaries.geojson``, ``depots.csv`` and ``README.md``;
    the same seed gives the same bytes. On any failure ``folder`` is left as it was.

    Parameters
    ----------
    folder
        Folder to create (its parent must exist).
    seed
        Seed of the generator; the committed region uses :data:`REGION_SEED`.
    force
        Replace ``folder`` when it already exists.

    Returns
    -------
    RegionNetworkFiles
        The paths written.

    Raises
    ------
    InputFileError
        When ``folder`` exists and ``force`` is false, or its parent is missing.
    ValueError
        When ``seed`` is negative.
    """
    folder = Path(folder)
    check_output_path(folder, force=force, kind="folder")
    network = build_region_network(seed=seed)
    figures = measure_demo_network(network)
    logger.info(
        "Demo region: %d nodes, %d directed edges", figures.nodes, figures.edges
    )
    situations = measure_situations(network)
    with atomic_directory(folder, force=force) as tmp:
        write_osm_xml(network, tmp / _FILE_NAMES["osm"])
        write_boundaries_geojson(network, tmp / _FILE_NAMES["boundaries"])
        write_depots_csv(network, tmp / _FILE_NAMES["depots"])
        readme = region_readme(network, figures, situations, seed=seed)
        (tmp / _FILE_NAMES["readme"]).write_text(readme, encoding="utf-8")
    paths = {k: folder / v for k, v in _FILE_NAMES.items()}
    return RegionNetworkFiles(folder, **paths)
