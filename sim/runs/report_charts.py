"""The time charts of `report.html`: prices, shortages by country and by sector, China's exports, capacity
outside China and stocks. Every one states its unit and scale, starts linear axes at zero, carries the
numbered event markers and says "none" when it would have nothing to draw. Colours: `palette`."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ..constants import COUNTRIES, MARKETS, PRODUCTS, SECTORS, STAGES  # noqa: E402
from . import palette  # noqa: E402
from .charts import Marker, capital, figure_legend, month_dates, none_box, svg, time_axes  # noqa: E402
from .report_story import COUNTRY_NAME, NOTICEABLE_SHORT, PRODUCT_NAME, SECTOR_NAME, shortage_shares  # noqa: E402

MARKET_LABEL = {"china": "China domestic", "world": "World (ex-China)"}


def price_chart(prices: pd.DataFrame, markers: list[Marker]) -> str:
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.2), sharex=True, layout="constrained")
    for ax, product in zip(axes.flat, PRODUCTS):
        for market in MARKETS:
            rows = prices[(prices["product"] == product) & (prices["market"] == market)]
            ax.plot(month_dates(rows["date"]), rows["usd_per_kg"], palette.MARKET_STYLE[market],
                    color=palette.MARKET[market], label=MARKET_LABEL[market], lw=1.6)
        ax.set_title(capital(PRODUCT_NAME[product]) + (" (per kg REO inside)" if product == "magnet" else ""),
                     fontsize=10, pad=14)
        time_axes(ax, "USD/kg", markers)
    figure_legend(fig)
    return svg(fig)


def shortage_country_chart(supply: pd.DataFrame, markers: list[Marker]) -> str:
    by_country = shortage_shares(supply, ["country"])
    short = [c for c in COUNTRIES if by_country.loc[by_country["country"] == c, "short"].max() >= NOTICEABLE_SHORT]
    if not short:
        return none_box("Shortages by country", "Every country's manufacturers got all the magnets they ordered.")
    fig, ax = plt.subplots(figsize=(11, 3.4), layout="constrained")
    for country in short:
        rows = by_country[by_country["country"] == country]
        ax.plot(month_dates(rows["date"]), 100 * rows["short"], color=palette.COUNTRY[country], lw=1.6, label=country)
    calm = [c for c in COUNTRIES if c not in short]
    ax.set_title("Share of each country's magnet demand left unmet" +
                 (f" (no shortage in {', '.join(calm)})" if calm else ""), fontsize=10, pad=14)
    time_axes(ax, "% of demand unmet", markers)
    figure_legend(fig, ncol=8)
    return svg(fig)


def shortage_sector_chart(supply: pd.DataFrame, markers: list[Marker]) -> str:
    """One panel per country that went short: the share of each sector's demand left unmet."""
    by_sector = shortage_shares(supply, ["country", "sector"])
    worst = by_sector.groupby("country")["short"].max()
    short = [c for c in COUNTRIES if worst.get(c, 0.0) >= NOTICEABLE_SHORT]
    if not short:
        return none_box("Shortages by sector", "No sector in any country went short.")
    cols = min(len(short), 2)
    rows_n = -(-len(short) // cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(11, 3.0 * rows_n), sharex=True, layout="constrained",
                             squeeze=False)
    for ax, country in zip(axes.flat, short):
        part = by_sector[by_sector["country"] == country]
        for sector in SECTORS:
            rows = part[part["sector"] == sector]
            if len(rows) and rows["demand_t"].sum() > 0:
                ax.plot(month_dates(rows["date"]), 100 * rows["short"], color=palette.SECTOR[sector], lw=1.5,
                        label=SECTOR_NAME[sector])
        ax.set_title(f"{capital(COUNTRY_NAME[country])} ({country}): unmet share of each sector's demand",
                     fontsize=9, pad=14)
        time_axes(ax, "% of sector demand unmet", markers)
    for ax in list(axes.flat)[len(short):]:
        ax.axis("off")
    figure_legend(fig, title="sector")
    return svg(fig)


