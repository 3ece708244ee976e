"""Loading scenario TOML files into :class:`Scenario` values."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from snowroute._errors import ScenarioError
from snowroute.scenario.model import Scenario
from snowroute.scenario.schema import Locator, build
from snowroute.scenario.side import read_side_files

__all__ = ["parse_value", "scenario_from_toml", "set_field"]

#: Dotted field paths of files a scenario refers to; each must exist.
_FILE_FIELDS = (
    "network.source",
    "network.boundaries",
    "network.overrides",
    "exchange.given_file",
    "patrol.structures",
    "patrol.last_visits",
)


def _get(obj: object, dotted: str) -> object:
    for part in dotted.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def parse_value(text: str) -> Any:
    """Read one value as TOML writes it; text that is no TOML value stays a string.

    >>> parse_value("3"), parse_value("0.25"), parse_value("true")
    (3, 0.25, True)
    >>> parse_value("03:00"), parse_value('"a,b"')
    ('03:00', 'a,b')
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def set_field(doc: dict[str, Any], dotted: str, value: Any) -> None:
    """Set the field ``dotted`` of a parsed scenario document to ``value``.

    A part that names an array of tables (``vehicles``) is followed by the ``id``
    of one of its entries: ``vehicles.akita-dozer.count``. Tables the file leaves
    out are created (``solver.max_iterations`` in a file without ``[solver]``);
    whether the field exists is checked when the document is built.

    Raises
    ------
    ScenarioError
        When ``dotted`` is empty, passes through a value that is not a table, or
        names an entry id that the array of tables does not have.
    """
    parts = dotted.split(".")
    if not all(parts):
        msg = f"`{dotted}` is not a dotted field name (like `solver.seed`)."
        raise ScenarioError(msg)
    node: Any = doc
    k = 0
    while k < len(parts) - 1:
        part = parts[k]
        child = node.setdefault(part, {}) if isinstance(node, dict) else None
        if isinstance(child, list):
            ids = [t.get("id") for t in child if isinstance(t, dict)]
            if k + 1 >= len(parts) - 1 or parts[k + 1] not in ids:
                wanted = parts[k + 1] if k + 1 < len(parts) - 1 else "ID"
                msg = (
                    f"`{dotted}`: `{part}` has no entry with id `{wanted}` "
                    f"(ids: {', '.join(map(str, ids))})."
                )
                raise ScenarioError(msg)
            child = child[ids.index(parts[k + 1])]
            k += 1
        if not isinstance(child, dict):
            msg = f"`{dotted}`: `{'.'.join(parts[: k + 1])}` is not a table."
            raise ScenarioError(msg)
        node = child
        k += 1
    node[parts[-1]] = value


def scenario_from_toml(
    path: str | Path, *, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Read and check a scenario file.

    Relative paths inside the file are resolved against the file's folder, every
    file the scenario names must exist, and its side files (exchange list, last
    visits, structures) are read and checked now (:mod:`snowroute.scenario.side`).

    ``overrides`` maps dotted field names to values that replace the file's
    (see :func:`set_field`); the result is checked like the file itself, and an
    error names the overrides.

    Raises
    ------
    ScenarioError
        When the file is missing or not TOML, or a field is unknown, missing, of the
        wrong type or inconsistent; the message names the field and, where it can be
        found, its line.
    InputFileError
        When a side file has a bad row (the message names file and line).

    Examples
    --------
    >>> from pathlib import Path
    >>> import snowroute
    >>> demo = Path(snowroute.__file__).parents[1] / "scenarios" / "demo.toml"
    >>> scenario = snowroute.scenario_from_toml(demo)
    >>> scenario.plow_admins
    ('05', '05201', '05211', '05361')
    >>> [v.id for v in scenario.vehicles][:2]
    ['pref-truck', 'akita-dozer']
    """
    path = Path(path)
    if not path.is_file():
        msg = f"Scenario file `{path}` does not exist."
        raise ScenarioError(msg)
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc)
        line = re.search(r"line (\d+)", reason)
        where = f"{path}, line {line.group(1)}" if line else str(path)
        msg = f"{where}: not valid TOML ({reason.split(' (at')[0]})."
        raise ScenarioError(msg) from exc
    source = str(path)
    if overrides:
        for dotted, value in overrides.items():
            set_field(doc, dotted, value)
        shown = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
        source = f"{path} with {shown}"
    loc = Locator(text, source)
    scenario: Scenario = build(Scenario, doc, loc=loc)
    scenario = dataclasses.replace(scenario, base_dir=path.resolve().parent)
    for dotted in _FILE_FIELDS:
        value = _get(scenario, dotted)
        if isinstance(value, Path) and not scenario.resolve(value).exists():
            msg = f"names a file that does not exist ({scenario.resolve(value)})"
            raise loc.error(msg, field=dotted)
    return dataclasses.replace(scenario, side=read_side_files(scenario))
