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
from snowroute._io import atomic_directory, check_output_path
from snowroute.cli._exchange import print_exchange, write_summary
from snowroute.cli._network import write_network_outputs
from snowroute.cli._patrol import write_patrol_outputs
from snowroute.network import load_boundaries, network_report, tagged_graph_from_file
from snowroute.patrol import PatrolPlan, plan_patrol
from snowroute.scenario.load import scenario_from_toml

__all__ = ["demo_data_dir", "demo_patrol", "load_demo_network", "register"]

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


# -- exchange snow clearing (issue 5) ---------------------------------------------
DEMO_SCENARIO = (
    Path(snowroute.__file__).resolve().parents[1] / "scenarios" / "demo.toml"
)
DEMO_EXCHANGE_PLANS = ("baseline", "optimized", "pooled")
#: Routing time limit per problem (None: the scenario's); tests make it short.
DEMO_TIME_LIMIT_S: float | None = None


def demo_exchange(folder: Path) -> Any:
    """Run baseline, optimized and pooled exchange plans of scenarios/demo.toml.

    The scenario's network is pointed at ``folder`` (the demo network in use).
    Returns None, with a warning, where the checkout's scenarios folder is absent.
    """
    import dataclasses

    from snowroute.exchange import run_exchange
    from snowroute.scenario.load import scenario_from_toml
    from snowroute.scenario.problems import scenario_network

    if not DEMO_SCENARIO.is_file():
        logger.warning("%s not found; skipping the exchange plans", DEMO_SCENARIO)
        return None
    scenario = scenario_from_toml(DEMO_SCENARIO)
    network = dataclasses.replace(
        scenario.network,
        source=folder.resolve() / "demo.osm",
        boundaries=folder.resolve() / "boundaries.geojson",
    )
    scenario = dataclasses.replace(scenario, network=network)
    G = scenario_network(scenario)
    return run_exchange(
        G, scenario, plans=DEMO_EXCHANGE_PLANS, time_limit_s=DEMO_TIME_LIMIT_S
    )


# -----------------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_output_path(args.out, force=args.force)
    with tempfile.TemporaryDirectory() as scratch:
        folder = demo_data_dir(args.data, scratch=Path(scratch))
        G = load_demo_network(folder)
        exchange = demo_exchange(folder)  # exchange snow clearing (issue 5)
    report = network_report(G)
    print(report)
    if exchange is not None:  # exchange snow clearing (issue 5)
        print()
        print_exchange(exchange)
    patrol = demo_patrol(G, folder)  # patrol planning (issue 6)
    if args.out is not None:
        with atomic_directory(args.out, force=args.force) as tmp:
            write_network_outputs(G, report, tmp)
            if exchange is not None:  # exchange snow clearing (issue 5)
                write_summary(exchange.summary(), tmp / "summary.json")
            if patrol is not None:
                write_patrol_outputs(G, patrol, tmp)
        print(f"\nWrote {args.out}/")
    return 0 if exchange is None or exchange.valid else 1


# --- patrol planning (issue 6) -------------------------------------------------------
def demo_patrol(G: nx.MultiDiGraph, folder: Path) -> PatrolPlan | None:
    """Plan the 14 days of patrol of scenarios/demo.toml on the demo network.

    Prints the plan's summary; ``None`` (with a note) where the scenario file is
    absent (an installed wheel). Routing is capped per day (300 iterations, 2 s)
    so the same run gives the same plan in a few seconds.
    """
    path = Path(snowroute.__file__).resolve().parents[1] / "scenarios" / "demo.toml"
    if not path.is_file():
        logger.info("scenarios/demo.toml not found; no patrol plan")
        return None
    scenario = scenario_from_toml(path)
    assert scenario.patrol is not None
    spec = dataclasses.replace(scenario.patrol, structures=folder / "structures.csv")
    scenario = dataclasses.replace(scenario, patrol=spec)
    plan = plan_patrol(G, scenario, time_limit_s=2.0, max_iterations=300)
    print()
    print(plan.summary())
    return plan


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
