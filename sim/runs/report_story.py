"""The "what happened" summary at the top of `report.html`: plain sentences generated from the run (the
scenario's own events in date order, the worst shortages by country and sector, price peaks, licences,
stockpiles, agreements), each linked to the chart or table that shows it."""
from __future__ import annotations

import html
from collections import Counter

import pandas as pd

from ..constants import PRODUCTS
from ..dates import parse_month
from ..shortage import unmet_frame
from .charts import Marker, capital

COUNTRY_NAME = {"CN": "China", "US": "the US", "JP": "Japan", "AU": "Australia", "EU": "the EU", "MM": "Myanmar",
                "MY": "Malaysia", "ROW": "the rest of the world", "*": "everyone"}
SECTOR_NAME = {"ev": "EV", "wind": "wind-turbine", "industrial": "industrial", "electronics": "electronics",
               "defense": "defence"}
PRODUCT_NAME = {"ore": "ore (concentrate)", "light_oxide": "light oxide (NdPr)",
                "heavy_oxide": "heavy oxide (Dy+Tb)", "magnet": "NdFeB magnets"}
NOTICEABLE_SHORT = 0.0005  # a monthly unmet share below 0.05% is rounding, not a shortage
CALM_PRICE = 0.10          # a price within 10% of its start "stayed put"


def link(anchor: str, text: str, kind: str | None = None) -> str:
    """A link to a chart; with `kind`, to the event log filtered to that kind."""
    data = f" data-kind='{kind}'" if kind else ""
    return f" <a class='see' href='#{anchor}'{data}>{text} &rarr;</a>"


def part(share: float) -> str:
    """A share of a whole in words: "all" rather than "100%" when nothing else is left."""
    return "all" if share >= 0.995 else f"{share:.0%}"


def country_name(code: str) -> str:
    return ", ".join(COUNTRY_NAME.get(c, c) for c in str(code).split(","))


# ------------------------------------------------------------------------------------ scenario events
def scenario_rows(model, events: pd.DataFrame) -> pd.DataFrame:
    """The rows of the event log written by the scenario's own events (and levers pulled during the run),
    with the end of each timed measure, in date order. `number` counts those inside the run (as marked on
    the charts); events dated before the start are in force from the first month and get no number."""
    start = model.start_month
    wanted: Counter = Counter()
    before_start: Counter = Counter()
    for event in model.schedule_events.events:
        key = (max(event.date, model.scenario.start), event.actor, event.kind)
        wanted[key] += 1
        before_start[key] += parse_month(event.date) < start
    picked, early = [], []
    for index, row in enumerate(events.itertuples(index=False)):
        key = (row.date, row.actor, row.kind)
        if wanted[key] > 0:  # phase 1 logs the scenario's events before any state decides in that month
            wanted[key] -= 1
            picked.append(index)
            early.append(before_start[key] > 0)
            before_start[key] -= before_start[key] > 0
        elif row.kind.endswith("_ends"):
            picked.append(index)
            early.append(False)
    rows = events.iloc[picked].copy()
    rows["before_start"] = early
    rows = rows.sort_values("date", kind="stable")
    in_run = ~rows["before_start"]
    rows["number"] = 0
    rows.loc[in_run, "number"] = range(1, int(in_run.sum()) + 1)
    return rows


def markers(rows: pd.DataFrame) -> list[Marker]:
    numbered = rows[rows["number"] > 0]
    return [Marker(date, ",".join(str(n) for n in part["number"])) for date, part in numbered.groupby("date")]


def marker_key(rows: pd.DataFrame) -> str:
    """The one-line key printed under each time chart: number, month, who, what."""
    numbered = rows[rows["number"] > 0]
    if numbered.empty:
        return "No scenario events during the run, so no markers."
    def whom(target: str) -> str:
        return "all" if target == "*" else html.escape(str(target))
    parts = [f"<b>{r.number}</b> {r.date} {html.escape(r.actor)} {html.escape(r.kind.replace('_', ' '))}"
             + ("" if r.target in (r.actor, "") else f" &rarr; {whom(r.target)}")
             for r in numbered.itertuples()]
    return "Dashed lines: " + " &middot; ".join(parts)


