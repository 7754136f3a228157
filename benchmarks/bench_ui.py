"""Web UI speed: server-side time of one month step with the page's chart updates, and time to first paint.

    python benchmarks/bench_ui.py            # 36 months of apr2025_licensing, 3 page loads
    python benchmarks/bench_ui.py --quick    # 12 months, 1 page load

1. Step: the Explore page is rendered server-side (solara.render, no browser) with its own store; each month
   is `store.refresh(session.step(1))` as the Step button does: the model's month, the snapshot of its tables,
   the chart specs and the widget updates Solara sends. Reported per month (median, max) next to the bare
   `model.step()` measured in the same run (the ratio is the UI's overhead). Target: < 100 ms.
2. First paint: `ree ui` on a free port, headless Chromium (Debian's, /usr/bin/chromium) opens the page;
   time from navigation to the browser's first contentful paint and to the month banner being visible
   (the page usable). Target: < 3 s. Not a timed test: numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCENARIO = "apr2025_licensing"


def step_times(months: int) -> tuple[list[float], list[float]]:
    import solara

    from sim import RareEarthModel
    from ui.components.charts import build_templates
    from ui.pages import _new_store, explore
    from ui.state import store_context

    holder = {}

    @solara.component
    def Root():
        store = solara.use_memo(_new_store, [])
        holder["store"] = store
        store_context.provide(store)
        explore.Page()

    build_templates()  # as ui.app does when the server starts
    solara.render(Root(), handle_error=False)
    store = holder["store"]
    store.pick_scenario(SCENARIO)
    ui, bare = [], []
    model = RareEarthModel(SCENARIO, seed=42)
    for _ in range(months):
        began = time.perf_counter()
        store.refresh(store.session.step(1))
        ui.append(time.perf_counter() - began)
        began = time.perf_counter()
        model.step()
        bare.append(time.perf_counter() - began)
    return ui, bare


def first_paint(loads: int) -> list[tuple[float, float]]:
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/"}
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "ui", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        out = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            for _ in range(loads):
                context = browser.new_context()
                page = context.new_page()
                began = time.perf_counter()
                page.goto(url)
                page.get_by_text("no month run yet").wait_for(timeout=60_000)
                usable = time.perf_counter() - began
                fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1")
                out.append((fcp / 1000.0, usable))
                context.close()
            browser.close()
        return out
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    months, loads = (12, 1) if args.quick else (36, 3)
    ui, bare = step_times(months)
    later = ui[1:]  # the first month also draws each chart for the first time
    print(f"month step with chart updates ({SCENARIO}, scale 1, {months} months):")
    print(
        f"  first month {ui[0] * 1000:.0f} ms (first drawing); then median "
        f"{statistics.median(later) * 1000:.0f} ms, max {max(later) * 1000:.0f} ms  (target < 100 ms)"
    )
    print(
        f"  bare model.step(): median {statistics.median(bare) * 1000:.1f} ms -> UI overhead "
        f"x{statistics.median(later) / statistics.median(bare):.0f}"
    )
    paints = first_paint(loads)
    for i, (fcp, usable) in enumerate(paints, 1):
        print(f"page load {i}: first contentful paint {fcp:.2f} s, month banner shown {usable:.2f} s  (target < 3 s)")


if __name__ == "__main__":
    main()
