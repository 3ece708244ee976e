"""Exchange plans on a hand-made network where the right exchange is obvious.

The prefecture (05, depot at node 0) plows road P 0-1-2-3-4. The municipality
(05999, depot at node 20) plows its streets 20-21-22. A municipal hamlet road H
(4-30) hangs off the far end of P, 5 km from the municipal depot; a prefectural spur
S (22-23) hangs off the municipal streets, 3 km from the prefecture's road. MLIT
connectors (not plowed) join the two depots. Handing H to the prefecture and S to
the municipality (1 km each way) removes most deadhead of both.
"""

from __future__ import annotations

import dataclasses
import math

import networkx as nx
import pytest

from snowroute._errors import ScenarioError
from snowroute.exchange import run_exchange
from snowroute.exchange.summary import clock
from snowroute.scenario.model import (
    DepotSpec,
    ExchangeSpec,
    GivenExchange,
    NetworkSpec,
    Scenario,
    ServiceSpec,
    SolverSpec,
    VehicleSpec,
)
from tests.helpers import add_two_way_road

PREF, TOWN = "05", "05999"
H_ROUTE = f"{TOWN}/municipal/H"
S_ROUTE = f"{PREF}/prefectural/9"


def _network(*, spur_km: float = 1.0) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(crs="EPSG:4326")
    coords = {0: (0, 0), 1: (1, 0), 2: (2, 0), 3: (3, 0), 4: (4, 0), 30: (5, 0)}
    coords |= {20: (0, 1), 21: (1, 1), 22: (2, 1), 23: (3, 1)}
    for node, (x, y) in coords.items():
        G.add_node(node, x=140 + x / 100, y=39 + y / 100)
    roads = [
        # (u, v, km, admin, class, route, section, road class)
        (0, 1, 1.0, PREF, "prefecture", f"{PREF}/prefectural/1", "@1", "secondary"),
        (1, 2, 1.0, PREF, "prefecture", f"{PREF}/prefectural/1", "@1", "secondary"),
        (2, 3, 1.0, PREF, "prefecture", f"{PREF}/prefectural/1", "@2", "secondary"),
        (3, 4, 1.0, PREF, "prefecture", f"{PREF}/prefectural/1", "@2", "secondary"),
        (22, 23, spur_km, PREF, "prefecture", S_ROUTE, "@1", "secondary"),
        (20, 21, 1.0, TOWN, "municipality", f"{TOWN}/municipal/A", "@1", "residential"),
        (21, 22, 1.0, TOWN, "municipality", f"{TOWN}/municipal/A", "@1", "residential"),
        (4, 30, 1.0, TOWN, "municipality", H_ROUTE, "@1", "residential"),
        (0, 20, 1.0, "mlit", "mlit", "mlit/national/7", "@1", "trunk"),
        (2, 21, 1.0, "mlit", "mlit", "mlit/national/8", "@1", "trunk"),
    ]
    for i, (u, v, km, admin, cls, route, section, road_class) in enumerate(roads):
        add_two_way_road(
            G,
            u,
            v,
            length_m=km * 1000,
            admin=admin,
            admin_class=cls,
            route=route,
            section=section,
            road_class=road_class,
            osmid=i,
        )
    return G


def _scenario(*, dozer_kph: float = 20.0, **exchange: object) -> Scenario:
    spec = {"admin_cost_h": 0.01, "plans": ("baseline", "optimized")}
    spec |= exchange
    return Scenario(
        name="hand-made",
        network=NetworkSpec(source="unused.osm"),  # type: ignore[arg-type]
        depots=(
            DepotSpec(id="DP", admin=PREF, node=0),
            DepotSpec(id="DT", admin=TOWN, node=20),
        ),
        vehicles=(
            VehicleSpec(id="truck", depot="DP", plow_speed_kph=20.0, shift_h=8.0),
            VehicleSpec(id="dozer", depot="DT", plow_speed_kph=dozer_kph, shift_h=8.0),
        ),
        service=ServiceSpec(deadlines={}, both_directions=()),
        exchange=ExchangeSpec(**exchange | spec),  # type: ignore[arg-type]
        # an iteration budget: the same plans however loaded the machine is
        solver=SolverSpec(time_limit_s=60.0, seed=3, max_iterations=300),
    )


