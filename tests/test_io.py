import re
from pathlib import Path

import pytest

from snowroute._errors import InputFileError, TaggingError
from snowroute._io import atomic_directory, atomic_file, check_output_path, read_csv


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


def test_read_csv_strips_cells_and_numbers_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("\ufeffid , name\n 1 , 上町橋 \n2,\n", encoding="utf-8")
    rows = read_csv(path, what="Table", required=["id", "name"])
    assert [(r.line, dict(r.cells)) for r in rows] == [
        (2, {"id": "1", "name": "上町橋"}),
        (3, {"id": "2", "name": ""}),
    ]
    assert rows[0].get("missing", "-") == "-"


def test_read_csv_reads_shift_jis(tmp_path: Path) -> None:
    path = tmp_path / "sjis.csv"
    path.write_bytes("id,name\n1,上町橋\n".encode("cp932"))
    (row,) = read_csv(path, what="Table")
    assert row.get("name") == "上町橋"


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        ("", {}, "has no header row"),
        ("id\n1\n", {"required": ["id", "date"]}, "lacks the column 'date'"),
        ("id,x\n1,2\n", {"allowed": {"id"}}, "has unknown column `x`; expected: id"),
        ("id\n1,2\n", {}, "line 2 has more cells than columns"),
    ],
)
def test_read_csv_names_the_cause(
    tmp_path: Path, content: str, kwargs: dict, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError, match=re.escape(f"Table `{path}` {message}")):
        read_csv(path, what="Table", **kwargs)


def test_read_csv_names_missing_files_folders_and_binary(tmp_path: Path) -> None:
    with pytest.raises(TaggingError, match="does not exist"):
        read_csv(tmp_path / "none.csv", what="Table", error=TaggingError)
    with pytest.raises(InputFileError, match="is a folder, not a file"):
        read_csv(tmp_path, what="Table")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x81\xff\xfe\x00")
    with pytest.raises(InputFileError, match="neither UTF-8 nor Shift_JIS"):
        read_csv(binary, what="Table")


def test_output_paths_of_the_other_kind_are_never_replaced(tmp_path: Path) -> None:
    file = tmp_path / "out"
    file.write_text("keep me")
    with pytest.raises(InputFileError, match="is a file, not a folder"):
        check_output_path(file, force=True, kind="folder")
    with (
        pytest.raises(InputFileError, match="is a file, not a folder"),
        atomic_directory(file, force=True),
    ):
        pass
    assert file.read_text() == "keep me"
    with pytest.raises(InputFileError, match="is a folder, not a file"):
        check_output_path(tmp_path, force=True, kind="file")


def test_output_folders_that_cannot_take_files_are_named(tmp_path: Path) -> None:
    parent = tmp_path / "plain-file"
    parent.write_text("")
    with pytest.raises(InputFileError, match="is a file, not a folder"):
        check_output_path(parent / "out", force=False)
    with pytest.raises(InputFileError, match="is not writable"):
        check_output_path(Path("/proc/self/out"), force=False)  # even for root
