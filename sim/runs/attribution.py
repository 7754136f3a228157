"""Why an outcome came out as it did: each scenario event's contribution, as its Shapley value over the
scenario's events.

"Without an event" means the same scenario and seed with that event never announced. For every subset S of
the events that can matter, v(S) is the outcome of the run with only those events; an event's Shapley value
is its marginal contribution v(S + it) - v(S) averaged over the orders in which the events could arrive, so
the contributions add up exactly to v(all) - v(none). Beside it each event gets its effect alone
(v(it) - v(none)) and last (v(all) - v(all but it)): where they differ, events interact.

Up to EXACT_LIMIT events that can matter, every subset is run (exact); beyond, orders are sampled and each
value carries a standard error. Events dated after the outcome's window, and notes, cannot matter: they get
0 and say so. Runs that share a history share it: the subsets are explored as a tree over the events'
dates, and a branch is a `copy.deepcopy` of the model the month before the first event where two subsets
differ (a model is plain data, so the copy runs exactly as a fresh run would).

`attribute` makes each event a player; `shapley` takes players that are groups of events kept or left out
together (a classroom seat's moves, the teacher's injects), and outcomes that read several numbers off
each run (every seat's score from the same runs).
"""
from __future__ import annotations

import copy
import math
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Callable, Collection, Hashable, Mapping, TypeVar

import numpy as np

from ..dates import format_month, parse_month
from .why_outcomes import Outcome

if TYPE_CHECKING:
    from ..scenario_schema import Event

_K = TypeVar("_K", bound=Hashable)

EXACT_LIMIT = 8
SAMPLED_ORDERS = 64


@dataclass(frozen=True)
class Player:
    position: int  # in the scenario's events
    event: Event
    month: int  # when it takes effect (events before the start act from the first month)

    @property
    def label(self) -> str:
        return self.event.id or f"events.{self.position}"


@dataclass
class Contribution:
    id: str
    label: str
    date: str
    value: float
    alone: float
    last: float
    stderr: float = 0.0
    note: str = ""


@dataclass
class Attribution:
    outcome: str
    window: tuple[str, str]
    unit: str
    scenario_value: float
    counterfactual_value: float
    method: str
    runs: int
    seconds: float
    contributions: list[Contribution] = field(default_factory=list)

    def as_json(self) -> dict:
        rows = [{k: v for k, v in asdict(c).items() if k != "note"} for c in self.contributions]
        return {"outcome": self.outcome, "window": list(self.window), "scenario_value": self.scenario_value,
                "counterfactual_value": self.counterfactual_value, "method": self.method, "runs": self.runs,
                "seconds": round(self.seconds, 3), "contributions": rows}


def _describe(event) -> str:
    return " ".join((event.description or event.kind).split())


