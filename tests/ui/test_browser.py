"""The web UI in headless Chromium, as a student would use it: pick a scenario, step, pull a lever, fork and
compare, download the run. Screenshots go to artifacts/ (look at them)."""
from __future__ import annotations

import re

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



def fork_and_set_level(page, month: str, level: str, why: str) -> None:
    """Fork on the Compare page at `month` and apply the export-control form (CN's default lever) at `level`."""
    page.get_by_role("tab", name="Compare and fork").click()
    page.get_by_role("button", name="Fork here").click()
    expect()(page.get_by_text(f"branched at {month}")).to_be_visible(timeout=LONG)
    pick(page, "level", level)
    page.get_by_label("why (shown in the event feed)").fill(why)
    page.get_by_role("button", name="Apply from next month").click()


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

    fork_and_set_level(page, "2025-01", "ban", "what if China bans exports to the US?")
    done = page.locator(".ree-lever-done")  # green: the ban cuts trade
    expect()(done).to_contain_text("From 2025-02, CN bans exports of heavy_oxide, magnet to US", timeout=LONG)
    step(page, 12, 25)
    diff = page.locator(".ree-diff")
    expect()(diff).to_contain_text("China's exports, all products (t REO)")
    cells = {row[0]: row[1:] for row in (r.split("\t") for r in diff.locator("tbody tr").all_inner_texts()) if row[0]}
    period, what_if, base, difference, _ = cells["China's exports, all products (t REO)"]  # its "so far" row
    assert period == "so far"
    what_if, base, difference = (float(v.replace(",", "")) for v in (what_if, base, difference))
    # the ban holds until the scenario's own April 2025 licence regime replaces it: two months of no exports
    assert difference < 0 and abs(what_if - base - difference) < 0.2, cells
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts / "02_compare_after_ban.png")

    with page.expect_download(timeout=LONG) as download:
        page.get_by_role("button", name="Download the what-if (zip)").click()
    assert download.value.suggested_filename == "ree_whatif_apr2025_licensing_2026-01.zip"
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
    # month 3 or later: under load a redraw can skip a month the play loop has already run
    expect()(page.locator(".ree-month")).to_contain_text(re.compile(r"month ([3-9]|[1-9][0-9]) of"), timeout=LONG)
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(1500)
    paused_at = page.locator(".ree-month").inner_text()
    page.wait_for_timeout(2000)
    assert page.locator(".ree-month").inner_text() == paused_at
    watch.assert_clean()


def number(text: str) -> float:
    return float(text.split("±")[0].replace(",", "").replace("−", "-"))


def test_why_in_compare_shows_the_levers_share_of_the_difference(app, artifacts):
    """Fork full_embargo in April 2024, lift the ban on heavy oxide and magnets to the US in the what-if, run
    on a year: the Why panel explains the difference in the US shortage by that lever, all of it."""
    page, watch = app
    pick(page, "scenario", "full_embargo")
    expect()(page.get_by_text("full_embargo, seed 42")).to_be_visible(timeout=LONG)
    page.get_by_label("run to month (YYYY-MM)").fill("2024-04")
    page.get_by_role("button", name="Run to").click()
    expect()(page.locator(".ree-month")).to_contain_text("month 4 of", timeout=LONG)
    fork_and_set_level(page, "2024-04", "none", "lift the ban for the US")
    expect()(page.locator(".ree-lever-done")).to_contain_text("From 2024-05, CN lifts controls", timeout=LONG)
    step(page, 12, 16)

    # the difference table: each year, and totals outside China
    rows = [r.split("\t") for r in page.locator(".ree-diff tbody tr").all_inner_texts()]
    measures = [r[0] for r in rows if r[0]]
    assert "refining capacity outside China (t/yr, at the end)" in measures
    assert "magnets delivered outside China (t REO)" in measures
    us = next(i for i, r in enumerate(rows) if r[0] == "US magnet shortage (t REO)")
    assert [r[1] for r in rows[us:us + 3]] == ["so far", "2024", "2025"]
    us_difference = number(rows[us][4])
    assert us_difference < -100, rows[us]

    page.get_by_role("tab", name="Why?").click()
    summary = page.locator(".ree-why-summary")
    expect()(summary).to_contain_text("in the what-if", timeout=LONG)
    expect()(summary).to_contain_text("The levers you pulled after the fork (2024-04)")
    table = page.locator(".ree-why-table")
    cells = table.locator("tbody tr").first.inner_text().split("\t")
    assert cells[0] == "your lever 1: CN export control" and cells[1] == "2024-05", cells
    assert number(cells[2]) == pytest.approx(us_difference, abs=1.0), (cells, us_difference)  # all of it
    bars = page.locator(".vega-embed").filter(has_text="your lever 1: CN export control (2024-05)")
    expect()(bars).to_be_visible(timeout=LONG)
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts / "06_compare_why_difference.png")

    page.get_by_role("button", name="the what-if", exact=True).click()  # every event and lever of the what-if
    expect()(summary).to_contain_text("with every event and lever", timeout=LONG)
    expect()(table).to_contain_text("embargo")
    expect()(table).to_contain_text("your lever 1: CN export control")
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts / "07_compare_why_whatif.png")

    page.get_by_role("tab", name="Charts").click()  # a click on Japan's shortage line explains it
    page.wait_for_timeout(1000)
    japan = ('path[aria-roledescription="point"][aria-label*="country: JP"][aria-label*="date: 2024-09"]'
             '[aria-label*="branch: baseline"]:visible')  # 23% short: no other point there
    page.locator(japan).click()
    expect()(summary).to_contain_text("JP magnet shortage (t REO), 2024-01 to 2025-04", timeout=LONG)

    page.get_by_role("tab", name="Trade flows").click()
    for branch in ("what-if", "baseline"):
        expect()(page.get_by_text(f"{branch}: NdFeB magnets: exporters")).to_be_visible(timeout=LONG)
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts / "08_compare_flows.png")
    with page.expect_download(timeout=LONG) as download:
        # the progress text shows only while the zip is written (about 2 s): a busy machine can finish before
        # the page draws it, so the download itself is what this checks; run_zip's steps have a unit test
        page.get_by_role("button", name="Download the baseline (zip)").click()
    assert download.value.suggested_filename == "ree_baseline_full_embargo_2025-04.zip"

    page.get_by_role("tab", name="Explore").click()
    page.get_by_role("tab", name="Shortages").wait_for(timeout=LONG)  # the explore page is up
    page.get_by_role("tab", name="Why?").click()
    expect()(page.locator(".ree-why-summary")).to_contain_text("with every event and lever", timeout=LONG)
    expect()(page.locator(".ree-why-table")).to_contain_text("your lever 1: CN export control")
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts / "09_explore_why.png")
    watch.assert_clean()


def test_the_server_log_has_no_traceback(server):  # last: after every browser test above
    log = server.log_text()
    assert "Traceback" not in log and "Error" not in log.replace("UserWarning", ""), log[-3000:]
