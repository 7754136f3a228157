"""A round is run on a copy of the world before it is stored, a room that cannot be replayed opens
read-only with the reason, and the debrief is computed once per state of the game and kept."""

from __future__ import annotations

import pytest

from sim.game import debrief as debrief_mod
from sim.game.debrief import DebriefJobs
from sim.game.moves import GameError
from sim.game.room import Room

STOCK = {"lever": "stockpile_target", "days": 90}


def test_a_move_the_world_refuses_at_resolution_is_refused_never_stored(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.submit_move(tokens["US"], 1, STOCK, "hold more")
    # a move stored by an older server, which let it through: an export control with no products
    bad = {"lever": "export_control", "products": [], "destinations": ["US"], "level": "ban"}
    room._append(
        "move",
        "CN",
        {
            "move": bad,
            "event": {
                "kind": "export_control",
                "actor": "CN",
                "date": "2025-01",
                "products": [],
                "destinations": ["US"],
                "level": "ban",
            },
            "rationale": "old server",
            "by": "student CN",
        },
    )
    room.advance(teacher)
    resolution = room.state.resolutions[-1]
    assert [r["seat"] for r in resolution.refused] == ["CN"] and "products" in resolution.refused[0]["reason"]
    assert all(a["event"].get("products") != [] for a in resolution.applied)
    assert room.state.round == 2 and room.model.states["US"].config.stockpile_target_days == 90
    notice = room.views.seat_round("CN")["notice"]
    assert any(line.startswith("refused when the round resolved") for line in notice["lines"])
    again = Room(room.store, room.store.room(room.code), room.clock)  # a restart replays it, whole
    assert not again.read_only and again.model.months_run == 3 and again.state.round == 2


def test_a_round_whose_world_fails_stores_nothing_and_the_clock_pauses_the_room(game, clock, monkeypatch):
    room, teacher, tokens = game
    room.start(teacher)
    events_before = len(room.store.events(room.code))

    def broken_step():
        raise FloatingPointError("a bug in the world")

    monkeypatch.setattr(room.model, "_user_step", broken_step)  # Mesa's step() calls it (and a copy keeps it)
    with pytest.raises(GameError, match="could not be resolved.*nothing was stored"):
        room.advance(teacher)
    assert len(room.store.events(room.code)) == events_before and room.state.round == 1
    clock.now += room.settings.round_seconds + 1
    assert not room.tick()  # the clock does not fail again every half second: the room pauses, saying why
    assert room.state.status == "paused" and "could not be resolved" in room.views.clock()["paused_reason"]


def test_a_room_that_cannot_be_replayed_opens_read_only_with_the_reason(game):
    room, teacher, tokens = game
    room.start(teacher)
    room.message(tokens["US"], 1, "*", "before the damage")
    room.store.append(
        room.code,
        "resolve",
        1,
        "",
        {
            "applied": [
                {"event": {"kind": "no_such_kind", "date": "2025-01"}, "rationale": "", "seat": "", "source": "inject"}
            ],
            "late": [],
            "ai_seats": [],
            "pending": [],
            "reason": "x",
            "deadline": 0.0,
        },
        0.0,
    )
    broken = Room(room.store, room.store.room(room.code), room.clock)
    assert broken.read_only.startswith("it could not be replayed")
    from sim.game.views import player_view, teacher_view

    assert player_view(broken, tokens["US"])["read_only"] == broken.read_only
    assert teacher_view(broken)["messages"][0]["text"] == "before the damage"
    with pytest.raises(GameError, match="read-only") as refused:
        broken.message(tokens["US"], 2, "*", "after")
    assert refused.value.status == 409
    from sim.game import export

    assert export.zip_bytes(broken)  # the teacher can still take everything away


def test_the_debrief_waits_for_the_end_or_the_teacher_and_is_computed_once(game, monkeypatch):
    room, teacher, tokens = game
    runs = []
    real = debrief_mod.debrief
    monkeypatch.setattr(debrief_mod, "debrief", lambda r, n, progress=None: runs.append(n) or real(r, 2, progress))
    jobs = DebriefJobs(runs=2)
    room.start(teacher)
    room.advance(teacher)
    assert jobs.status(room)["state"] == "not_started"  # mid-game, nobody asked: nothing runs
    assert jobs.status(room, start=True)["state"] in ("running", "done")
    wait_done(jobs, room)
    for i in range(5):  # messages and readiness change nothing the debrief shows
        room.message(tokens["US"], 2, "*", f"message {i}")
    assert jobs.status(room)["state"] == "done" and len(runs) == 1
    fresh = DebriefJobs(runs=2)  # a restarted server reads it from the store
    assert fresh.status(room)["state"] == "done" and len(runs) == 1
    room.end(teacher)  # the end is a new state of the game only if the world moved: here it did not
    assert fresh.status(room)["state"] == "done" and len(runs) == 1


def wait_done(jobs, room, seconds: float = 120):
    import time

    deadline = time.monotonic() + seconds
    while jobs.status(room)["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert jobs.status(room)["state"] == "done"
