"""One writer per database: `ree classroom serve` holds an exclusive lock on `FILE.lock` beside the
rooms' file while it runs, and writes into it who holds it. A second server on the same file (another
port, another terminal) stops at once with one line naming the file and the running server, instead of
both resolving the same rounds. The operating system drops the lock when the process ends, however it
ends (a SIGKILL or a power cut included), so a stale lock file never blocks a restart."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from .moves import GameError


class ServerLock:
    def __init__(self, db: str | Path):
        self.db = Path(db)
        self.path = self.db.with_name(self.db.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> ServerLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 300).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise GameError(
                f"--db: {self.db} is already served by {holder}: stop that server first, or serve another file"
            ) from None
        self._fd = fd
        self.describe("starting")
        return self

    def describe(self, url: str) -> None:
        """Say who holds the lock, for the line a second server prints."""
        if self._fd is None:
            return
        text = f"ree classroom serve (pid {os.getpid()}, {url}, since {time.strftime('%H:%M')})"
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, text.encode(), 0)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
