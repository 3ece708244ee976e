import csv
import dataclasses

import pytest

from snowroute import InputFileError
from snowroute.bench.carp import (
    carp_problem,
    evaluate_solution,
    read_carp,
    solution_lines,
)
from snowroute.cli import main
from snowroute.routing import solve

GOOD = """NOMBRE : tiny
COMENTARIO : 0
VERTICES : 3
ARISTAS_REQ : 2
ARISTAS_NOREQ : 1
VEHICULOS : 1
CAPACIDAD : 5
TIPO_COSTES_ARISTAS : EXPLICITOS
COSTE_TOTAL_REQ : 7
LISTA_ARISTAS_REQ :
( 1, 2)  coste 3 demanda 2
( 2, 3)  coste 4 demanda 2
LISTA_ARISTAS_NOREQ :
( 3, 1)  coste 5
DEPOSITO : 1
"""


def _write(tmp_path, text, name="tiny.dat"):
    folder = tmp_path / "carp" / "mini"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    (tmp_path / "carp" / "bks.csv").write_text(
        "set,instance,vertices,required_edges,total_edges,capacity,vehicles_lb,bks,lb,optimal,source\n"
        "mini,tiny,3,2,3,5,1,12,12,yes,test\n"
    )
    return folder / name


def test_read_carp_reads_a_small_file(tmp_path):
    instance = read_carp(_write(tmp_path, GOOD))
    assert (instance.name, instance.vertices, instance.capacity, instance.depot) == (
        "tiny",
        3,
        5,
        1,
    )
    assert instance.required == ((1, 2, 3.0, 2.0), (2, 3, 4.0, 2.0))
    assert instance.other == ((3, 1, 5.0),)
    solution = solve(
        carp_problem(instance), time_limit_s=2, workers=1, max_iterations=50
    )
    assert solution.cost == 12


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda t: t.replace("VERTICES : 3\n", ""),
            "no `VERTICES` line",
        ),  # missing header
        (
            lambda t: t.replace("ARISTAS_REQ : 2", "ARISTAS_REQ : 3"),
            "declares 3 required",
        ),  # count off
        (
            lambda t: t.replace("coste 4 demanda 2", "coste four"),
            "not a CARPLIB edge line",
        ),  # bad number
        (
            lambda t: t.replace("( 2, 3)  coste 4 demanda 2", "( 2, 3)  coste 4"),
            "without `demanda`",
        ),
        (
            lambda t: t.replace("DEPOSITO : 1", "DEPOSITO : one"),
            "`DEPOSITO` must be an integer",
        ),
        (
            lambda t: t.replace("( 3, 1)", "( 9, 1)"),
            "uses vertex 9",
        ),  # vertex out of range
        (lambda t: t + "garbage\n", "neither a CARPLIB keyword"),  # trailing junk
        (lambda t: t.replace("CAPACIDAD : 5", "CAPACIDAD : 0"), "must be positive"),
    ],
)
def test_read_carp_rejects_malformed_files(tmp_path, edit, match):
    with pytest.raises(InputFileError, match=match):
        read_carp(_write(tmp_path, edit(GOOD)))


