"""Writing the built-in demo network's files and the note that describes them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from snowroute._io import atomic_directory, check_output_path
from snowroute.datasets.demo import DEMO_SEED, build_demo_network
from snowroute.datasets.demo_readme import demo_readme, measure_demo_network
from snowroute.datasets.model import (
    write_boundaries_geojson,
    write_depots_csv,
    write_osm_xml,
    write_structures_csv,
)

__all__ = ["DemoNetworkFiles", "write_demo_network"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DemoNetworkFiles:
    """Paths of the files of a written demo network."""

    folder: Path
    osm: Path
    boundaries: Path
    depots: Path
    structures: Path
    readme: Path


_FILE_NAMES: Final = {
    "osm": "demo.osm",
    "boundaries": "boundaries.geojson",
    "depots": "depots.csv",
    "structures": "structures.csv",
    "readme": "README.md",
}


def write_demo_network(
    folder: Path, *, seed: int = DEMO_SEED, force: bool = False
) -> DemoNetworkFiles:
    """Generate the demo network and write its files into ``folder`` atomically.

    Writes ``demo.osm`` (OSM XML 0.6 with route relations), ``boundaries.geojson``
    (municipal polygons with N03 columns), ``depots.csv``, ``structures.csv`` and
    ``README.md``. The same seed gives the same bytes. On any failure ``folder``
    is left as it was (absent, or the previous version).

    Parameters
    ----------
    folder
        Folder to create (its parent must exist).
    seed
        Seed of the generator; the committed demo uses :data:`DEMO_SEED`.
    force
        Replace ``folder`` when it already exists.

    Returns
    -------
    DemoNetworkFiles
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
    network = build_demo_network(seed=seed)
    figures = measure_demo_network(network)
    logger.info(
        "Demo network: %d nodes, %d directed edges", figures.nodes, figures.edges
    )
    with atomic_directory(folder, force=force) as tmp:
        write_osm_xml(network, tmp / _FILE_NAMES["osm"])
        write_boundaries_geojson(network, tmp / _FILE_NAMES["boundaries"])
        write_depots_csv(network, tmp / _FILE_NAMES["depots"])
        write_structures_csv(network, tmp / _FILE_NAMES["structures"])
        readme = demo_readme(network, figures, seed=seed)
        (tmp / _FILE_NAMES["readme"]).write_text(readme, encoding="utf-8")
    return DemoNetworkFiles(folder, **{k: folder / v for k, v in _FILE_NAMES.items()})
