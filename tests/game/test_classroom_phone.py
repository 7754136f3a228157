"""Every classroom page on a phone (390 x 844): nothing wider than the screen, at each state a page goes
through (join, lobby, a round with a move and a message, a pause, the notice after a round where the AI
moved for a late seat, the teacher's console, the debrief with what the moves did). Pages pass the
Content-Security-Policy and carry nosniff and a frame policy; no console errors. Screenshots of each page
go to artifacts/classroom/."""

from __future__ import annotations

import pytest

from tests.browser_support import chromium_or_skip

from .live_server import LiveServer, new_room
from .test_classroom_browser import SHOTS, click, see, watch

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WIDTH = "() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"


def fits(page, name: str, widths: dict) -> None:
    """Record the page's width, and its picture, after it has drawn."""
    page.wait_for_timeout(700)
    widths[name] = page.evaluate(WIDTH)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"phone_{name}.png"), full_page=True)


def test_every_page_fits_a_phone(tmp_path):
    chromium = chromium_or_skip()
    playwright = pytest.importorskip("playwright.sync_api")
    db = tmp_path / "class.sqlite"
    room = new_room(db, "--round-seconds", "1800")
    server = LiveServer(db)
    code = room["room"]
    errors, warnings, widths, headers = [], [], {}, []
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium)
            teacher = browser.new_context(**PHONE).new_page()
            student = browser.new_context(**PHONE).new_page()
            late = browser.new_context(**PHONE).new_page()
            for page in (teacher, student, late):
                watch(page, errors, warnings)
                page.on(
                    "response", lambda r: headers.append(r.headers) if r.request.resource_type == "document" else None
                )
            teacher.goto(f"{server.url}/teacher/{code}#key={room['teacher_token']}")
            see(teacher, "Room code")
            fits(teacher, "teacher_lobby", widths)
            student.goto(f"{server.url}/")
            see(student, "join a room")
            fits(student, "join_home", widths)
            for page, seat, name in ((student, "US", "Ada"), (late, "JP", "Ben")):
                page.goto(f"{server.url}/join/{code}")
                see(page, "Pick your country")
                page.get_by_label("Your name").fill(name)
                if page is student:
                    fits(student, "join_room", widths)
                click(page, f"Join as {seat}")
                see(page, f"You play {seat}")
            fits(student, "player_lobby", widths)
            click(teacher, "Start the game")
            see(student, "Time left in this round")
            student.get_by_label("Why? (shown in the world's event log)").fill("a reserve for the licence delays")
            see(student, "This move releases")  # what it will really do, before it is submitted
            click(student, "Submit move")
            see(student, "submitted for round 1")
            us_token = student.url.rsplit("/", 1)[1]
            status, _ = server.call(
                "POST",
                f"/api/rooms/{code}/moves",
                us_token,
                {
                    "round": 1,
                    "move": {
                        "lever": "proposal",
                        "target": "JP",
                        "name": "Magnet pact",
                        "duration_months": 24,
                        "cofinance_usd_per_year": 1.5e9,
                        "cofinance_share": 0.3,
                    },
                },
            )
            assert status == 200
            student.get_by_label("Message").fill("Japan: shall we pool our stockpiles?")
            click(student, "Send")
            see(late, "shall we pool our stockpiles")
            fits(student, "player_round1", widths)
            click(teacher, "Pause")
            see(student, "Paused")
            see(late, "Paused by the teacher")
            fits(late, "player_paused", widths)
            click(teacher, "Resume")
            see(student, "Time left in this round")
            click(student, "Ready: end my round")
            click(teacher, "Close the round now")
            see(late, "Round 1 resolved")
            see(late, "so the AI moved for you")  # JP made no move and was not ready
            see(late, "a joint fund of $1.50B a year paying 30% of project capex")  # the proposal, in words
            see(late, "Counter: half the fund")
            see(student, "Round 1 resolved")
            fits(late, "player_round2_notice", widths)
            fits(teacher, "teacher_round2", widths)
            click(teacher, "Debrief now (runs 20 AI worlds)")  # the teacher's explicit action, mid-game
            see(teacher, "of AI worlds")
            see(teacher, "What the moves did")  # each seat's score split among who moved, in words
            see(teacher, "The US's moves")
            fits(teacher, "debrief_teacher", widths)
            teacher.locator(".ree-moves-did").first.screenshot(path=str(SHOTS / "phone_debrief_moves_did.png"))
            browser.close()
    finally:
        server.stop()
    print(f"widths [document, body, viewport]: {widths}")
    print(f"console: {len(errors)} errors, {len(warnings)} warnings: {sorted(set(warnings))}")
    wide = {name: w for name, w in widths.items() if max(w[:2]) > w[2]}
    assert not wide, f"pages wider than a 390 px phone: {wide}"
    assert not errors, errors
    assert not [w for w in warnings if "Content Security Policy" in w]
    assert headers and all(
        h.get("x-content-type-options") == "nosniff"
        and h.get("x-frame-options") == "DENY"
        and "content-security-policy" in h
        for h in headers
    )