def test_cli_reports_a_malformed_file_in_one_sentence_and_writes_nothing(
    tmp_path, capsys
):
    _write(tmp_path, GOOD.replace("ARISTAS_REQ : 2", "ARISTAS_REQ : 3"))
    out = tmp_path / "out.csv"
    code = main(
        [
            "-q",
            "bench",
            "carp",
            "--set",
            "mini",
            "--data",
            str(tmp_path / "carp"),
            "--csv",
            str(out),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "declares 3 required edges" in err[0]
    assert not out.exists()


def _bench(tmp_path, *extra):
    out = tmp_path / "out.csv"
    code = main(
        [
            "-q",
            "bench",
            "carp",
            "--set",
            "mini",
            "--data",
            str(tmp_path / "carp"),
            "--time-limit",
            "60",
            "--max-iterations",
            "300",
            "--workers",
            "1",
            "--csv",
            str(out),
            "--force",
            *extra,
        ]
    )
    with out.open() as fh:
        (row,) = csv.DictReader(fh)
        return code, row


def test_cli_writes_csv_and_solution_files(tmp_path, capsys):
    _write(tmp_path, GOOD)
    out, sols = tmp_path / "out.csv", tmp_path / "sols"
    code, _ = _bench(tmp_path, "--solutions", str(sols))
    assert code == 0
    printed = capsys.readouterr().out
    assert "tiny" in printed
    assert "cores" in printed
    with out.open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [
        "set",
        "instance",
        "engine",
        "cost",
        "bks",
        "gap_pct",
        "seconds",
        "peak_mb",
        "valid",
        "routes",
    ]
    assert rows[1][:6] == ["mini", "tiny", "pyvrp", "12", "12", "0.0000"]
    assert rows[1][8] == "yes"
    lines = (sols / "tiny.sol").read_text().split("\n")
    served = sorted(
        tuple(sorted(map(int, e.split("-")))) for line in lines for e in line.split()
    )
    assert served == [(1, 2), (2, 3)]


@pytest.mark.shared
@pytest.mark.parametrize(
    ("set_name", "name", "bks"),
    [
        ("gdb", "gdb1", 316),
        ("gdb", "gdb4", 287),
        ("gdb", "gdb14", 100),
        ("val", "1A", 173),
    ],
)
def test_small_carp_instances_reach_the_best_known(shared_dir, set_name, name, bks):
    path = shared_dir / "benchmarks" / "carp" / set_name / f"{name}.dat"
    problem = carp_problem(read_carp(path))
    solution = solve(problem, time_limit_s=20, seed=1, workers=1, max_iterations=3000)
    assert solution.feasible
    assert solution.cost == bks


@pytest.mark.shared
def test_zero_based_instance_keeps_its_vertex_numbers(shared_dir):
    instance = read_carp(shared_dir / "benchmarks" / "carp" / "hefei" / "Hefei-1.txt")
    assert instance.depot == 0
    assert min(min(u, v) for u, v, *_ in instance.required + instance.other) == 0
    problem = carp_problem(instance)
    assert problem.depots[0].vertex == 0


ZERO_BASED = """NOMBRE : zero
VERTICES : 4
ARISTAS_REQ : 3
ARISTAS_NOREQ : 0
VEHICULOS : 1
CAPACIDAD : 10
LISTA_ARISTAS_REQ :
( 0, 1)  coste 2 demanda 1
( 1, 2)  coste 3 demanda 1
( 2, 3)  coste 4 demanda 1
DEPOSITO : 3
"""


def test_zero_based_file_with_the_depot_at_its_last_vertex(tmp_path):
    # A path 0 - 1 - 2 - 3 with the depot at its far end: one route out and back,
    # 2 * (2 + 3 + 4), written in the file's own vertex numbers.
    instance = read_carp(_write(tmp_path, ZERO_BASED, name="zero.txt"))
    problem = carp_problem(instance)
    assert problem.depots[0].vertex == 3
    solution = solve(problem, time_limit_s=2, workers=1, max_iterations=50)
    assert solution.feasible, solution.violations
    assert solution.cost == 18
    (route,) = solution.routes
    assert int(problem.graph.tail[route.arcs[0]]) == 3
    assert int(problem.graph.head[route.arcs[-1]]) == 3
    (line,) = solution_lines(problem, solution)
    served = {tuple(sorted(map(int, e.split("-")))) for e in line.split()}
    assert served == {(0, 1), (1, 2), (2, 3)}


@pytest.mark.shared
def test_depot_in_the_middle_of_the_network(shared_dir):
    # Beullens' C01 puts the depot at vertex 40.
    instance = read_carp(shared_dir / "benchmarks" / "carp" / "beullens" / "C01.dat")
    assert instance.depot == 40
    problem = carp_problem(instance)
    solution = solve(problem, time_limit_s=10, seed=1, workers=1, max_iterations=200)
    assert solution.feasible, solution.violations
    for route in solution.routes:
        assert int(problem.graph.tail[route.arcs[0]]) == 40
        assert int(problem.graph.head[route.arcs[-1]]) == 40
    served = sorted(
        tuple(sorted(map(int, e.split("-"))))
        for line in solution_lines(problem, solution)
        for e in line.split()
    )
    assert served == sorted(tuple(sorted((u, v))) for u, v, *_ in instance.required)


def test_cap_fleet_limits_the_routes_to_vehiculos(tmp_path, capsys):
    # Capacity 3 with two edges of demand 2 needs two routes; the file says 1.
    _write(tmp_path, GOOD.replace("CAPACIDAD : 5", "CAPACIDAD : 3"))
    assert (
        carp_problem(read_carp(tmp_path / "carp" / "mini" / "tiny.dat"))
        .vehicles[0]
        .count
        is None
    )
    code, row = _bench(tmp_path)
    assert (code, row["valid"], row["routes"]) == (0, "yes", "2")
    code, row = _bench(tmp_path, "--cap-fleet")
    assert (code, row["valid"]) == (1, "no")
    printed = capsys.readouterr().out
    assert "fleet capped at VEHICULOS" in printed
    assert "INVALID" in printed
    # With VEHICULOS 2 the capped fleet is enough.
    _write(
        tmp_path,
        GOOD.replace("CAPACIDAD : 5", "CAPACIDAD : 3").replace(
            "VEHICULOS : 1", "VEHICULOS : 2"
        ),
    )
    code, row = _bench(tmp_path, "--cap-fleet")
    assert (code, row["valid"], row["routes"]) == (0, "yes", "2")


def test_solution_files_are_checked_from_the_instance_alone(tmp_path):
    instance = read_carp(_write(tmp_path, GOOD))
    # Depot 1: serve 1-2 (3), 2-3 (4), back 3-1 (5).
    assert evaluate_solution(instance, ["1-2 2-3"]) == 12
    # Served against the file's direction: 1 -> 3 (5), 3-2 (4), 2-1 (3).
    assert evaluate_solution(instance, ["3-2 2-1", ""]) == 12
    assert evaluate_solution(instance, ["1-2", "2-3"]) == (3 + 3) + (3 + 4 + 5)
    for lines, match in [
        (["1-2"], "2-3 is not served"),
        (["1-2 2-3 1-2"], "served more than once"),
        (["1-2 3-1"], "not a required edge"),
        (["1-2 x"], "not an edge"),
    ]:
        with pytest.raises(InputFileError, match=match):
            evaluate_solution(instance, lines)
    small = dataclasses.replace(instance, capacity=3.0)
    with pytest.raises(InputFileError, match="more than the capacity 3"):
        evaluate_solution(small, ["1-2 2-3"])


def test_solution_check_finds_loads_for_parallel_required_edges(tmp_path):
    instance = read_carp(_write(tmp_path, GOOD))
    # Two required edges join 1 and 2 (demands 4 and 1): a file cannot say which
    # route served which, so any assignment within the capacity is accepted.
    twin = dataclasses.replace(
        instance,
        required=((1, 2, 3.0, 4.0), (1, 2, 3.0, 1.0), (2, 3, 4.0, 4.0)),
        capacity=5.0,
    )
    # Taken in file order, route 1 would carry 4 + 4; with the other copy 1 + 4.
    assert evaluate_solution(twin, ["1-2 2-3", "1-2"]) == (3 + 4 + 5) + (3 + 3)
    tight = dataclasses.replace(twin, capacity=4.0)
    with pytest.raises(InputFileError, match="No assignment of the parallel"):
        evaluate_solution(tight, ["1-2 2-3", "1-2"])