def _event_items(rows: pd.DataFrame) -> str:
    if rows.empty:
        return "<li>The scenario sets no events of its own: this is the world running on as calibrated.</li>"
    items = []
    for r in rows.itertuples():
        badge = f"<span class='badge'>{r.number}</span>" if r.number else "<span class='badge pre'>start</span>"
        when = "in force from the start" if r.before_start else r.date
        why = "" if r.rationale == r.detail else f" <span class='why'>{html.escape(str(r.rationale))}</span>"
        items.append(f"<li>{badge} <b>{when}</b>, {html.escape(r.actor)}: {html.escape(str(r.detail))}.{why}</li>")
    return "".join(items)


# ---------------------------------------------------------------------------------------- shortages
def shortage_shares(supply: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """supply.csv summed by month and `keys`, with `short_t` and `short` (share of demand unmet)."""
    return unmet_frame(supply, ["date", *keys])


def _shortage_text(supply: pd.DataFrame) -> str:
    by_sector = shortage_shares(supply, ["country", "sector"])
    if by_sector["short"].max() < NOTICEABLE_SHORT:
        return ("<b>Shortages.</b> No manufacturer anywhere went short of magnets: every order was filled."
                + link("shortages", "shortage charts"))
    worst = by_sector.loc[by_sector["short"].idxmax()]
    text = (f"The worst single shortage: {SECTOR_NAME[worst.sector]} manufacturers in {country_name(worst.country)} "
            f"could not get {worst.short:.0%} of the magnets they needed in {worst.date}.")
    totals = by_sector.groupby(["country", "sector"])[["short_t", "demand_t"]].sum()
    by_country = totals.groupby(level="country").sum()
    by_country = by_country[by_country["short_t"] / by_country["demand_t"] >= NOTICEABLE_SHORT]
    lines = []
    for country, row in by_country.sort_values("short_t", ascending=False).head(4).iterrows():
        sectors = totals.loc[country, "short_t"].sort_values(ascending=False)
        main = sectors.index[0]
        peak = by_sector[by_sector["country"] == country].groupby("date")[["short_t", "demand_t"]].sum()
        peak_month = (peak["short_t"] / peak["demand_t"]).idxmax()
        line = (f"{country_name(country)} went short of {row.short_t:,.0f} t REO of magnets over the run "
                f"({row.short_t / row.demand_t:.1%} of its demand), {part(sectors.iloc[0] / row.short_t)} of it "
                f"in {SECTOR_NAME[main]}; its worst month was {peak_month}")
        last = by_sector[(by_sector["country"] == country) & (by_sector["date"] == by_sector["date"].max())]
        if last["short_t"].sum() >= NOTICEABLE_SHORT * last["demand_t"].sum() > 0:
            still = last.set_index("sector")["short_t"].sort_values(ascending=False)
            line += (f"; in the last month ({last['date'].iloc[0]}) it was still "
                     f"{still.sum() / last['demand_t'].sum():.1%} short, {part(still.iloc[0] / still.sum())} of it "
                     f"in {SECTOR_NAME[still.index[0]]}")
        lines.append(line)
    return (f"<b>Shortages.</b> {text}" + link("shortages", "shortage charts")
            + "<ul>" + "".join(f"<li>{capital(line)}.</li>" for line in lines) + "</ul>")


# ------------------------------------------------------------------------------------------- prices
def _price_text(prices: pd.DataFrame) -> str:
    lines = []
    for product in PRODUCTS:
        rows = prices[prices["product"] == product]
        series = {m: part.set_index("date")["usd_per_kg"] for m, part in rows.groupby("market")}
        world, china = series["world"], series["china"]
        w_ratio, c_ratio = world.max() / world.iloc[0], china.max() / china.iloc[0]
        name = capital(PRODUCT_NAME[product])
        if max(w_ratio, c_ratio) < 1 + CALM_PRICE:
            lines.append(f"{name} stayed within {CALM_PRICE:.0%} of its starting price in both markets")
            continue
        line = (f"{name}: the world price peaked at {world.max():,.0f} USD/kg in {world.idxmax()}, "
                f"{w_ratio:.1f}&times; its start")
        line += (f"; China's domestic price at {china.max():,.0f} USD/kg in {china.idxmax()} ({c_ratio:.1f}&times;)"
                 if c_ratio >= 1 + CALM_PRICE else "; China's domestic price stayed within "
                 f"{CALM_PRICE:.0%} of its start")
        lines.append(line)
    return ("<b>Prices.</b>" + link("prices", "price charts")
            + "<ul>" + "".join(f"<li>{line}.</li>" for line in lines) + "</ul>")


# ------------------------------------------------------------------------- licences, stocks, agreements
def _licence_text(licences: pd.DataFrame) -> str | None:
    if licences.empty or licences["applied_t"].sum() <= 0:
        return None
    approved, denied = licences["approved_t"].sum(), licences["denied_t"].sum()
    decided = approved + denied
    rate = f"{approved / decided:.0%} of the decided tonnes approved" if decided > 0 else "none decided yet"
    pairs = licences.groupby(["exporter", "importer", "product"])["denied_t"].sum().sort_values(ascending=False)
    most = ""
    if len(pairs) and pairs.iloc[0] > 0:
        (exporter, importer, product), tonnes = pairs.index[0], pairs.iloc[0]
        most = (f" The most refused: {PRODUCT_NAME[product]} from {country_name(exporter)} to "
                f"{country_name(importer)}, {tonnes:,.0f} t.")
    return (f"<b>Licences.</b> {licences['applied_t'].sum():,.0f} t applied for, {approved:,.0f} t approved and "
            f"{denied:,.0f} t denied ({rate}).{most}"
            + link("events", "licence refusals in the event log", "licence_denied"))


def _stockpile_text(events: pd.DataFrame) -> str | None:
    opened = events[events["kind"] == "stockpile_release"]
    if opened.empty:
        return None
    parts = [f"{country_name(actor)} {len(rows)} time{'s' if len(rows) > 1 else ''} (first in {rows['date'].iloc[0]})"
             for actor, rows in opened.groupby("actor")]
    return "<b>Stockpiles.</b> Strategic stockpiles opened: " + "; ".join(parts) + "." + link("stocks", "stock charts")


def _agreement_text(events: pd.DataFrame) -> str:
    rows = events[events["kind"].isin(["agreement_signed", "agreement_broken", "agreement_lapsed"])]
    if rows.empty:
        return "<b>Agreements.</b> None signed, broken or lapsed."
    # an agreement's rows name it by its id (two may share a name); the detail reads "name: terms"
    said = {"agreement_signed": "{who} signed {what}: {terms}", "agreement_broken": "{who} broke {what}",
            "agreement_lapsed": "{what} ({who}) ran its term and lapsed"}
    parts = []
    for r in rows.itertuples():
        name, _, terms = str(r.detail).partition(": ")
        what = f"<i>{html.escape(name)}</i> ({html.escape(str(r.target))})"
        parts.append(f"{r.date}, " + said[r.kind].format(who=html.escape(r.actor), what=what, terms=html.escape(terms)))
    return ("<b>Agreements.</b>" + link("events", "event log") + "<ul>"
            + "".join(f"<li>{part}.</li>" for part in parts) + "</ul>")


def story(frames: dict[str, pd.DataFrame], rows: pd.DataFrame) -> str:
    """The summary section's HTML."""
    events = frames["events.csv"]
    points = [_shortage_text(frames["supply.csv"]), _price_text(frames["prices.csv"]),
              _licence_text(frames["licences.csv"]), _stockpile_text(events), _agreement_text(events)]
    bullets = "".join(f"<li>{p}</li>" for p in points if p)
    return (f"<h3>The scenario's events, in date order</h3><ol class='events'>{_event_items(rows)}</ol>"
            f"<p class='note'>The numbers mark the same events on every time chart below."
            f"{link('prices', 'the charts')}</p>"
            f"<h3>What followed</h3><ul class='story'>{bullets}</ul>")
