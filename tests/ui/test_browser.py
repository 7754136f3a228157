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
    expect()(done).to_contain_text("From 2025-02, CN bans exports of Dy/Tb oxide, magnets to US", timeout=LONG)
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
    expect()(page.locator(".ree-lever-error")).to_contain_text(
        "approval_rate: Input should be less than or equal to 1", timeout=LONG
    )
    page.get_by_label("run to month (YYYY-MM)").fill("2124-01")
    page.get_by_role("button", name="Run to").click()
    expect()(page.locator(".ree-run-error")).to_contain_text(
        "2124-01 is too far: a run is at most 1200 months long", timeout=LONG
    )
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
    page.get_by_label("amount (t REO, 0 to 2,000,000, or all)").fill("1000000")
    page.get_by_role("button", name="Apply from next month").click()
    warning = page.locator(".ree-lever-warning")
    expect()(warning).to_contain_text(
        "From 2024-01, JP releases 17 t of Dy/Tb oxide to JP firms (all the "
        "stockpile holds). Warning: asks for 1,000,000 t but the stockpile holds 17 t",
        timeout=LONG,
    )
    assert page.locator(".ree-lever-done").count() == 0
    warning.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "05_lever_warning.png")
    step(page, 1, 1)
    page.get_by_role("tab", name="Events").click()
    expect()(page.locator(".ree-feed")).to_contain_text(
        "(warning: asks for 1,000,000 t but the stockpile holds 17 t)", timeout=LONG
    )
    watch.assert_clean()


NEW_LEVERS = (
    "Suspend a measure",
    "Resume a measure",
    "Cancel a measure",
    "Extraterritorial rule",
    "Technology ban",
    "Stockpile target",
    "Price floor",
    "Relations",
)


def test_the_lever_list_offers_the_new_kinds_and_a_suspension_names_the_runs_measure(app, artifacts):
    """Every event kind is a lever; a suspension offers the measures in force or pending by id and
    name (baseline_2024 starts with China's 2023 technology ban, `catalogue_2023`, in force)."""
    page, watch = app
    page.get_by_label("lever", exact=True).first.click(force=True)
    for title in NEW_LEVERS:
        expect()(page.get_by_role("option", name=title, exact=True)).to_be_attached(timeout=LONG)
    page.get_by_role("option", name="Suspend a measure", exact=True).click()
    page.get_by_label("measure (id: kind of date by actor, state)", exact=True).first.click(force=True)
    offered = page.get_by_role("option", name=re.compile(r"^catalogue_2023: technology_ban of 2023-12 by CN, in force"))
    expect()(offered).to_be_visible(timeout=LONG)
    offered.click()
    page.get_by_label("why (shown in the event feed)").fill("a truce on technology")
    page.get_by_role("button", name="Apply from next month").click()
    expect()(page.locator(".ree-lever-done")).to_contain_text(
        "From 2024-01, CN suspends catalogue_2023 (technology_ban of 2023-12, CN).", timeout=LONG
    )
    page.screenshot(path=artifacts / "05b_lever_suspend.png")
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
    assert [r[1] for r in rows[us : us + 3]] == ["so far", "2024", "2025"]
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
    japan = (
        'path[aria-roledescription="point"][aria-label*="country: JP"][aria-label*="date: 2024-09"]'
        '[aria-label*="branch: baseline"]:visible'
    )  # 23% short: no other point there
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


VERSION_WARNING = re.compile(r"Vega(-Lite)? v?\d+\.\d+.*current version", re.IGNORECASE)
# Solara 1.64's own navigator.vue says `modules.export =` for `module.exports =` (solara/widgets/vue/): once a page
KNOWN_WARNINGS = ("Failed to evaluate Vue script and find module.exports",)


