"""Administrative boundary layers: loading them, assigning roads to municipalities."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from snowroute._errors import TaggingError
from snowroute.network.layers import has_geometry, read_layer

__all__ = ["Boundaries", "assign_by_boundaries", "load_boundaries"]

logger = logging.getLogger(__name__)

#: A road whose midpoint lies outside every polygon (at sea, over a border river)
#: still joins the nearest one within this distance.
NEAREST_TOLERANCE_M = 200.0


@dataclass(frozen=True, slots=True)
class Boundaries:
    """Municipal (or any administrative) polygons with a code and a name each.

    Parameters
    ----------
    polygons
        GeoDataFrame in EPSG:4326 with columns ``code``, ``name`` and ``geometry``;
        one row per administrator (multi-part polygons are dissolved by code).
    source
        Where the layer came from, for messages.
    """

    polygons: gpd.GeoDataFrame
    source: str

    @property
    def names(self) -> dict[str, str]:
        """Administrator code → name."""
        return dict(zip(self.polygons["code"], self.polygons["name"], strict=True))


def load_boundaries(
    path: str | Path, *, code_col: str = "N03_007", name_col: str | None = "N03_004"
) -> Boundaries:
    """Read a polygon layer (GeoJSON, GeoPackage, Shapefile) of administrators.

    Parameters
    ----------
    path
        Any polygon layer geopandas reads.
    code_col
        Column holding the administrator id (e.g. the 5-digit municipal code).
    name_col
        Column holding its name; None to use the code as the name.

    Raises
    ------
    TaggingError
        When the file cannot be read, lacks a named column, holds no polygons, or
        gives one code two different names.
    """
    path = Path(path)
    if not path.exists():
        msg = f"Boundary layer `{path}` does not exist."
        raise TaggingError(msg)
    try:
        gdf = read_layer(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        msg = f"Boundary layer `{path}` cannot be read ({exc})."
        raise TaggingError(msg) from exc
    for role, col in (("code", code_col), ("name", name_col)):
        if col is not None and col not in gdf.columns:
            cols = ", ".join(c for c in gdf.columns if c != "geometry")
            msg = (
                f"Boundary layer `{path}` has no {role} column `{col}`; "
                f"its columns are: {cols}."
            )
            raise TaggingError(msg)
    gdf = gdf[has_geometry(gdf)]
    gdf = gdf[gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if gdf.empty:
        msg = f"Boundary layer `{path}` holds no polygons."
        raise TaggingError(msg)
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    gdf = gdf.to_crs("EPSG:4326")
    codes = gdf[code_col].astype(str).str.strip()
    names = gdf[name_col].astype(str).str.strip() if name_col else codes
    frame = gpd.GeoDataFrame(
        {"code": codes.to_numpy(), "name": names.to_numpy()},
        geometry=shapely.make_valid(gdf.geometry.to_numpy()),
        crs="EPSG:4326",
    )
    clash = frame.groupby("code")["name"].nunique()
    if (clash > 1).any():
        code = str(clash[clash > 1].index[0])
        msg = f"Boundary layer `{path}` gives code `{code}` more than one name."
        raise TaggingError(msg)
    frame = frame.dissolve(by="code", as_index=False, aggfunc="first")
    return Boundaries(frame[["code", "name", "geometry"]], str(path))


def assign_by_boundaries(
    points: np.ndarray, boundaries: Boundaries, *, crs: str = "EPSG:4326"
) -> np.ndarray:
    """Return, for each point, the code of the polygon containing it ("" if none).

    Points outside every polygon take the nearest polygon within
    :data:`NEAREST_TOLERANCE_M`.

    Parameters
    ----------
    points
        Array of shapely points (one per road edge, e.g. edge midpoints).
    boundaries
        The polygon layer.
    crs
        CRS of ``points``.
    """
    pts = gpd.GeoDataFrame(geometry=points, crs=crs).to_crs("EPSG:4326")
    pts["i"] = np.arange(len(pts))
    joined = gpd.sjoin(pts, boundaries.polygons, how="left", predicate="within")
    joined = joined.sort_values(["i", "code"]).drop_duplicates("i")
    codes = joined["code"].fillna("").to_numpy(dtype=object)
    missing = codes == ""
    if missing.any():
        utm = pts.estimate_utm_crs()
        near = gpd.sjoin_nearest(
            pts[missing].to_crs(utm),
            boundaries.polygons.to_crs(utm),
            how="left",
            max_distance=NEAREST_TOLERANCE_M,
        ).drop_duplicates("i")
        found = near.set_index("i")["code"].dropna()
        codes[found.index.to_numpy()] = found.to_numpy()
        logger.info(
            "%d roads lie outside every boundary polygon; %d joined the nearest one",
            int(missing.sum()),
            len(found),
        )
    return np.asarray(pd.Series(codes).astype(str).to_numpy(), dtype=object)
