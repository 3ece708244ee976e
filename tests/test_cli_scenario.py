"""``snowroute scenario check|schema`` and the generated scenario reference."""

from pathlib import Path

import pytest

from snowroute.cli import main
from snowroute.cli._scenario import scenario_reference
from tests.helpers import ROOT


def test_docs_scenario_md_is_up_to_date() -> None:
    text = (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8")
    assert text == scenario_reference(), (
        "docs/scenario.md is stale: run `snowroute scenario schema > docs/scenario.md`"
    )


def test_check_accepts_the_demo_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["-q", "scenario", "check", "--network", str(ROOT / "scenarios/demo.toml")]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "is valid" in out
    assert "depot D05 (05) at node" in out


def test_check_names_the_bad_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "scenarios" / "demo.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace('depot = "D05211"', 'depot = "D99"').replace(
            "../networks", str(ROOT / "networks")
        ),
        encoding="utf-8",
    )
    assert main(["-q", "scenario", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "vehicles[2].depot" in err
    assert "D99" in err
    assert "Traceback" not in err
