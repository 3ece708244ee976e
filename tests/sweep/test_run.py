"""Sweeps on a real Dask cluster give the serial table, and survive a dead worker."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from snowroute.sweep import parse_vary, run_sweep, sweep_variants
from snowroute.sweep.cluster import run_tasks
from tests.helpers import DATA

distributed = pytest.importorskip("distributed")

SWEEP = DATA / "scenario_sweep.toml"


@pytest.fixture(scope="module")
def variants() -> Any:
    """Four variants of the small demo case (seed x a town's fleet)."""
    return sweep_variants(
        SWEEP,
        [parse_vary("solver.seed=1,2"), parse_vary("vehicles.gojome-dozer.count=1,2")],
    )


@pytest.fixture(scope="module")
def serial(variants: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "sweep"
    result = run_sweep(variants, out, scheduler="serial")
    assert result.valid
    assert result.workers == 1
    return out


def _figures(folder: Path) -> dict[str, Any]:
    """What must not depend on where the sweep ran: table and every plan summary."""
    out: dict[str, Any] = {"table": (folder / "sweep.csv").read_text("utf-8-sig")}
    for summary in sorted(folder.glob("variants/*/summary.json")):
        data = json.loads(summary.read_text("utf-8"))
        data.pop("runtime_s")
        for plan in data["plans"].values():
            plan.pop("runtime_s")
        out[summary.parent.name] = data
    return out


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_the_serial_sweep_writes_a_table_charts_a_page_and_each_variant(
    serial: Path,
) -> None:
    files = _files(serial)
    for name in ("sweep.csv", "sweep.json", "sweep.svg", "sweep.html"):
        assert name in files
    assert "sweep_bands.csv" not in files  # the baseline only: no saving to band
    folders = sorted(p.name for p in (serial / "variants").iterdir())
    assert folders == [
        "01_solver.seed=1_vehicles.gojome-dozer.count=1",
        "02_solver.seed=1_vehicles.gojome-dozer.count=2",
        "03_solver.seed=2_vehicles.gojome-dozer.count=1",
        "04_solver.seed=2_vehicles.gojome-dozer.count=2",
    ]
    for folder in folders:
        assert f"variants/{folder}/summary.json" in files
        assert f"variants/{folder}/report.html" in files
    table = (serial / "sweep.csv").read_text("utf-8-sig").splitlines()
    assert len(table) == 5
    assert table[0].startswith("variant,label,name,solver.seed,")
    assert "baseline.total_hours" in table[0]


def test_a_local_cluster_of_two_processes_gives_the_serial_result(
    variants: Any, serial: Path, tmp_path: Path
) -> None:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster:
        out = tmp_path / "sweep"
        result = run_sweep(variants, out, scheduler=cluster.scheduler_address)
    assert result.workers == 2
    assert len(result.worker_peak_mb) == 2
    assert _figures(out) == _figures(serial)
    assert _files(out) == _files(serial)


def _kill_a_busy_worker(address: str, killed: list[int]) -> None:
    """Wait until a worker runs a variant, then kill its process (SIGKILL)."""
    with distributed.Client(address, timeout="20s") as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                time.sleep(0.3)  # well into the task
                pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.05)


def test_a_worker_killed_mid_sweep_loses_nothing(
    variants: Any, serial: Path, tmp_path: Path
) -> None:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    killed: list[int] = []
    with cluster:
        killer = threading.Thread(
            target=_kill_a_busy_worker, args=(cluster.scheduler_address, killed)
        )
        killer.start()
        out = tmp_path / "sweep"
        run_sweep(variants, out, scheduler=cluster.scheduler_address)
        killer.join()
    assert killed, "no worker was busy: the test killed nothing"
    assert _figures(out) == _figures(serial)  # every variant, complete
    assert [p.name for p in tmp_path.iterdir()] == ["sweep"]  # no temporary left


class _Recorder:
    """A stand-in client: records what would travel to the workers."""

    def __init__(self) -> None:
        self.scattered: list[tuple[Any, dict[str, Any]]] = []
        self.submitted: list[tuple[Any, ...]] = []

    def scatter(self, data: Any, **kwargs: Any) -> str:
        self.scattered.append((data, kwargs))
        return f"handle-{len(self.scattered)}"

    def submit(self, task: Any, *args: Any, **kwargs: Any) -> Any:
        self.submitted.append(args)
        return _Done(task(*args, **{k: v for k, v in kwargs.items() if k == "x"}))

    def run(self, function: Any) -> dict[str, float]:
        return {"w": function()}


class _Done:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value

    def cancel(self) -> None:
        pass


def test_each_network_travels_to_the_workers_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(distributed, "as_completed", iter)
    client = _Recorder()
    outcomes: list[Any] = []
    groups = [("network-A", ["a1", "a2", "a3"]), ("network-B", ["b1"])]
    run_tasks(client, lambda job, shared: (job, shared), groups, outcomes.append)  # type: ignore[arg-type]
    assert [d for d, _ in client.scattered] == ["network-A", "network-B"]
    assert all(kw["broadcast"] for _, kw in client.scattered)
    assert client.submitted == [
        ("a1", "handle-1"),
        ("a2", "handle-1"),
        ("a3", "handle-1"),
        ("b1", "handle-2"),
    ]
    assert sorted(outcomes) == [
        ("a1", "handle-1"),
        ("a2", "handle-1"),
        ("a3", "handle-1"),
        ("b1", "handle-2"),
    ]
