"""The Explore page's lever forms, built from the lever catalogue (`sim.lever_catalogue`): every lever of
it, the widget each field gets (`widget_of`) and the event a filled-in form stands for (`build_change`).
The scenario schema (via `model.apply_lever`) does the checking; numbers are typed as text, so a value
the schema refuses comes back as its own line."""

from __future__ import annotations

from dataclasses import dataclass

from sim import ScenarioError
from sim.lever_catalogue import (
    LEVER_BY_KIND,
    LEVERS,
    MEASURE,
    WORLD_LEVERS,
    Lever,
    LeverField,
    choices_for,
    default_for,
    measure_choices,
)

from ..session import SOURCE

Field = LeverField  # the name the page and its tests knew
__all__ = [
    "LEVERS",
    "LEVER_BY_KIND",
    "WORLD_LEVERS",
    "Field",
    "Lever",
    "Widget",
    "build_change",
    "default_for",
    "widget_of",
]


@dataclass(frozen=True)
class Widget:
    """What the page draws for one field: a `select` (one of `values`), `multi` (several), `check`, or
    `text` (typed; a number is read from it, within `low`..`high`, the schema's range)."""

    kind: str
    label: str
    value: object
    values: tuple = ()
    names: tuple = ()  # what a select sends for each of `values` (a measure's id for its label)
    low: float | None = None
    high: float | None = None


def widget_of(field: LeverField, actor: str, measures=(), value=None) -> Widget:
    """The widget for `field` as `actor` sees it; `value` is the form's current value (None: the default)."""
    value = default_for(field, actor) if value is None else value
    if field.type == "measure":
        offered = measure_choices(measures, field.kind, actor)
        ids = tuple(m.id for m in offered)
        chosen = value if value in ids else (ids[0] if ids else None)
        return Widget(
            "select",
            f"{field.words} (id: kind of date by actor, state)",
            offered[ids.index(chosen)].label if offered else None,
            tuple(m.label for m in offered),
            ids,
        )
    if field.type == "choice":
        return Widget("select", field.label(), value, choices_for(field, actor))
    if field.type == "choices":
        return Widget("multi", field.label(), list(value or []), choices_for(field, actor))
    if field.type == "flag":
        return Widget("check", field.label(), bool(value))
    return Widget("text", field.label(), "" if value is None else str(value), low=field.minimum, high=field.maximum)


def _number(field: LeverField, text: str):
    if field.word is not None and text == field.word:
        return text
    try:
        return int(text) if field.type == "integer" else float(text)
    except ValueError:
        kind = "a whole number" if field.type == "integer" else "a number"
        also = f" or {field.word}" if field.word else ""
        raise ScenarioError(SOURCE, field.name, f"enter {kind}{also} (got {text!r})") from None


def build_change(lever: Lever, actor: str, values: dict, measures=()) -> dict:
    """The event a filled-in form stands for; ScenarioError for text that is not a number, an empty field
    that cannot be left out, or a measure lever with no measure to name. `measures`: the run's named
    measures (`sim.lever_catalogue.named_measures`)."""
    change = {"kind": lever.kind, "actor": "world" if lever.kind in WORLD_LEVERS else actor}
    for field in lever.fields:
        raw = values.get(field.name, default_for(field, actor))
        if field.type == "measure":
            names = widget_of(field, actor, measures, raw).names
            if not names:
                raise ScenarioError(
                    SOURCE,
                    MEASURE,
                    f"no measure of {actor} or of the world that a {lever.kind} can "
                    "name (named measures in force or pending, or suspended for a resume)",
                )
            change[field.name] = raw if raw in names else names[0]
        elif field.type in ("number", "integer", "text"):
            text = "" if raw is None else str(raw).strip()
            if not text and field.empty:
                continue
            if not text and field.type != "text":
                raise ScenarioError(SOURCE, field.name, "enter a number (the field is empty)")
            change[field.name] = text if field.type == "text" else _number(field, text)
        elif field.type == "choices" and not raw:
            raise ScenarioError(SOURCE, field.name, "choose at least one")
        else:
            change[field.name] = list(raw) if field.type == "choices" else raw
    return change
