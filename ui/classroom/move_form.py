"""The move form: a lever, then the fields of that lever, each with a widget that only offers what the
schema allows; the room checks the move again and its refusal is shown as one line."""
from __future__ import annotations

import solara

from sim.constants import COUNTRIES, PRODUCTS

from .common import Feedback, act

BILLIONS = {"budget_usd_per_year", "cofinance_usd_per_year", "purchase_usd"}  # typed in billion USD, sent in USD
# field -> (widget, label, options)
FIELDS = {
    "products": ("multi", "Products", list(PRODUCTS)),
    "destinations": ("multi", "To (countries; * = everyone)", ["*", *COUNTRIES]),
    "level": ("select", "Level", ["none", "licence", "ban"]),
    "approval_rate": ("slider", "Share of licence applications approved", (0.0, 1.0, 0.05)),
    "review_months": ("int", "Months to review an application", None),
    "duration_months": ("int", "Months it lasts (0 = until changed)", None),
    "tonnes_per_year": ("float", "Tonnes a year", None),
    "product": ("select", "Product", list(PRODUCTS)),
    "tonnes": ("float", "Tonnes", None),
    "days": ("int", "Days of domestic use to hold", None),
    "target": ("select", "Country", list(COUNTRIES)),
    "change_points": ("int", "Tariff change, points (+ raises, - cuts)", None),
    "share": ("slider", "Share of project capex paid", (0.0, 0.9, 0.05)),
    "budget_usd_per_year": ("float", "Budget, billion USD a year", None),
    "name": ("text", "Name of the agreement", None),
    "cofinance_usd_per_year": ("float", "Joint fund, billion USD a year", None),
    "cofinance_share": ("slider", "Share of project capex the fund pays", (0.0, 0.9, 0.05)),
    "stockpile_days": ("int", "Both raise stockpiles by (days)", None),
    "tariff_points": ("int", "Proposer cuts tariffs by (points)", None),
    "suspend_controls": ("check", "Export controls between us eased", None),
    "suspend_to_rate": ("slider", "Approval rate while eased", (0.0, 1.0, 0.05)),
    "general_licence": ("check", "General licences for civil end users", None),
    "preferential_supply": ("check", "Each side's suppliers serve the other first", None),
    "rapid_response": ("check", "Share stockpiles in a shortage", None),
    "purchase_usd": ("float", "Proposer buys the partner's goods, billion USD", None),
}
OPTIONAL = {"duration_months"}


def defaults(lever: str, seat: str, levers: dict) -> dict:
    example = dict(levers[lever]["example"])
    values = {f: example.get(f) for f in levers[lever]["fields"]}
    for field, value in values.items():
        if value is None:
            widget = FIELDS[field][0]
            values[field] = {"check": False, "multi": [], "slider": 0.0, "int": 0, "float": 0.0, "text": ""}.get(widget)
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
        move[field] = value * 1e9 if field in BILLIONS else value
    return move


def submitted_feedback(label: str, round_: int, submitted) -> tuple[str, str]:
    """The confirmation of a stored move: what it will do, and its warnings in amber."""
    text = f"{label} submitted for round {round_}: it {submitted.summary}."
    if submitted.warnings:
        return "warning", f"{text} Warning: {'; '.join(submitted.warnings)}."
    return "ok", text


@solara.component
def Field(field: str, value, on_value, seat: str):
    widget, label, options = FIELDS[field]
    if widget == "multi":
        solara.SelectMultiple(label, values=list(value or []), all_values=options, on_value=on_value)
    elif widget == "select":
        choices = [o for o in options if o != seat] if field == "target" else options
        solara.Select(label, value=value, values=choices, on_value=on_value)
    elif widget == "slider":
        low, high, step = options
        solara.SliderFloat(f"{label}: {float(value or 0):.0%}", value=float(value or 0), min=low, max=high, step=step,
                           on_value=on_value, thumb_label=False)
    elif widget == "int":
        solara.InputInt(label, value=int(value or 0), on_value=on_value, continuous_update=True)
    elif widget == "float":
        solara.InputFloat(label, value=float(value or 0), on_value=on_value, continuous_update=True)
    elif widget == "check":
        solara.Checkbox(label=label, value=bool(value), on_value=on_value)
    else:
        solara.InputText(label, value=value or "", on_value=on_value, continuous_update=True)


@solara.component
def MoveForm(room, token: str, seat: str, round_: int, levers: dict, disabled: bool):
    lever, set_lever = solara.use_state(next(iter(levers)))
    values, set_values = solara.use_state(defaults(lever, seat, levers))
    rationale, set_rationale = solara.use_state("")
    feedback, set_feedback = solara.use_state(None)

    def choose(new: str):
        set_lever(new)
        set_values(defaults(new, seat, levers))

    def submit():
        submitted = act(set_feedback, lambda: room.submit_move(token, round_, to_move(lever, values), rationale))
        if submitted is not None:
            set_rationale("")
            set_feedback(submitted_feedback(levers[lever]["label"], round_, submitted))

    labels = {v["label"]: k for k, v in levers.items()}
    solara.Select("Lever", value=levers[lever]["label"], values=list(labels), on_value=lambda v: choose(labels[v]))
    for field in levers[lever]["fields"]:
        Field(field, values.get(field), lambda v, f=field: set_values({**values, f: v}), seat)
    solara.InputText("Why? (shown in the world's event log)", value=rationale, on_value=set_rationale,
                     continuous_update=True)
    solara.Button("Submit move", on_click=submit, color="primary", disabled=disabled)
    Feedback(feedback)
