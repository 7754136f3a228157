"""Chart specifications (Altair, Vega-Lite 5) built from the run's output tables: pure functions, so the
explore, compare and classroom pages share them and tests check them without a browser.

Every chart names its units on the axes, draws countries, products, markets, sectors and stages in the
project's one palette (`sim.runs.palette`) and lets a click on the legend fade the other series. Frames
may carry a `branch` column ("what-if" / "baseline"): the branches are then told apart by line style.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from sim.constants import COUNTRIES, PRODUCTS, SECTORS, STAGES
from sim.runs import palette

PRODUCT_NAMES = {"ore": "ore (mixed concentrate)", "light_oxide": "NdPr oxide (light)",
                 "heavy_oxide": "Dy/Tb oxide (heavy)", "magnet": "NdFeB magnets"}
WIDTH, HEIGHT = 300, 170


def _scale(colours: dict[str, str], keys=None) -> alt.Scale:
    domain = list(keys if keys is not None else colours)
    return alt.Scale(domain=domain, range=[colours[k] for k in domain])


def _months(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(month=pd.to_datetime(frame["date"] + "-01"))


def _x_month() -> alt.X:
    return alt.X("month:T", title="month", axis=alt.Axis(format="%Y-%m", labelAngle=-30, tickCount=6))


def _toggle(field: str):
    return alt.selection_point(fields=[field], bind="legend", name=f"pick_{field}")


def _faded(selection) -> alt.OpacityValue:
    return alt.condition(selection, alt.value(1.0), alt.value(0.12))


def _branch(frame: pd.DataFrame) -> dict:
    if "branch" not in frame:
        return {}
    return {"strokeDash": alt.StrokeDash("branch:N", title="branch", scale=alt.Scale(
        domain=list(palette.BRANCH_DASH), range=list(palette.BRANCH_DASH.values())))}


def _grid(panels: list, columns: int):
    rows = [alt.hconcat(*panels[i:i + columns]) for i in range(0, len(panels), columns)]
    return alt.vconcat(*rows)


def prices(frame: pd.DataFrame, products=PRODUCTS) -> alt.VConcatChart:
    """China's domestic price against the world's, one panel per product (log scale: prices span 1000x).
    Two series a panel need no legend toggle; hover shows the values. (Panels are concatenated, not faceted:
    Vega-Lite 5.2, the offline bundle, refuses a legend selection repeated over panels, "Duplicate signal
    name".)"""
    data = _months(frame)
    panels = []
    for product in products:
        panels.append(alt.Chart(data[data["product"] == product]).mark_line(point=alt.OverlayMarkDef(size=14)).encode(
            x=_x_month(),
            y=alt.Y("usd_per_kg:Q", title="price (USD per kg REO)", scale=alt.Scale(type="log", zero=False)),
            color=alt.Color("market:N", title="market", scale=_scale(palette.MARKET)),
            tooltip=["date:N", "product:N", "market:N",
                     alt.Tooltip("usd_per_kg:Q", title="USD/kg", format=",.1f"),
                     *(["branch:N"] if "branch" in data else [])],
            **_branch(data),
        ).properties(width=WIDTH, height=HEIGHT, title=PRODUCT_NAMES[product]))
    return _grid(panels, 2)


def shortage_share(frame: pd.DataFrame) -> alt.Chart:
    """Each country's unmet share of its manufacturers' magnet demand, month by month."""
    keys = ["date", "country"] + (["branch"] if "branch" in frame else [])
    data = frame.groupby(keys, as_index=False)[["demand_t", "delivered_t"]].sum()
    data = _months(data[data["demand_t"] > 0]).assign(
        short_pct=lambda d: 100 * (d["demand_t"] - d["delivered_t"]) / d["demand_t"])
    pick = _toggle("country")
    return alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=14)).encode(
        x=_x_month(),
        y=alt.Y("short_pct:Q", title="shortage (% of magnet demand)"),
        color=alt.Color("country:N", title="country", scale=_scale(palette.COUNTRY)),
        opacity=_faded(pick),
        tooltip=["date:N", "country:N", alt.Tooltip("short_pct:Q", title="shortage %", format=".1f"),
                 *(["branch:N"] if "branch" in data else [])],
        **_branch(data),
    ).add_params(pick).properties(width=WIDTH + 80, height=HEIGHT + 30, title="Shortage by country")


def shortage_by_sector(frame: pd.DataFrame) -> alt.Chart:
    """Tonnes of magnet demand left unmet over the run so far, by country, split by sector."""
    data = frame.assign(short_t=frame["demand_t"] - frame["delivered_t"])
    data = data.groupby(["country", "sector"], as_index=False)["short_t"].sum()
    pick = _toggle("sector")
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("country:N", title="country", sort=list(COUNTRIES)),
        y=alt.Y("short_t:Q", title="shortage so far (t REO)", stack="zero"),
        color=alt.Color("sector:N", title="sector", scale=_scale(palette.SECTOR)),
        opacity=_faded(pick),
        tooltip=["country:N", "sector:N", alt.Tooltip("short_t:Q", title="t REO unmet", format=",.0f")],
    ).add_params(pick).properties(width=WIDTH, height=HEIGHT + 30, title="Shortage by country and sector")


