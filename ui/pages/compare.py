"""Compare and fork: the what-if against its baseline with the same seed: a table of differences (the run
so far and each year), the charts overlaid (what-if solid, baseline dashed), both branches' trade flows,
"Why?" (the difference explained by the levers pulled after the fork, or either branch by its events and
levers), and a zip of each branch."""

from __future__ import annotations

import solara

from ..components import (
    CapacityChart,
    DifferenceTable,
    DownloadRun,
    FlowChart,
    ForkControls,
    LeverPanel,
    MonthBanner,
    PlayControls,
    PriceChart,
    ShortageCharts,
    WhyPanel,
)
from ..state import use_store

WHY_TAB = 2  # the tabs' order below


@solara.component
def LiveComparison(store):
    view, baseline = store.view.value, store.baseline.value
    tab = solara.use_reactive(0)

    def explain(country: str) -> None:  # a click on a country's shortage line
        store.explain_country(country)
        tab.set(WHY_TAB)

    MonthBanner(view)
    DifferenceTable(view, baseline, store.fork_date.value)
    with solara.lab.Tabs(value=tab, lazy=True):
        with solara.lab.Tab("Charts"):
            PriceChart(view, baseline)
            ShortageCharts(view, baseline, on_country=explain)
            CapacityChart(view, baseline)
        with solara.lab.Tab("Trade flows"):
            FlowChart(view, store.flow_product, baseline)
        with solara.lab.Tab("Why?"):
            WhyPanel(store, modes=("difference", "model", "baseline"))


@solara.component
def Page():
    store = use_store()
    compared = store.baseline.value is not None
    with solara.Columns([1, 3]):
        with solara.Column():
            with solara.Card("Branches"):
                ForkControls(store)
                PlayControls(store)
                DownloadRun(store, branch="whatif" if compared else None)
                if compared:
                    DownloadRun(store, which="baseline", branch="baseline")
            with solara.Card("Levers (what-if only)"):
                LeverPanel(store)
        with solara.Column():
            LiveComparison(store)
