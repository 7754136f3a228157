"""Relations between states: how each regards the others, how far it trusts them, and what they did.

Scores run from -1 (hostile) to +1 (allied). Actions move them: a ban or a licence regime aimed at a
country sours that country's view of the actor (and a little the actor's own), an agreement warms both,
a broken agreement costs trust. Strategies read the scores when they decide licences and answer offers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .constants import N_COUNTRIES, C

DEFAULT_SCORE = 0.3
DEFAULT_TRUST = 0.5
MEMORY_MONTHS = 6
OFF_DIAGONAL = 1.0 - np.eye(N_COUNTRIES)  # 1 off the diagonal, 0 on it: a country's view of itself stays put
OFF_DIAGONAL.flags.writeable = False


@dataclass
class Act:
    month: int
    actor: int
    target: int
    what: str
    hostile: bool


@dataclass
class Relations:
    score: np.ndarray = field(default_factory=lambda: np.full((N_COUNTRIES, N_COUNTRIES), DEFAULT_SCORE))
    trust: np.ndarray = field(default_factory=lambda: np.full((N_COUNTRIES, N_COUNTRIES), DEFAULT_TRUST))
    acts: list[Act] = field(default_factory=list)
    usual: np.ndarray | None = None  # the levels relations drift back to; the start's by default

    def __post_init__(self) -> None:
        if self.usual is None:
            self.usual = self.score.copy()

    @classmethod
    def from_pairs(cls, pairs: dict[str, float]) -> Relations:
        """`{"CN-JP": -0.1}` sets both directions of a pair; these are also the levels relations return
        to without news."""
        relations = cls()
        np.fill_diagonal(relations.score, 1.0)
        np.fill_diagonal(relations.trust, 1.0)
        for key, value in pairs.items():
            a, b = (C[x] for x in key.split("-"))
            relations.score[a, b] = relations.score[b, a] = value
        relations.usual = relations.score.copy()
        return relations

    def shift(self, actor: int, target: int, change: float, month: int, what: str) -> None:
        """`actor` did something to `target`: the target's view of the actor moves by `change`, the actor's
        own view by half as much."""
        self.score[target, actor] = float(np.clip(self.score[target, actor] + change, -1.0, 1.0))
        self.score[actor, target] = float(np.clip(self.score[actor, target] + change / 2.0, -1.0, 1.0))
        self.acts.append(Act(month, actor, target, what, change < 0))

    def break_trust(self, actor: int, target: int, amount: float) -> None:
        self.trust[target, actor] = float(np.clip(self.trust[target, actor] - amount, 0.0, 1.0))

    def build_trust(self, a: int, b: int, amount: float) -> None:
        for x, y in ((a, b), (b, a)):
            self.trust[x, y] = float(np.clip(self.trust[x, y] + amount, 0.0, 1.0))

    def recent_hostility(self, by: int, against: int, month: int) -> Act | None:
        """The latest hostile act of `by` against `against` within the memory window."""
        for act in reversed(self.acts):
            if month - act.month > MEMORY_MONTHS:
                break
            if act.hostile and act.actor == by and act.target == against:
                return act
        return None

    def drift(self, rate: float = 0.01) -> None:
        """Without news, relations slowly regain their usual level (the scenario's starting one)."""
        assert self.usual is not None  # set by __post_init__
        # a product, not a boolean mask: three masked copies cost more than the arithmetic (x 0 adds 0)
        self.score += rate * (self.usual - self.score) * OFF_DIAGONAL


def describe(score: float) -> str:
    if score <= -0.5:
        return "hostile"
    if score <= -0.1:
        return "strained"
    if score < 0.3:
        return "cool"
    if score < 0.6:
        return "cordial"
    return "close"
