"""Exchange units, partner pairs and exchange lists on the hand-made network."""

from __future__ import annotations

import pytest

from snowroute._errors import ScenarioError
from snowroute.exchange.units import (
    ExchangeUnit,
    exchange_units,
    partner_pairs,
    resolve_exchanges,
    upper_admin,
)
from snowroute.prepare import plow_edges
from snowroute.scenario.model import GivenExchange

from .test_run import H_ROUTE, PREF, S_ROUTE, TOWN, _network, _scenario


def test_section_units_split_a_route_and_count_two_way_roads_once():
    G = _network()
    plow = plow_edges(G, _scenario())
    units = exchange_units(G, plow, unit="section")
    route = f"{PREF}/prefectural/1"
    assert set(units) >= {f"{route}@1", f"{route}@2"}
    first = units[f"{route}@1"]
    assert first.owner == PREF
    assert first.route_id == route
    assert first.km == pytest.approx(2.0)  # two 1 km roads, both directions
    assert len(first.edges) == 4
    assert all(plow[e] == PREF for e in first.edges)
    assert "mlit/national/7@1" not in units  # not plowed, never a unit


def test_route_units_join_the_sections_of_a_route():
    G = _network()
    units = exchange_units(G, plow_edges(G, _scenario()), unit="route")
    assert units[f"{PREF}/prefectural/1"].km == pytest.approx(4.0)
    assert units[H_ROUTE].label() == "H"


def test_a_section_unit_is_labelled_with_route_name_and_section():
    unit = ExchangeUnit("r@2", "r", "Main St", "05", ((0, 1, 0),), 1.0)
    assert unit.label() == "Main St [r@2]"


def test_a_unit_without_roads_is_an_error():
    with pytest.raises(ScenarioError, match="no roads to plow"):
        ExchangeUnit("r@1", "r", "", "05", (), 0.0)


def test_the_prefecture_partners_every_municipality_by_default():
    G = _network()
    assert upper_admin(G, [TOWN, PREF]) == PREF
    assert upper_admin(G, [TOWN]) is None
    assert partner_pairs(G, _scenario(), [TOWN, PREF, "mlit"]) == ((PREF, TOWN),)


def test_a_listed_partner_without_exchangeable_roads_is_an_error():
    scenario = _scenario(partners=((PREF, "mlit"),))
    with pytest.raises(ScenarioError, match=r"partners\[0\].*'mlit'"):
        partner_pairs(_network(), scenario, [PREF, TOWN, "mlit"])


def test_an_exchange_list_hands_every_road_of_the_route():
    G = _network()
    plow = plow_edges(G, _scenario())
    entries = [GivenExchange(route=S_ROUTE, to=TOWN)]
    moved = resolve_exchanges(G, plow, entries, field="f", takers=[PREF, TOWN])
    assert set(moved.values()) == {TOWN}
    assert {e[:2] for e in moved} == {(22, 23), (23, 22)}


def test_two_takers_for_one_road_are_an_error():
    G = _network()
    scenario = _scenario()
    entries = [
        GivenExchange(route=S_ROUTE, to=TOWN),
        GivenExchange(route=S_ROUTE, to="05888"),
    ]
    with pytest.raises(ScenarioError, match=r"f\[1\].*handed to both"):
        resolve_exchanges(
            G, plow_edges(G, scenario), entries, field="f", takers=[PREF, TOWN, "05888"]
        )
