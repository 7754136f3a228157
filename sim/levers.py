"""The lever API: a change of policy made while a run is under way (by the web UI, a classroom move or a
script), as an event of the scenario format.

A lever change is validated by the scenario schema and dated the month the model runs next; phase 1 of
that month applies it with the same code as the scenario's own events, and `events.csv` logs it with its
rationale. Applying it says what it will do, with a warning when it will do little or nothing
(`sim.lever_feedback`); the warning goes into the event's description, so events.csv keeps it. The changes
are kept, so a run with levers pulled mid-way can be written out as a scenario file that replays to the
same world.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tomli_w

from . import lever_feedback
from .dates import format_month, parse_month
from .scenario import Scenario, ScenarioError, validate_event


@dataclass(frozen=True)
class AppliedLever:
    """A lever change as scheduled, with what it will do (`summary`, one line without its actor) and the
    `warnings` when it will do little or nothing. `event` is the validated event whose description carries
    the warnings; the fields every event has read through, as when `apply` returned the event itself."""

    event: Any
    summary: str
    warnings: tuple[str, ...] = ()

    kind = property(lambda self: self.event.kind)
    id = property(lambda self: self.event.id)
    actor = property(lambda self: self.event.actor)
    date = property(lambda self: self.event.date)
    description = property(lambda self: self.event.description)


def apply(model, change: dict[str, Any], rationale: str = "set by the user", source: str = "lever") -> AppliedLever:
    """Validate `change` (an event without a date, or dated the current month), say what it will do and
    schedule it for the month the model runs next. Raises ScenarioError with one line (and changes
    nothing) when the change is invalid; a change that will do little or nothing still applies, with
    warnings."""
    if model.finished:
        raise ScenarioError(source, "date", f"the run is over (its last month was {format_month(model.month)})")
    current = format_month(model.start_month + model.months_run)
    raw = {"date": current, "description": rationale, **change}
    if raw["date"] != current:
        raise ScenarioError(source, "date", f"a lever applies at the current month {current}, not {raw['date']}")
    event = validate_event(raw, source)
    if event.id is not None and event.id in event_ids(model):
        raise ScenarioError(source, "id", f"an event with the id {event.id!r} exists already")
    target = getattr(event, "measure", None)
    if target is not None and target not in model.schedule_events.measures.defined:
        known = ", ".join(sorted(model.schedule_events.measures.defined)) or "none"
        raise ScenarioError(source, "measure", f"no measure has the id {target!r} (measures with ids: {known})")
    # assessed before it is scheduled: the feedback reads the world the lever finds (a measure's state
    # before the lever's own definition joins the book)
    feedback = lever_feedback.assess(model, event, measures(model))
    event = _with_warnings(event, feedback.warnings)
    model.schedule_events.add(event)
    model.levers.append(event)
    return AppliedLever(event, feedback.summary, feedback.warnings)


def _with_warnings(event, warnings: tuple[str, ...]):
    """The event with its warnings in its description: events.csv logs the description as the lever's
    rationale, and the replay file, which holds the event itself, keeps them too."""
    if not warnings:
        return event
    note = f"(warning: {'; '.join(warnings)})"
    return event.model_copy(update={"description": f"{event.description} {note}".strip()})


def measures(model) -> dict[str, str]:
    """Each named measure (an event with an id that suspend, resume and cancel can name) and its state at
    the month the model runs next: "in force", "pending", "suspended", "cancelled" or "ended". What a
    web UI or a classroom offers to suspend or cancel."""
    from .dates import parse_month

    book = model.schedule_events.measures
    upcoming = model.start_month + model.months_run
    states = {}
    for measure_id, event in book.defined.items():
        if measure_id in book.cancelled:
            states[measure_id] = "cancelled"
        elif measure_id in book.suspended:
            states[measure_id] = "suspended"
        elif measure_id in book.in_force:
            states[measure_id] = "in force"
        elif parse_month(event.date) >= upcoming:
            states[measure_id] = "pending"
        else:
            states[measure_id] = "ended"
    return states


def event_ids(model) -> set[str]:
    return {e.id for e in model.schedule_events.events if e.id is not None}


def replay_scenario(model) -> dict[str, Any]:
    """The run's scenario, resolved (no `extends`), with its seed and every lever change as an event:
    loading it and running the same months gives the same world."""
    data = model.scenario.model_dump(mode="json", exclude_none=True)
    data["seed"] = int(model.seed_value)
    data["events"] = [e.model_dump(mode="json", exclude_none=True) for e in (*model.scenario.events, *model.levers)]
    if model.levers:
        data["description"] = (
            data["description"].rstrip() + f" Replayed with {len(model.levers)} lever change(s) made during the run."
        )
    return data


def replay_toml(model) -> str:
    return tomli_w.dumps(replay_scenario(model))


LONGEST_RUN = next(rule.le for rule in Scenario.model_fields["months"].metadata if hasattr(rule, "le"))  # months


def extended(model, months: int, source: str = "run to"):
    """The run with `months` more months than planned (to carry on past the scenario's end): a new model of
    the same scenario, its `months` grown, with the same seed and levers, run to where `model` is (each lever
    scheduled just before the month it was pulled for, as `apply` did). Rebuilt rather than stretched,
    because a few records depend on the planned end (a fund's plants that "come online after the run"): the
    result is the run a scenario planned that long makes, row for row, and its replay file replays it. Takes
    about as long as the months run so far. ScenarioError past the schema's longest run."""
    total = model.months + int(months)
    if months < 1 or total > LONGEST_RUN:
        last = format_month(model.start_month + LONGEST_RUN - 1)
        raise ScenarioError(
            source,
            "months",
            f"a run is at most {LONGEST_RUN} months long (to {last}); this one "
            f"can carry on for 1 to {LONGEST_RUN - model.months} months past its end, not {months}",
        )
    longer = type(model)(model.scenario.model_copy(update={"months": total}), seed=model.seed_value)
    pending = list(model.levers)  # in the order pulled, so by date
    while True:
        month = longer.start_month + longer.months_run
        while pending and parse_month(pending[0].date) <= month:
            lever = pending.pop(0)
            longer.schedule_events.add(lever)
            longer.levers.append(lever)
        if longer.months_run == model.months_run:
            return longer
        longer.step()
