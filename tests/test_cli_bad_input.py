"""The bad-input corpus: every case ends with exit code 2 and one sentence.

Each case runs the command line as a user would and checks that it ends with exit
code 2, one line on stderr that names the cause (``snowroute: error: ...``), no
traceback, and no output left behind. Interrupts are in ``test_cli_interrupts.py``.
"""

from __future__ import annotations

import bz2
import json
import re
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from snowroute.cli import main
from tests.helpers import DATA, JAPAN_BOUNDARIES, JAPAN_OSM

SMALL = DATA / "scenario_small.toml"
STRUCTURES = "structure_id,kind,name,admin_id,lon,lat,last_inspection,interval_years,"
STRUCTURES += "minutes_on_site\n"
PATROL = (
    '[patrol]\nadmin = "05"\nstart_date = 2026-12-01\n{extra}\n'
    '[patrol.cars]\ndepot = "pref"\n\n[solver]'
)

Setup = Callable[[Path], list[str]]


def _file(tmp: Path, name: str, content: str | bytes) -> Path:
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _graphml(tmp: Path, missing: str) -> Path:
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node(1, x=140.1, y=39.7)
    G.add_node(2, x=140.2, y=39.7)
    G.add_edge(1, 2, length=10.0)
    if missing == "length":
        del G.edges[1, 2, 0]["length"]
    else:
        del G.nodes[2][missing]
    path = tmp / "roads.graphml"
    nx.write_graphml(G, path)
    return path


def _info(make: Callable[[Path], Path], *options: str) -> Setup:
    return lambda tmp: ["network", "info", str(make(tmp)), *options]


def _info_with(option: str, make: Callable[[Path], Path]) -> Setup:
    return lambda tmp: ["network", "info", str(JAPAN_OSM), option, str(make(tmp))]


def _scenario(tmp: Path, old: str, new: str) -> Path:
    text = SMALL.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp / "scenario.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for name in ("japan_roads.osm", "japan_boundaries.geojson"):
        (tmp / name).symlink_to(DATA / name)
    return path


def _check(old: str, new: str, *files: tuple[str, str | bytes]) -> Setup:
    def setup(tmp: Path) -> list[str]:
        for name, content in files:
            _file(tmp, name, content)
        return ["scenario", "check", str(_scenario(tmp, old, new))]

    return setup


def _run_changed(old: str, new: str) -> Setup:
    """Run the small scenario with ``old`` replaced by ``new``."""
    return lambda tmp: ["run", str(_scenario(tmp, old, new)), "--out", str(tmp / "out")]


def _given(content: str | bytes) -> Setup:
    new = '[exchange]\nplans = ["baseline", "given"]\ngiven_file = "g.csv"\n\n[solver]'
    return _check("[solver]", new, ("g.csv", content))


def _structures(rows: str) -> Setup:
    patrol = PATROL.format(extra='structures = "s.csv"')
    return _check("[solver]", patrol, ("s.csv", STRUCTURES + rows))


def _visits(content: str) -> Setup:
    patrol = PATROL.format(extra='last_visits = "v.csv"')
    return _check("[solver]", patrol, ("v.csv", content))


def _notices(name: str, content: str) -> Setup:
    def setup(tmp: Path) -> list[str]:
        findings = _file(tmp, name, content)
        out = ["--out", str(tmp / "out")]
        return ["patrol", "notices", str(findings), "--network", str(JAPAN_OSM), *out]

    return setup


def _run_into(make_out: Callable[[Path], Path], *options: str) -> Setup:
    def setup(tmp: Path) -> list[str]:
        out = str(make_out(tmp))
        return ["run", str(SMALL), "--out", out, *options]

    return setup


def _sweep(*options: str) -> Setup:
    return lambda tmp: ["sweep", str(SMALL), "--out", str(tmp / "out"), *options]


def _existing_folder(tmp: Path) -> Path:
    (tmp / "out").mkdir()
    return tmp / "out"


def _a_file(tmp: Path) -> Path:
    return _file(tmp, "out", "keep me")


