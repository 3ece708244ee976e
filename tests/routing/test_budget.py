import pytest

from snowroute import ProblemError
from snowroute.routing.budget import MIN_SEARCH_S, Budget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_shares_follow_size_and_what_is_left():
    clock = Clock()
    budget = Budget(60.0, clock=clock)
    assert budget.share(10, 30) == pytest.approx(20.0)
    clock.now += 5.0  # the first problem converged after 5 s of its 20
    assert budget.share(10, 20) == pytest.approx(27.5)  # it leaves 15 s to the rest
    assert budget.share(10, 10) == pytest.approx(55.0)


def test_a_spent_budget_still_gives_the_shortest_search():
    clock = Clock()
    budget = Budget(1.0, clock=clock)
    clock.now += 2.0
    assert budget.spent
    assert budget.remaining() == 0.0
    assert budget.share(1, 10) == MIN_SEARCH_S


def test_a_part_is_a_fraction_of_what_is_left():
    clock = Clock()
    budget = Budget(40.0, clock=clock)
    clock.now += 10.0
    part = budget.part(0.5)
    assert part.total_s == pytest.approx(15.0)
    clock.now += 15.0
    assert part.spent
    assert budget.remaining() == pytest.approx(15.0)


def test_a_budget_must_be_positive():
    with pytest.raises(ProblemError, match="positive"):
        Budget(0)
