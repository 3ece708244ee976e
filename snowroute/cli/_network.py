"""``snowroute network ...``: report on, tag and save road networks."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute._errors import InputFileError
from snowroute._io import atomic_directory, check_output_path
from snowroute.network import (
    CenterlineColumns,
    graph_from_centerline,
    largest_component,
    load_boundaries,
    load_overrides,
    load_rules,
    network_report,
    save_network,
    tagged_graph_from_file,
)
from snowroute.network.centerline import columns_from_text
from snowroute.outputs.network import save_tagged_network

__all__ = [
    "add_tagging_options",
    "load_network_from_args",
    "register",
]

logger = logging.getLogger(__name__)


def add_tagging_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that choose how administrators are tagged."""
    group = parser.add_argument_group("administrator tagging")
    group.add_argument(
        "--rules",
        default="japan",
        metavar="NAME|PATH",
        help="rule set: japan (default), wisconsin, or a rule TOML file",
    )
    group.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a rule-set parameter, e.g. prefecture_code=05 or "
        "mlit_routes=7,13,46 (repeatable)",
    )
    group.add_argument(
        "--boundaries",
        type=Path,
        metavar="PATH",
        help="municipal polygon layer for the spatial join (GeoJSON, GeoPackage, "
        "Shapefile)",
    )
    group.add_argument(
        "--boundary-code",
        default="N03_007",
        metavar="COLUMN",
        help="column of the boundary layer holding the administrator id "
        "(default N03_007, the MLIT N03 municipal code)",
    )
    group.add_argument(
        "--boundary-name",
        default="N03_004",
        metavar="COLUMN",
        help="column holding the administrator name (default N03_004)",
    )
    group.add_argument(
        "--overrides",
        type=Path,
        metavar="CSV",
        help="override table (way_id, ref or name → administrator/route) that "
        "wins over the rules",
    )
    group.add_argument(
        "--largest",
        action="store_true",
        help="keep only the largest strongly connected piece of the network",
    )
    line = parser.add_argument_group(
        "centerline layers (GeoPackage, Shapefile, GeoJSON line layers)"
    )
    line.add_argument(
        "--columns",
        nargs="+",
        metavar="COLUMN|KEY=COLUMN",
        help="read PATH as a centerline layer: the administrator column, then "
        "KEY=COLUMN for any other field of [network.columns] (oneway=ONEWAY, "
        "road_class=CLASS, priority=ROAD_CLASS, width=WIDTH, ...), and "
        "KEY=VALUE for its settings (width_unit=ft, directed=yes, speed_unit=mph, "
        "oneway_both=both,None, priority_values='Minor Arterial:arterial,None:local')",
    )
    line.add_argument("--layer", help="layer of a multi-layer file (GeoPackage)")


def _params(
    pairs: list[str], option: str = "--param", value: str = "VALUE"
) -> dict[str, str]:
    """Return ``KEY=VALUE`` pairs of a repeatable option as a dict."""
    params = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            msg = f"`{option} {pair}` must look like KEY={value}."
            raise InputFileError(msg)
        params[key.strip()] = text.strip()
    return params


def _centerline_columns(values: list[str]) -> CenterlineColumns:
    """Return the column mapping of ``--columns ADMIN_COL [KEY=COLUMN ...]``."""
    first, *rest = values
    fields: dict[str, Any] = {} if "=" in first else {"admin_id": first}
    pairs = [first, *rest] if "=" in first else rest
    fields.update(_params(pairs, "--columns", "COLUMN"))
    known = {f.name for f in dataclasses.fields(CenterlineColumns)}
    unknown = sorted(set(fields) - known)
    if unknown:
        names = ", ".join(sorted(known))
        msg = f"`--columns {unknown[0]}=...` is not a column field ({names})."
        raise InputFileError(msg)
    if "admin_id" not in fields:
        msg = "`--columns` needs the administrator column first (or admin_id=COLUMN)."
        raise InputFileError(msg)
    try:
        return columns_from_text(fields)
    except ValueError as exc:
        msg = f"`--columns`: {exc}"
        raise InputFileError(msg) from None


def load_network_from_args(path: Path, args: argparse.Namespace) -> nx.MultiDiGraph:
    """Read and tag the network at ``path`` as the tagging options say.

    With ``--columns`` the file is a centerline layer mapped by those columns.
    """
    if getattr(args, "columns", None):
        G = graph_from_centerline(
            path, columns=_centerline_columns(args.columns), layer=args.layer
        )
        return largest_component(G) if args.largest else G
    rules = load_rules(args.rules, **_params(args.param))
    boundaries = (
        load_boundaries(
            args.boundaries,
            code_col=args.boundary_code,
            name_col=args.boundary_name or None,
        )
        if args.boundaries
        else None
    )
    overrides = load_overrides(args.overrides) if args.overrides else ()
    return tagged_graph_from_file(
        path,
        rules=rules,
        boundaries=boundaries,
        overrides=overrides,
        largest=args.largest,
    )


def _info(args: argparse.Namespace) -> int:
    G = load_network_from_args(args.path, args)
    report = network_report(G, examples=args.examples)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report)
    return 0


def _tag(args: argparse.Namespace) -> int:
    check_output_path(args.out, force=args.force, kind="folder")
    G = load_network_from_args(args.path, args)
    report = network_report(G)
    with atomic_directory(args.out, force=args.force) as tmp:
        files = save_tagged_network(G, report, tmp)
    print(report)
    print(f"\nWrote {args.out}/: {', '.join(files)}")
    return 0


