"""`ree sweep-discover DIR --outcome O --above X` (or `--below X`): scenario discovery with PRIM.

Which ranges of the swept parameters hold most of the runs where an outcome crosses a threshold? PRIM
(Friedman and Fisher's patient rule induction, as EMA workbench implements it for scenario discovery) peels
the parameter space down to a box, trading coverage (the share of all runs of interest that fall inside the
box) against density (the share of the runs inside the box that are of interest). For each box we take the
peeling step with the highest coverage whose density reaches `--density`, print its limits with their
quasi-p values (how likely a restriction that tight would arise by chance), and draw the trade-off.
Writes `discovery.html`, `discovery_boxes.csv` and `discovery_trajectory.csv` into DIR.

EMA workbench is an optional dependency (`pip install "ree[discover]"`), imported here only.
"""
from __future__ import annotations

import difflib
import html
import warnings
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .charts import svg  # noqa: E402
from .palette import SERIES  # noqa: E402
from ..scenario import ScenarioError  # noqa: E402
from .sweep_spec import META, read_sweep  # noqa: E402


@dataclass
class Box:
    number: int
    stats: dict              # coverage, density, mass, res_dim, n, k of the chosen peeling step
    limits: pd.DataFrame     # parameter, lower, upper, sampled_min, sampled_max, qp_lower, qp_upper
    trajectory: pd.DataFrame
    chosen: int


def _prim_module():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EMA warns on import about optional parallel back-ends
            from ema_workbench.analysis import prim
    except ImportError:
        raise ScenarioError("ree sweep-discover", "ema_workbench", "scenario discovery needs EMA workbench: "
                            "pip install \"ree[discover]\" (or ema-workbench==2.5.3)") from None
    return prim


def runs_of_interest(out_dir: Path, outcome: str, above: float | None, below: float | None
                     ) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """The finished runs' varied parameters, whether each run is of interest, and the parameter names."""
    results = out_dir / "results.parquet"
    if not results.is_file():
        raise ScenarioError(out_dir, "results.parquet", "no sweep results here (run `ree sweep` first)")
    spec = read_sweep(out_dir / "sweep.toml")
    table = pd.read_parquet(results)
    if outcome not in table.columns or outcome in META or outcome in spec.parameters:
        columns = [c for c in table.columns if c not in META and c not in spec.parameters]
        close = difflib.get_close_matches(outcome, columns, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}?" if close else f"e.g. {', '.join(columns[:4])}"
        raise ScenarioError(out_dir, "--outcome", f"'{outcome}' is not an outcome of this sweep ({hint})")
    ok = table[(table["status"] == "ok") & table[outcome].notna()]
    if ok.empty:
        raise ScenarioError(out_dir, "--outcome", f"no run has a value for {outcome}: nothing to discover")
    names = [p for p in spec.parameters if ok[p].nunique() > 1]
    values = ok[outcome].to_numpy(dtype=float)
    interest = values > above if above is not None else values < below
    side, limit = ("above", above) if above is not None else ("below", below)
    if interest.all() or not interest.any():
        raise ScenarioError(out_dir, f"--{side}", f"{'every' if interest.all() else 'no'} run has {outcome} {side} "
                            f"{limit:g} (it runs from {values.min():.4g} to {values.max():.4g}): nothing to tell apart")
    # as floats: EMA's pasting writes fractional limits into an integer column's box, which pandas 3 refuses
    return ok[names].astype(float).reset_index(drop=True), interest, names


