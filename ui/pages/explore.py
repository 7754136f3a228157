"""Explore: run a scenario month by month, pull levers, and watch prices, shortages, trade, capacity,
licences and the events (with their reasons) unfold; "Why?" says which events and levers explain an outcome."""

from __future__ import annotations

import solara

from ..components import (
    CapacityChart,
    DownloadRun,
    EventFeed,
    FlowChart,
    LeverPanel,
    LicenceChart,
    MonthBanner,
    PlayControls,
    PriceChart,
    ScenarioPicker,
    ShortageCharts,
    UpcomingEvents,
    WhyPanel,
)
from ..state import use_store

WHY_TAB = 5  # the tabs' order below


@solara.component
def LiveCharts(store):
    """Everything drawn from the month's snapshot: the only part of the page a new month redraws."""
    view = store.view.value
    tab = solara.use_reactive(0)

    def explain(country: str) -> None:  # a click on a country's shortage line
        store.explain_country(country)
        tab.set(WHY_TAB)

    MonthBanner(view)
    PriceChart(view)
    with solara.lab.Tabs(value=tab, lazy=True):
        with solara.lab.Tab("Shortages"):
            ShortageCharts(view, on_country=explain)
        with solara.lab.Tab("Trade flows"):
            FlowChart(view, store.flow_product)
        with solara.lab.Tab("Capacity"):
            CapacityChart(view)
        with solara.lab.Tab("Licences"):
            LicenceChart(view)
        with solara.lab.Tab("Events"):
            EventFeed(view.frames["events.csv"])
        with solara.lab.Tab("Why?"):
            WhyPanel(store)


@solara.component
def StillToCome(store):
    """Every scheduled event of the scenario not yet run; its own component, so a new month redraws only it."""
    view = store.view.value
    if view is not None and view.upcoming:
        with solara.Card():
            UpcomingEvents(view.upcoming)


@solara.component
def Page():
    store = use_store()
    with solara.Columns([1, 3]):
        with solara.Column():
            with solara.Card("Run"):
                ScenarioPicker(store)
                PlayControls(store)
                DownloadRun(store)
            StillToCome(store)
            with solara.Card("Levers"):
                LeverPanel(store)
        with solara.Column():
            LiveCharts(store)
