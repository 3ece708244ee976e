"""ExchangeResult: its data for summary.json and its text tables."""

from __future__ import annotations

import json

import pytest

from snowroute.exchange import ExchangeResult, run_exchange

from .test_run import PREF, TOWN, _network, _scenario


@pytest.fixture(scope="module")
def result() -> ExchangeResult:
    return run_exchange(_network(), _scenario(), plans=["baseline", "pooled"])


def test_to_dict_is_json_ready_and_names_the_run(result: ExchangeResult) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    assert data["scenario"] == "hand-made"
    assert data["partners"] == [[PREF, TOWN]]
    assert data["prefecture"] == PREF
    assert list(data["plans"]) == ["baseline", "pooled"]
    assert data["valid"] is result.valid is True
    assert data["plans"]["pooled"]["about"].startswith("Every fleet may plow")
    assert data["price_of_fairness"] is None  # no unbalanced plan asked for
    assert data["comparison"][0]["label"].startswith("H20")


def test_the_mappings_are_read_only(result: ExchangeResult) -> None:
    with pytest.raises(TypeError):
        result.plans["x"] = result.plans["baseline"]  # type: ignore[index]


def test_text_tables(result: ExchangeResult) -> None:
    ledger = result.ledger_text()
    assert ledger.startswith("Exchange ledger")
    assert "baseline" in ledger
    assert "pooled" in ledger
    assert result.comparison_text().startswith("Comparison with the prefecture")
