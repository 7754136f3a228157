"""Sobol sensitivity indices of a Sobol sweep, with SALib's bootstrap confidence intervals, and how much of
each outcome's variance is run-to-run noise rather than the parameters'.

Indices are computed on each design point's mean over its replicates. With one replicate per point, noise
(the seeds) enters every index: it shows as a total index well above the first-order one for a parameter
that does nothing. Replicates (and common random numbers) shrink it; the noise share says how much there is.
"""
from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .charts import svg  # noqa: E402
from .palette import SERIES  # noqa: E402
from .sweep_design import salib_problem  # noqa: E402
from .sweep_spec import SweepFile  # noqa: E402

CONFIDENCE = 0.95


def sobol_tables(ok: pd.DataFrame, spec: SweepFile, outcomes: list[str], n_points: int
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """First-order and total indices with the half-widths of their 95% intervals (columns outcome, parameter,
    S1, S1_conf, ST, ST_conf, noise_share), and second-order ones when the design has them."""
    from SALib.analyze import sobol
    problem = salib_problem(spec)
    names = list(spec.parameters)
    means = ok.groupby("point_id")[outcomes].mean().reindex(range(n_points))
    first, second = [], []
    for outcome in outcomes:
        values = means[outcome].to_numpy(dtype=float)
        noise = noise_share(ok, outcome)
        if not np.all(np.isfinite(values)) or np.nanstd(values) == 0:
            first += [{"outcome": outcome, "parameter": name, "S1": np.nan, "S1_conf": np.nan, "ST": np.nan,
                       "ST_conf": np.nan, "noise_share": noise} for name in names]
            continue
        result = sobol.analyze(problem, values, calc_second_order=spec.sweep.second_order, conf_level=CONFIDENCE,
                               seed=spec.sweep.seed)
        for i, name in enumerate(names):
            first.append({"outcome": outcome, "parameter": name, "S1": result["S1"][i],
                          "S1_conf": result["S1_conf"][i], "ST": result["ST"][i], "ST_conf": result["ST_conf"][i],
                          "noise_share": noise})
        if spec.sweep.second_order:
            for i, j in itertools.combinations(range(len(names)), 2):
                second.append({"outcome": outcome, "parameter_1": names[i], "parameter_2": names[j],
                               "S2": result["S2"][i, j], "S2_conf": result["S2_conf"][i, j]})
    return pd.DataFrame(first), pd.DataFrame(second)


def noise_share(ok: pd.DataFrame, outcome: str) -> float:
    """The share of the outcome's variance over all runs that lies within design points (between the
    replicates of one point): run-to-run noise. NaN with one replicate per point."""
    grouped = ok.groupby("point_id")[outcome]
    if grouped.count().max() < 2:
        return np.nan
    total = ok[outcome].var(ddof=0)
    within = (ok[outcome] - grouped.transform("mean")).pow(2).mean()
    return float(within / total) if total > 0 else np.nan


def sobol_chart(indices: pd.DataFrame, outcomes: list[str]) -> str:
    """Bars of S1 and ST per parameter with their 95% intervals, one panel per outcome."""
    cols = min(3, len(outcomes))
    rows = int(np.ceil(len(outcomes) / cols))
    names = list(dict.fromkeys(indices["parameter"]))
    fig, axes = plt.subplots(rows, cols, figsize=(max(3.2, 0.9 * len(names) + 1.2) * cols, 3.0 * rows),
                             layout="constrained", squeeze=False)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    for ax, outcome in zip(axes.flat, outcomes):
        rows_of = indices[indices["outcome"] == outcome].set_index("parameter").reindex(names)
        x = np.arange(len(names))
        ax.bar(x - 0.2, rows_of["S1"], 0.4, yerr=rows_of["S1_conf"], color=SERIES[0], capsize=2, label="first order")
        ax.bar(x + 0.2, rows_of["ST"], 0.4, yerr=rows_of["ST_conf"], color=SERIES[1], capsize=2, label="total")
        ax.axhline(0, color="#444", lw=0.6)
        ax.set_xticks(x, names, rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("share of variance, 95% interval", fontsize=8)
        noise = rows_of["noise_share"].iloc[0]
        ax.set_title(outcome + (f"\n(run-to-run noise: {noise:.0%} of the variance)" if np.isfinite(noise) else ""),
                     fontsize=8)
        ax.grid(alpha=0.3, axis="y")
    axes.flat[0].legend(fontsize=7)
    return svg(fig)


def sobol_table_html(indices: pd.DataFrame) -> str:
    """S1 and ST with their intervals, outcome by parameter, in a table that scrolls sideways when wide."""
    import html
    names = list(dict.fromkeys(indices["parameter"]))
    head = "".join(f"<th>{html.escape(n)}<br><small>S1 · ST</small></th>" for n in names)
    body = []
    for outcome, rows in indices.groupby("outcome", sort=False):
        rows = rows.set_index("parameter")
        cells = []
        for name in names:
            r = rows.loc[name]
            if not np.isfinite(r["S1"]):
                cells.append("<td class=num>n/a</td>")
                continue
            cells.append(f"<td class=num>{r['S1']:.2f} ± {r['S1_conf']:.2f}<br>"
                         f"{r['ST']:.2f} ± {r['ST_conf']:.2f}</td>")
        noise = rows["noise_share"].iloc[0]
        body.append(f"<tr><th>{html.escape(outcome)}</th>{''.join(cells)}"
                    f"<td class=num>{'n/a' if not np.isfinite(noise) else f'{noise:.0%}'}</td></tr>")
    return (f"<div class=scroll><table><tr><th>outcome</th>{head}<th>noise share</th></tr>{''.join(body)}"
            "</table></div>")
