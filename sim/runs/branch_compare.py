"""Two branches of a run (a what-if and its baseline, same scenario and seed) side by side: the numbers an
analyst compares first, over the run so far and over each calendar year, from the run's output tables
(`sim.runs.outputs.tables`). Quantities are tonnes of REO; prices USD/kg; capacity t/yr."""
from __future__ import annotations

import pandas as pd

from ..constants import STAGES

SO_FAR = "so far"
PRICES = {"heavy_oxide": "Dy/Tb oxide", "magnet": "NdFeB magnets"}
SHORT_OF = ("US", "JP", "EU")


def periods(dates) -> list[tuple[str, list[str]]]:
    """("so far", every month), then each calendar year with the months of it that have been run."""
    months = sorted(set(dates))
    years = sorted({m[:4] for m in months})
    return [(SO_FAR, months)] + [(year, [m for m in months if m.startswith(year)]) for year in years]


def measures(frames: dict[str, pd.DataFrame], months: list[str]) -> dict[str, float]:
    """Each measure over `months` (name -> value; the unit is in the name)."""
    pick = {name: frame[frame["date"].isin(months)] for name, frame in frames.items() if "date" in frame}
    prices, supply, flows, capacity = (pick[f"{n}.csv"] for n in ("prices", "supply", "flows", "capacity"))
    out = {}
    world = prices[prices["market"] == "world"]
    for product, words in PRICES.items():
        out[f"world price of {words} (USD/kg, mean)"] = float(world[world["product"] == product]["usd_per_kg"].mean())
    short = supply.assign(short=supply["demand_t"] - supply["delivered_t"])
    by_country = short.groupby("country")["short"].sum()
    for country in SHORT_OF:
        out[f"{country} magnet shortage (t REO)"] = float(by_country.get(country, 0.0))
    outside = short[short["country"] != "CN"]
    out["magnet shortage outside China (t REO)"] = float(outside["short"].sum())
    out["magnets delivered outside China (t REO)"] = float(outside["delivered_t"].sum())
    exports = flows[(flows["exporter"] == "CN") & (flows["importer"] != "CN")]
    out["China's exports, all products (t REO)"] = float(exports["tonnes"].sum())
    end = capacity[(capacity["date"] == max(months)) & (capacity["country"] != "CN")] if months else capacity
    by_stage = end.groupby("stage")["tonnes_per_year"].sum()
    for stage in STAGES:
        out[f"{stage} capacity outside China (t/yr, at the end)"] = float(by_stage.get(stage, 0.0))
    return out


def difference_table(what_if: dict[str, pd.DataFrame], baseline: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per measure and period ("so far", then each year): what-if, baseline, difference, change (%)."""
    rows = []
    spans = periods(what_if["prices.csv"]["date"])
    values = {label: (measures(what_if, months), measures(baseline, months)) for label, months in spans}
    for name in values[SO_FAR][0]:
        for label, _ in spans:
            a, b = values[label][0][name], values[label][1][name]
            rows.append({"measure": name, "period": label, "what-if": a, "baseline": b, "difference": a - b,
                         "change (%)": 100 * (a - b) / b if b else float("nan")})
    return pd.DataFrame(rows, columns=["measure", "period", "what-if", "baseline", "difference", "change (%)"])
