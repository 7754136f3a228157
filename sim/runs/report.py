"""`report.html`: one self-contained page (charts inlined as SVG, no network) that a reader opens first."""
from __future__ import annotations

import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ..constants import COUNTRIES, MARKETS, PRODUCTS, STAGES  # noqa: E402

COLOURS = {"CN": "#d62728", "US": "#1f77b4", "JP": "#9467bd", "AU": "#ff7f0e", "EU": "#2ca02c",
           "MM": "#8c564b", "MY": "#e377c2", "ROW": "#7f7f7f"}
MARKED_EVENTS = {"export_control", "export_control_ends", "capacity_shock", "capacity_shock_ends", "demand_shock"}
PRODUCT_LABEL = {"ore": "Ore (concentrate)", "light_oxide": "Light oxide (NdPr)",
                 "heavy_oxide": "Heavy oxide (Dy+Tb)", "magnet": "NdFeB magnets (per kg REO)"}
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;
line-height:1.45;padding:0 1rem}h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}
.lead{color:#555}table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}svg{max-width:100%;height:auto}.note{color:#666;font-size:.85rem}
"""


def svg(fig) -> str:
    """A matplotlib figure as inline SVG markup (the figure is closed). Byte-reproducible: no creation
    date, and element ids hashed from a fixed salt instead of a random one."""
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "ree"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def month_dates(labels) -> pd.DatetimeIndex:
    """"YYYY-MM" labels as dates (the first of each month), for plotting."""
    return pd.to_datetime(pd.Series(list(labels)) + "-01")


def shortage_by_country(supply: pd.DataFrame) -> pd.DataFrame:
    """supply.csv summed by month and country, with `short`: the share of demand left unmet."""
    by_country = supply.groupby(["date", "country"])[["demand_t", "delivered_t"]].sum().reset_index()
    by_country["short"] = 1 - by_country["delivered_t"] / by_country["demand_t"]
    return by_country


def _mark_events(ax, events: pd.DataFrame) -> None:
    for date in sorted(set(events.loc[events["kind"].isin(MARKED_EVENTS), "date"])):
        ax.axvline(pd.Timestamp(date + "-01"), color="#999", lw=0.8, ls="--", zorder=0)


def _format_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.grid(alpha=0.3)


def price_chart(prices: pd.DataFrame, events: pd.DataFrame) -> str:
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharex=True, layout="constrained")
    for ax, product in zip(axes.flat, PRODUCTS):
        for market in MARKETS:
            rows = prices[(prices["product"] == product) & (prices["market"] == market)]
            colour = COLOURS["CN"] if market == "china" else COLOURS["US"]
            ax.plot(month_dates(rows["date"]), rows["usd_per_kg"], "-", color=colour,
                    label="China domestic" if market == "china" else "World (ex-China)")
        values = prices.loc[prices["product"] == product, "usd_per_kg"]
        if values.max() / max(values.min(), 1e-9) > 8:
            ax.set_yscale("log")
        ax.set_title(PRODUCT_LABEL[product], fontsize=10)
        ax.set_ylabel("USD/kg")
        _mark_events(ax, events)
        _format_axis(ax)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Prices (dashed lines: export controls and shocks)", fontsize=11)
    return svg(fig)


def shortage_chart(supply: pd.DataFrame, events: pd.DataFrame) -> str:
    fig, ax = plt.subplots(figsize=(11, 3.6), layout="constrained")
    by_country = shortage_by_country(supply)
    for country in COUNTRIES:
        rows = by_country[by_country["country"] == country]
        if len(rows):
            ax.plot(month_dates(rows["date"]), 100 * rows["short"], color=COLOURS[country], label=country)
    ax.set_ylabel("% of magnet demand unmet")
    ax.set_title("Shortages: manufacturers that could not get magnets, by country", fontsize=10)
    ax.legend(ncol=8, fontsize=8)
    _mark_events(ax, events)
    _format_axis(ax)
    return svg(fig)


def _stack_by_country(ax, rows: pd.DataFrame, country_column: str, value: str, dates: list[str],
                      scale: float | None = None) -> None:
    """A stacked area of `value` by country over `dates` (months with no rows count 0)."""
    table = rows.pivot_table(index="date", columns=country_column, values=value, aggfunc="sum")
    table = table.reindex(dates).fillna(0.0)
    present = [c for c in COUNTRIES if c in table.columns]
    if present:
        series = (table[c] if scale is None else table[c] / scale for c in present)
        ax.stackplot(month_dates(table.index), *series, labels=present, colors=[COLOURS[c] for c in present], alpha=0.85)


def flow_chart(flows: pd.DataFrame, events: pd.DataFrame) -> str:
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharex=True, layout="constrained")
    exports = flows[(flows["exporter"] == "CN") & (flows["importer"] != "CN")]
    dates = sorted(set(flows["date"]))
    for ax, product in zip(axes, ("light_oxide", "heavy_oxide", "magnet")):
        _stack_by_country(ax, exports[exports["product"] == product], "importer", "tonnes", dates)
        ax.set_title(f"China's exports: {product}", fontsize=10)
        ax.set_ylabel("t REO per month")
        _mark_events(ax, events)
        _format_axis(ax)
    axes[-1].legend(fontsize=7, loc="upper right")
    return svg(fig)


def capacity_chart(capacity: pd.DataFrame) -> str:
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharex=True, layout="constrained")
    dates = sorted(set(capacity["date"]))
    for ax, stage in zip(axes, STAGES):
        rows = capacity[(capacity["stage"] == stage) & (capacity["country"] != "CN")]
        _stack_by_country(ax, rows, "country", "tonnes_per_year", dates, scale=1000)
        china = capacity[(capacity["stage"] == stage) & (capacity["country"] == "CN")]
        ax.set_title(f"{stage.capitalize()} outside China\n(China at the end: {china['tonnes_per_year'].iloc[-1] / 1000:,.0f} kt/yr)",
                     fontsize=9)
        ax.set_ylabel("kt REO per year")
        _format_axis(ax)
    axes[0].legend(fontsize=7, loc="upper left")
    return svg(fig)


def stock_chart(stocks: pd.DataFrame, events: pd.DataFrame) -> str:
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), sharex=True, layout="constrained")
    for ax, country in zip(axes, ("US", "JP")):
        rows = stocks[stocks["country"] == country]
        for (holder, product), part in rows.groupby(["holder", "product"]):
            if product == "ore" or part["tonnes"].max() <= 0:
                continue
            ax.plot(month_dates(part["date"]), part["tonnes"], label=f"{product} ({holder})",
                    ls="-" if holder == "firms" else ":")
        ax.set_title(f"Oxide and magnet stocks held in {country} (incl. in transit)", fontsize=10)
        ax.set_ylabel("t REO")
        ax.legend(fontsize=7)
        _mark_events(ax, events)
        _format_axis(ax)
    return svg(fig)


HEADLINES = [
    ("price_peak_ratio_heavy_oxide_world", "Peak world heavy-oxide price / start", "{:.2f}x"),
    ("price_peak_ratio_magnet_world", "Peak world magnet price / start", "{:.2f}x"),
    ("price_peak_ratio_light_oxide_world", "Peak world NdPr price / start", "{:.2f}x"),
    ("shortage_share_US", "US magnet demand unmet over the run", "{:.1%}"),
    ("shortage_share_JP", "Japan's magnet demand unmet over the run", "{:.1%}"),
    ("shortage_share_total", "World magnet demand unmet over the run", "{:.1%}"),
    ("china_share_mining_first_year", "China's share of mining, first year", "{:.1%}"),
    ("china_share_refining_first_year", "China's share of refining, first year", "{:.1%}"),
    ("china_share_magnets_first_year", "China's share of magnet making, first year", "{:.1%}"),
    ("capacity_nonchina_refining_end_t", "Refining capacity outside China at the end", "{:,.0f} t/yr"),
    ("licence_approval_rate", "Licence approval rate (by tonnes)", "{:.0%}"),
]


def headline_rows(outcomes: dict) -> list[tuple[str, str]]:
    return [(label, fmt.format(outcomes[key])) for key, label, fmt in HEADLINES if key in outcomes]


def render_report(model, frames: dict[str, pd.DataFrame], summary: dict) -> str:
    sc = model.scenario
    events = frames["events.csv"]
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td class='num'>{html.escape(v)}</td></tr>"
                   for k, v in headline_rows(summary["outcomes"]))
    event_rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in events[["date", "actor", "kind", "target", "detail", "rationale"]].itertuples(index=False))
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>ree: {html.escape(sc.name)}</title><style>{CSS}</style></head><body>
<h1>{html.escape(sc.name)}</h1>
<p class="lead">{html.escape(sc.description)}</p>
<p class="note">{summary['start']} to {summary['end']} ({summary['months']} months), seed {summary['seed']},
world.scale {sc.world.scale}, ree {summary['version']}. All quantities are tonnes of rare-earth oxide (REO);
magnet prices are per kg of REO inside the magnet.</p>
<h2>Headlines</h2><table>{rows}</table>
<h2>Prices</h2>{price_chart(frames['prices.csv'], events)}
<h2>Shortages</h2>{shortage_chart(frames['supply.csv'], events)}
<h2>Flows</h2>{flow_chart(frames['flows.csv'], events)}
<h2>Capacity</h2>{capacity_chart(frames['capacity.csv'])}
<h2>Stocks in the US and Japan</h2>{stock_chart(frames['stocks.csv'], events)}
<h2>Events and decisions ({len(events)})</h2>
<table><tr><th>date</th><th>actor</th><th>kind</th><th>target</th><th>detail</th><th>why</th></tr>{event_rows}</table>
<p class="note">Tables behind these charts: prices.csv, flows.csv, supply.csv, licences.csv, capacity.csv,
stocks.csv, events.csv and summary.json in the same folder.</p>
</body></html>
"""
    return body

