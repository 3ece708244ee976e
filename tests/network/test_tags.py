import math

import pytest

from snowroute.network.tags import (
    is_winter_closed,
    parse_lanes,
    parse_speed_kph,
    parse_width_m,
    values,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("７;２８", ["7", "28"]),  # full-width digits, `;` list
        (["13", "13;E46"], ["13", "E46"]),  # OSMnx list from merged ways, deduplicated
        (" 56 ; ", ["56"]),  # stray blanks
        (None, []),
        (math.nan, []),  # pandas missing value
    ],
)
def test_values_normalises_and_splits(raw: object, expected: list[str]) -> None:
    assert values(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("40", 40.0), ("50;40", 40.0), ("JP:urban", None), (None, None)],
)
def test_parse_speed_kph(raw: object, expected: float | None) -> None:
    assert parse_speed_kph(raw) == expected


def test_parse_speed_converts_mph() -> None:
    assert parse_speed_kph("25 mph") == pytest.approx(40.23, abs=0.01)


def test_parse_lanes_and_width() -> None:
    assert parse_lanes(["2", "4"]) == 4
    assert parse_lanes("0") is None
    assert parse_width_m("5.5 m") == 5.5
    assert parse_width_m("wide") is None


@pytest.mark.parametrize(
    ("tags", "closed"),
    [
        ({"motor_vehicle:conditional": "no @ (Dec 1-Apr 30)"}, True),
        ({"vehicle:conditional": "no @ (Nov 15-Apr 15)"}, True),
        ({"access:conditional": "no @ (Jan-Mar)"}, True),
        ({"motor_vehicle:conditional": "no @ (Jun-Aug)"}, False),  # summer only
        ({"motor_vehicle:conditional": "destination @ (Dec-Mar)"}, False),
        ({"seasonal": "summer"}, True),
        ({}, False),
    ],
)
def test_is_winter_closed(tags: dict[str, str], closed: bool) -> None:
    assert is_winter_closed(tags) is closed