CASES: dict[str, tuple[Setup, str]] = {
    # network files
    "osm missing": (_info(lambda t: t / "none.osm"), "OSM file `.*none.osm` does not"),
    "osm is a folder": (
        _info(lambda t: (t / "d.osm").mkdir() or t / "d.osm"),
        "is a folder, not a file",
    ),
    "osm truncated": (
        _info(lambda t: _file(t, "cut.osm", JAPAN_OSM.read_bytes()[:900])),
        "not valid OSM XML",
    ),
    "osm.bz2 truncated": (
        _info(
            lambda t: _file(t, "c.osm.bz2", bz2.compress(JAPAN_OSM.read_bytes())[:99])
        ),
        "not valid OSM XML",
    ),
    "osm not xml": (_info(lambda t: _file(t, "j.osm", b"\x00\x01junk")), "not valid"),
    "osm empty": (_info(lambda t: _file(t, "e.osm", "")), "not valid OSM XML"),
    "osm without roads": (
        _info(lambda t: _file(t, "n.osm", '<osm version="0.6"></osm>')),
        "contains no drivable public roads",
    ),
    "unknown suffix": (_info(lambda t: _file(t, "r.csv", "a\n")), "Cannot tell"),
    "graphml broken": (
        _info(lambda t: _file(t, "b.graphml", "<graphml><graph")),
        "not a readable GraphML",
    ),
    "graphml without x": (_info(lambda t: _graphml(t, "x")), "has no `x` coordinate"),
    "graphml without y": (_info(lambda t: _graphml(t, "y")), "has no `y` coordinate"),
    "graphml without length": (
        _info(lambda t: _graphml(t, "length")),
        "has no `length`",
    ),
    "pbf corrupt": (
        _info(lambda t: _file(t, "b.osm.pbf", b"\x00\x00\x00\x0dnot pbf")),
        "not valid OSM PBF",
    ),
    # tagging inputs
    "boundaries missing": (
        _info_with("--boundaries", lambda t: t / "none.geojson"),
        "Boundary layer `.*none.geojson` does not exist",
    ),
    "boundaries not geojson": (
        _info_with("--boundaries", lambda t: _file(t, "b.geojson", "{not json")),
        "Boundary layer `.*b.geojson` cannot be read",
    ),
    "boundaries elsewhere": (
        _info_with(
            "--boundaries",
            lambda t: _file(
                t,
                "far.geojson",
                JAPAN_BOUNDARIES.read_text(encoding="utf-8").replace("140.", "150."),
            ),
        ),
        "cover none of the",
    ),
    "overrides missing": (
        _info_with("--overrides", lambda t: t / "none.csv"),
        "does not exist",
    ),
    "overrides unknown column": (
        _info_with("--overrides", lambda t: _file(t, "o.csv", "way,admin_id\n1,05\n")),
        "unknown column `way`",
    ),
    "overrides two selectors": (
        _info_with(
            "--overrides", lambda t: _file(t, "o.csv", "way_id,ref,admin_id\n1,7,05\n")
        ),
        "exactly one of way_id, ref or name",
    ),
    "overrides bad way id": (
        _info_with(
            "--overrides", lambda t: _file(t, "o.csv", "way_id,admin_id\nx1,05\n")
        ),
        "is not a number",
    ),
    "overrides sets nothing": (
        _info_with("--overrides", lambda t: _file(t, "o.csv", "way_id,note\n1,hi\n")),
        "sets no attribute",
    ),
    "overrides bad boolean": (
        _info_with(
            "--overrides",
            lambda t: _file(t, "o.csv", "way_id,winter_closed\n1,maybe\n"),
        ),
        "line 2",
    ),
    "overrides extra cell": (
        _info_with(
            "--overrides", lambda t: _file(t, "o.csv", "way_id,admin_id\n1,05,x\n")
        ),
        "more cells than columns",
    ),
    "overrides binary": (
        _info_with("--overrides", lambda t: _file(t, "o.csv", b"\x81\xff\xfe\x00")),
        "neither UTF-8 nor Shift_JIS",
    ),
    "rules unknown": (
        lambda t: ["network", "info", str(JAPAN_OSM), "--rules", "atlantis"],
        "Rule set `atlantis` is neither built in",
    ),
    "rules broken toml": (
        _info_with("--rules", lambda t: _file(t, "r.toml", "[rules\n")),
        "is not valid TOML",
    ),
    # scenarios
    "scenario missing": (
        lambda t: ["scenario", "check", str(t / "none.toml")],
        "does not exist",
    ),
    "scenario broken toml": (
        _check('name = "fixture"', 'name = "fix'),
        "not valid TOML",
    ),
    "unknown key": (_check("seed = 7", "seed = 7\nthreads = 4"), "not a known field"),
    "wrong type": (_check("count = 2", 'count = "two"'), "must be an integer"),
    "vehicle at no depot": (
        _check('depot = "akita"', 'depot = "yard"'),
        "names no depot 'yard'",
    ),
    "deadline before start": (
        _check('arterial = "07:00"', 'arterial = "02:00"'),
        r"write '02:00\+1d' for the next day",
    ),
    "deadline not a clock": (
        _check('arterial = "07:00"', 'arterial = "7 am"'),
        "must be a clock time HH:MM",
    ),
    "deadline of no priority class": (
        _check('arterial = "07:00"', 'arterail = "07:00"'),
        r"`service\.deadlines\.arterail` names no priority class 'arterail' \(classes: "
        r"emergency, arterial",
    ),
    "both directions of no priority class": (
        _check(
            "[service]\n", '[service]\nboth_directions = ["emergency", "arterail"]\n'
        ),
        r"line \d+: `service\.both_directions\[1\]` names no priority class",
    ),
    "start not a clock": (_check('start = "03:00"', 'start = "25:00"'), "clock time"),
    "balance tolerance 1.5": (
        _check("[solver]", "[exchange]\nbalance_tolerance = 1.5\n\n[solver]"),
        "must be at least 0 and below 1",
    ),
    "negative admin cost": (
        _check("[solver]", "[exchange]\nadmin_cost_h = -1.0\n\n[solver]"),
        "must not be negative",
    ),
    "unknown engine": (_check("seed = 7", 'engine = "cplex"'), "must be 'pyvrp'"),
    "network file missing": (
        _check('source = "japan_roads.osm"', 'source = "none.osm"'),
        "names a file that does not exist",
    ),
    "plow admin without depot": (
        _check("[service]", '[service]\nadmins = ["05211"]'),
        "which has no depot",
    ),
    "negative shift": (_check("shift_h = 6.0", "shift_h = -1.0"), "must be positive"),
    "repeated depot": (_check('id = "akita"', 'id = "pref"'), "repeats depot id"),
    "repeated vehicle": (
        _check('id = "akita-dozer"', 'id = "pref-truck"'),
        "repeats vehicle id",
    ),
    "given plan without a list": (
        _check("[solver]", '[exchange]\nplans = ["given"]\n\n[solver]'),
        "is empty but the `given` plan is requested",
    ),
    # side files, read when the scenario loads
    "given list without column": (
        _given("route,taker\nr1,05\n"),
        "lacks the column 'to'",
    ),
    "given list empty cell": (_given("route,to\nr1,\n"), "line 2: route and to"),
    "given list binary": (_given(b"\x81\xff\xfe\x00"), "neither UTF-8 nor Shift_JIS"),
    "structure of unknown kind": (
        _structures("B1,ferry,x,05,140,39,2020-01-01,5,40\n"),
        "line 2: `kind` must be one of",
    ),
    "structure off the globe": (
        _structures("B1,bridge,x,05,240,39,2020-01-01,5,40\n"),
        "line 2: `lon`/`lat` must be WGS84",
    ),
    "structure without cycle": (
        _structures("B1,bridge,x,05,140,39,,,40\n"),
        "line 2: give `due_date`",
    ),
    "structure bad date": (
        _structures("B1,bridge,x,05,140,39,2020-13-01,5,40\n"),
        "line 2: month must be in 1..12",
    ),
    "structure repeated": (
        _structures("B1,bridge,x,05,140,39,2020-01-01,5,40\n" * 2),
        "line 3: structure id 'B1' repeats",
    ),
    "structure minutes not a number": (
        _structures("B1,bridge,x,05,140,39,2020-01-01,5,long\n"),
        "line 2: `minutes_on_site` must be a number, got 'long'",
    ),
    "last visits without date column": (
        _visits("section_id,when\nx,2026-11-01\n"),
        "lacks the column 'date'",
    ),
    "last visits bad date": (
        _visits("section_id,date\nx,28/11/2026\n"),
        "line 2: '28/11/2026' is not a date",
    ),
    # findings
    "findings without column": (
        _notices("f.csv", "date,lat,lon\n2026-12-01,39.7,140.1\n"),
        "lacks the column 'category'",
    ),
    "findings wrong suffix": (_notices("f.txt", "x"), "must be .csv or .geojson"),
    "findings not json": (_notices("f.geojson", "{oops"), "is not valid JSON"),
    "findings not a collection": (
        _notices("f.geojson", json.dumps({"type": "Point"})),
        "is not a GeoJSON FeatureCollection",
    ),
    # a scenario naming what its network does not have, refused before routing
    "depot of an administrator without roads": (
        _run_changed('admin = "05201"', 'admin = "05209"'),
        r"`depots\[1\]\.admin`: administrator '05209' owns no road of the network "
        r"\(administrators with roads: 05, 05201",
    ),
    "vehicle road class typo": (
        _run_changed(
            "plow_speed_kph = 25.0",
            'plow_speed_kph = 25.0\nroad_classes = ["primary", "secondery"]',
        ),
        r"`vehicles\[0\]\.road_classes\[1\]`: road class 'secondery' is neither",
    ),
    "excluded road class typo": (
        _run_changed("[service]\n", '[service]\nexclude_road_classes = ["motorwy"]\n'),
        r"`service\.exclude_road_classes\[0\]`: road class 'motorwy'",
    ),
    "patrol frequency of nothing": (
        _run_changed(
            "[solver]",
            PATROL.format(extra="frequency_days = { emergency = 1, arterail = 2 }"),
        ),
        r"`patrol\.frequency_days\.arterail` names no priority class \(emergency, ",
    ),
    # outputs, refused before any work
    "output exists": (_run_into(_existing_folder), "already exists; pass --force"),
    "output is a file": (_run_into(_a_file, "--force"), "is a file, not a folder"),
    "output parent missing": (_run_into(lambda t: t / "no" / "out"), "does not exist"),
    "output parent is a file": (
        _run_into(lambda t: _file(t, "plain", "") / "out"),
        "is a file, not a folder",
    ),
    "output not writable": (
        _run_into(lambda t: Path("/proc/self/out")),
        "is not writable",
    ),
    # options
    "run with no time": (
        _run_into(lambda t: t / "out", "--time-limit", "0"),
        "must be positive",
    ),
    "run with a negative seed": (
        _run_into(lambda t: t / "out", "--seed", "-1"),
        "A seed must be a whole number from 0 to 2,147,483,647, got -1",
    ),
    "scenario seed out of range": (
        _check("seed = 7", "seed = 4294967296"),
        r"`solver\.seed` must be from 0 to 2,147,483,647, got 4294967296",
    ),
    "sweep seed negative": (
        _sweep("--vary", "solver.seed=1,-2"),
        r"with solver\.seed=-2.*`solver\.seed` must be from 0",
    ),
    "bench with no time": (
        lambda t: ["bench", "carp", "--set", "gdb", "--time-limit", "0"],
        "`--time-limit` must be positive",
    ),
    "bench with no iterations": (
        lambda t: ["bench", "carp", "--set", "gdb", "--max-iterations", "0"],
        "`--max-iterations` must be at least 1",
    ),
    # sweeps: refused before any network is read or any worker starts
    "sweep key unknown": (
        _sweep("--vary", "solver.sed=1,2"),
        "`solver.sed` is not a known field",
    ),
    "sweep value invalid": (
        _sweep("--vary", "exchange.balance_tolerance=0.2,-1"),
        "with exchange.balance_tolerance=-1.*must be at least 0",
    ),
    "sweep value of the wrong type": (
        _sweep("--vary", "solver.seed=1,one"),
        "with solver.seed='one'.*`solver.seed`",
    ),
    "sweep vehicle unknown": (
        _sweep("--vary", "vehicles.plow-9.count=1,2"),
        "`vehicles` has no entry with id `plow-9`",
    ),
    "sweep without values": (_sweep("--vary", "solver.seed="), "must be KEY=V1,V2"),
    "sweep without =": (_sweep("--vary", "solver.seed"), "must be KEY=V1,V2"),
    "sweep empty value": (_sweep("--vary", "solver.seed=1,,2"), "has an empty value"),
    "sweep repeated value": (_sweep("--vary", "solver.seed=1,1"), "repeats a value"),
    "sweep key twice": (
        _sweep("--vary", "solver.seed=1", "--vary", "solver.seed=2"),
        "names a key twice",
    ),
    "sweep key not dotted": (_sweep("--vary", "seed=1,2"), "not a dotted scenario"),
    "sweep fixed key": (_sweep("--vary", "solver.workers=1,2"), "cannot be varied"),
    "sweep set and varied": (
        _sweep("--vary", "solver.seed=1,2", "--set", "solver.seed=3"),
        "`solver.seed` cannot be both set and varied",
    ),
    "sweep no workers": (
        _sweep("--vary", "solver.seed=1,2", "--workers", "0"),
        "`--workers` must be at least 1",
    ),
    "sweep set two values": (
        _sweep("--vary", "solver.seed=1,2", "--set", "solver.max_iterations=3,4"),
        "must be KEY=VALUE with one value",
    ),
    "sweep scheduler address": (
        _sweep("--vary", "solver.seed=1,2", "--scheduler", "example.org"),
        "is not an address like tcp://HOST:PORT",
    ),
    "sweep scheduler unreachable": (
        _sweep("--vary", "solver.seed=1", "--scheduler", "tcp://127.0.0.1:9"),
        "Cannot reach the Dask scheduler at tcp://127.0.0.1:9",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_ends_with_one_sentence(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup, cause = CASES[case]
    work = tmp_path / "work"
    work.mkdir()
    argv = setup(work)
    before = sorted(work.rglob("*"))
    code = main(["-q", *argv])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("snowroute: error: "), err
    assert "Traceback" not in err
    assert re.search(cause, lines[0]), (cause, err)
    assert sorted(work.rglob("*")) == before  # nothing written, nothing left


def test_the_corpus_is_large() -> None:
    assert len(CASES) >= 60
