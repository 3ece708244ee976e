"""What a sweep varies: ``--vary KEY=V1,V2`` parsed, and every combination checked.

A :class:`Variation` is one scenario field and the values it takes; the variants of
a sweep are every combination of the variations' values (the first variation
changes slowest). Each variant is a whole :class:`Scenario`, read from the file
with the variant's values in place, so a bad key or value is found here, before
anything runs.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snowroute._errors import ScenarioError
from snowroute.scenario.load import parse_value, scenario_from_toml
from snowroute.scenario.model import Scenario

__all__ = [
    "FIXED",
    "Variant",
    "Variation",
    "parse_set",
    "parse_vary",
    "short_key",
    "sweep_variants",
]

#: Fields a sweep sets itself: each variant is one task on one core.
FIXED: dict[str, Any] = {"solver.workers": 1}

#: At most this many variants in one sweep (a typo in a range is caught early).
MAX_VARIANTS = 1000


@dataclass(frozen=True, slots=True)
class Variation:
    """One scenario field and the values a sweep gives it.

    Parameters
    ----------
    key
        Dotted scenario field (``solver.seed``, ``vehicles.akita-dozer.count``).
    values
        Its values, in order; at least one, no repeats.
    """

    key: str
    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)+", self.key):
            msg = (
                f"--vary key `{self.key}` is not a dotted scenario field "
                "(like `solver.seed` or `vehicles.akita-dozer.count`)."
            )
            raise ScenarioError(msg)
        if self.key in FIXED:
            msg = (
                f"--vary `{self.key}` cannot be varied: a sweep runs each variant "
                f"as one task with {self.key} = {FIXED[self.key]}."
            )
            raise ScenarioError(msg)
        if not self.values:
            msg = f"--vary `{self.key}` has no values."
            raise ScenarioError(msg)
        if len({repr(v) for v in self.values}) < len(self.values):
            msg = f"--vary `{self.key}` repeats a value."
            raise ScenarioError(msg)


def _split(text: str) -> list[str]:
    """Split on commas outside quotes and brackets: ``1,"a,b",[x,y]``.

    >>> _split('1,"a,b",[2, 3]')
    ['1', '"a,b"', '[2, 3]']
    """
    parts, start, depth, quote = [], 0, 0, ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def short_key(key: str) -> str:
    """Return the key without its table (``akita-dozer.count``, ``seed``).

    >>> short_key("solver.seed")
    'seed'
    """
    return key.split(".", 1)[1]


def parse_set(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE`` (one value, as in ``--vary``).

    >>> parse_set("solver.max_iterations=500")
    ('solver.max_iterations', 500)

    Raises
    ------
    ScenarioError
        When it is not one ``KEY=VALUE``.
    """
    variation = parse_vary(text)
    if len(variation.values) != 1:
        msg = f"--set `{text}` must be KEY=VALUE with one value."
        raise ScenarioError(msg)
    return variation.key, variation.values[0]


def parse_vary(text: str) -> Variation:
    """Parse ``KEY=V1,V2,...``; values are TOML values or bare text.

    >>> parse_vary("exchange.balance_tolerance=0.2,0.3")
    Variation(key='exchange.balance_tolerance', values=(0.2, 0.3))
    >>> parse_vary("service.start=03:00,04:00").values
    ('03:00', '04:00')

    Raises
    ------
    ScenarioError
        When there is no ``=``, a value is empty, or the key is malformed.
    """
    key, sep, rest = text.partition("=")
    if not sep or not rest.strip():
        msg = f"--vary `{text}` must be KEY=V1,V2,... (like `solver.seed=1,2,3`)."
        raise ScenarioError(msg)
    raw = [v.strip() for v in _split(rest)]
    if not all(raw):
        msg = f"--vary `{text}` has an empty value."
        raise ScenarioError(msg)
    return Variation(key.strip(), tuple(parse_value(v) for v in raw))


@dataclass(frozen=True, slots=True, eq=False)
class Variant:
    """One combination of a sweep's values and the scenario it gives.

    Parameters
    ----------
    number
        1, 2, ... in the order of the combinations.
    values
        ``(key, value)`` for every variation.
    scenario
        The scenario with these values (and :data:`FIXED`) in place.
    """

    number: int
    values: tuple[tuple[str, Any], ...]
    scenario: Scenario

    @property
    def name(self) -> str:
        """Folder name: ``03_solver.seed=2_service.start=04-00``."""
        parts = [f"{k}={v}" for k, v in self.values]
        text = "_".join([f"{self.number:02d}", *parts])
        return re.sub(r"[^\w.=\-]", "-", text)

    @property
    def label(self) -> str:
        """Short label for tables and charts: ``seed=2, akita-dozer.count=3``."""
        return ", ".join(f"{short_key(k)}={v}" for k, v in self.values)


def sweep_variants(
    path: str | Path,
    variations: Sequence[Variation],
    *,
    fixed: Mapping[str, Any] | None = None,
) -> tuple[Variant, ...]:
    """Read the scenario once per combination of the variations' values.

    ``fixed`` (dotted field → value, ``--set``) changes the scenario the same way
    for every variant, e.g. a smaller iteration budget for a quick sweep.

    Raises
    ------
    ScenarioError
        When a key appears twice, there are too many combinations, or a value is
        not valid for its field (the message names the key and value).
    """
    keys = [v.key for v in variations]
    fixed = dict(fixed or {})
    both = sorted(set(keys) & set(fixed))
    if both or set(fixed) & set(FIXED):
        name = (both or sorted(set(fixed) & set(FIXED)))[0]
        msg = f"`{name}` cannot be both set and varied, or set in a sweep."
        raise ScenarioError(msg)
    if not variations:
        msg = "A sweep needs at least one --vary KEY=V1,V2,..."
        raise ScenarioError(msg)
    if len(set(keys)) < len(keys):
        msg = f"--vary names a key twice ({', '.join(keys)})."
        raise ScenarioError(msg)
    count = 1
    for v in variations:
        count *= len(v.values)
    if count > MAX_VARIANTS:
        msg = f"The sweep has {count} variants, more than {MAX_VARIANTS}."
        raise ScenarioError(msg)
    out = []
    combos = itertools.product(*(v.values for v in variations))
    for number, combo in enumerate(combos, start=1):
        values = tuple(zip(keys, combo, strict=True))
        scenario = scenario_from_toml(path, overrides={**fixed, **dict(values)})
        solver = dataclasses.replace(scenario.solver, workers=FIXED["solver.workers"])
        scenario = dataclasses.replace(scenario, solver=solver)
        out.append(Variant(number=number, values=values, scenario=scenario))
    return tuple(out)
