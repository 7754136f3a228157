"""Rate limits: a token bucket per key (a client's address, a player's token). A bucket holds `capacity`
tokens and refills at `per_second`; each request takes one, and an empty bucket says how long to wait.

They keep a classroom usable when someone (or a script) floods it: room-code guesses, joins and messages
(the server's limits are in `sim.game.api`; a player's messages are limited by the room itself, so the
pages and the API share one bucket). Keys are forgotten when full again, so memory stays small.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MAX_KEYS = 10_000  # past this, full buckets are dropped first (a full bucket is the same as none)


class Buckets:
    def __init__(self, capacity: float, per_second: float, clock: Callable[[], float] = time.monotonic):
        self.capacity, self.per_second, self.clock = float(capacity), float(per_second), clock
        self._levels: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        tokens, when = self._levels.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - when) * self.per_second)

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 if there was one, else the seconds until there is."""
        now = self.clock()
        with self._lock:
            tokens = self._level(key, now)
            if tokens < 1.0:
                self._levels[key] = (tokens, now)
                return (1.0 - tokens) / self.per_second
            self._levels[key] = (tokens - 1.0, now)
            if len(self._levels) > MAX_KEYS:
                self._forget_full(now)
            return 0.0

    def _forget_full(self, now: float) -> None:
        for key in [k for k in self._levels if self._level(k, now) >= self.capacity]:
            del self._levels[key]
