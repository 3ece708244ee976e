"""Patrol scope on the hand-made network: own roads, links, listed roads."""

from __future__ import annotations

import pytest

from snowroute._errors import ScenarioError
from snowroute.patrol.scope import patrol_scope

from .handmade import TOWN, network, patrol_spec


def test_own_roads_and_the_municipal_link_between_two_routes():
    scope = patrol_scope(network(), patrol_spec())
    reasons = {sid: s.reason for sid, s in scope.sections.items()}
    assert reasons == {
        "05/prefectural/A@1": "own",
        "05/prefectural/A@2": "own",
        "05/prefectural/B@1": "own",
        "05201/municipal/M@1": "link",  # joins routes A and B
    }
    m = scope.sections["05201/municipal/M@1"]
    assert m.admin_id == TOWN
    assert m.road_km == pytest.approx(0.2)  # two 100 m roads, each counted once
    assert len(m.edges) == 4
    assert scope.road_km == pytest.approx(0.5)
    by_reason = scope.km_by_reason()
    assert by_reason == {"own": pytest.approx(0.3), "link": pytest.approx(0.2)}


def test_winter_closed_roads_are_left_out():
    scope = patrol_scope(network(), patrol_spec())
    assert "05/prefectural/C@1" not in scope.sections


def test_listed_roads_join_and_links_can_be_switched_off():
    scope = patrol_scope(
        network(),
        patrol_spec(network_roads="none", network_road_ids=("05201/municipal/Q",)),
    )
    reasons = {sid: s.reason for sid, s in scope.sections.items()}
    assert reasons["05201/municipal/Q@1"] == "listed"
    assert "05201/municipal/M@1" not in reasons


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"admin": "05999"}, "'05999'.*has no road"),  # an administrator without roads
        ({"network_road_ids": ("x",)}, r"network_road_ids\[0\]"),  # unknown id
    ],
)
def test_bad_scope_settings_are_named(change: dict[str, object], match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        patrol_scope(network(), patrol_spec(**change))


def test_an_untagged_network_is_refused():
    G = network()
    G.graph.pop("snowroute_tagged")
    with pytest.raises(ScenarioError, match="not tagged"):
        patrol_scope(G, patrol_spec())
