"""Validation of the 2025-26 episode: the April 2025 licences, MP's halt and the Busan truce, against the
facts of `../shared/reference/rare_earths.md` (V10, V11, V14) and the calibration's bands.

The measures (`episode_metrics`) and the smoothness rule (`ringing`) are shared by `ree validation`, which
writes a section of `docs/validation.md`, and by the tests. The section ends with the facts published since
(V19-V27, `validation_facts`), measured on the `busan_truce` runs it has made anyway.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..constants import COUNTRIES, C, P
from ..shortage import unmet_share
from . import validation_facts
from .palette import COUNTRY, PRODUCT
from .validation import Band

SCENARIOS = ("apr2025_licensing", "busan_truce", "us_japan_framework")
WATCHED = ("US", "EU", "JP")
SHORT_MONTH = 0.03  # a month counts as short above this share of magnet demand unmet
RING_POINTS = 0.25  # a rise of more than this share, undone within RING_MONTHS, is a swing

RING_MONTHS = 2

BANDS_2025 = [
    Band("worst_month_2025", "V11: a few plants idle days to weeks (Ford Chicago ~1 week in May; EU supplier "
         "lines in June); CLEPA: stocks lasted 3-4 more weeks", 0.0, 0.15,
         "worst month of 2025, share of magnet demand unmet (US, EU, JP)"),
    Band("short_months_2025", "V11: a small, short shortage concentrated in May-July", 0, 3,
         "months of 2025 above 3% short (worst of US, EU, JP)", " months"),
    Band("worst_month_2026", "the truce year: no reported shortages", 0.0, 0.10,
         "worst month of 2026, share unmet (US, EU, JP; busan_truce only)"),
    Band("ndpr_china_aug_over_jun", "V14: China NdPr +40% Jul to Aug 2025 (RMB 632k/t) after MP's halt", 1.15, 3.0,
         "China light-oxide price, Aug 2025 / Jun 2025 (apr2025_licensing only)", "x"),
]
APPLIES = {"worst_month_2026": ("busan_truce",), "ndpr_china_aug_over_jun": ("apr2025_licensing",)}


def shortage_shares(model) -> np.ndarray:
    """Month x country share of magnet demand left unmet."""
    rec = model.recorder
    return unmet_share(rec.demand[: rec.written].sum(axis=2), rec.delivered[: rec.written].sum(axis=2))


def ringing(model, points: float = RING_POINTS, months: int = RING_MONTHS) -> list[tuple[str, str, float]]:
    """(country, month, rise) wherever a country's monthly shortage share rises by more than `points` and
    falls back by more than `points` within the next `months`: a swing no event explains."""
    short, dates, found = shortage_shares(model), model.recorder.dates, []
    for c in range(short.shape[1]):
        s = short[:, c]
        for t in range(1, len(s)):
            rise = s[t] - s[t - 1]
            if rise > points and any(s[t] - s[u] > points for u in range(t + 1, min(t + months + 1, len(s)))):
                found.append((COUNTRIES[c], dates[t], float(rise)))
    return found


def episode_metrics(model) -> dict[str, float]:
    """The 2025-26 measures of one run (NaN where the run does not reach the year)."""
    short = shortage_shares(model)[:, [C[c] for c in WATCHED]]
    dates = model.recorder.dates[: model.recorder.written]
    out = {}
    for year in ("2025", "2026"):
        rows = [t for t, d in enumerate(dates) if d.startswith(year)]
        out[f"worst_month_{year}"] = float(short[rows].max()) if rows else float("nan")
        if year == "2025":
            out["short_months_2025"] = float((short[rows] > SHORT_MONTH).sum(axis=0).max()) if rows else float("nan")
    light_china = model.recorder.price[: len(dates), P["light_oxide"], 0]
    if "2025-08" in dates and "2025-06" in dates:
        out["ndpr_china_aug_over_jun"] = float(light_china[dates.index("2025-08")] / light_china[dates.index("2025-06")])
    else:
        out["ndpr_china_aug_over_jun"] = float("nan")
    out["swings"] = float(len(ringing(model)))
    return out


def applies(band: Band, scenario: str) -> bool:
    return scenario in APPLIES.get(band.key, SCENARIOS)


def write_section(img: Path, seeds: list) -> tuple[list[str], dict]:
    """Run each scenario for each seed, plot, and return the Markdown lines and {scenario: [(seed, metrics)]}."""
    import matplotlib.pyplot as plt

    from ..scenario import load_scenario
    from .report import month_dates
    from .runner import run_model

    results, models = {}, {}
    for name in SCENARIOS:
        scenario = load_scenario(name)
        runs = [run_model(scenario, seed=seed) for seed in seeds]
        models[name] = runs
        results[name] = [(m.seed_value, episode_metrics(m)) for m in runs]
    for (_, metrics), model in zip(results[validation_facts.SCENARIO], models[validation_facts.SCENARIO]):
        metrics.update(validation_facts.fact_metrics(model))
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
    colours = {c: COUNTRY[c] for c in WATCHED}
    for name, ax in zip(("apr2025_licensing", "busan_truce"), axes[:2]):
        for i, model in enumerate(models[name]):
            dates = month_dates(model.recorder.dates[: model.recorder.written])
            short = shortage_shares(model)
            for c, colour in colours.items():
                ax.plot(dates, 100 * short[:, C[c]], color=colour, alpha=1.0 if i == 0 else 0.35,
                        label=c if i == 0 else None)
        ax.axhline(15, ls="--", color="grey", lw=0.8)
        ax.axhline(3, ls=":", color="grey", lw=0.8)
        ax.set_title(f"{name}: % of magnet demand unmet (each seed)", fontsize=9)
        ax.legend(fontsize=8)
    for i, model in enumerate(models["apr2025_licensing"]):
        rec = model.recorder
        dates = month_dates(rec.dates[: rec.written])
        axes[2].plot(dates, rec.price[: rec.written, P["light_oxide"], 0], color=PRODUCT["light_oxide"],
                     alpha=1.0 if i == 0 else 0.35)
    axes[2].set_title("apr2025_licensing: China NdPr (light oxide), $/kg", fontsize=9)
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.tick_params(axis="x", labelsize=7)
    fig.savefig(img / "validation_2025.png", dpi=100)
    plt.close(fig)

    seed_labels = [str(s) for s, _ in results[SCENARIOS[0]]]
    lines = ["## The 2025-26 episode", "",
             "Generated by `ree validation` from `" + "`, `".join(SCENARIOS) + "` with seeds "
             + ", ".join(seed_labels) + ". A month is short above 3% of magnet demand unmet; the worst of the US, "
             "the EU and Japan counts. Facts: `../shared/reference/rare_earths.md` (V10, V11, V14; V19-V27 below).", "",
             "![2025](img/validation_2025.png)", "",
             "| scenario | measure | reference | band | " + " | ".join(f"seed {s}" for s in seed_labels) + " |",
             "|---|---|---|---|" + "---|" * len(seed_labels)]
    for name in SCENARIOS:
        for band in BANDS_2025:
            if not applies(band, name):
                continue
            cells = [f"{m[band.key]:.2f}{band.unit} {'ok' if band.holds(m[band.key]) else 'OUT'}"
                     for _, m in results[name]]
            lines.append(f"| {name} | {band.label} | {band.target} | {band.low:g}-{band.high:g} | "
                         + " | ".join(cells) + " |")
        swings = [f"{int(m['swings'])}" for _, m in results[name]]
        lines.append(f"| {name} | swings (a country's shortage up >25 points and back within 2 months) | "
                     "none without an event | 0 | " + " | ".join(swings) + " |")
    lines.append("")
    lines += validation_facts.section(results[validation_facts.SCENARIO])
    return lines, results


def write_report(out: Path, seeds: list[int]) -> tuple[list[tuple[int, dict]], dict]:
    """`docs/validation.md`: the 2010 crisis (`validation.write_section`) and the 2025-26 episode, for the
    scenarios' own seeds and `seeds`. Returns the 2010 runs and the 2025 results by scenario."""
    from .validation import write_section as crisis_section
    out = Path(out)
    runs, lines = crisis_section(out, seeds)
    section, episode = write_section(out.parent / "img", [None] + list(seeds))
    out.write_text("\n".join(lines + section) + "\n", encoding="utf-8")
    return runs, episode


def failures(results: dict) -> dict[int, list[str]]:
    """Seed -> keys of bands missed in any scenario."""
    out: dict[int, list[str]] = {}
    for name, runs in results.items():
        for seed, metrics in runs:
            missed = [f"{name}:{b.key}" for b in BANDS_2025 if applies(b, name) and not b.holds(metrics[b.key])]
            missed += [f"{name}:swings"] if metrics["swings"] else []
            missed += [f"{name}:{key}" for key in validation_facts.missed(metrics)]
            out.setdefault(seed, []).extend(missed)
    return out
