"""Reading TOML tables into typed, frozen dataclasses with field-naming errors.

Each scenario dataclass declares its fields with :func:`spec` (a documentation line
and an example). :func:`build` converts a parsed TOML table into the dataclass by its
type hints: unknown keys, missing required keys and wrong types raise
:class:`ScenarioError` naming the dotted field path (``vehicles[2].depot``) and, where
the TOML text is available, its line. :func:`schema_markdown` renders the same
declarations as the reference documentation, so code and docs cannot drift.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from snowroute._errors import ScenarioError

__all__ = ["Locator", "build", "schema_markdown", "spec"]

_MISSING = dataclasses.MISSING


def spec(
    doc: str, example: Any = None, *, default: Any = _MISSING, factory: Any = None
) -> Any:
    """Declare a documented dataclass field.

    Parameters
    ----------
    doc
        One sentence saying what the field means (units in the name or here).
    example
        A value as it would be written in TOML (shown in the reference docs).
    default
        The default value; omit for a required field.
    factory
        A default factory (for mutable defaults).
    """
    metadata = {"doc": doc, "example": example}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    if default is _MISSING:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


class Locator:
    """Finds the line of a dotted field path in TOML text (best effort)."""

    def __init__(self, text: str | None, source: str) -> None:
        self.lines = text.splitlines() if text else []
        self.source = source

    def line_of(self, path: str) -> int | None:
        """Return the 1-based line defining ``path`` (``vehicles[2].depot``) or None."""
        if not self.lines:
            return None
        parts = [p for p in re.split(r"\.(?![^\[]*\])", path) if p]
        key = re.sub(r"\[\d+\]$", "", parts[-1]) if parts else ""
        tables = [re.sub(r"\[(\d+)\]$", "", p) for p in parts[:-1]]
        indexes = [
            int(m.group(1)) if (m := re.search(r"\[(\d+)\]$", p)) else None
            for p in parts[:-1]
        ]
        start = 0
        header = ".".join(tables)
        if tables:
            pattern = re.compile(
                r"^\s*\[\[?\s*" + re.escape(header) + r"\s*\]\]?\s*(#.*)?$"
            )
            wanted = indexes[-1] if indexes and indexes[-1] is not None else 0
            seen = -1
            for i, line in enumerate(self.lines):
                if pattern.match(line):
                    seen += 1
                    if seen == wanted:
                        start = i
                        break
            else:
                return None
        key_pattern = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        for i in range(start, len(self.lines)):
            line = self.lines[i]
            if i > start and re.match(r"^\s*\[", line) and tables:
                break
            if key_pattern.match(line):
                return i + 1
        return start + 1 if tables else None

    def error(self, problem: str, *, field: str) -> ScenarioError:
        """Build the error for ``problem`` at the dotted ``field`` path."""
        path = field
        line = self.line_of(path)
        where = f"{self.source}, line {line}" if line else self.source
        return ScenarioError(f"{where}: `{path}` {problem}.")


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if tp is type(None):
        return "nothing"
    if origin is Literal:
        return " or ".join(repr(a) for a in get_args(tp))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in get_args(tp) if a is not type(None))
    if origin is tuple:
        return f"a list of {_type_name(get_args(tp)[0])}"
    if origin is dict:
        return f"a table of {_type_name(get_args(tp)[1])}"
    if dataclasses.is_dataclass(tp):
        return "a table"
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
    }
    names |= {Path: "a file path", dt.date: "a date (YYYY-MM-DD)"}
    return names.get(tp, getattr(tp, "__name__", str(tp)))


def _convert(value: Any, tp: Any, path: str, loc: Locator) -> Any:
    if tp is Any:
        return value
    origin = get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        return _convert_union(value, tp, path, loc)
    if origin is Literal:
        if value not in get_args(tp):
            raise _mismatch(value, tp, path, loc)
        return value
    if origin is tuple:
        (item,) = {a for a in get_args(tp) if a is not Ellipsis}
        items = _expect(value, list, tp, path, loc)
        return tuple(
            _convert(v, item, f"{path}[{i}]", loc) for i, v in enumerate(items)
        )
    if origin is dict:
        _, item = get_args(tp)
        table = _expect(value, dict, tp, path, loc)
        return {str(k): _convert(v, item, f"{path}.{k}", loc) for k, v in table.items()}
    if dataclasses.is_dataclass(tp):
        return build(tp, _expect(value, dict, tp, path, loc), path=path, loc=loc)
    if tp is dt.date:
        return _convert_date(value, path, loc)
    if tp in _SCALARS:
        accepts, make = _SCALARS[tp]
        if not accepts(value):
            raise _mismatch(value, tp, path, loc)
        return make(value)
    msg = f"Unsupported field type {tp!r} at {path}."
    raise TypeError(msg)


#: For each scalar field type: which TOML values it accepts and how to convert them.
_SCALARS: dict[Any, tuple[Callable[[Any], bool], Callable[[Any], Any]]] = {
    bool: (lambda v: isinstance(v, bool), lambda v: v),
    int: (lambda v: isinstance(v, int) and not isinstance(v, bool), lambda v: v),
    float: (
        lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        float,
    ),
    str: (lambda v: isinstance(v, str), lambda v: v),
    Path: (lambda v: isinstance(v, str) and bool(v), Path),
}


def _mismatch(value: Any, tp: Any, path: str, loc: Locator) -> ScenarioError:
    msg = f"must be {_type_name(tp)}, got {value!r}"
    return loc.error(msg, field=path)


def _expect(value: Any, kind: type, tp: Any, path: str, loc: Locator) -> Any:
    if not isinstance(value, kind):
        raise _mismatch(value, tp, path, loc)
    return value


def _convert_union(value: Any, tp: Any, path: str, loc: Locator) -> Any:
    args = get_args(tp)
    if value is None and type(None) in args:
        return None
    errors = []
    for arg in args:
        if arg is type(None):
            continue
        try:
            return _convert(value, arg, path, loc)
        except ScenarioError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    raise _mismatch(value, tp, path, loc)


def _convert_date(value: Any, path: str, loc: Locator) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _mismatch(value, dt.date, path, loc)


def build(cls: Any, table: Mapping[str, Any], *, path: str = "", loc: Locator) -> Any:
    """Convert a TOML table into the frozen dataclass ``cls``.

    Raises
    ------
    ScenarioError
        Naming the field (and line) of the first unknown key, missing required key,
        wrong type, or value the dataclass itself rejects.
    """
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if "doc" in f.metadata}
    prefix = f"{path}." if path else ""
    for key in table:
        if key not in fields:
            known = ", ".join(sorted(fields))
            problem = f"is not a known field (known: {known})"
            raise loc.error(problem, field=prefix + key)
    kwargs = {}
    for name, fld in fields.items():
        if name in table:
            kwargs[name] = _convert(table[name], hints[name], f"{prefix}{name}", loc)
        elif fld.default is _MISSING and fld.default_factory is _MISSING:
            problem = "is required"
            raise loc.error(problem, field=prefix + name)
    try:
        return cls(**kwargs)
    except ScenarioError:
        raise
    except ValueError as exc:  # a __post_init__ check; FieldValueError names the field
        field_name = getattr(exc, "field", None)
        target = f"{prefix}{field_name}" if field_name else (path or cls.__name__)
        raise loc.error(str(exc).rstrip("."), field=target) from exc


def schema_markdown(cls: Any, *, title: str | None = None, path: str = "") -> str:
    """Render the fields of ``cls`` (and nested dataclasses) as a Markdown reference."""
    hints = typing.get_type_hints(cls)
    header = title or (f"`[{path}]`" if path else cls.__name__)
    doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    out = [
        f"### {header}",
        "",
        doc,
        "",
        "| field | type | default | meaning | example |",
    ]
    out.append("|---|---|---|---|---|")
    nested = []
    for fld in dataclasses.fields(cls):
        if not fld.init or "doc" not in fld.metadata:
            continue
        tp = hints[fld.name]
        if fld.default is not _MISSING:
            default = "—" if fld.default is None else f"`{_toml(fld.default)}`"
        elif fld.default_factory is not _MISSING:
            made = fld.default_factory()
            default = (
                f"`{_toml(made)}`" if not dataclasses.is_dataclass(made) else "(table)"
            )
        else:
            default = "**required**"
        example = fld.metadata.get("example")
        shown = "" if example is None else f"`{_toml(example)}`"
        out.append(
            f"| `{fld.name}` | {_type_name(tp)} | {default} | {fld.metadata['doc']} | "
            f"{shown} |"
        )
        for inner in _dataclasses_in(tp):
            nested.append((inner, f"{path + '.' if path else ''}{fld.name}"))
    text = "\n".join(out) + "\n"
    for inner, inner_path in nested:
        text += "\n" + schema_markdown(inner, path=inner_path)
    return text


def _dataclasses_in(tp: Any) -> list[Any]:
    if dataclasses.is_dataclass(tp):
        return [tp]
    found = []
    for arg in get_args(tp):
        found += _dataclasses_in(arg)
    return found


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | Path):
        return f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return str(value)
