"""A room on SQLite :memory: with a clock the test moves by hand."""

from __future__ import annotations

import pytest

from sim.game.rooms import Rooms


class Clock:
    def __init__(self, now: float = 1_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def rooms(clock):
    registry = Rooms(":memory:", clock=clock)
    yield registry
    registry.close()


@pytest.fixture
def game(rooms):
    """A classroom_2025 room with one student on each of CN, US and JP."""
    room, teacher = rooms.create("classroom_2025")
    tokens = {seat: room.join(seat, f"student {seat}")["token"] for seat in ("CN", "US", "JP")}
    return room, teacher, tokens


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A real `ree classroom serve` on 127.0.0.1 with one room, shared by a module's tests: (server, room, db)."""
    from .live_server import LiveServer, new_room

    db = tmp_path_factory.mktemp("served") / "class.sqlite"
    room = new_room(db)
    server = LiveServer(db)
    yield server, room, db
    server.stop()
