"""Parsing ``--vary`` and reading one scenario per combination."""

from __future__ import annotations

import pytest

from snowroute._errors import ScenarioError
from snowroute.sweep import Variation, parse_vary, sweep_variants
from tests.helpers import DATA

SWEEP = DATA / "scenario_sweep.toml"


def test_values_are_toml_values_or_text() -> None:
    assert parse_vary("solver.seed=1,2").values == (1, 2)
    assert parse_vary("exchange.balance_tolerance=0.25").values == (0.25,)
    assert parse_vary("service.start=03:00, 04:30").values == ("03:00", "04:30")
    assert parse_vary('network.name="a,b",c').values == ("a,b", "c")


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("solver.seed", "must be KEY=V1,V2"),
        ("solver.seed=", "must be KEY=V1,V2"),
        ("solver.seed=1,,2", "empty value"),
        ("seed=1", "not a dotted scenario field"),
        ("solver.seed=2,2", "repeats a value"),
        ("solver.workers=1,2", "cannot be varied"),
    ],
)
def test_malformed_vary_is_refused(text: str, cause: str) -> None:
    with pytest.raises(ScenarioError, match=cause):
        parse_vary(text)


def test_every_combination_becomes_a_checked_scenario() -> None:
    variants = sweep_variants(
        SWEEP,
        [
            parse_vary("solver.seed=1,2"),
            parse_vary("vehicles.gojome-dozer.count=1,2,3"),
        ],
    )
    assert len(variants) == 6
    assert [v.number for v in variants] == [1, 2, 3, 4, 5, 6]
    fourth = variants[3]
    assert fourth.values == (("solver.seed", 2), ("vehicles.gojome-dozer.count", 1))
    assert fourth.scenario.solver.seed == 2
    counts = {v.id: v.count for v in fourth.scenario.vehicles}
    assert counts == {"pref-truck": 2, "katagami-dozer": 1, "gojome-dozer": 1}
    assert fourth.scenario.solver.workers == 1  # one task, one core
    assert fourth.name == "04_solver.seed=2_vehicles.gojome-dozer.count=1"
    assert fourth.label == "seed=2, gojome-dozer.count=1"


def test_a_field_the_file_leaves_out_can_be_varied() -> None:
    (variant,) = sweep_variants(SWEEP, [parse_vary("solver.stall_iterations=500")])
    assert variant.scenario.solver.stall_iterations == 500


@pytest.mark.parametrize(
    ("variations", "cause"),
    [
        ([], "at least one --vary"),
        ([Variation("solver.seed", (1,)), Variation("solver.seed", (2,))], "twice"),
        (
            [
                Variation("solver.seed", tuple(range(40))),
                Variation("x.y", tuple(range(30))),
            ],
            "1200 variants",
        ),
        (
            [Variation("service.start", ("03:00", "27:00"))],
            "with service.start='27:00'",
        ),
        ([Variation("vehicles.pref-truck.count", (0,))], "must be at least 1"),
    ],
)
def test_a_bad_combination_is_refused_naming_it(
    variations: list[Variation], cause: str
) -> None:
    with pytest.raises(ScenarioError, match=cause):
        sweep_variants(SWEEP, variations)


def test_set_changes_every_variant_alike() -> None:
    variants = sweep_variants(
        SWEEP, [parse_vary("solver.seed=1,2")], fixed={"solver.max_iterations": 7}
    )
    assert [v.scenario.solver.max_iterations for v in variants] == [7, 7]
    assert [v.values for v in variants] == [
        (("solver.seed", 1),),
        (("solver.seed", 2),),
    ]
