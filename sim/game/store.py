"""The classroom's event store: one SQLite file, append-only.

A room is a row of `rooms` (scenario, seed, settings) plus its rows of `events` in the order they were
appended (joins, moves, messages, answers, injects, round resolutions, rollbacks, pauses). Nothing is
updated or deleted: a rollback is an event too. Every write commits at once (WAL journal, synchronous
FULL), so a server killed mid-round loses nothing that was acknowledged. A room's debrief, once computed,
is kept in `debriefs` for the state of the game it describes.

The file holds every token, so only its owner may read it: it is created with mode 600 (SQLite gives its
-wal and -shm files the same mode), an older file is set to 600 when opened, and a new folder is 700.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    scenario TEXT NOT NULL,        -- the resolved scenario as JSON (so a room replays even if the file changes)
    seed INTEGER NOT NULL,
    teacher_token TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL REFERENCES rooms(code),
    kind TEXT NOT NULL,
    round INTEGER NOT NULL,
    seat TEXT NOT NULL,            -- '' for the teacher or the room
    payload TEXT NOT NULL,         -- JSON
    at REAL NOT NULL               -- wall-clock seconds (deadlines only; the world never reads it)
);
CREATE INDEX IF NOT EXISTS events_by_room ON events(room, seq);
CREATE TABLE IF NOT EXISTS debriefs (
    room TEXT NOT NULL REFERENCES rooms(code),
    game TEXT NOT NULL,            -- the state of the game it describes (rounds, rollbacks, months)
    payload TEXT NOT NULL,         -- JSON
    PRIMARY KEY (room, game)
);
"""
PRIVATE = 0o600


def default_db() -> Path:
    """`$REE_CLASSROOM_DB`, else the user's data folder (`$XDG_DATA_HOME/ree/classroom.sqlite`)."""
    if os.environ.get("REE_CLASSROOM_DB"):
        return Path(os.environ["REE_CLASSROOM_DB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ree" / "classroom.sqlite"


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    kind: str
    round: int
    seat: str
    payload: dict[str, Any]
    at: float


@dataclass(frozen=True)
class RoomRow:
    code: str
    scenario: dict[str, Any]
    seed: int
    teacher_token: str
    created: float


class Store:
    """One SQLite connection shared by the server's threads (guarded by a lock)."""

    def __init__(self, path: str | Path = ":memory:"):
        self.path = str(path)
        if self.path != ":memory:":
            _private_file(Path(self.path))
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add_room(self, code: str, scenario: dict[str, Any], seed: int, teacher_token: str, created: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO rooms VALUES (?, ?, ?, ?, ?)",
                (code, json.dumps(scenario, sort_keys=True), int(seed), teacher_token, created),
            )

    def room(self, code: str) -> RoomRow | None:
        with self._lock:
            row = self._db.execute(
                "SELECT code, scenario, seed, teacher_token, created FROM rooms WHERE code = ?", (code,)
            ).fetchone()
        return None if row is None else RoomRow(row[0], json.loads(row[1]), row[2], row[3], row[4])

    def room_codes(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT code FROM rooms ORDER BY created, code")]

    def append(self, room: str, kind: str, round_: int, seat: str, payload: dict[str, Any], at: float) -> StoredEvent:
        text = json.dumps(payload, sort_keys=True)
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO events (room, kind, round, seat, payload, at) VALUES (?, ?, ?, ?, ?, ?)",
                (room, kind, int(round_), seat, text, at),
            )
            seq = cursor.lastrowid
        assert seq is not None  # an INSERT that succeeded always sets it
        return StoredEvent(seq, kind, int(round_), seat, json.loads(text), at)

    def save_debrief(self, room: str, game: str, payload: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO debriefs VALUES (?, ?, ?)", (room, game, json.dumps(payload)))

    def debrief(self, room: str, game: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT payload FROM debriefs WHERE room = ? AND game = ?", (room, game)).fetchone()
        return None if row is None else json.loads(row[0])

    def events(self, room: str) -> list[StoredEvent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, kind, round, seat, payload, at FROM events WHERE room = ? ORDER BY seq", (room,)
            ).fetchall()
        return [StoredEvent(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]


def _private_file(path: Path) -> None:
    """Create the file (and its folder) readable by its owner only, or make an existing one so."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE))
    os.chmod(path, PRIVATE)
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if side.exists():
            os.chmod(side, PRIVATE)
