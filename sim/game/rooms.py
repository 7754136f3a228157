"""Every room of one SQLite file, loaded on first use and kept in memory (a room is small: its world and
its folded events), with a clock thread that resolves rounds whose deadline has passed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from .moves import GameError
from .room import Room
from .store import Store


class Rooms:
    def __init__(self, db: str | Path = ":memory:", clock: Callable[[], float] = time.time):
        self.store = Store(db)
        self.clock = clock
        self._rooms: dict[str, Room] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def create(self, scenario: str | Path, **settings) -> tuple[Room, str]:
        room, teacher = Room.create(self.store, scenario, clock=self.clock, **settings)
        with self._lock:
            self._rooms[room.code] = room
        return room, teacher

    def get(self, code: str) -> Room:
        code = str(code).strip().upper()
        with self._lock:
            if code not in self._rooms:
                row = self.store.room(code)
                if row is None:
                    shown = code[:12] if code.isalnum() else "(not a code)"
                    raise GameError(f"no room with the code {shown or '(none)'}: check the code on the board", 404)
                try:
                    self._rooms[code] = Room(self.store, row, self.clock)
                except Exception as err:  # a scenario that no longer loads: say so, once per request, as JSON
                    raise GameError(
                        f"room {code} cannot be opened ({type(err).__name__}: {' '.join(str(err).split())[:200]})", 409
                    ) from None
            return self._rooms[code]

    def codes(self) -> list[str]:
        return self.store.room_codes()

    def load_all(self) -> list[Room]:
        return [self.get(code) for code in self.codes()]

    def tick(self) -> None:
        with self._lock:
            rooms = list(self._rooms.values())
        for room in rooms:
            room.tick()

    def run_clock(self, interval: float = 0.5) -> threading.Thread:
        """A daemon thread that resolves rounds at their deadline, so a game never waits for a late seat."""

        def loop():
            while not self._stop.wait(interval):
                try:
                    self.tick()
                except Exception:  # one room's failure must not stop the others' clocks
                    import logging

                    logging.getLogger(__name__).exception("classroom clock")

        thread = threading.Thread(target=loop, name="classroom-clock", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self._stop.set()
        self.store.close()
