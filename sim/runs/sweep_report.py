"""`ree sweep-report DIR`: one offline HTML page for a finished sweep, plus its tables as CSV.

- one parameter varied: each outcome's mean against it, with the 95% confidence band of the mean;
- two grid parameters: a heatmap of each outcome's mean with the value written in each cell, and the same
  means as small multiples (one line per value of the second parameter, with its band), so the spread
  over replicates shows;
- a Sobol design: first-order and total Sobol indices (SALib) per outcome, as bar charts;
- always: a table of mean ± 95% band (and the replicates' range) per design point, a count of the runs
  whose outcome has no value (NaN: an aggregate's empty selection or 0/0), and the failed runs.
Tables: `summary_by_point.csv` (mean, std, count, band, min, max per point) and `results.csv` (every run).
"""
from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from .charts import svg  # noqa: E402
from .palette import SERIES  # noqa: E402
from ..scenario import ScenarioError  # noqa: E402
from .sweep import META, SweepFile, load_sweep, salib_problem  # noqa: E402

MAX_OUTCOMES = 8
MAX_TABLE_POINTS = 60


def _outcomes(table: pd.DataFrame, spec: SweepFile) -> list[str]:
    named = [*spec.sweep.outcomes, *spec.aggregates]  # the ones the sweep file asked for come first
    rest = [c for c in table.columns if c not in META and c not in spec.parameters and c not in named]
    names = [c for c in named if c in table.columns] + rest
    return [c for c in names if pd.api.types.is_numeric_dtype(table[c])][:MAX_OUTCOMES]


def spread(values: pd.Series) -> pd.Series:
    """Mean, the half-width of its 95% confidence interval (Student t over the replicates that have a
    value), the replicates' range, and how many replicates had a value / had none."""
    known = values.dropna()
    n = len(known)
    half = float(stats.t.ppf(0.975, n - 1) * known.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    if n > 1 and half <= 1e-9 * abs(known.mean()):
        half = 0.0  # replicates that agree to rounding: no band, rather than "± 1.7e-13"
    return pd.Series({"mean": known.mean() if n else np.nan, "std": known.std(ddof=1) if n > 1 else np.nan,
                      "count": n, "band": half, "min": known.min() if n else np.nan,
                      "max": known.max() if n else np.nan, "nan": int(values.isna().sum())})


def by_point(ok: pd.DataFrame, parameters: list[str], outcomes: list[str]) -> pd.DataFrame:
    """One row per design point: its parameters and, per outcome, the columns of `spread`."""
    parts = []
    for outcome in outcomes:
        part = ok.groupby(["point_id"] + parameters)[outcome].apply(spread).unstack()
        part.columns = [f"{outcome}_{c}" for c in part.columns]
        parts.append(part)
    return pd.concat(parts, axis=1).reset_index()


def fmt(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:.3g}" if abs(value) < 1e5 else f"{value:,.0f}"


def _grid(outcomes: list[str], width: float, height: float):
    cols = min(len(outcomes), 3)
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), layout="constrained", squeeze=False)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    return fig, axes


def _no_value(ax, points: pd.DataFrame, outcome: str) -> bool:
    """An outcome no run has a value for gets a panel that says so instead of an empty axis."""
    if points[f"{outcome}_mean"].notna().any():
        return False
    ax.axis("off")
    ax.text(0.5, 0.5, f"{outcome}:\nn/a (no run has a value)", ha="center", va="center", fontsize=9,
            transform=ax.transAxes)
    return True


def line_charts(points: pd.DataFrame, x: str, outcomes: list[str], series: str | None = None) -> str:
    """Each outcome's mean against `x` with its 95% band; one line per value of `series` if given."""
    fig, axes = _grid(outcomes, 4, 3)
    groups = [(None, points)] if series is None else list(points.groupby(series))
    for ax, outcome in zip(axes.flat, outcomes):
        if _no_value(ax, points, outcome):
            continue
        for colour, (value, rows) in zip(SERIES * 4, groups):
            rows = rows.sort_values(x)
            mean, half = rows[f"{outcome}_mean"], rows[f"{outcome}_band"].fillna(0)
            ax.plot(rows[x], mean, marker="o", color=colour, label=None if series is None else f"{value:g}")
            ax.fill_between(rows[x], mean - half, mean + half, color=colour, alpha=0.2, lw=0)
        ax.set_xlabel(f"{x} (linear)", fontsize=8)
        ax.set_ylabel("mean, 95% band (linear)", fontsize=8)
        ax.set_title(outcome, fontsize=9)
        ax.grid(alpha=0.3)
    if series is not None:
        axes.flat[0].legend(title=series, fontsize=7, title_fontsize=7)
    return svg(fig)


