import geopandas as gpd
from shapely import LineString

from snowroute.network.copies import find_copies


def _pieces(*ends: tuple[int, int, float]) -> gpd.GeoDataFrame:
    """Pieces from (u, v, y offset) along x = 0..100, with u at x = 0 when u < v."""
    rows = []
    for row, (u, v, dy) in enumerate(ends):
        line = LineString([(0, dy), (100, dy)])
        rows.append(
            {"row": row, "u": u, "v": v, "geometry": line if u < v else line.reverse()}
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:32654")


def test_a_directed_export_merges_twins_and_keeps_singles_one_way() -> None:
    pieces = _pieces((0, 1, 0.0), (1, 0, 0.2), (1, 2, 50.0))
    copies = find_copies(pieces, tolerance_m=1.0)
    assert copies.directed
    assert copies.kept_of == {1: 0}
    assert copies.direction == {0: 0, 2: 1}
    assert (copies.twins, copies.duplicates) == (1, 0)


def test_a_ledger_with_a_oneway_column_only_drops_copies() -> None:
    pieces = _pieces((0, 1, 0.0), (1, 0, 0.2), (0, 1, 0.1), (1, 2, 50.0))
    copies = find_copies(pieces, tolerance_m=1.0, oneway_given=True)
    assert not copies.directed
    assert copies.kept_of == {1: 0, 2: 0}
    assert copies.direction == {}
    assert copies.duplicates == 2


def test_parallel_streets_between_the_same_junctions_are_not_copies() -> None:
    pieces = _pieces((0, 1, 0.0), (1, 0, 30.0))  # a loop road 30 m away
    copies = find_copies(pieces, tolerance_m=1.0, directed="yes")
    assert copies.kept_of == {}
    assert copies.direction == {0: 1, 1: 1}