def _moved(result, plan: str) -> set[tuple[str, str, str]]:
    return {
        (x.route_id, x.from_admin, x.to_admin) for x in result.reports[plan].exchanges
    }


def test_optimizer_finds_the_obvious_swap():
    result = run_exchange(_network(), _scenario())
    assert _moved(result, "optimized") == {(H_ROUTE, TOWN, PREF), (S_ROUTE, PREF, TOWN)}
    base, opt = result.reports["baseline"], result.reports["optimized"]
    assert base.valid
    assert opt.valid
    assert opt.total.deadhead_km < base.total.deadhead_km - 5
    assert opt.total.total_h < base.total.total_h
    assert all(b.ok for b in opt.balance)
    summary = result.to_dict()
    assert summary["plans"]["optimized"]["balance"][f"{PREF}-{TOWN}"] == {
        "a": PREF,
        "b": TOWN,
        "a_to_b_km": 1.0,
        "b_to_a_km": 1.0,
        "a_to_b_routes": 1,
        "b_to_a_routes": 1,
        "a_to_b_hours": 0.05,  # 1 km, one pass, at 20 km/h
        "b_to_a_hours": 0.05,
        "by": "km",
        "ok": True,
    }


def test_balance_by_hours_weighs_the_takers_plowing_time():
    # 1 km each way, but the town's dozer plows the prefecture's road at half the
    # truck's speed: 0.1 h against 0.05 h, 50 % apart in hours
    slow = {"dozer_kph": 10.0, "balance_tolerance": 0.3}
    by_km = run_exchange(_network(), _scenario(**slow))
    assert _moved(by_km, "optimized") == {(H_ROUTE, TOWN, PREF), (S_ROUTE, PREF, TOWN)}
    (pair,) = by_km.reports["optimized"].balance
    assert (pair.a_to_b_km, pair.b_to_a_km) == pytest.approx((1.0, 1.0))
    assert (pair.a_to_b_hours, pair.b_to_a_hours) == pytest.approx((0.1, 0.05))
    assert pair.ok
    by_hours = run_exchange(_network(), _scenario(**slow, balance_by="hours"))
    # not the 1 : 1 km swap (2 : 1 in hours); the town hands over more road
    moved = _moved(by_hours, "optimized")
    assert moved != {(H_ROUTE, TOWN, PREF), (S_ROUTE, PREF, TOWN)}
    (pair,) = by_hours.reports["optimized"].balance
    assert pair.by == "hours"
    assert pair.ok
    assert abs(pair.a_to_b_hours - pair.b_to_a_hours) <= 0.3 * max(
        pair.a_to_b_hours, pair.b_to_a_hours
    )


def test_balance_blocks_a_lopsided_swap_unless_off():
    G = _network(spur_km=0.5)  # 1 km given against 0.5 km received: 50 % apart
    strict = run_exchange(G, _scenario(balance_tolerance=0.2))
    swap = {(H_ROUTE, TOWN, PREF), (S_ROUTE, PREF, TOWN)}
    assert not swap <= _moved(strict, "optimized")
    # what it finds instead is fair: 2 km of through road each way
    assert all(b.ok for b in strict.reports["optimized"].balance)
    # without the balance rule more sets qualify: rounds enough to measure them
    loose = run_exchange(G, _scenario(balance_tolerance=None, rounds=16))
    assert (H_ROUTE, TOWN, PREF) in _moved(loose, "optimized")
    # loosening the balance rule never gives a worse optimum
    assert (
        loose.reports["optimized"].objective_h
        <= strict.reports["optimized"].objective_h + 1e-9
    )


def test_never_lock_is_respected():
    result = run_exchange(
        _network(), _scenario(balance_tolerance=None, never=(H_ROUTE,))
    )
    moved = _moved(result, "optimized")
    assert (H_ROUTE, TOWN, PREF) not in moved
    assert (S_ROUTE, PREF, TOWN) in moved


def test_must_lock_that_cannot_be_balanced_is_an_error():
    scenario = _scenario(
        never=(S_ROUTE,),
        must=(GivenExchange(route=H_ROUTE, to=PREF),),
        balance_tolerance=0.2,
    )
    with pytest.raises(ScenarioError, match="cannot be balanced"):
        run_exchange(_network(), scenario)