def heatmaps(points: pd.DataFrame, x: str, y: str, outcomes: list[str]) -> str:
    """A heatmap of each outcome's mean over the x-y grid, with the mean written in each cell."""
    fig, axes = _grid(outcomes, 4.2, 3.3)
    for ax, outcome in zip(axes.flat, outcomes):
        if _no_value(ax, points, outcome):
            continue
        grid = points.pivot_table(index=y, columns=x, values=f"{outcome}_mean", aggfunc="first", dropna=False)
        values = grid.to_numpy(dtype=float)
        image = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap="viridis")
        finite = values[np.isfinite(values)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
        for (row, col), value in np.ndenumerate(values):
            dark_cell = np.isfinite(value) and value < middle  # viridis is dark at the low end
            ax.text(col, row, fmt(value), ha="center", va="center", fontsize=8,
                    color="white" if dark_cell else "black")
        ax.set_xticks(range(len(grid.columns)), [f"{v:g}" for v in grid.columns], fontsize=7)
        ax.set_yticks(range(len(grid.index)), [f"{v:g}" for v in grid.index], fontsize=7)
        ax.set_xlabel(x, fontsize=8)
        ax.set_ylabel(y, fontsize=8)
        ax.set_title(f"{outcome} (mean)", fontsize=9)
        fig.colorbar(image, ax=ax, shrink=0.8)
    return svg(fig)


def sobol_indices(table: pd.DataFrame, spec: SweepFile, outcomes: list[str]) -> tuple[str, pd.DataFrame]:
    from SALib.analyze import sobol
    names = list(spec.parameters)
    problem = salib_problem(spec)
    means = table.groupby("point_id")[outcomes].mean().reindex(range(table["point_id"].max() + 1))
    rows = []
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4 * len(outcomes), 3.2), layout="constrained", squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes):
        values = means[outcome].to_numpy()
        if not np.all(np.isfinite(values)):
            ax.set_title(f"{outcome}: n/a (failed runs or NaN)", fontsize=9)
            ax.axis("off")
            continue
        result = sobol.analyze(problem, values, calc_second_order=False, seed=spec.sweep.seed)
        x = np.arange(len(names))
        ax.bar(x - 0.2, result["S1"], 0.4, color=SERIES[0], label="first order")
        ax.bar(x + 0.2, result["ST"], 0.4, color=SERIES[1], label="total")
        ax.set_xticks(x, names, rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("Sobol index (share of variance)", fontsize=8)
        ax.set_title(outcome, fontsize=9)
        ax.grid(alpha=0.3, axis="y")
        for name, s1, st in zip(names, result["S1"], result["ST"]):
            rows.append({"outcome": outcome, "parameter": name, "S1": s1, "ST": st})
    axes.flat[0].legend(fontsize=7)
    return svg(fig), pd.DataFrame(rows)


def spread_table(points: pd.DataFrame, parameters: list[str], outcomes: list[str]) -> str:
    """Mean ± 95% band [smallest–largest replicate] per design point and outcome, as HTML."""
    head = "".join(f"<th>{html.escape(p)}</th>" for p in parameters + outcomes)
    body = []
    for _, row in points.head(MAX_TABLE_POINTS).iterrows():
        cells = [f"<td class=num>{row[p]:g}</td>" for p in parameters]
        for o in outcomes:
            if not row[f"{o}_count"]:
                cells.append(f"<td class=num>n/a<br><small>{int(row[f'{o}_nan'])} NaN</small></td>")
                continue
            band = "" if not np.isfinite(row[f"{o}_band"]) else f" ± {fmt(row[f'{o}_band'])}"
            missing = f", {int(row[f'{o}_nan'])} NaN" if row[f"{o}_nan"] else ""
            cells.append(f"<td class=num>{fmt(row[f'{o}_mean'])}{band}<br><small>[{fmt(row[f'{o}_min'])}–"
                         f"{fmt(row[f'{o}_max'])}], n={int(row[f'{o}_count'])}{missing}</small></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (f"<p>First {MAX_TABLE_POINTS} of {len(points)} points; all are in summary_by_point.csv.</p>"
            if len(points) > MAX_TABLE_POINTS else "")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


def nan_table(ok: pd.DataFrame, outcomes: list[str]) -> str:
    counts = {o: int(ok[o].isna().sum()) for o in outcomes}
    rows = "".join(f"<tr><td>{html.escape(o)}</td><td class=num>{n} of {len(ok)}</td></tr>"
                   for o, n in counts.items() if n)
    if not rows:
        return "<p>none: every finished run has a value for every outcome.</p>"
    return ("<p>An aggregate is NaN when its selection matched no rows or its <code>divide_by</code> came to 0; "
            "means and bands leave those runs out.</p><table><tr><th>outcome</th><th>runs with NaN</th></tr>"
            f"{rows}</table>")


def write_report(out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    results = out_dir / "results.parquet"
    if not results.is_file():
        raise ScenarioError(out_dir, "results.parquet", "no sweep results here (run `ree sweep` first)")
    spec = load_sweep(out_dir / "sweep.toml")
    table = pd.read_parquet(results)
    ok = table[table["status"] == "ok"]
    outcomes = _outcomes(table, spec)
    parameters = list(spec.parameters)
    table.to_csv(out_dir / "results.csv", index=False)
    points = by_point(ok, parameters, outcomes)
    points.to_csv(out_dir / "summary_by_point.csv", index=False)
    sections = []
    if spec.sweep.sampler == "sobol":
        chart, indices = sobol_indices(table, spec, outcomes)
        indices.to_csv(out_dir / "sobol_indices.csv", index=False)
        sections.append(("Sobol sensitivity indices", chart))
    varied = [p for p in parameters if ok[p].nunique() > 1]
    if len(varied) == 1 or spec.sweep.sampler != "grid":
        for parameter in varied[:4]:
            sections.append((f"Outcomes against {parameter} (mean, 95% band over replicates)",
                             line_charts(points, parameter, outcomes)))
    if len(varied) >= 2 and spec.sweep.sampler == "grid":
        x, y = varied[:2]
        sections.append((f"{x} x {y}", heatmaps(points, x, y, outcomes)))
        sections.append((f"Spread over replicates: outcomes against {x}, one line per {y} (mean, 95% band)",
                         line_charts(points, x, outcomes, series=y)))
    if spec.sweep.sampler == "grid" or len(points) <= MAX_TABLE_POINTS:
        sections.append(("Mean ± 95% band per design point", spread_table(points, parameters, outcomes)))
    failed = table[table["status"] != "ok"]
    failures = "".join(f"<tr><td>{int(r.run_id)}</td><td>{html.escape(str(r.error))}</td></tr>"
                       for r in failed.head(50).itertuples())
    body = "".join(f"<h2>{html.escape(title)}</h2>{content}" for title, content in sections)
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ree sweep</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2rem auto;padding:0 1rem;color:#222}}
td,th{{border:1px solid #ddd;padding:.2rem .5rem;vertical-align:top}}table{{border-collapse:collapse;font-size:.85rem}}
td.num{{text-align:right;font-variant-numeric:tabular-nums}}small{{color:#666}}svg{{max-width:100%;height:auto}}</style>
</head><body>
<h1>Sweep of {html.escape(spec.sweep.scenario)}</h1>
<p>{len(table)} runs ({len(ok)} ok, {len(failed)} failed): {table['point_id'].nunique()} design points
({spec.sweep.sampler}) x {spec.sweep.replicates} replicates, root seed {spec.sweep.seed}, {spec.sweep.months or 'scenario'}
months. Parameters: {html.escape(', '.join(parameters))}. Bands are 95% confidence intervals of the mean over
the replicates (Student t); with one replicate there is no band.</p>
{body}
<h2>Outcomes with no value</h2>{nan_table(ok, outcomes)}
<h2>Failed runs</h2><table><tr><th>run</th><th>error</th></tr>{failures or '<tr><td colspan=2>none</td></tr>'}</table>
<p>Tables: results.csv (every run), summary_by_point.csv (mean, std, count, band, min, max and NaN count by design
point){', sobol_indices.csv' if spec.sweep.sampler == 'sobol' else ''}.</p>
</body></html>
"""
    report = out_dir / "report.html"
    report.write_text(page, encoding="utf-8")
    return report
