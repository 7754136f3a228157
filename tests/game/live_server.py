"""Start `ree classroom serve` as a real process (so it can be killed with SIGKILL) and talk to its API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_SECONDS = 120  # a slow 2-core machine importing Solara while other work runs


class LiveServer:
    def __init__(self, db: Path):
        self.db = db
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sim.cli", "classroom", "serve", "--db", str(db), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        first = self.process.stdout.readline()
        if not first.startswith("classroom server on "):
            self.process.kill()
            raise RuntimeError(f"server did not start: {first}{self.process.stdout.read()}")
        self.url = first.split()[3].rstrip("/")
        rooms = int(first.split("(")[1].split()[0])
        self.banner = [first] + [self.process.stdout.readline() for _ in range(rooms)]  # what the teacher sees
        self.log: list[str] = []  # the rest of its output, read as it comes so a full pipe never blocks it
        threading.Thread(target=lambda: self.log.extend(iter(self.process.stdout.readline, "")), daemon=True).start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/readyz", timeout=5)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError("server never became ready")

    def call(self, method: str, path: str, token: str | None = None, body: dict | None = None):
        """(status, JSON) of one API call."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"content-type": "application/json"}
        )
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
                return response.status, (
                    json.loads(raw) if response.headers.get_content_type() == "application/json" else raw
                )
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as when the machine loses power."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.process.stdout and not self.process.stdout.closed:
            try:
                self.process.stdout.close()
            except (OSError, ValueError):  # the reading thread holds it
                pass


def new_room(db: Path, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "sim.cli", "classroom", "new", "classroom_2025", "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)
