"""report.html opens in Chromium with no console errors, offline, and its event log filters work."""

import pandas as pd
import pytest

from sim.runs.outputs import write_outputs
from tests.browser_support import chromium_or_skip
from tests.conftest import cached_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page():
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    chromium = chromium_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        context = browser.new_context(offline=True)  # a report must need nothing from a network
        yield context.new_page()
        browser.close()


@pytest.mark.parametrize("scenario", ["baseline_2024", "apr2025_licensing"])
def test_report_loads_without_console_errors_and_filters_the_log(page, scenario, tmp_path):
    write_outputs(cached_run(scenario).model, tmp_path)
    events = pd.read_csv(tmp_path / "events.csv")
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.goto((tmp_path / "report.html").as_uri())
    page.wait_for_load_state("load")
    assert problems == []
    assert page.locator("#f-count").inner_text() == f"{len(events)} of {len(events)} rows shown"

    kind = events["kind"].value_counts().index[-1]  # the rarest kind
    page.select_option("#f-kind", kind)
    assert page.locator("#log tbody tr:visible").count() == (events["kind"] == kind).sum()
    actor = events.loc[events["kind"] == kind, "actor"].iloc[0]
    page.select_option("#f-actor", actor)
    both = ((events["kind"] == kind) & (events["actor"] == actor)).sum()
    assert page.locator("#f-count").inner_text() == f"{both} of {len(events)} rows shown"
    page.select_option("#f-kind", "")
    page.select_option("#f-actor", "")
    page.fill("#f-text", "no such words anywhere")
    assert page.locator("#log tbody tr:visible").count() == 0
    # the summary's link to the licence refusals filters the log to them
    if (events["kind"] == "licence_denied").any():
        page.click("#what-happened a[data-kind='licence_denied']")
        assert page.locator("#log tbody tr:visible").count() == (events["kind"] == "licence_denied").sum()
    # the summary's links lead to sections that exist
    for anchor in page.locator("#what-happened a.see").evaluate_all("links => links.map(a => a.hash)"):
        assert page.locator(anchor).count() == 1, anchor
