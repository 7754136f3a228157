"""The 2025-26 facts published since the last calibration (reference V19-V27) against `busan_truce`, the real
path: China's magnet exports and their fall to the US, the US share of them, China's own heavy, NdPr and ore
prices under the controls, US separation and magnet capacity, and China's mine output.

`fact_metrics` measures one run; `ree validation` writes a section of `docs/validation.md` per seed (through
`validation_2025`), and the tests read `FACTS` for the bands.
"""
from __future__ import annotations

import numpy as np

from ..constants import C, P
from .validation import Band

SCENARIO = "busan_truce"
NDPR_EX_VAT, NDPR_WITH_VAT = 75.6, 85.4  # V23: 605-608k RMB/t on 31 Dec 2025 at 7.10 RMB/$, USD/kg

FACTS = [
    Band("magnet_exports_2025_over_2024", "V19: China's NdFeB exports 57,392 t in 2025 vs 58,152 t in 2024 "
         "(x0.987; Reuters via Goldsea, 19 Jan 2026)", 0.887, 1.087, "China's magnet exports, 2025 / 2024", "x"),
    Band("magnet_exports_to_us_2025_over_2024", "V20: to the US 5,933 t in 2025, -20.3% (x0.797)", 0.697, 0.897,
         "China's magnet exports to the US, 2025 / 2024", "x"),
    Band("us_share_of_magnet_exports_2024", "V21: the US took ~12.8% of China's magnet exports in 2024 "
         "(7,444 of 58,152 t); band +-25%", 0.096, 0.160, "US share of China's magnet exports, 2024"),
    Band("heavy_china_dec_over_mar_2025", "V22: China's Dy oxide -19%, Tb oxide -7% from 26 Mar to 25 Dec 2025 "
         "(SMM): x0.87 for the blend; below 1 and within 25% of 0.872", 0.654, 0.9999,
         "China's Dy/Tb oxide price, Dec 2025 / Mar 2025", "x"),
    Band("ndpr_china_dec_2025", f"V23: NdPr oxide in China 605-608k RMB/t on 31 Dec 2025 (SMM): ${NDPR_EX_VAT}/kg "
         f"ex-VAT, ${NDPR_WITH_VAT} with VAT; band -25% of the first to +25% of the second",
         round(0.75 * NDPR_EX_VAT, 2), round(1.25 * NDPR_WITH_VAT, 2), "China's NdPr price, Dec 2025", " $/kg"),
    Band("ore_china_jan_2026_over_mar_2025", "V24: RE carbonate in China 35,900 RMB/t (26 Mar 2025) to "
         "59,900-60,600 (29 Jan 2026), x1.68 (SMM); band +-25%", 1.26, 2.10,
         "China's ore price, Jan 2026 / Mar 2025", "x"),
    Band("us_ndpr_oxide_2025_t", "V25: MP Materials produced 2,599 t NdPr oxide in 2025 (FY2025 results)", 1000, 5200,
         "US separated oxide, 2025 (NdPr, with a trace of Dy/Tb)", " t"),
    Band("us_magnet_capacity_2026_12", "V26: MP Independence ~1,000 t/yr magnets and eVAC Sumter 2,000 t/yr by "
         "end 2026: ~1,080 t REO/yr; band x0.5-x2", 540, 2160, "US magnet capacity, Dec 2026 (t REO/yr)", " t"),
    Band("china_mined_2025_t", "V27: USGS MCS 2026 estimates China's 2025 mine output at 270 kt, flat (quotas no "
         "longer published); band +-10%", 243_000, 297_000, "China's mine output, 2025", " t"),
]
BAND = {band.key: band for band in FACTS}


def fact_metrics(model) -> dict[str, float]:
    """V19-V27 measured on one run (NaN where the run does not reach the month)."""
    rec = model.recorder
    dates = rec.dates[: rec.written]
    at = {date: t for t, date in enumerate(dates)}
    year = {y: [t for t, d in enumerate(dates) if d.startswith(y)] for y in ("2024", "2025")}
    exports = rec.flow[: rec.written, P["magnet"], C["CN"], :].copy()
    exports[:, C["CN"]] = 0.0

    def ratio(numerator: float, denominator: float) -> float:
        return float(numerator / denominator) if denominator > 0 else float("nan")

    def price(product: str, date: str, market: int = 0) -> float:
        return float(rec.price[at[date], P[product], market]) if date in at else float("nan")

    out = {
        "magnet_exports_2025_over_2024": ratio(exports[year["2025"]].sum(), exports[year["2024"]].sum()),
        "magnet_exports_to_us_2025_over_2024": ratio(exports[year["2025"], C["US"]].sum(),
                                                    exports[year["2024"], C["US"]].sum()),
        "us_share_of_magnet_exports_2024": ratio(exports[year["2024"], C["US"]].sum(), exports[year["2024"]].sum()),
        "heavy_china_dec_over_mar_2025": price("heavy_oxide", "2025-12") / price("heavy_oxide", "2025-03"),
        "ndpr_china_dec_2025": price("light_oxide", "2025-12"),
        "ore_china_jan_2026_over_mar_2025": price("ore", "2026-01") / price("ore", "2025-03"),
    }
    full_2025 = len(year["2025"]) == 12
    out["us_ndpr_oxide_2025_t"] = float(rec.output[year["2025"], 1, C["US"]].sum()) if full_2025 else float("nan")
    out["china_mined_2025_t"] = float(rec.output[year["2025"], 0, C["CN"]].sum()) if full_2025 else float("nan")
    out["us_magnet_capacity_2026_12"] = (float(rec.capacity[at["2026-12"], C["US"], 2]) if "2026-12" in at
                                         else float("nan"))
    return out


def cell(band: Band, value: float) -> str:
    if np.isnan(value):
        return "n/a"
    if band.unit.strip() == "t":
        edge = ", at the edge" if band.at_edge(value) else ""
        return f"{value:,.0f} t {'ok' if band.holds(value) else 'OUT'}{edge}"
    return band.cell(value)


def bound(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:g}"


def section(runs: list[tuple[object, dict]]) -> list[str]:
    """Markdown lines: one row per fact, one column per seed of `busan_truce`."""
    seeds = [str(seed) for seed, _ in runs]
    lines = ["### 2025-26 facts (V19-V27)", "",
             f"`{SCENARIO}` as the real path, seeds {', '.join(seeds)}. Facts and sources: "
             "`../shared/reference/rare_earths.md` (section 6). \"at the edge\": within 2% of the band's width of "
             "a bound.", "",
             "| measure | reference | band | " + " | ".join(f"seed {s}" for s in seeds) + " |",
             "|---|---|---|" + "---|" * len(seeds)]
    for band in FACTS:
        cells = [cell(band, metrics.get(band.key, float("nan"))) for _, metrics in runs]
        bounds = (f"{bound(band.low)}-{bound(band.high)}" if band.key != "heavy_china_dec_over_mar_2025"
                  else f"{band.low:g}-<1")
        lines.append(f"| {band.label} | {band.target} | {bounds} | " + " | ".join(cells) + " |")
    held = [all(band.holds(m[band.key]) for band in FACTS if not np.isnan(m.get(band.key, np.nan))) for _, m in runs]
    lines += ["", f"All facts hold for {sum(held)} of {len(runs)} seeds.", ""]
    return lines


def missed(metrics: dict) -> list[str]:
    return [band.key for band in FACTS if band.key in metrics and not band.holds(metrics[band.key])]
