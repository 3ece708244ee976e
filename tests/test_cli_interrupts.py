"""Ctrl-C and SIGTERM in the middle of a search: one line, the right code, no litter."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT


def _start_run(out: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "snowroute", "-v", "run", "scenarios/demo.toml"]
    command += ["--plans", "baseline", "--time-limit", "120", "--out", str(out)]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )


def _wait_for_search(proc: subprocess.Popen[str]) -> list[str]:
    """Read the progress log until the search workers are running."""
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if "pyvrp:" in line and "clients" in line:
            return lines
    pytest.fail("".join(lines))


@pytest.mark.parametrize(
    ("sig", "group", "code", "message"),
    [
        (signal.SIGINT, True, 130, "snowroute: interrupted."),  # Ctrl-C: the group
        (signal.SIGTERM, False, 143, "snowroute: terminated."),  # kill PID
    ],
)
def test_a_stopped_search_prints_one_line_and_leaves_nothing(
    tmp_path: Path, sig: signal.Signals, group: bool, code: int, message: str
) -> None:
    proc = _start_run(tmp_path / "out")
    try:
        before = _wait_for_search(proc)
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        _, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == code, "".join(before) + rest
    assert rest.strip().splitlines()[-1] == message
    assert "Traceback" not in rest, rest
    assert list(tmp_path.iterdir()) == []  # no output, no hidden temporary folder
