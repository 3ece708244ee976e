"""Tagging every road with its administrator, route and service attributes."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely

from snowroute._errors import TaggingError
from snowroute.network import attributes as A
from snowroute.network.boundaries import Boundaries, assign_by_boundaries
from snowroute.network.ingest import graph_from_file
from snowroute.network.overrides import Override, check_admin_ids
from snowroute.network.routes import add_edge_routes
from snowroute.network.rules import BOUNDARY, Assignment, RuleSet, load_rules
from snowroute.network.tags import (
    first,
    is_winter_closed,
    parse_lanes,
    parse_speed_kph,
    parse_width_m,
    values,
)
from snowroute.network.validate import validate_network

__all__ = ["administrators", "edge_midpoints", "tag_network", "tagged_graph_from_file"]

logger = logging.getLogger(__name__)

_ADMINS = "snowroute_admins"


def edge_midpoints(G: nx.MultiDiGraph) -> np.ndarray:
    """Return the midpoint (half-way along the road) of every edge, in edge order."""
    lines = []
    for u, v, data in G.edges(data=True):
        geom = data.get("geometry")
        if geom is None:
            nu, nv = G.nodes[u], G.nodes[v]
            geom = shapely.LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
        lines.append(geom)
    return np.asarray(
        shapely.line_interpolate_point(
            np.asarray(lines, dtype=object), 0.5, normalized=True
        ),
        dtype=object,
    )


def administrators(G: nx.MultiDiGraph) -> dict[str, dict[str, str]]:
    """Return the administrators of a tagged network: id → ``{"class", "name"}``.

    Raises
    ------
    TaggingError
        When the network has not been tagged.
    """
    raw = G.graph.get(_ADMINS)
    if raw is None:
        msg = "The network has no administrators; run `tag_network` first."
        raise TaggingError(msg)
    admins: dict[str, dict[str, str]] = json.loads(raw) if isinstance(raw, str) else raw
    return admins


def _service_attributes(data: dict[str, Any], rules: RuleSet) -> dict[str, Any]:
    road_class = first(data.get("highway"), "road")
    oneway_values = data.get(A.ONEWAY, False)
    if isinstance(oneway_values, list):
        oneway = all(A.parse_bool(v) for v in oneway_values)
    else:
        oneway = A.parse_bool(oneway_values)
    lanes = parse_lanes(data.get("lanes")) or (1 if oneway else 2)
    width = parse_width_m(data.get("width")) or parse_width_m(data.get("est_width"))
    speed = parse_speed_kph(data.get("maxspeed"))
    if speed is None:
        speed = float(rules.defaults["speed_kph"].get(road_class, 30))
    return {
        A.ROAD_CLASS: road_class,
        A.ONEWAY: oneway,
        A.N_LANES: int(lanes),
        A.WIDTH_M: math.nan if width is None else float(width),
        A.SPEED_KPH: float(speed),
        A.SERVICE_GRADE: int(rules.defaults["service_grade"].get(road_class, 0)),
        A.PRIORITY: str(rules.defaults["priority"].get(road_class, "local")),
        A.WINTER_CLOSED: is_winter_closed(data),
    }


def _select(G: nx.MultiDiGraph, row: Override) -> list[tuple[Any, Any, Any]]:
    hits = []
    for u, v, k, data in G.edges(keys=True, data=True):
        if row.selector == "way_id":
            osmids = data.get("osmid")
            ids = osmids if isinstance(osmids, list) else [osmids]
            hit = any(str(i) == row.value for i in ids)
        elif row.selector == "ref":
            hit = row.value in values(data.get("ref")) or row.value == data[A.ROUTE_REF]
        else:
            hit = (
                row.value in values(data.get("name")) or row.value == data[A.ROUTE_NAME]
            )
        if hit:
            hits.append((u, v, k))
    return hits


def _apply_overrides(
    G: nx.MultiDiGraph,
    overrides: Sequence[Override],
    admins: dict[str, dict[str, str]],
) -> None:
    check_admin_ids(overrides, set(admins))
    for row in overrides:
        hits = _select(G, row)
        if not hits:
            msg = f"Override {row.describe()} matches no road in the network."
            raise TaggingError(msg)
        for u, v, k in hits:
            data = G.edges[u, v, k]
            data.update(row.values)
            admin = row.values.get("admin_id")
            if isinstance(admin, str) and "admin_class" not in row.values:
                data[A.ADMIN_CLASS] = admins[admin]["class"]
            data[A.ADMIN_RULE] = f"override:line {row.line}"
        logger.info("Override %s applied to %d edges", row.describe(), len(hits))


def tag_network(
    G: nx.MultiDiGraph,
    rules: RuleSet | str = "japan",
    *,
    boundaries: Boundaries | None = None,
    overrides: Sequence[Override] = (),
) -> nx.MultiDiGraph:
    """Tag every edge with its administrator, route and service attributes.

    Modifies ``G`` in place and returns it. The steps: the rule set classifies each
    road from its OSM tags (two passes where the rules collect evidence, e.g.
    national route numbers); roads the rules leave to "the municipality it lies in"
    are joined to ``boundaries`` by their midpoint; the override table then wins
    over both; finally edges are grouped into routes (:func:`add_edge_routes`) and
    the graph is validated.

    Parameters
    ----------
    G
        A network from :mod:`snowroute.network.ingest`, not yet tagged.
    rules
        A rule set or the name/path of one (see :func:`load_rules`).
    boundaries
        Municipal polygons; without them municipal roads go to the rule set's
        ``default_municipality`` (or ``unknown``).
    overrides
        Rows of an override table (see :mod:`snowroute.network.overrides`).

    Returns
    -------
    nx.MultiDiGraph
        ``G``, tagged.

    Raises
    ------
    TaggingError
        When ``G`` is already tagged, or an override names an unknown road or
        administrator.
    NetworkValidationError
        When the tagged graph breaks the schema.
    """
    if G.graph.get(A.TAGGED):
        msg = "The network is already tagged; load the untagged source to retag it."
        raise TaggingError(msg)
    rule_set = rules if isinstance(rules, RuleSet) else load_rules(rules)
    logger.info(
        "Tagging %d edges with rule set `%s`", G.number_of_edges(), rule_set.name
    )
    found = rule_set.classify_all([data for _, _, data in G.edges(data=True)])
    joined = _join_boundaries(G, found, rule_set, boundaries)
    admins: dict[str, dict[str, str]] = {
        admin_id: {"class": cls, "name": name}
        for admin_id, (cls, name) in rule_set.administrators.items()
    }
    boundary_names = boundaries.names if boundaries is not None else {}
    municipal_class = next(
        (a.admin_class for a in found if a.admin_id == BOUNDARY), "municipality"
    )
    for code, name in boundary_names.items():
        admins.setdefault(code, {"class": municipal_class, "name": name})
    _tag_edges(G, found, joined, rule_set, admins)
    _apply_overrides(G, overrides, admins)
    add_edge_routes(G)
    used = {data[A.ADMIN_ID] for _, _, data in G.edges(data=True)}
    G.graph[_ADMINS] = json.dumps(
        {k: v for k, v in sorted(admins.items()) if k in used or k in boundary_names},
        ensure_ascii=False,
    )
    G.graph["snowroute_rules"] = rule_set.name
    G.graph[A.TAGGED] = True
    validate_network(G, strict=True)
    return G


def _join_boundaries(
    G: nx.MultiDiGraph,
    found: Sequence[Assignment],
    rule_set: RuleSet,
    boundaries: Boundaries | None,
) -> np.ndarray:
    """Municipality of every edge the rules leave to "the municipality it lies in"."""
    default_municipality = str(rule_set.params.get("default_municipality", ""))
    needs_join = np.array([a.admin_id == BOUNDARY for a in found], dtype=bool)
    joined = np.full(len(found), default_municipality or A.UNKNOWN, dtype=object)
    if boundaries is not None and needs_join.any():
        logger.info("Joining %d roads to %s", int(needs_join.sum()), boundaries.source)
        mids = edge_midpoints(G)
        codes = assign_by_boundaries(mids[needs_join], boundaries, crs=G.graph["crs"])
        _check_coverage(codes, boundaries)
        fallback = default_municipality or A.UNKNOWN
        joined[needs_join] = [c or fallback for c in codes]
    return joined


def _check_coverage(codes: np.ndarray, boundaries: Boundaries) -> None:
    """Refuse boundaries that cover no road; warn when most roads lie outside."""
    outside = int(sum(1 for c in codes if not c))
    if outside == len(codes):
        msg = (
            f"Boundaries `{boundaries.source}` cover none of the {len(codes)} roads "
            "left to the municipality they lie in (another area or a wrong CRS?)."
        )
        raise TaggingError(msg)
    if outside > len(codes) / 2:
        logger.warning(
            "%d of %d roads lie outside every polygon of %s; they go to the default "
            "municipality or `unknown`",
            outside,
            len(codes),
            boundaries.source,
        )


def _tag_edges(
    G: nx.MultiDiGraph,
    found: Sequence[Assignment],
    joined: np.ndarray,
    rule_set: RuleSet,
    admins: dict[str, dict[str, str]],
) -> None:
    """Write the administrator, route and service attributes on every edge."""
    for i, (_, _, data) in enumerate(G.edges(data=True)):
        assignment = found[i]
        admin_id = (
            str(joined[i]) if assignment.admin_id == BOUNDARY else assignment.admin_id
        )
        data.update(
            {
                A.ADMIN_CLASS: assignment.admin_class,
                A.ADMIN_ID: admin_id,
                A.ADMIN_RULE: assignment.rule or "none",
                A.ROUTE_KIND: assignment.route_kind,
                A.ROUTE_REF: assignment.route_ref,
                A.ROUTE_NAME: assignment.route_name,
            }
        )
        data.update(_service_attributes(data, rule_set))
        if admin_id != A.UNKNOWN:
            admins.setdefault(
                admin_id, {"class": assignment.admin_class, "name": admin_id}
            )


def tagged_graph_from_file(
    path: str | Path,
    *,
    rules: RuleSet | str = "japan",
    boundaries: Boundaries | None = None,
    overrides: tuple[Override, ...] = (),
    largest: bool = False,
    **read_options: Any,
) -> nx.MultiDiGraph:
    """Read a network file and tag it, unless it was saved tagged already.

    A tagged GraphML (from ``snowroute network tag``) is returned as saved; its
    tags are kept, so passing ``boundaries`` or ``overrides`` with one is an error.

    Raises
    ------
    InputFileError
        When the file cannot be read.
    TaggingError
        When tagging options are given for an already tagged network, or tagging
        fails (see :func:`tag_network`).
    """
    G = graph_from_file(path, largest=largest, **read_options)
    if G.graph.get(A.TAGGED):
        if boundaries is not None or overrides:
            msg = (
                f"`{path}` is already tagged; boundaries and overrides apply only "
                "to untagged OSM input."
            )
            raise TaggingError(msg)
        return G
    return tag_network(G, rules, boundaries=boundaries, overrides=overrides)
