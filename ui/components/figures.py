"""The live charts as small components: each takes a `Snapshot` (and the baseline's, when comparing) and
draws one chart of `ui.components.charts`, or a line of text while there is nothing to draw yet."""
from __future__ import annotations

import solara
import solara.widgets

from sim.constants import PRODUCTS

from . import charts


@solara.component
def Chart(spec: dict):
    """A Vega-Lite spec from `charts`, drawn by Solara's VegaLite widget (the one FigureAltair uses)."""
    return solara.widgets.VegaLite.element(spec=spec, listen_to_click=False, listen_to_hover=False)


def _frame(view, name: str, baseline=None):
    frame = view.frames[f"{name}.csv"]
    if baseline is not None:
        frame = charts.stacked_branches(frame, baseline.frames[f"{name}.csv"])
    return frame


@solara.component
def Waiting(what: str):
    solara.Text(f"{what}: run a month to see it.", style={"color": "#555", "padding": "12px"})


@solara.component
def PriceChart(view, baseline=None):
    if view is None or view.months_run == 0:
        return Waiting("Prices in China and in the rest of the world")
    Chart(charts.prices(_frame(view, "prices", baseline)))


@solara.component
def ShortageCharts(view, baseline=None):
    if view is None or view.months_run == 0:
        return Waiting("Shortages by country and sector")
    supply = view.frames["supply.csv"]
    if (supply["demand_t"] - supply["delivered_t"]).max() < 0.5:
        solara.Text("No shortage so far: every manufacturer has had the magnets it ordered.", classes=["ree-note"])
    with solara.Row(style={"flex-wrap": "wrap"}):
        Chart(charts.shortage_share(_frame(view, "supply", baseline)))
        Chart(charts.shortage_by_sector(view.frames["supply.csv"]))


@solara.component
def FlowChart(view, product: solara.Reactive[str]):
    if view is None or view.months_run == 0:
        return Waiting("Trade flows")
    by_name = {charts.PRODUCT_NAMES[p]: p for p in PRODUCTS}
    solara.ToggleButtonsSingle(value=charts.PRODUCT_NAMES[product.value], values=list(by_name),
                               on_value=lambda name: product.set(by_name[name]))
    Chart(charts.trade_flows(view.frames["flows.csv"], product.value))


@solara.component
def CapacityChart(view, baseline=None):
    if view is None or view.months_run == 0:
        return Waiting("Capacity by country and stage")
    Chart(charts.capacity(_frame(view, "capacity", baseline)))


@solara.component
def LicenceChart(view):
    if view is None or view.months_run == 0 or view.frames["licences.csv"].empty:
        return Waiting("Licence queue and approvals (only where exports need a licence)")
    Chart(charts.licences(view.frames["licences.csv"]))
