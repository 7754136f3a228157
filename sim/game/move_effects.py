"""What the moves did: each seat's outcome split among the game's players, in plain words for the debrief.

The players are each seat (all of its moves together, its students' or its AI's, as applied when the rounds
resolved; an agreement belongs to the seat whose answer made it), the teacher (every inject) and the
scenario (its own events). A world here is the room's game replayed, over the months played, with the
moves of some players only: the moves are those that were played (in a world without the others' moves
nobody plans again). A player's share is its Shapley value (`sim.runs.attribution.shapley`), so the
shares add up exactly to the seat's outcome as played minus the same months with no move, inject or
scenario event at all. A player with no move that can change the world (none, or only notes) gets exactly
0: with or without it the same events run.

Two outcomes are split, from the same runs: the seat's score (`sim.game.scores`: 0-100 points, read off
the finished world like the debrief's scores) and the seat's magnets left unmet (tonnes REO over the months
played, every sector), which says in tonnes what a clipped score can hide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..runs.attribution import shapley
from ..runs.why_outcomes import parse_outcome
from .scores import seat_score
from .wording import applied_words

TEACHER, SCENARIO = "teacher", "scenario"
SMALL_POINTS, SMALL_TONNES = 0.05, 0.5  # below these a share reads as "no noticeable difference"


@dataclass(frozen=True)
class SeatOutcomes:
    """Every seat's score, then every seat's magnets unmet (t), read off one world."""

    scenario: Any
    seats: tuple[str, ...]
    windowed = True  # a world runs only the months played

    def value(self, model, first: int, last: int) -> np.ndarray:
        points = [seat_score(model, self.scenario, s)["score"] for s in self.seats]
        unmet = [parse_outcome(f"shortage:{s}").value(model, first, last) for s in self.seats]
        return np.array(points + unmet, dtype=float)


def players(room) -> tuple[Any, dict[str, list[int]], dict[str, list[str]]]:
    """The room's game as one scenario (its events, then every move applied, as `sim.levers` replays a run),
    each player's events in it (positions) and what each of them did, in words (notes left out)."""
    from ..runs.why_branch import question
    from ..scenario import validate

    q = question(room.model)
    scenario = validate(q.scenario, "debrief")
    applied = [item for resolution in room.state.resolutions for item in resolution.applied]
    if len(applied) != len(room.model.levers):
        raise ValueError(f"{len(applied)} moves were applied but the world holds {len(room.model.levers)}")
    groups: dict[str, list[int]] = {key: [] for key in (*room.seats, TEACHER, SCENARIO)}
    words: dict[str, list[str]] = {key: [] for key in groups}
    for position, index in enumerate(q.order()):
        event = scenario.events[position]
        if index < q.scenario_events:
            key, text = SCENARIO, _short(event.description or event.kind)
        else:
            item = applied[index - q.scenario_events]
            key, text = (TEACHER if item["source"] == "inject" else item["seat"]), applied_words(item)
        groups.setdefault(key, []).append(position)
        if event.kind != "note":
            words.setdefault(key, []).append(text)
    return scenario, groups, words


