"""Items of the visit-day search and distances between their roads."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from snowroute.patrol.frequency import Calendar
from snowroute.patrol.scope import patrol_scope
from snowroute.patrol.structures import PlacedStructure, Structure
from snowroute.patrol.visits import unit_distances, visit_items
from snowroute.routing import VehicleClass, problem_from_graph

from .handmade import network, patrol_spec

START = dt.date(2026, 12, 1)


def _bridge(due: dt.date) -> PlacedStructure:
    s = Structure(
        structure_id="B1",
        kind="bridge",
        lon=140.0015,
        lat=39.0,
        due_date=due,
        minutes_on_site=20.0,
    )
    return PlacedStructure(s, (1, 2, 0), 0.0, "05/prefectural/A@2")


def test_sections_and_structures_become_items():
    G = network()
    scope = patrol_scope(G, patrol_spec())
    frequencies = dict.fromkeys(scope.sections, 2)
    calendar = Calendar(START, 4)
    items, unit_edges = visit_items(
        G,
        scope,
        frequencies,
        {},
        [_bridge(START + dt.timedelta(days=1))],
        calendar,
        30.0,
    )
    names = [i.name for i in items]
    assert names == [*scope.sections, "B1"]
    first = items[0]
    assert first.unit == 1
    assert first.service_s == pytest.approx(0.1 * 3600 / 30)
    # frequency 2 from a visit the day before: first on day 0 or 1, then every 2 days
    assert first.options == ((0, 2), (1, 3))
    bridge = items[-1]
    assert bridge.options == ((0,), (1,))  # due on day 1
    assert bridge.extra_s == 1200.0
    assert bridge.covered_by == names.index("05/prefectural/A@2") + 1
    assert unit_edges[-1] == [(1, 2, 0), (2, 1, 0)]


def test_a_structure_overdue_before_the_horizon_goes_on_the_first_patrol_day():
    G = network()
    scope = patrol_scope(G, patrol_spec())
    calendar = Calendar(START, 3, ("tue",))
    items, _ = visit_items(
        G,
        scope,
        dict.fromkeys(scope.sections, 7),
        {},
        [_bridge(START - dt.timedelta(days=30))],
        calendar,
        30.0,
    )
    assert items[-1].options == ((1,),)


def test_unit_distances_are_symmetric_with_the_depot_first():
    G = network()
    car = VehicleClass(
        name="car", depot="D", plow_speed_kph=36.0, deadhead_speed_kph=36.0
    )
    base = problem_from_graph(G, required=[], depots={"D": 0}, vehicles=(car,))
    assert base.graph.vertex_refs is not None
    vertex = {n: i for i, n in enumerate(base.graph.vertex_refs)}
    D = unit_distances(base, [[vertex[1]], [vertex[2]], [vertex[3]]], vertex[0])
    assert D.shape == (4, 4)
    assert np.allclose(D, D.T)
    assert D[0, 1] == pytest.approx(10.0)  # 100 m at 36 km/h
    assert D[0, 2] == pytest.approx(20.0)
    assert D[0, 3] == 1e9  # node 3 is reached only over a winter-closed road
