"""Town street grids: parameter checks and connectivity whatever the seed."""

import networkx as nx
import numpy as np
import pytest

from snowroute.datasets import OsmBuilder, StreetGrid, add_grid_nodes, add_grid_streets


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_cols": 1}, "2 or more rows"),  # a single street is no grid
        ({"spacing_m": 0.0}, "positive spacing"),  # blocks need a size
        ({"oneway_share": 1.5}, r"\[0, 1\]"),  # shares are fractions
        ({"districts": ()}, "district names"),  # names are made from districts
    ],
)
def test_street_grid_rejects_invalid_parameters(
    kwargs: dict[str, object], match: str
) -> None:
    params: dict[str, object] = {
        "name": "t",
        "center": (0.0, 0.0),
        "n_cols": 4,
        "n_rows": 4,
    }
    with pytest.raises(ValueError, match=match):
        StreetGrid(**(params | kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grid_streets_stay_strongly_connected_with_many_one_ways_and_gaps(
    seed: int,
) -> None:
    b = OsmBuilder()
    grid = StreetGrid(
        "t", (0.0, 0.0), 8, 6, oneway_share=0.9, drop_share=0.3, n_cul_de_sacs=4
    )
    rng = np.random.default_rng(seed)
    add_grid_streets(b, add_grid_nodes(b, grid, rng=rng), rng=rng)
    G = b.road_graph()
    assert nx.is_strongly_connected(G)
    assert any(w.tags.get("oneway") for w in b.ways)
    assert b.problems() == []
