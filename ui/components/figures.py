"""The live charts as small components: each takes a `Snapshot` (and the baseline's, when comparing) and
draws one chart of `ui.components.charts`, or a line of text while there is nothing to draw yet."""

from __future__ import annotations

from pathlib import Path

import ipyvuetify as v
import solara
import traitlets

from sim.constants import PRODUCTS

from . import charts


class VegaChart(v.VuetifyTemplate):
    """Draws a Vega-Lite spec with the offline vega-embed; like Solara's VegaLite widget, but loading the
    chart libraries once per page (see vega_chart.vue) and without the link to the online Vega editor."""

    template_file = str(Path(__file__).with_name("vega_chart.vue"))
    spec = traitlets.Dict().tag(sync=True)
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    clickable = traitlets.Bool(False).tag(sync=True)
    clicked = traitlets.Unicode("").tag(sync=True)  # "COUNTRY:n", set by a click on a country's mark


@solara.component
def Chart(spec: dict, on_country=None):
    """A Vega-Lite spec from `charts`; `on_country(country)` hears of a click on a country's mark."""
    if on_country is None:
        return VegaChart.element(spec=spec)
    return VegaChart.element(
        spec=spec, clickable=True, on_clicked=lambda text: on_country(text.partition(":")[0]) if text else None
    )


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
def ShortageCharts(view, baseline=None, on_country=None):
    """`on_country(country)`: a click on a country's line (the Why panel explains its shortage)."""
    if view is None or view.months_run == 0:
        return Waiting("Shortages by country and sector")
    supply = view.frames["supply.csv"]
    short = (supply["demand_t"] - supply["delivered_t"]).max() >= 0.5
    if not short:
        where = " in the what-if" if baseline is not None else ""
        solara.Text(
            f"No shortage so far{where}: every manufacturer has had the magnets it ordered.", classes=["ree-note"]
        )
    with solara.Row(style={"flex-wrap": "wrap"}):
        Chart(charts.shortage_share(_frame(view, "supply", baseline)), on_country)
        if short:  # tonnes by sector: an empty axis says nothing a student can read
            Chart(charts.shortage_by_sector(view.frames["supply.csv"]))


@solara.component
def FlowChart(view, product: solara.Reactive[str], baseline=None):
    """Last month's exports of the chosen product; with a baseline, both branches side by side."""
    if view is None or view.months_run == 0:
        return Waiting("Trade flows")
    by_name = {charts.PRODUCT_NAMES[p]: p for p in PRODUCTS}
    solara.ToggleButtonsSingle(
        value=charts.PRODUCT_NAMES[product.value],
        values=list(by_name),
        on_value=lambda name: product.set(by_name[name]),
    )
    branches = [("", view)] if baseline is None else [("what-if", view), ("baseline", baseline)]
    with solara.Row(style={"flex-wrap": "wrap"}):
        for branch, snap in branches:
            Chart(charts.trade_flows(snap.frames["flows.csv"], product.value, branch=branch))


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
