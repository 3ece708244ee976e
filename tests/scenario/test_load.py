import datetime as dt
from pathlib import Path

import pytest

from snowroute._errors import ScenarioError
from snowroute.scenario import Scenario, scenario_from_toml
from snowroute.scenario.schema import schema_markdown
from tests.helpers import DATA

SMALL = DATA / "scenario_small.toml"


def test_small_scenario_loads_with_defaults() -> None:
    scenario = scenario_from_toml(SMALL)
    assert scenario.name == "fixture"
    assert (
        scenario.resolve(scenario.network.source)
        == (DATA / "japan_roads.osm").resolve()
    )
    assert [v.id for v in scenario.vehicles] == ["pref-truck", "akita-dozer"]
    assert scenario.vehicles[1].shift_h == 6.0
    assert scenario.vehicles[0].deadhead_speed_kph == 40.0  # default
    assert scenario.service.deadline_s() == {"emergency": 12600.0, "arterial": 14400.0}
    assert scenario.solver.seed == 7
    assert scenario.plow_admins == ("05", "05201")
    assert scenario.patrol is None


def test_deadline_after_midnight_wraps() -> None:
    scenario = scenario_from_toml(SMALL)
    service = type(scenario.service)(
        start="22:00", deadlines={"emergency": "06:00+1d", "arterial": "23:30"}
    )
    assert service.deadline_s() == {"emergency": 8 * 3600.0, "arterial": 5400.0}


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = SMALL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "scenario.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for name in ("japan_roads.osm", "japan_boundaries.geojson"):
        (tmp_path / name).symlink_to(DATA / name)
    return path


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        # wrong type
        (
            "count = 2",
            'count = "two"',
            r"line 24: `vehicles\[0\].count` must be an integer",
        ),
        # unknown key
        (
            "seed = 7",
            "seed = 7\nthreads = 4",
            r"line 41: `solver.threads` is not a known field",
        ),
        # a vehicle whose depot does not exist
        (
            'depot = "akita"',
            'depot = "akita-yard"',
            r"`vehicles\[1\].depot` names no depot 'akita-yard'",
        ),
        # a vehicle with no depot at all
        (
            'id = "akita-dozer"\ndepot = "akita"\n',
            'id = "akita-dozer"\n',
            r"line 2[78]: `vehicles\[1\].depot` is required",
        ),
        # a depot without location
        (
            "node = 12",
            "",
            r"`depots\[1\].node` must be given, or else both `lon` and `lat`",
        ),
        # no depots at all
        (
            '[[depots]]\nid = "pref"',
            '[[depot]]\nid = "pref"',
            r"`depot` is not a known field",
        ),
        # a value the dataclass rejects
        (
            "shift_h = 6.0",
            "shift_h = -1.0",
            r"line 32: `vehicles\[1\].shift_h` must be positive",
        ),
        # bad clock time
        (
            'start = "03:00"',
            'start = "3 am"',
            r"`service.start` must be a clock time HH:MM",
        ),
        # unknown engine
        (
            "seed = 7",
            'engine = "cplex"',
            r"`solver.engine` must be 'pyvrp' or 'ortools'",
        ),
        # a missing file
        (
            'source = "japan_roads.osm"',
            'source = "nowhere.osm"',
            r"`network.source` names a file that does not exist",
        ),
        # broken TOML
        ('name = "fixture"', 'name = "fixture', r"line 2: not valid TOML"),
        # a deadline before the start without `+1d`
        (
            'arterial = "07:00"',
            'arterial = "02:00"',
            r"`service.deadlines.arterial` is '02:00', not after the shift start 03:00;"
            r" write '02:00\+1d' for the next day",
        ),
        # a balance tolerance that would admit any exchange
        (
            "[solver]",
            "[exchange]\nbalance_tolerance = 1.5\n\n[solver]",
            r"`exchange.balance_tolerance` must be at least 0 and below 1",
        ),
        # an objective the exchange does not know
        (
            "[solver]",
            '[exchange]\nobjective = "money"\n\n[solver]',
            r"`exchange.objective` must be 'hours' or 'km'",
        ),
        # measuring searches need at least one iteration
        (
            "[solver]",
            "[exchange]\nmeasure_iterations = 0\n\n[solver]",
            r"`exchange.measure_iterations` must be at least 1",
        ),
        # a search needs neighbours to move roads between
        (
            "[solver]",
            "[solver]\nneighbours = 0",
            r"`solver.neighbours` must be at least 1",
        ),
        # a search perturbs at least one road per iteration
        (
            "[solver]",
            "[solver]\nperturbations = [10, 0]",
            r"`solver.perturbations` must be at least 1 each",
        ),
        # a negative number of candidate moves
        (
            "[solver]",
            "[exchange]\nmoves = -1\n\n[solver]",
            r"`exchange.moves` must not be negative",
        ),
        # the old search setting is gone (the optimiser has no random rounds now)
        (
            "[solver]",
            "[exchange]\nlns_rounds = 3\n\n[solver]",
            r"`exchange.lns_rounds` is not a known field",
        ),
        # a plow administrator without a depot
        (
            "[service]",
            '[service]\nadmins = ["05211"]',
            r"`service.admins\[0\]` names '05211', which has no depot",
        ),
    ],
)
def test_bad_scenarios_name_the_field(
    tmp_path: Path, old: str, new: str, match: str
) -> None:
    with pytest.raises(ScenarioError, match=match):
        scenario_from_toml(_variant(tmp_path, old, new))


def test_missing_scenario_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="does not exist"):
        scenario_from_toml(tmp_path / "none.toml")


def test_patrol_dates_are_parsed(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        "[solver]",
        '[patrol]\nadmin = "05"\nstart_date = 2026-12-01\ndays_off = ["sun"]\n'
        '[patrol.cars]\ndepot = "pref"\ncount = 2\n\n[solver]',
    )
    patrol = scenario_from_toml(path).patrol
    assert patrol is not None
    assert patrol.start_date == dt.date(2026, 12, 1)
    assert patrol.cars.count == 2


def test_reference_documents_every_field() -> None:
    text = schema_markdown(Scenario)
    for field in (
        "source",
        "boundaries",
        "plow_speed_kph",
        "balance_tolerance",
        "frequency_days",
        "time_limit_s",
    ):
        assert f"`{field}`" in text
