import logging
from pathlib import Path

import pytest

from snowroute.cli import build_parser, main
from tests.helpers import JAPAN_BOUNDARIES, JAPAN_OSM


def test_help_exits_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "snowroute" in capsys.readouterr().out


@pytest.mark.parametrize(
    "command",
    [
        ["network"],
        ["network", "info"],
        ["network", "tag"],
        ["network", "fetch"],
        ["network", "make-demo"],
        ["network", "make-region"],
        ["demo"],
        ["scenario"],
        ["scenario", "check"],
        ["scenario", "schema"],
        ["bench"],
        ["bench", "carp"],
        ["run"],
        ["compare"],
        ["exchange"],
        ["patrol"],
    ],
)
def test_every_command_has_help(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_parser_requires_a_command() -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([])
    assert exc.value.code == 2


def test_network_info_prints_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["-q", "network", "info", str(JAPAN_OSM), "--boundaries", str(JAPAN_BOUNDARIES)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "By administrator" in out
    assert "秋田市" in out
    assert "国土交通省" in out


def test_network_tag_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "tagged"
    code = main(
        [
            "-q",
            "network",
            "tag",
            str(JAPAN_OSM),
            "--boundaries",
            str(JAPAN_BOUNDARIES),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "network.gpkg",
        "network.graphml",
        "report.json",
        "report.txt",
        "routes.csv",
    ]
    # the saved network reports the same without re-tagging
    assert main(["-q", "network", "info", str(out / "network.graphml")]) == 0


def _bad_override(tmp_path: Path) -> list[str]:
    csv = tmp_path / "o.csv"
    csv.write_text("way_id,admin_id\n424242,05\n", encoding="utf-8")
    return ["--boundaries", str(JAPAN_BOUNDARIES), "--overrides", str(csv)]


def _bad_boundary_column(tmp_path: Path) -> list[str]:
    return ["--boundaries", str(JAPAN_BOUNDARIES), "--boundary-code", "CODE"]


def _truncated_input(tmp_path: Path) -> list[str]:
    cut = tmp_path / "cut.osm"
    cut.write_bytes(JAPAN_OSM.read_bytes()[:3000])
    return ["--input-override", str(cut)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (_bad_override, "matches no road"),
        (_bad_boundary_column, "no code column `CODE`"),
        (_truncated_input, "not valid OSM XML"),
        (lambda p: ["--rules", "atlantis"], "neither built in"),
        (lambda p: ["--param", "nonsense"], "KEY=VALUE"),
        (lambda p: ["--input-override", str(p / "missing.osm")], "does not exist"),
    ],
)
def test_bad_input_exits_2_with_one_sentence_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    args = extra(tmp_path)
    source = str(JAPAN_OSM)
    if args and args[0] == "--input-override":
        source, args = args[1], args[2:]
    out = tmp_path / "out"
    code = main(["-q", "network", "tag", source, "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_existing_output_needs_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code = main(["-q", "network", "tag", str(JAPAN_OSM), "--out", str(out)])
    assert code == 2
    assert "--force" in capsys.readouterr().err


def test_demo_prints_the_report_and_writes_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from snowroute.cli import _demo

    # the exchange plans with a short routing budget (the full run is `make demo`)
    monkeypatch.setattr(_demo, "DEMO_EXCHANGE_PLANS", ("baseline",))
    monkeypatch.setattr(_demo, "DEMO_TIME_LIMIT_S", 0.5)
    out = tmp_path / "demo"
    assert main(["-q", "demo", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "秋田県" in text
    assert "Unknown administrator: 0 edges" in text
    assert "Exchange snow clearing (交換除雪)" in text
    assert text.rstrip().splitlines()[-1].startswith("Wrote ")
    assert f"{out.resolve()}/" in text.rstrip().splitlines()[-1]
    assert (out / "network.gpkg").is_file()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    baseline = summary["plans"]["baseline"]
    assert baseline["valid"] is True
    assert set(baseline["per_admin"]) == {"05", "05201", "05211", "05361"}
    for name in ("patrol.json", "routes.gpkg", "map.html", "report.html"):
        assert (out / name).is_file(), name
    assert json.loads((out / "patrol.json").read_text(encoding="utf-8"))["valid"]
    # synthetic logs of the plan and their comparison with it
    assert "against the logs of" in text
    actual = json.loads((out / "actual" / "actual.json").read_text(encoding="utf-8"))
    assert actual["plan"] == "baseline"
    assert actual["edges"]["missed"] >= 1  # the skipped road
    assert (out / "actual" / "logs" / "vehicles.csv").is_file()
    for name in ("actual.gpkg", "actual_map.html", "actual_report.html"):
        assert (out / "actual" / name).is_file(), name


def test_make_demo_regenerates_the_committed_network(tmp_path: Path) -> None:
    from tests.helpers import ROOT

    out = tmp_path / "demo"
    assert main(["-q", "network", "make-demo", str(out)]) == 0
    for name in ("demo.osm", "boundaries.geojson", "depots.csv", "structures.csv"):
        committed = (ROOT / "networks" / "demo" / name).read_bytes()
        assert (out / name).read_bytes() == committed, name


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    import snowroute

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"snowroute {snowroute.__version__}"


def test_demo_console_fits_40_lines_and_shows_details_only_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from snowroute.cli import _demo

    monkeypatch.setattr(_demo, "DEMO_EXCHANGE_PLANS", ("baseline", "optimized"))
    monkeypatch.setattr(_demo, "DEMO_TIME_LIMIT_S", 0.5)
    out = tmp_path / "demo"
    # as `make demo` runs it: no --verbose, stdout and stderr both count
    assert main(["demo", "--out", str(out), "--force"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines() + captured.err.splitlines()
    assert len(lines) <= 40, "\n".join(lines)
    # not a terminal: no status line and no progress records, only warnings (a
    # 0.5 s budget may cut a measuring search short, which is worth a warning)
    assert "\r" not in captured.err
    assert logging.getLogger("snowroute").level == logging.WARNING
    printed = captured.out.splitlines()
    closing = [line for line in printed if line.startswith("Wrote ")]
    assert closing == [printed[-1]]  # one closing line, naming the real folder
    assert f"{out.resolve()}/" in closing[0]
    assert ".tmp" not in closing[0]
    assert "Balance between partners" in captured.out or "optimized" in captured.out
    # spelled out: no ledger abbreviations such as "emer 05:04" or "veh"
    assert " emer " not in captured.out
    assert " veh " not in captured.out
    # with --verbose: the full tables and the solver's steps
    assert main(["-v", "demo", "--out", str(out), "--force"]) == 0
    verbose = capsys.readouterr()
    assert "Exchange ledger" in verbose.out
    assert "H21 (FY2009 plan, Akita)" in verbose.out
    assert "By administrator:" in verbose.out
    assert "exchange plans" in verbose.err


def test_progress_is_one_redrawn_status_line_on_a_terminal() -> None:
    import io
    import logging

    from snowroute.cli._main import _ClearingStdout, _configure_logging

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    status = _configure_logging(0, quiet=False, stream=screen)
    assert status is not None
    log = logging.getLogger("snowroute.test")
    try:
        log.info("exchange plans")
        log.debug("solver internals stay hidden")
        log.info("patrol plan")
        status._bar.refresh()
        stdout = Terminal()
        _ClearingStdout(stdout, status).write("result\n")
        log.warning("a warning is kept")
    finally:
        status.close()
        logging.getLogger("snowroute").handlers[:] = []
    text = screen.getvalue()
    assert "\r" in text  # the line is redrawn in place
    assert "patrol plan" in text
    assert "solver internals" not in text
    assert "a warning is kept\n" in text
    assert stdout.getvalue() == "result\n"
    # not a terminal: nothing but warnings
    plain = io.StringIO()
    assert _configure_logging(0, quiet=False, stream=plain) is None
    log.info("hidden")
    log.warning("shown")
    logging.getLogger("snowroute").handlers[:] = []
    assert plain.getvalue() == "shown\n"