class _Evaluator:
    """Runs the scenario with subsets of its players and reads the outcome, sharing common histories."""

    def __init__(self, scenario, players: list[Player], outcome: Outcome, first: int, last: int,
                 seed: int | None, tick: Callable[[], None]):
        self.scenario, self.players, self.outcome = scenario, players, outcome
        self.first, self.last, self.seed, self.tick = first, last, seed, tick
        self.start = parse_month(scenario.start)
        self.horizon = last + 1 if outcome.windowed else scenario.months  # months a run needs
        self.values: dict[frozenset[int], float | np.ndarray] = {}  # an array: several outcomes of a run
        self.months = sorted({p.month for p in players if p.month > self.start})
        self.by_month = defaultdict(set)
        for p in players:
            self.by_month[max(p.month, self.start)].add(p.position)

    def values_of(self, subsets: set[frozenset[int]]) -> dict[frozenset[int], float | np.ndarray]:
        todo = {s for s in subsets if s not in self.values}
        early = self.by_month[self.start]
        groups = defaultdict(set)
        for s in todo:
            groups[frozenset(s & early)].add(s)
        for kept, group in groups.items():
            model, positions = self._build(early - kept)
            self._descend(model, positions, 0, group)
        return {s: self.values[s] for s in subsets}

    def _build(self, left_out: set[int]):
        from ..model import RareEarthModel
        events = [e for i, e in enumerate(self.scenario.events) if i not in left_out]
        model = RareEarthModel(self.scenario.model_copy(update={"events": events}), seed=self.seed)
        # measures left out stay defined, so a suspension naming one finds nothing in force and does nothing
        model.measures.defined.update({e.id: e for i, e in enumerate(self.scenario.events)
                                       if i in left_out and e.id is not None})
        return model, [i for i in range(len(self.scenario.events)) if i not in left_out]

    def _descend(self, model, positions: list[int], level: int, group: set[frozenset[int]]) -> None:
        if level == len(self.months):
            while model.months_run < self.horizon:
                model.step()
            value = self.outcome.value(model, self.first, self.last)
            for subset in group:  # one subset, or several that differ only in events that cannot matter
                self.values[subset] = value
                self.tick()
            return
        month = self.months[level]
        here = self.by_month[month]
        while self.start + model.months_run < month:
            model.step()
        parts = defaultdict(set)
        for subset in group:
            parts[frozenset(subset & here)].add(subset)
        for n, (kept, part) in enumerate(sorted(parts.items(), key=lambda kv: sorted(kv[0]))):
            branch, kept_positions = (model, positions) if n == len(parts) - 1 else (copy.deepcopy(model), list(positions))
            for position in here - kept:
                j = kept_positions.index(position)
                del branch.schedule_events.events[j], kept_positions[j]
            self._descend(branch, kept_positions, level + 1, part)


def _shapley_exact(n_players: list, values: Mapping[frozenset, float | np.ndarray]) -> dict:
    n = len(n_players)
    out = {}
    for i in n_players:
        others = [j for j in n_players if j != i]
        total: float | np.ndarray = 0.0
        for size in range(len(others) + 1):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in combinations(others, size):
                s = frozenset(subset)
                total += weight * (values[s | {i}] - values[s])
        out[i] = total
    return out


@dataclass
class Shares:
    """The Shapley value of each player of `shapley`, with what the runs gave: each value is a number, or an
    array when the outcome reads several numbers off each run."""
    value: dict  # player -> its Shapley value; they add up to everyone - nobody
    stderr: dict  # player -> standard error of the value (0 when exact)
    alone: dict  # player -> v(it) - v(none)
    last: dict  # player -> v(all) - v(all but it)
    everyone: float | np.ndarray  # v(all players)
    nobody: float | np.ndarray  # v(no player)
    method: str
    runs: int  # distinct sets of events run
    seconds: float


def _plain(value):
    """A float for a number, an array for several."""
    return float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)


