"""Town street grids: junctions, named streets, one-ways, gaps and cul-de-sacs."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, Point, Polygon

from snowroute.datasets.osm import XY, OsmBuilder, Way, _pairs

__all__ = ["GridNodes", "StreetGrid", "add_grid_nodes", "add_grid_streets"]


@dataclass(frozen=True, slots=True)
class StreetGrid:
    """Parameters of a town's street grid (市街地の格子状街路).

    Parameters
    ----------
    name
        Name of the town (for logs).
    center
        Local centre of the grid in metres.
    n_cols, n_rows
        Number of north-south streets (columns) and east-west streets (rows).
    spacing_m
        Block size in metres.
    rotation_deg
        Counter-clockwise rotation of the grid.
    jitter_m
        Standard deviation of the random shift of each junction.
    districts
        Place names (町名) that street names are made from, west/south first.
    named_share
        Share of streets with a name; the rest are unnamed.
    collector_every
        Every n-th street is a ``tertiary`` collector, the others ``residential``.
    oneway_share
        Share of the other inner streets made one-way (oneway=yes or -1).
    reverse_tag_share
        Share of one-way runs written against the node order with ``oneway=-1``.
    drop_share
        Share of blocks sides left without a street (T junctions, dead ends).
    n_cul_de_sacs
        Number of short dead-end streets (袋小路) added at the edge or in blocks.

    Raises
    ------
    ValueError
        When a count, size or share is out of range.
    """

    name: str
    center: XY
    n_cols: int
    n_rows: int
    spacing_m: float = 150.0
    rotation_deg: float = 0.0
    jitter_m: float = 6.0
    districts: tuple[str, ...] = ("中央",)
    named_share: float = 0.75
    collector_every: int = 5
    oneway_share: float = 0.15
    reverse_tag_share: float = 0.35
    drop_share: float = 0.05
    n_cul_de_sacs: int = 6

    def __post_init__(self) -> None:
        if self.n_cols < 2 or self.n_rows < 2:
            msg = (
                f"Grid `{self.name}` needs 2 or more rows and columns, "
                f"got {self.n_rows}x{self.n_cols}."
            )
            raise ValueError(msg)
        if self.spacing_m <= 0 or self.jitter_m < 0 or self.collector_every < 1:
            msg = f"Grid `{self.name}` needs a positive spacing and collector step."
            raise ValueError(msg)
        shares = (
            self.named_share,
            self.oneway_share,
            self.reverse_tag_share,
            self.drop_share,
        )
        if not all(0.0 <= s <= 1.0 for s in shares):
            msg = f"Shares of grid `{self.name}` must lie in [0, 1]."
            raise ValueError(msg)
        if not self.districts or self.n_cul_de_sacs < 0:
            msg = (
                f"Grid `{self.name}` needs district names and a non-negative "
                "cul-de-sac count."
            )
            raise ValueError(msg)

    def position(self, row: float, col: float) -> XY:
        """Local coordinates of grid position ``(row, col)`` before jitter."""
        u = (col - (self.n_cols - 1) / 2.0) * self.spacing_m
        v = (row - (self.n_rows - 1) / 2.0) * self.spacing_m
        theta = math.radians(self.rotation_deg)
        x = u * math.cos(theta) - v * math.sin(theta)
        y = u * math.sin(theta) + v * math.cos(theta)
        return self.center[0] + x, self.center[1] + y


@dataclass(frozen=True, slots=True)
class GridNodes:
    """Junction node ids of a street grid, ``ids[row][col]`` (None where dropped)."""

    grid: StreetGrid
    ids: tuple[tuple[int | None, ...], ...]
    avoid: Polygon | None = None

    def at(self, row: int, col: int) -> int:
        """Node id at ``(row, col)``.

        Raises
        ------
        KeyError
            When the grid has no junction there.
        """
        node = self.ids[row][col]
        if node is None:
            msg = f"Grid `{self.grid.name}` has no junction at ({row}, {col})."
            raise KeyError(msg)
        return node

    def row(self, row: int, first: int, last: int) -> list[int]:
        """Junctions along ``row`` from column ``first`` to ``last`` (either way)."""
        step = 1 if last >= first else -1
        return [self.at(row, c) for c in range(first, last + step, step)]

    def col(self, col: int, first: int, last: int) -> list[int]:
        """Junctions along ``col`` from row ``first`` to ``last`` (either way)."""
        step = 1 if last >= first else -1
        return [self.at(r, col) for r in range(first, last + step, step)]

    def all_nodes(self) -> list[int]:
        """Every junction of the grid, row by row."""
        return [n for row in self.ids for n in row if n is not None]


def add_grid_nodes(
    builder: OsmBuilder,
    grid: StreetGrid,
    *,
    rng: np.random.Generator,
    avoid: Polygon | None = None,
) -> GridNodes:
    """Add the junctions of ``grid`` (none inside ``avoid``, e.g. water).

    Arterials may then run through them (``add_road`` with node waypoints) before
    ``add_grid_streets`` fills in the remaining streets.
    """
    ids: list[tuple[int | None, ...]] = []
    for r in range(grid.n_rows):
        row: list[int | None] = []
        for c in range(grid.n_cols):
            x, y = grid.position(r, c)
            dx, dy = rng.normal(0.0, grid.jitter_m, size=2) if grid.jitter_m else (0, 0)
            point = (x + float(dx), y + float(dy))
            if avoid is not None and avoid.contains(Point(point)):
                row.append(None)
            else:
                row.append(builder.add_node(*point))
        ids.append(tuple(row))
    return GridNodes(grid, tuple(ids), avoid)


def _reachable(succ: Mapping[int, set[int]], src: int, dst: int, max_hops: int) -> bool:
    """Whether ``dst`` can be reached from ``src`` in at most ``max_hops`` steps."""
    frontier, seen = [src], {src}
    for _ in range(max_hops):
        nxt = []
        for node in frontier:
            for succ_node in succ.get(node, ()):
                if succ_node == dst:
                    return True
                if succ_node not in seen:
                    seen.add(succ_node)
                    nxt.append(succ_node)
        if not nxt:
            return False
        frontier = nxt
    return False


def _segments_array(builder: OsmBuilder, box: Polygon) -> np.ndarray:
    rows = []
    for way in builder.ways:
        if way.is_road:
            for a, b in _pairs(way.nodes):
                pa, pb = builder.xy(a), builder.xy(b)
                if box.intersects(LineString([pa, pb])):
                    rows.append((*pa, *pb))
    return np.array(rows, dtype=float).reshape(-1, 4)


def _clear_of(segs: np.ndarray, p: XY, q: XY, clearance_m: float) -> bool:
    """Whether segment ``p``-``q`` crosses none of ``segs`` and ``q`` keeps clear."""
    if len(segs) == 0:
        return True
    a, b = segs[:, :2], segs[:, 2:]

    def cross(o: np.ndarray, u: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.asarray(
            (u[..., 0] - o[..., 0]) * (w[..., 1] - o[..., 1])
            - (u[..., 1] - o[..., 1]) * (w[..., 0] - o[..., 0])
        )

    pp, qq = np.broadcast_to(p, a.shape), np.broadcast_to(q, a.shape)
    d1, d2 = cross(a, b, pp), cross(a, b, qq)
    d3, d4 = cross(pp, qq, a), cross(pp, qq, b)
    if np.any((d1 * d2 < 0) & (d3 * d4 < 0)):
        return False
    ab = b - a
    t = np.clip(
        np.einsum("ij,ij->i", qq - a, ab)
        / np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-9),
        0,
        1,
    )
    nearest = a + t[:, None] * ab
    return bool(np.min(np.hypot(*(nearest - qq).T)) >= clearance_m)


class _StreetNamer:
    """Names grid streets after districts: 〇〇3号線, 〇〇通り線."""

    def __init__(self, districts: tuple[str, ...]) -> None:
        self._districts = districts
        self._count: dict[str, int] = {}

    def name(self, share: float, *, collector: bool) -> str:
        district = self._districts[
            min(len(self._districts) - 1, int(share * len(self._districts)))
        ]
        key = f"{district}/{collector}"
        self._count[key] = self._count.get(key, 0) + 1
        k = self._count[key]
        if collector:
            return f"{district}通り線" if k == 1 else f"{district}第{k}通り線"
        return f"{district}{k}号線"


def add_grid_streets(
    builder: OsmBuilder,
    nodes: GridNodes,
    *,
    rng: np.random.Generator,
    max_hops: int = 10,
) -> list[Way]:
    """Fill in the streets of a grid: names, classes, one-ways, gaps, cul-de-sacs.

    Block sides already used by another road (an arterial added through the
    grid) are left alone. One-way streets and gaps are only accepted where every
    block side keeps a way back within ``max_hops`` blocks, so the grid stays
    strongly connected whatever the seed.

    Returns
    -------
    list of Way
        The ways added.
    """
    grid = nodes.grid
    streets = _grid_streets(builder, nodes)
    succ = _grid_successors(builder, nodes)
    state: dict[tuple[int, int], str] = {}
    for _, _, sides in streets:
        for side in sides:
            if side is not None:
                state[side] = "two"
                succ[side[0]].add(side[1])
                succ[side[1]].add(side[0])
    _make_one_ways(grid, streets, state, succ, rng=rng, max_hops=max_hops)
    _drop_block_sides(grid, state, succ, rng=rng, max_hops=max_hops)

    namer = _StreetNamer(grid.districts)
    added: list[Way] = []
    for kind, index, sides in streets:
        limit = grid.n_rows if kind == "row" else grid.n_cols
        collector = index % grid.collector_every == grid.collector_every // 2
        name = namer.name(index / limit, collector=collector)
        added.extend(
            _emit_street(builder, grid, rng, sides, state, name, collector=collector)
        )
    added.extend(_add_cul_de_sacs(builder, nodes, rng, namer))
    return added


#: A grid street: ``("row" | "col", index, block sides in increasing order)``; a
#: side is ``(u, v)``, or None where the grid has no street there.
_Street = tuple[str, int, list[tuple[int, int] | None]]


def _grid_streets(builder: OsmBuilder, nodes: GridNodes) -> list[_Street]:
    """Return the rows, then the columns, of the grid with their free block sides."""
    grid = nodes.grid
    streets: list[_Street] = []
    for r in range(grid.n_rows):
        sides = [
            _side(builder, nodes, (r, c), (r, c + 1)) for c in range(grid.n_cols - 1)
        ]
        streets.append(("row", r, sides))
    for c in range(grid.n_cols):
        sides = [
            _side(builder, nodes, (r, c), (r + 1, c)) for r in range(grid.n_rows - 1)
        ]
        streets.append(("col", c, sides))
    return streets


def _grid_successors(builder: OsmBuilder, nodes: GridNodes) -> dict[int, set[int]]:
    """Return the grid junctions' successors along the roads already built."""
    grid_set = set(nodes.all_nodes())
    succ: dict[int, set[int]] = {n: set() for n in grid_set}
    for u, v in builder.road_graph().edges:
        if u in grid_set and v in grid_set:
            succ[u].add(v)
    return succ


