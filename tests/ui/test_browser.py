"""The web UI in headless Chromium, as a student would use it: pick a scenario, step, pull a lever, fork and
compare, download the run. Screenshots go to artifacts/ (look at them)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
CHECKER = Path(__file__).resolve().parents[3] / "shared" / "tools" / "check_run_outputs.py"
LONG = 60_000


def expect():
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect


def pick(page, label: str, option: str) -> None:
    """Choose in a Vuetify select (its label covers the input, hence force)."""
    page.get_by_label(label, exact=True).first.click(force=True)
    page.get_by_role("option", name=option, exact=True).click()


def step(page, months: int, expected_month: int) -> None:
    page.get_by_role("button", name=f"Step {months}").first.click()
    expect()(page.locator(".ree-month")).to_contain_text(f"month {expected_month} of", timeout=LONG)


def price_chart(page):
    return page.locator(".vega-embed").first


def test_explore_step_lever_fork_compare_and_download(app, artifacts, tmp_path):
    page, watch = app
    pick(page, "scenario", "apr2025_licensing")
    expect()(page.get_by_text("apr2025_licensing, seed 42")).to_be_visible(timeout=LONG)
    expect()(page.locator(".ree-description")).to_contain_text("seven heavy rare earths")
    step(page, 1, 1)
    expect()(page.locator(".ree-month")).to_contain_text("2024-01")
    price_chart(page).wait_for(timeout=LONG)
    page.wait_for_timeout(500)
    before = price_chart(page).screenshot()
    step(page, 12, 13)
    expect()(page.locator(".ree-month")).to_contain_text("2025-01")
    page.wait_for_timeout(800)
    after = price_chart(page).screenshot()
    assert before != after, "the price chart did not change over 12 months"
    page.screenshot(path=artifacts / "01_explore_month13.png")

    page.get_by_role("tab", name="Compare and fork").click()
    page.get_by_role("button", name="Fork here").click()
    expect()(page.get_by_text("branched at 2025-01")).to_be_visible(timeout=LONG)
    pick(page, "level", "ban")
    page.get_by_label("why (shown in the event feed)").fill("what if China bans exports to the US?")
    page.get_by_role("button", name="Apply from next month").click()
    done = page.locator(".ree-lever-done")  # green: the ban cuts trade
    expect()(done).to_contain_text("From 2025-02, CN bans exports of heavy_oxide, magnet to US", timeout=LONG)
    step(page, 12, 25)
    diff = page.locator(".ree-diff")
    expect()(diff).to_contain_text("China's exports so far, all products (t REO)")
    cells = {row[0]: row[1:] for row in (r.split("\t") for r in diff.locator("tbody tr").all_inner_texts())}
    what_if, base, difference, _ = (float(v.replace(",", "")) for v in cells["China's exports so far, all products (t REO)"])
    # the ban holds until the scenario's own April 2025 licence regime replaces it: two months of no exports
    assert difference < 0 and abs(what_if - base - difference) < 0.2, cells
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts / "02_compare_after_ban.png")

    with page.expect_download(timeout=LONG) as download:
        page.get_by_role("button", name="Download this run (zip)").click()
    archive = tmp_path / "run.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(tmp_path / "run")
    assert (tmp_path / "run" / "scenario.toml").read_text().count("what if China bans exports") == 1
    if CHECKER.exists():
        checked = subprocess.run([sys.executable, str(CHECKER), str(tmp_path / "run")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr

    page.get_by_role("tab", name="Explore").click()
    for tab in ("Trade flows", "Capacity", "Licences", "Events"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(700)
        page.screenshot(path=artifacts / f"03_explore_{tab.split()[0].lower()}.png")
    expect()(page.locator(".ree-feed")).to_contain_text("what if China bans exports to the US?")
    watch.assert_clean()


def test_two_browser_sessions_do_not_share_a_run(new_page):
    (first, first_watch), (second, second_watch) = new_page(), new_page()
    step(first, 12, 12)
    second.wait_for_timeout(500)
    expect()(second.locator(".ree-month")).to_contain_text("no month run yet")
    step(second, 1, 1)
    expect()(first.locator(".ree-month")).to_contain_text("month 12 of")
    first_watch.assert_clean()
    second_watch.assert_clean()


def test_bad_input_gets_an_inline_message_and_nothing_breaks(app, server, artifacts):
    page, watch = app
    page.get_by_label("approval rate (share approved, 0 to 1)").fill("1.5")
    page.get_by_role("button", name="Apply from next month").click()
    expect()(page.locator(".ree-lever-error")).to_contain_text("approval_rate: Input should be less than or equal to 1",
                                                               timeout=LONG)
    page.get_by_label("run to month (YYYY-MM)").fill("2031-05")
    page.get_by_role("button", name="Run to").click()
    expect()(page.locator(".ree-run-error")).to_contain_text("past the end of the run (2026-12)", timeout=LONG)
    page.get_by_label("seed (a whole number)").fill("")
    page.get_by_role("button", name="Start / reset").click()
    expect()(page.locator(".ree-run-error")).to_contain_text("seed: enter a whole number", timeout=LONG)
    page.screenshot(path=artifacts / "04_bad_input.png")
    step(page, 1, 1)  # the run still works after all that
    page.get_by_label("seed (a whole number)").fill("7")
    page.get_by_role("button", name="Start / reset").click()
    expect()(page.locator(".ree-month")).to_contain_text("no month run yet", timeout=LONG)
    expect()(page.get_by_text("baseline_2024, seed 7")).to_be_visible()
    watch.assert_clean()
    assert "Traceback" not in server.log_text(), server.log_text()[-3000:]


def test_a_lever_that_does_little_is_applied_with_an_amber_warning(app, artifacts):
    page, watch = app
    pick(page, "country", "JP")
    pick(page, "lever", "Stockpile release")
    page.get_by_label("amount (t REO, 0 or more)").fill("1000000")
    page.get_by_role("button", name="Apply from next month").click()
    warning = page.locator(".ree-lever-warning")
    expect()(warning).to_contain_text("From 2024-01, JP releases 17 t of heavy_oxide to JP firms (all the "
                                      "stockpile holds). Warning: asks for 1,000,000 t but the stockpile holds 17 t",
                                      timeout=LONG)
    assert page.locator(".ree-lever-done").count() == 0
    warning.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "05_lever_warning.png")
    step(page, 1, 1)
    page.get_by_role("tab", name="Events").click()
    expect()(page.locator(".ree-feed")).to_contain_text("(warning: asks for 1,000,000 t but the stockpile holds 17 t)",
                                                        timeout=LONG)
    watch.assert_clean()


def test_play_runs_months_until_paused(app):
    page, watch = app
    page.get_by_role("button", name="Play").click()
    expect()(page.locator(".ree-month")).to_contain_text("month 3 of", timeout=LONG)
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(1500)
    paused_at = page.locator(".ree-month").inner_text()
    page.wait_for_timeout(2000)
    assert page.locator(".ree-month").inner_text() == paused_at
    watch.assert_clean()


def test_the_server_log_has_no_traceback(server):  # last: after every browser test above
    log = server.log_text()
    assert "Traceback" not in log and "Error" not in log.replace("UserWarning", ""), log[-3000:]
