"""Compare and fork: the what-if against its baseline with the same seed, overlaid (what-if solid,
baseline dashed) with a table of differences."""
from __future__ import annotations

import solara

from ..components import (
    CapacityChart, DifferenceTable, DownloadRun, ForkControls, LeverPanel, MonthBanner, PlayControls, PriceChart,
    ShortageCharts,
)
from ..state import use_store


@solara.component
def LiveComparison(store):
    view, baseline = store.view.value, store.baseline.value
    MonthBanner(view)
    DifferenceTable(view, baseline, store.fork_date.value)
    PriceChart(view, baseline)
    ShortageCharts(view, baseline)
    CapacityChart(view, baseline)


@solara.component
def Page():
    store = use_store()
    with solara.Columns([1, 3]):
        with solara.Column():
            with solara.Card("Branches"):
                ForkControls(store)
                PlayControls(store)
                DownloadRun(store)
                DownloadRun(store, which="baseline")
            with solara.Card("Levers (what-if only)"):
                LeverPanel(store)
        with solara.Column():
            LiveComparison(store)
