"""Draws docs/img/full_embargo.png for the README from a fresh `full_embargo` run.

python docs/make_readme_chart.py
"""

from pathlib import Path

import matplotlib
import matplotlib.dates

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.runs import palette  # noqa: E402
from sim.runs.charts import month_dates  # noqa: E402
from sim.runs.outputs import table  # noqa: E402
from sim.runs.report import shortage_by_country  # noqa: E402
from sim.runs.runner import run_model  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

OUT = Path(__file__).parent / "img" / "full_embargo.png"


def main() -> None:
    model = run_model(load_scenario("full_embargo"))
    prices, supply = table(model, "prices"), table(model, "supply")
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    for product in ("heavy_oxide", "magnet"):
        for market in ("world", "china"):
            rows = prices[(prices["product"] == product) & (prices["market"] == market)]
            start = rows["usd_per_kg"].iloc[0]
            left.plot(
                month_dates(rows["date"]),
                rows["usd_per_kg"] / start,
                palette.MARKET_STYLE[market],
                color=palette.PRODUCT[product],
                label=f"{product} ({market})",
            )
    left.set_ylabel("price / Jan 2024 (linear from 0)")
    left.set_ylim(bottom=0)
    left.set_title("Prices: world vs China", fontsize=10)
    left.legend(fontsize=8)
    short = shortage_by_country(supply)
    for country in ("US", "JP", "EU"):
        rows = short[short["country"] == country]
        right.plot(month_dates(rows["date"]), 100 * rows["short"], color=palette.COUNTRY[country], label=country)
    right.set_ylabel("% of magnet demand unmet (linear from 0)")
    right.set_ylim(bottom=0)
    right.set_title("Shortages", fontsize=10)
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.xaxis.set_major_locator(matplotlib.dates.YearLocator())
        ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y"))
        ax.axvspan(pd.Timestamp("2024-03-01"), pd.Timestamp("2025-03-01"), color="#eeeeee", zorder=0)
        ax.grid(alpha=0.3)
    fig.suptitle("full_embargo: China bans rare-earth exports to the US and Japan for 12 months (grey)", fontsize=10)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
