"""Scenario files: TOML with `extends`, dotted `--set` overrides, validated with pydantic.

Every problem a user can cause is raised as `ScenarioError(file, field, reason)`, whose text is the one
line the CLI prints: `FILE: FIELD: REASON`.
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError

from .scenario_schema import Event, Scenario, StateConfig

__all__ = ["Scenario", "ScenarioError", "StateConfig", "load_scenario", "load_raw", "validate"]


class ScenarioError(Exception):
    """A problem with user input, located by file and field."""

    def __init__(self, file: str | Path, field: str, reason: str):
        # The CLI promises one line; a value or key read from a file may contain line breaks.
        self.file, self.field, self.reason = (_one_line(str(text)) for text in (file, field, reason))
        super().__init__(f"{self.file}: {self.field}: {self.reason}")


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def scenario_library() -> Path:
    return Path(str(resources.files("configs") / "scenarios"))


def data_library() -> Path:
    return Path(str(resources.files("configs") / "data"))


# ----------------------------------------------------------------------------------------------- loading


def find_in_library(name_or_path: str | Path, library: Path, relative_to: Path | None = None) -> Path | None:
    """A file as given (relative to `relative_to` first), else `library/NAME.toml`; None if neither exists."""
    text = str(name_or_path)
    candidates = []
    if relative_to is not None:
        candidates.append(relative_to / text)
    candidates.append(Path(text))
    stem = text[:-5] if text.endswith(".toml") else text
    candidates.append(library / f"{stem}.toml")
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def resolve_scenario(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """A path as given (relative to `relative_to` first), else a library name with or without `.toml`."""
    found = find_in_library(name_or_path, scenario_library(), relative_to)
    if found is None:
        raise ScenarioError(
            str(name_or_path), "scenario", "no such file and no library scenario of that name (try `ree scenarios`)"
        )
    return found.resolve()


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(path, "toml", f"syntax error: {err}") from None
    except UnicodeDecodeError:
        raise ScenarioError(path, "toml", "not UTF-8 text") from None
    except OSError as err:
        raise ScenarioError(path, "file", err.strerror or str(err)) from None


_APPENDED_LISTS = ("events", "firms")


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; `events` and `firms` lists append; any other value replaces."""
    out = copy.deepcopy(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        elif key in _APPENDED_LISTS and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + copy.deepcopy(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_raw(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's table with its `extends` chain resolved (parents first)."""
    if path in _chain:
        cycle = " -> ".join(p.name for p in _chain + (path,))
        raise ScenarioError(_chain[-1], "extends", f"cycle: {cycle}")
    raw = read_toml(path)
    parent_ref = raw.pop("extends", None)
    if parent_ref is None:
        return raw
    if not isinstance(parent_ref, str):
        raise ScenarioError(path, "extends", "must be a file name or library scenario name (a string)")
    try:
        parent_path = resolve_scenario(parent_ref, relative_to=path.parent)
    except ScenarioError:
        raise ScenarioError(path, "extends", f"'{parent_ref}' not found") from None
    return merge(load_raw(parent_path, _chain + (path,)), raw)


def parse_override(text: str) -> tuple[str, Any]:
    """`"world.scale=10"` -> ("world.scale", 10); the value is read as TOML, else kept as a string."""
    if "=" not in text:
        raise ScenarioError("--set", text, "expected dotted.path=value")
    path, value_text = text.split("=", 1)
    path = path.strip()
    if not path or any(not part for part in path.split(".")):
        raise ScenarioError("--set", text, "expected dotted.path=value")
    try:
        value = tomllib.loads(f"v = {value_text}")["v"]
    except tomllib.TOMLDecodeError:
        value = value_text
    return path, value


def apply_override(raw: dict[str, Any], path: str, value: Any, source: str = "--set") -> None:
    node: Any = raw
    parts = path.split(".")
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = _list_item(node, part, ".".join(parts[: depth + 1]), source)
            continue
        if part not in node or node[part] is None:
            node[part] = {}
        node = node[part]
        if not isinstance(node, (dict, list)):
            raise ScenarioError(source, path, f"'{'.'.join(parts[: depth + 1])}' is a value, not a table")
    last = parts[-1]
    if isinstance(node, list):
        index = int(_list_index(node, last, path, source))
        node[index] = value
    else:
        node[last] = value


def _list_index(items: list, part: str, path: str, source: str) -> int:
    """A list item by position, or (events) by the `id` an item carries."""
    if part.isdigit():
        if int(part) >= len(items):
            raise ScenarioError(source, path, f"'{part}' is not an index of a list of {len(items)}")
        return int(part)
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return index
    ids = [item["id"] for item in items if isinstance(item, dict) and item.get("id")]
    known = f"ids here: {', '.join(ids)}" if ids else "no item here has an id"
    raise ScenarioError(source, path, f"no item with id '{part}' ({known})")


def _list_item(items: list, part: str, path: str, source: str) -> Any:
    return items[_list_index(items, part, path, source)]


def _format_location(loc: tuple[Any, ...]) -> str:
    # pydantic puts the discriminator value into the location of a tagged union member (right after the
    # event's index: a field may share a kind's name, as `strategy` does), and `[key]` after a bad dict key
    # (`states.UK.[key]`); drop both.
    parts = [
        str(p)
        for i, p in enumerate(loc)
        if not (p == "[key]" or (p in _EVENT_KINDS and i > 0 and isinstance(loc[i - 1], int)))
    ]
    return ".".join(parts) or "scenario"


_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
_EVENT_KINDS = {get_args(member.model_fields["kind"].annotation)[0] for member in get_args(get_args(Event)[0])}


def _event_hint(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """Events are numbered after the parents' ones; say which event is meant."""
    if len(loc) < 2 or loc[0] != "events" or not isinstance(loc[1], int):
        return ""
    events = raw.get("events")
    if not isinstance(events, list) or loc[1] >= len(events) or not isinstance(events[loc[1]], dict):
        return ""
    event = events[loc[1]]
    return f" [the event dated {event.get('date', '?')}, kind {event.get('kind', '?')}]"


def validate(raw: dict[str, Any], source: str | Path) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        raise _one_line_error(err, source, raw) from None


def validate_event(raw: dict[str, Any], source: str) -> Event:
    """One event of the scenario format (a lever change, a classroom move), checked by the same schema."""
    try:
        return _EVENT_ADAPTER.validate_python(raw)
    except ValidationError as err:
        raise _one_line_error(err, source, {"events": [raw]}, prefix=("events", 0)) from None


def _one_line_error(err: ValidationError, source: str | Path, raw: dict[str, Any], prefix: tuple = ()) -> ScenarioError:
    first = err.errors()[0]
    first = {**first, "loc": prefix + tuple(first["loc"])}
    reason, location = first["msg"], _format_location(first["loc"])
    if first["type"] == "extra_forbidden":
        reason = "unknown field"
    elif first["type"] == "missing":
        reason = "required field is missing"
    elif first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        # Only events form a tagged union: their `kind` is the field at fault, not the whole event.
        location = f"{location}.kind"
        kinds = ", ".join(sorted(_EVENT_KINDS))
        reason = (
            f"unknown event kind {first['ctx']['tag']!r} (expected one of {kinds})"
            if first["type"] == "union_tag_invalid"
            else f"required field is missing (one of {kinds})"
        )
    elif first["type"] == "value_error":
        # Our validators' messages already quote the bad value.
        reason = reason.removeprefix("Value error, ")
    elif "input" in first:
        reason = f"{reason} (got {first['input']!r})"
    extra = f" (+{err.error_count() - 1} more)" if err.error_count() > 1 else ""
    extra += _event_hint(raw, first["loc"])
    if prefix:  # a lone event: name its field, not its place in a list
        location = location.removeprefix(".".join(map(str, prefix))).lstrip(".") or "event"
    return ScenarioError(source, location, reason + extra)


def load_scenario(
    name_or_path: str | Path = "baseline_2024",
    overrides: dict[str, Any] | None = None,
    sets: list[str] | None = None,
    source: str = "override",
) -> Scenario:
    """Load, merge `extends`, apply `--set` strings and dotted `overrides` (named `source` in errors),
    validate."""
    path = resolve_scenario(name_or_path)
    raw = load_raw(path)
    for text in sets or []:
        dotted, value = parse_override(text)
        apply_override(raw, dotted, value)
    for dotted, value in (overrides or {}).items():
        apply_override(raw, dotted, value, source=source)
    return validate(raw, path)


def list_library() -> list[tuple[str, str]]:
    """(name, description) of every scenario shipped with the package."""
    out = []
    for path in sorted(scenario_library().glob("*.toml")):
        try:
            scenario = validate(load_raw(path), path)
            out.append((path.stem, " ".join(scenario.description.split())))
        except ScenarioError as err:
            out.append((path.stem, f"(invalid: {err})"))
    return out
