"""Loading scenario TOML files into :class:`Scenario` values."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

from snowroute._errors import ScenarioError
from snowroute.scenario.model import Scenario
from snowroute.scenario.schema import Locator, build
from snowroute.scenario.side import read_side_files

__all__ = ["scenario_from_toml"]

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


def scenario_from_toml(path: str | Path) -> Scenario:
    """Read and check a scenario file.

    Relative paths inside the file are resolved against the file's folder, every
    file the scenario names must exist, and its side files (exchange list, last
    visits, structures) are read and checked now (:mod:`snowroute.scenario.side`).

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
    loc = Locator(text, str(path))
    scenario: Scenario = build(Scenario, doc, loc=loc)
    scenario = dataclasses.replace(scenario, base_dir=path.resolve().parent)
    for dotted in _FILE_FIELDS:
        value = _get(scenario, dotted)
        if isinstance(value, Path) and not scenario.resolve(value).exists():
            msg = f"names a file that does not exist ({scenario.resolve(value)})"
            raise loc.error(msg, field=dotted)
    return dataclasses.replace(scenario, side=read_side_files(scenario))
