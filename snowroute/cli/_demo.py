"""``snowroute demo``: the main job on the built-in demo network."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx

import snowroute
from snowroute._errors import InputFileError
from snowroute._io import check_output_path
from snowroute.cli._run import add_run_options, print_run
from snowroute.cli._summary import closing_line, network_lines
from snowroute.network import load_boundaries, network_report, tagged_graph_from_file
from snowroute.outputs.network import save_tagged_network
from snowroute.scenario import Scenario
from snowroute.scenario.load import scenario_from_toml

__all__ = ["demo_data_dir", "demo_scenario", "load_demo_network", "register"]

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
        from snowroute.datasets import write_demo_network

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


DEMO_SCENARIO = (
    Path(snowroute.__file__).resolve().parents[1] / "scenarios" / "demo.toml"
)
#: Exchange plans of the demo (None: the scenario's); tests make them fewer.
DEMO_EXCHANGE_PLANS: tuple[str, ...] | None = None
#: Routing budget of the whole run (None: the scenario's); tests make it short.
DEMO_TIME_LIMIT_S: float | None = None


def demo_scenario(folder: Path) -> Scenario:
    """Return scenarios/demo.toml with its network and structures read from ``folder``.

    Raises
    ------
    InputFileError
        Where the checkout's scenarios folder is absent (an installed wheel).
    """
    if not DEMO_SCENARIO.is_file():
        msg = f"The demo scenario `{DEMO_SCENARIO}` is missing; run from a checkout."
        raise InputFileError(msg)
    scenario = scenario_from_toml(DEMO_SCENARIO)
    network = dataclasses.replace(
        scenario.network,
        source=folder.resolve() / "demo.osm",
        boundaries=folder.resolve() / "boundaries.geojson",
    )
    patrol = scenario.patrol
    if patrol is not None:
        patrol = dataclasses.replace(
            patrol, structures=folder.resolve() / "structures.csv"
        )
    return dataclasses.replace(scenario, network=network, patrol=patrol)


def _demo(args: argparse.Namespace) -> int:
    from snowroute.pipeline import run_scenario, write_run

    if args.out is not None:
        check_output_path(args.out, force=args.force, kind="folder")
    with tempfile.TemporaryDirectory() as scratch:
        folder = demo_data_dir(args.data, scratch=Path(scratch))
        scenario = demo_scenario(folder)
        G = load_demo_network(folder)
        report = network_report(G)
        result = run_scenario(
            scenario,
            G=G,
            plans=args.plans or DEMO_EXCHANGE_PLANS,
            time_limit_s=args.time_limit or DEMO_TIME_LIMIT_S,
            seed=args.seed,
        )
    written = None
    if args.out is not None:
        logger.info("writing the outputs")
        written = write_run(
            result,
            args.out,
            lang=args.lang,
            force=args.force,
            extra=lambda tmp: save_tagged_network(
                G, report, tmp, crs=scenario.network.output_crs
            ),
        )
    verbose = args.verbose > 0
    print(report if verbose else "\n".join(network_lines(report)))
    print()
    print_run(result, verbose=verbose)
    if written is not None:
        print()
        print(closing_line(args.out, len(written)))
    return 0 if result.valid else 1


def register(subparsers: Any) -> None:
    """Register ``snowroute demo``."""
    demo = subparsers.add_parser(
        "demo",
        help="run the main job on the built-in demo network (no internet needed)",
        description=(
            "Run scenarios/demo.toml on the built-in demo network (a synthetic "
            "Akita-like area, see networks/demo/README.md): the network report, the "
            "exchange plans (baseline, optimized, pooled), 14 days of patrol; with "
            "--out, every output of `snowroute run` plus the tagged network."
        ),
    )
    demo.add_argument("--out", type=Path, help="output folder")
    demo.add_argument("--force", action="store_true", help="replace an existing folder")
    demo.add_argument(
        "--data", type=Path, help="demo network folder (default: networks/demo)"
    )
    add_run_options(demo)
    demo.set_defaults(handler=_demo)
