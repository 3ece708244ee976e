"""One entry point writing every file output of a run (layers, GPX, sheets, map)."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import networkx as nx

from snowroute._errors import OutputError
from snowroute._io import write_json
from snowroute.outputs.docs import outputs_markdown
from snowroute.outputs.drive import driven_routes, plans_driven
from snowroute.outputs.gpx import save_gpx_tracks
from snowroute.outputs.layers import (
    output_crs,
    routes_to_gdfs,
    save_geojson,
    save_route_styles,
    save_routes_geopackage,
)
from snowroute.outputs.model import ExchangedSection, PatrolDay, PlanRoutes
from snowroute.outputs.sheets import save_route_sheets
from snowroute.outputs.text import check_lang
from snowroute.outputs.webmap import routes_map, save_map

__all__ = ["OUTPUT_NAMES", "save_outputs", "save_summary"]

logger = logging.getLogger(__name__)

#: Files and folders :func:`save_outputs` creates in its output folder.
OUTPUT_NAMES: tuple[str, ...] = (
    "routes.gpkg",
    "geojson",
    "gpx",
    "sheets",
    "map.html",
    "outputs.md",
)


def _sections(
    exchanged: Iterable[ExchangedSection | Mapping[str, Any]],
) -> list[ExchangedSection]:
    return [
        s if isinstance(s, ExchangedSection) else ExchangedSection.from_mapping(s)
        for s in exchanged
    ]


def _days(
    patrol_days: Iterable[PatrolDay | tuple[dt.date, PlanRoutes]],
) -> list[PatrolDay]:
    return [d if isinstance(d, PatrolDay) else PatrolDay(*d) for d in patrol_days]


def save_outputs(
    out_dir: str | os.PathLike[str],
    G: nx.MultiDiGraph,
    plans: Sequence[PlanRoutes],
    *,
    exchanged: Iterable[ExchangedSection | Mapping[str, Any]] = (),
    patrol_days: Iterable[PatrolDay | tuple[dt.date, PlanRoutes]] = (),
    lang: str = "en",
    force: bool = False,
    boundaries: Any = None,
    crs: str | None = None,
) -> list[Path]:
    """
    Write the GIS layers, GPX tracks, route sheets and web map of a run.

    Creates in ``out_dir`` (made if missing): ``routes.gpkg`` (projected CRS, every
    layer of :data:`~snowroute.outputs.layers.LAYERS`), ``geojson/<layer>.geojson``
    (WGS84), ``gpx/<plan>_<vehicle>_<n>.gpx``, ``sheets/`` (CSV and HTML per route,
    ``index.html``), ``map.html`` and ``outputs.md``. Everything is built and
    checked in memory first, so bad input writes nothing.

    Parameters
    ----------
    out_dir, G
        Output folder; the tagged road graph the plans were built on.
    plans
        The plans; several :class:`PlanRoutes` may share a name and form one plan.
    exchanged
        :class:`ExchangedSection` or dicts with keys ``route_id``, ``section``,
        ``from_admin``, ``to_admin``, ``km`` (``plan``).
    patrol_days
        Patrol routes per day, as :class:`PatrolDay` or ``(date, PlanRoutes)``.
    lang, force
        ``"en"`` or ``"ja"``; replace outputs already in ``out_dir``.
    boundaries
        Municipal polygons for the web map (see :func:`routes_map`), or ``None``.
    crs
        CRS of ``routes.gpkg`` (``None`` or ``"auto"``: :func:`output_crs` picks).

    Returns
    -------
    list of Path
        Every file written.

    Raises
    ------
    OutputError
        When a plan does not match ``G``, an input is malformed, or ``out_dir``
        already holds outputs and ``force`` is false.
    ValueError
        When ``lang`` is not ``en`` or ``ja``.
    """
    check_lang(lang)
    out = Path(out_dir)
    plans = list(plans)
    if not plans:
        msg = "`plans` must hold at least one plan."
        raise OutputError(msg)
    sections = _sections(exchanged)
    days = _days(patrol_days)
    existing = _existing_outputs(out, force=force)
    built = _Built.of(G, plans, sections, days, lang, boundaries, crs)  # checked
    _clear(out, existing)
    written = [save_routes_geopackage(built.layers, out / "routes.gpkg", crs=built.crs)]
    save_route_styles(out / "routes.gpkg")
    written += save_geojson(built.layers, out / "geojson")
    written += _save_route_files(G, built.routes, out, built.depot_names, lang)
    written.append(save_map(built.fmap, out / "map.html"))
    doc = out / "outputs.md"
    doc.write_text(outputs_markdown(crs=str(built.crs)), encoding="utf-8")
    logger.debug("Wrote %d output files to %s.", len(written) + 1, out)
    return [*written, doc]


@dataclass(frozen=True, slots=True)
class _Built:
    """The layers, routes and map of a run, built and checked in memory."""

    layers: dict[str, Any]
    crs: Any
    routes: list[Any]
    depot_names: dict[str, str]
    fmap: Any

    @classmethod
    def of(
        cls,
        G: nx.MultiDiGraph,
        plans: list[PlanRoutes],
        sections: list[ExchangedSection],
        days: list[PatrolDay],
        lang: str,
        boundaries: Any = None,
        crs: str | None = None,
    ) -> _Built:
        routes = plans_driven(plans)
        day_routes = _day_routes(days)
        all_routes = [*routes, *(r for _, rs in day_routes for r in rs)]
        _check_file_names(all_routes)
        layers = routes_to_gdfs(G, plans, exchanged=sections, patrol_days=days)
        depot_names = {
            k: v
            for p in [*plans, *(d.routes for d in days)]
            for k, v in p.depot_names.items()
        }
        fmap = routes_map(
            G,
            routes,
            exchanged=sections,
            patrol_days=day_routes,
            depot_names=depot_names,
            lang=lang,
            title=f"snowroute: {', '.join(dict.fromkeys(p.name for p in plans))}",
            boundaries=boundaries,
        )
        return cls(layers, output_crs(G, crs), all_routes, depot_names, fmap)


def _save_route_files(
    G: nx.MultiDiGraph,
    routes: Sequence[Any],
    out: Path,
    depot_names: dict[str, str],
    lang: str,
) -> list[Path]:
    """Write the GPX tracks and route sheets of every route."""
    written = save_gpx_tracks(
        G, routes, out / "gpx", depot_names=depot_names, lang=lang
    )
    return written + save_route_sheets(
        G, routes, out / "sheets", depot_names=depot_names, lang=lang
    )


def _existing_outputs(out: Path, *, force: bool) -> list[str]:
    """Return the outputs already in ``out``; refuse them unless ``force``."""
    existing = [name for name in OUTPUT_NAMES if (out / name).exists()]
    if existing and not force:
        msg = (
            f"Output folder `{out}` already holds {', '.join(existing)}; pass "
            "force=True (--force) to replace them."
        )
        raise OutputError(msg)
    return existing


def _day_routes(days: Sequence[PatrolDay]) -> list[tuple[PatrolDay, list[Any]]]:
    """Each patrol day's driven routes; their files carry the day's date."""
    return [
        (day, [replace(r, plan=f"{r.plan}-{day.date.isoformat()}") for r in rs])
        for day in days
        for rs in [driven_routes(day.routes)]
    ]


def _check_file_names(routes: Sequence[Any]) -> None:
    stems = [r.stem for r in routes]
    clashes = sorted({s for s in stems if stems.count(s) > 1})
    if clashes:
        msg = (
            f"Routes would share the file name {clashes[0]!r}; give plans names "
            "that differ in letters or digits."
        )
        raise OutputError(msg)


def _clear(out: Path, existing: Sequence[str]) -> None:
    """Make ``out`` and remove the ``existing`` outputs in it."""
    out.mkdir(parents=True, exist_ok=True)
    for name in existing:
        target = out / name
        if target.is_dir():
            for child in sorted(target.rglob("*"), reverse=True):
                child.rmdir() if child.is_dir() else child.unlink()
            target.rmdir()
        else:
            target.unlink()


def save_summary(summary: Mapping[str, Any], folder: Path) -> Path:
    """Write ``summary.json``: the run's plans, ledgers and comparisons (UTF-8)."""
    path = folder / "summary.json"
    write_json(path, dict(summary))
    return path