def _make_one_ways(
    grid: StreetGrid,
    streets: Sequence[_Street],
    state: dict[tuple[int, int], str],
    succ: dict[int, set[int]],
    *,
    rng: np.random.Generator,
    max_hops: int,
) -> None:
    """Make inner streets one-way, alternating direction as couplets do.

    A street stays two-way when one of its block sides would lose its way back
    within ``max_hops`` blocks. Updates ``state`` and ``succ`` in place.
    """
    last_dir = {"row": 1, "col": 1}
    for street_i in rng.permutation(len(streets)).tolist():
        kind, index, sides = streets[street_i]
        limit = grid.n_rows if kind == "row" else grid.n_cols
        inner = (
            0 < index < limit - 1
            and index % grid.collector_every != grid.collector_every // 2
        )
        if not inner or rng.random() >= grid.oneway_share:
            continue
        direction = -last_dir[kind]
        present = [s for s in sides if s is not None]
        for u, v in present:
            a, b = (u, v) if direction > 0 else (v, u)
            succ[b].discard(a)
        if all(
            _reachable(succ, *((v, u) if direction > 0 else (u, v)), max_hops)
            for u, v in present
        ):
            last_dir[kind] = direction
            for side in present:
                state[side] = "fwd" if direction > 0 else "rev"
        else:
            for u, v in present:
                succ[u].add(v)
                succ[v].add(u)


