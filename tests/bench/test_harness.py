import os

import pytest

from snowroute import SnowrouteError
from snowroute._errors import ProblemError
from snowroute.bench import harness
from tests.bench.test_carp import GOOD, _write


def _raise_problem(*args):
    msg = "`edge` is unreachable."
    raise ProblemError(msg)


def _raise_other(*args):
    msg = "boom"
    raise ValueError(msg)


def _die(*args):
    os._exit(7)


@pytest.mark.parametrize(
    ("solve_one", "error", "match"),
    [
        (_raise_problem, ProblemError, "`edge` is unreachable"),  # passed through
        (_raise_other, SnowrouteError, r"^Solving tiny failed: ValueError: boom\.$"),
        (
            _die,
            SnowrouteError,
            r"^Solving tiny failed: the solving process died without a result\.$",
        ),  # the process ends without a word
    ],
)
def test_run_carp_reports_how_solving_an_instance_failed(
    tmp_path, monkeypatch, solve_one, error, match
):
    _write(tmp_path, GOOD)
    monkeypatch.setattr(harness, "_solve_one", solve_one)
    with pytest.raises(error, match=match):
        harness.run_carp(tmp_path / "carp", ["mini"], time_limit_s=5, workers=1)
