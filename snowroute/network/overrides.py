"""Override tables: a planner's CSV that wins over the administrator rules.

Each row selects roads by exactly one of ``way_id`` (OSM way id), ``ref`` (a route
ref such as ``28`` or ``CTH M``) or ``name`` (a street or route name), and sets any of
``admin_id``, ``admin_class``, ``route_kind``, ``route_ref``, ``route_name`` and
``winter_closed``. A ``note`` column is allowed and ignored. Example::

    way_id,ref,name,admin_id,admin_class,route_kind,route_ref,route_name,winter_closed,note
    123456789,,,05201,,,,,,"isolated 市道 mapped as secondary"
    ,341,,,,,,,true,"国道341号 closed Dec-Apr"
    ,,新屋線,05,,prefectural,,,,"handed to the prefecture"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from snowroute._errors import TaggingError
from snowroute._io import read_csv
from snowroute.network.attributes import parse_bool
from snowroute.network.tags import nfkc

__all__ = ["SELECTORS", "TARGETS", "Override", "load_overrides"]

#: Columns that select roads; exactly one per row.
SELECTORS = ("way_id", "ref", "name")
#: Columns that set attributes; at least one per row.
TARGETS = (
    "admin_id",
    "admin_class",
    "route_kind",
    "route_ref",
    "route_name",
    "winter_closed",
)
_ALLOWED = {*SELECTORS, *TARGETS, "note"}


@dataclass(frozen=True, slots=True)
class Override:
    """One row of an override table.

    Parameters
    ----------
    line
        Line number in the CSV file (for messages).
    selector
        ``"way_id"``, ``"ref"`` or ``"name"``.
    value
        The way id, ref or name selected (NFKC-normalised).
    values
        Attribute → new value, for the target columns the row fills.
    """

    line: int
    selector: str
    value: str
    values: dict[str, str | bool]

    def describe(self) -> str:
        """Return e.g. ``row 3 (way_id 123)`` for messages."""
        return f"row {self.line} ({self.selector} {self.value})"


def load_overrides(path: str | Path) -> tuple[Override, ...]:
    """Read an override CSV (UTF-8, header row; see the module docstring).

    Raises
    ------
    TaggingError
        When the file is missing, has an unknown column, or a row selects by none or
        several columns, sets nothing, has a non-numeric way id or a bad boolean.
    """
    path = Path(path)
    rows = read_csv(path, what="Override table", allowed=_ALLOWED, error=TaggingError)
    return tuple(_parse_row(path, row.line, row.cells) for row in rows)


def _parse_row(path: Path, line: int, row: Mapping[str, str]) -> Override:
    cells = {k: nfkc(v) for k, v in row.items()}
    chosen = [s for s in SELECTORS if cells.get(s)]
    if len(chosen) != 1:
        msg = (
            f"Override table `{path}` line {line} must select roads by exactly one "
            f"of way_id, ref or name (it gives {len(chosen)})."
        )
        raise TaggingError(msg)
    selector = chosen[0]
    if selector == "way_id" and not cells["way_id"].isdigit():
        msg = (
            f"Override table `{path}` line {line}: way_id `{cells['way_id']}` "
            "is not a number."
        )
        raise TaggingError(msg)
    targets: dict[str, str | bool] = {}
    for column in TARGETS:
        if not cells.get(column):
            continue
        if column == "winter_closed":
            try:
                targets[column] = parse_bool(cells[column])
            except ValueError as exc:
                msg = f"Override table `{path}` line {line}: {exc}"
                raise TaggingError(msg) from exc
        else:
            targets[column] = cells[column]
    if not targets:
        msg = f"Override table `{path}` line {line} sets no attribute."
        raise TaggingError(msg)
    return Override(line, selector, cells[selector], targets)


def check_admin_ids(overrides: Sequence[Override], known: set[str]) -> None:
    """Raise if an override hands a road to an administrator nobody declared.

    Raises
    ------
    TaggingError
        Naming the first row with an unknown ``admin_id``.
    """
    for row in overrides:
        admin = row.values.get("admin_id")
        if isinstance(admin, str) and admin not in known:
            msg = (
                f"Override {row.describe()} names unknown administrator `{admin}`; "
                f"known administrators: {', '.join(sorted(known))}."
            )
            raise TaggingError(msg)
