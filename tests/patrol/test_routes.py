"""Routing one patrol day on the hand-made network."""

from __future__ import annotations

import datetime as dt

import pytest

from snowroute.patrol.routes import day_roads, road_edges, route_day
from snowroute.patrol.scope import patrol_scope
from snowroute.patrol.structures import PlacedStructure, Structure
from snowroute.routing import VehicleClass

from .handmade import network, patrol_spec

CAR = VehicleClass(
    name="patrol-car",
    depot="D05",
    count=1,
    shift_s=6 * 3600.0,
    plow_speed_kph=30.0,
    deadhead_speed_kph=30.0,
)


def _structure(sid: str, minutes: float) -> Structure:
    return Structure(
        structure_id=sid,
        kind="bridge",
        lon=140.0015,
        lat=39.0,
        due_date=dt.date(2026, 12, 3),
        minutes_on_site=minutes,
    )


def test_road_edges_pair_the_two_directions_of_a_two_way_road():
    G = network()
    assert road_edges(G, (0, 1, 0)) == [(0, 1, 0), (1, 0, 0)]
    G.edges[0, 1, 0]["oneway"] = True
    assert road_edges(G, (0, 1, 0)) == [(0, 1, 0)]


def test_day_roads_add_structure_roads_and_stop_times():
    G = network()
    scope = patrol_scope(G, patrol_spec())
    placed = [
        PlacedStructure(_structure("B1", 10.0), (1, 2, 0), 0.0, "05/prefectural/A@2"),
        PlacedStructure(_structure("B2", 5.0), (1, 2, 0), 0.0, "05/prefectural/A@2"),
    ]
    required, stops = day_roads(G, scope, ["05/prefectural/A@1"], placed)
    assert required == [(0, 1, 0), (1, 0, 0), (1, 2, 0), (2, 1, 0)]
    # two structures on one road: their minutes add up under the first id
    assert stops == {(1, 2, 0): ("B1", 900.0), (2, 1, 0): ("B1", 900.0)}


def test_a_day_route_leaves_and_returns_to_the_depot_and_inspects():
    G = network()
    scope = patrol_scope(G, patrol_spec())
    placed = [PlacedStructure(_structure("B1", 10.0), (1, 2, 0), 0.0, "x")]
    required, stops = day_roads(G, scope, ["05/prefectural/A@1"], placed)
    cars, violations, routing = route_day(
        G,
        required=required,
        stops=stops,
        depots={"D05": 0},
        vehicle=CAR,
        engine="pyvrp",
        time_limit_s=2.0,
        seed=1,
        max_iterations=20,
    )
    assert violations == ()
    assert routing is not None
    (car,) = cars
    assert car.car == 1
    assert car.edges[0][0] == 0 == car.edges[-1][1]
    assert car.structures == ("B1",)
    assert car.patrolled_km == pytest.approx(
        0.2
    )  # 0-1 and 1-2 once each: one pass per road
    assert car.hours > 10 / 60  # driving plus ten minutes on site


def test_a_day_with_nothing_to_patrol_has_no_routes():
    assert route_day(
        network(),
        required=[],
        stops={},
        depots={"D05": 0},
        vehicle=CAR,
        engine="pyvrp",
        time_limit_s=1.0,
        seed=0,
        max_iterations=1,
    ) == ((), (), None)
