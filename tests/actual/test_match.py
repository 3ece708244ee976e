"""The map matcher on a hand-made street: direction, noise, far fixes, gaps."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from snowroute.actual import MatchParams, match_points, road_index
from snowroute.actual.roads import RoadIndex

X0, Y0 = 395_000.0, 4_385_000.0


@pytest.fixture(scope="module")
def street() -> RoadIndex:
    """Five junctions 100 m apart west to east, two-way; a side street north of 2."""
    G = nx.MultiDiGraph(crs="EPSG:32654")
    for i in range(5):
        G.add_node(i, x=X0 + 100 * i, y=Y0)
    G.add_node(9, x=X0 + 200, y=Y0 + 100)
    for a, b in [(0, 1), (1, 2), (2, 3), (3, 4), (2, 9)]:
        G.add_edge(a, b, length=100.0)
        G.add_edge(b, a, length=100.0)
    return road_index(G)


def _drive(xs: list[float], ys: list[float], rng: np.random.Generator, sigma: float):
    """Fixes every second at 10 m/s along the polyline, with noise."""
    pts = np.column_stack([xs, ys])
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.arange(0.0, seg.sum(), 10.0)
    x = np.interp(s, np.concatenate([[0], np.cumsum(seg)]), pts[:, 0])
    y = np.interp(s, np.concatenate([[0], np.cumsum(seg)]), pts[:, 1])
    return x + rng.normal(0, sigma, len(s)), y + rng.normal(0, sigma, len(s)), s / 10.0


def _edges(index: RoadIndex, matched) -> list[tuple[int, int]]:
    pairs = zip(matched.edge, matched.full, strict=True)
    return [index.edges[e][:2] for e, ok in pairs if ok]


def test_a_drive_east_matches_the_eastbound_edges(street: RoadIndex) -> None:
    x, y, t = _drive([X0, X0 + 400], [Y0, Y0], np.random.default_rng(1), 10.0)
    matched = match_points(street, x, y, t, params=MatchParams(sigma_m=10.0))
    assert _edges(street, matched) == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_a_drive_west_then_north_matches_in_driving_direction(
    street: RoadIndex,
) -> None:
    x, y, t = _drive(
        [X0 + 400, X0 + 200, X0 + 200],
        [Y0, Y0, Y0 + 100],
        np.random.default_rng(2),
        10.0,
    )
    matched = match_points(street, x, y, t, params=MatchParams(sigma_m=10.0))
    assert _edges(street, matched) == [(4, 3), (3, 2), (2, 9)]
    assert np.all(np.diff(matched.t_enter) >= 0)


def test_fixes_far_from_roads_are_unmatched_and_counted(street: RoadIndex) -> None:
    x, y, t = _drive([X0, X0 + 400], [Y0, Y0], np.random.default_rng(3), 5.0)
    y[10] += 800.0  # a glitch far from every road
    matched = match_points(street, x, y, t, params=MatchParams(sigma_m=10.0))
    assert not matched.point_matched[10]
    assert matched.point_matched.sum() == len(x) - 1
    assert _edges(street, matched) == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_a_gap_in_the_log_is_bridged_by_the_road(street: RoadIndex) -> None:
    x, y, t = _drive([X0, X0 + 400], [Y0, Y0], np.random.default_rng(4), 5.0)
    keep = (t < 8) | (t > 26)  # no fixes between 80 m and 260 m
    matched = match_points(
        street, x[keep], y[keep], t[keep], params=MatchParams(sigma_m=10.0)
    )
    assert _edges(street, matched) == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_standing_still_drives_nothing(street: RoadIndex) -> None:
    rng = np.random.default_rng(5)
    n = 300
    x, y = X0 + 150 + rng.normal(0, 5, n), Y0 + rng.normal(0, 5, n)
    matched = match_points(
        street, x, y, np.arange(n, dtype=float), params=MatchParams(sigma_m=10.0)
    )
    assert _edges(street, matched) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("sigma_m", 0.0), ("max_candidates", 0), ("min_cover", 1.5), ("max_gap_s", -1.0)],
)
def test_match_params_check_themselves(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        MatchParams(**{field: value})