def watched_page(browser, server):
    """A page whose every console message is kept from the first one on (the `app` fixture keeps errors)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1700})
    page = context.new_page()
    messages: list[tuple[str, str]] = []
    page.on("console", lambda msg: messages.append((msg.type, msg.text)))
    page.on("pageerror", lambda exc: messages.append(("error", str(exc))))
    page.goto(server.url)
    page.get_by_text("no month run yet").wait_for(timeout=LONG)
    return context, page, messages


def test_explore_draws_every_chart_with_no_vega_version_warning(browser, server, artifacts):
    """Vega-Lite served at a version that draws Altair's specs (ui/assets.py): no version warning over a session
    of every chart of both pages; no console error; no warning but Solara's own (KNOWN_WARNINGS)."""
    context, page, messages = watched_page(browser, server)
    step(page, 1, 1)
    step(page, 12, 13)
    price_chart(page).wait_for(timeout=LONG)
    for tab in ("Trade flows", "Capacity", "Licences", "Events", "Shortages"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(800)
    page.get_by_role("tab", name="Compare and fork").click()
    page.get_by_role("button", name="Fork here").click()
    step(page, 12, 25)
    page.wait_for_timeout(1500)
    page.get_by_role("tab", name="Explore").click()
    page.wait_for_timeout(1500)
    page.screenshot(path=artifacts / "10_explore_console_checked.png")
    assert page.locator(".vega-embed").count() >= 2
    versions = [text for _, text in messages if VERSION_WARNING.search(text)]
    errors = [text for kind, text in messages if kind == "error"]
    warnings = [text for kind, text in messages if kind == "warning"]
    print(
        f"console: {len(messages)} messages, {len(warnings)} warnings, {len(errors)} errors, "
        f"{len(versions)} Vega version warnings"
    )
    context.close()
    assert versions == []
    assert errors == []
    assert [w for w in warnings if not w.startswith(KNOWN_WARNINGS)] == []


def test_still_to_come_lists_every_upcoming_event(app, artifacts):
    """truce_lapses_2026 has 20 events still to come at its start; the last three (November 2026: the
    suspended measures resume) were cut off when the list stopped at 12."""
    page, watch = app
    pick(page, "scenario", "truce_lapses_2026")
    expect()(page.get_by_text("truce_lapses_2026, seed")).to_be_visible(timeout=LONG)
    box = page.locator(".ree-upcoming")
    expect()(box.locator("tbody tr")).to_have_count(20, timeout=LONG)
    expect()(page.get_by_text("Still to come in this scenario (20 events")).to_be_visible()
    resumed = box.locator("tbody tr").filter(has_text="resume")
    expect()(resumed).to_have_count(3)
    assert box.evaluate("el => el.scrollHeight > el.clientHeight")  # a box that scrolls, not a page that grows
    resumed.last.scroll_into_view_if_needed()
    expect()(resumed.last).to_contain_text("Nos. 56 and 62 return")
    expect()(resumed.last).to_be_visible()
    page.screenshot(path=artifacts / "11_still_to_come.png")
    step(page, 12, 12)  # a year on: what has happened is no longer to come
    expect()(box.locator("tbody tr")).to_have_count(20 - 1, timeout=LONG)
    watch.assert_clean()


def test_run_to_past_the_end_carries_the_run_on(app, artifacts):
    page, watch = app
    pick(page, "scenario", "classroom_2025")  # 24 months, to 2026-12
    expect()(page.get_by_text("classroom_2025, seed")).to_be_visible(timeout=LONG)
    page.get_by_label("run to month (YYYY-MM)").fill("2026-12")
    page.get_by_role("button", name="Run to").click()
    expect()(page.locator(".ree-month")).to_contain_text("month 24 of 24 · the run is over", timeout=LONG)
    expect()(page.locator(".ree-run-note")).to_contain_text("Run to a later month to carry it on")
    page.get_by_label("run to month (YYYY-MM)").fill("2027-03")
    page.get_by_role("button", name="Run to").click()
    expect()(page.locator(".ree-month")).to_contain_text("2027-03 · month 27 of 36 · ends 2027-12", timeout=LONG)
    expect()(page.locator(".ree-run-name")).to_contain_text("carried on past the scenario's end (2026-12)")
    expect()(page.locator(".ree-run-error")).to_have_count(0)
    step(page, 1, 28)  # stepping goes on
    page.wait_for_timeout(800)
    page.screenshot(path=artifacts / "12_run_past_the_end.png")
    watch.assert_clean()


def test_the_server_log_has_no_traceback(server):  # last: after every browser test above
    log = server.log_text()
    assert "Traceback" not in log and "Error" not in log.replace("UserWarning", ""), log[-3000:]
