"""One browser tab's runs: the model being explored, and the baseline branch it is compared with.

The UI never keeps a model at module level: `Session` objects are made per tab (inside the page), so two
tabs never share a run. Every read and every step goes through the session's lock, because the play loop
steps in a background thread while the page renders; pages draw from `Snapshot`s (tables copied out under
the lock), never from a model that may be mid-step.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field

import pandas as pd

from sim import RareEarthModel, ScenarioError
from sim.dates import format_month, parse_month
from sim.levers import LONGEST_RUN, AppliedLever, extended
from sim.runs.bundle import run_zip
from sim.runs.outputs import table
from sim.runs.why_branch import Answer, Question, question

SOURCE = "web UI"
DRAWN = ("prices", "flows", "supply", "licences", "capacity", "events")  # the tables the pages draw from


@dataclass(frozen=True)
class Snapshot:
    """What the pages draw: a run's tables and calendar at one moment."""

    scenario: str
    seed: int
    date: str  # the last month run, or the start month before the first step
    months_run: int
    months: int
    start: str
    frames: dict[str, pd.DataFrame] = field(repr=False)
    levers: int = 0
    upcoming: tuple[tuple[str, str, str, str], ...] = ()  # the scenario's events still to come: date, actor, kind, text
    planned_months: int = 0  # the scenario's own length, where the run was carried on past it (else 0)

    @property
    def finished(self) -> bool:
        return self.months_run >= self.months

    @property
    def planned_end(self) -> str | None:
        """The scenario's own last month, if the run goes on past it."""
        if not self.planned_months or self.planned_months >= self.months:
            return None
        return format_month(parse_month(self.start) + self.planned_months - 1)

    @property
    def end(self) -> str:
        return format_month(parse_month(self.start) + self.months - 1)

    @property
    def next_month(self) -> str:
        return format_month(parse_month(self.start) + self.months_run)


def snapshot(model, planned_months: int = 0) -> Snapshot:
    date = model.date if model.months_run else model.scenario.start
    next_month = model.start_month + model.months_run
    upcoming = tuple(
        (e.date, e.actor, e.kind, e.description) for e in model.scenario.events if parse_month(e.date) >= next_month
    )
    return Snapshot(
        model.scenario.name,
        int(model.seed_value),
        date,
        model.months_run,
        model.months,
        model.scenario.start,
        {f"{name}.csv": table(model, name) for name in DRAWN},
        len(model.levers),
        upcoming,
        planned_months if planned_months < model.months else 0,
    )


def parse_seed(text: str) -> int:
    text = str(text).strip()
    if not text.isdigit():
        raise ScenarioError(
            SOURCE,
            "seed",
            f"enter a whole number of 0 or more (got {text!r})"
            if text
            else "enter a whole number of 0 or more (the field is empty)",
        )
    return int(text)


