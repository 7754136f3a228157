"""The lever panel: pick a country and a lever, fill its fields (each with unit and range), apply it from
the next month. The change goes to `model.apply_lever` as an event of the scenario format; whatever the
schema refuses comes back as one line under the form, and nothing changes. An accepted change says what it
will do, in green, or in amber with a warning when it will do little or nothing."""
from __future__ import annotations

import pandas as pd
import solara

from sim import ScenarioError
from sim.constants import COUNTRIES

from ..session import SOURCE
from .event_feed import feed_html
from .lever_specs import LEVERS, WORLD_LEVERS, Field, Lever

LEVER_BY_TITLE = {lever.title: lever for lever in LEVERS}


def _number(field: Field, text: str):
    try:
        return int(text) if field.kind == "integer" else float(text)
    except ValueError:
        kind = "a whole number" if field.kind == "integer" else "a number"
        raise ScenarioError(SOURCE, field.name, f"enter {kind} (got {text!r})") from None


def default_for(field: Field, actor: str):
    """A field's default; a partner or destination never defaults to the acting country itself, which the
    schema refuses."""
    other = "CN" if actor != "CN" else "US"
    if field.name == "target" and field.default == actor:
        return other
    if field.name == "destinations" and actor in field.default:
        return [other if country == actor else country for country in field.default]
    return field.default


def build_change(lever: Lever, actor: str, values: dict) -> dict:
    """The event a filled-in form stands for; ScenarioError for text that is not a number."""
    change = {"kind": lever.kind, "actor": "world" if lever.kind in WORLD_LEVERS else actor}
    for field in lever.fields:
        raw = values.get(field.name, default_for(field, actor))
        if field.kind in ("number", "integer"):
            text = str(raw).strip()
            if not text and field.optional:
                continue
            if not text:
                raise ScenarioError(SOURCE, field.name, "enter a number (the field is empty)")
            change[field.name] = _number(field, text)
        elif field.kind == "choices" and not raw:
            raise ScenarioError(SOURCE, field.name, "choose at least one")
        else:
            change[field.name] = list(raw) if field.kind == "choices" else raw
    return change


def told(applied, month: str) -> tuple[str, tuple[str, ...]]:
    """What a lever applied from `month` will do, as a sentence, and its warnings."""
    who = "the world" if applied.actor == "world" else applied.actor
    return f"From {month}, {who} {applied.summary}.", applied.warnings


@solara.component
def LeverFeedback(summary: str, warnings: tuple[str, ...]):
    # amber, not green, when the lever will do little or nothing: it still applies, so it is no error
    if warnings:
        solara.Warning(f"{summary} Warning: {'; '.join(warnings)}.", dense=True, classes=["ree-lever-warning"])
    else:
        solara.Success(summary, dense=True, classes=["ree-lever-done"])


@solara.component
def FieldInput(field: Field, values: solara.Reactive[dict], actor: str):
    value = values.value.get(field.name, default_for(field, actor))

    def update(new):
        values.set({**values.value, field.name: new})

    if field.kind == "choice":
        solara.Select(label=field.label, values=list(field.choices), value=value, on_value=update)
    elif field.kind == "choices":
        solara.SelectMultiple(label=field.label, values=list(value), all_values=list(field.choices),
                              on_value=update)
    elif field.kind == "flag":
        solara.Checkbox(label=field.label, value=bool(value), on_value=update)
    else:
        solara.InputText(label=field.label, value=str(value), on_value=update, continuous_update=True)


@solara.component
def ProposalAnswers(events):
    talks = events[(events["kind"] == "proposal") | events["kind"].str.startswith("agreement_")]
    if len(talks):
        solara.Text("Proposals and answers", style={"font-weight": "bold"})
        solara.HTML(tag="div", unsafe_innerHTML=feed_html(talks, 12), style={"font-size": "12px"})


@solara.component
def LeverPanel(store):
    actor, title = solara.use_reactive("CN"), solara.use_reactive(LEVERS[0].title)
    values, rationale = solara.use_reactive({}), solara.use_reactive("")
    message, done = solara.use_reactive(""), solara.use_reactive("")
    lever = LEVER_BY_TITLE[title.value]

    def pick(new_title):
        title.set(new_title)
        values.set({})
        message.set("")

    def apply():
        def act():
            view, applied = store.session.apply_lever(build_change(lever, actor.value, values.value),
                                                      rationale.value)
            store.refresh(view)
            done.set(told(applied, view.next_month))
        store.attempt(act, message)

    with solara.Row():
        solara.Select(label="country", values=list(COUNTRIES), value=actor, disabled=lever.kind in WORLD_LEVERS)
        solara.Select(label="lever", values=list(LEVER_BY_TITLE), value=title.value, on_value=pick)
    solara.Text(lever.help, style={"font-size": "13px", "color": "#444"})
    for field in lever.fields:
        FieldInput(field, values, actor.value)
    solara.InputText(label="why (shown in the event feed)", value=rationale, continuous_update=True)
    solara.Button("Apply from next month", on_click=apply, color="primary")
    if message.value:
        solara.Error(message.value, dense=True, classes=["ree-lever-error"])
    elif done.value:
        LeverFeedback(*done.value)
    LiveProposalAnswers(store)


@solara.component
def Upcoming(upcoming):
    if upcoming:
        solara.Text("Still to come in this scenario (on their dates, over any lever you pulled):",
                    style={"font-weight": "bold", "font-size": "13px"})
        rows = pd.DataFrame(list(upcoming), columns=["date", "actor", "kind", "detail"])
        solara.HTML(tag="div", unsafe_innerHTML=feed_html(rows.iloc[::-1], 12, ("date", "actor", "kind", "detail")),
                    style={"font-size": "12px"})


@solara.component
def LiveProposalAnswers(store):
    # its own component, so a new month redraws these and not the whole form
    view = store.view.value
    ProposalAnswers(view.frames["events.csv"])
    Upcoming(view.upcoming)