def shapley(scenario, groups: Mapping[_K, Collection[int]], outcome, first: int, last: int,
            seed: int | None = None, orders: int = SAMPLED_ORDERS,
            progress: Callable[[int, int], None] | None = None) -> Shares:
    """The Shapley value of each player, a player being a group of the scenario's events (their positions in
    `scenario.events`) that are kept or left out together; events in no group are always kept.

    An event that cannot matter (a note, or an event dated after the outcome's window) is never varied, so a
    player made only of such events, or of none, is worth exactly 0: with or without it the same events run.
    `outcome.value(model, first, last)` may return an array (several outcomes read off the same runs); the
    values then are arrays too, and each entry adds up on its own.
    """
    began = time.perf_counter()
    start = parse_month(scenario.start)
    window_end = start + last
    events: dict[int, Player] = {}
    members: dict[Hashable, frozenset[int]] = {}
    for key, positions in groups.items():
        for position in positions:
            event = scenario.events[position]
            month = max(parse_month(event.date), start)
            if event.kind != "note" and not (outcome.windowed and month > window_end):
                events[position] = Player(position, event, month)
        members[key] = frozenset(p for p in positions if p in events)
    ids = list(groups)
    exact = len(ids) <= EXACT_LIMIT
    if exact:
        coalitions = {frozenset(s) for size in range(len(ids) + 1) for s in combinations(ids, size)}
    else:
        rng = np.random.default_rng([scenario.seed if seed is None else seed, len(ids)])
        permutations = [[ids[k] for k in rng.permutation(len(ids))] for _ in range(orders)]
        coalitions = {frozenset(p[:k]) for p in permutations for k in range(len(ids) + 1)}
        coalitions |= {frozenset(ids) - {i} for i in ids} | {frozenset([i]) for i in ids}
    kept = {c: frozenset().union(*(members[k] for k in c)) for c in coalitions}
    todo = set(kept.values())
    done = [0]

    def tick():
        done[0] += 1
        if progress is not None:
            progress(done[0], len(todo))

    players = [events[p] for p in sorted(events)]
    runs = _Evaluator(scenario, players, outcome, first, last, seed, tick).values_of(todo)
    values = {c: runs[kept[c]] for c in coalitions}
    everyone: frozenset[_K] = frozenset(ids)
    nobody: frozenset[_K] = frozenset()
    if exact:
        value, stderr = _shapley_exact(ids, values), {i: np.zeros(np.shape(values[nobody])) for i in ids}
    else:
        margins: defaultdict[_K, list] = defaultdict(list)  # per player, numbers or arrays alike
        for order in permutations:
            for k, i in enumerate(order):
                margins[i].append(values[frozenset(order[:k + 1])] - values[frozenset(order[:k])])
        value = {i: np.mean(m, axis=0) for i, m in margins.items()}
        stderr = {i: np.std(m, axis=0, ddof=1) / math.sqrt(len(m)) for i, m in margins.items()}
    return Shares({i: _plain(value[i]) for i in ids}, {i: _plain(stderr[i]) for i in ids},
                  {i: _plain(values[frozenset([i])] - values[nobody]) for i in ids},
                  {i: _plain(values[everyone] - values[everyone - {i}]) for i in ids},
                  _plain(values[everyone]), _plain(values[nobody]),
                  "exact" if exact else f"sampled ({orders} orders)", len(todo), time.perf_counter() - began)


def attribute(scenario, outcome: Outcome, first: int, last: int, seed: int | None = None,
              orders: int = SAMPLED_ORDERS, progress: Callable[[int, int], None] | None = None,
              players: Collection[int] | None = None) -> Attribution:
    """Each event's contribution to `outcome` over months `first`..`last` (indices from the start).

    `players`: the positions (in `scenario.events`) of the events that may be left out; every other event
    is always kept and gets no row. So with the levers pulled after a fork as the players, "with all" is
    the what-if, "with none" its baseline, and the contributions add up to the difference between them.
    """
    start = parse_month(scenario.start)
    window_end = start + last
    varied = set(range(len(scenario.events)) if players is None else players)
    pruned = {}
    for position, event in enumerate(scenario.events):
        if position not in varied:
            continue
        if event.kind == "note":
            pruned[position] = "a note changes nothing"
        elif outcome.windowed and max(parse_month(event.date), start) > window_end:
            pruned[position] = "dated after the window"
    ids = [p for p in range(len(scenario.events)) if p in varied and p not in pruned]
    shares = shapley(scenario, {p: [p] for p in ids}, outcome, first, last, seed, orders, progress)
    rows = []
    for position, event in enumerate(scenario.events):
        if position not in varied:
            continue
        label = event.id or f"events.{position}"
        if position in pruned:
            rows.append(Contribution(label, _describe(event), event.date, 0.0, 0.0, 0.0, 0.0, pruned[position]))
            continue
        rows.append(Contribution(label, _describe(event), event.date, shares.value[position], shares.alone[position],
                                 shares.last[position], shares.stderr[position]))
    rows.sort(key=lambda c: -abs(c.value))
    assert isinstance(shares.everyone, float) and isinstance(shares.nobody, float)  # `outcome` is one number
    return Attribution(outcome.text, (format_month(start + first), format_month(start + last)), outcome.unit,
                       shares.everyone, shares.nobody, shares.method, shares.runs, shares.seconds, rows)