class Session:
    """The models of one tab. Methods raise ScenarioError (one line, field and reason) on bad input."""

    def __init__(self):
        self.lock = threading.RLock()
        self.model: RareEarthModel | None = None
        self.baseline: RareEarthModel | None = None
        self.fork_date: str | None = None
        self.fork_levers: int | None = None  # levers the baseline has too (pulled before the fork)
        self.planned_months = 0  # the scenario's own length (a run may be carried on past it)
        self.answers = Answers()

    def start(self, scenario: str, seed_text: str) -> Snapshot:
        model = RareEarthModel(scenario, seed=parse_seed(seed_text))
        with self.lock:
            self.model, self.baseline, self.fork_date, self.fork_levers = model, None, None, None
            self.planned_months = model.months
            return self.snapshot(model)

    def snapshot(self, model) -> Snapshot:
        return snapshot(model, self.planned_months)

    def view(self) -> Snapshot:
        with self.lock:
            return self.snapshot(self.model)

    def baseline_view(self) -> Snapshot | None:
        with self.lock:
            return None if self.baseline is None else self.snapshot(self.baseline)

    def step(self, months: int = 1) -> Snapshot:
        """Run `months` more months (both branches when comparing); stops at the end of the run."""
        with self.lock:
            for _ in range(months):
                if self.model.finished:
                    break
                self.model.step()
                if self.baseline is not None and not self.baseline.finished:
                    self.baseline.step()
            return self.snapshot(self.model)

    def run_to(self, month_text: str) -> Snapshot:
        """Run to the end of a month. A month past the run's end carries the run on (both branches when
        comparing) to the December of that month's year, so that levers can still be pulled and months stepped
        after it; `sim.levers.extended` rebuilds it, so its tables and replay file are those of a scenario
        planned that long."""
        with self.lock:
            start, months = parse_month(self.model.scenario.start), self.model.months
            end = format_month(start + months - 1)
            text = month_text.strip()
            try:
                target = parse_month(text)
            except ValueError as err:
                raise ScenarioError(SOURCE, "run to", f"{err}; enter a month like {end}") from None
            if target < start + self.model.months_run:
                raise ScenarioError(
                    SOURCE,
                    "run to",
                    f"{text} has already been run; the next month is {format_month(start + self.model.months_run)}",
                )
            if target > start + months - 1:
                new_end = max(target, min(target // 12 * 12 + 11, start + LONGEST_RUN - 1))
                past = new_end - (start + months - 1)
                try:
                    model = extended(self.model, past)
                    baseline = None if self.baseline is None else extended(self.baseline, past)
                except ScenarioError as err:
                    raise ScenarioError(SOURCE, "run to", f"{text} is too far: {err.reason}") from None
                self.model, self.baseline = model, baseline
            return self.step(target - start - self.model.months_run + 1)

    def apply_lever(self, change: dict, rationale: str) -> tuple[Snapshot, AppliedLever]:
        """Schedule a lever change for the next month; returns the view and what the lever will do (its
        summary, and warnings when it will do little or nothing)."""
        with self.lock:
            applied = self.model.apply_lever(change, rationale.strip() or "set by the user")
            return self.snapshot(self.model), applied

    def fork(self) -> Snapshot:
        """Keep a copy of the world as it is now as the baseline branch; levers pulled from here on change
        only the explored branch, and both run on together with the same seed."""
        with self.lock:
            self.baseline = copy.deepcopy(self.model)
            self.fork_date = self.model.date if self.model.months_run else self.model.scenario.start
            self.fork_levers = len(self.model.levers)
            return self.snapshot(self.baseline)

    def baseline_from_start(self) -> Snapshot:
        """A baseline with the same scenario and seed and no lever changes, run to the current month."""
        with self.lock:
            model = self.model
            baseline = RareEarthModel(model.scenario, seed=model.seed_value)
            for _ in range(model.months_run):
                baseline.step()
            self.baseline, self.fork_date, self.fork_levers = baseline, model.scenario.start, 0
            return self.snapshot(baseline)

    def drop_baseline(self) -> None:
        with self.lock:
            self.baseline, self.fork_date, self.fork_levers = None, None, None

    def download(self, which: str = "model", progress=None) -> bytes:
        """The run (or the baseline branch) as a zip of `ree run`'s files and the replay scenario. The
        model is copied under the lock (a few ms) and written outside it, so the run goes on meanwhile;
        `progress(done, total, file)` hears of each file."""
        with self.lock:
            model = self.model if which == "model" else self.baseline
            if model is None or model.months_run == 0:
                raise ScenarioError(SOURCE, "download", "run at least one month first")
            model = copy.deepcopy(model)
        return run_zip(model, progress)

    def why_question(self, which: str = "model") -> Question | None:
        """What the Why panel asks of a branch: `model` (every event and lever of the explored run),
        `baseline`, or `difference` (the explored run's levers pulled after the fork, against the baseline).
        None when there is no such branch. Plain data: it is answered outside the lock."""
        with self.lock:
            if which == "difference":
                return None if self.baseline is None else question(self.model, self.fork_levers)
            model = self.model if which == "model" else self.baseline
            return None if model is None else question(model)


class Answers:
    """The Why panel's answers of one tab, by (branch key, outcome, window): a branch that has not changed
    is never explained twice. Keeps the last `size`; shared by the page and its background thread."""

    def __init__(self, size: int = 32):
        self.size, self.lock, self.kept = size, threading.Lock(), {}

    def get(self, key: tuple) -> Answer | None:
        with self.lock:
            return self.kept.get(key)

    def put(self, key: tuple, answer: Answer) -> None:
        with self.lock:
            self.kept.pop(key, None)
            self.kept[key] = answer
            while len(self.kept) > self.size:
                self.kept.pop(next(iter(self.kept)))
