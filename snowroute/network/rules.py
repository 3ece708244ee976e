"""Administrator rule sets as data: loading, validating and applying them to OSM tags.

A rule set (TOML, see ``snowroute/network/rules/japan.toml`` for the documented
format) lists rules in order; the first rule whose conditions hold decides who
administers a road and which route it belongs to. Built-in sets: ``japan`` (the
default, DOMAIN.md §3) and ``wisconsin``.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from snowroute._errors import TaggingError
from snowroute.network.tags import first, values

__all__ = [
    "BUILTIN_RULE_SETS",
    "Assignment",
    "Rule",
    "RuleSet",
    "collect_params",
    "load_rules",
]

logger = logging.getLogger(__name__)

BUILTIN_RULE_SETS = ("japan", "wisconsin")

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SET_KEYS = ("admin_class", "admin_id", "route_kind", "route_ref", "route_name")
_CONDITION_KEYS = {
    "highway",
    "ref",
    "network",
    "name",
    "num_in",
    "num_not_in",
    "num_min",
    "num_max",
}
_BUILTIN_VARS = {"ref", "name", "network"}
_DEFAULT_TABLES = ("speed_kph", "service_grade", "priority")
#: Special ``admin_id`` value: the municipality found by spatial join.
BOUNDARY = "@boundary"


def _render(template: str, variables: Mapping[str, Any]) -> str:
    """Replace ``{key}`` by ``variables[key]``; unknown placeholders stay as written.

    Leaving unknown placeholders untouched keeps regex quantifiers like ``{1,3}``.
    """

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in variables:
            return match.group(0)
        value = variables[key]
        return ",".join(value) if isinstance(value, tuple | list) else str(value)

    return _PLACEHOLDER.sub(sub, template)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who administers a road and which route it belongs to, as a rule decided."""

    admin_class: str
    admin_id: str
    route_kind: str
    route_ref: str
    route_name: str
    rule: str
    num: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a rule set: conditions on OSM tags and the assignment they give.

    Parameters
    ----------
    id
        Name of the rule, recorded on each edge it decides (``admin_rule``).
    assign
        Templates for ``admin_class``, ``admin_id``, ``route_kind``, ``route_ref``,
        ``route_name``.
    highway
        The rule applies only to these ``highway`` values (None: any).
    ref
        Regex that one ``ref`` token (or relation ref) must match in full.
    network
        Regex that a road route relation's ``network`` must match in full; the rule
        is then tried on the way's relations instead of its ``ref`` tokens.
    name
        Regex searched in the way's name(s).
    num_in, num_not_in
        Names of parameter lists that the captured ``num`` must (not) belong to.
    num_min, num_max
        Bounds on the captured ``num``.
    """

    id: str
    assign: Mapping[str, str]
    highway: frozenset[str] | None = None
    ref: re.Pattern[str] | None = None
    network: re.Pattern[str] | None = None
    name: re.Pattern[str] | None = None
    num_in: tuple[str, ...] = ()
    num_not_in: tuple[str, ...] = ()
    num_min: float | None = None
    num_max: float | None = None

    @property
    def uses_candidates(self) -> bool:
        """Whether the rule is tried per ref token or relation."""
        return self.ref is not None or self.network is not None

    def _num_ok(self, num: str | None, params: Mapping[str, Any]) -> bool:
        checks_num = (
            self.num_in
            or self.num_not_in
            or self.num_min is not None
            or self.num_max is not None
        )
        if not checks_num:
            return True
        if num is None or not num.isdigit():
            return False
        value = int(num)
        if any(str(value) not in params.get(lst, ()) for lst in self.num_in):
            return False
        if any(str(value) in params.get(lst, ()) for lst in self.num_not_in):
            return False
        if self.num_min is not None and value < self.num_min:
            return False
        return self.num_max is None or value <= self.num_max

    def match(
        self,
        highways: list[str],
        names: list[str],
        candidates: list[tuple[str, str]],
        params: Mapping[str, Any],
    ) -> dict[str, str] | None:
        """Return the template variables if the rule matches, else None."""
        if self.highway is not None and not any(h in self.highway for h in highways):
            return None
        captured: dict[str, str] = {}
        if self.name is not None:
            for name in names:
                found = self.name.search(name)
                if found is not None:
                    captured.update(
                        {k: v for k, v in found.groupdict().items() if v is not None}
                    )
                    break
            else:
                return None
        base = {"name": names[0] if names else "", **captured}
        if not self.uses_candidates:
            if self._num_ok(captured.get("num"), params):
                return {"ref": "", "network": "", **base}
            return None
        for ref, network in candidates:
            if (self.network is None) != (network == ""):
                continue
            if self.network is not None and not self.network.fullmatch(network):
                continue
            groups: dict[str, str] = {}
            if self.ref is not None:
                found = self.ref.fullmatch(ref)
                if found is None:
                    continue
                groups = {k: v for k, v in found.groupdict().items() if v is not None}
            variables = {**base, **groups, "ref": ref, "network": network}
            if self._num_ok(variables.get("num"), params):
                return variables
        return None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """An ordered list of administrator rules with its parameters and defaults.

    Build one with :func:`load_rules`; derive variants with :meth:`with_params`.

    Parameters
    ----------
    name
        Name of the rule set (``japan``, ``wisconsin`` or the file stem).
    rules
        The rules, first match wins.
    params
        Values available to templates and to ``num_in`` lists.
    administrators
        Known administrators: id → (class, display name).
    defaults
        Per-highway-class defaults: ``speed_kph``, ``service_grade``, ``priority``.
    collect
        Parameter list → rule ids whose captured numbers are added to it after a
        first pass over the network.
    description
        One line saying what the rule set is for.
    raw
        The parsed TOML document (to re-render after parameter changes).
    """

    name: str
    rules: tuple[Rule, ...]
    params: Mapping[str, Any]
    administrators: Mapping[str, tuple[str, str]]
    defaults: Mapping[str, Mapping[str, Any]]
    collect: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def with_params(self, **params: Any) -> RuleSet:
        """Return a copy with some parameters replaced (lists as lists or ``a,b``).

        Raises
        ------
        TaggingError
            When a parameter is not declared by the rule set.
        """
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            msg = (
                f"Rule set `{self.name}` has no parameter `{unknown[0]}`; "
                f"its parameters are: {', '.join(sorted(self.params))}."
            )
            raise TaggingError(msg)
        doc = dict(self.raw)
        merged = dict(doc.get("params", {}))
        for key, value in params.items():
            if isinstance(merged.get(key), list) and isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            merged[key] = value
        doc["params"] = merged
        return _parse_rule_set(doc, self.name)

    def classify(
        self, tags: Mapping[str, Any], params: Mapping[str, Any] | None = None
    ) -> Assignment:
        """Decide the administrator and route of one way from its tags.

        Parameters
        ----------
        tags
            OSM tags (or edge attributes): ``highway``, ``ref``, ``name`` and
            ``rel_routes`` (``network=ref`` pairs of route relations).
        params
            Parameters to use instead of :attr:`params` (e.g. after collection).

        Returns
        -------
        Assignment
            The first matching rule's assignment, with ``admin_id`` still
            ``"@boundary"`` where a spatial join must decide.
        """
        params = self.params if params is None else params
        highways = values(tags.get("highway"))
        names = values(tags.get("name"))
        candidates = [(ref, "") for ref in values(tags.get("ref"))]
        for pair in values(tags.get("rel_routes")):
            network, _, ref = pair.partition("=")
            candidates.append((ref.strip(), network.strip()))
        for rule in self.rules:
            variables = rule.match(highways, names, candidates, params)
            if variables is None:
                continue
            env = {**params, **variables}
            out = {key: _render(rule.assign[key], env).strip() for key in _SET_KEYS}
            return Assignment(**out, rule=rule.id, num=variables.get("num", ""))
        return Assignment(
            "unknown", "unknown", "unknown", "", first(tags.get("name")), ""
        )

    def classify_all(self, rows: Sequence[Mapping[str, Any]]) -> list[Assignment]:
        """Classify many ways, collecting evidence across them first.

        Where the rule set has ``[collect]`` entries (e.g. national route numbers
        seen on trunk roads), a first pass gathers them over all ``rows`` and a
        second pass classifies with the enlarged parameter lists.
        """
        found = [self.classify(row) for row in rows]
        if not self.collect:
            return found
        params = collect_params(self, found)
        changed = {k: v for k, v in params.items() if v != self.params.get(k)}
        if not changed:
            return found
        logger.info(
            "Collected from the network: %s",
            "; ".join(f"{k} = {', '.join(v)}" for k, v in changed.items()),
        )
        return [self.classify(row, params) for row in rows]


def _compile(rule_id: str, key: str, pattern: Any, params: Mapping[str, Any]) -> Any:
    if not isinstance(pattern, str):
        msg = f"Rule `{rule_id}`: `{key}` must be a regex string, got {pattern!r}."
        raise TaggingError(msg)
    try:
        return re.compile(_render(pattern, params))
    except re.error as exc:
        msg = f"Rule `{rule_id}`: `{key}` is not a valid regex ({exc})."
        raise TaggingError(msg) from exc


def _str_tuple(rule_id: str, key: str, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        msg = f"Rule `{rule_id}`: `{key}` must be a string or a list of strings."
        raise TaggingError(msg)
    return tuple(items)


def _parse_rule(
    entry: Mapping[str, Any], index: int, params: Mapping[str, Any]
) -> Rule:
    rule_id = str(entry.get("id", f"#{index + 1}"))
    unknown = sorted(set(entry) - _CONDITION_KEYS - {"id", "set"})
    if unknown:
        msg = f"Rule `{rule_id}` has unknown key `{unknown[0]}`."
        raise TaggingError(msg)
    assign = entry.get("set")
    if not isinstance(assign, dict) or sorted(assign) != sorted(_SET_KEYS):
        msg = f"Rule `{rule_id}`: `set` must give exactly {', '.join(_SET_KEYS)}."
        raise TaggingError(msg)
    compiled = {
        key: _compile(rule_id, key, entry[key], params)
        for key in ("ref", "network", "name")
        if key in entry
    }
    groups: set[str] = set()
    for pattern in compiled.values():
        groups |= set(pattern.groupindex)
    known = set(params) | groups | _BUILTIN_VARS
    for key, template in assign.items():
        for placeholder in _PLACEHOLDER.findall(str(template)):
            if placeholder not in known:
                msg = (
                    f"Rule `{rule_id}`: `set.{key}` uses `{{{placeholder}}}`, "
                    "which is neither a parameter nor a regex group."
                )
                raise TaggingError(msg)
    num_lists = {
        key: _str_tuple(rule_id, key, entry[key])
        for key in ("num_in", "num_not_in")
        if key in entry
    }
    for key, lists in num_lists.items():
        for name in lists:
            if name not in params:
                msg = f"Rule `{rule_id}`: `{key}` names unknown parameter `{name}`."
                raise TaggingError(msg)
    highway = entry.get("highway")
    return Rule(
        id=rule_id,
        assign={k: str(v) for k, v in assign.items()},
        highway=None
        if highway is None
        else frozenset(_str_tuple(rule_id, "highway", highway)),
        ref=compiled.get("ref"),
        network=compiled.get("network"),
        name=compiled.get("name"),
        num_in=num_lists.get("num_in", ()),
        num_not_in=num_lists.get("num_not_in", ()),
        num_min=entry.get("num_min"),
        num_max=entry.get("num_max"),
    )


def _parse_params(raw: Mapping[str, Any], name: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, list):
            params[key] = tuple(str(v) for v in value)
        elif isinstance(value, str | int | float):
            params[key] = str(value)
        else:
            msg = f"Rule set `{name}`: parameter `{key}` must be a string or a list."
            raise TaggingError(msg)
    return params


def _parse_rule_set(doc: Mapping[str, Any], name: str) -> RuleSet:
    unknown = sorted(
        set(doc)
        - {"name", "description", "params", "administrators", "defaults"}
        - {"collect", "rules"}
    )
    if unknown:
        msg = f"Rule set `{name}` has unknown table `{unknown[0]}`."
        raise TaggingError(msg)
    name = str(doc.get("name", name))
    params = _parse_params(doc.get("params", {}), name)
    entries = doc.get("rules")
    if not isinstance(entries, list) or not entries:
        msg = f"Rule set `{name}` has no `[[rules]]`."
        raise TaggingError(msg)
    rules = tuple(_parse_rule(entry, i, params) for i, entry in enumerate(entries))
    ids = [rule.id for rule in rules]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        msg = f"Rule set `{name}` has two rules named `{duplicated[0]}`."
        raise TaggingError(msg)
    administrators = {}
    for admin_id, info in doc.get("administrators", {}).items():
        if not isinstance(info, dict) or "class" not in info:
            msg = f"Rule set `{name}`: administrator `{admin_id}` needs a `class`."
            raise TaggingError(msg)
        administrators[_render(admin_id, params)] = (
            _render(str(info["class"]), params),
            _render(str(info.get("name", admin_id)), params),
        )
    administrators.pop("", None)
    defaults = doc.get("defaults", {})
    for table in _DEFAULT_TABLES:
        if not isinstance(defaults.get(table), dict):
            msg = f"Rule set `{name}` needs a `defaults.{table}` table by highway."
            raise TaggingError(msg)
    collect = {}
    for target, rule_ids in doc.get("collect", {}).items():
        if target not in params:
            msg = f"Rule set `{name}`: `collect.{target}` is not a parameter."
            raise TaggingError(msg)
        listed = _str_tuple(f"collect.{target}", target, rule_ids)
        missing = sorted(set(listed) - set(ids))
        if missing:
            msg = f"Rule set `{name}`: `collect.{target}` names no rule `{missing[0]}`."
            raise TaggingError(msg)
        collect[target] = listed
    return RuleSet(
        name=name,
        rules=rules,
        params=params,
        administrators=administrators,
        defaults={t: dict(defaults[t]) for t in _DEFAULT_TABLES},
        collect=collect,
        description=str(doc.get("description", "")),
        raw=dict(doc),
    )


def load_rules(source: str | Path = "japan", **params: Any) -> RuleSet:
    """Load a built-in rule set by name or a rule set TOML file by path.

    Parameters
    ----------
    source
        ``"japan"``, ``"wisconsin"`` or the path of a TOML file in the same format.
    **params
        Parameter values replacing the file's (e.g. ``prefecture_code="02"``).

    Raises
    ------
    TaggingError
        When the name is not built in, the file is missing or malformed, or a rule is
        inconsistent (the message names the rule and the field).
    """
    if str(source) in BUILTIN_RULE_SETS:
        text = (
            resources.files("snowroute.network")
            .joinpath("rules", f"{source}.toml")
            .read_text(encoding="utf-8")
        )
        label = str(source)
    else:
        path = Path(source)
        if not path.is_file():
            msg = (
                f"Rule set `{source}` is neither built in "
                f"({', '.join(BUILTIN_RULE_SETS)}) nor an existing file."
            )
            raise TaggingError(msg)
        text = path.read_text(encoding="utf-8")
        label = path.stem
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"Rule set `{source}` is not valid TOML ({exc})."
        raise TaggingError(msg) from exc
    rules = _parse_rule_set(doc, label)
    return rules.with_params(**params) if params else rules


def collect_params(rules: RuleSet, assignments: Iterable[Assignment]) -> dict[str, Any]:
    """Add the numbers matched by the ``collect`` rules to their parameter lists."""
    params = dict(rules.params)
    for target, rule_ids in rules.collect.items():
        wanted = set(rule_ids)
        found = {a.num for a in assignments if a.rule in wanted and a.num}
        params[target] = tuple(sorted(set(params.get(target, ())) | found, key=_numkey))
    return params


def _numkey(text: str) -> tuple[int, str]:
    return (int(text), text) if text.isdigit() else (10**9, text)
