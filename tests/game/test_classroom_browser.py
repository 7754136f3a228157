"""A whole lesson in headless Chromium: a teacher and three students in separate browser contexts (phones
for the students) play two rounds; a student reloads and keeps the seat; the teacher injects an event,
rolls back a round and ends the game; the debrief shows the scores, what the moves did (the reader's seat
first) and the AI-worlds comparison. The teacher opens the console with the printed link, whose key never
reaches the server and leaves the address bar. No page logs a console error. Screenshots go to
artifacts/classroom/ (not committed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_support import chromium_or_skip

from .live_server import LiveServer, new_room

pytestmark = pytest.mark.browser
WAIT = 90_000  # ms: generous, for a slow 2-core machine; every wait is on a condition
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "classroom"


@pytest.fixture
def lesson(tmp_path):
    chromium = chromium_or_skip()
    playwright = pytest.importorskip("playwright.sync_api")
    db = tmp_path / "class.sqlite"
    room = new_room(db, "--round-seconds", "1800")
    server = LiveServer(db)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        yield server, room, browser
        browser.close()
    server.stop()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def see(page, text: str) -> None:
    try:
        page.get_by_text(text, exact=False).first.wait_for(timeout=WAIT)
    except Exception:
        shot(page, "FAILED_waiting_for_" + re.sub(r"\W+", "_", text)[:40])
        raise


def click(page, name: str) -> None:
    button = page.get_by_role("button", name=re.compile(f"^{re.escape(name)}$", re.I)).first
    button.wait_for(timeout=WAIT)
    button.click()


def watch(page, errors: list, warnings: list) -> None:
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on(
        "console",
        lambda m: (
            (errors if m.type == "error" else warnings).append(m.text) if m.type in ("error", "warning") else None
        ),
    )


def test_a_lesson_in_the_browser(lesson):
    server, room, browser = lesson
    code, teacher_token = room["room"], room["teacher_token"]
    errors, warnings = [], []
    teacher = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    watch(teacher, errors, warnings)
    teacher.goto(room["teacher_link"].replace("http://127.0.0.1:8765", server.url))
    see(teacher, "Room code")
    assert teacher.url == f"{server.url}/teacher/{code}"  # the key left the address bar (and never the browser)

    students, tokens = {}, {}
    for seat in ("CN", "US", "JP"):
        page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
        watch(page, errors, warnings)
        page.goto(f"{server.url}/join/{code}")
        see(page, "Pick your country")
        page.get_by_label("Your name").fill(f"Student {seat}")
        click(page, f"Join as {seat}")
        see(page, f"You play {seat}")
        assert f"/play/{code}/" in page.url
        students[seat] = page
        tokens[seat] = page.url.rsplit("/", 1)[1]
    shot(students["US"], "01_student_us_lobby")
    see(teacher, "Student JP")
    click(teacher, "Start the game")
    see(teacher, "Time left in this round")
    shot(teacher, "02_teacher_started")

    for round_ in (1, 2):
        for seat, page in students.items():
            see(page, f"Round {round_} of 8")
            see(page, "Time left in this round")
            page.get_by_label("Why? (shown in the world's event log)").fill(f"{seat} plan for round {round_}")
            click(page, "Submit move")
            see(page, f"submitted for round {round_}")
        if round_ == 2:
            us = students["US"]
            us.get_by_label("Message").fill("US proposes to coordinate stockpiles")
            click(us, "Send")
            see(students["JP"], "US proposes to coordinate stockpiles")
            shot(students["CN"], "03_student_cn_round2_moves")
            # a reload keeps the seat: the token is in the page's address
            students["JP"].reload()
            see(students["JP"], "You play JP")
            see(students["JP"], "Round 2 of 8")
            see(students["JP"], "US proposes to coordinate stockpiles")
        for page in students.values():
            click(page, "Ready: end my round")
        see(teacher, f"Round {round_ + 1} of 8")
    for page in students.values():
        see(page, "Round 3 of 8")
    shot(students["JP"], "04_student_jp_round3")
    shot(teacher, "05_teacher_round3")

    # the teacher injects an event from the scenario's list, then rolls back one round
    click(teacher, "Inject")
    see(teacher, "inject scheduled")
    click(teacher, "Roll back one round")
    see(teacher, "Round 2 of 8")
    see(students["US"], "Round 2 of 8")
    # the inject card starts afresh after a rollback: wait until the old one has gone before clicking
    teacher.get_by_text("inject scheduled").first.wait_for(state="detached", timeout=WAIT)
    click(teacher, "Inject")
    see(teacher, "inject scheduled")
    click(teacher, "Close the round now")
    see(teacher, "Round 3 of 8")
    see(teacher, "teacher's inject")
    shot(teacher, "06_teacher_after_rollback_and_inject")

    click(teacher, "End the game")
    see(teacher, "game ended")
    click(teacher, "Debrief")
    see(teacher, "of AI worlds")
    see(teacher, "What happened, and why")
    body = teacher.inner_text("body")
    assert "Compared with 20 worlds where the AI played every seat" in body
    for seat in ("CN", "US", "JP"):
        assert seat in body
    teacher.wait_for_timeout(1500)  # let Vega draw before the picture
    shot(teacher, "07_debrief")

    cn = students["CN"]
    see(cn, "The game is over")
    click(cn, "Open the debrief")
    see(cn, "of AI worlds")
    see(cn, "What the moves did")
    assert cn.locator(".ree-moves-did").first.inner_text().startswith("CN")  # the reader's seat first
    shot(cn, "08_student_debrief")
    # no page shows one player another's token
    for seat, page in students.items():
        text = page.content()
        assert teacher_token not in text
        assert not [s for s, t in tokens.items() if s != seat and t in text]
    print(f"console: {len(errors)} errors, {len(warnings)} warnings: {sorted(set(warnings))}")
    assert not errors, errors
    # without the console's cookie the console does not open; a made-up token opens no seat
    cn.goto(f"{server.url}/teacher/{code}")
    see(cn, "This is a teacher's console")
    cn.goto("about:blank")  # from /teacher/CODE a new #fragment alone would not load the page again
    cn.goto(f"{server.url}/teacher/{code}#key={tokens['CN']}")
    see(cn, "this needs the room's teacher token")
    cn.goto(f"{server.url}/play/{code}/not-a-real-token")
    see(cn, "unknown seat token")