def move_effects(room, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Per seat: its score and magnets unmet as played and with no player's moves, each player's share of
    the difference, and the lines that say it. Plain data (JSON), kept with the debrief."""
    months = room.model.months_run
    if months == 0:
        return {"months": 0, "method": "", "runs": 0, "seconds": 0.0, "players": [], "seats": []}
    from threadpoolctl import threadpool_limits

    scenario, groups, words = players(room)
    seats = tuple(room.seats)
    with threadpool_limits(limits=1, user_api="blas"):  # as the AI worlds: a background job on a shared server
        shares = shapley(
            scenario, groups, SeatOutcomes(room.scenario, seats), 0, months - 1, seed=room.seed, progress=progress
        )
    # SeatOutcomes reads several numbers off each run: the values are arrays
    assert isinstance(shares.everyone, np.ndarray) and isinstance(shares.nobody, np.ndarray)
    names = {key: player_name(key) for key in groups}
    out = []
    for j, seat in enumerate(seats):
        k = len(seats) + j
        row = {
            "seat": seat,
            "score": float(shares.everyone[j]),
            "score_without": float(shares.nobody[j]),
            "unmet_t": float(shares.everyone[k]),
            "unmet_t_without": float(shares.nobody[k]),
            "points": {p: float(shares.value[p][j]) for p in groups},
            "tonnes": {p: float(shares.value[p][k]) for p in groups},
            "points_stderr": {p: float(shares.stderr[p][j]) for p in groups},
            "tonnes_stderr": {p: float(shares.stderr[p][k]) for p in groups},
        }
        row["summary"] = summary_words(seat, row)
        row["lines"] = seat_lines(seat, row, words)
        out.append(row)
    return {
        "months": months,
        "method": shares.method,
        "runs": shares.runs,
        "seconds": round(shares.seconds, 2),
        "players": [{"key": p, "name": names[p], "moves": words[p]} for p in groups],
        "seats": out,
    }


# ------------------------------------------------------------------------------------------ in words
def player_name(key: str) -> str:
    """'China', 'the US', 'the teacher', 'the scenario'."""
    if key in (TEACHER, SCENARIO):
        return f"the {key}"
    from ..runs.report_story import country_name

    return country_name(key)


def _whose(key: str) -> str:
    """'China's moves', 'the teacher's injects', 'the scenario's events'."""
    return {TEACHER: "the teacher's injects", SCENARIO: "the scenario's events"}.get(key, f"{player_name(key)}'s moves")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _noticeable(row: dict[str, Any], player: str) -> bool:
    return abs(row["points"][player]) >= SMALL_POINTS or abs(row["tonnes"][player]) >= SMALL_TONNES


def seat_lines(seat: str, row: dict[str, Any], words: dict[str, list[str]]) -> list[str]:
    """The seat's own moves first, then each player that moved its outcome (the most first), then in one
    line each the players that made no noticeable difference and those with nothing to count."""
    others = sorted(
        (p for p in row["points"] if p != seat), key=lambda p: (-abs(row["points"][p]), -abs(row["tonnes"][p]))
    )
    moved = [p for p in others if words[p]]
    out = [effect_words(p, seat, row, words[p]) for p in [seat, *(p for p in moved if _noticeable(row, p))]]
    target = player_name(seat)
    small = [_whose(p) for p in moved if not _noticeable(row, p)]
    if small:
        out.append(
            f"{_capital(_and(small))} made no noticeable difference to {target} (under {SMALL_POINTS} "
            f"points and 1 t of magnets{' each' if len(small) > 1 else ''})."
        )
    idle = [
        {TEACHER: "the teacher (no inject)", SCENARIO: "the scenario (no event in these months)"}.get(
            p, f"{player_name(p)} (no move)"
        )
        for p in others
        if not words[p]
    ]
    if idle:
        out.append(f"Nothing to count from {_and(idle)}: 0 for {target}.")
    return out


def summary_words(seat: str, row: dict[str, Any]) -> str:
    return (
        f"{_capital(player_name(seat))}: {row['score']:.2f} points as played, {row['score_without']:.2f} with "
        f"no move, inject or scenario event ({row['score'] - row['score_without']:+.2f}); magnets left unmet: "
        f"{row['unmet_t']:,.0f} t as played, {row['unmet_t_without']:,.0f} t with none of them "
        f"({row['unmet_t'] - row['unmet_t_without']:+,.0f} t)."
    )


def effect_words(player: str, seat: str, row: dict[str, Any], moves: list[str]) -> str:
    """'China's moves cost the US 3.1 points and 1,240 t of magnets.'; 'Japan's moves saved Japan 90 t of
    magnets (its score did not change).'; a player without moves: '... made no move: 0 for the US.'"""
    target, who = player_name(seat), _capital(_whose(player))
    if not moves:
        did = {TEACHER: "The teacher sent no inject", SCENARIO: "The scenario has no event in these months"}
        return f"{did.get(player, _capital(player_name(player)) + ' made no move')}: 0 for {target}."
    points, tonnes = row["points"][player], row["tonnes"][player]
    p_err, t_err = row["points_stderr"][player], row["tonnes_stderr"][player]
    parts = []  # (verb, amount, good)
    if abs(points) >= SMALL_POINTS:
        parts.append(("gained" if points > 0 else "cost", f"{abs(points):.1f} points{_pm(p_err, '.1f')}", points > 0))
    if abs(tonnes) >= SMALL_TONNES:
        parts.append(
            ("saved" if tonnes < 0 else "cost", f"{abs(tonnes):,.0f} t of magnets{_pm(t_err, ',.0f')}", tonnes < 0)
        )
    if not parts:
        return f"{who} made no noticeable difference to {target} (under {SMALL_POINTS} points and 1 t of magnets)."
    (verb, amount, good), rest = parts[0], parts[1:]
    line = f"{who} {verb} {target} {amount}"
    if rest:
        verb2, amount2, good2 = rest[0]
        line += f" and {amount2}" if verb2 == verb else f" {'and' if good2 == good else 'but'} {verb2} it {amount2}"
    elif abs(points) < SMALL_POINTS:
        line += " (its score did not change)"
    return line + "."


def _pm(stderr: float, spec: str) -> str:
    return f" ± {stderr:{spec}}" if stderr > 0 else ""
