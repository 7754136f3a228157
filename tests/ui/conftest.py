"""Browser fixtures: a `ree ui` server on a free port of 127.0.0.1 (its log kept for the traceback check)
and Debian's Chromium driven by Playwright (found by tests/browser_support.py, which fails them under CI
when it is missing)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser_support import chromium_or_skip

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def server():
    chromium_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    log = ARTIFACTS / "server.log"
    env = {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        # an asset missing from the offline bundle fails at once, locally, instead of reaching the internet
        "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",
    }
    with log.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "sim.cli", "ui", "--port", str(port)],
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url + "readyz", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                raise RuntimeError(f"ree ui did not start:\n{log.read_text()}") from None
            time.sleep(0.3)
    yield Server(url, log, process)
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        yield browser
        browser.close()


# ipywidgets' WidgetModel.sync throws this when the browser sends a value for a widget the server closed a moment
# before (a control replaced by a re-render while a change is in flight; seen once, in the fork-and-compare test of
# .ci/run's Python 3.13 suite on a loaded machine, which passed alone right after). The page goes on from the
# server's next render and the assertions on what it shows still hold, so only this exact message is let through.
KNOWN_RACES = ("Syncing error: no comm channel defined",)


@dataclass
class Watch:
    """What a page did that it must not: console errors, uncaught exceptions, requests off this machine."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def request(self, url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme in ("blob", "data"):
            return
        if parsed.hostname != "127.0.0.1":
            self.outside.append(url)

    def assert_clean(self) -> None:
        errors = [e for e in self.errors if not e.startswith(KNOWN_RACES)]
        assert errors == [], f"browser console errors: {errors}"
        assert self.outside == [], f"requests that left 127.0.0.1: {self.outside}"


def open_page(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 1700}, accept_downloads=True)
    page = context.new_page()
    watch = Watch()
    page.on("console", lambda msg: watch.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    page.on("request", lambda request: watch.request(request.url))
    page.goto(server.url)
    page.get_by_text("no month run yet").wait_for(timeout=60_000)
    return context, page, watch


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def new_page(browser, server):
    """Opens another browser session (its own context, as a second student would) on the app."""
    contexts = []

    def opened():
        context, page, watch = open_page(browser, server)
        contexts.append(context)
        return page, watch

    yield opened
    for context in contexts:
        context.close()


@pytest.fixture
def app(browser, server):
    context, page, watch = open_page(browser, server)
    yield page, watch
    context.close()
