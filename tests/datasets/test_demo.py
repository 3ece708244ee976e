"""The demo layout: seeds, invariants and where the depots lie."""

import networkx as nx
import pytest

from snowroute.datasets import build_demo_network


def test_negative_seed_raises() -> None:
    with pytest.raises(ValueError, match="`seed` must be a non-negative integer"):
        build_demo_network(seed=-1)


@pytest.mark.parametrize("seed", [1, 7, 12345])
def test_other_seeds_keep_the_layout_invariants(seed: int) -> None:
    network = build_demo_network(seed=seed)  # raises RuntimeError when broken
    assert network.builder.problems() == []
    assert len(network.depots) == 4


def test_the_prefecture_depot_is_far_from_the_town_spurs() -> None:
    network = build_demo_network()
    b = network.builder
    G = b.road_graph()
    pref = next(d for d in network.depots if d.admin_id == "05")
    dist = nx.single_source_dijkstra_path_length(G, pref.node, weight="length")
    for sit in network.situations:
        if sit.kind == "town_spur":
            town_ways = [w for w in b.ways if w.group == sit.group]
            nearest = min(dist[w.nodes[0]] for w in town_ways)
            assert nearest > 4000, sit.name