def test_given_list_is_evaluated_and_ledger_adds_up():
    scenario = _scenario(
        plans=("baseline", "given", "pooled"),
        given=(GivenExchange(route=H_ROUTE, to=PREF),),
    )
    result = run_exchange(_network(), scenario)
    assert list(result.reports) == ["baseline", "given", "pooled"]
    given = result.reports["given"]
    assert given.valid
    assert _moved(result, "given") == {(H_ROUTE, TOWN, PREF)}
    assert given.row(PREF).for_others_km == pytest.approx(1.0)
    assert given.row(TOWN).handed_over_km == pytest.approx(1.0)
    balance = {f"{b.a}-{b.b}": b for b in given.balance}[f"{PREF}-{TOWN}"]
    assert not balance.ok  # 1 km one way, nothing back
    for report in result.reports.values():
        rows = report.rows
        assert math.fsum(r.own_km + r.for_others_km for r in rows) == pytest.approx(8.0)
        assert math.fsum(r.for_others_km for r in rows) == pytest.approx(
            math.fsum(r.handed_over_km for r in rows)
        )
        assert report.total.deadhead_km == pytest.approx(
            math.fsum(r.deadhead_km for r in rows)
        )
        plan = result.plans[report.name]
        assert report.total.total_h == pytest.approx(plan.duration_s / 3600)
    # the pooled plan bounds every exchange
    pooled = result.reports["pooled"].total.total_h
    assert pooled <= result.reports["baseline"].total.total_h + 1e-6
    summary = result.to_dict()
    assert summary["plans"]["given"]["exchanged"] == [
        {
            "route_id": H_ROUTE,
            "route_name": "H",
            "section": None,
            "from_admin": TOWN,
            "to_admin": PREF,
            "km": 1.0,
            "hours": 0.05,  # the prefecture's truck, one pass at 20 km/h
        }
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (GivenExchange(route="05999/municipal/nowhere", to=PREF), "nowhere"),
        (GivenExchange(route=H_ROUTE, to=PREF, section="x@9"), "x@9"),
        (GivenExchange(route=H_ROUTE, to="05888"), "05888"),
        (GivenExchange(route=H_ROUTE, to=TOWN), "already belongs"),
    ],
)
def test_bad_given_entry_is_a_one_sentence_error(entry, message):
    scenario = _scenario(plans=("baseline", "given"), given=(entry,))
    with pytest.raises(ScenarioError, match=message) as info:
        run_exchange(_network(), scenario)
    assert str(info.value).count(". ") == 0
    assert "given[0]" in str(info.value)


def test_road_given_to_a_fleet_that_cannot_plow_it_is_an_error():
    scenario = _scenario(
        plans=("baseline", "given"), given=(GivenExchange(route=H_ROUTE, to=PREF),)
    )
    truck = dataclasses.replace(scenario.vehicles[0], road_classes=("secondary",))
    scenario = dataclasses.replace(scenario, vehicles=(truck, scenario.vehicles[1]))
    with pytest.raises(ScenarioError, match=f"{H_ROUTE}.*cannot plow"):
        run_exchange(_network(), scenario)


def test_route_units_and_partner_defaults():
    from snowroute.exchange.plans import ExchangeContext

    ctx = ExchangeContext.from_scenario(_network(), _scenario(unit="route"))
    assert ctx.pairs == ((PREF, TOWN),)
    assert {u.id for u in ctx.units.values()} == {
        f"{PREF}/prefectural/1",
        S_ROUTE,
        f"{TOWN}/municipal/A",
        H_ROUTE,
    }
    assert "mlit" not in ctx.admins


def test_same_scenario_and_seed_give_the_same_summary():
    scenario = _scenario(plans=("baseline", "optimized", "pooled"))
    solver = SolverSpec(time_limit_s=30.0, seed=3, max_iterations=50)
    scenario = dataclasses.replace(scenario, solver=solver)
    first = run_exchange(_network(), scenario).to_dict()
    again = run_exchange(_network(), scenario).to_dict()
    for summary in (first, again):
        summary.pop("runtime_s")
        for plan in summary["plans"].values():
            plan.pop("runtime_s", None)
    assert first == again


