"""``snowroute demo``: the main job on the built-in demo network."""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx

import snowroute
from snowroute._errors import InputFileError
from snowroute._io import atomic_directory, check_output_path
from snowroute.cli._network import write_network_outputs
from snowroute.network import load_boundaries, network_report, tagged_graph_from_file

__all__ = ["demo_data_dir", "load_demo_network", "register"]

logger = logging.getLogger(__name__)

DEMO_FILES = ("demo.osm", "boundaries.geojson", "depots.csv", "structures.csv")


def demo_data_dir(explicit: Path | None = None, *, scratch: Path | None = None) -> Path:
    """Return the folder of the built-in demo network.

    ``explicit`` wins; otherwise ``networks/demo`` of the source checkout; where that
    is absent (an installed wheel) the demo is generated into ``scratch``.

    Raises
    ------
    InputFileError
        When the folder lacks one of the demo files.
    """
    checkout = Path(snowroute.__file__).resolve().parents[1] / "networks" / "demo"
    folder = explicit or checkout
    if explicit is None and not folder.is_dir() and scratch is not None:
        from snowroute.network.synthetic import write_demo_network

        logger.info("networks/demo not found; generating the demo network")
        folder = scratch / "demo"
        write_demo_network(folder)
    missing = [name for name in DEMO_FILES if not (folder / name).is_file()]
    if missing:
        msg = (
            f"Demo network folder `{folder}` lacks {missing[0]}; regenerate it with "
            "`make demo-network`."
        )
        raise InputFileError(msg)
    return folder


def load_demo_network(folder: Path) -> nx.MultiDiGraph:
    """Read and tag the demo network with the Japanese rules and its boundaries."""
    boundaries = load_boundaries(folder / "boundaries.geojson")
    return tagged_graph_from_file(
        folder / "demo.osm", rules="japan", boundaries=boundaries
    )


def _demo(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_output_path(args.out, force=args.force)
    with tempfile.TemporaryDirectory() as scratch:
        folder = demo_data_dir(args.data, scratch=Path(scratch))
        G = load_demo_network(folder)
    report = network_report(G)
    print(report)
    if args.out is not None:
        with atomic_directory(args.out, force=args.force) as tmp:
            write_network_outputs(G, report, tmp)
        print(f"\nWrote {args.out}/")
    return 0


def register(subparsers: Any) -> None:
    """Register ``snowroute demo``."""
    demo = subparsers.add_parser(
        "demo",
        help="run the main job on the built-in demo network (no internet needed)",
        description=(
            "Read the built-in demo network (a synthetic Akita-like area, see "
            "networks/demo/README.md), tag administrators and print its report; with "
            "--out, also write the outputs."
        ),
    )
    demo.add_argument("--out", type=Path, help="output folder")
    demo.add_argument("--force", action="store_true", help="replace an existing folder")
    demo.add_argument(
        "--data", type=Path, help="demo network folder (default: networks/demo)"
    )
    demo.set_defaults(handler=_demo)