def trade_flows(frame: pd.DataFrame, product: str, months: int = 1) -> alt.LayerChart:
    """Exports of one product, exporter (left) to importer (right); line width = tonnes a month, averaged
    over the last `months` months. Domestic deliveries are left out."""
    recent = sorted(frame["date"].unique())[-months:]
    data = frame[(frame["product"] == product) & frame["date"].isin(recent) & (frame["exporter"] != frame["importer"])]
    data = data.groupby(["exporter", "importer"], as_index=False)["tonnes"].sum()
    data = data.assign(tonnes=data["tonnes"] / max(len(recent), 1), left=0.0, right=1.0)
    data = data[data["tonnes"] > 0.05]
    rank = {c: i for i, c in enumerate(COUNTRIES)}
    data = data.assign(y0=data["exporter"].map(rank), y1=data["importer"].map(rank))
    y = alt.Y("y0:Q", axis=None, scale=alt.Scale(domain=[-0.5, len(COUNTRIES) - 0.5], reverse=True))
    pick = _toggle("exporter")
    links = alt.Chart(data).mark_rule(strokeCap="round").encode(
        x=alt.X("left:Q", axis=None, scale=alt.Scale(domain=[-0.25, 1.25])), x2="right:Q", y=y, y2="y1:Q",
        strokeWidth=alt.StrokeWidth("tonnes:Q", title="t REO per month", scale=alt.Scale(range=[0.5, 22])),
        color=alt.Color("exporter:N", title="exporter", scale=_scale(palette.COUNTRY)),
        opacity=alt.condition(pick, alt.value(0.75), alt.value(0.08)),
        tooltip=["exporter:N", "importer:N", alt.Tooltip("tonnes:Q", title="t REO per month", format=",.1f")],
    ).add_params(pick)
    labels = [_country_labels(x, align) for x, align in ((-0.04, "right"), (1.04, "left"))]
    title = (f"{PRODUCT_NAMES[product]}: exporters (left) to importers (right), "
             f"{recent[-1] if recent else 'no month yet'}")
    return alt.layer(links, *labels).resolve_scale(color="independent").properties(
        width=WIDTH + 120, height=HEIGHT + 90, title=title)


def _country_labels(x: float, align: str) -> alt.Chart:
    nodes = pd.DataFrame({"x": x, "y0": range(len(COUNTRIES)), "label": list(COUNTRIES)})
    return alt.Chart(nodes).mark_text(fontSize=13, fontWeight="bold", align=align).encode(
        x=alt.X("x:Q"), y=alt.Y("y0:Q"), text="label:N",
        color=alt.Color("label:N", scale=_scale(palette.COUNTRY), legend=None))


def capacity(frame: pd.DataFrame) -> alt.HConcatChart:
    """Capacity by country, one panel per stage of the chain; the legend toggle is on the magnets panel
    (one legend-bound selection per chart, as Vega-Lite 5.2 allows)."""
    data = _months(frame)
    panels = []
    pick = _toggle("country")
    for stage in STAGES:
        panels.append(alt.Chart(data[data["stage"] == stage]).mark_line().encode(
            x=_x_month(),
            y=alt.Y("tonnes_per_year:Q", title="capacity (t REO per year)"),
            color=alt.Color("country:N", title="country", scale=_scale(palette.COUNTRY)),
            opacity=_faded(pick),
            tooltip=["date:N", "country:N", "stage:N",
                     alt.Tooltip("tonnes_per_year:Q", title="t REO/yr", format=",.0f"),
                     *(["branch:N"] if "branch" in data else [])],
            **_branch(data),
        ).properties(width=WIDTH - 70, height=HEIGHT, title=f"{stage} capacity"))
    panels[-1] = panels[-1].add_params(pick)
    return alt.hconcat(*panels)


def licences(frame: pd.DataFrame) -> alt.Chart:
    """Licence applications a month, what was approved and denied, and the queue waiting for a decision."""
    columns = {"applied_t": "applied", "approved_t": "approved", "denied_t": "denied", "pending_t": "pending"}
    data = frame.groupby("date", as_index=False)[list(columns)].sum().rename(columns=columns)
    data = _months(data.melt(id_vars="date", var_name="status", value_name="tonnes"))
    pick = _toggle("status")
    return alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=14)).encode(
        x=_x_month(),
        y=alt.Y("tonnes:Q", title="t REO (a month; pending: in the queue)"),
        color=alt.Color("status:N", title="licences", scale=_scale(palette.LICENCE)),
        opacity=_faded(pick),
        tooltip=["date:N", "status:N", alt.Tooltip("tonnes:Q", title="t REO", format=",.1f")],
    ).add_params(pick).properties(width=WIDTH + 80, height=HEIGHT + 30, title="Export licences, all exporters")


def stacked_branches(what_if: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """One frame with both branches, for the overlaid comparison charts."""
    return pd.concat([what_if.assign(branch="what-if"), baseline.assign(branch="baseline")], ignore_index=True)


__all__ = ["prices", "shortage_share", "shortage_by_sector", "trade_flows", "capacity", "licences",
           "stacked_branches", "PRODUCT_NAMES", "SECTORS"]
