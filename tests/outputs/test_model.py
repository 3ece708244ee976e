"""The plain data the writers take: exchanged sections read from summary.json data."""

from __future__ import annotations

import pytest

from snowroute._errors import OutputError
from snowroute.outputs import ExchangedSection, exchanged_sections

ROW = {"route_id": "05/prefectural/7", "from_admin": "05", "to_admin": "05201"}


def test_exchanged_sections_of_every_plan_but_pooled() -> None:
    summary = {
        "plans": {
            "baseline": {"deadhead_km": 1.0},
            "given": {"exchanged": [{**ROW, "km": 1.5}]},
            "optimized": {"exchanged": [{**ROW, "section": "s2", "km": 2.0}]},
            "pooled": {"exchanged": [{**ROW, "section": "s3", "km": 3.0}]},
        }
    }
    assert exchanged_sections(summary) == [
        # a row naming no section hands over the whole route
        ExchangedSection(
            "05/prefectural/7", "05/prefectural/7", "05", "05201", 1.5, "given"
        ),
        ExchangedSection("05/prefectural/7", "s2", "05", "05201", 2.0, "optimized"),
    ]


def test_an_exchanged_row_without_km_is_an_output_error() -> None:
    summary = {"plans": {"given": {"exchanged": [dict(ROW)]}}}
    with pytest.raises(OutputError, match="has no `km`"):
        exchanged_sections(summary)
