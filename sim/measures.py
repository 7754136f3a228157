"""Measures as data: the world's policy state is composed from the calibrated base and the set of measures
in force, never patched and unpatched.

A measure is an event whose effect lasts (an export control, a quota, a shock, ...), or a standing decision
an agent takes (a strategy's licence regime, an agreement's eased controls). While in force it is an
`ActiveMeasure` record in the `MeasureBook`: plain data (the event, when it started and ends, its place in
the order of arrival, what it carries while in force). Each kind has a `MeasureRule`, written beside the
mechanism it acts on and registered here by `register`: what happens the moment it takes effect (relations
shift, a log line) and which policy *slot* it feeds. Whenever the set of measures feeding a slot changes,
the slot's `compose` function rebuilds that slot from the base and the records in force, in order of
arrival. Ending, suspending or cancelling a measure only takes its record out of the set.

Composition rules (each slot's function states its own):
- factors multiply (capacity and demand shocks, ore grade), extra covers add (hoarding);
- regimes are levels, so on one trade pair (or one exporter's quota, one authority's extraterritorial rule,
  one actor's technology ban on a stage, one price floor, one state's mining quota) the latest measure in
  force wins, and when it ends the one beneath it applies again if it is still in force;
- an agreement's easing of controls acts on whatever licence regime lies beneath it.

Nothing in a record is a function or refers to another model, so `copy.deepcopy(model)` branches exactly
and a model pickles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .dates import format_month, parse_month
from .scenario_schema import MEASURE_KINDS

_T = TypeVar("_T")

CONTROL_KINDS = ("suspend", "resume", "cancel")


@dataclass
class ActiveMeasure:
    """One measure in force."""

    key: str  # the event's id, or a generated key ("~N") for measures without one
    kind: str
    event: Any  # the scenario event, or the decision an agent took (see each rule)
    actor: str
    start: int  # month it took effect
    end: int | None  # month it lapses (None: until taken out)
    seq: int  # order of arrival: later measures win over earlier ones on a regime
    state: Any = None  # what the measure carries while in force (a quota's tonnes left, ...)


@dataclass(frozen=True)
class MeasureRule:
    """How one kind of measure acts. `take_effect(model, measure) -> (detail, rationale)` runs once, when
    the measure enters the set (before its slot is composed); `ended(measure)` gives the event-log row
    (actor, kind, target, detail, rationale) written when its term runs out, or None for no row."""

    kind: str
    slot: str
    take_effect: Callable[[Any, ActiveMeasure], tuple[str, str]]
    ended: Callable[[ActiveMeasure], tuple[str, str, str, str, str] | None] = lambda measure: None


RULES: dict[str, MeasureRule] = {}
SLOTS: dict[str, Callable[[Any, list[ActiveMeasure]], None]] = {}


def register(rule: MeasureRule) -> MeasureRule:
    RULES[rule.kind] = rule
    return rule


def composer(slot: str):
    """Decorator: the function that rebuilds `slot` from the base and the measures feeding it."""

    def wrap(function):
        SLOTS[slot] = function
        return function

    return wrap


def latest_by(measures: list[_T], key: Callable[[_T], Any]) -> dict[Any, _T]:
    """The latest measure in force for each value of `key` (measures come in order of arrival)."""
    out: dict[Any, _T] = {}
    for measure in measures:
        out[key(measure)] = measure
    return out


class MeasureBook:
    """Which measures are defined (by id), in force, suspended (until when) or cancelled during a run."""

    def __init__(self, events):
        self.defined = {e.id: e for e in events if e.id is not None and e.kind in MEASURE_KINDS}
        self.in_force: dict[str, ActiveMeasure] = {}
        self.suspended: dict[str, int | None] = {}  # id -> month it is restored (None: until a resume)
        self.cancelled: set[str] = set()
        self.arrivals = 0

    def add_definition(self, event) -> None:
        if event.id is not None and event.kind in MEASURE_KINDS:
            self.defined[event.id] = event

    # ------------------------------------------------------------------------------ the set in force
    def put(
        self,
        model,
        kind: str,
        event,
        month: int,
        actor: str,
        key: str | None = None,
        duration: int | None = None,
        state: Any = None,
    ) -> tuple[ActiveMeasure, str, str]:
        """Add a measure to the set and recompose its slot; returns the record and its log detail and
        rationale."""
        self.arrivals += 1
        rule = RULES[kind]
        measure = ActiveMeasure(
            key or f"~{self.arrivals}",
            kind,
            event,
            actor,
            month,
            None if duration is None else month + duration,
            self.arrivals,
            state,
        )
        self.in_force.pop(measure.key, None)  # a measure restored after a suspension arrives anew
        self.in_force[measure.key] = measure
        detail, rationale = rule.take_effect(model, measure)
        self.compose(model, rule.slot)
        return measure, detail, rationale

    def take_out(self, model, key: str) -> ActiveMeasure | None:
        """Remove a measure from the set (its slot recomposed); None if it was not in force."""
        measure = self.in_force.pop(key, None)
        if measure is not None:
            self.compose(model, RULES[measure.kind].slot)
        return measure

    def take_out_where(self, model, match: Callable[[ActiveMeasure], bool]) -> list[ActiveMeasure]:
        gone = [m for m in self.in_force.values() if match(m)]
        for measure in gone:
            self.take_out(model, measure.key)
        return gone

    def expire(self, model, month: int) -> list[ActiveMeasure]:
        """Measures whose term ends this month leave the set, in order of arrival."""
        return self.take_out_where(model, lambda m: m.end == month)

    def of_slot(self, slot: str) -> list[ActiveMeasure]:
        return [m for m in self.in_force.values() if RULES[m.kind].slot == slot]

    def compose(self, model, slot: str) -> None:
        SLOTS[slot](model, self.of_slot(slot))

    # ------------------------------------------------------------------------------ suspensions
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
