"""Why, for a run in progress (the web UI's "Why?" panel): a model's run so far as a question for
`attribution.attribute`, over the scenario's events and the levers pulled, or over the levers pulled after
a fork only (the difference between a what-if and its baseline). No UI here: the UI collects the choices,
this answers them, and the UI draws the answer.

A question is plain data, taken from the model in a few milliseconds (so a UI can take it under its lock and
compute outside it): the replay scenario (`sim.levers.replay_scenario`: the scenario's events, then the
levers in the order they were pulled), the months run, and which events may vary. Its `key` names the
branch exactly: two questions with the same key have the same answer.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from ..constants import COUNTRIES, MARKETS, PRODUCT_WORDS, PRODUCTS
from ..dates import format_month, parse_month
from ..levers import replay_scenario
from ..scenario import ScenarioError, validate
from .attribution import Attribution, Contribution, attribute
from .why_outcomes import parse_outcome, window

SOURCE = "web UI"


def common_outcomes() -> dict[str, str]:
    """The outcomes a panel offers first, name -> plain words (any `ree why` outcome name works too)."""
    out = {f"shortage:{c}": f"{c} magnet shortage (t REO)" for c in COUNTRIES}
    out.update({f"shortage_share:{c}": f"{c} magnet shortage (share of demand)" for c in COUNTRIES})
    for kind, words in (("price", "mean"), ("peak", "peak")):
        out.update({f"{kind}:{p}:{m}": f"{words} {'world' if m == 'world' else 'China'} price of "
                    f"{PRODUCT_WORDS[p]} (USD/kg)" for p in PRODUCTS for m in reversed(MARKETS)})
    out.update({f"exports:CN:{p}": f"China's exports of {PRODUCT_WORDS[p]} (t REO)" for p in PRODUCTS})
    out["capacity:refining+magnets:ex-CN"] = "refining + magnet capacity outside China (t/yr, at the end)"
    out.update({f"capacity:{s}:ex-CN": f"{s} capacity outside China (t/yr, at the end)"
                for s in ("mining", "refining", "magnets")})
    return out


@dataclass(frozen=True)
class Question:
    scenario: dict  # the replay scenario: the scenario's events, then the levers pulled
    months_run: int
    scenario_events: int  # the first this many events are the scenario's; the rest are levers
    first_varied: int = 0  # events before this position are always kept (difference: the levers after the fork)

    @property
    def key(self) -> str:
        text = json.dumps([self.scenario, self.months_run, self.first_varied], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def difference(self) -> bool:
        return self.first_varied > 0

    def order(self) -> list[int]:
        """The events' indices here in the order the scenario schema keeps them (by date, stable), which is
        the order of `validate(self.scenario).events` and of the model's schedule."""
        events = self.scenario["events"]
        return sorted(range(len(events)), key=lambda i: parse_month(events[i]["date"]))


def question(model, levers_kept: int | None = None) -> Question:
    """The model's run so far. With `levers_kept` (the levers its baseline branch has too, 0 for a baseline
    rebuilt from the start), only the levers pulled after those vary: the what-if against its baseline."""
    data = replay_scenario(model)
    n = len(model.scenario.events)
    first = 0 if levers_kept is None else n + levers_kept
    return Question(data, model.months_run, n, first)


@dataclass
class Answer:
    attribution: Attribution
    levers: frozenset[str]  # ids of the contributions that are levers the user pulled
    names: dict[str, str]  # id -> what to call it on a chart
    difference: bool

    @property
    def counted(self) -> list[Contribution]:
        return [c for c in self.attribution.contributions if not c.note]

    @property
    def left_out(self) -> list[Contribution]:
        return [c for c in self.attribution.contributions if c.note]


def _name(event, position: int, lever: int | None) -> str:
    """The scenario's events by id; levers as "your lever 2: CN export control" (numbered as pulled)."""
    if lever is None:
        return event.id or f"events.{position}"
    what = " ".join(v for v in (getattr(event, "actor", None), event.kind) if v).replace("_", " ")
    return f"your lever {lever}: {what}"


def explain(q: Question, outcome_text: str, first_text: str = "", last_text: str = "",
            progress: Callable[[int, int], None] | None = None) -> Answer:
    """Attribute `outcome_text` over the window (empty: the run so far) to the question's events; one-line
    ScenarioError for a bad outcome or window, or before the first month."""
    if q.months_run == 0:
        raise ScenarioError(SOURCE, "why", "run at least one month first")
    if q.difference and len(q.scenario["events"]) <= q.first_varied:
        raise ScenarioError(SOURCE, "why", "no lever pulled on the what-if since the fork: the branches differ "
                            "in nothing to explain")
    try:
        outcome = parse_outcome(outcome_text)
    except ScenarioError as err:
        raise ScenarioError(SOURCE, "outcome", err.reason) from None
    if not outcome.windowed:
        raise ScenarioError(SOURCE, "outcome", f"{outcome_text!r}: pick a monthly outcome (shortage:, price:, ...)")
    scenario = validate(q.scenario, SOURCE)
    so_far = format_month(parse_month(scenario.start) + q.months_run - 1)
    try:
        first, last = window(scenario, first_text.strip() or None, last_text.strip() or so_far)
    except ScenarioError as err:
        reason = err.reason
        if "comes after" in reason:
            reason = f"{first_text.strip()} comes after the window's end ({last_text.strip() or so_far})"
        raise ScenarioError(SOURCE, "from" if err.field == "--from" else "to", reason) from None
    if last >= q.months_run:
        raise ScenarioError(SOURCE, "to", f"{last_text.strip()} has not been run yet (the run so far ends {so_far})")
    order = q.order()  # position in `scenario.events` -> index in the question's list
    players = [p for p, i in enumerate(order) if i >= q.first_varied]
    result = attribute(scenario, outcome, first, last, progress=progress, players=players)
    lever_number = {p: i - q.scenario_events + 1 for p, i in enumerate(order) if i >= q.scenario_events}
    keys = {p: e.id or f"events.{p}" for p, e in enumerate(scenario.events)}  # as `attribute` names them
    levers = frozenset(keys[p] for p in lever_number)
    names = {keys[p]: _name(e, p, lever_number.get(p)) for p, e in enumerate(scenario.events)}
    return Answer(result, levers, names, q.difference)
