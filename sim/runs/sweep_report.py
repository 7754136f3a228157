"""`ree sweep-report DIR`: one offline HTML page for a finished sweep, plus its tables as CSV.

Every outcome the sweep kept is reported (the ones the file asked for first), grouped, with a contents list;
an outcome that is the same in every run is said in one sentence instead of a flat chart. Each outcome gets
one figure on which every varied parameter appears (`sweep_charts`); a Sobol design adds its indices with
95% intervals and the share of variance that is run-to-run noise (`sweep_sobol`). Then a table of mean ±
95% band per design point (it scrolls when wide), the runs with no value (NaN) per outcome, and the failed
runs. Tables: `results.csv` (every run), `summary_by_point.csv` (mean, std, count, band, min, max, NaN count
per point), `sobol_indices.csv` (S1, S1_conf, ST, ST_conf, noise_share) and, with second order,
`sobol_second_order.csv`.
"""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..scenario import ScenarioError
from .sweep_charts import MAX_BOX_POINTS, fmt, grid_figure, sampler_figure
from .sweep_design import run_count_text, seed_policy
from .sweep_outcomes import describe, grouped
from .sweep_spec import META, Range, SweepFile, read_sweep
from .sweep_store import read_metadata

__all__ = ["by_point", "fmt", "spread", "write_report"]
MAX_TABLE_POINTS = 60
STYLE = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:2rem auto;padding:0 1rem;color:#222}
td,th{border:1px solid #ddd;padding:.2rem .5rem;vertical-align:top}table{border-collapse:collapse;font-size:.85rem}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}small,.note{color:#666}
svg{max-width:100%;height:auto}.scroll{overflow-x:auto;max-width:100%}nav ul{columns:2;font-size:.9rem}
h3{font-size:1rem;margin:1.2rem 0 .2rem}h3 small{font-weight:normal}
.scroll td:first-child,.scroll th:first-child{position:sticky;left:0;background:#fff}"""


def spread(values: pd.Series) -> pd.Series:
    """Mean, the half-width of its 95% confidence interval (Student t over the replicates that have a
    value), the replicates' range, and how many replicates had a value / had none."""
    frame = by_point(pd.DataFrame({"point_id": 0, "v": values.to_numpy()}), [], ["v"])
    return frame.iloc[0].drop("point_id").rename(lambda c: c.removeprefix("v_"))


def by_point(ok: pd.DataFrame, parameters: list[str], outcomes: list[str]) -> pd.DataFrame:
    """One row per design point: its parameters and, per outcome, mean, std, count, band (95% half-width),
    min, max and nan."""
    keys = ["point_id"] + parameters
    groups = ok.groupby(keys, sort=True, dropna=False)
    parts = []
    for outcome in outcomes:
        column = groups[outcome]
        mean, std, n = column.mean(), column.std(ddof=1), column.count()
        half = (stats.t.ppf(0.975, np.maximum(n - 1, 1)) * std / np.sqrt(n)).where(n > 1)
        # replicates that agree to rounding: no band, rather than "± 1.7e-13"
        band = half.mask(half <= 1e-9 * mean.abs(), 0.0)
        part = {"mean": mean, "std": std, "count": n, "band": band, "min": column.min(), "max": column.max(),
                "nan": column.size() - n}
        parts.append(pd.DataFrame({f"{outcome}_{k}": v for k, v in part.items()}))
    return pd.concat(parts, axis=1).copy().reset_index()  # one block: reset_index would warn on 7 x outcomes


def _outcomes(table: pd.DataFrame, spec: SweepFile) -> list[str]:
    named = [*spec.sweep.outcomes, *spec.aggregates]  # the ones the sweep file asked for come first
    rest = [c for c in table.columns if c not in META and c not in spec.parameters and c not in named]
    return [c for c in [*named, *rest] if c in table.columns and pd.api.types.is_numeric_dtype(table[c])]


def _constant(ok: pd.DataFrame, outcomes: list[str]) -> tuple[dict[str, float], list[str]]:
    """Outcomes with one value in every run that has one ({name: value}), and those no run has a value for."""
    constant, empty = {}, []
    for name in outcomes:
        known = ok[name].dropna()
        if known.empty:
            empty.append(name)
        elif known.min() == known.max():
            constant[name] = float(known.iloc[0])
    return constant, empty


def spread_table(points: pd.DataFrame, parameters: list[str], outcomes: list[str]) -> str:
    """Mean ± 95% band [smallest–largest replicate] per design point and outcome, as HTML that scrolls."""
    head = "".join(f"<th>{html.escape(p)}</th>" for p in ["point", *parameters, *outcomes])
    body = []
    for _, row in points.head(MAX_TABLE_POINTS).iterrows():
        cells = [f"<td class=num>{int(row['point_id'])}</td>"]
        cells += [f"<td class=num>{fmt(row[p]) if isinstance(row[p], (int, float)) else html.escape(str(row[p]))}</td>"
                  for p in parameters]
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
    return f"<div class=scroll><table><tr>{head}</tr>{''.join(body)}</table></div>{more}"


def nan_table(ok: pd.DataFrame, outcomes: list[str]) -> str:
    counts = {o: int(ok[o].isna().sum()) for o in outcomes}
    rows = "".join(f"<tr><td>{html.escape(o)}</td><td class=num>{n} of {len(ok)}</td></tr>"
                   for o, n in counts.items() if n)
    if not rows:
        return "<p>none: every finished run has a value for every outcome.</p>"
    return ("<p>An aggregate is NaN when its selection matched no rows or its <code>divide_by</code> came to 0; "
            "means and bands leave those runs out.</p><table><tr><th>outcome</th><th>runs with NaN</th></tr>"
            f"{rows}</table>")


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower())


def _design_text(spec: SweepFile, table: pd.DataFrame, ok: pd.DataFrame, meta: dict) -> str:
    sweep = spec.sweep
    months = sweep.months or meta.get("months") or "the scenario's"
    params = "; ".join(f"<code>{html.escape(n)}</code>: "
                       + (f"{v.min:g} to {v.max:g}" + (" (whole numbers)" if v.integer else "")
                          if isinstance(v, Range) else ", ".join(html.escape(str(x)) for x in v))
                       for n, v in spec.parameters.items())
    failed = len(table) - len(ok)
    count = html.escape(run_count_text(spec, table["point_id"].nunique()))
    start = html.escape(str(meta.get("start", "?")))
    return (f"<p>{len(table)} runs ({len(ok)} ok, {failed} failed): {count}"
            f" of <b>{html.escape(sweep.scenario)}</b>, {months} months from {start}."
            f" Seeds: {html.escape(seed_policy(spec))}. ree {html.escape(str(meta.get('version', '?')))}, design"
            f" fingerprint <code>{html.escape(str(meta.get('fingerprint', 'not recorded'))[:12])}</code>.</p>"
            f"<p>Parameters: {params}.</p><p>Bands are 95% confidence intervals of the mean (Student t over the "
            "replicates, or over the runs in a bin), clipped to the outcome's range; with one replicate a design "
            "point has no band.</p>")


def write_report(out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    results = out_dir / "results.parquet"
    if not results.is_file():
        raise ScenarioError(out_dir, "results.parquet", "no sweep results here (run `ree sweep` first)")
    spec = read_sweep(out_dir / "sweep.toml")
    table = pd.read_parquet(results)
    ok = table[table["status"] == "ok"]
    if ok.empty:
        first = str(table["error"].iloc[0]) if len(table) else "no runs"
        raise ScenarioError(out_dir, "results.parquet", f"no run succeeded ({len(table)} of {len(table)} failed; "
                            f"the first: {first[:160]}): nothing to report")
    meta = read_metadata(results)
    parameters = list(spec.parameters)
    outcomes = _outcomes(table, spec)
    table.to_csv(out_dir / "results.csv", index=False)
    points = by_point(ok, parameters, outcomes)
    points.to_csv(out_dir / "summary_by_point.csv", index=False)
    constant, empty = _constant(ok, outcomes)
    charted = [o for o in outcomes if o not in constant and o not in empty]
    varied = [p for p in parameters if ok[p].nunique() > 1]
    sections = []
    if spec.sweep.sampler == "sobol":
        sections.append(("Sobol sensitivity indices", _sobol_section(ok, spec, charted, out_dir, len(points))))
    sections += _outcome_sections(spec, ok, points, charted, varied)
    if spec.sweep.sampler == "grid" or len(points) <= MAX_TABLE_POINTS:
        table_outcomes = charted or outcomes  # the constant ones are said in a sentence above
        sections.append(("Mean ± 95% band per design point", spread_table(points, parameters, table_outcomes)))
    sections.append(("Outcomes with no value", nan_table(ok, outcomes)))
    failed = table[table["status"] != "ok"]
    failures = "".join(f"<tr><td>{int(r.run_id)}</td><td>{html.escape(str(r.error))}</td></tr>"
                       for r in failed.head(50).itertuples())
    sections.append(("Failed runs", f"<table><tr><th>run</th><th>error</th></tr>"
                                    f"{failures or '<tr><td colspan=2>none</td></tr>'}</table>"))
    page = _page(spec, table, ok, meta, sections, constant, empty, charted)
    report = out_dir / "report.html"
    report.write_text(page, encoding="utf-8")
    return report


def _sobol_section(ok, spec, charted, out_dir: Path, n_points: int) -> str:
    from .sweep_sobol import sobol_chart, sobol_table_html, sobol_tables
    first, second = sobol_tables(ok, spec, charted, n_points)
    first.to_csv(out_dir / "sobol_indices.csv", index=False)
    if spec.sweep.second_order:
        second.to_csv(out_dir / "sobol_second_order.csv", index=False)
    if first.empty:
        return "<p>No outcome varies: no indices.</p>"
    noise = ("Run-to-run noise is the share of an outcome's variance between the replicates of one design point; "
             "it is n/a with one replicate, and then the seeds' noise is inside every index (a total index above "
             "its first-order one for a parameter that does nothing)." )
    return (f"<p>First-order (S1) and total (ST) indices on each point's mean over its replicates, ± the half-width"
            f" of SALib's 95% bootstrap interval. {noise}</p>{sobol_table_html(first)}{sobol_chart(first, charted)}")


def _outcome_sections(spec, ok, points, charted, varied) -> list[tuple[str, str]]:
    show_boxes = spec.sweep.replicates > 1 and len(points) <= MAX_BOX_POINTS
    sections = []
    for group, names in grouped(charted, spec.aggregates).items():
        parts = []
        for name in names:
            unit, low, high, _ = describe(name, spec.aggregates)
            if spec.sweep.sampler == "grid":
                chart, note = (grid_figure(points, ok, name, varied, unit, (low, high), show_boxes) if varied
                               else ("", "no parameter takes more than one value"))
            else:
                chart, note = sampler_figure(ok, name, varied, unit, (low, high), show_boxes), ""
            parts.append(f"<h3 id='{_anchor(name)}'>{html.escape(name)} <small>{html.escape(unit)}</small></h3>"
                         f"{chart}" + (f"<p class=note>Shown: {html.escape(note)}.</p>" if note else ""))
        sections.append((group, "".join(parts)))
    return sections


def _page(spec, table, ok, meta, sections, constant, empty, charted) -> str:
    contents = []
    for title, _ in sections:
        names = [n for g, ns in grouped(charted, spec.aggregates).items() if g == title for n in ns]
        sub = (" — " + ", ".join(f"<a href='#{_anchor(n)}'>{html.escape(n)}</a>" for n in names)) if names else ""
        contents.append(f"<li><a href='#{_anchor(title)}'>{html.escape(title)}</a>{sub}</li>")
    same = ""
    if constant:
        by_value: dict[str, list[str]] = {}
        for name, value in constant.items():
            by_value.setdefault(fmt(value), []).append(html.escape(name))
        listed = "; ".join(f"{', '.join(names)} = {value}" for value, names in by_value.items())
        same = (f"<p>{len(constant)} of {len(constant) + len(charted) + len(empty)} outcomes are the same in every "
                f"run and are not charted: {listed}.</p>")
    if empty:
        same += f"<p>No run has a value for: {html.escape(', '.join(empty))}.</p>"
    body = "".join(f"<h2 id='{_anchor(title)}'>{html.escape(title)}</h2>{content}" for title, content in sections)
    title = html.escape(spec.sweep.scenario)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ree sweep: {title}</title>
<style>{STYLE}</style></head><body>
<h1>Sweep of {html.escape(spec.sweep.scenario)}</h1>
{_design_text(spec, table, ok, meta)}
<p>{len(charted)} outcomes charted.</p>{same}
<nav><b>Contents</b><ul>{''.join(contents)}</ul></nav>
{body}
<p>Tables: results.csv (every run), summary_by_point.csv (mean, std, count, band, min, max and NaN count by design
point){', sobol_indices.csv' if spec.sweep.sampler == 'sobol' else ''}.</p>
</body></html>
"""