def _fetch(args: argparse.Namespace) -> int:  # pragma: no cover - needs internet
    from snowroute.network.ingest import graph_from_bbox, graph_from_place

    check_output_path(args.out, force=args.force, kind="file")
    if args.place:
        G = graph_from_place(args.place, largest=args.largest)
    else:
        try:
            west, south, east, north = (float(v) for v in args.bbox.split(","))
        except ValueError:
            msg = f"`--bbox {args.bbox}` must be four numbers WEST,SOUTH,EAST,NORTH."
            raise InputFileError(msg) from None
        G = graph_from_bbox((west, south, east, north), largest=args.largest)
    save_network(G, args.out, force=args.force)
    print(f"Wrote {args.out} ({G.number_of_edges()} directed edges, untagged).")
    return 0


def _make_demo(args: argparse.Namespace) -> int:
    from snowroute.datasets import write_demo_network

    write_demo_network(args.folder, seed=args.seed, force=args.force)
    print(f"Wrote the demo network to {args.folder}/ (seed {args.seed}).")
    return 0


def _make_region(args: argparse.Namespace) -> int:
    from snowroute.datasets import write_region_network

    write_region_network(args.folder, seed=args.seed, force=args.force)
    print(f"Wrote the demo region to {args.folder}/ (seed {args.seed}).")
    return 0


def register(subparsers: Any) -> None:
    """Register ``snowroute network`` and its subcommands."""
    network = subparsers.add_parser(
        "network",
        help="read, tag and report on road networks",
        description="Read road networks, tag administrators and routes, report.",
    )
    sub = network.add_subparsers(
        dest="network_command", metavar="SUBCOMMAND", required=True
    )

    info = sub.add_parser(
        "info",
        help="km and routes per administrator and road class, unknown roads, pieces",
        description=(
            "Read a network (OSM XML or PBF, GraphML, or a centerline line layer with "
            "--columns), tag administrators unless it is tagged already, and print "
            "the network report."
        ),
    )
    info.add_argument("path", type=Path, help="network file")
    add_tagging_options(info)
    info.add_argument("--json", action="store_true", help="print the report as JSON")
    info.add_argument(
        "--examples", type=int, default=5, help="unknown roads and pieces to list"
    )
    info.set_defaults(handler=_info)

    tag = sub.add_parser(
        "tag",
        help="read and tag a network, save GraphML, GeoPackage, routes and report",
        description=(
            "Read a network, tag administrators and routes, and write OUT/network."
            "graphml, OUT/network.gpkg (layers nodes, edges, routes), OUT/routes.csv "
            "and OUT/report.txt/json. Nothing is written if any step fails."
        ),
    )
    tag.add_argument(
        "path", type=Path, help="network file (OSM XML or PBF, GraphML, line layer)"
    )
    tag.add_argument("--out", type=Path, required=True, help="output folder")
    tag.add_argument("--force", action="store_true", help="replace an existing folder")
    add_tagging_options(tag)
    tag.set_defaults(handler=_tag)

    fetch = sub.add_parser(
        "fetch",
        help="download drivable roads from OpenStreetMap (needs internet)",
        description=(
            "Download the drivable public roads of a place or bounding box with "
            "OSMnx and save them untagged as GraphML, for `network tag`. Route "
            "relations are not read this way; use an OSM XML extract for them."
        ),
    )
    where = fetch.add_mutually_exclusive_group(required=True)
    where.add_argument("--place", help='place name, e.g. "Akita, Akita, Japan"')
    where.add_argument("--bbox", help="WEST,SOUTH,EAST,NORTH in degrees")
    fetch.add_argument("--out", type=Path, required=True, help="output .graphml file")
    fetch.add_argument("--largest", action="store_true", help="largest piece only")
    fetch.add_argument("--force", action="store_true", help="replace the file")
    fetch.set_defaults(handler=_fetch)

    _register_makers(sub)


def _register_makers(sub: Any) -> None:
    """Register ``network make-demo`` and ``network make-region``."""
    make_demo = sub.add_parser(
        "make-demo",
        help="regenerate the built-in demo network (deterministic, no download)",
        description=(
            "Generate the synthetic Akita-like demo network: demo.osm, "
            "boundaries.geojson, depots.csv, structures.csv and README.md."
        ),
    )
    make_demo.add_argument("folder", type=Path, help="output folder (networks/demo)")
    make_demo.add_argument("--seed", type=int, default=2009, help="generator seed")
    make_demo.add_argument("--force", action="store_true", help="replace the folder")
    make_demo.set_defaults(handler=_make_demo)

    make_region = sub.add_parser(
        "make-region",
        help="regenerate the built-in demo region (deterministic, no download)",
        description=(
            "Generate the synthetic prefecture-scale demo region (one regional "
            "office's area, for scenarios/region.toml): region.osm, "
            "boundaries.geojson, depots.csv and README.md."
        ),
    )
    make_region.add_argument(
        "folder", type=Path, help="output folder (networks/region)"
    )
    make_region.add_argument("--seed", type=int, default=2009, help="generator seed")
    make_region.add_argument("--force", action="store_true", help="replace the folder")
    make_region.set_defaults(handler=_make_region)
