"""``snowroute demo``: the main job on the built-in demo network."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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

__all__ = [
    "demo_actual",
    "demo_data_dir",
    "demo_scenario",
    "load_demo_network",
    "register",
]

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


#: Day of the demo's synthetic GPS logs (the first day of its patrol horizon).
DEMO_LOG_DAY = dt.date(2026, 12, 1)


def demo_actual(result: Any, *, seed: int = 0) -> tuple[Any, Any]:
    """Synthetic logs of the demo plan and their comparison with it.

    The logs follow the plan the comparison would pick (optimized where
    computed) from the scenario's shift start on :data:`DEMO_LOG_DAY`, with
    15 m noise, a fix every 5 s, a one-minute gap per route and one road skipped.
    """
    from snowroute.actual import (
        MatchParams,
        SyntheticParams,
        compare_actual,
        road_index,
        synthetic_logs,
    )
    from snowroute.pipeline import plan_of_run

    scenario = result.scenario
    plan = plan_of_run(result)
    index = road_index(result.G)
    hours, minutes = (int(x) for x in scenario.service.start.split(":"))
    start = dt.datetime.combine(
        DEMO_LOG_DAY, dt.time(hours, minutes), tzinfo=ZoneInfo("Asia/Tokyo")
    )
    logs = synthetic_logs(index, plan, start=start, params=SyntheticParams(seed=seed))
    actual = compare_actual(
        result.G,
        scenario,
        plan,
        logs.tracks,
        logs.fleets,
        params=MatchParams(sigma_m=15.0),
        index=index,
    )
    return logs, actual


def _save_demo_actual(tmp: Path, logs: Any, actual: Any, lang: str) -> None:
    from snowroute.actual import write_log_folder
    from snowroute.pipeline import save_actual_files

    folder = tmp / "actual"
    (folder / "logs").mkdir(parents=True)
    write_log_folder(folder / "logs", logs.tracks, logs.fleets)
    save_actual_files(actual, folder, lang=lang)


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
    logger.info("comparing synthetic GPS logs of the plan with it")
    logs, actual = demo_actual(result, seed=args.seed or 0)
    written = None
    if args.out is not None:

        def extra(tmp: Path) -> None:
            save_tagged_network(G, report, tmp, crs=scenario.network.output_crs)
            _save_demo_actual(tmp, logs, actual, args.lang)

        logger.info("writing the outputs")
        written = write_run(
            result, args.out, lang=args.lang, force=args.force, extra=extra
        )
    verbose = args.verbose > 0
    print(report if verbose else "\n".join(network_lines(report)))
    print()
    print_run(result, verbose=verbose)
    print()
    print(actual.summary())
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
            "exchange plans (baseline, optimized, pooled), 14 days of patrol, and "
            "synthetic GPS logs of the plan compared with it (`snowroute actual`); "
            "with --out, every output of `snowroute run` plus the tagged network, "
            "and the logs and comparison in actual/."
        ),
    )
    demo.add_argument("--out", type=Path, help="output folder")
    demo.add_argument("--force", action="store_true", help="replace an existing folder")
    demo.add_argument(
        "--data", type=Path, help="demo network folder (default: networks/demo)"
    )
    add_run_options(demo)
    demo.set_defaults(handler=_demo)
