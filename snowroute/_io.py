"""File input and output every layer shares.

Atomic file and folder output, so a failed run leaves nothing half-written, and
the one CSV table reader behind every side file (overrides, exchange lists, last
visits, structures, findings).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from snowroute._errors import InputFileError

__all__ = [
    "CsvRow",
    "atomic_directory",
    "atomic_file",
    "check_input_file",
    "check_output_path",
    "read_csv",
    "read_text",
    "write_json",
]


def check_output_path(
    path: Path, *, force: bool, kind: Literal["file", "folder"] | None = None
) -> None:
    """Refuse an output ``path`` that cannot be written, before any work is done.

    ``kind`` says whether a file or a folder will be written there: an existing
    path of the other kind is never replaced, not even with ``force``.

    Raises
    ------
    InputFileError
        When ``path`` exists and ``force`` is false, exists as the other ``kind``,
        or its parent folder is missing, is not a folder or is not writable.
    """
    path = Path(path)
    if path.exists() and kind is not None and path.is_dir() != (kind == "folder"):
        other = "folder" if path.is_dir() else "file"
        msg = f"Output `{path}` is a {other}, not a {kind}; choose another name."
        raise InputFileError(msg)
    if path.exists() and not force:
        msg = f"Output `{path}` already exists; pass --force to replace it."
        raise InputFileError(msg)
    parent = path.parent
    if not parent.exists():
        msg = f"Output folder `{parent}` does not exist."
        raise InputFileError(msg)
    if not parent.is_dir():
        msg = f"Output folder `{parent}` is a file, not a folder."
        raise InputFileError(msg)
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        msg = f"Output folder `{parent}` is not writable ({reason})."
        raise InputFileError(msg) from None


@contextmanager
def atomic_file(path: str | os.PathLike[str], *, force: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` and move it into place on success.

    On any exception the temporary file is removed and ``path`` is left untouched.

    Raises
    ------
    InputFileError
        When ``path`` exists and ``force`` is false.
    """
    target = Path(path)
    check_output_path(target, force=force, kind="file")
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_directory(
    path: str | os.PathLike[str], *, force: bool = False
) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it replaces ``path``.

    On any exception the temporary folder is removed and ``path`` (if it existed) is
    left as it was.

    Raises
    ------
    InputFileError
        When ``path`` exists and ``force`` is false, or its parent folder is missing.
    """
    target = Path(path)
    check_output_path(target, force=force, kind="folder")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; give the usual folder mode
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.replace(old)
            tmp.replace(target)
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        else:
            tmp.replace(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON (non-ASCII kept readable)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row of a CSV table: its line in the file and its stripped cells."""

    line: int
    cells: Mapping[str, str]

    def get(self, column: str, default: str = "") -> str:
        """Return the cell of ``column`` (``default`` when the column is absent)."""
        return self.cells.get(column, default)


#: Encodings tried in turn: UTF-8 (with or without a byte-order mark), then the
#: Shift_JIS superset Windows writes in Japan.
CSV_ENCODINGS = ("utf-8-sig", "cp932")


def read_csv(
    path: str | os.PathLike[str],
    *,
    what: str,
    required: Sequence[str] = (),
    allowed: Collection[str] | None = None,
    error: type[Exception] = InputFileError,
) -> tuple[CsvRow, ...]:
    """Read the CSV table ``path`` with a header row; every cell stripped.

    ``what`` names the file in messages (e.g. ``"Structures file"``). The file is
    read as UTF-8 (a byte-order mark is allowed) or else as Shift_JIS (cp932).

    Raises
    ------
    InputFileError
        (or ``error``) When the file is missing, unreadable, has no header row, lacks
        a ``required`` column, has a column outside ``allowed``, or a row has more
        cells than the header; the message names the file and line.
    """
    path = Path(path)
    text = _read_text(path, what, error)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or ()]
    if not header:
        msg = f"{what} `{path}` has no header row."
        raise error(msg)
    missing = [c for c in required if c not in header]
    if missing:
        msg = f"{what} `{path}` lacks the column {missing[0]!r}."
        raise error(msg)
    unknown = [c for c in header if allowed is not None and c not in allowed]
    if unknown:
        expected = ", ".join(sorted(allowed or ()))
        msg = (
            f"{what} `{path}` has unknown column `{unknown[0]}`; expected: {expected}."
        )
        raise error(msg)
    reader.fieldnames = header
    rows = []
    for line, row in enumerate(reader, start=2):
        if None in row:
            msg = f"{what} `{path}` line {line} has more cells than columns."
            raise error(msg)
        rows.append(CsvRow(line, {k: (v or "").strip() for k, v in row.items()}))
    return tuple(rows)


def read_text(
    path: str | os.PathLike[str],
    *,
    what: str,
    error: type[Exception] = InputFileError,
) -> str:
    """Return the text of ``path``, read as UTF-8 (BOM allowed) or else Shift_JIS.

    Raises
    ------
    InputFileError
        (or ``error``) When the file is missing, unreadable or in neither encoding.
    """
    return _read_text(Path(path), what, error)


def _read_text(path: Path, what: str, error: type[Exception]) -> str:
    check_input_file(path, what, error=error)
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    msg = f"{what} `{path}` is neither UTF-8 nor Shift_JIS text."
    raise error(msg)


def check_input_file(
    path: Path, what: str, *, error: type[Exception] = InputFileError
) -> None:
    """Raise a one-sentence error when ``path`` is missing, a folder or unreadable.

    Raises
    ------
    InputFileError
        (or ``error``) Naming ``what`` (e.g. ``"OSM file"``) and the cause.
    """
    if path.is_dir():
        msg = f"{what} `{path}` is a folder, not a file."
        raise error(msg)
    if not path.exists():
        msg = f"{what} `{path}` does not exist."
        raise error(msg)
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        msg = f"{what} `{path}` cannot be read ({exc.strerror or exc})."
        raise error(msg) from None
