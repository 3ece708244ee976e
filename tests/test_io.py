from pathlib import Path

import pytest

from snowroute._errors import InputFileError
from snowroute._io import atomic_directory, atomic_file


def test_atomic_file_leaves_nothing_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"

    def failing_writer() -> None:
        with atomic_file(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_writer()
    assert list(tmp_path.iterdir()) == []


def test_atomic_file_moves_the_result_into_place(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with atomic_file(target) as tmp:
        tmp.write_text("done")
    assert target.read_text() == "done"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_directory_refuses_existing_folder_without_force(
    tmp_path: Path,
) -> None:
    (tmp_path / "out").mkdir()
    with (
        pytest.raises(InputFileError, match="--force"),
        atomic_directory(tmp_path / "out"),
    ):
        pass


def test_atomic_directory_keeps_old_folder_when_the_run_fails(tmp_path: Path) -> None:
    old = tmp_path / "out"
    old.mkdir()
    (old / "keep.txt").write_text("old")

    def failing_run() -> None:
        with atomic_directory(old, force=True) as tmp:
            (tmp / "new.txt").write_text("new")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_run()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (old / "keep.txt").read_text() == "old"


def test_atomic_directory_replaces_with_force(tmp_path: Path) -> None:
    old = tmp_path / "out"
    old.mkdir()
    (old / "keep.txt").write_text("old")
    with atomic_directory(old, force=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert sorted(p.name for p in old.iterdir()) == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
