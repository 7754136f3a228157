"""Screenshots of report.html (the top of the page: what happened, headlines, the first charts) for
`baseline_2024` and `apr2025_licensing`, taken in headless Chromium, into docs/img/.

    python docs/make_report_screenshots.py          # needs Debian's chromium and the test extra (playwright)
"""

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.runs.runner import run_to_folder
from sim.scenario import load_scenario

IMG = Path(__file__).parent / "img"
SCENARIOS = ("baseline_2024", "apr2025_licensing")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1100, "height": 1500})
        for name in SCENARIOS:
            folder = Path(tmp) / name
            run_to_folder(load_scenario(name), folder)
            page.goto((folder / "report.html").as_uri())
            out = IMG / f"report_{name}.png"
            page.screenshot(path=str(out))
            print(f"wrote {out}")
        browser.close()


if __name__ == "__main__":
    main()
