"""Measures: events whose effect lasts (an export control, a quota, a general licence, ...), and the
`suspend`, `resume` and `cancel` events that name them by id.

When a measure's handler (sim/events.py) applies it, it hands over how to undo it: restore what it
replaced. A suspension undoes a measure in force at once, or keeps a pending one from taking effect on its
date; when the suspension ends (its `duration_months`, or a `resume`) the measure is applied again for what
is left of its own duration. A cancellation undoes it, or keeps it from ever taking effect.

`scenario_warnings` reads a scenario's timeline without running it, for `ree validate`: a lift or a
suspension that names nothing in force (or due) at its date is almost always a mistake of dates.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .dates import format_month, parse_month
from .scenario_schema import MEASURE_KINDS

CONTROL_KINDS = ("suspend", "resume", "cancel")


@dataclass
class Measure:
    event: object
    undo: Callable[[], None]


class MeasureBook:
    """Which named measures are in force, suspended (until when) or cancelled during a run."""

    def __init__(self, events):
        self.defined = {e.id: e for e in events if e.id is not None and e.kind in MEASURE_KINDS}
        self.in_force: dict[str, Measure] = {}
        self.suspended: dict[str, int | None] = {}  # id -> month it is restored (None: until a resume)
        self.cancelled: set[str] = set()

    def add_definition(self, event) -> None:
        if event.id is not None and event.kind in MEASURE_KINDS:
            self.defined[event.id] = event

    def blocked(self, event) -> str | None:
        """Why a measure due now does not take effect, or None."""
        if event.id in self.cancelled:
            return "it was cancelled"
        if event.id in self.suspended:
            until = self.suspended[event.id]
            return "it is suspended" + ("" if until is None else f" until {format_month(until)}")
        return None

    def restorations_due(self, month: int) -> list[str]:
        return [i for i, until in self.suspended.items() if until is not None and until <= month]

    def remaining(self, event, month: int) -> int | None:
        """Months left of the measure's own duration at `month` (None: open-ended; <= 0: over)."""
        duration = getattr(event, "duration_months", None)
        if duration is None:
            return None
        return parse_month(event.date) + duration - month


def describe(event) -> str:
    return f"{event.id} ({event.kind} of {event.date}, {event.actor})"


# ---------------------------------------------------------------------------------------- static checks

def _lifts(event) -> tuple[str, str] | None:
    """The (kind, actor) of measure an event lifts outright, if it is a lift."""
    if event.kind in ("extraterritorial", "technology_ban") and event.lift:
        return event.kind, event.actor
    if event.kind == "export_quota" and event.tonnes_per_year is None:
        return event.kind, event.actor
    return None


def _imposes(event) -> tuple[str, str] | None:
    if event.kind in ("extraterritorial", "technology_ban", "export_quota") and _lifts(event) is None:
        return event.kind, event.actor
    return None


def _window(event, start: int) -> tuple[int, int | None]:
    begin = max(parse_month(event.date), start)
    duration = getattr(event, "duration_months", None)
    return begin, (None if duration is None else parse_month(event.date) + duration)


def scenario_warnings(scenario, numbers: list[int] | None = None) -> list[str]:
    """One line per lift, suspension or resumption that names nothing in force or due at its date.
    `numbers`: each event's number as `--set events.N` names it (default: its place in date order)."""
    start = parse_month(scenario.start)
    events = scenario.events
    number = {id(e): i for e, i in zip(events, numbers or range(len(events)))}
    out = []
    for event in events:
        when = parse_month(event.date)
        where = f"events.{number[id(event)]}" + (f" ({event.id})" if event.id else "")
        lifted = _lifts(event)
        if lifted is not None:
            earlier = [e for e in events if _imposes(e) == lifted and parse_month(e.date) <= when
                       and e is not event and (_window(e, start)[1] is None or _window(e, start)[1] > when)]
            later = [e for e in events if _imposes(e) == lifted and parse_month(e.date) > when]
            if not earlier:
                hint = (f"; the {later[0].kind} of {later[0].date} comes after it and stays in force: suspend or "
                        f"cancel it by id" if later else "")
                out.append(f"{where}: the {event.date} lift of {event.actor}'s {event.kind} finds none in force"
                           + hint)
        target = getattr(event, "measure", None)
        if target is None:
            continue
        measure = next(e for e in events if e.id == target)
        begin, end = _window(measure, start)
        if event.kind == "resume":
            suspensions = [e for e in events if e.kind == "suspend" and e.measure == target
                           and parse_month(e.date) <= when]
            if not suspensions:
                out.append(f"{where}: resumes {target!r} on {event.date}, but nothing suspended it before")
        elif any(e.kind == "cancel" and e.measure == target and parse_month(e.date) <= when and e is not event
                 for e in events):
            out.append(f"{where}: {event.kind}s {target!r} on {event.date}, but it was cancelled before")
        elif end is not None and end <= when:
            out.append(f"{where}: {event.kind}s {target!r} on {event.date}, but that measure ended in "
                       f"{format_month(end)} ({measure.duration_months} months from {measure.date})")
    return out