def _drop_block_sides(
    grid: StreetGrid,
    state: dict[tuple[int, int], str],
    succ: dict[int, set[int]],
    *,
    rng: np.random.Generator,
    max_hops: int,
) -> None:
    """Leave ``grid.drop_share`` of the two-way block sides out (the gaps).

    A side is only dropped when both its ends keep a way to each other within
    ``max_hops`` blocks. Updates ``state`` and ``succ`` in place.
    """
    two_way = sorted(side for side, s in state.items() if s == "two")
    n_drop = round(grid.drop_share * len(two_way))
    dropped = 0
    for i in rng.permutation(len(two_way)).tolist():
        if dropped >= n_drop:
            break
        u, v = two_way[i]
        succ[u].discard(v)
        succ[v].discard(u)
        if _reachable(succ, u, v, max_hops) and _reachable(succ, v, u, max_hops):
            del state[(u, v)]
            dropped += 1
        else:
            succ[u].add(v)
            succ[v].add(u)


def _side(
    builder: OsmBuilder, nodes: GridNodes, a: tuple[int, int], b: tuple[int, int]
) -> tuple[int, int] | None:
    u, v = nodes.ids[a[0]][a[1]], nodes.ids[b[0]][b[1]]
    if u is None or v is None or builder.has_segment(u, v):
        return None
    if nodes.avoid is not None and nodes.avoid.intersects(builder.line((u, v))):
        return None
    return (u, v)


