"""The sweep report's charts, one figure per outcome, every varied parameter on it.

- grid, one parameter: the mean against it with its 95% band;
- grid, two: a heatmap of the means (value in each cell) and the means against the first, one line per
  value of the second;
- grid, three or more: small multiples, one panel per combination of the other parameters' values;
- Latin hypercube and Sobol samples: each run as a dot against each parameter, with the means of ten bins
  of that parameter (95% band): a sampled design has no repeated points to draw lines through;
- where replicates exist and the design is small, a box per design point (the spread over replicates).
Bands are clipped to the outcome's range (a share stays within 0-1, tonnes and prices above 0).
"""
from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from .charts import svg  # noqa: E402
from .palette import SERIES  # noqa: E402

MAX_PANELS = 12  # small multiples beyond this many combinations: the first ones, the rest in the CSV
MAX_BOX_POINTS = 60
BINS = 10


def fmt(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:.3g}" if abs(value) < 1e3 else f"{value:,.0f}"


def _label(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float, np.number)) else str(value)


def _band(mean: pd.Series, half: pd.Series, bounds: tuple[float, float]):
    half = half.fillna(0)
    return (mean - half).clip(lower=bounds[0]), (mean + half).clip(upper=bounds[1])


def _axes(panels: int, height: float = 2.7, wspace: float = 0.38):
    cols = panels if panels <= 5 else 4  # five panels fit a row; a lone panel on a second row reads badly
    rows = int(np.ceil(panels / cols))
    width = 4.0 if cols <= 3 else 3.3  # a row about as wide as the page
    # fixed spacing, not constrained layout: it doubled the time to draw, which a report of 60 outcomes feels
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False,
                             gridspec_kw={"wspace": wspace, "hspace": 0.55})
    for ax in list(axes.flat)[panels:]:
        ax.axis("off")
    return fig, list(axes.flat)[:panels]


def _lines(ax, rows: pd.DataFrame, outcome: str, x: str, series: str | None, bounds) -> None:
    groups = [(None, rows)] if series is None else list(rows.groupby(series, sort=True))
    for colour, (value, part) in zip(SERIES * 4, groups):
        part = part.sort_values(x)
        mean = part[f"{outcome}_mean"]
        low, high = _band(mean, part[f"{outcome}_band"], bounds)
        ax.plot(part[x], mean, marker="o", ms=3, color=colour, label=None if series is None else _label(value))
        ax.fill_between(part[x], low, high, color=colour, alpha=0.2, lw=0)
    ax.set_xlabel(x, fontsize=8)
    ax.grid(alpha=0.3)
    if series is not None:
        ax.legend(title=series, fontsize=6, title_fontsize=6)


def _heatmap(fig, ax, rows: pd.DataFrame, outcome: str, x: str, y: str) -> None:
    grid = rows.pivot_table(index=y, columns=x, values=f"{outcome}_mean", aggfunc="first", dropna=False)
    values = grid.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap="viridis")
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (row, col), value in np.ndenumerate(values):
        dark_cell = np.isfinite(value) and value < middle  # viridis is dark at the low end
        ax.text(col, row, fmt(value), ha="center", va="center", fontsize=7, color="white" if dark_cell else "black")
    ax.set_xticks(range(len(grid.columns)), [_label(v) for v in grid.columns], fontsize=7)
    ax.set_yticks(range(len(grid.index)), [_label(v) for v in grid.index], fontsize=7)
    ax.set_xlabel(x, fontsize=8)
    ax.set_ylabel(y, fontsize=8)
    ax.set_title("mean over replicates", fontsize=8)
    fig.colorbar(image, ax=ax, shrink=0.8)


def _boxes(ax, ok: pd.DataFrame, outcome: str) -> None:
    groups = [(pid, part[outcome].dropna().to_numpy()) for pid, part in ok.groupby("point_id")]
    ax.boxplot([values for _, values in groups], tick_labels=[str(pid) for pid, _ in groups], widths=0.6,
               flierprops={"markersize": 2})
    ax.set_xlabel("design point (see the table)", fontsize=8)
    ax.tick_params(axis="x", labelsize=6, labelrotation=90 if len(groups) > 20 else 0)
    ax.set_title("spread over replicates", fontsize=8)
    ax.grid(alpha=0.3, axis="y")


