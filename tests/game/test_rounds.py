"""Rounds, moves, stale input, deadlines, the AI standing in, rollback and replay."""

from __future__ import annotations

import numpy as np
import pytest

from sim.game.moves import GameError
from sim.game.room import Room

STOCK = {"lever": "stockpile_target", "days": 90}


def world_arrays(room):
    rec = room.model.recorder
    return rec.price[: rec.written].copy(), rec.delivered[: rec.written].copy(), list(room.model.log.rows)


def test_a_round_applies_its_moves_at_its_first_month_then_runs_its_months(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.submit_move(tokens["US"], 1, STOCK, "buy time against licence delays")
    assert room.model.months_run == 0
    for seat in ("CN", "US", "JP"):
        room.set_ready(tokens[seat], 1)
    assert room.state.round == 2 and room.model.months_run == 3
    assert room.model.states["US"].config.stockpile_target_days == 90
    logged = [r for r in room.model.log.rows if r[1] == "US" and r[2] == "stockpile_target"]
    assert logged and logged[0][0] == "2025-01" and logged[0][5] == "buy time against licence delays"


@pytest.mark.parametrize(
    "seat, round_, move, message",
    [
        (
            "US",
            1,
            {"lever": "export_control", "products": ["magnet"], "level": "licence", "approval_rate": 1.5},
            "move.approval_rate: Input should be less than or equal to 1",
        ),
        ("US", 1, {"lever": "embargo_everyone"}, "move.lever: unknown lever 'embargo_everyone'"),
        ("US", 1, {"lever": "tariff", "actor": "CN", "target": "JP", "change_points": 5}, "you play US"),
        (
            "US",
            1,
            {"lever": "stockpile_target", "days": 90, "tonnes": 3},
            "move.tonnes: not a field of stockpile_target",
        ),
        ("CN", 1, STOCK, "CN holds no strategic stockpile"),
        ("US", 2, STOCK, "this move was for round 2, but the room is at round 1"),
        ("US", 1, {"lever": "tariff", "target": "US", "change_points": 5}, "cannot aim a tariff at itself"),
    ],
)
def test_a_bad_move_gets_one_clear_line_and_changes_nothing(game, seat, round_, move, message):
    room, teacher, tokens = game
    before = (room.version, len(room.store.events(room.code)), len(room.state.moves))
    with pytest.raises(GameError) as err:
        room.submit_move(tokens[seat], round_, move)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert (room.version, len(room.store.events(room.code)), len(room.state.moves)) == before


def test_unknown_tokens_and_teacher_actions_without_the_teacher_token_are_refused(game):
    room, teacher, tokens = game
    with pytest.raises(GameError, match="unknown seat token"):
        room.submit_move("not-a-token", 1, STOCK)
    for action in (room.start, room.pause, room.advance, room.rollback, room.end):
        with pytest.raises(GameError, match="teacher token"):
            action(tokens["US"])
    assert room.state.status == "lobby" and room.version == 3


def test_at_the_deadline_the_ai_moves_for_a_late_seat_and_the_log_says_so(game, clock):
    room, teacher, tokens = game
    room.start(teacher)
    room.submit_move(tokens["JP"], 1, STOCK, "JP's own move")
    room.set_ready(tokens["CN"], 1)
    clock.now += room.settings.round_seconds - 1
    assert not room.tick() and room.state.round == 1
    clock.now += 2
    assert room.tick() and room.state.round == 2
    resolution = room.state.resolutions[-1]
    assert resolution.late == ["US", "JP"] and resolution.reason == "the round's time ran out"
    us = [a for a in resolution.applied if a["seat"] == "US"]
    assert us and all(a["source"] == "ai" and "US was not ready at the deadline" in a["rationale"] for a in us)
    jp = [a for a in resolution.applied if a["seat"] == "JP"]
    assert [a["source"] for a in jp] == ["player"]  # late but it moved: its move stands, no AI move
    assert any("US was not ready at the deadline" in row[5] for row in room.model.log.rows)
    with pytest.raises(GameError, match="was for round 1, but the room is at round 2"):
        room.submit_move(tokens["US"], 1, STOCK)  # a move after the deadline


def test_empty_seats_are_played_by_the_ai_so_the_game_never_stalls(rooms):
    room, teacher = rooms.create("classroom_2025")
    token = room.join("US", "only student")["token"]
    room.start(teacher)
    room.set_ready(token, 1)
    assert room.state.round == 2
    assert room.state.resolutions[0].ai_seats == ["CN", "JP"]


def test_pause_holds_the_clock_and_refuses_moves(game, clock):
    room, teacher, tokens = game
    room.start(teacher)
    clock.now += 100
    room.pause(teacher)
    clock.now += 10_000
    assert not room.tick() and room.state.round == 1
    with pytest.raises(GameError, match="paused"):
        room.submit_move(tokens["US"], 1, STOCK)
    room.message(tokens["US"], 1, "JP", "talks go on during a pause")
    room.resume(teacher)
    assert room.seconds_left == pytest.approx(room.settings.round_seconds - 100)


def test_the_same_events_replay_to_the_same_world(game, clock):
    room, teacher, tokens = game
    room.start(teacher)
    room.submit_move(tokens["JP"], 1, STOCK)
    room.submit_move(
        tokens["CN"],
        1,
        {
            "lever": "export_control",
            "products": ["magnet"],
            "destinations": ["US"],
            "level": "licence",
            "approval_rate": 0.2,
            "review_months": 3,
        },
    )
    room.advance(teacher)
    room.inject(
        teacher,
        {"kind": "capacity_shock", "country": "AU", "stage": "refining", "factor": 0.5, "duration_months": 6},
        "a flood at the refinery",
    )
    clock.now += 10_000
    room.tick()
    replayed = Room(room.store, room.store.room(room.code), clock)
    assert replayed.state.round == room.state.round == 3
    for a, b in zip(world_arrays(room), world_arrays(replayed)):
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
    assert any(r[2] == "capacity_shock" and "flood" in r[5] for r in room.model.log.rows)


def test_rollback_undoes_the_last_round_and_keeps_its_moves_open(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.advance(teacher)
    after_one = world_arrays(room)
    room.submit_move(tokens["US"], 2, STOCK)
    room.advance(teacher)
    room.submit_move(tokens["JP"], 3, STOCK)
    room.rollback(teacher)
    assert room.state.round == 2 and room.model.months_run == 3
    assert [m.round for m in room.state.moves] == [2]  # round 3's move went with it; round 2's stays open
    for a, b in zip(after_one, world_arrays(room)):
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
    room.rollback(teacher)
    with pytest.raises(GameError, match="nothing to roll back"):
        room.rollback(teacher)


def test_a_game_ends_with_the_scenarios_last_month(rooms):
    room, teacher = rooms.create("classroom_2025", months_per_round=6)
    room.start(teacher)
    while room.state.status != "ended":
        room.advance(teacher)
    assert len(room.state.resolutions) == 4 and room.model.finished
    with pytest.raises(GameError, match="game is over"):
        room.advance(teacher)
