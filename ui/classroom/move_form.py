"""The move form: a lever, then the fields of that lever, each with a widget that only offers what the
schema allows and what the seat has (a release offers only products its stockpile holds, with the tonnes;
a destination or a partner is never the seat itself). Under the form, before anything is submitted, the
room says what the move will really do as the world stands, and warns in amber when it will do little
or nothing (`Room.preview_move`, the lever feedback of the world itself); a refusal is one line.

Shares are picked from a list of percentages rather than a slider: on a phone a slider beside its label
is a sliver, and a list is one tap and exact."""

from __future__ import annotations

import solara

from sim.game.moves import GameError
from sim.lever_catalogue import LEVER_BY_KIND, LeverField, choices_for

from ..components.charts import PRODUCT_NAMES
from .common import Feedback, act

ALL = "all"  # a release of everything the stockpile holds of the product
BILLION = 1e9  # sums of money are typed in billion USD and sent in USD


def billions(field: LeverField) -> bool:
    return field.unit.startswith("USD") and "/" not in field.unit


def widget_of(field: LeverField, seat: str) -> tuple[str, str, object]:
    """(widget, label, options) of a catalogue field as a seat sees it: `multi` and `select` with their
    choices, `share` (a list of percentages) and `int`/`float` with the schema's (low, high), `check`, `text`.
    A field of a shape this form does not know fails here, naming it, rather than on a page."""
    words = field.words[:1].upper() + field.words[1:]
    if field.type == "measure":
        return "select", f"{words} (its id)", ()
    if field.type == "flag":
        return "check", words, None
    if field.percent:
        empty = f"; empty = {field.empty}" if field.empty else ""
        return "share", f"{words} (%{empty})", (field.minimum, field.maximum)
    scale = BILLION if billions(field) else 1.0
    label = words + field.label(unit=f"billion {field.unit}" if scale != 1.0 else None, scale=scale)[len(field.words) :]
    if field.type in ("choices", "choice"):
        return ("multi" if field.type == "choices" else "select"), label, choices_for(field, seat)
    if field.type == "text":
        return "text", label, None
    if field.type in ("number", "integer"):
        low, high = ((None if x is None else x / scale) for x in (field.minimum, field.maximum))
        return ("int" if field.type == "integer" else "float"), label, (low, high)
    raise TypeError(f"the move form has no widget for {field.kind}.{field.name} ({field.type})")


def defaults(lever: str, seat: str, levers: dict) -> dict:
    """The form's starting values: the lever's example (the catalogue's defaults, or the room's own), sums
    in billions, never the seat itself as a partner or destination."""
    example = dict(levers[lever]["example"])
    spec = LEVER_BY_KIND[lever]
    values = {}
    for name in levers[lever]["fields"]:
        field = spec.field(name)
        value = example.get(name, field.default)
        values[name] = value / BILLION if billions(field) and isinstance(value, (int, float)) else value
    other = next(c for c in ("US", "JP", "CN") if c != seat)
    if values.get("target") == seat:
        values["target"] = other
    if values.get("destinations") == [seat]:
        values["destinations"] = [other]
    return values


def to_move(lever: str, values: dict) -> dict:
    """The move a filled-in form stands for: an empty optional field is left out."""
    move = {"lever": lever}
    spec = LEVER_BY_KIND[lever]
    for name, value in values.items():
        if value is None or (value == "" and spec.field(name).empty):
            continue
        move[name] = value * BILLION if billions(spec.field(name)) and value != ALL else value
    return move


def submitted_feedback(label: str, round_: int, submitted) -> tuple[str, str, int]:
    """The confirmation of a stored move: what it will do, and its warnings in amber."""
    text = f"{label} submitted for round {round_}: it {submitted.summary}."
    if submitted.warnings:
        return "warning", f"{text} Warning: {'; '.join(submitted.warnings)}.", round_
    return "ok", text, round_


def preview(room, token: str, move: dict) -> tuple[str, str]:
    """What the move would do, as (kind, text): info, warning (amber) or error (the room's refusal)."""
    try:
        told = room.preview_move(token, move)
    except GameError as err:
        return "error", f"Not yet: {err}"
    if told.warnings:
        return "warning", f"This move {told.summary}. Warning: {'; '.join(told.warnings)}."
    return "info", f"This move {told.summary}."


