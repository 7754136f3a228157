"""Chart specifications (Vega-Lite 5, written with Altair) built from the run's output tables: pure
functions, shared by the explore, compare and classroom pages and checked by tests without a browser.

Every chart names its units on the axes, draws countries, products, markets, sectors and stages in the
project's one palette (`sim.runs.palette`) and, where there are many series, lets a click on the legend fade
the others; hovering shows the values. A frame may carry a `branch` column ("what-if" / "baseline"): the
branches are then told apart by line style, so a country keeps its colour.

Speed: Altair builds and validates a spec in tens of milliseconds, too slow to redo every month. Each chart's
spec is therefore built once per shape (lru_cache) around a named dataset, and a month only swaps the rows
in (`spec["datasets"]`, as CSV text), which is what the browser redraws.
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from sim.constants import COUNTRIES, PRODUCTS, STAGES
from sim.runs import palette
from sim.shortage import unmet_frame

PRODUCT_NAMES = {
    "ore": "ore (mixed concentrate)",
    "light_oxide": "NdPr oxide (light)",
    "heavy_oxide": "Dy/Tb oxide (heavy)",
    "magnet": "NdFeB magnets",
}
WIDTH, HEIGHT = 300, 170
FILL = "container"  # a width: the chart takes its column's width (a phone's), its legend below it
TABLE = "table"


def scale_of(colours: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colours), range=list(colours.values()))


TICKS = "month_ticks"  # a parameter: ticks on the month axis, at most one a month (`with_rows` sets it)


def _x_month() -> alt.X:
    return alt.X("month:T", title="month", axis=alt.Axis(format="%Y-%m", labelAngle=-30, tickCount={"expr": TICKS}))


def _legend(width: int | str) -> dict:
    """On a phone (a width of FILL) the legend goes below the chart, untitled, to leave the plot its width."""
    return {"legend": alt.Legend(title=None, orient="bottom")} if width == FILL else {}


def _toggle(field: str):
    return alt.selection_point(fields=[field], bind="legend", name=f"pick_{field}")


def _faded(selection) -> alt.OpacityValue:
    return alt.condition(selection, alt.value(1.0), alt.value(0.12))


def named_data() -> alt.NamedData:
    return alt.NamedData(name=TABLE, format=alt.DataFormat(type="csv"))


def _branch(branches: bool) -> dict:
    if not branches:
        return {}
    return {
        "strokeDash": alt.StrokeDash(
            "branch:N",
            title="branch",
            scale=alt.Scale(domain=list(palette.BRANCH_DASH), range=list(palette.BRANCH_DASH.values())),
        )
    }


def _tip(branches: bool) -> list:
    return ["branch:N"] if branches else []


def _rows(frame: pd.DataFrame) -> str:
    """The rows as CSV text: one string is far cheaper than a list of dicts to build, to diff (Solara walks
    every argument of a widget) and to send; Vega-Lite parses each field by its encoding type."""
    if "date" in frame:
        frame = frame.assign(month=frame["date"] + "-01")
    return frame.to_csv(index=False, float_format="%.6g", lineterminator="\n")


def with_rows(template: dict, frame: pd.DataFrame, title: str | None = None) -> dict:
    spec = dict(template)
    spec["datasets"] = {**template.get("datasets", {}), TABLE: _rows(frame)}
    if "date" in frame:  # six ticks, or one a month when fewer months are drawn: a short run labels none twice
        ticks = {"name": TICKS, "value": max(min(6, frame["date"].nunique()), 2)}
        spec["params"] = [*template.get("params", []), ticks]
    if title is not None:
        spec["title"] = title
    return spec


# ------------------------------------------------------------------------------------------ prices
@lru_cache(maxsize=16)
def _prices_template(branches: bool, products: tuple[str, ...] = PRODUCTS, width: int | str = WIDTH) -> dict:
    """One panel per product, two a row (Vega-Lite 5.2, which the UI served before, refused a legend selection
    repeated over facet panels); two series a panel need no legend toggle. Log scale: prices span 1000x (a log
    scale has no zero: `prices` leaves out prices of 0 and says so)."""
    panels = [
        alt.Chart(named_data())
        .transform_filter(alt.datum.product == product)
        .mark_line(point=alt.OverlayMarkDef(size=14))
        .encode(
            x=_x_month(),
            y=alt.Y("usd_per_kg:Q", title="price (USD per kg REO, log scale)", scale=alt.Scale(type="log")),
            color=alt.Color("market:N", title="market", scale=scale_of(palette.MARKET), **_legend(width)),
            tooltip=[
                "date:N",
                "product:N",
                "market:N",
                alt.Tooltip("usd_per_kg:Q", title="USD/kg", format=",.1f"),
                *_tip(branches),
            ],
            **_branch(branches),
        )
        .properties(width=width, height=HEIGHT, title=PRODUCT_NAMES[product])
        for product in products
    ]
    if len(panels) == 1:  # a single view: the only kind a width of FILL applies to
        return panels[0].to_dict()
    return alt.vconcat(*(alt.hconcat(*panels[i : i + 2]) for i in range(0, len(panels), 2))).to_dict()


def prices(frame: pd.DataFrame, products: tuple[str, ...] = PRODUCTS, width: int | str = WIDTH) -> dict:
    """China's domestic price against the world's, a panel per product of `products`. A price of 0 or less
    has no place on the log scale: it is left out, and the chart's title says how many were."""
    if tuple(products) != PRODUCTS:
        frame = frame[frame["product"].isin(products)]
    drawn = frame[frame["usd_per_kg"] > 0]
    left_out = len(frame) - len(drawn)
    title = (
        f"{left_out} price{'s' * (left_out > 1)} of 0 USD/kg or less left out: a log scale has no zero"
        if left_out
        else None
    )
    return with_rows(_prices_template("branch" in frame, tuple(products), width), drawn, title)


