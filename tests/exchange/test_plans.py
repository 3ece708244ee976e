"""Exchange context, the router's memory, assignment and pooled plans."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import pytest

from snowroute._errors import ScenarioError
from snowroute.exchange.plans import (
    ExchangeContext,
    Plan,
    Router,
    assignment_plan,
    check_compatible,
    pooled_plan,
    served_by,
)

from .test_run import H_ROUTE, PREF, TOWN, _network, _scenario


@lru_cache
def _ctx() -> ExchangeContext:
    return ExchangeContext.from_scenario(_network(), _scenario(), time_limit_s=5.0)


def test_units_must_cover_exactly_the_roads_to_plow():
    ctx = _ctx()
    units = dict(ctx.units)
    units.pop(next(iter(units)))
    with pytest.raises(ScenarioError, match="cover exactly"):
        dataclasses.replace(ctx, units=units)


def test_partners_of_an_administrator():
    ctx = _ctx()
    assert ctx.partners_of(PREF) == (TOWN,)
    assert ctx.partners_of(TOWN) == (PREF,)
    assert ctx.admins == (PREF, TOWN)


def test_the_baseline_routes_every_administrator_over_its_own_roads():
    ctx = _ctx()
    router = Router(ctx)
    plan = assignment_plan("baseline", router, dict(ctx.plow))
    assert list(plan.parts) == [PREF, TOWN]
    for admin, (problem, solution) in plan.parts.items():
        assert solution.feasible
        assert (
            problem.num_required
            == sum(1 for owner in ctx.plow.values() if owner == admin) // 2
        )  # a two-way road is one required arc plowed in both directions
    assert plan.violations(ctx) == ()
    assert plan.moved_units(ctx) == set()
    assert router.solves == 2
    again = assignment_plan("again", router, dict(ctx.plow))
    assert router.solves == 2  # the same roads give the stored routes back
    assert again.parts[PREF] is plan.parts[PREF]


def test_a_plan_without_an_administrator_for_a_road_says_so():
    ctx = _ctx()
    assignment = dict(ctx.plow)
    missing = next(iter(assignment))
    del assignment[missing]
    plan = Plan("partial", assignment, {})
    assert plan.violations(ctx) == (
        f"1 roads to plow have no administrator, e.g. {missing}",
    )


def test_a_road_handed_to_a_fleet_that_cannot_plow_it_is_an_error():
    scenario = _scenario()
    truck = dataclasses.replace(scenario.vehicles[0], road_classes=("secondary",))
    scenario = dataclasses.replace(scenario, vehicles=(truck, scenario.vehicles[1]))
    ctx = ExchangeContext.from_scenario(_network(), scenario)
    hamlet = frozenset(e for e in ctx.plow if ctx.G.edges[e]["route_id"] == H_ROUTE)
    with pytest.raises(ScenarioError, match=f"given plan hands route '{H_ROUTE}'"):
        check_compatible(ctx, PREF, hamlet, plan="given")
    check_compatible(ctx, TOWN, hamlet, plan="given")  # its own fleet can


def test_the_pooled_plan_names_who_plowed_each_road():
    ctx = _ctx()
    plan, problem = pooled_plan(ctx)
    assert list(plan.parts) == ["*"]
    assert set(plan.assignment) == set(ctx.plow)
    assert set(plan.assignment.values()) <= {PREF, TOWN}
    (_, solution) = plan.parts["*"]
    assert served_by(ctx, problem, solution) == dict(plan.assignment)
