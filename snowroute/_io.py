"""Atomic file and folder output, so a failed run leaves nothing half-written."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from snowroute._errors import InputFileError

__all__ = ["atomic_directory", "atomic_file", "check_output_path", "write_json"]


def check_output_path(path: Path, *, force: bool) -> None:
    """Refuse to replace an existing ``path`` unless ``force`` is set.

    Raises
    ------
    InputFileError
        When ``path`` exists and ``force`` is false, or its parent folder is missing.
    """
    if path.exists() and not force:
        msg = f"Output `{path}` already exists; pass --force to replace it."
        raise InputFileError(msg)
    if not path.parent.exists():
        msg = f"Output folder `{path.parent}` does not exist."
        raise InputFileError(msg)


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
    check_output_path(target, force=force)
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
    check_output_path(target, force=force)
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