# ------------------------------------------------------------------------------------------ shortages
def _lines_by(
    series: str,
    legend: str,
    colours: dict,
    y: alt.Y,
    value: alt.Tooltip,
    title: str,
    branches: bool = False,
    width: int | str = WIDTH + 80,
) -> dict:
    """Monthly lines, one colour per `series` value, with a legend toggle."""
    pick = _toggle(series)
    return (
        alt.Chart(named_data())
        .mark_line(point=alt.OverlayMarkDef(size=14))
        .encode(
            x=_x_month(),
            y=y,
            color=alt.Color(f"{series}:N", title=legend, scale=scale_of(colours), **_legend(width)),
            opacity=_faded(pick),
            tooltip=["date:N", f"{series}:N", value, *_tip(branches)],
            **_branch(branches),
        )
        .add_params(pick)
        .properties(width=width, height=HEIGHT + 30, title=title)
        .to_dict()
    )


@lru_cache(maxsize=16)
def _shortage_share_template(
    branches: bool, countries: tuple[str, ...] = COUNTRIES, width: int | str = WIDTH + 80
) -> dict:
    return _lines_by(
        "country",
        "country",
        {c: palette.COUNTRY[c] for c in countries},
        alt.Y("short_pct:Q", title="shortage (% of magnet demand)"),
        alt.Tooltip("short_pct:Q", title="shortage %", format=".1f"),
        "Shortage by country",
        branches,
        width,
    )


def shortage_lines(data: pd.DataFrame, countries: tuple[str, ...] = COUNTRIES, width: int | str = WIDTH + 80) -> dict:
    """Shortage shares already worked out (`date`, `country`, `short_pct`, maybe `branch`), a line per
    country of `countries` (the legend names only these)."""
    return with_rows(_shortage_share_template("branch" in data, tuple(countries), width), data)


def shortage_share(frame: pd.DataFrame) -> dict:
    """Each country's unmet share of its manufacturers' magnet demand, month by month."""
    keys = ["date", "country"] + (["branch"] if "branch" in frame else [])
    data = unmet_frame(frame, keys)
    data = data[data["demand_t"] > 0]  # a month with no demand has no share to draw
    data = data.assign(short_pct=100 * data["short"])
    return shortage_lines(data)


@lru_cache(maxsize=1)
def _shortage_sector_template() -> dict:
    pick = _toggle("sector")
    return (
        alt.Chart(named_data())
        .mark_bar()
        .encode(
            x=alt.X("country:N", title="country", sort=list(COUNTRIES)),
            y=alt.Y("short_t:Q", title="shortage so far (t REO)", stack="zero"),
            color=alt.Color("sector:N", title="sector", scale=scale_of(palette.SECTOR)),
            opacity=_faded(pick),
            tooltip=["country:N", "sector:N", alt.Tooltip("short_t:Q", title="t REO unmet", format=",.0f")],
        )
        .add_params(pick)
        .properties(width=WIDTH, height=HEIGHT + 30, title="Shortage by country and sector")
        .to_dict()
    )


def shortage_by_sector(frame: pd.DataFrame) -> dict:
    """Tonnes of magnet demand left unmet over the run so far, by country, split by sector."""
    data = frame.assign(short_t=frame["demand_t"] - frame["delivered_t"])
    return with_rows(_shortage_sector_template(), data.groupby(["country", "sector"], as_index=False)["short_t"].sum())


# ------------------------------------------------------------------------------------------ trade flows
def _country_labels(x: float, align: str) -> alt.Chart:
    nodes = pd.DataFrame({"x": x, "y0": range(len(COUNTRIES)), "label": list(COUNTRIES)})
    return (
        alt.Chart(nodes)
        .mark_text(fontSize=13, fontWeight="bold", align=align)
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y0:Q", axis=None),
            text="label:N",
            color=alt.Color("label:N", scale=scale_of(palette.COUNTRY), legend=None),
        )
    )


