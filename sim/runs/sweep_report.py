"""`ree sweep-report DIR`: one offline HTML page for a finished sweep, plus its tables as CSV.

- one parameter varied: each outcome's mean against it, with a 95% confidence band over replicates;
- two parameters: a heatmap of each outcome's mean;
- a Sobol design: first-order and total Sobol indices (SALib) per outcome, as bar charts;
- always: a table of means by design point (`summary_by_point.csv`) and the runs (`results.csv`).
"""
from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .report import svg  # noqa: E402
from ..scenario import ScenarioError  # noqa: E402
from .sweep import META, SweepFile, load_sweep, salib_problem  # noqa: E402

MAX_OUTCOMES = 8


def _outcomes(table: pd.DataFrame, spec: SweepFile) -> list[str]:
    named = [*spec.sweep.outcomes, *spec.aggregates]  # the ones the sweep file asked for come first
    rest = [c for c in table.columns if c not in META and c not in spec.parameters and c not in named]
    names = [c for c in named if c in table.columns] + rest
    return [c for c in names if pd.api.types.is_numeric_dtype(table[c])][:MAX_OUTCOMES]


def line_charts(ok: pd.DataFrame, parameter: str, outcomes: list[str]) -> str:
    cols = min(len(outcomes), 3)
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), layout="constrained", squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes):
        stats = ok.groupby(parameter)[outcome].agg(["mean", "std", "count"]).reset_index()
        half = 1.96 * stats["std"].fillna(0) / np.sqrt(stats["count"])
        ax.plot(stats[parameter], stats["mean"], marker="o")
        ax.fill_between(stats[parameter], stats["mean"] - half, stats["mean"] + half, alpha=0.25)
        ax.set_xlabel(parameter, fontsize=8)
        ax.set_title(outcome, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    return svg(fig)


def heatmaps(ok: pd.DataFrame, x: str, y: str, outcomes: list[str]) -> str:
    cols = min(len(outcomes), 3)
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), layout="constrained", squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes):
        grid = ok.pivot_table(index=y, columns=x, values=outcome, aggfunc="mean")
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(grid.columns)), [f"{v:g}" for v in grid.columns], fontsize=7)
        ax.set_yticks(range(len(grid.index)), [f"{v:g}" for v in grid.index], fontsize=7)
        ax.set_xlabel(x, fontsize=8)
        ax.set_ylabel(y, fontsize=8)
        ax.set_title(outcome, fontsize=9)
        fig.colorbar(image, ax=ax, shrink=0.8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    return svg(fig)


def sobol_indices(table: pd.DataFrame, spec: SweepFile, outcomes: list[str]) -> tuple[str, pd.DataFrame]:
    from SALib.analyze import sobol
    names = list(spec.parameters)
    problem = salib_problem(spec)
    means = table.groupby("point_id")[outcomes].mean().sort_index()
    rows = []
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4 * len(outcomes), 3.2), layout="constrained", squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes):
        values = means[outcome].to_numpy()
        if not np.all(np.isfinite(values)):
            ax.set_title(f"{outcome}: failed runs", fontsize=9)
            continue
        result = sobol.analyze(problem, values, calc_second_order=False, seed=spec.sweep.seed)
        x = np.arange(len(names))
        ax.bar(x - 0.2, result["S1"], 0.4, label="first order")
        ax.bar(x + 0.2, result["ST"], 0.4, label="total")
        ax.set_xticks(x, names, rotation=30, ha="right", fontsize=7)
        ax.set_title(outcome, fontsize=9)
        ax.grid(alpha=0.3, axis="y")
        for name, s1, st in zip(names, result["S1"], result["ST"]):
            rows.append({"outcome": outcome, "parameter": name, "S1": s1, "ST": st})
    axes.flat[0].legend(fontsize=7)
    return svg(fig), pd.DataFrame(rows)


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
    by_point = ok.groupby(["point_id"] + parameters)[outcomes].agg(["mean", "std", "count"])
    by_point.columns = [f"{o}_{stat}" for o, stat in by_point.columns]
    by_point.reset_index().to_csv(out_dir / "summary_by_point.csv", index=False)
    sections = []
    if spec.sweep.sampler == "sobol":
        chart, indices = sobol_indices(table, spec, outcomes)
        indices.to_csv(out_dir / "sobol_indices.csv", index=False)
        sections.append(("Sobol sensitivity indices", chart))
    varied = [p for p in parameters if ok[p].nunique() > 1]
    if len(varied) == 1 or spec.sweep.sampler != "grid":
        for parameter in varied[:4]:
            sections.append((f"Outcomes against {parameter} (95% band over replicates)",
                             line_charts(ok, parameter, outcomes)))
    if len(varied) >= 2 and spec.sweep.sampler == "grid":
        sections.append((f"{varied[0]} x {varied[1]}", heatmaps(ok, varied[0], varied[1], outcomes)))
    failed = table[table["status"] != "ok"]
    failures = "".join(f"<tr><td>{int(r.run_id)}</td><td>{html.escape(str(r.error))}</td></tr>"
                       for r in failed.head(50).itertuples())
    body = "".join(f"<h2>{html.escape(title)}</h2>{chart}" for title, chart in sections)
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ree sweep</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2rem auto;padding:0 1rem;color:#222}}
td,th{{border:1px solid #ddd;padding:.2rem .5rem}}table{{border-collapse:collapse}}</style></head><body>
<h1>Sweep of {html.escape(spec.sweep.scenario)}</h1>
<p>{len(table)} runs ({len(ok)} ok, {len(failed)} failed): {table['point_id'].nunique()} design points
({spec.sweep.sampler}) x {spec.sweep.replicates} replicates, root seed {spec.sweep.seed}, {spec.sweep.months or 'scenario'}
months. Parameters: {html.escape(', '.join(parameters))}.</p>
{body}
<h2>Failed runs</h2><table><tr><th>run</th><th>error</th></tr>{failures or '<tr><td colspan=2>none</td></tr>'}</table>
<p>Tables: results.csv (every run), summary_by_point.csv (means by design point){', sobol_indices.csv' if spec.sweep.sampler == 'sobol' else ''}.</p>
</body></html>
"""
    report = out_dir / "report.html"
    report.write_text(page, encoding="utf-8")
    return report
