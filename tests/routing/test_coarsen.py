"""Chunk transformations: a plan of chunks costs what its expansion costs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from snowroute.routing import VehicleClass
from snowroute.routing.coarsen import coarsen, without_deadlines
from snowroute.routing.improve import node_route_s, route_lateness_s
from snowroute.routing.transform import NodeRoute, Transformation, transform

from .helpers import grid_with_deadlines


def _transformation() -> Transformation:
    """The grid with every fifth street due within 5 minutes, two classes."""
    trucks = (
        VehicleClass("truck", "yard", count=3),
        VehicleClass("slow", "yard", count=2, plow_speed_kph=12.0),
    )
    return transform(grid_with_deadlines(trucks, 300.0))


def _plan(tr: Transformation, seed: int) -> list[NodeRoute]:
    """Every service once, in a random node and order, in three routes."""
    rng = np.random.default_rng(seed)
    nodes = [
        int(rng.choice(tr.service_nodes(int(s))))
        for s in rng.permutation(tr.num_services)
    ]
    cuts = sorted(rng.choice(np.arange(1, len(nodes)), size=2, replace=False))
    parts = np.split(np.array(nodes), cuts)
    refill = ((int(len(parts[0]) // 2), 0),)  # a stop at the yard mid-route
    return [
        NodeRoute(k % 2, tuple(int(n) for n in part), refill if k == 0 else ())
        for k, part in enumerate(parts)
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_chunk_plan_costs_what_its_expansion_costs(seed):
    tr = _transformation()
    plan = _plan(tr, seed)
    chunks = coarsen(tr, plan, 4)
    for cut, route in zip(chunks.routes, plan, strict=True):
        assert node_route_s(chunks.tr, cut) == pytest.approx(node_route_s(tr, route))
        assert route_lateness_s(chunks.tr, cut) == pytest.approx(
            route_lateness_s(tr, route)
        )
    assert sum(route_lateness_s(tr, r) for r in plan) > 0  # the deadlines matter


@pytest.mark.parametrize("size", [1, 3, 4, 50])
def test_expanding_the_chunks_gives_back_the_plan(size):
    tr = _transformation()
    plan = _plan(tr, 3)
    chunks = coarsen(tr, plan, size)
    assert chunks.expand(chunks.routes) == plan
    assert chunks.tr.num_services == len(chunks.chunks) == chunks.tr.num_nodes


def test_a_node_with_a_deadline_is_a_chunk_of_its_own_and_no_chunk_spans_a_refill():
    tr = _transformation()
    plan = _plan(tr, 4)
    chunks = coarsen(tr, plan, 4)
    timed = np.isfinite(tr.service_deadline[tr.node_service])
    for k, chunk in enumerate(chunks.chunks):
        assert 1 <= len(chunk) <= 4
        if any(timed[n] for n in chunk):
            assert len(chunk) == 1
            deadline = tr.service_deadline[tr.node_service[chunk[0]]]
            assert chunks.tr.service_deadline[k] == deadline
        else:
            assert np.isinf(chunks.tr.service_deadline[k])
    ((k, _depot),) = chunks.routes[0].refills
    before = sum(len(chunks.chunks[c]) for c in chunks.routes[0].nodes[:k])
    assert before == plan[0].refills[0][0]


def test_a_class_that_may_not_serve_a_node_may_not_serve_its_chunk():
    tr = _transformation()
    plan = _plan(tr, 5)
    node = plan[0].nodes[1]
    service_s = tr.node_service_s.copy()
    service_s[1, node] = np.nan  # class 1 may not serve it
    tr = dataclasses.replace(tr, node_service_s=service_s)
    chunks = coarsen(tr, plan, 4)
    (holder,) = [k for k, c in enumerate(chunks.chunks) if node in c]
    assert np.isnan(chunks.tr.node_service_s[1, holder])
    assert np.isfinite(chunks.tr.node_service_s[0, holder])


def test_without_deadlines_keeps_everything_else():
    tr = _transformation()
    free = without_deadlines(tr)
    assert np.isinf(free.service_deadline).all()
    assert np.isfinite(tr.service_deadline).any()
    assert free.legs is tr.legs
    assert free.node_service_s is tr.node_service_s