def grid_figure(points: pd.DataFrame, ok: pd.DataFrame, outcome: str, varied: list[str], unit: str,
                bounds: tuple[float, float], show_boxes: bool) -> tuple[str, str]:
    """One outcome of a grid: (svg, note). The note says which small multiples were left out, if any."""
    note = ""
    x = varied[0]
    y = varied[1] if len(varied) > 1 else None
    rest = varied[2:]
    combos = list(itertools.product(*(sorted(points[p].unique()) for p in rest))) if rest else [()]
    if len(combos) > MAX_PANELS:
        note = (f"the first {MAX_PANELS} of {len(combos)} combinations of {', '.join(rest)}; all are in "
                "summary_by_point.csv")
        combos = combos[:MAX_PANELS]
    panels = (len(combos) if rest else 1 + (y is not None)) + show_boxes
    fig, axes = _axes(panels, wspace=0.6 if y is not None and not rest else 0.38)  # room for the colour bar
    ylabel = f"mean, 95% band ({unit})" if unit else "mean, 95% band"
    if not rest and y is not None:
        _heatmap(fig, axes[0], points, outcome, x, y)
        _lines(axes[1], points, outcome, x, y, bounds)
        axes[1].set_ylabel(ylabel, fontsize=8)
    elif not rest:
        _lines(axes[0], points, outcome, x, None, bounds)
        axes[0].set_ylabel(ylabel, fontsize=8)
    else:
        line_axes = axes[:len(combos)]
        for ax, combo in zip(line_axes, combos):
            mask = np.logical_and.reduce([points[p] == v for p, v in zip(rest, combo)])
            _lines(ax, points[mask], outcome, x, y, bounds)
            ax.set_title(", ".join(f"{p} = {_label(v)}" for p, v in zip(rest, combo)), fontsize=7)
        _share_y(line_axes)
        line_axes[0].set_ylabel(ylabel, fontsize=8)
    if show_boxes:
        _boxes(axes[-1], ok, outcome)
    return svg(fig), note


def _share_y(axes) -> None:
    """The same y-axis on every small multiple, so panels compare at a glance."""
    low = min(ax.get_ylim()[0] for ax in axes)
    high = max(ax.get_ylim()[1] for ax in axes)
    for ax in axes:
        ax.set_ylim(low, high)


def binned_means(x: pd.Series, y: pd.Series) -> pd.DataFrame:
    """Mean of y and its 95% half-width in ten bins of x of equal counts (or one bin per value when x takes
    few values, as an integer parameter does)."""
    frame = pd.DataFrame({"x": x.to_numpy(), "y": y.to_numpy()}).dropna()
    if frame["x"].nunique() <= BINS:
        frame["bin"] = frame["x"]
    else:
        frame["bin"] = pd.qcut(frame["x"], BINS, duplicates="drop")
    grouped = frame.groupby("bin", observed=True)
    out = pd.DataFrame({"x": grouped["x"].mean(), "mean": grouped["y"].mean(), "std": grouped["y"].std(ddof=1),
                        "n": grouped["y"].count()}).reset_index(drop=True)
    t = stats.t.ppf(0.975, np.maximum(out["n"] - 1, 1))
    out["band"] = np.where(out["n"] > 1, t * out["std"] / np.sqrt(out["n"]), np.nan)
    return out


def sampler_figure(ok: pd.DataFrame, outcome: str, parameters: list[str], unit: str,
                   bounds: tuple[float, float], show_boxes: bool) -> str:
    """One outcome of a sampled design: every run against each parameter, with binned means."""
    fig, axes = _axes(len(parameters) + show_boxes)
    for ax, parameter in zip(axes, parameters):
        ax.scatter(ok[parameter], ok[outcome], s=4, alpha=0.5, color="#777777", lw=0, rasterized=True,
                   label="one run")
        bins = binned_means(ok[parameter], ok[outcome])
        low, high = _band(bins["mean"], bins["band"], bounds)
        ax.plot(bins["x"], bins["mean"], marker="o", ms=3, color=SERIES[0], label="binned mean, 95% band")
        ax.fill_between(bins["x"], low, high, color=SERIES[0], alpha=0.25, lw=0)
        ax.set_xlabel(parameter, fontsize=8)
        ax.grid(alpha=0.3)
    _share_y(axes[:len(parameters)])
    axes[0].set_ylabel(unit or outcome, fontsize=8)
    axes[0].legend(fontsize=6, loc="best")
    if show_boxes:
        _boxes(axes[-1], ok, outcome)
    return svg(fig)


def no_value_note(outcome: str) -> str:
    return f"<p class=note>{outcome}: no run has a value (NaN in every run).</p>"