def _stack_by_country(ax, rows: pd.DataFrame, country_column: str, value: str, dates: list[str],
                      scale: float = 1.0) -> None:
    """A stacked area of `value` by country over `dates` (months with no rows count 0)."""
    table = rows.pivot_table(index="date", columns=country_column, values=value, aggfunc="sum")
    table = table.reindex(dates).fillna(0.0)
    present = [c for c in COUNTRIES if c in table.columns and table[c].max() > 0]
    if present:
        ax.stackplot(month_dates(table.index), *(table[c] / scale for c in present), labels=present,
                     colors=[palette.COUNTRY[c] for c in present], alpha=0.9)


def flow_chart(flows: pd.DataFrame, markers: list[Marker]) -> str:
    exports = flows[(flows["exporter"] == "CN") & (flows["importer"] != "CN")]
    products = ("light_oxide", "heavy_oxide", "magnet")
    if exports[exports["product"].isin(products)]["tonnes"].sum() <= 0:
        return none_box("China's exports", "China exported no oxide and no magnets during the run.")
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.5), sharex=True, layout="constrained")
    dates = sorted(set(flows["date"]))
    for ax, product in zip(axes, products):
        _stack_by_country(ax, exports[exports["product"] == product], "importer", "tonnes", dates)
        ax.set_title(f"China's exports: {PRODUCT_NAME[product]}\n(stacked by destination)", fontsize=9, pad=14)
        time_axes(ax, "t REO per month", markers)
    figure_legend(fig, ncol=8, title="destination")
    return svg(fig)


def capacity_chart(capacity: pd.DataFrame, markers: list[Marker]) -> str:
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.5), sharex=True, layout="constrained")
    dates = sorted(set(capacity["date"]))
    for ax, stage in zip(axes, STAGES):
        rows = capacity[(capacity["stage"] == stage) & (capacity["country"] != "CN")]
        _stack_by_country(ax, rows, "country", "tonnes_per_year", dates, scale=1000)
        china = capacity[(capacity["stage"] == stage) & (capacity["country"] == "CN")]["tonnes_per_year"]
        ax.set_title(f"{stage.capitalize()} outside China (stacked)\nChina: {china.iloc[0] / 1000:,.0f} "
                     f"-> {china.iloc[-1] / 1000:,.0f} kt/yr", fontsize=9, pad=14)
        time_axes(ax, "kt REO per year", markers)
    figure_legend(fig, ncol=8, title="country")
    return svg(fig)


def stock_chart(stocks: pd.DataFrame, markers: list[Marker], countries=("US", "JP")) -> str:
    """Oxide and magnet stocks in each country: colour is the product, line style who holds it."""
    held = stocks[stocks["country"].isin(countries) & (stocks["product"] != "ore")]
    if held.empty or held["tonnes"].max() <= 0:
        return none_box("Stocks", "No oxide or magnet stocks were held in " + " or ".join(countries) + ".")
    fig, axes = plt.subplots(1, len(countries), figsize=(11, 3.4), sharex=True, layout="constrained",
                             squeeze=False)
    for ax, country in zip(axes.flat, countries):
        rows = held[held["country"] == country]
        for holder in ("firms", "state"):
            for product in PRODUCTS[1:]:
                part = rows[(rows["holder"] == holder) & (rows["product"] == product)]
                if len(part) and part["tonnes"].max() > 0:
                    ax.plot(month_dates(part["date"]), part["tonnes"], palette.HOLDER_STYLE[holder], lw=1.5,
                            color=palette.PRODUCT[product], label=f"{PRODUCT_NAME[product]}, {holder}")
        ax.set_title(f"Stocks held in {COUNTRY_NAME[country]} (firms' include goods in transit)",
                     fontsize=9, pad=14)
        time_axes(ax, "t REO", markers)
    figure_legend(fig, ncol=3, title="colour: product; solid: held by firms, dashed: state stockpile")
    return svg(fig)
