"""The lever panel: pick a country and a lever, fill its fields (each with unit and range), apply it from
the next month. The levers and their fields come from the lever catalogue (`lever_specs`,
`sim.lever_catalogue`); a suspend, resume or cancel offers the run's named measures it can act on. The
change goes to `model.apply_lever` as an event of the scenario format; whatever the schema refuses comes
back as one line under the form, and nothing changes. An accepted change says what it will do, in green,
or in amber with a warning when it will do little or nothing."""

from __future__ import annotations

import solara

from sim.constants import COUNTRIES
from sim.lever_catalogue import named_measures

from .event_feed import Feed
from .lever_specs import LEVERS, WORLD_LEVERS, Field, build_change, default_for, widget_of

LEVER_BY_TITLE = {lever.title: lever for lever in LEVERS}
__all__ = ["LEVER_BY_TITLE", "LeverPanel", "build_change", "default_for", "told"]


def current_measures(session) -> tuple:
    """The run's named measures, read under the session's lock (never from a model mid-step)."""
    with session.lock:
        return () if session.model is None else named_measures(session.model)


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
def FieldInput(field: Field, values: solara.Reactive[dict], actor: str, measures=()):
    widget = widget_of(field, actor, measures, values.value.get(field.name))

    def update(new):
        values.set({**values.value, field.name: new})

    if widget.names:  # a measure: shown by its label, sent by its id
        solara.Select(
            label=widget.label,
            values=list(widget.values),
            value=widget.value,
            on_value=lambda label: update(widget.names[widget.values.index(label)]),
        )
    elif widget.kind == "select":
        solara.Select(
            label=widget.label,
            values=list(widget.values),
            value=widget.value,
            on_value=update,
            disabled=not widget.values,
        )
    elif widget.kind == "multi":
        solara.SelectMultiple(label=widget.label, values=widget.value, all_values=list(widget.values), on_value=update)
    elif widget.kind == "check":
        solara.Checkbox(label=widget.label, value=widget.value, on_value=update)
    else:
        solara.InputText(label=widget.label, value=widget.value, on_value=update, continuous_update=True)
    if field.help:
        solara.Text(field.help, style={"font-size": "11px", "color": "#666"})


@solara.component
def ProposalAnswers(events):
    talks = events[(events["kind"] == "proposal") | events["kind"].str.startswith("agreement_")]
    if len(talks):
        solara.Text("Proposals and answers", style={"font-weight": "bold"})
        Feed(talks, 12, style={"font-size": "12px"})


@solara.component
def LeverFields(store, lever, values, actor: str):
    # reads the view, so a new month redraws the measures a suspend, resume or cancel can name
    names = any(f.type == "measure" for f in lever.fields)
    measures = current_measures(store.session) if names and store.view.value is not None else ()
    for field in lever.fields:
        FieldInput(field, values, actor, measures)
    if names and not widget_of(lever.field("measure"), actor, measures).names:
        solara.Info(f"No measure of {actor} or of the world that a {lever.kind} can name now.", dense=True)


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
            change = build_change(lever, actor.value, values.value, current_measures(store.session))
            view, applied = store.session.apply_lever(change, rationale.value)
            store.refresh(view)
            done.set(told(applied, view.next_month))

        store.attempt(act, message)

    with solara.Row():
        solara.Select(label="country", values=list(COUNTRIES), value=actor, disabled=lever.kind in WORLD_LEVERS)
        solara.Select(label="lever", values=list(LEVER_BY_TITLE), value=title.value, on_value=pick)
    solara.Text(lever.help, style={"font-size": "13px", "color": "#444"})
    LeverFields(store, lever, values, actor.value)
    solara.InputText(label="why (shown in the event feed)", value=rationale, continuous_update=True)
    solara.Button("Apply from next month", on_click=apply, color="primary")
    if message.value:
        solara.Error(message.value, dense=True, classes=["ree-lever-error"])
    elif done.value:
        LeverFeedback(*done.value)
    LiveProposalAnswers(store)


@solara.component
def LiveProposalAnswers(store):
    # its own component, so a new month redraws these and not the whole form
    view = store.view.value
    ProposalAnswers(view.frames["events.csv"])
