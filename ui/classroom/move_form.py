"""The move form: a lever, then the fields of that lever, each with a widget that only offers what the
schema allows and what the seat has (a release offers only products its stockpile holds, with the tonnes;
a destination or a partner is never the seat itself). Under the form, before anything is submitted, the
room says what the move will really do as the world stands, and warns in amber when it will do little
or nothing (`Room.preview_move`, the lever feedback of the world itself); a refusal is one line.

Shares are picked from a list of percentages rather than a slider: on a phone a slider beside its label
is a sliver, and a list is one tap and exact."""
from __future__ import annotations

import solara

from sim.constants import COUNTRIES, PRODUCTS
from sim.game.moves import GameError

from .common import Feedback, act

BILLIONS = {"budget_usd_per_year", "cofinance_usd_per_year", "purchase_usd"}  # typed in billion USD, sent in USD
# field -> (widget, label, options)
FIELDS = {
    "products": ("multi", "Products", list(PRODUCTS)),
    "destinations": ("multi", "To (countries; * = every other)", ["*", *COUNTRIES]),
    "level": ("select", "Level", ["none", "licence", "ban"]),
    "approval_rate": ("share", "Share of licence applications approved", (0.0, 1.0)),
    "review_months": ("int", "Months to review an application", None),
    "duration_months": ("int", "Months it lasts (0 = until changed)", None),
    "tonnes_per_year": ("float", "Tonnes a year", None),
    "product": ("select", "Product", list(PRODUCTS)),
    "tonnes": ("float", "Tonnes", None),
    "days": ("int", "Days of domestic use to hold", None),
    "target": ("select", "Country", list(COUNTRIES)),
    "change_points": ("int", "Tariff change, points (+ raises, - cuts)", None),
    "share": ("share", "Share of project capex paid", (0.0, 0.9)),
    "budget_usd_per_year": ("float", "Budget, billion USD a year", None),
    "name": ("text", "Name of the agreement", None),
    "cofinance_usd_per_year": ("float", "Joint fund, billion USD a year", None),
    "cofinance_share": ("share", "Share of project capex the fund pays", (0.0, 0.9)),
    "stockpile_days": ("int", "Both raise stockpiles by (days)", None),
    "tariff_points": ("int", "Proposer cuts tariffs by (points)", None),
    "suspend_controls": ("check", "Export controls between us eased", None),
    "suspend_to_rate": ("share", "Approval rate while eased", (0.0, 1.0)),
    "general_licence": ("check", "General licences for civil end users", None),
    "preferential_supply": ("check", "Each side's suppliers serve the other first", None),
    "rapid_response": ("check", "Share stockpiles in a shortage", None),
    "purchase_usd": ("float", "Proposer buys the partner's goods, billion USD", None),
}
OPTIONAL = {"duration_months"}
ALL = "all"  # a release of everything the stockpile holds of the product


def defaults(lever: str, seat: str, levers: dict) -> dict:
    example = dict(levers[lever]["example"])
    values = {f: example.get(f) for f in levers[lever]["fields"]}
    for field, value in values.items():
        if value is None:
            widget = FIELDS[field][0]
            values[field] = {"check": False, "multi": [], "share": 0.0, "int": 0, "float": 0.0, "text": ""}.get(widget)
        elif field in BILLIONS:
            values[field] = value / 1e9
    other = next(c for c in ("US", "JP", "CN") if c != seat)
    if values.get("target") == seat:
        values["target"] = other
    if values.get("destinations") == [seat]:
        values["destinations"] = [other]
    return values


def to_move(lever: str, values: dict) -> dict:
    move = {"lever": lever}
    for field, value in values.items():
        if field in OPTIONAL and not value:
            continue
        move[field] = value * 1e9 if field in BILLIONS and value != ALL else value
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


@solara.component
def Field(field: str, value, on_value, seat: str, stockpile: dict):
    widget, label, options = FIELDS[field]
    if field == "product" and stockpile:  # a release: only what the stockpile holds, with how much
        names = {f"{p.replace('_', ' ')} ({t:,.0f} t held)": p for p, t in stockpile.items()}
        shown = next((n for n, p in names.items() if p == value), next(iter(names)))
        solara.Select(label, value=shown, values=list(names), on_value=lambda n: on_value(names[n]))
    elif field == "tonnes" and stockpile:
        everything = value == ALL
        solara.Checkbox(label="Release all of it", value=everything, on_value=lambda v: on_value(ALL if v else 0.0))
        if not everything:
            solara.InputFloat(label, value=float(value or 0), on_value=on_value, continuous_update=True)
    elif widget == "multi":
        choices = [o for o in options if o != seat]
        solara.SelectMultiple(label, values=[v for v in (value or []) if v in choices], all_values=choices,
                              on_value=on_value)
    elif widget == "select":
        choices = [o for o in options if o != seat] if field == "target" else options
        solara.Select(label, value=value, values=choices, on_value=on_value)
    elif widget == "share":
        low, high = options
        steps = [i / 20 for i in range(round(low * 20), round(high * 20) + 1)]
        solara.Select(label, value=_percent(value), values=[_percent(s) for s in steps],
                      on_value=lambda text: on_value(int(text.rstrip("%")) / 100))
    elif widget == "int":
        solara.InputInt(label, value=int(value or 0), on_value=on_value, continuous_update=True)
    elif widget == "float":
        solara.InputFloat(label, value=float(value or 0), on_value=on_value, continuous_update=True)
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
    for field in levers[lever]["fields"]:
        Field(field, values.get(field), lambda v, f=field: change(f, v), seat,
              briefing.get("stockpile", {}) if lever == "stockpile_release" else {})
    if feedback is None or feedback[0] == "error" or feedback[2] != round_:
        Feedback((told[0], told[1], round_), round_)
    solara.InputText("Why? (shown in the world's event log)", value=rationale, on_value=set_rationale,
                     continuous_update=True)
    with solara.Row(classes=["ree-buttons"]):
        solara.Button("Submit move", on_click=submit, color="primary", disabled=disabled)
    Feedback(feedback, round_)