def _emit_street(
    builder: OsmBuilder,
    grid: StreetGrid,
    rng: np.random.Generator,
    sides: Sequence[tuple[int, int] | None],
    state: Mapping[tuple[int, int], str],
    name: str,
    *,
    collector: bool,
) -> list[Way]:
    """Write one grid street as ways: one per run of block sides alike."""
    named = rng.random() < grid.named_share or collector
    tags = {"highway": "tertiary" if collector else "residential"}
    if named:
        tags["name"] = name
    if collector:
        tags["maxspeed"] = "40"
    elif rng.random() < 0.5:
        tags["width"] = str(rng.choice(["4", "4.5", "5", "5.5", "6"]))
    ways: list[Way] = []
    run: list[tuple[int, int]] = []
    run_state = ""
    for side in [*sides, None]:
        side_state = state.get(side, "") if side is not None else ""
        if run and (side_state != run_state or side is None or side[0] != run[-1][1]):
            ways.append(_emit_run(builder, grid, rng, run, run_state, tags))
            run = []
        if side is not None and side_state:
            run.append(side)
            run_state = side_state
    return ways


def _emit_run(
    builder: OsmBuilder,
    grid: StreetGrid,
    rng: np.random.Generator,
    run: Sequence[tuple[int, int]],
    run_state: str,
    tags: Mapping[str, str],
) -> Way:
    nodes = [run[0][0]] + [v for _, v in run]
    way_tags = dict(tags)
    if run_state != "two":
        if run_state == "rev":
            nodes.reverse()
        if rng.random() < grid.reverse_tag_share:
            nodes.reverse()
            way_tags["oneway"] = "-1"
        else:
            way_tags["oneway"] = "yes"
    return builder.add_way(nodes, way_tags)


def _add_cul_de_sacs(
    builder: OsmBuilder,
    nodes: GridNodes,
    rng: np.random.Generator,
    namer: _StreetNamer,
) -> list[Way]:
    """Short dead-end streets: half off the grid's edge, half into blocks."""
    grid = nodes.grid
    box = Polygon(
        [
            grid.position(r, c)
            for r, c in (
                (-2, -2),
                (-2, grid.n_cols + 1),
                (grid.n_rows + 1, grid.n_cols + 1),
                (grid.n_rows + 1, -2),
            )
        ]
    )
    segs = _segments_array(builder, box)
    edge: list[tuple[int, int, float, float]] = []
    inner: list[tuple[int, int, float, float]] = []
    for r in range(grid.n_rows):
        for c in range(grid.n_cols):
            if r in (0, grid.n_rows - 1) or c in (0, grid.n_cols - 1):
                dr = -1.0 if r == 0 else (1.0 if r == grid.n_rows - 1 else 0.0)
                dc = -1.0 if c == 0 else (1.0 if c == grid.n_cols - 1 else 0.0)
                edge.append((r, c, dr * 0.6, dc * 0.6))
            elif r < grid.n_rows - 1 and c < grid.n_cols - 1:
                inner.append((r, c, 0.32, 0.32))
    # alternate: one off the edge, one into a block, ...
    order_edge = [edge[i] for i in rng.permutation(len(edge)).tolist()]
    order_inner = [inner[i] for i in rng.permutation(len(inner)).tolist()]
    candidates = [
        c for pair in zip(order_edge, order_inner, strict=False) for c in pair
    ]
    ways: list[Way] = []
    used_blocks: set[tuple[int, int]] = set()
    for r, c, dr, dc in candidates:
        if len(ways) >= grid.n_cul_de_sacs:
            break
        start = nodes.ids[r][c]
        if start is None or (r, c) in used_blocks:
            continue
        scale = float(rng.uniform(0.8, 1.2))
        p = builder.xy(start)
        q0 = grid.position(r + dr * scale, c + dc * scale)
        base = grid.position(r, c)
        q = (p[0] + q0[0] - base[0], p[1] + q0[1] - base[1])
        if nodes.avoid is not None and nodes.avoid.intersects(LineString([p, q])):
            continue
        if not _clear_of(segs, p, q, 0.25 * grid.spacing_m):
            continue
        end = builder.add_node(*q)
        tags = {"highway": "residential", "noexit": "yes"}
        if rng.random() < grid.named_share:
            tags["name"] = namer.name(c / grid.n_cols, collector=False)
        ways.append(builder.add_way([start, end], tags))
        segs = np.vstack([segs, [(*p, *q)]])
        used_blocks.add((r, c))
    return ways
