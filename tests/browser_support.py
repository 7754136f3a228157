"""Where the browser tests find Debian's Chromium. Without it they skip, except under CI (CI=true), where
they fail: a skipped browser test must never pass a CI run silently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("REE_CHROMIUM", "/usr/bin/chromium"))


def chromium_or_skip() -> str:
    """The path of Chromium, or a skip (a failure under CI) naming what to install."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " -- CI must run the browser tests, not skip them")
    pytest.skip(message)
