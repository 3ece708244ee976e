"""Reading GIS layers (centerline ledgers, boundary polygons) the same way.

Shapefiles keep their text encoding in a ``.cpg`` file beside the ``.dbf``; without
one GDAL reads the text as Latin-1, and a Japanese ledger's Shift-JIS road names
come out garbled. :func:`read_layer` then decodes the text as UTF-8 or Shift-JIS
(cp932) when every value decodes as one of them, and says so. A strict decode is
all it takes to tell the three apart: Latin-1 text with accents is not valid
UTF-8 and rarely valid Shift-JIS, and a wrong guess is named in the warning.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["has_geometry", "read_layer"]

logger = logging.getLogger(__name__)

#: Encodings tried, in order, for a Shapefile without a .cpg file.
_ENCODINGS = {"utf-8": "UTF-8", "cp932": "Shift-JIS (cp932)"}


def read_layer(
    path: Path, *, layer: str | None = None, fid_as_index: bool = False
) -> gpd.GeoDataFrame:
    """Read a vector layer, decoding a Shapefile without a .cpg by its text.

    Raises whatever the reader raises on an unreadable file (callers name it).
    """
    frame = gpd.read_file(path, layer=layer, fid_as_index=fid_as_index)
    encoding = _uncoded_text_encoding(path, frame)
    if encoding is None:
        return frame
    logger.warning(
        "`%s` has no .cpg file naming its text encoding: its text is read as %s, "
        "which decodes all of it (a .cpg file holding the encoding's name decides)",
        path.name,
        _ENCODINGS[encoding],
    )
    return gpd.read_file(
        path, layer=layer, fid_as_index=fid_as_index, encoding=encoding
    )


def _uncoded_text_encoding(path: Path, frame: gpd.GeoDataFrame) -> str | None:
    """Return what a .cpg-less Shapefile's text is, when not the Latin-1 read."""
    if path.suffix.lower() not in (".shp", ".dbf"):
        return None
    if any(path.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return None
    columns = [c for c in frame.columns if c != frame.geometry.name]
    texts = {
        text
        for text in (*columns, *(v for c in columns for v in frame[c]))
        if isinstance(text, str) and not text.isascii()
    }  # column names too: a ledger's Japanese headers over ASCII codes
    try:
        raw = [text.encode("latin-1") for text in texts]
    except UnicodeEncodeError:  # not read as Latin-1 (the .dbf names a code page)
        return None
    for encoding in _ENCODINGS if raw else ():
        try:
            for data in raw:
                data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def has_geometry(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Rows whose geometry is neither missing nor empty (boolean array)."""
    geoms = np.asarray(frame.geometry.array, dtype=object)  # None: missing
    present: np.ndarray = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    return present