@lru_cache(maxsize=1)
def _flows_template() -> dict:
    y = alt.Y("y0:Q", axis=None, scale=alt.Scale(domain=[-0.5, len(COUNTRIES) - 0.5], reverse=True))
    pick = _toggle("exporter")
    links = (
        alt.Chart(named_data())
        .mark_rule(strokeCap="round")
        .encode(
            x=alt.X("left:Q", axis=None, scale=alt.Scale(domain=[-0.3, 1.3])),
            x2="right:Q",
            y=y,
            y2="y1:Q",
            strokeWidth=alt.StrokeWidth("tonnes:Q", title="t REO per month", scale=alt.Scale(range=[0.5, 22])),
            color=alt.Color("exporter:N", title="exporter", scale=scale_of(palette.COUNTRY)),
            opacity=alt.condition(pick, alt.value(0.75), alt.value(0.08)),
            tooltip=["exporter:N", "importer:N", alt.Tooltip("tonnes:Q", title="t REO per month", format=",.1f")],
        )
        .add_params(pick)
    )
    labels = [_country_labels(x, align) for x, align in ((-0.05, "right"), (1.05, "left"))]
    return (
        alt.layer(links, *labels)
        .resolve_scale(color="independent")
        .properties(width=WIDTH + 120, height=HEIGHT + 90)
        .to_dict()
    )


def trade_flows(frame: pd.DataFrame, product: str, months: int = 1, branch: str = "") -> dict:
    """Exports of one product, exporter (left) to importer (right); line width = tonnes a month, averaged
    over the last `months` months. Domestic deliveries are left out. `branch` ("what-if") heads the title."""
    recent = sorted(frame["date"].unique())[-months:]
    data = frame[(frame["product"] == product) & frame["date"].isin(recent) & (frame["exporter"] != frame["importer"])]
    data = data.groupby(["exporter", "importer"], as_index=False)["tonnes"].sum()
    data = data.assign(tonnes=data["tonnes"] / max(len(recent), 1), left=0.0, right=1.0)
    data = data[data["tonnes"] > 0.05]
    rank = {c: i for i, c in enumerate(COUNTRIES)}
    data = data.assign(y0=data["exporter"].map(rank), y1=data["importer"].map(rank))
    title = (
        f"{branch + ': ' if branch else ''}{PRODUCT_NAMES[product]}: exporters (left) to importers (right), "
        f"{recent[-1] if recent else 'no month yet'}"
    )
    spec = with_rows(_flows_template(), data, title)
    if branch:  # two side by side
        spec["width"] = WIDTH + 30
    return spec


# ------------------------------------------------------------------------------------------ capacity
@lru_cache(maxsize=8)
def _capacity_template(branches: bool) -> dict:
    """One panel per stage; the legend toggle sits on the last panel (one legend selection per chart, as
    Vega-Lite 5.2 allowed) and fades the country in all three. A symlog scale, which draws 0 as 0."""
    pick = _toggle("country")
    panels = [
        alt.Chart(named_data())
        .transform_filter(alt.datum.stage == stage)
        .mark_line()
        .encode(
            x=_x_month(),
            y=alt.Y(
                "tonnes_per_year:Q",
                title="capacity (t REO per year, log scale)",
                scale=alt.Scale(type="symlog", constant=100),  # China's ~100x the rest: linear hides them
                axis=alt.Axis(values=[0, 100, 1000, 10_000, 100_000, 1_000_000], format=",.0f"),
            ),
            color=alt.Color("country:N", title="country", scale=scale_of(palette.COUNTRY)),
            opacity=_faded(pick),
            tooltip=[
                "date:N",
                "country:N",
                "stage:N",
                alt.Tooltip("tonnes_per_year:Q", title="t REO/yr", format=",.0f"),
                *_tip(branches),
            ],
            **_branch(branches),
        )
        .properties(width=WIDTH - 70, height=HEIGHT, title=f"{stage} capacity")
        for stage in STAGES
    ]
    panels[-1] = panels[-1].add_params(pick)
    return alt.hconcat(*panels).to_dict()


def capacity(frame: pd.DataFrame) -> dict:
    """Capacity by country, one panel per stage of the chain."""
    return with_rows(_capacity_template("branch" in frame), frame)


# ------------------------------------------------------------------------------------------ licences
@lru_cache(maxsize=1)
def _licences_template() -> dict:
    return _lines_by(
        "status",
        "licences",
        palette.LICENCE,
        alt.Y("tonnes:Q", title="t REO (a month; pending: in the queue)"),
        alt.Tooltip("tonnes:Q", title="t REO", format=",.1f"),
        "Export licences, all exporters",
    )


def licences(frame: pd.DataFrame) -> dict:
    """Licence applications a month, what was approved and denied, and the queue waiting for a decision."""
    columns = {"applied_t": "applied", "approved_t": "approved", "denied_t": "denied", "pending_t": "pending"}
    data = frame.groupby("date", as_index=False)[list(columns)].sum().rename(columns=columns)
    return with_rows(_licences_template(), data.melt(id_vars="date", var_name="status", value_name="tonnes"))


def stacked_branches(what_if: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """One frame with both branches, for the overlaid comparison charts."""
    return pd.concat([what_if.assign(branch="what-if"), baseline.assign(branch="baseline")], ignore_index=True)


def build_templates() -> None:
    """Build every chart's spec once (about half a second), so the first month a student runs is not slow."""
    for branches in (False, True):
        _prices_template(branches), _shortage_share_template(branches), _capacity_template(branches)
    _shortage_sector_template(), _flows_template(), _licences_template()