def find_boxes(x: pd.DataFrame, interest: np.ndarray, density: float, most: int) -> list[Box]:
    prim = _prim_module()
    algorithm = prim.Prim(x, interest, threshold=density, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
    boxes = []
    for number in range(1, most + 1):
        box = algorithm.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory.reset_index(drop=True)
        dense = trajectory[(trajectory["density"] >= density) & (trajectory["res_dim"] > 0)]
        if dense.empty:  # PRIM's "dump box": what is left holds no box dense enough
            break
        box.select(int(dense["coverage"].idxmax()))
        _drop_chance_restrictions(box, density)
        chosen = box._cur_box
        boxes.append(Box(number, box.peeling_trajectory.iloc[chosen].to_dict(), _limits(box, chosen, x),
                         trajectory, chosen))
    return boxes


def _drop_chance_restrictions(box, density: float, alpha: float = 0.05) -> None:
    """Lift the restrictions a box would hold by chance (quasi-p above `alpha` on both sides), as EMA's
    guidance has it, as long as the box keeps the density asked for: they narrow it without telling runs apart."""
    qp = box.qp[box._cur_box]
    for name, values in qp.items():
        known = [q for q in values if q != -1]
        if not known or min(known) <= alpha or box.res_dim <= 1:
            continue
        before = box._cur_box
        box.drop_restriction(name)
        if box.density < density:
            box.select(before)


def _limits(box, i: int, x: pd.DataFrame) -> pd.DataFrame:
    limits, qp = box.box_lims[i], box.qp[i]
    rows = []
    for name in qp:  # the restricted parameters
        low, high = (float(v) for v in limits[name])
        qp_low, qp_high = (np.nan if q == -1 else float(q) for q in qp[name])
        rows.append({"parameter": name, "lower": low, "upper": high, "sampled_min": float(x[name].min()),
                     "sampled_max": float(x[name].max()), "qp_lower": qp_low, "qp_upper": qp_high})
    return pd.DataFrame(rows)


def discover(out_dir: str | Path, outcome: str, above: float | None = None, below: float | None = None,
             density: float = 0.8, most: int = 2) -> str:
    """Find up to `most` boxes, write the page and tables, and return the text `ree sweep-discover` prints."""
    out_dir = Path(out_dir)
    if not 0 < density <= 1:
        raise ScenarioError("ree sweep-discover", "--density", f"{density:g} is not a share between 0 and 1")
    if most < 1:
        raise ScenarioError("ree sweep-discover", "--boxes", f"{most} is not a number of boxes (1 or more)")
    x, interest, names = runs_of_interest(out_dir, outcome, above, below)
    question = f"{outcome} {'>' if above is not None else '<'} {above if above is not None else below:g}"
    boxes = find_boxes(x, interest, density, most)
    head = (f"PRIM on {len(x)} runs of {out_dir}: {question} in {int(interest.sum())} runs "
            f"({interest.mean():.0%}); boxes need a density of at least {density:g}.")
    lines = [head]
    for box in boxes:
        s = box.stats
        lines.append(f"box {box.number}: coverage {s['coverage']:.0%}, density {s['density']:.0%}, mass "
                     f"{s['mass']:.0%} ({int(s['n'])} runs, {int(s['k'])} of interest), "
                     f"{int(s['res_dim'])} parameter(s) restricted")
        for row in box.limits.itertuples():
            qp = ", ".join(f"{q:.2g}" for q in (row.qp_lower, row.qp_upper) if np.isfinite(q))
            lines.append(f"  {row.parameter:<34} {row.lower:.4g} to {row.upper:.4g}   (sampled {row.sampled_min:.4g}"
                         f" to {row.sampled_max:.4g}; quasi-p {qp or 'n/a'})")
    if not boxes:
        lines.append(f"no box reaches a density of {density:g}: try a lower --density")
    _write(out_dir, question, head, boxes, x, interest)
    lines.append(f"page: {out_dir / 'discovery.html'} (the peeling trade-off), tables: discovery_boxes.csv, "
                 "discovery_trajectory.csv")
    return "\n".join(lines)


def tradeoff_chart(box: Box) -> str:
    """Coverage against density along the peeling, coloured by how many parameters are restricted, with the
    chosen step ringed."""
    t = box.trajectory  # the peeling and pasting steps (a lifted restriction is not drawn as a step)
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    dots = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18, zorder=3)
    ax.plot(t["coverage"], t["density"], color="#bbb", lw=0.8, zorder=2)
    ax.scatter([box.stats["coverage"]], [box.stats["density"]], s=140, facecolors="none", edgecolors=SERIES[1],
               lw=1.8, zorder=4, label=f"box {box.number}")
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("coverage: share of the runs of interest inside the box", fontsize=8)
    ax.set_ylabel("density: share of the box's runs of interest", fontsize=8)
    ax.set_title(f"box {box.number}: the peeling trade-off", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    bar = fig.colorbar(dots, ax=ax, label="parameters restricted")
    bar.set_ticks(range(int(t["res_dim"].max()) + 1))
    bar.ax.tick_params(labelsize=7)
    return svg(fig)


def limits_chart(box: Box, x: pd.DataFrame, interest: np.ndarray) -> str:
    """Every run in the two most restricted parameters (runs of interest in colour) and the box drawn on them;
    with one restricted parameter, the runs against it."""
    significance = box.limits[["qp_lower", "qp_upper"]].min(axis=1)  # a side left open has no quasi-p
    limits = box.limits.assign(qp=significance).sort_values("qp", na_position="last").head(2)
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    first = limits.iloc[0]
    if len(limits) == 2:
        second = limits.iloc[1]
        xs, ys = x[first.parameter], x[second.parameter]
        ax.add_patch(plt.Rectangle((first.lower, second.lower), first.upper - first.lower, second.upper - second.lower,
                                   fill=False, ec=SERIES[1], lw=1.8, zorder=4, label=f"box {box.number}"))
        ax.set_ylabel(second.parameter, fontsize=8)
    else:
        xs, ys = x[first.parameter], pd.Series(np.random.default_rng(0).uniform(0, 1, len(x)))
        ax.axvspan(first.lower, first.upper, color=SERIES[1], alpha=0.15, label=f"box {box.number}")
        ax.set_yticks([])
        ax.set_ylabel("runs (spread out)", fontsize=8)
    ax.scatter(xs[~interest], ys[~interest], s=8, color="#b8b8b8", lw=0, label="other runs", rasterized=True)
    ax.scatter(xs[interest], ys[interest], s=10, color=SERIES[0], lw=0, label="runs of interest", rasterized=True)
    ax.set_xlabel(first.parameter, fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return svg(fig)


def _write(out_dir: Path, question: str, head: str, boxes: list[Box], x: pd.DataFrame, interest: np.ndarray) -> None:
    tables = [box.limits.assign(box=box.number, **{k: box.stats[k] for k in ("coverage", "density", "mass", "n", "k")})
              for box in boxes]
    (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()).to_csv(out_dir / "discovery_boxes.csv",
                                                                                 index=False)
    trajectories = [box.trajectory.assign(box=box.number) for box in boxes]
    (pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame()).to_csv(
        out_dir / "discovery_trajectory.csv", index=False)
    parts = []
    for box in boxes:
        s = box.stats
        rows = "".join(f"<tr><td>{html.escape(r.parameter)}</td><td class=num>{r.lower:.4g}</td><td class=num>"
                       f"{r.upper:.4g}</td><td class=num>{r.sampled_min:.4g} – {r.sampled_max:.4g}</td><td class=num>"
                       + ", ".join(f"{q:.2g}" for q in (r.qp_lower, r.qp_upper) if np.isfinite(q)) + "</td></tr>"
                       for r in box.limits.itertuples())
        parts.append(f"<h2>Box {box.number}</h2><p>Coverage {s['coverage']:.0%}, density {s['density']:.0%}, mass "
                     f"{s['mass']:.0%}: {int(s['n'])} runs, {int(s['k'])} of them of interest.</p>"
                     "<table><tr><th>parameter</th><th>from</th><th>to</th><th>sampled</th><th>quasi-p</th></tr>"
                     f"{rows}</table><div class=row>{tradeoff_chart(box)}{limits_chart(box, x, interest)}</div>")
    if not boxes:
        parts.append("<p>No box reaches the density asked for.</p>")
    title = html.escape(question)
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ree: where {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2rem auto;padding:0 1rem;color:#222}}
td,th{{border:1px solid #ddd;padding:.2rem .5rem}}table{{border-collapse:collapse;font-size:.9rem}}
td.num{{text-align:right;font-variant-numeric:tabular-nums}}.row{{display:flex;flex-wrap:wrap;gap:1rem}}
svg{{max-width:100%;height:auto}}</style></head><body>
<h1>Scenario discovery: where is {html.escape(question)}?</h1>
<p>{html.escape(head)} Coverage is the share of all runs of interest inside a box; density the share of the box's
runs that are of interest. Each box is the peeling step with the highest coverage at that density; a quasi-p
value is the chance that a restriction this tight would hold as many runs of interest by luck alone.</p>
{''.join(parts)}
</body></html>
"""
    (out_dir / "discovery.html").write_text(page, encoding="utf-8")
