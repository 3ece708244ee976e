"""Visit-day choice: spanning trees, greedy visits and the local search."""

from __future__ import annotations

import numpy as np
import pytest

from snowroute.patrol.days import Item, choose_days, greedy_visits, mst_length


def test_mst_length_of_a_triangle_takes_the_two_short_sides():
    D = np.array([[0.0, 1.0, 3.0], [1.0, 0.0, 2.0], [3.0, 2.0, 0.0]])
    assert mst_length(D) == 3.0
    assert mst_length(np.zeros((1, 1))) == 0.0


def test_greedy_visits_go_as_late_as_the_frequency_allows():
    positions = list(range(8))
    visits = greedy_visits(
        0, frequency=3, positions=positions, patrol_days=range(7), end_position=7
    )
    assert visits == (0, 3, 6)


def test_a_gap_no_patrol_day_can_close_takes_the_next_patrol_day():
    positions = list(range(8))
    visits = greedy_visits(
        0, frequency=1, positions=positions, patrol_days=[0, 3], end_position=4
    )
    assert visits == (0, 3)


def _items() -> list[Item]:
    """Two sections, each driven once on day 0 or day 1, one hour each."""
    options = ((0,), (1,))
    return [Item("a", 1, 3600.0, options), Item("b", 2, 3600.0, options)]


def test_the_spread_weight_puts_two_sections_on_two_days():
    D = np.zeros((3, 3))
    choice = choose_days(
        _items(),
        D,
        days=2,
        patrol_days=[0, 1],
        balance_weight=1.0,
        capacity_s=8 * 3600.0,
        rng=np.random.default_rng(0),
    )
    assert sorted(choice.option) == [0, 1]
    assert choice.estimate_s == (3600.0, 3600.0)
    assert choice.objective == pytest.approx(7200.0)


def test_near_sections_share_a_day_without_the_spread_weight():
    D = np.array([[0.0, 1000.0, 1000.0], [1000.0, 0.0, 1.0], [1000.0, 1.0, 0.0]])
    choice = choose_days(
        _items(),
        D,
        days=2,
        patrol_days=[0, 1],
        balance_weight=0.0,
        capacity_s=8 * 3600.0,
        rng=np.random.default_rng(0),
    )
    assert choice.option[0] == choice.option[1]


def test_a_structure_on_a_section_of_the_same_day_is_not_driven_twice():
    section = Item("s", 1, 3600.0, ((0,),))
    bridge = Item("b", 2, 600.0, ((0,),), extra_s=900.0, covered_by=1)
    choice = choose_days(
        [section, bridge],
        np.zeros((3, 3)),
        days=1,
        patrol_days=[0],
        balance_weight=0.0,
        capacity_s=8 * 3600.0,
        rng=np.random.default_rng(0),
    )
    assert choice.estimate_s == (3600.0 + 900.0,)


def test_the_search_stops_at_its_evaluation_budget():
    items = [Item(str(i), i + 1, 60.0, ((0,), (1,), (2,))) for i in range(6)]
    rng = np.random.default_rng(0)
    D = rng.uniform(1, 100, size=(7, 7))
    D = (D + D.T) / 2
    kwargs = {"days": 3, "patrol_days": [0, 1, 2], "balance_weight": 1.0}
    few = choose_days(
        items,
        D,
        capacity_s=1e9,
        rng=np.random.default_rng(1),
        max_evaluations=1,
        **kwargs,  # type: ignore[arg-type]
    )
    many = choose_days(
        items,
        D,
        capacity_s=1e9,
        rng=np.random.default_rng(1),
        **kwargs,  # type: ignore[arg-type]
    )
    assert few.evaluations <= many.evaluations
    assert many.objective <= few.objective + 1e-6