def test_ledger_and_summary_carry_the_lower_bound_and_the_gap():
    scenario = _scenario(plans=("baseline", "pooled"))
    result = run_exchange(_network(), scenario)
    summary = result.to_dict()["plans"]
    baseline = result.plans["baseline"]
    costs = bounds = 0.0
    for admin, (_, solution) in baseline.parts.items():
        row = summary["baseline"]["per_admin"][admin]
        assert 0 < solution.lower_bound <= solution.cost + 1e-6
        gap = 100 * (solution.cost - solution.lower_bound) / solution.lower_bound
        assert row["lower_bound_h"] == pytest.approx(solution.lower_bound / 3600, 1e-3)
        assert row["gap_to_bound_pct"] == pytest.approx(gap, abs=0.01)
        costs += solution.cost
        bounds += solution.lower_bound
    plan = summary["baseline"]
    assert plan["lower_bound_h"] == pytest.approx(bounds / 3600, 1e-3)
    assert plan["total"]["lower_bound_h"] == plan["lower_bound_h"]
    assert plan["gap_to_bound_pct"] == pytest.approx(
        100 * (costs - bounds) / bounds, abs=0.01
    )
    # The pooled plan is one problem: a bound for the whole, none per administrator.
    pooled = summary["pooled"]
    assert pooled["lower_bound_h"] > 0
    assert pooled["gap_to_bound_pct"] >= 0
    assert all(r["lower_bound_h"] is None for r in pooled["per_admin"].values())
    assert all(r["gap_to_bound_pct"] is None for r in pooled["per_admin"].values())
    text = result.ledger_text()
    assert "gap %" in text
    assert f"{plan['gap_to_bound_pct']:.1f}" in text


def test_gap_to_bound_is_relative_to_the_bound():
    from snowroute.exchange.ledger import gap_to_bound_pct

    assert gap_to_bound_pct(110.0, 100.0) == pytest.approx(10.0)
    assert gap_to_bound_pct(0.0, 0.0) == 0.0
    assert gap_to_bound_pct(5.0, 0.0) is None


def test_each_search_gets_a_share_by_roads_smallest_first(monkeypatch):
    from snowroute.routing.budget import Budget

    asked: list[tuple[float, float]] = []
    real = Budget.share

    def spy(self: Budget, size: float, pending: float) -> float:
        asked.append((size, pending))
        return real(self, size, pending)

    monkeypatch.setattr(Budget, "share", spy)
    result = run_exchange(_network(), _scenario(), plans=["baseline"])
    roads = len(result.context.plow)
    sizes = [size for size, _ in asked]
    assert sizes == sorted(sizes)  # the largest administrator last, with what is left
    assert sum(sizes) == roads  # shares are in roads (network edges), all of them
    assert [pending for _, pending in asked] == [
        roads - sum(sizes[:k]) for k in range(len(sizes))
    ]


@pytest.mark.parametrize("objective", ["total_time", "makespan"])
def test_makespan_plans_carry_a_bound_on_the_finish(objective):
    import dataclasses

    scenario = _scenario(plans=("baseline",))
    solver = dataclasses.replace(scenario.solver, objective=objective)
    result = run_exchange(_network(), dataclasses.replace(scenario, solver=solver))
    plan = result.to_dict()["plans"]["baseline"]
    if objective == "total_time":
        assert plan["total"]["finish_bound_h"] is None
        return
    for admin, (_, solution) in result.plans["baseline"].parts.items():
        bound = plan["per_admin"][admin]["finish_bound_h"]
        assert 0 < bound <= solution.makespan_s / 3600 + 1e-6
    assert plan["total"]["finish_bound_h"] == max(
        r["finish_bound_h"] for r in plan["per_admin"].values()
    )


def test_references_separate_the_causes():
    # the town's dozer at half the truck's speed: pooling gains from speed too
    plans = ("baseline", "optimized", "unbalanced", "pooled", "pooled_equal_speed")
    result = run_exchange(_network(), _scenario(plans=plans, dozer_kph=10.0))
    summary = result.to_dict()
    assert list(summary["plans"]) == list(plans)
    for name in plans:
        assert summary["plans"][name]["about"]  # a one-line explanation each
    # the unbalanced search starts from the fair plan: never worse by the objective
    fair, free = result.reports["optimized"], result.reports["unbalanced"]
    assert free.objective_h <= fair.objective_h + 1e-9
    price = summary["price_of_fairness"]
    assert price["hours"] == pytest.approx(
        free.attributable[0] - fair.attributable[0], abs=1e-4
    )
    # equal speeds: measured against every fleet on its own roads at those speeds
    equal = result.plans["pooled_equal_speed"]
    assert set(equal.reference) == {PREF, TOWN}
    speeds = {v.plow_speed_kph for v in equal.reference[PREF][0].vehicles}
    assert speeds == {15.0}  # (20 + 10) / 2, one vehicle each
    saving = summary["plans"]["pooled_equal_speed"]["saving"]
    assert "attributable_hours" in saving
    assert "significant" not in saving  # a reference gets no noise band