def _percent(value: float) -> str:
    return f"{round(float(value or 0) * 100):d}%"


def _share_options(field: LeverField, low: float, high: float) -> list[str]:
    steps = [_percent(i / 20) for i in range(round(low * 20), round(high * 20) + 1)]
    return ([field.empty] if field.empty else []) + steps


@solara.component
def Field(field: LeverField, value, on_value, seat: str, stockpile: dict):
    widget, label, options = widget_of(field, seat)
    if field.name == "product" and stockpile:  # a release: only what the stockpile holds, with how much
        names = {f"{PRODUCT_NAMES[p]} ({t:,.0f} t held)": p for p, t in stockpile.items()}
        shown = next((n for n, p in names.items() if p == value), next(iter(names)))
        solara.Select(label, value=shown, values=list(names), on_value=lambda n: on_value(names[n]))
    elif field.word == ALL and stockpile:
        everything = value == ALL
        solara.Checkbox(label="Release all of it", value=everything, on_value=lambda v: on_value(ALL if v else 0.0))
        if not everything:
            solara.InputFloat(label, value=float(value or 0), on_value=on_value, continuous_update=True)
    elif widget == "multi":
        solara.SelectMultiple(
            label, values=[v for v in (value or []) if v in options], all_values=list(options), on_value=on_value
        )
    elif widget == "select":
        solara.Select(label, value=value, values=list(options), on_value=on_value)
    elif widget == "share":
        shown = field.empty if value is None else _percent(value)
        solara.Select(
            label,
            value=shown,
            values=_share_options(field, *options),
            on_value=lambda text: on_value(None if text == field.empty else int(text.rstrip("%")) / 100),
        )
    elif widget in ("int", "float"):
        typed = solara.InputInt if widget == "int" else solara.InputFloat
        number = None if value is None or value == ALL else (int if widget == "int" else float)(value)
        typed(label, value=number, on_value=on_value, continuous_update=True, optional=bool(field.empty))
    elif widget == "check":
        solara.Checkbox(label=label, value=bool(value), on_value=on_value)
    else:
        solara.InputText(label, value=value or "", on_value=on_value, continuous_update=True)


@solara.component
def MoveForm(room, token: str, seat: str, round_: int, briefing: dict, disabled: bool):
    levers = briefing["levers"]
    lever, set_lever = solara.use_state(next(iter(levers)))
    if lever not in levers:  # the stockpile emptied since: its release is no longer offered
        lever = next(iter(levers))
    values, set_values = solara.use_state(defaults(lever, seat, levers))
    rationale, set_rationale = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)
    move = to_move(lever, values)
    told = solara.use_memo(lambda: preview(room, token, move), [repr(move), round_])

    def choose(new: str):
        set_lever(new)
        set_values(defaults(new, seat, levers))
        set_feedback(None)

    def submit():
        submitted = act(set_feedback, lambda: room.submit_move(token, round_, move, rationale), round_=round_)
        if submitted is not None:
            set_rationale("")
            set_feedback(submitted_feedback(levers[lever]["label"], round_, submitted))

    def change(field: str, value) -> None:
        set_values({**values, field: value})
        set_feedback(None)  # a new move in the making: its preview replaces the last confirmation

    labels = {v["label"]: k for k, v in levers.items()}
    solara.Select("Lever", value=levers[lever]["label"], values=list(labels), on_value=lambda v: choose(labels[v]))
    for name in levers[lever]["fields"]:
        Field(
            LEVER_BY_KIND[lever].field(name),
            values.get(name),
            lambda v, f=name: change(f, v),
            seat,
            briefing.get("stockpile", {}) if lever == "stockpile_release" else {},
        )
    if feedback is None or feedback[0] == "error" or feedback[2] != round_:
        Feedback((told[0], told[1], round_), round_)
    solara.InputText(
        "Why? (shown in the world's event log)", value=rationale, on_value=set_rationale, continuous_update=True
    )
    with solara.Row(classes=["ree-buttons"]):
        solara.Button("Submit move", on_click=submit, color="primary", disabled=disabled)
    Feedback(feedback, round_)
