"""Guards on what the repository keeps: no large files, lean benchmark folders."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT

#: Largest tracked file, bytes. Network data the product ships is the only thing
#: that may come near it (networks/demo/demo.osm is 0.15 MB).
MAX_FILE_BYTES = 1_000_000
#: Tracked files that must be larger, each with its reason (path from the project
#: root). None today: add shipped network data here only when it cannot be smaller.
LARGE_FILES_ALLOWED: dict[str, str] = {}
#: Benchmark folders keep current results, their CSVs, reproduce scripts and
#: checked solutions of the current defaults; history lives in git.
MAX_BENCHMARK_FILES = 100
#: Records a benchmark run leaves beside its CSV that are not kept in git.
NOT_KEPT = ("*.log", "*.err", "*.out", "trials-*.jsonl")


def _tracked() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to guard")
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    )
    return [ROOT / name for name in out.stdout.decode().split("\0") if name]


def oversized(paths: list[Path], limit: int = MAX_FILE_BYTES) -> list[str]:
    """Tracked files larger than ``limit`` bytes and not allowed, as ``path (size)``."""
    return [
        f"{p.relative_to(ROOT)} ({p.stat().st_size:,} bytes)"
        for p in paths
        if p.is_file()
        and p.stat().st_size > limit
        and p.relative_to(ROOT).as_posix() not in LARGE_FILES_ALLOWED
    ]


def benchmark_problems(
    paths: list[Path], limit: int = MAX_BENCHMARK_FILES
) -> list[str]:
    """Run records kept under ``benchmarks/`` and a file count at or over ``limit``."""
    benchmarks = [p for p in paths if p.relative_to(ROOT).parts[0] == "benchmarks"]
    problems = [
        f"{p.relative_to(ROOT)} is a run's record (kept in git history only)"
        for p in benchmarks
        if any(p.match(pattern) for pattern in NOT_KEPT)
    ]
    if len(benchmarks) >= limit:
        problems.append(f"benchmarks/ tracks {len(benchmarks)} files (limit {limit})")
    return problems


def test_no_tracked_file_is_large() -> None:
    assert oversized(_tracked()) == []


def test_large_files_allowed_are_tracked_and_large() -> None:
    tracked = {p.relative_to(ROOT).as_posix(): p for p in _tracked()}
    for name, reason in LARGE_FILES_ALLOWED.items():
        assert reason, name
        assert name in tracked, f"{name} is allowed but not tracked"
        assert tracked[name].stat().st_size > MAX_FILE_BYTES, f"{name} is not large"


def test_benchmark_folders_stay_lean() -> None:
    assert benchmark_problems(_tracked()) == []


def test_the_size_guard_catches_a_large_file() -> None:
    big = ROOT / "tests" / "data" / "scenario_small.toml"  # a real file, low limit
    assert oversized([big], limit=10) == [
        f"tests/data/scenario_small.toml ({big.stat().st_size:,} bytes)"
    ]


def test_the_benchmark_guard_catches_records_and_too_many_files() -> None:
    folder = ROOT / "benchmarks" / "carp"
    records = [folder / "egl.log", folder / "egl.err", folder / "trials-probes.jsonl"]
    kept = [folder / "RESULTS.md", folder / "reproduce.sh"]
    assert benchmark_problems(kept) == []
    assert len(benchmark_problems(records + kept)) == 3
    assert benchmark_problems(kept, limit=2) == ["benchmarks/ tracks 2 files (limit 2)"]


#: Longest function of the package, in lines (docstring included).
MAX_FUNCTION_LINES = 80


def long_functions(root: Path, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Functions under ``root`` longer than ``limit`` lines."""
    out = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > limit:
                    out.append(f"{path.relative_to(ROOT)}::{node.name} ({lines})")
    return out


def test_no_function_of_the_package_is_long() -> None:
    assert long_functions(ROOT / "snowroute") == []
    assert long_functions(ROOT / "snowroute" / "routing", limit=20) != []