def test_a_saving_shows_the_finishes_its_service_was_checked_against():
    result = run_exchange(_network(), _scenario())
    plan, report = result.plans["optimized"], result.reports["optimized"]
    assert set(plan.reference) == {PREF, TOWN}  # the swap touches both
    latest: dict[str, float] = {}
    for _, solution in plan.reference.values():
        for name, t in solution.finish_s().items():
            latest[name] = max(latest.get(name, 0.0), t)
    assert report.reference_finish_s == latest
    saving = result.to_dict()["plans"]["optimized"]["saving"]
    assert saving["reference_finish"] == {
        name: clock(3 * 3600, t)
        for name, t in latest.items()  # shift at 03:00
    }
    # the baseline is its own reference: nothing to show
    assert result.reports["baseline"].reference_finish_s is None


def test_objective_km_chooses_and_keeps_by_deadhead():
    result = run_exchange(_network(), _scenario(objective="km", admin_cost_km=0.5))
    summary = result.to_dict()
    assert summary["objective"] == "km"
    assert _moved(result, "optimized") == {(H_ROUTE, TOWN, PREF), (S_ROUTE, PREF, TOWN)}
    notes = " ".join(result.reports["optimized"].notes)
    assert " km" in notes
    assert " h," not in notes  # measured and predicted in km, not hours
    saving = summary["plans"]["optimized"]["saving"]
    assert saving["attributable_km"] > 0.5 * 2  # beyond the cost of its two lines


def test_a_high_admin_cost_keeps_the_baseline():
    result = run_exchange(_network(), _scenario(admin_cost_h=5.0))
    assert _moved(result, "optimized") == set()
    base, opt = result.reports["baseline"], result.reports["optimized"]
    assert opt.total.total_h == base.total.total_h  # the baseline's own routes
    assert opt.attributable is None


def test_the_moves_measured_are_combined_once_even_when_the_budget_is_spent(
    monkeypatch,
):
    from snowroute.exchange import optimize
    from snowroute.routing.budget import Budget

    spent = {"now": False}
    real = optimize.measure_moves

    def measure_then_spend(*args, **kwargs):
        values = real(*args, **kwargs)
        spent["now"] = True  # measuring the moves took the whole budget
        return values

    monkeypatch.setattr(optimize, "measure_moves", measure_then_spend)
    monkeypatch.setattr(Budget, "spent", property(lambda self: spent["now"]))
    result = run_exchange(_network(), _scenario(plans=("baseline", "optimized")))
    search = result.to_dict()["plans"]["optimized"]["search"]
    first = next(line for line in search if line.startswith("round 1:"))
    assert "measured" in first  # a combination was routed, not skipped
    assert "round 2: the time budget is spent" in search


def test_plans_touching_the_same_administrators_share_one_noise_band(monkeypatch):
    from snowroute.exchange import run as run_module

    calls: list[tuple[str, ...]] = []
    band = run_module.noise_band

    def counted(ctx, baseline, admins, *, seeds):
        calls.append(tuple(admins))
        return band(ctx, baseline, admins, seeds=seeds)

    monkeypatch.setattr(run_module, "noise_band", counted)
    scenario = _scenario(
        plans=("baseline", "given", "optimized"),
        given=(
            GivenExchange(route=H_ROUTE, to=PREF),
            GivenExchange(route=S_ROUTE, to=TOWN),
        ),
        noise_seeds=1,
    )
    result = run_exchange(_network(), scenario)
    given, optimized = result.reports["given"], result.reports["optimized"]
    assert calls == [(PREF, TOWN)]  # routed once for both plans
    assert given.noise is not None
    assert given.noise == optimized.noise
